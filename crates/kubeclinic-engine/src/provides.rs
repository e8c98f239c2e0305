//! What the set provides to pods, and what its pod templates refer to, computed once per
//! check ([`crate::model::Workspace::provided`], [`crate::model::Workspace::references`]).
//!
//! Provided: ConfigMaps and Secrets with their keys (including the Secrets a SealedSecret, an
//! ExternalSecret or a cert-manager Certificate makes), PersistentVolumeClaims,
//! ServiceAccounts, and Services with their ports. Referenced: the ConfigMaps and Secrets a
//! template reads, its claims, its ServiceAccount and its image pull secrets.

use crate::model::{K8sObject, Workspace};
use crate::yaml::Node;

/// A Secret or ConfigMap the set makes, and what makes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Provided {
    /// `Secret`, `ConfigMap`, `PersistentVolumeClaim`, `ServiceAccount` or `Service`.
    pub kind: &'static str,
    pub name: String,
    pub namespace: Option<String>,
    /// Index of the object that makes it, in [`Workspace::objects`].
    pub by: usize,
    /// The keys it will hold, when the maker says; a Service's port names and numbers.
    pub keys: Option<Vec<String>>,
}

/// Every Secret and ConfigMap of the set, and every one a controller makes from the set.
pub fn read(ws: &Workspace) -> Vec<Provided> {
    let mut out = Vec::new();
    for (by, o) in ws.objects.iter().enumerate() {
        let provided = match o.kind.as_str() {
            "Secret" | "ConfigMap" => direct(o),
            "SealedSecret" if o.api_version.starts_with("bitnami.com/") => sealed(o),
            "ExternalSecret" if o.api_version.starts_with("external-secrets.io/") => external(o),
            "Certificate" if o.api_version.starts_with("cert-manager.io/") => certificate(o),
            "PersistentVolumeClaim" => o.name.clone().map(|n| ("PersistentVolumeClaim", n, None)),
            "ServiceAccount" => o.name.clone().map(|n| ("ServiceAccount", n, None)),
            "Service" => service(o),
            _ => None,
        };
        if let Some((kind, name, keys)) = provided {
            out.push(Provided {
                kind,
                name,
                namespace: o.namespace.clone(),
                by,
                keys,
            });
        }
    }
    out
}

type Made = Option<(&'static str, String, Option<Vec<String>>)>;

fn keys_of(map: Option<&Node>) -> Vec<String> {
    map.map(|m| {
        m.entries()
            .iter()
            .filter_map(|e| e.key.as_str().map(String::from))
            .collect()
    })
    .unwrap_or_default()
}

fn direct(o: &K8sObject) -> Made {
    let kind = if o.kind == "Secret" {
        "Secret"
    } else {
        "ConfigMap"
    };
    let keys = o.data_keys().into_iter().map(String::from).collect();
    Some((kind, o.name.clone()?, Some(keys)))
}

/// `spec.template.metadata.name` or the SealedSecret's own name; keys of `encryptedData`.
fn sealed(o: &K8sObject) -> Made {
    let name = o
        .node
        .path(&["spec", "template", "metadata", "name"])
        .and_then(Node::as_str)
        .map(String::from)
        .or_else(|| o.name.clone())?;
    let mut keys = keys_of(o.node.path(&["spec", "encryptedData"]));
    keys.extend(keys_of(o.node.path(&["spec", "template", "data"])));
    Some(("Secret", name, Some(keys)))
}

/// `spec.target.name` or the ExternalSecret's own name; keys of `spec.data[].secretKey`
/// (unknown when `dataFrom` pulls whole entries).
fn external(o: &K8sObject) -> Made {
    let name = o
        .node
        .path(&["spec", "target", "name"])
        .and_then(Node::as_str)
        .map(String::from)
        .or_else(|| o.name.clone())?;
    let keys = if o.node.path(&["spec", "dataFrom"]).is_some()
        || o.node.path(&["spec", "target", "template"]).is_some()
    {
        None
    } else {
        Some(
            o.node
                .path(&["spec", "data"])
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|d| d.get("secretKey").and_then(Node::as_str).map(String::from))
                .collect(),
        )
    };
    Some(("Secret", name, keys))
}

/// A Service, with its ports' names and numbers as keys.
fn service(o: &K8sObject) -> Made {
    let mut ports = Vec::new();
    for port in o
        .node
        .path(&["spec", "ports"])
        .map(Node::items)
        .unwrap_or_default()
    {
        for field in ["name", "port"] {
            if let Some(value) = port.get(field).and_then(Node::as_scalar) {
                ports.push(value.text.clone());
            }
        }
    }
    Some(("Service", o.name.clone()?, Some(ports)))
}

/// `spec.secretName`, holding `tls.crt`, `tls.key` and `ca.crt`.
fn certificate(o: &K8sObject) -> Made {
    let name = o
        .node
        .path(&["spec", "secretName"])
        .and_then(Node::as_str)?;
    Some((
        "Secret",
        name.to_string(),
        Some(vec!["tls.crt".into(), "tls.key".into(), "ca.crt".into()]),
    ))
}

/// What a pod template refers to, besides ConfigMaps and Secrets (those are
/// [`crate::rules::configuration::Reference`]s, with their keys).
#[derive(Clone, Debug, PartialEq)]
pub struct Referenced<'a> {
    /// Index into [`Workspace::templates`].
    pub template: usize,
    /// `PersistentVolumeClaim`, `ServiceAccount` or `Secret` (an image pull secret).
    pub kind: &'static str,
    /// The name's scalar.
    pub name: &'a Node,
    /// `volume data`, `serviceAccountName`, `imagePullSecrets`.
    pub via: String,
}

/// Claims, ServiceAccounts and pull secrets of every pod template.
pub fn references<'a>(ws: &Workspace<'a>) -> Vec<Referenced<'a>> {
    let mut out = Vec::new();
    for (template, t) in ws.templates.iter().enumerate() {
        for volume in t.spec.get("volumes").map(Node::items).unwrap_or_default() {
            if let Some(claim) = volume.path(&["persistentVolumeClaim", "claimName"]) {
                let name = volume.get("name").and_then(Node::as_str).unwrap_or("?");
                out.push(Referenced {
                    template,
                    kind: "PersistentVolumeClaim",
                    name: claim,
                    via: format!("volume {name}"),
                });
            }
        }
        if let Some(sa) = t
            .spec
            .get("serviceAccountName")
            .or_else(|| t.spec.get("serviceAccount"))
        {
            out.push(Referenced {
                template,
                kind: "ServiceAccount",
                name: sa,
                via: "serviceAccountName".into(),
            });
        }
        for secret in t
            .spec
            .get("imagePullSecrets")
            .map(Node::items)
            .unwrap_or_default()
        {
            if let Some(name) = secret.get("name") {
                out.push(Referenced {
                    template,
                    kind: "Secret",
                    name,
                    via: "imagePullSecrets".into(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::model::{Parsed, Workspace};
    use crate::SourceFile;

    #[test]
    fn controllers_make_secrets_with_keys() {
        let text = "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: db\n  namespace: shop\nspec:\n  target:\n    name: db-credentials\n  data:\n    - secretKey: password\n      remoteRef: {key: prod/db}\n---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: api-token\nspec:\n  encryptedData:\n    token: AgB3...\n---\napiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\nspec:\n  secretName: web-tls\n  dnsNames: [shop.example.org]\n";
        let files = [SourceFile::new("x.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let p = ws.provided();
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].name, "db-credentials");
        assert_eq!(p[0].namespace.as_deref(), Some("shop"));
        assert_eq!(p[0].keys.as_deref(), Some(&["password".to_string()][..]));
        assert_eq!(p[1].name, "api-token");
        assert_eq!(p[2].name, "web-tls");
    }

    #[test]
    fn templates_refer_to_claims_accounts_and_pull_secrets() {
        let text = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      serviceAccountName: db-runner\n      imagePullSecrets: [{name: regcred}]\n      volumes:\n        - name: data\n          persistentVolumeClaim: {claimName: db-data}\n      containers: [{name: db, image: postgres:16}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  ports: [{name: pg, port: 5432}]\n";
        let files = [SourceFile::new("x.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let kinds: Vec<(&str, &str)> = ws
            .references()
            .iter()
            .map(|r| (r.kind, r.name.as_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("PersistentVolumeClaim", "db-data"),
                ("ServiceAccount", "db-runner"),
                ("Secret", "regcred")
            ]
        );
        let service = ws.provided().iter().find(|p| p.kind == "Service").unwrap();
        assert_eq!(
            service.keys.as_deref(),
            Some(&["pg".to_string(), "5432".to_string()][..])
        );
    }
}
