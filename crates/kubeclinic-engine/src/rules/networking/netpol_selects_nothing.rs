use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::labels::{describe_selector, selects_everything, Labels};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{self, format_labels, Node};

declare_rule! {
    /// ## What it does
    /// Finds NetworkPolicies whose `podSelector` matches none of the pod templates in the same
    /// namespace, and names the pod template that comes closest.
    ///
    /// ## Why is this bad?
    /// A policy that selects nothing protects nothing and allows nothing. Under a default-deny
    /// policy the pods it was written for keep every connection blocked: DNS, the database,
    /// outbound HTTPS. The pods run but time out, and nothing in `kubectl get` says why.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: allow-extractor
    /// spec:
    ///   podSelector:
    ///     matchLabels:
    ///       app: binance-data-extractor
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - {}
    /// ---
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-m5
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         metadata:
    ///           labels:
    ///             app: binance-extractor
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: extractor
    ///               image: yurisa2/extractor:v1.0.71
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: allow-extractor
    /// spec:
    ///   podSelector:
    ///     matchLabels:
    ///       app: binance-extractor
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - {}
    /// ---
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-m5
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         metadata:
    ///           labels:
    ///             app: binance-extractor
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: extractor
    ///               image: yurisa2/extractor:v1.0.71
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: pointing the selector at other pods changes who may talk to whom. Check that the
    /// closest pod template is the one the policy was written for. Only `matchLabels` is
    /// rewritten; a selector with `matchExpressions` gets advice instead.
    pub struct NetpolSelectsNothing {
        id: "netpol-selects-nothing",
        category: Networking,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Unmatched<'a> {
    policy: usize,
    selector_node: &'a Node,
    match_labels: Option<&'a Node>,
    selector: LabelSelector,
    closest: Option<usize>,
    under_default_deny: bool,
}

impl Rule for NetpolSelectsNothing {
    type State<'a> = Unmatched<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unmatched<'a>> {
        let policies: Vec<(usize, NetworkPolicy)> = ws
            .indexes_of_kind("NetworkPolicy")
            .iter()
            .filter_map(|&i| Some((i, yaml::typed::<NetworkPolicy>(ws.objects[i].node).ok()?)))
            .collect();
        let mut out = Vec::new();
        for (index, typed) in &policies {
            let policy = &ws.objects[*index];
            let Some(selector_node) = policy.node.path(&["spec", "podSelector"]) else {
                continue;
            };
            let selector = typed
                .spec
                .as_ref()
                .and_then(|s| s.pod_selector.clone())
                .unwrap_or_default();
            if selects_everything(&selector) {
                continue;
            }
            let selection = ws.select(&selector, policy);
            // With no pods of that namespace in the set, the pods may be defined elsewhere.
            if selection.candidates.is_empty() {
                continue;
            }
            // Operators build pods from custom resources (Prometheus, Alertmanager, sandbox
            // templates...) and copy labels from them: any `labels` map in one counts.
            if !selection.matched.is_empty() || ws.made_by_controller(&selector, policy) {
                continue;
            }
            let closest = selection.closest;
            let under_default_deny = policies.iter().any(|(other, typed)| {
                ws.objects[*other].may_share_namespace(policy) && super::is_default_deny(typed)
            });
            out.push(Unmatched {
                policy: *index,
                selector_node,
                match_labels: selector_node.get("matchLabels"),
                selector,
                closest,
                under_default_deny,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Unmatched<'a>) -> Diagnostic {
        let policy = &ws.objects[state.policy];
        let wanted = describe_selector(&state.selector);
        let mut message = format!(
            "NetworkPolicy {} selects no pods: no pod template has {wanted}",
            policy.name.as_deref().unwrap_or("<unnamed>")
        );
        if let Some(t) = state.closest {
            let template = &ws.templates[t];
            message.push_str(&format!(
                "; the closest, {}, has {}",
                ws.object_of(template).display(),
                format_labels(template.label_pairs())
            ));
        }
        let why = if state.under_default_deny {
            "A default-deny policy covers this namespace, so the pods this policy was written for have all their traffic blocked (DNS included)."
        } else {
            "The policy has no effect: the pods it was written for get none of the protection or access it describes."
        };
        Diagnostic {
            file: policy.file,
            range: state.match_labels.unwrap_or(state.selector_node).span,
            message,
            why: why.into(),
            help: Some(if state.closest.is_some() {
                "Make the selector match the labels of the pods you meant (or add those labels to the pod template).".into()
            } else {
                "Give the pod template the labels the selector expects, or change the selector."
                    .into()
            }),
            object: Some(policy.reference()),
            container: None,
            severity: state.under_default_deny.then_some(Severity::Error),
        }
    }

    fn related<'a>(ws: &Workspace<'a>, state: &Unmatched<'a>) -> Vec<crate::diagnostic::Related> {
        match state.closest {
            Some(t) => crate::labels::closest_labels(
                ws,
                ws.objects[state.policy].file,
                state.selector_node,
                t,
            ),
            None => Vec::new(),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Unmatched<'a>) -> Option<Fix> {
        let template = &ws.templates[state.closest?];
        let labels: Labels = template.label_pairs().into_iter().collect();
        let match_labels = state.match_labels?;
        if state
            .selector
            .match_expressions
            .as_ref()
            .is_some_and(|e| !e.is_empty())
        {
            return None;
        }
        let edits =
            super::retarget_match_labels(ws, ws.objects[state.policy].file, match_labels, &labels);
        Some(Fix::new(
            format!("Select the pods of {}", ws.object_of(template).display()),
            Applicability::Unsafe,
            edits,
        ))
    }
}
