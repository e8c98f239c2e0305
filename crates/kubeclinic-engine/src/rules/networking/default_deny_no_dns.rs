use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyEgressRule};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::labels::selects_everything;
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{self, render_scalar, ScalarStyle};

declare_rule! {
    /// ## What it does
    /// Finds NetworkPolicies that deny egress to pods of the set (they select the pods and list
    /// `Egress` in `policyTypes`) while no policy selecting those pods lets them reach DNS on
    /// port 53.
    ///
    /// ## Why is this bad?
    /// Every name lookup times out: the pods cannot resolve `postgres`, `api.example.org` or
    /// even `kubernetes.default`, so they fail with `dial tcp: lookup postgres: i/o timeout` or
    /// `Temporary failure in name resolution` although the Service exists. A default-deny egress
    /// policy without a DNS exception is the most common way to break a namespace.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: default-deny
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: default-deny
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Ingress, Egress]
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: allow-dns
    /// spec:
    ///   podSelector: {}
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - to:
    ///         - namespaceSelector: {}
    ///           podSelector:
    ///             matchLabels: {k8s-app: kube-dns}
    ///       ports:
    ///         - {protocol: UDP, port: 53}
    ///         - {protocol: TCP, port: 53}
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    /// ```
    ///
    /// When a policy that does allow DNS misses its pods (`netpol-selects-nothing`), that
    /// finding explains this one and is shown instead.
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds a policy beside the denying one that lets the same pods reach the
    /// cluster DNS (pods labelled `k8s-app: kube-dns`, in any namespace) on port 53, UDP and
    /// TCP; check your DNS pods carry that label (CoreDNS and kube-dns do). No fix for a
    /// `matchExpressions` selector or a policy inside a `List`.
    pub struct DefaultDenyNoDns {
        id: "default-deny-no-dns",
        category: Networking,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["netpol-selects-nothing"],
    }
}

pub struct Denied {
    policy: usize,
    selector: LabelSelector,
    /// Pod templates the policy cuts off from DNS.
    templates: Vec<usize>,
    /// The `podSelector`s of policies that would let pods reach DNS but select none of these:
    /// when one of them misses its pods (`netpol-selects-nothing`), that is the cause.
    allowers: Vec<(crate::diagnostic::FileId, crate::text::TextRange)>,
}

/// True when the policy isolates its pods' egress.
fn isolates_egress(policy: &NetworkPolicy) -> bool {
    let Some(spec) = &policy.spec else {
        return false;
    };
    match &spec.policy_types {
        Some(types) => types.iter().any(|t| t == "Egress"),
        None => spec.egress.is_some(),
    }
}

/// True when an egress rule lets traffic reach the cluster DNS on port 53.
fn allows_dns(rule: &NetworkPolicyEgressRule, namespace: Option<&str>) -> bool {
    let port_ok = rule.ports.as_ref().is_none_or(|ports| {
        ports.is_empty()
            || ports.iter().any(|p| match &p.port {
                None => true,
                Some(IntOrString::Int(n)) => {
                    *n == 53 || p.end_port.is_some_and(|end| *n <= 53 && 53 <= end)
                }
                Some(IntOrString::String(s)) => s == "53" || s.starts_with("dns"),
            })
    });
    // Pods of the policy's own namespace are not the cluster DNS (unless it is kube-system).
    let peer_ok = rule.to.as_ref().is_none_or(|peers| {
        peers.is_empty()
            || peers.iter().any(|peer| {
                peer.namespace_selector.is_some()
                    || peer.ip_block.is_some()
                    || namespace == Some("kube-system")
            })
    });
    port_ok && peer_ok
}

impl Rule for DefaultDenyNoDns {
    type State<'a> = Denied;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Denied> {
        let policies: Vec<(usize, NetworkPolicy, LabelSelector)> = ws
            .indexes_of_kind("NetworkPolicy")
            .iter()
            .filter(|&&i| !ws.objects[i].is_live())
            .filter_map(|&i| {
                let typed = yaml::typed::<NetworkPolicy>(ws.objects[i].node).ok()?;
                let selector = typed
                    .spec
                    .as_ref()?
                    .pod_selector
                    .clone()
                    .unwrap_or_default();
                Some((i, typed, selector))
            })
            .collect();
        let selected = |index: usize, selector: &LabelSelector| -> Vec<usize> {
            let near = &ws.objects[index];
            if selects_everything(selector) {
                ws.templates_near(near).to_vec()
            } else {
                ws.matched(selector, near)
            }
        };
        // The templates of each egress-isolating policy that lets DNS out (ascending).
        let dns_allowed: Vec<Vec<usize>> = policies
            .iter()
            .filter(|(other, typed, _)| {
                isolates_egress(typed)
                    && typed
                        .spec
                        .as_ref()
                        .and_then(|s| s.egress.as_ref())
                        .is_some_and(|rules| {
                            rules
                                .iter()
                                .any(|r| allows_dns(r, ws.objects[*other].effective_namespace()))
                        })
            })
            .map(|(other, _, sel)| selected(*other, sel))
            .collect();
        let mut out = Vec::new();
        for (index, typed, selector) in &policies {
            if !isolates_egress(typed) {
                continue;
            }
            let templates: Vec<usize> = selected(*index, selector)
                .into_iter()
                .filter(|t| !dns_allowed.iter().any(|sel| sel.binary_search(t).is_ok()))
                .collect();
            if !templates.is_empty() {
                let allowers = policies
                    .iter()
                    .filter(|(other, typed, _)| {
                        ws.objects[*other].may_share_namespace(&ws.objects[*index])
                            && typed
                                .spec
                                .as_ref()
                                .and_then(|s| s.egress.as_ref())
                                .is_some_and(|rules| {
                                    rules.iter().any(|r| {
                                        allows_dns(r, ws.objects[*other].effective_namespace())
                                    })
                                })
                    })
                    .filter_map(|(other, _, _)| {
                        let o = &ws.objects[*other];
                        o.node
                            .path(&["spec", "podSelector"])
                            .map(|n| (o.file, n.span))
                    })
                    .collect();
                out.push(Denied {
                    policy: *index,
                    selector: selector.clone(),
                    templates,
                    allowers,
                });
            }
        }
        // When several policies isolate the same pods, report the first that does.
        let mut seen: Vec<usize> = Vec::new();
        out.retain(|d| {
            let new = d.templates.iter().any(|t| !seen.contains(t));
            seen.extend(d.templates.iter().copied());
            new
        });
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, d: &Denied) -> Diagnostic {
        let policy = &ws.objects[d.policy];
        let mut owners: Vec<String> = d
            .templates
            .iter()
            .map(|&t| ws.object_of(&ws.templates[t]).display())
            .collect();
        let more = owners.len().saturating_sub(3);
        owners.truncate(3);
        let mut who = owners.join(", ");
        if more > 0 {
            who.push_str(&format!(" and {more} more"));
        }
        let range = policy
            .node
            .path(&["spec", "policyTypes"])
            .and_then(|types| types.items().iter().find(|t| t.as_str() == Some("Egress")))
            .or_else(|| policy.node.path(&["spec", "egress"]))
            .map_or(policy.anchor_range(), |n| n.span);
        Diagnostic {
            file: policy.file,
            range,
            message: format!(
                "NetworkPolicy {} denies egress to {who}, and no policy lets them reach DNS on port 53",
                policy.name.as_deref().unwrap_or("<unnamed>")
            ),
            why: "Every name lookup of these pods times out: connections to Services by name fail with `lookup ...: i/o timeout` or `Temporary failure in name resolution`.".into(),
            help: Some("Add an egress rule (or a policy) that allows UDP and TCP port 53 to the cluster DNS pods (`k8s-app: kube-dns` in kube-system).".into()),
            object: Some(policy.reference()),
            container: None,
            severity: None,
        }
    }

    fn evidence<'a>(
        _ws: &Workspace<'a>,
        d: &Denied,
    ) -> Vec<(crate::diagnostic::FileId, crate::text::TextRange)> {
        d.allowers.clone()
    }

    fn related<'a>(ws: &Workspace<'a>, d: &Denied) -> Vec<Related> {
        d.templates
            .iter()
            .take(3)
            .map(|&t| {
                let object = ws.object_of(&ws.templates[t]);
                Related {
                    file: object.file,
                    range: object.anchor_range(),
                    message: format!("pods cut off from DNS, of {}", object.display()),
                }
            })
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, d: &Denied) -> Option<Fix> {
        let policy = &ws.objects[d.policy];
        if d.selector
            .match_expressions
            .as_ref()
            .is_some_and(|e| !e.is_empty())
        {
            return None;
        }
        let text = ws.text(policy.file);
        let lines = ws.lines(policy.file);
        // A document of its own, in block YAML: not an item of a List, not JSON.
        if policy.node.flow
            || lines.line_start(lines.line_of(policy.node.span.start)) != policy.node.span.start
        {
            return None;
        }
        let plain = |s: &str| render_scalar(s, ScalarStyle::Plain);
        let selector = match d.selector.match_labels.as_ref().filter(|m| !m.is_empty()) {
            None => "{}".to_string(),
            Some(labels) => {
                let pairs: Vec<String> = labels
                    .iter()
                    .map(|(k, v)| format!("{}: {}", plain(k), plain(v)))
                    .collect();
                format!("{{matchLabels: {{{}}}}}", pairs.join(", "))
            }
        };
        let name = format!(
            "{}-allow-dns",
            policy.name.as_deref().unwrap_or("default-deny")
        );
        let namespace = policy
            .namespace
            .as_deref()
            .map(|ns| format!("  namespace: {}\n", plain(ns)))
            .unwrap_or_default();
        let end = policy.node.span.end;
        let at = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        let lead = if at == text.len() && !text.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        let document = format!(
            "{lead}---\n# Lets the pods {} denies egress to resolve names.\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n{namespace}spec:\n  podSelector: {selector}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector: {{}}\n          podSelector:\n            matchLabels: {{k8s-app: kube-dns}}\n      ports:\n        - {{protocol: UDP, port: 53}}\n        - {{protocol: TCP, port: 53}}\n",
            policy.name.as_deref().unwrap_or("the policy"),
            plain(&name)
        );
        Some(Fix::new(
            format!("Add NetworkPolicy {name} for DNS"),
            Applicability::Unsafe,
            vec![Edit::insert(policy.file, at, document)],
        ))
    }
}
