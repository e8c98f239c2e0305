//! What the set creates in the cluster besides its objects themselves: Secrets that a
//! SealedSecret, an ExternalSecret or a cert-manager Certificate makes, with their keys.
//! Computed once per check ([`crate::model::Workspace::provided`]).

use crate::model::{K8sObject, Workspace};
use crate::yaml::Node;

/// A Secret or ConfigMap the set makes, and what makes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Provided {
    /// `Secret` or `ConfigMap`.
    pub kind: &'static str,
    pub name: String,
    pub namespace: Option<String>,
    /// Index of the object that makes it, in [`Workspace::objects`].
    pub by: usize,
    /// The keys it will hold, when the maker says.
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
    let mut keys = Vec::new();
    for field in ["data", "stringData", "binaryData"] {
        keys.extend(keys_of(o.node.get(field)));
    }
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
}
