use super::closest_name;
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Ingress `tls[].secretName`s that no Secret of the set provides, while the set
    /// holds other Secrets of that namespace. A Secret counts as provided when the set holds it,
    /// a SealedSecret or ExternalSecret makes it, a cert-manager Certificate names it, or the
    /// Ingress asks cert-manager for it (`cert-manager.io/cluster-issuer`, `cert-manager.io/issuer`
    /// or `kubernetes.io/tls-acme: "true"`). With no name close, the finding is information:
    /// the Secret may well be made elsewhere.
    ///
    /// ## Why is this bad?
    /// The controller cannot load the certificate and serves its own self-signed default
    /// instead: browsers refuse the site (`NET::ERR_CERT_AUTHORITY_INVALID`) and API clients
    /// fail the TLS handshake, while HTTP keeps working and hides the problem.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: shop-tls
    /// type: kubernetes.io/tls
    /// data:
    ///   tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    ///   tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   ingressClassName: nginx
    ///   tls:
    ///     - hosts: [shop.example.org]
    ///       secretName: shop-cert
    ///   defaultBackend:
    ///     service:
    ///       name: storefront
    ///       port:
    ///         number: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: shop-tls
    /// type: kubernetes.io/tls
    /// data:
    ///   tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    ///   tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCg==
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   ingressClassName: nginx
    ///   tls:
    ///     - hosts: [shop.example.org]
    ///       secretName: shop-tls
    ///   defaultBackend:
    ///     service:
    ///       name: storefront
    ///       port:
    ///         number: 80
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the Secret of the set whose name is closest; check it holds the
    /// certificate for these hosts. No fix when no name comes close.
    pub struct IngressTlsSecretMissing {
        id: "ingress-tls-secret-missing",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Missing<'a> {
    ingress: usize,
    secret: &'a Node,
    /// Index in [`Workspace::provided`] of the Secret most likely meant.
    closest: Option<usize>,
}

/// The Secrets the set provides (as objects, or made by a SealedSecret, an ExternalSecret or a
/// Certificate) that the Ingress `ws.objects[ingress]` may name: those of its namespace. Each
/// with its index in [`Workspace::provided`].
pub fn tls_secrets<'w, 'a>(
    ws: &'w Workspace<'a>,
    ingress: usize,
) -> impl Iterator<Item = (usize, &'w crate::provides::Provided)> + use<'w, 'a> {
    let ingress = &ws.objects[ingress];
    ws.provided()
        .iter()
        .enumerate()
        .filter(move |(_, p)| p.kind == "Secret" && ws.objects[p.by].may_share_namespace(ingress))
}

/// True when the Ingress asks cert-manager (or an ACME controller) to make its TLS Secrets.
pub fn issued_for(ingress: &Node) -> bool {
    ingress
        .path(&["metadata", "annotations"])
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .any(|e| {
            let key = e.key.as_str().unwrap_or_default();
            (key.starts_with("cert-manager.io/") && key.ends_with("issuer"))
                || (key == "kubernetes.io/tls-acme"
                    && e.value.as_scalar().is_some_and(|s| s.text == "true"))
        })
}

impl Rule for IngressTlsSecretMissing {
    type State<'a> = Missing<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Missing<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Ingress") {
            let ingress = &ws.objects[index];
            if ingress.is_live() || issued_for(ingress.node) {
                continue;
            }
            let secrets: Vec<(usize, &str)> = tls_secrets(ws, index)
                .map(|(i, p)| (i, p.name.as_str()))
                .collect();
            if secrets.is_empty() {
                continue;
            }
            for tls in ingress
                .node
                .path(&["spec", "tls"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let Some(node) = tls.get("secretName") else {
                    continue;
                };
                let Some(name) = node.as_str().filter(|n| !n.is_empty()) else {
                    continue;
                };
                if secrets.iter().any(|(_, s)| *s == name) {
                    continue;
                }
                let closest = closest_name(name, secrets.iter().map(|(_, s)| *s))
                    .and_then(|n| secrets.iter().find(|(_, s)| *s == n).map(|(i, _)| *i));
                out.push(Missing {
                    ingress: index,
                    secret: node,
                    closest,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Diagnostic {
        let ingress = &ws.objects[m.ingress];
        let mut message = format!(
            "Ingress {} serves TLS with Secret {}, which the set does not provide",
            ingress.name.as_deref().unwrap_or("<unnamed>"),
            m.secret.as_str().unwrap_or_default()
        );
        message.push_str(&super::meant_suffix(
            m.closest.map(|c| ws.provided()[c].name.as_str()),
        ));
        Diagnostic {
            file: ingress.file,
            range: m.secret.span,
            message,
            why: "The controller cannot load the certificate and serves its self-signed default: browsers and clients refuse the connection, while plain HTTP still works.".into(),
            help: Some("Name the TLS Secret of the Ingress's namespace that holds the certificate, or let cert-manager issue it (a `cert-manager.io/cluster-issuer` annotation, or a Certificate with this `secretName`).".into()),
            object: Some(ingress.reference()),
            container: None,
            severity: super::meant_severity(m.closest),
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Vec<Related> {
        m.closest
            .map(|c| {
                let by = &ws.objects[ws.provided()[c].by];
                Related {
                    file: by.file,
                    range: by.anchor_range(),
                    message: format!("the Secret most likely meant, made by {}", by.display()),
                }
            })
            .into_iter()
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Option<Fix> {
        let name = &ws.provided()[m.closest?].name;
        super::rename_fix(
            format!("Serve TLS with Secret {name}"),
            ws.objects[m.ingress].file,
            m.secret,
            name,
        )
    }
}
