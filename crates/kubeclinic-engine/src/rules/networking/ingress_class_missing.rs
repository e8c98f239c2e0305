use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds `networking.k8s.io/v1` Ingresses that name no class: neither
    /// `spec.ingressClassName` nor the `kubernetes.io/ingress.class` annotation, while the set
    /// marks no IngressClass as the default. A class written under another annotation key
    /// (`ingressClassName: nginx` among the annotations) counts as missing.
    ///
    /// ## Why is this bad?
    /// Unless the cluster has a default IngressClass, no controller claims the Ingress: it gets
    /// no address, and every request to its hosts fails while nothing reports an error. Since
    /// Kubernetes 1.22 controllers such as ingress-nginx ignore Ingresses without a class by
    /// default. Some platforms' own controllers (GKE's) take classless Ingresses, so this is
    /// information, not a warning: the manifests cannot tell which cluster they go to.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   defaultBackend:
    ///     service:
    ///       name: storefront
    ///       port:
    ///         number: 80
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
    ///   defaultBackend:
    ///     service:
    ///       name: storefront
    ///       port:
    ///         number: 80
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe when the class is known (written under a wrong annotation key, or the only
    /// IngressClass of the set): the fix sets `spec.ingressClassName` to it. Otherwise
    /// display-only: the class is your cluster's (`kubectl get ingressclass`).
    pub struct IngressClassMissing {
        id: "ingress-class-missing",
        category: Networking,
        severity: Info,
        fix: Always,
        reads: Manifests,
    }
}

pub struct Classless<'a> {
    ingress: usize,
    /// An annotation that holds the class under the wrong key.
    misplaced: Option<(&'a Node, &'a str)>,
    /// The class the fix writes, when known.
    class: Option<String>,
}

/// Annotation keys people use for the class by mistake.
fn misplaced_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k != "kubernetes.io/ingress.class"
        && (k.ends_with("ingressclassname")
            || k.ends_with("ingress.class")
            || k.ends_with("ingressclass")
            || k.ends_with("ingress-class"))
}

impl Rule for IngressClassMissing {
    type State<'a> = Classless<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Classless<'a>> {
        let classes: Vec<&str> = ws
            .objects_of_kind("IngressClass")
            .filter_map(|c| c.name.as_deref())
            .collect();
        let has_default = ws.objects_of_kind("IngressClass").any(|c| {
            c.node
                .path(&[
                    "metadata",
                    "annotations",
                    "ingressclass.kubernetes.io/is-default-class",
                ])
                .and_then(Node::as_scalar)
                .is_some_and(|s| s.text == "true")
        });
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Ingress") {
            let ingress = &ws.objects[index];
            if ingress.is_live() || ingress.api_version != "networking.k8s.io/v1" || has_default {
                continue;
            }
            let named = ingress
                .node
                .path(&["spec", "ingressClassName"])
                .is_some_and(|n| !n.as_scalar().is_some_and(|s| s.is_null()));
            let annotations = ingress.node.path(&["metadata", "annotations"]);
            let annotated = annotations
                .and_then(|a| a.get("kubernetes.io/ingress.class"))
                .is_some();
            if named || annotated {
                continue;
            }
            let misplaced = annotations.and_then(|a| {
                a.entries().iter().find_map(|e| {
                    let key = e.key.as_str()?;
                    let value = e.value.as_str().filter(|v| !v.is_empty())?;
                    misplaced_key(key).then_some((&e.key, value))
                })
            });
            let class =
                misplaced
                    .map(|(_, v)| v.to_string())
                    .or_else(|| match classes.as_slice() {
                        [only] => Some((*only).to_string()),
                        _ => None,
                    });
            out.push(Classless {
                ingress: index,
                misplaced,
                class,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, c: &Classless<'a>) -> Diagnostic {
        let ingress = &ws.objects[c.ingress];
        let mut message = format!(
            "Ingress {} names no ingress class",
            ingress.name.as_deref().unwrap_or("<unnamed>")
        );
        if let Some((key, value)) = c.misplaced {
            message.push_str(&format!(
                ": the annotation `{}: {value}` is not read by any controller",
                key.as_str().unwrap_or_default()
            ));
        }
        Diagnostic {
            file: ingress.file,
            range: c.misplaced.map_or_else(
                || {
                    ingress
                        .node
                        .get("spec")
                        .and_then(|s| s.entries().first())
                        .map_or(ingress.anchor_range(), |e| e.key.span)
                },
                |(key, _)| key.span,
            ),
            message,
            why: "Unless the cluster marks an IngressClass as its default, no controller claims this Ingress: it gets no address and its hosts answer nothing.".into(),
            help: Some("Set `spec.ingressClassName` to the class of your controller (`kubectl get ingressclass` lists them).".into()),
            object: Some(ingress.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, c: &Classless<'a>) -> Vec<Related> {
        let ingress = &ws.objects[c.ingress];
        vec![Related {
            file: ingress.file,
            range: ingress.anchor_range(),
            message: ingress.display(),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, c: &Classless<'a>) -> Option<Fix> {
        let ingress = &ws.objects[c.ingress];
        let (value, applicability) = match &c.class {
            Some(class) => (class.clone(), Applicability::Unsafe),
            None => (
                "<your-ingress-class>".to_string(),
                Applicability::DisplayOnly,
            ),
        };
        let edit = set_path(
            ws,
            ingress.file,
            ingress.node,
            &["spec", "ingressClassName"],
            &Value::Scalar(value.clone()),
        )?;
        Some(Fix::new(
            format!("Set ingressClassName: {value}"),
            applicability,
            vec![edit],
        ))
    }
}
