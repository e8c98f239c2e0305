use super::sensitive::{decode, is_placeholder, printable};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{Node, ScalarValue};

declare_rule! {
    /// ## What it does
    /// Finds Secrets whose values are placeholders never replaced: `changeme`, `password`,
    /// `secret`, `<password>`, `REPLACE_ME`, `TODO`, `xxx`, `your-api-key-here`, or templating
    /// left unrendered (`${DB_PASSWORD}`, `{{ .Values.token }}`). It reads `stringData` as
    /// written and `data` decoded from base64, or as written when it does not decode to text
    /// (`changeme` under `data` is base64 of bytes no one meant).
    ///
    /// ## Why is this bad?
    /// The placeholder is what runs: the app logs in with a password anyone can guess, or fails
    /// to authenticate against the real service and crash-loops, with nothing in the cluster
    /// saying why.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ledger-db
    /// type: Opaque
    /// stringData:
    ///   username: ledger
    ///   password: changeme
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ledger-db
    /// type: Opaque
    /// stringData:
    ///   username: ledger
    ///   password: 9f2c7e1a-4d3b-48e6-b1a0-6c5d2e8f7a90
    /// ```
    ///
    /// ## Fix safety
    /// No fix: only you know the real value. Put it in at deploy time (a SealedSecret, an
    /// ExternalSecret, `kubectl create secret generic --from-literal`) rather than in the
    /// repository.
    pub struct PlaceholderSecretValue {
        id: "placeholder-secret-value",
        category: Configuration,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Placeholder<'a> {
    secret: usize,
    key: &'a str,
    value: &'a Node,
    /// The placeholder, decoded for `data`.
    text: String,
    how: Written,
}

pub enum Written {
    /// In `stringData`.
    AsIs,
    /// In `data`, as base64.
    Encoded,
    /// In `data`, as plain text: it is read as base64 (of bytes no one meant) or refused.
    Plain,
}

impl Rule for PlaceholderSecretValue {
    type State<'a> = Placeholder<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Placeholder<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Secret") {
            let secret = &ws.objects[index];
            for (field, encoded) in [("data", true), ("stringData", false)] {
                for entry in secret
                    .node
                    .get(field)
                    .map(Node::entries)
                    .unwrap_or_default()
                {
                    let (Some(key), Some(ScalarValue::Str(raw))) = (
                        entry.key.as_str(),
                        entry.value.as_scalar().map(|s| s.value()),
                    ) else {
                        continue;
                    };
                    // Under `data`, a placeholder is either base64 of one, or written as is:
                    // `changeme` is valid base64 of bytes no one meant.
                    let (text, how) = if encoded {
                        match decode(&raw).ok().as_deref().and_then(printable) {
                            Some(text) => (text.to_string(), Written::Encoded),
                            None => (raw, Written::Plain),
                        }
                    } else {
                        (raw, Written::AsIs)
                    };
                    if !text.trim().is_empty() && is_placeholder(&text) {
                        out.push(Placeholder {
                            secret: index,
                            key,
                            value: &entry.value,
                            text: text.trim().to_string(),
                            how,
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, p: &Placeholder<'a>) -> Diagnostic {
        let secret = &ws.objects[p.secret];
        let shown: String = p.text.chars().take(60).collect();
        let encoded = match p.how {
            Written::AsIs => "",
            Written::Encoded => " (base64 of it)",
            Written::Plain => ", written under data as plain text",
        };
        Diagnostic {
            file: secret.file,
            range: super::content_range(ws, secret.file, p.value),
            message: format!(
                "{} key {} holds a placeholder, `{shown}`{encoded}",
                secret.display(),
                p.key
            ),
            why: "The placeholder is what runs: the app logs in with a value anyone can guess, or fails to authenticate against the real service.".into(),
            help: Some("Put the real value in at deploy time (a SealedSecret, an ExternalSecret, `kubectl create secret generic --from-literal`), not in the repository.".into()),
            object: Some(secret.reference()),
            container: None,
            severity: None,
        }
    }
}
