use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, ObjectRef};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::quantity;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::termination::Context;

declare_rule! {
    /// ## What it does
    /// Finds pods the kubelet evicted (`Status: Failed`, `Reason: Evicted`, or an `Evicted`
    /// event) and reads its message: `The node was low on resource: memory. Container app was
    /// using 1543012Ki, which exceeds its request of 128Mi.` (or, since Kubernetes 1.2x,
    /// `request is 128Mi, has larger consumption of memory`), ephemeral-storage limits and
    /// emptyDir size limits. When the workload's manifest is in the set, it raises the
    /// container's request to what it used.
    ///
    /// ## Why is this bad?
    /// When a node runs short of memory or disk, the kubelet evicts first the pods that use
    /// the most above their requests. A container that requests less than it uses is placed
    /// on nodes without room for it and evicted again whenever the node fills up; the
    /// evicted pods stay behind as `Failed`.
    ///
    /// ## Example
    /// ```text
    /// Name:         report-7d9c8f6b5-lq2vx
    /// Namespace:    shop
    /// Node:         node-2/10.0.0.6
    /// Status:       Failed
    /// Reason:       Evicted
    /// Message:      The node was low on resource: memory. Container report was using 1543012Ki, which exceeds its request of 128Mi.
    /// Controlled By:  ReplicaSet/report-7d9c8f6b5
    /// Containers:
    ///   report:
    ///     Image:          shop/report:3.0.2
    ///     State:          Terminated
    ///       Reason:       ContainerStatusUnknown
    ///       Exit Code:    137
    ///     Ready:          False
    ///     Restart Count:  0
    ///     Requests:
    ///       memory:  128Mi
    /// QoS Class:        Burstable
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         report-7d9c8f6b5-r8t2m
    /// Namespace:    shop
    /// Node:         node-3/10.0.0.7
    /// Status:       Running
    /// Controlled By:  ReplicaSet/report-7d9c8f6b5
    /// Containers:
    ///   report:
    ///     Image:          shop/report:3.0.2
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    ///     Requests:
    ///       memory:  1536Mi
    /// QoS Class:        Burstable
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix raises the container's request (memory rounded up to 64Mi,
    /// ephemeral-storage to 1Gi) to what the kubelet saw it use, and its limit too when the
    /// limit was lower. A larger request needs a node with that much room: pods may stay
    /// Pending. If the usage grows without bound, look for a leak instead.
    pub struct Evicted {
        id: "evicted",
        category: Containers,
        severity: Warning,
        fix: Sometimes,
        reads: Both,
        profile: Minimal,
    }
}

/// A container's usage above its request, as the eviction message gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct Usage {
    pub container: String,
    pub used: String,
    /// `0` when the container requested nothing.
    pub request: String,
}

/// What an eviction message says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvictionMessage {
    /// `memory`, `ephemeral-storage`, `pids`...
    pub resource: Option<String>,
    pub usages: Vec<Usage>,
    /// A limit that was exceeded: `Container app exceeded its local ephemeral storage limit
    /// "1Gi".`, the pod's total, or an emptyDir's `sizeLimit`.
    pub limit: Option<String>,
    /// `[DiskPressure]` from `The node had condition: [DiskPressure].`
    pub condition: Option<String>,
}

/// True for the messages the kubelet's eviction manager writes.
pub fn is_eviction_message(message: &str) -> bool {
    message.starts_with("The node was low on resource")
        || message.starts_with("The node had condition")
        || message.starts_with("Pod ephemeral local storage usage exceeds")
        || message.starts_with("Usage of EmptyDir volume")
        || message.contains("exceeded its local ephemeral storage limit")
}

/// Text up to the end of the sentence (`. ` or the end), without the full stop.
fn sentence(text: &str) -> &str {
    let end = text.find(". ").unwrap_or(text.len());
    text[..end].trim().trim_end_matches('.')
}

impl EvictionMessage {
    pub fn parse(message: &str) -> EvictionMessage {
        let message = message.replace('\n', " ");
        let mut out = EvictionMessage {
            resource: message
                .split_once("low on resource: ")
                .map(|(_, rest)| sentence(rest).to_string()),
            condition: message
                .split_once("had condition: ")
                .map(|(_, rest)| sentence(rest).to_string()),
            ..EvictionMessage::default()
        };
        for (at, _) in message.match_indices("Container ") {
            let rest = &message[at + 10..];
            let Some((name, tail)) = rest.split_once(' ') else {
                continue;
            };
            if let Some(tail) = tail.strip_prefix("was using ") {
                let Some((used, after)) = tail.split_once(", ") else {
                    continue;
                };
                let request = after
                    .strip_prefix("which exceeds its request of ")
                    .map(sentence)
                    .or_else(|| {
                        after
                            .strip_prefix("request is ")
                            .and_then(|r| r.split(',').next())
                    });
                if let Some(request) = request {
                    out.usages.push(Usage {
                        container: name.to_string(),
                        used: used.to_string(),
                        request: request.trim().to_string(),
                    });
                }
            } else if tail.starts_with("exceeded its local ephemeral storage limit") {
                out.resource
                    .get_or_insert_with(|| "ephemeral-storage".into());
                out.limit = Some(format!("Container {}", sentence(rest)));
            }
        }
        for marker in [
            "Pod ephemeral local storage usage exceeds",
            "Usage of EmptyDir volume",
        ] {
            if let Some(at) = message.find(marker) {
                out.resource
                    .get_or_insert_with(|| "ephemeral-storage".into());
                out.limit = Some(sentence(&message[at..]).to_string());
            }
        }
        out
    }
}

pub struct Eviction {
    /// Index into `ws.pods`, when the pod is described.
    pod: Option<usize>,
    pod_name: Option<String>,
    namespace: Option<String>,
    file: FileId,
    range: TextRange,
    message: EvictionMessage,
}

impl Rule for Evicted {
    type State<'a> = Eviction;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Eviction> {
        let cx = Context::new(ws);
        let mut out: Vec<Eviction> = Vec::new();
        for (index, observed) in ws.pods.iter().enumerate() {
            let pod = &observed.pod;
            let reason_evicted = pod.reason.as_ref().is_some_and(|(r, _)| r == "Evicted");
            let from_status = pod
                .message
                .filter(|m| reason_evicted || is_eviction_message(m))
                .map(|m| {
                    let first = m.lines().next().unwrap_or(m);
                    let text = ws.text(observed.file);
                    let range = text[pod.anchor.start..]
                        .find(first)
                        .map(|at| {
                            TextRange::new(
                                pod.anchor.start + at,
                                pod.anchor.start + at + first.len(),
                            )
                        })
                        .or(pod.reason.as_ref().map(|(_, r)| *r))
                        .unwrap_or(pod.anchor);
                    (observed.file, range, m.to_string())
                });
            let from_event = || {
                cx.events(index)
                    .iter()
                    .find(|e| e.event.reason == "Evicted")
                    .map(|e| (e.file, e.event.line, e.event.message.clone()))
            };
            let Some((file, range, message)) = from_status.or_else(from_event).or_else(|| {
                reason_evicted.then(|| {
                    let (_, r) = pod.reason.clone().unwrap_or_default();
                    (observed.file, r, String::new())
                })
            }) else {
                continue;
            };
            out.push(Eviction {
                pod: Some(index),
                pod_name: pod.name.map(String::from),
                namespace: pod.namespace.map(String::from),
                file,
                range,
                message: EvictionMessage::parse(&message),
            });
        }
        // `kubectl get events` rows about pods the paste does not describe.
        for at in ws.events() {
            if at.pod.is_some() || at.observed.is_some() || at.event.reason != "Evicted" {
                continue;
            }
            let name = at.event.object_name().map(String::from);
            if out.iter().any(|e| e.pod_name == name) {
                continue;
            }
            out.push(Eviction {
                pod: None,
                pod_name: name,
                namespace: at.event.namespace.clone(),
                file: at.file,
                range: at.event.line,
                message: EvictionMessage::parse(&at.event.message),
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Eviction) -> Diagnostic {
        let m = &state.message;
        let pod = match state.pod_name.as_deref() {
            Some(name) => format!("Pod {name}"),
            None => "A pod the paste does not name".into(),
        };
        let resource = m.resource.as_deref().unwrap_or("resources");
        let mut cause = match (&m.resource, &m.condition) {
            (Some(r), _) => format!("the node ran low on {r}"),
            (None, Some(c)) => format!("the node had condition {c}"),
            (None, None) => "the kubelet reclaimed resources on its node".to_string(),
        };
        for usage in &m.usages {
            let request = if quantity::parse(&usage.request) == Some(0.0) {
                format!("without requesting any {resource}")
            } else {
                format!("while requesting {}", usage.request)
            };
            cause.push_str(&format!(
                "; container {} was using {}{} {request}",
                usage.container,
                usage.used,
                readable(&usage.used)
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
        if let Some(limit) = &m.limit {
            cause.push_str(&format!("; {limit}"));
        }
        let help = if m.limit.is_some() {
            "Write bulk data to a volume sized for it (or raise the ephemeral-storage limit), and keep logs on stdout small; evicted pods stay listed as Failed until you delete them.".to_string()
        } else if m.usages.is_empty() {
            "Check the node's pressure (`kubectl describe node`: MemoryPressure / DiskPressure) and which pods use more than they request (`kubectl top pod`); evicted pods stay listed as Failed until you delete them.".to_string()
        } else {
            let measure = if resource == "memory" {
                "`kubectl top pod --containers`"
            } else {
                "the kubelet's `/stats/summary`"
            };
            format!(
                "Set the {resource} request to what the container really uses ({measure}, your metrics), so the scheduler leaves it room; evicted pods stay listed as Failed until you delete them (`kubectl delete pod --field-selector=status.phase=Failed`)."
            )
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!("{pod} was evicted: {cause}"),
            why: "Under node pressure the kubelet evicts first the pods that use most above their requests: a container that requests less than it uses is placed on nodes without room for it and evicted again.".into(),
            help: Some(help),
            object: match state.pod {
                Some(index) => Some(ws.pods[index].pod.reference()),
                None => Some(ObjectRef {
                    kind: "Pod".into(),
                    namespace: state.namespace.clone(),
                    name: state.pod_name.clone(),
                    source: None,
                }),
            },
            container: (m.usages.len() == 1).then(|| m.usages[0].container.clone()),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Eviction) -> Option<Fix> {
        let pod = &ws.pods[state.pod?].pod;
        let resource = state.message.resource.as_deref()?;
        if resource != "memory" && resource != "ephemeral-storage" {
            return None;
        }
        let mut edits: Vec<Edit> = Vec::new();
        let mut changes = Vec::new();
        let mut object_name = String::new();
        for usage in &state.message.usages {
            let Some((template, container)) = ws.manifest_container(pod, &usage.container) else {
                continue;
            };
            let object = ws.object_of(&ws.templates[template]);
            object_name = object.display();
            let Some(target) = request_for(resource, &usage.used) else {
                continue;
            };
            let wanted = quantity::parse(&target);
            let current = |section: &str| {
                container
                    .path(&["resources", section, resource])
                    .and_then(Node::as_str)
                    .and_then(quantity::parse)
            };
            if current("requests") >= wanted {
                continue;
            }
            edits.push(set_path(
                ws,
                object.file,
                container,
                &["resources", "requests", resource],
                &Value::Scalar(target.clone()),
            )?);
            // A request above the limit is rejected by the API server.
            if current("limits").is_some_and(|limit| Some(limit) < wanted) {
                edits.push(set_path(
                    ws,
                    object.file,
                    container,
                    &["resources", "limits", resource],
                    &Value::Scalar(target.clone()),
                )?);
            }
            changes.push(format!("{} to {target}", usage.container));
        }
        if edits.is_empty() {
            return None;
        }
        Some(Fix::new(
            format!(
                "Raise the {resource} request of container {} in {object_name} (what it used, rounded up)",
                changes.join(", container ")
            ),
            Applicability::Unsafe,
            edits,
        ))
    }
}

/// The request that covers `used`: memory rounded up to 64Mi, ephemeral-storage to 1Gi.
fn request_for(resource: &str, used: &str) -> Option<String> {
    let bytes = quantity::parse(used)?;
    let step = if resource == "memory" {
        64.0 * 1_048_576.0
    } else {
        1_073_741_824.0
    };
    let rounded = ((bytes / step).ceil().max(1.0)) * step;
    Some(quantity::format_bytes(rounded))
}

/// `1543012Ki` -> `1.5Gi`, for quantities a person does not read at a glance.
fn readable(used: &str) -> Option<String> {
    let bytes = quantity::parse(used)?;
    let (value, unit) = if bytes >= 1_073_741_824.0 {
        (bytes / 1_073_741_824.0, "Gi")
    } else {
        (bytes / 1_048_576.0, "Mi")
    };
    let shown = format!("{value:.1}{unit}").replace(".0", "");
    (shown != used).then_some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kubelet_wordings_read() {
        let old = EvictionMessage::parse("The node was low on resource: memory. Container report was using 1543012Ki, which exceeds its request of 128Mi. ");
        assert_eq!(old.resource.as_deref(), Some("memory"));
        assert_eq!(
            old.usages,
            vec![Usage {
                container: "report".into(),
                used: "1543012Ki".into(),
                request: "128Mi".into()
            }]
        );
        let new = EvictionMessage::parse("The node was low on resource: ephemeral-storage. Threshold quantity: 16015370671, available: 13389604Ki. Container step-push-image was using 60Ki, request is 0, has larger consumption of ephemeral-storage. Container train was using 7499Mi, request is 0, has larger consumption of ephemeral-storage. ");
        assert_eq!(new.resource.as_deref(), Some("ephemeral-storage"));
        assert_eq!(new.usages.len(), 2);
        assert_eq!(new.usages[1].used, "7499Mi");
        assert_eq!(new.usages[1].request, "0");
        let limit = EvictionMessage::parse(
            "Container cache exceeded its local ephemeral storage limit \"1Gi\". ",
        );
        assert_eq!(
            limit.limit.as_deref(),
            Some("Container cache exceeded its local ephemeral storage limit \"1Gi\"")
        );
        assert_eq!(
            request_for("memory", "1543012Ki").as_deref(),
            Some("1536Mi")
        );
        assert_eq!(
            request_for("ephemeral-storage", "7499Mi").as_deref(),
            Some("8Gi")
        );
        assert_eq!(readable("1543012Ki").as_deref(), Some("1.5Gi"));
    }
}
