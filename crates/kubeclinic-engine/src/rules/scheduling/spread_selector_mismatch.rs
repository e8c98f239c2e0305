use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::labels::{near_miss, selector_matches, Labels};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{self, Node};

declare_rule! {
    /// ## What it does
    /// Finds `topologySpreadConstraints` and `podAntiAffinity` terms whose `labelSelector`
    /// misses the pod template's own labels by a near miss (`app: checkout-api` for pods
    /// labelled `app: checkout`), and matches no other pod template of the set.
    ///
    /// ## Why is this bad?
    /// Spreading and anti-affinity count the pods the selector matches. A selector that matches
    /// none of the workload's pods counts zero everywhere: the replicas all land on one node or
    /// zone, and one node failure takes the whole workload down, although the manifest looks
    /// protected.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: checkout}
    ///   template:
    ///     metadata:
    ///       labels: {app: checkout}
    ///     spec:
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: topology.kubernetes.io/zone
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector:
    ///             matchLabels: {app: checkout-api}
    ///       containers:
    ///         - name: checkout
    ///           image: ghcr.io/example/checkout:4.2.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: checkout}
    ///   template:
    ///     metadata:
    ///       labels: {app: checkout}
    ///     spec:
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: topology.kubernetes.io/zone
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector:
    ///             matchLabels: {app: checkout}
    ///       containers:
    ///         - name: checkout
    ///           image: ghcr.io/example/checkout:4.2.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix gives the selector the template's own values for the labels it misses,
    /// which changes where the scheduler places the pods (that is the point). Only `matchLabels`
    /// is rewritten.
    pub struct SpreadSelectorMismatch {
        id: "spread-selector-mismatch",
        category: Scheduling,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Mismatch<'a> {
    template: usize,
    selector_node: &'a Node,
    selector: LabelSelector,
    what: &'static str,
}

/// The label selectors of a template's spread constraints and anti-affinity terms.
fn selectors(spec: &Node) -> Vec<(&'static str, &Node)> {
    let mut out = Vec::new();
    for c in spec
        .get("topologySpreadConstraints")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(s) = c.get("labelSelector") {
            out.push(("topology spread constraint", s));
        }
    }
    let anti = spec.path(&["affinity", "podAntiAffinity"]);
    for term in anti
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(s) = term.get("labelSelector") {
            out.push(("pod anti-affinity term", s));
        }
    }
    for weighted in anti
        .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(s) = weighted.path(&["podAffinityTerm", "labelSelector"]) {
            out.push(("pod anti-affinity term", s));
        }
    }
    out
}

impl Rule for SpreadSelectorMismatch {
    type State<'a> = Mismatch<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mismatch<'a>> {
        let mut out = Vec::new();
        for (index, t) in ws.templates.iter().enumerate() {
            let object = ws.object_of(t);
            if object.is_live() {
                continue;
            }
            let own: Labels = t.label_pairs().into_iter().collect();
            for (what, node) in selectors(t.spec) {
                let Ok(selector) = yaml::typed::<LabelSelector>(node) else {
                    continue;
                };
                if crate::labels::selects_everything(&selector) || selector_matches(&selector, &own)
                {
                    continue;
                }
                // Other pods of the set it matches: anti-affinity to another app is deliberate.
                if !ws.matched(&selector, object).is_empty()
                    || ws.made_by_controller(&selector, object)
                {
                    continue;
                }
                if !near_miss(ws, node, Some(index)) {
                    continue;
                }
                out.push(Mismatch {
                    template: index,
                    selector_node: node,
                    selector,
                    what,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Diagnostic {
        let t = &ws.templates[m.template];
        let object = ws.object_of(t);
        Diagnostic {
            file: object.file,
            range: m.selector_node.get("matchLabels").unwrap_or(m.selector_node).span,
            message: format!(
                "The {} of {} selects {}, which none of its pods carry (they have {})",
                m.what,
                object.display(),
                crate::labels::describe_selector(&m.selector),
                yaml::format_labels(t.label_pairs())
            ),
            why: "Spreading and anti-affinity count the pods the selector matches: this one matches none of the workload's, so its replicas may all land on one node or zone and fail together.".into(),
            help: Some("Select the pod template's own labels (`metadata.labels` of the template).".into()),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Vec<Related> {
        let t = &ws.templates[m.template];
        let object = ws.object_of(t);
        vec![Related {
            file: object.file,
            range: t.labels.map_or(object.anchor_range(), |l| l.span),
            message: "the pod template's own labels".into(),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Option<Fix> {
        if m.selector
            .match_expressions
            .as_ref()
            .is_some_and(|e| !e.is_empty())
        {
            return None;
        }
        let t = &ws.templates[m.template];
        let match_labels = m.selector_node.get("matchLabels")?;
        let own: Labels = t.label_pairs().into_iter().collect();
        // Only the keys the selector asks for, with the template's values.
        let wanted: Labels = match_labels
            .string_map()
            .into_iter()
            .filter_map(|(k, _, _)| own.get_key_value(k).map(|(k, v)| (*k, *v)))
            .collect();
        if wanted.is_empty() {
            return None;
        }
        let file = ws.object_of(t).file;
        let edits =
            crate::rules::networking::retarget_match_labels(ws, file, match_labels, &wanted);
        (!edits.is_empty()).then(|| {
            Fix::new(
                "Select the template's own pods",
                Applicability::Unsafe,
                edits,
            )
        })
    }
}
