use super::sensitive::{says_secret, url_password};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{Node, ScalarValue};

declare_rule! {
    /// ## What it does
    /// Finds ConfigMap keys that hold a secret: a key whose name says so (`DB_PASSWORD`,
    /// `api-token`, `client_secret`) with a literal value, a URL with a password in it
    /// (`postgres://app:s3cret@db/shop`), or any value that holds a PEM private key
    /// (`-----BEGIN PRIVATE KEY-----`). Left alone: file-like keys (`app.conf`), empty values,
    /// booleans and numbers, paths, and references or placeholders (`$(VAR)`, `${TOKEN}`,
    /// `<token>`).
    ///
    /// ## Why is this bad?
    /// ConfigMaps are shown in full to anyone who may read them (`kubectl get configmap -o
    /// yaml`, most namespace roles, every dashboard), are not encrypted at rest, and end up in
    /// logs and bug reports. Secrets can be restricted, encrypted and kept out of the
    /// repository.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: ledger-config
    /// data:
    ///   LOG_LEVEL: info
    ///   LEDGER_API_TOKEN: 4f8d2a9c1b7e6035
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: ledger-config
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ledger-api
    /// stringData:
    ///   LEDGER_API_TOKEN: 4f8d2a9c1b7e6035
    /// ```
    ///
    /// ## Fix safety
    /// No fix: moving the value means a new Secret and new references in every workload that
    /// reads the key (`secretKeyRef`, `secretRef`), and the value should be rotated.
    pub struct SecretInConfigmap {
        id: "secret-in-configmap",
        category: Configuration,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub enum Held {
    /// The key's name says it is a secret.
    Named,
    Url,
    PrivateKey,
}

pub struct InConfigMap<'a> {
    configmap: usize,
    key: &'a str,
    value: &'a Node,
    held: Held,
}

/// `app.conf`, `settings.yaml`: a file whose name may say token, but whose value is the file.
fn file_like(key: &str) -> bool {
    key.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && matches!(
                ext.to_ascii_lowercase().as_str(),
                "conf"
                    | "cfg"
                    | "ini"
                    | "yaml"
                    | "yml"
                    | "json"
                    | "properties"
                    | "xml"
                    | "toml"
                    | "sh"
                    | "py"
                    | "js"
                    | "lua"
                    | "txt"
                    | "env"
                    | "tpl"
                    | "html"
                    | "sql"
                    | "rb"
                    | "pem"
                    | "crt"
                    | "key"
                    | "cert"
                    | "config"
                    | "hcl"
                    | "tf"
            )
    })
}

/// A one-line value worth keeping secret ([`super::sensitive::literal`]).
fn literal(text: &str) -> bool {
    !text.trim().contains('\n') && super::sensitive::literal(text)
}

fn private_key(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.starts_with("-----BEGIN ") && l.ends_with("PRIVATE KEY-----")
    })
}

impl Rule for SecretInConfigmap {
    type State<'a> = InConfigMap<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<InConfigMap<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("ConfigMap") {
            let configmap = &ws.objects[index];
            for entry in configmap
                .node
                .get("data")
                .map(Node::entries)
                .unwrap_or_default()
            {
                let (Some(key), Some(ScalarValue::Str(text))) = (
                    entry.key.as_str(),
                    entry.value.as_scalar().map(|s| s.value()),
                ) else {
                    continue;
                };
                let held = if private_key(&text) {
                    Held::PrivateKey
                } else if !file_like(key) && says_secret(key) && literal(&text) {
                    Held::Named
                } else if url_password(&text).is_some() && !text.contains('\n') {
                    Held::Url
                } else {
                    continue;
                };
                out.push(InConfigMap {
                    configmap: index,
                    key,
                    value: &entry.value,
                    held,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, s: &InConfigMap<'a>) -> Diagnostic {
        let configmap = &ws.objects[s.configmap];
        let what = match s.held {
            Held::Named => format!("{} in plain text", s.key),
            Held::Url => format!("a password in the URL of key {}", s.key),
            Held::PrivateKey => format!("a private key in key {}", s.key),
        };
        Diagnostic {
            file: configmap.file,
            range: super::content_range(ws, configmap.file, s.value),
            message: format!("{} holds {what}", configmap.display()),
            why: "ConfigMaps are shown in full to anyone who may read them (`kubectl get configmap -o yaml`, most namespace roles, dashboards) and are not encrypted at rest.".into(),
            help: Some(format!(
                "Move {} to a Secret and read it with `secretKeyRef` (or `secretRef` in `envFrom`); then rotate it, since it has been readable.",
                s.key
            )),
            object: Some(configmap.reference()),
            container: None,
            severity: None,
        }
    }
}
