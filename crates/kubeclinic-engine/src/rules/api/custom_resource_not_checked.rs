use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Says, once per set, which custom resources were not checked against a schema because
    /// their CustomResourceDefinition is not in the set, and how to get it.
    ///
    /// ## Why is this bad?
    /// A misspelt field or a wrong type in a custom resource is refused by the API server
    /// just as in a Deployment, but without its CRD nothing here can tell: a clean report
    /// about them would be a false all-clear.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: cert-manager.io/v1
    /// kind: Certificate
    /// metadata:
    ///   name: shop-tls
    /// spec:
    ///   secretName: shop-tls
    ///   dnsNames: [shop.example.com]
    ///   issuerRef: {name: letsencrypt, kind: ClusterIssuer}
    /// ```
    ///
    /// ## Use instead
    /// Paste or drop the CRD with the resources (`kubectl get crd certificates.cert-manager.io
    /// -o yaml`), or keep it in the same folder:
    /// ```yaml
    /// apiVersion: apiextensions.k8s.io/v1
    /// kind: CustomResourceDefinition
    /// metadata:
    ///   name: certificates.cert-manager.io
    /// spec:
    ///   group: cert-manager.io
    ///   scope: Namespaced
    ///   names: {kind: Certificate, plural: certificates}
    ///   versions:
    ///     - name: v1
    ///       served: true
    ///       storage: true
    ///       schema:
    ///         openAPIV3Schema:
    ///           type: object
    ///           x-kubernetes-preserve-unknown-fields: true
    /// ---
    /// apiVersion: cert-manager.io/v1
    /// kind: Certificate
    /// metadata:
    ///   name: shop-tls
    /// spec:
    ///   secretName: shop-tls
    ///   dnsNames: [shop.example.com]
    ///   issuerRef: {name: letsencrypt, kind: ClusterIssuer}
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the CRD is the cluster's to give.
    pub struct CustomResourceNotChecked {
        id: "custom-resource-not-checked",
        category: Api,
        severity: Info,
        fix: None,
        reads: Manifests,
    }
}

/// The custom resources without a CRD in the set, the first first.
pub struct Unchecked {
    objects: Vec<usize>,
}

impl Rule for CustomResourceNotChecked {
    type State<'a> = Unchecked;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unchecked> {
        let crds = ws.crds();
        let objects: Vec<usize> = ws
            .objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_custom_resource() && !o.is_live())
            .filter(|(_, o)| !crds.defines(&o.api_version, &o.kind))
            .map(|(i, _)| i)
            .collect();
        if objects.is_empty() {
            return Vec::new();
        }
        vec![Unchecked { objects }]
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unchecked) -> Diagnostic {
        // `Certificate (cert-manager.io)`, once per kind, in the order first seen.
        let mut kinds: Vec<(&str, &str)> = Vec::new();
        for &i in &u.objects {
            let o = &ws.objects[i];
            let group = o.api_version.split_once('/').map_or("", |(g, _)| g);
            if !kinds.contains(&(o.kind.as_str(), group)) {
                kinds.push((o.kind.as_str(), group));
            }
        }
        let named: Vec<String> = kinds
            .iter()
            .take(4)
            .map(|(k, g)| format!("{k} ({g})"))
            .collect();
        let more = kinds.len().saturating_sub(4);
        let list = if more > 0 {
            format!("{} and {more} more", named.join(", "))
        } else {
            named.join(", ")
        };
        let first = &ws.objects[u.objects[0]];
        let count = u.objects.len();
        Diagnostic {
            file: first.file,
            range: first.node.get("kind").map_or(first.node.span, |n| n.span),
            message: if count == 1 {
                format!("This custom resource was not checked against a schema: the set lacks the CRD of {list}")
            } else {
                format!("{count} custom resources were not checked against a schema: the set lacks the CRDs of {list}")
            },
            why: "Without its CustomResourceDefinition nothing here knows a custom resource's fields, so a misspelt or mistyped one, which the API server refuses, goes unseen.".into(),
            help: Some(format!(
                "Paste or drop the CRDs with them (`kubectl get crd {} -o yaml`) to check their fields.",
                kinds
                    .iter()
                    .take(4)
                    .map(|(k, g)| format!("{}.{g}", super::cel_facts::resource_of(k)))
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            object: Some(first.reference()),
            container: None,
            severity: None,
        }
    }
}
