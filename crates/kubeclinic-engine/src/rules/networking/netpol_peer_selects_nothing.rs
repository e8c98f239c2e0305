use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::labels::{describe_selector, near_miss, selects_everything, Labels};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{self, format_labels, Node};

declare_rule! {
    /// ## What it does
    /// Finds NetworkPolicy peers (`ingress[].from[]`, `egress[].to[]`) whose `podSelector`
    /// matches no pod template of the policy's namespace while one comes close (a label value
    /// one word or a typo away), and `namespaceSelector`s that match no Namespace of the set
    /// while one comes close. Peers that select pods defined elsewhere are not judged.
    ///
    /// ## Why is this bad?
    /// Once a policy selects a pod, only the traffic some policy allows reaches it. A peer that
    /// matches nobody allows nothing: the pods the rule was written for are cut off
    /// (connections time out), and nothing in the cluster reports it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db-from-api
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: orders-db}
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: order-api}
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders-api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders-api}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: orders-db
    /// spec:
    ///   serviceName: orders-db
    ///   selector:
    ///     matchLabels: {app: orders-db}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-db}
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: postgres:16.4
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: db-from-api
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: orders-db}
    ///   ingress:
    ///     - from:
    ///         - podSelector:
    ///             matchLabels: {app: orders-api}
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders-api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders-api}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: orders-db
    /// spec:
    ///   serviceName: orders-db
    ///   selector:
    ///     matchLabels: {app: orders-db}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-db}
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: postgres:16.4
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: pointing the peer at other pods changes who may talk to whom; check the closest
    /// pod template (or Namespace) is the one meant. Only `matchLabels` is rewritten.
    pub struct NetpolPeerSelectsNothing {
        id: "netpol-peer-selects-nothing",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub enum Target {
    /// The closest pod template.
    Template(usize),
    /// The closest Namespace object.
    Namespace(usize),
}

pub struct Peer<'a> {
    policy: usize,
    selector_node: &'a Node,
    selector: LabelSelector,
    direction: &'static str,
    closest: Target,
}

/// A Namespace's labels, with the one the API server adds to every namespace.
fn namespace_labels<'a>(ns: &'a crate::model::K8sObject<'a>) -> Labels<'a> {
    let mut labels: Labels = ns
        .node
        .path(&["metadata", "labels"])
        .map(Node::string_map)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .collect();
    if let Some(name) = ns.name.as_deref() {
        labels.insert("kubernetes.io/metadata.name", name);
    }
    labels
}

/// True when every requirement `labels` fails has its key there with a value close to the one
/// asked, and at least one holds or is close.
fn near_labels(selector: &Node, labels: &Labels) -> bool {
    let requirements = crate::labels::requirements(selector);
    !requirements.is_empty()
        && requirements.iter().filter(|r| !r.holds(labels)).all(|r| {
            let Some((_, wanted)) = r.text.split_once('=') else {
                return false;
            };
            labels.get(r.key).is_some_and(|have| {
                crate::labels::similar(have, wanted)
                    || have.eq_ignore_ascii_case(wanted)
                    || crate::similarity::distance_within(have, wanted, 2).is_some()
            })
        })
}

impl Rule for NetpolPeerSelectsNothing {
    type State<'a> = Peer<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Peer<'a>> {
        let namespaces: Vec<usize> = ws.indexes_of_kind("Namespace").to_vec();
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("NetworkPolicy") {
            let policy = &ws.objects[index];
            if policy.is_live() {
                continue;
            }
            for (direction, list, field) in [("from", "ingress", "from"), ("to", "egress", "to")] {
                for rule in policy
                    .node
                    .path(&["spec", list])
                    .map(Node::items)
                    .unwrap_or_default()
                {
                    for peer in rule.get(field).map(Node::items).unwrap_or_default() {
                        let pods = peer.get("podSelector");
                        let spaces = peer.get("namespaceSelector");
                        let (node, on_pods) = match (pods, spaces) {
                            (Some(p), None) => (p, true),
                            (_, Some(n)) => (n, false),
                            (None, None) => continue,
                        };
                        let Ok(selector) = yaml::typed::<LabelSelector>(node) else {
                            continue;
                        };
                        if selects_everything(&selector) {
                            continue;
                        }
                        let closest = if on_pods {
                            let selection = ws.select(&selector, policy);
                            if selection.candidates.is_empty()
                                || !selection.matched.is_empty()
                                || ws.made_by_controller(&selector, policy)
                                || !near_miss(ws, node, selection.closest)
                            {
                                continue;
                            }
                            let Some(t) = selection.closest else { continue };
                            Target::Template(t)
                        } else {
                            if namespaces.is_empty()
                                || namespaces.iter().any(|&n| {
                                    crate::labels::selector_matches(
                                        &selector,
                                        &namespace_labels(&ws.objects[n]),
                                    )
                                })
                            {
                                continue;
                            }
                            let near: Vec<usize> = namespaces
                                .iter()
                                .copied()
                                .filter(|&n| near_labels(node, &namespace_labels(&ws.objects[n])))
                                .collect();
                            let [only] = near.as_slice() else { continue };
                            Target::Namespace(*only)
                        };
                        out.push(Peer {
                            policy: index,
                            selector_node: node,
                            selector,
                            direction,
                            closest,
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, p: &Peer<'a>) -> Diagnostic {
        let policy = &ws.objects[p.policy];
        let wanted = describe_selector(&p.selector);
        let (what, closest) = match p.closest {
            Target::Template(t) => {
                let template = &ws.templates[t];
                (
                    "pods",
                    format!(
                        "no pod template has {wanted}; the closest, {}, has {}",
                        ws.object_of(template).display(),
                        format_labels(template.label_pairs())
                    ),
                )
            }
            Target::Namespace(n) => (
                "namespaces",
                format!(
                    "no Namespace of the set has {wanted}; the closest, {}, has {}",
                    ws.objects[n].display(),
                    format_labels(namespace_labels(&ws.objects[n]))
                ),
            ),
        };
        Diagnostic {
            file: policy.file,
            range: p.selector_node.get("matchLabels").unwrap_or(p.selector_node).span,
            message: format!(
                "NetworkPolicy {} allows traffic {} {what} that do not exist: {closest}",
                policy.name.as_deref().unwrap_or("<unnamed>"),
                p.direction
            ),
            why: "A peer that matches nobody allows nothing: the traffic this rule was written for is dropped (connections time out) and nothing in the cluster reports it.".into(),
            help: Some("Make the peer's selector match the labels of the pods (or namespace) meant: pod template `metadata.labels`, or the Namespace's labels (every namespace has `kubernetes.io/metadata.name`).".into()),
            object: Some(policy.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, p: &Peer<'a>) -> Vec<Related> {
        match p.closest {
            Target::Template(t) => {
                crate::labels::closest_labels(ws, ws.objects[p.policy].file, p.selector_node, t)
            }
            Target::Namespace(n) => {
                let ns = &ws.objects[n];
                vec![Related {
                    file: ns.file,
                    range: ns.anchor_range(),
                    message: format!("the closest namespace, {}", ns.display()),
                }]
            }
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, p: &Peer<'a>) -> Option<Fix> {
        if p.selector
            .match_expressions
            .as_ref()
            .is_some_and(|e| !e.is_empty())
        {
            return None;
        }
        let match_labels = p.selector_node.get("matchLabels")?;
        let file = ws.objects[p.policy].file;
        let (labels, title): (Labels, String) = match p.closest {
            Target::Template(t) => {
                let template = &ws.templates[t];
                (
                    template.label_pairs().into_iter().collect(),
                    format!("Allow the pods of {}", ws.object_of(template).display()),
                )
            }
            Target::Namespace(n) => {
                let ns = &ws.objects[n];
                // Only the labels the selector asks for, with the namespace's values.
                let all = namespace_labels(ns);
                let asked: Labels = match_labels
                    .string_map()
                    .into_iter()
                    .filter_map(|(k, _, _)| all.get_key_value(k).map(|(k, v)| (*k, *v)))
                    .collect();
                (asked, format!("Allow {}", ns.display()))
            }
        };
        if labels.is_empty() {
            return None;
        }
        let edits = super::retarget_match_labels(ws, file, match_labels, &labels);
        (!edits.is_empty()).then(|| Fix::new(title, Applicability::Unsafe, edits))
    }
}
