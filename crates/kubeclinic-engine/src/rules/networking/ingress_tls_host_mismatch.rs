use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Ingress hosts that the Ingress's own `tls` section does not cover, while it has
    /// one: a rule for `api.example.org` beside `tls.hosts: [www.example.org]`. Wildcards
    /// (`*.example.org`) count for one level of subdomain.
    ///
    /// ## Why is this bad?
    /// HTTPS requests for that host get the controller's default certificate (or the one of
    /// another host): browsers refuse it (`NET::ERR_CERT_COMMON_NAME_INVALID`), and
    /// cert-manager issues no certificate for a host the `tls` section does not list.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    ///   annotations:
    ///     cert-manager.io/cluster-issuer: letsencrypt
    /// spec:
    ///   ingressClassName: nginx
    ///   tls:
    ///     - hosts: [shop.example.org]
    ///       secretName: shop-tls
    ///   rules:
    ///     - host: api.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: api
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    ///   annotations:
    ///     cert-manager.io/cluster-issuer: letsencrypt
    /// spec:
    ///   ingressClassName: nginx
    ///   tls:
    ///     - hosts: [shop.example.org, api.example.org]
    ///       secretName: shop-tls
    ///   rules:
    ///     - host: api.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: api
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the certificate must cover the host too; add the host to the `tls` entry whose
    /// certificate names it (cert-manager then reissues it).
    pub struct IngressTlsHostMismatch {
        id: "ingress-tls-host-mismatch",
        category: Networking,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Uncovered<'a> {
    ingress: usize,
    host: &'a Node,
    tls: &'a Node,
}

/// True when the certificate name `pattern` (`*.example.org` or a host) covers `host`.
fn covers(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    match pattern.strip_prefix("*.") {
        Some(domain) => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == domain),
        None => pattern == host,
    }
}

impl Rule for IngressTlsHostMismatch {
    type State<'a> = Uncovered<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Uncovered<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Ingress") {
            let ingress = &ws.objects[index];
            if ingress.is_live() {
                continue;
            }
            let Some(tls) = ingress.node.path(&["spec", "tls"]) else {
                continue;
            };
            let names: Vec<&str> = tls
                .items()
                .iter()
                .flat_map(|t| t.get("hosts").map(Node::items).unwrap_or_default())
                .filter_map(Node::as_str)
                .collect();
            // A tls entry without hosts applies to every host of the Ingress.
            if names.is_empty() || tls.items().iter().any(|t| t.get("hosts").is_none()) {
                continue;
            }
            for rule in ingress
                .node
                .path(&["spec", "rules"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let Some(host) = rule.get("host") else {
                    continue;
                };
                let Some(name) = host.as_str() else { continue };
                if !names.iter().any(|n| covers(n, name)) {
                    out.push(Uncovered {
                        ingress: index,
                        host,
                        tls,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Uncovered<'a>) -> Diagnostic {
        let ingress = &ws.objects[u.ingress];
        Diagnostic {
            file: ingress.file,
            range: u.host.span,
            message: format!(
                "Ingress {} serves {} but its tls section does not list that host",
                ingress.name.as_deref().unwrap_or("<unnamed>"),
                u.host.as_str().unwrap_or_default()
            ),
            why: "HTTPS requests for this host get the controller's default certificate: clients refuse the connection, and cert-manager issues nothing for a host tls does not list.".into(),
            help: Some("Add the host to the `tls` entry (or a new one with its own secretName) whose certificate covers it.".into()),
            object: Some(ingress.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, u: &Uncovered<'a>) -> Vec<Related> {
        vec![Related {
            file: ws.objects[u.ingress].file,
            range: u.tls.span,
            message: "the hosts the certificates cover".into(),
        }]
    }

    fn fix<'a>(_ws: &Workspace<'a>, _u: &Uncovered<'a>) -> Option<Fix> {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_cover_one_level() {
        assert!(super::covers("*.example.org", "api.example.org"));
        assert!(!super::covers("*.example.org", "example.org"));
        assert!(!super::covers("*.example.org", "a.b.example.org"));
        assert!(super::covers("Shop.example.org", "shop.example.org"));
    }
}
