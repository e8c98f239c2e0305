use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::labels::{requirements, selector_matches, Labels};
use crate::model::Workspace;
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::yaml::{self, format_labels, Node};

declare_rule! {
    /// ## What it does
    /// Finds Deployments, StatefulSets, DaemonSets and ReplicaSets (and Jobs with
    /// `manualSelector: true`) whose own `selector` does not match the labels of their pod
    /// template, and points at each requirement the template fails.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object (`selector does not match template labels`): the
    /// workload is not created or updated at all.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: billing
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: billing
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: billing-api
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/billing:4.1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: billing
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: billing
    ///   template:
    ///     metadata:
    ///       labels:
    ///         app: billing
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/billing:4.1.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix gives the template the selector's `matchLabels` values (a selector
    /// cannot change once the workload exists, so the template is the side to change), and
    /// other selectors (Services, NetworkPolicies) may see the pods differently. No fix for
    /// `matchExpressions`.
    pub struct SelectorTemplateMismatch {
        id: "selector-template-mismatch",
        category: Workloads,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Mismatch<'a> {
    object: usize,
    selector: &'a Node,
    template: &'a Node,
}

impl Rule for SelectorTemplateMismatch {
    type State<'a> = Mismatch<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mismatch<'a>> {
        let mut out = Vec::new();
        for (index, o) in ws.objects.iter().enumerate() {
            let checked = match o.kind.as_str() {
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => true,
                "Job" => {
                    o.node
                        .path(&["spec", "manualSelector"])
                        .and_then(Node::as_str)
                        == Some("true")
                }
                _ => false,
            };
            if !checked || o.is_live() {
                continue;
            }
            let (Some(selector), Some(template)) = (
                o.node.path(&["spec", "selector"]),
                o.node.path(&["spec", "template"]),
            ) else {
                continue;
            };
            let Ok(typed) = yaml::typed::<LabelSelector>(selector) else {
                continue;
            };
            let labels: Labels = template
                .path(&["metadata", "labels"])
                .map(|l| l.string_map().into_iter().map(|(k, v, _)| (k, v)).collect())
                .unwrap_or_default();
            if requirements(selector).is_empty() || selector_matches(&typed, &labels) {
                continue;
            }
            out.push(Mismatch {
                object: index,
                selector,
                template,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Diagnostic {
        let o = &ws.objects[m.object];
        let labels = m.template.path(&["metadata", "labels"]);
        let have = labels.map_or_else(
            || "no labels".to_string(),
            |l| format_labels(l.string_map().into_iter().map(|(k, v, _)| (k, v))),
        );
        let wanted: Vec<String> = requirements(m.selector)
            .into_iter()
            .map(|r| r.text)
            .collect();
        Diagnostic {
            file: o.file,
            range: m.selector.span,
            message: format!(
                "{}'s selector ({}) does not match its own pod template, which has {have}",
                o.display(),
                wanted.join(",")
            ),
            why: "The API server refuses the workload (`selector does not match template labels`): it is not created or updated.".into(),
            help: Some("Give the pod template the labels the selector asks for. Change the template, not the selector: a selector cannot change once the workload exists.".into()),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Vec<Related> {
        let o = &ws.objects[m.object];
        let labels_node = m.template.path(&["metadata", "labels"]);
        let labels: Labels = labels_node
            .map(|l| l.string_map().into_iter().map(|(k, v, _)| (k, v)).collect())
            .unwrap_or_default();
        let mut out: Vec<Related> = requirements(m.selector)
            .into_iter()
            .filter(|r| !r.holds(&labels))
            .map(|r| Related {
                file: o.file,
                range: r.range,
                message: match labels.get(r.key) {
                    Some(have) => {
                        format!("`{}` is not met: the template has {}={have}", r.text, r.key)
                    }
                    None => format!(
                        "`{}` is not met: the template has no label {}",
                        r.text, r.key
                    ),
                },
            })
            .collect();
        if let Some(l) = labels_node {
            out.push(Related {
                file: o.file,
                range: l.span,
                message: "the pod template's labels".into(),
            });
        }
        out
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Option<Fix> {
        if m.selector.get("matchExpressions").is_some() {
            return None;
        }
        let o = &ws.objects[m.object];
        let wanted = m.selector.get("matchLabels")?.string_map();
        let settings: Vec<(Vec<&str>, Value)> = wanted
            .iter()
            .map(|(k, v, _)| (vec!["metadata", "labels", *k], Value::Scalar(v.to_string())))
            .collect();
        let edits = set_paths(ws, o.file, m.template, &settings);
        (!edits.is_empty()).then(|| {
            Fix::new(
                "Give the pod template the selector's labels",
                Applicability::Unsafe,
                edits,
            )
        })
    }
}
