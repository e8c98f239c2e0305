use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{render_scalar, Node};

declare_rule! {
    /// ## What it does
    /// Finds Ingress paths written as patterns (`/api/*`, `/app(/|$)(.*)`, `/static/.+`) under
    /// `pathType: Prefix` or `Exact`, where they are read literally.
    ///
    /// ## Why is this bad?
    /// With `Prefix` and `Exact`, `*` and regular expressions are plain characters: `/api/*`
    /// matches only a path that really contains `*`, so the route never takes traffic and the
    /// default backend answers `404`. Recent ingress-nginx versions refuse such paths outright
    /// (`path /api/* cannot be used with pathType Prefix`).
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
    ///           - path: /api/*
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
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///     - host: shop.example.org
    ///       http:
    ///         paths:
    ///           - path: /api
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: api
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// An Ingress whose annotations ask ingress-nginx for regular expressions (`use-regex`,
    /// `rewrite-target`) gets a warning instead: those paths work on older releases only.
    ///
    /// ## Fix safety
    /// Safe with regex annotations: the fix sets `pathType: ImplementationSpecific`, which is
    /// how ingress-nginx already reads the path. Unsafe otherwise: for a trailing `/*` (or `/.*`), the fix keeps the prefix before it (`/api`),
    /// which `Prefix` matches with everything under it; the path then also matches `/api`
    /// itself. Other patterns get no fix: use `pathType: ImplementationSpecific` with your
    /// controller's regular-expression support, or several prefixes.
    pub struct IngressWildcardPath {
        id: "ingress-wildcard-path",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Pattern<'a> {
    ingress: usize,
    path: &'a Node,
    path_type: &'a str,
    path_type_node: &'a Node,
    /// The Ingress asks ingress-nginx for regular expressions (`use-regex`, `rewrite-target`).
    regex: bool,
}

/// ingress-nginx reads paths as regular expressions when one of these is set.
fn asks_for_regex(ingress: &Node) -> bool {
    ingress
        .path(&["metadata", "annotations"])
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .any(|e| {
            e.key.as_str().is_some_and(|k| {
                k.ends_with("/rewrite-target")
                    || (k.ends_with("/use-regex")
                        && e.value.as_scalar().is_some_and(|s| s.text == "true"))
            })
        })
}

fn is_pattern(path: &str) -> bool {
    path.contains('*')
        || path.contains(".+")
        || path.contains("(.")
        || path.contains("(/|$)")
        || path.contains('$')
        || path.contains('^')
}

/// `/api/*` -> `/api`, `/static/.*` -> `/static`.
fn prefix_of(path: &str) -> Option<String> {
    let head = path
        .strip_suffix("/*")
        .or_else(|| path.strip_suffix("/.*"))
        .or_else(|| path.strip_suffix('*'))?;
    if is_pattern(head) {
        return None;
    }
    let head = head.trim_end_matches('/');
    Some(if head.is_empty() {
        "/".into()
    } else {
        head.into()
    })
}

impl Rule for IngressWildcardPath {
    type State<'a> = Pattern<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Pattern<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Ingress") {
            let ingress = &ws.objects[index];
            if ingress.is_live() {
                continue;
            }
            let regex = asks_for_regex(ingress.node);
            for rule in ingress
                .node
                .path(&["spec", "rules"])
                .map(Node::items)
                .unwrap_or_default()
            {
                for item in rule
                    .path(&["http", "paths"])
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    let Some(path_type_node) = item.get("pathType") else {
                        continue;
                    };
                    let Some(path_type) = path_type_node.as_str() else {
                        continue;
                    };
                    if !matches!(path_type, "Prefix" | "Exact") {
                        continue;
                    }
                    let Some(path) = item.get("path") else {
                        continue;
                    };
                    if path.as_str().is_some_and(is_pattern) {
                        out.push(Pattern {
                            ingress: index,
                            path,
                            path_type,
                            path_type_node,
                            regex,
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, p: &Pattern<'a>) -> Diagnostic {
        let ingress = &ws.objects[p.ingress];
        if p.regex {
            return Diagnostic {
                file: ingress.file,
                range: p.path_type_node.span,
                message: format!(
                    "Ingress {} routes the regular expression {} with pathType {}",
                    ingress.name.as_deref().unwrap_or("<unnamed>"),
                    p.path.as_str().unwrap_or_default(),
                    p.path_type
                ),
                why: "Its annotations make ingress-nginx read the path as a regular expression, which only `ImplementationSpecific` allows: ingress-nginx with strict path validation (the default in recent releases) refuses the Ingress, and other controllers read the path literally.".into(),
                help: Some("Use `pathType: ImplementationSpecific` for regular-expression paths.".into()),
                object: Some(ingress.reference()),
                container: None,
                severity: Some(crate::diagnostic::Severity::Warning),
            };
        }
        Diagnostic {
            file: ingress.file,
            range: p.path.span,
            message: format!(
                "Ingress {} routes the pattern {} with pathType {}, which reads it literally",
                ingress.name.as_deref().unwrap_or("<unnamed>"),
                p.path.as_str().unwrap_or_default(),
                p.path_type
            ),
            why: "With Prefix and Exact, `*` and regular expressions are plain characters: the route never matches a real request (the default backend answers 404), or the controller refuses the Ingress.".into(),
            help: Some("Write the prefix itself (`/api` matches `/api/anything` under Prefix), or use `pathType: ImplementationSpecific` with your controller's regex support (ingress-nginx: `nginx.ingress.kubernetes.io/use-regex: \"true\"`).".into()),
            object: Some(ingress.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, p: &Pattern<'a>) -> Option<Fix> {
        if p.regex {
            return Some(Fix::new(
                "Use pathType: ImplementationSpecific",
                Applicability::Safe,
                vec![Edit::replace(
                    ws.objects[p.ingress].file,
                    p.path_type_node.span,
                    "ImplementationSpecific",
                )],
            ));
        }
        let prefix = prefix_of(p.path.as_str()?)?;
        if p.path_type != "Prefix" {
            return None;
        }
        Some(Fix::new(
            format!("Route the prefix {prefix}"),
            Applicability::Unsafe,
            vec![Edit::replace(
                ws.objects[p.ingress].file,
                p.path.span,
                render_scalar(&prefix, p.path.as_scalar()?.style),
            )],
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes_of_patterns() {
        assert_eq!(super::prefix_of("/api/*").as_deref(), Some("/api"));
        assert_eq!(super::prefix_of("/*").as_deref(), Some("/"));
        assert_eq!(super::prefix_of("/static/.*").as_deref(), Some("/static"));
        assert_eq!(super::prefix_of("/app(/|$)(.*)"), None);
        assert!(!super::is_pattern("/api/v1"));
    }
}
