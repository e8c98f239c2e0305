use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds two Ingresses of the same class (in any namespaces: a controller serves hosts
    /// cluster-wide) that route the same host, path and path type to different backends.
    ///
    /// ## Why is this bad?
    /// The controller merges all Ingresses of its class into one routing table and keeps one
    /// of the two routes (ingress-nginx keeps the oldest Ingress's): requests go to one backend
    /// while the other Ingress looks fine, and which one wins can change when an Ingress is
    /// recreated.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///     - host: shop.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: storefront
    ///                 port:
    ///                   number: 80
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop-v2
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///     - host: shop.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: storefront-v2
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
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///     - host: shop.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: storefront
    ///                 port:
    ///                   number: 80
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop-v2
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///     - host: beta.shop.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: storefront-v2
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which route should win is yours to say. Canary Ingresses
    /// (`nginx.ingress.kubernetes.io/canary: "true"`) share routes on purpose and are not
    /// reported.
    pub struct IngressDuplicateRoute {
        id: "ingress-duplicate-route",
        category: Networking,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Clash<'a> {
    first: (usize, &'a Node),
    again: (usize, &'a Node),
    route: String,
}

/// Class, host, path and path type: what a controller routes by.
type RouteKey<'a> = (Option<&'a str>, &'a str, &'a str, &'a str);

/// The class an Ingress names, as written.
fn class_of(node: &Node) -> Option<&str> {
    node.path(&["spec", "ingressClassName"])
        .and_then(Node::as_str)
        .or_else(|| {
            node.path(&["metadata", "annotations", "kubernetes.io/ingress.class"])
                .and_then(Node::as_str)
        })
}

fn is_canary(node: &Node) -> bool {
    node.path(&["metadata", "annotations"])
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .any(|e| {
            e.key.as_str().is_some_and(|k| k.ends_with("/canary"))
                && e.value.as_scalar().is_some_and(|s| s.text == "true")
        })
}

/// The backend a path item routes to, as text.
fn backend_of(item: &Node) -> String {
    let b = item.get("backend");
    let service = b.and_then(|b| {
        b.path(&["service", "name"])
            .or_else(|| b.get("serviceName"))
            .and_then(Node::as_str)
    });
    let port = b.and_then(|b| {
        b.path(&["service", "port", "number"])
            .or_else(|| b.path(&["service", "port", "name"]))
            .or_else(|| b.get("servicePort"))
            .and_then(Node::as_scalar)
            .map(|s| s.text.clone())
    });
    format!("{}:{}", service.unwrap_or("?"), port.unwrap_or_default())
}

impl Rule for IngressDuplicateRoute {
    type State<'a> = Clash<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Clash<'a>> {
        // (class, host, path, pathType) -> first (ingress, path node, backend)
        let mut seen: Vec<(RouteKey, usize, &Node, String)> = Vec::new();
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Ingress") {
            let ingress = &ws.objects[index];
            if ingress.is_live() || is_canary(ingress.node) {
                continue;
            }
            let class = class_of(ingress.node);
            for rule in ingress
                .node
                .path(&["spec", "rules"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let host = rule.get("host").and_then(Node::as_str).unwrap_or("*");
                for item in rule
                    .path(&["http", "paths"])
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    let Some(path) = item.get("path") else {
                        continue;
                    };
                    let p = path.as_str().unwrap_or("/");
                    let t = item
                        .get("pathType")
                        .and_then(Node::as_str)
                        .unwrap_or("ImplementationSpecific");
                    let key = (class, host, p, t);
                    let backend = backend_of(item);
                    match seen.iter().find(|(k, ..)| *k == key) {
                        Some((_, first, node, other)) if *first != index && *other != backend => {
                            out.push(Clash {
                                first: (*first, node),
                                again: (index, path),
                                route: format!("{host}{p}"),
                            });
                        }
                        Some(_) => {}
                        None => seen.push((key, index, path, backend)),
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, c: &Clash<'a>) -> Diagnostic {
        let ingress = &ws.objects[c.again.0];
        let first = &ws.objects[c.first.0];
        Diagnostic {
            file: ingress.file,
            range: c.again.1.span,
            message: format!(
                "Ingress {} routes {} to another backend than {} does",
                ingress.name.as_deref().unwrap_or("<unnamed>"),
                c.route,
                first.display()
            ),
            why: "The controller keeps one of the two routes (ingress-nginx: the oldest Ingress's): requests go to one backend, the other Ingress silently serves nothing, and the winner can change when one is recreated.".into(),
            help: Some("Give each route its own host or path, or remove the stale Ingress; mark a deliberate canary with your controller's canary annotations.".into()),
            object: Some(ingress.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, c: &Clash<'a>) -> Vec<Related> {
        let first = &ws.objects[c.first.0];
        vec![Related {
            file: first.file,
            range: c.first.1.span,
            message: format!("the same route, in {}", first.display()),
        }]
    }

    fn fix<'a>(_ws: &Workspace<'a>, _c: &Clash<'a>) -> Option<Fix> {
        None
    }
}
