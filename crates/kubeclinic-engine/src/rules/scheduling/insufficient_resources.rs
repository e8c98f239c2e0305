use super::{is_resource, unplaced, Filter, Unplaced, Unschedulable};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::Workspace;
use crate::patch::{set_paths, Value};
use crate::quantity;
use crate::rule::Rule;
use crate::rules::evidence::{capitalize, message_range};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds pods the scheduler could not place because no node has enough unreserved CPU,
    /// memory or other resources for their requests (`FailedScheduling`: `0/3 nodes are
    /// available: 1 Insufficient cpu, 2 Insufficient memory`), from `kubectl describe pod` or
    /// `kubectl get events`. When the workload's manifest is in the set, it lowers the
    /// container's request: to what the roomiest described node has free, else to half.
    ///
    /// ## Why is this bad?
    /// The pod stays `Pending` until a node has room for its requests in full, whatever the
    /// containers really use: a rollout stalls, or a new replica never serves.
    ///
    /// ## Example
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         <none>
    /// Status:       Pending
    /// Controlled By:  ReplicaSet/api-5d8f7c9b4
    /// Containers:
    ///   api:
    ///     Image:      shop/api:2.3.1
    ///     Requests:
    ///       cpu:      4
    ///       memory:   8Gi
    /// QoS Class:      Burstable
    /// Events:
    ///   Type     Reason            Age                 From               Message
    ///   ----     ------            ----                ----               -------
    ///   Warning  FailedScheduling  2m (x4 over 5m)     default-scheduler  0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Status:       Running
    /// Controlled By:  ReplicaSet/api-5d8f7c9b4
    /// Containers:
    ///   api:
    ///     Image:      shop/api:2.3.1
    ///     State:      Running
    ///     Ready:      True
    ///     Requests:
    ///       cpu:      500m
    ///       memory:   1Gi
    /// QoS Class:      Burstable
    /// Events:
    ///   Type     Reason     Age   From               Message
    ///   ----     ------     ----  ----               -------
    ///   Normal   Scheduled  2m    default-scheduler  Successfully assigned shop/api-5d8f7c9b4-x2k8q to node-1
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a lower request lets the scheduler pack the pod tighter, and a container that
    /// really needs more is throttled (CPU) or risks eviction (memory). With a `kubectl describe
    /// node` in the set the request is lowered just enough to fit the roomiest node; without,
    /// it is halved, a guess to check against `kubectl top pod`. Adding nodes is the other cure.
    pub struct InsufficientResources {
        id: "insufficient-resources",
        category: Scheduling,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for InsufficientResources {
    type State<'a> = Unplaced<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unplaced<'a>> {
        unplaced(ws, |r| {
            r.has(is_resource) && !r.has(|f| *f == Filter::UnboundClaims)
        })
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Unplaced<'a>) -> Diagnostic {
        let reading = &state.reading;
        let all = short_resources(reading);
        // `Too many pods` is the kubelet's pod limit, not a request.
        let full = all.contains(&"pods");
        let short: Vec<&str> = all.into_iter().filter(|r| *r != "pods").collect();
        let asks = state
            .subject
            .pod
            .map(|i| pod_requests(&ws.pods[i].pod.containers, &short))
            .filter(|r| !r.is_empty())
            .map(|r| format!(" (it requests {r})"))
            .unwrap_or_default();
        let mut help = String::from(
            "Compare with what the nodes have free (`kubectl describe nodes`, Allocated resources): lower the requests to what the containers really use (`kubectl top pod`), or add nodes (or let the cluster autoscaler grow the node pool).",
        );
        if full {
            help.push_str(" Nodes that say `Too many pods` run as many pods as their kubelet allows (`maxPods`; on EKS the instance type's IP addresses set it): more nodes, or larger ones, is the cure.");
        }
        if reading.no_victims {
            help.push_str(" Preemption found no lower-priority pods to evict.");
        }
        if state.history {
            help = "It was placed later; if it happens again, compare requests with the nodes' free capacity (`kubectl describe nodes`).".into();
        }
        Diagnostic {
            file: state.file,
            range: message_range(ws, state.file, state.event),
            message: format!(
                "{} {} be scheduled: {}; of {}: {}",
                capitalize(&state.subject.label()),
                if state.history { "could not" } else { "cannot" },
                match (short.is_empty(), full) {
                    (true, _) => "every node runs as many pods as it may".to_string(),
                    (false, false) => format!(
                        "no node has enough free {} for its requests{asks}",
                        short.join(" and ")
                    ),
                    (false, true) => format!(
                        "no node has enough free {} for its requests{asks}, and some are full of pods",
                        short.join(" and ")
                    ),
                },
                reading.nodes(),
                reading.summary(),
            ),
            why: if state.history {
                "It waited in Pending until a node had room; the next rollout or scale-up can stall the same way.".into()
            } else {
                "The pod stays Pending until a node has room for its requests in full, whatever it really uses: the rollout stalls or the replica never serves.".into()
            },
            help: Some(help),
            object: Some(state.subject.reference()),
            container: None,
            severity: state.history.then_some(Severity::Info),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Unplaced<'a>) -> Option<Fix> {
        let reading = &state.reading;
        let template = state.template_to_fix(ws)?;
        let object = ws.object_of(&ws.templates[template]);
        // A pod seen only through its events or a table row shows no requests: the
        // manifest's are the ones the scheduler read.
        let seen = state.subject.pod.map(|i| &ws.pods[i].pod);
        let described = seen
            .filter(|p| {
                !p.partial
                    || p.containers
                        .iter()
                        .any(|c| !c.requests.is_empty() || !c.limits.is_empty())
            })
            .map(|p| &p.containers);
        let mut edits = Vec::new();
        let mut changes = Vec::new();
        for resource in short_resources(reading) {
            if resource != "cpu" && resource != "memory" {
                continue;
            }
            // Each container's request as the cluster reported it, else as the manifest says.
            let requests: Vec<(&str, &Node, f64)> = ws
                .containers_of(template)
                .filter(|c| c.kind == crate::model::ContainerKind::Regular)
                .filter_map(|c| {
                    let name = c.name?;
                    let runtime = described
                        .and_then(|cs| cs.iter().find(|v| v.name == name))
                        .and_then(|v| {
                            v.requests
                                .iter()
                                .chain(&v.limits)
                                .find(|(k, _, _)| k == resource)
                        })
                        .and_then(|(_, q, _)| quantity::parse(q));
                    let request = runtime.or_else(|| {
                        if described.is_some() {
                            return None;
                        }
                        manifest_request(c.node, resource)
                    })?;
                    Some((name, c.node, request))
                })
                .collect();
            let total: f64 = requests.iter().map(|(_, _, r)| r).sum();
            let Some(&(name, node, largest)) = requests.iter().max_by(|a, b| a.2.total_cmp(&b.2))
            else {
                continue;
            };
            let free = roomiest_node(ws, resource);
            let (target, why) = match &free {
                Some((node_name, free)) => (
                    largest - (total - free),
                    format!(
                        "to fit the {} free on {node_name}",
                        render(resource, round_down(resource, *free))
                    ),
                ),
                // Halving is a guess; without a node describe nothing better is known.
                None if seen.is_some() => (largest / 2.0, "half of it".to_string()),
                None => continue,
            };
            let target = round_down(resource, target);
            if target <= largest * 0.1 {
                continue;
            }
            let current = manifest_request(node, resource);
            if current.is_some_and(|c| c <= target) {
                continue;
            }
            let from = current.map_or_else(|| render(resource, largest), |c| render(resource, c));
            let to = render(resource, target);
            edits.extend(set_paths(
                ws,
                object.file,
                node,
                &[(
                    vec!["resources", "requests", resource],
                    Value::typed(to.clone()),
                )],
            ));
            changes.push(format!(
                "the {resource} request of container {name} from {from} to {to} ({why})"
            ));
        }
        if edits.is_empty() {
            return None;
        }
        Some(Fix::new(
            format!("Lower {} in {}", changes.join(" and "), object.display()),
            Applicability::Unsafe,
            edits,
        ))
    }
}

/// `cpu`, `memory`, `pods` from the `Insufficient` reasons, in order.
fn short_resources<'m>(reading: &Unschedulable<'m>) -> Vec<&'m str> {
    let mut out = Vec::new();
    for reason in &reading.reasons {
        if let Filter::Insufficient(resource) = reason.filter {
            if !out.contains(&resource) {
                out.push(resource);
            }
        }
    }
    out
}

/// `cpu 2, memory 4Gi`: the pod's total requests of `resources`, from its describe.
fn pod_requests(containers: &[crate::runtime::pod::ContainerView], resources: &[&str]) -> String {
    resources
        .iter()
        .filter_map(|resource| {
            let values: Vec<f64> = containers
                .iter()
                .filter(|c| !c.init)
                .filter_map(|c| {
                    c.requests
                        .iter()
                        .chain(&c.limits)
                        .find(|(k, _, _)| k == resource)
                        .and_then(|(_, q, _)| quantity::parse(q))
                })
                .collect();
            (!values.is_empty())
                .then(|| format!("{resource} {}", render(resource, values.iter().sum())))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn manifest_request(container: &Node, resource: &str) -> Option<f64> {
    ["requests", "limits"].iter().find_map(|kind| {
        container
            .path(&["resources", kind, resource])
            .and_then(|n| n.as_scalar())
            .and_then(|s| quantity::parse(&s.text))
    })
}

/// The most `resource` free on one schedulable node of the set's `kubectl describe node`s:
/// Allocatable minus the Requests of Allocated resources. Tainted and cordoned nodes are left
/// out: the pod would not go there anyway.
fn roomiest_node(ws: &Workspace, resource: &str) -> Option<(String, f64)> {
    let mut best: Option<(String, f64)> = None;
    for runtime in &ws.parsed.runtime {
        for node in runtime.observed.iter().filter(|o| o.kind == "Node") {
            let d = &node.describe;
            let tainted = d
                .top("Taints")
                .is_some_and(|t| t.value.contains("NoSchedule") || t.value.contains("NoExecute"));
            if tainted || d.value("Unschedulable") == Some("true") {
                continue;
            }
            let Some(allocatable) = d
                .child(&["Allocatable"], resource)
                .and_then(|f| quantity::parse(&f.value))
            else {
                continue;
            };
            let requested = d
                .top("Allocated resources")
                .and_then(|f| {
                    f.value.lines().find_map(|line| {
                        let mut words = line.split_whitespace();
                        (words.next() == Some(resource))
                            .then(|| words.next().and_then(quantity::parse))
                            .flatten()
                    })
                })
                .unwrap_or(0.0);
            let free = (allocatable - requested).max(0.0);
            let name = node.name.clone().unwrap_or_else(|| "a node".into());
            if best.as_ref().is_none_or(|(_, b)| free > *b) {
                best = Some((name, free));
            }
        }
    }
    best
}

/// Whole millicores, whole MiB.
fn round_down(resource: &str, value: f64) -> f64 {
    match resource {
        "cpu" => (value * 1000.0).floor() / 1000.0,
        _ => (value / 1_048_576.0).floor() * 1_048_576.0,
    }
}

/// `1500m`, `2`, `768Mi`, `4Gi`.
fn render(resource: &str, value: f64) -> String {
    match resource {
        "cpu" => {
            let milli = (value * 1000.0).round() as u64;
            if milli.is_multiple_of(1000) {
                format!("{}", milli / 1000)
            } else {
                format!("{milli}m")
            }
        }
        "memory" | "ephemeral-storage" => quantity::format_bytes(value),
        _ => format!("{value}"),
    }
}
