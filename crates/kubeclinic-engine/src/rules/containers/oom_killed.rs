use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::quantity;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::termination::running_and_ready;

declare_rule! {
    /// ## What it does
    /// Finds containers that the kernel killed for going over their memory limit
    /// (`Reason: OOMKilled`, exit code 137) in `kubectl describe pod` output, and, when the
    /// workload's manifest is in the set, raises that container's memory limit.
    ///
    /// ## Why is this bad?
    /// The container is killed mid-work every time it reaches its limit, then restarted with
    /// growing back-off: the pod shows `CrashLoopBackOff`, requests fail while it is down, and
    /// the logs show nothing because the process had no chance to write them.
    ///
    /// ## Example
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Controlled By:  ReplicaSet/api-5d8f7c9b4
    /// Containers:
    ///   api:
    ///     Image:          shop/api:2.3.1
    ///     State:          Waiting
    ///       Reason:       CrashLoopBackOff
    ///     Last State:     Terminated
    ///       Reason:       OOMKilled
    ///       Exit Code:    137
    ///     Ready:          False
    ///     Restart Count:  6
    ///     Limits:
    ///       memory:  256Mi
    /// QoS Class:        Burstable
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Controlled By:  ReplicaSet/api-5d8f7c9b4
    /// Containers:
    ///   api:
    ///     Image:          shop/api:2.3.1
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    ///     Limits:
    ///       memory:  512Mi
    /// QoS Class:        Burstable
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix doubles the memory limit of that container in its manifest. The right
    /// value is the container's real peak (`kubectl top pod`, your metrics); if memory grows
    /// without bound, a higher limit only delays the next kill: look for a leak.
    pub struct OomKilled {
        id: "oom-killed",
        category: Containers,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

pub struct OomKill {
    pod: usize,
    container: String,
    range: TextRange,
    /// Still crash-looping (error), or running again after an earlier kill.
    looping: bool,
    /// Running and ready now: the kill is history (info).
    healthy_now: bool,
    restarts: u32,
    limit: Option<String>,
}

impl Rule for OomKilled {
    type State<'a> = OomKill;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<OomKill> {
        let mut out = Vec::new();
        for (index, observed) in ws.pods.iter().enumerate() {
            for c in &observed.pod.containers {
                let killed = [&c.state, &c.last_state]
                    .into_iter()
                    .flatten()
                    .find(|s| s.reason.as_deref() == Some("OOMKilled"));
                let Some(killed) = killed else { continue };
                out.push(OomKill {
                    pod: index,
                    container: c.name.clone(),
                    range: killed.range,
                    looping: c.ready != Some(true),
                    // Ready again after one kill is history; killed again and again is not.
                    healthy_now: running_and_ready(c) && c.restarts < 3,
                    restarts: c.restarts,
                    limit: c
                        .limits
                        .iter()
                        .find(|(k, _, _)| k == "memory")
                        .map(|(_, v, _)| v.clone()),
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &OomKill) -> Diagnostic {
        let observed = &ws.pods[state.pod];
        let limit = match &state.limit {
            Some(limit) => format!("its memory limit is {limit}"),
            None if observed.pod.partial => {
                "the paste does not show its memory limit (`kubectl describe pod` does)".to_string()
            }
            None => "it has no memory limit, so the node itself ran out of memory".to_string(),
        };
        let restarts = if state.restarts > 0 {
            format!(" ({} restarts so far)", state.restarts)
        } else {
            String::new()
        };
        Diagnostic {
            file: observed.file,
            range: state.range,
            message: format!(
                "{} was killed for using more memory than allowed (OOMKilled, exit code 137){restarts}; {limit}",
                observed.pod.container_label(&state.container)
            ),
            why: if state.looping {
                "Each time it reaches the limit the kernel kills it and Kubernetes restarts it with growing back-off: the pod crash-loops and serves nothing while down."
            } else {
                "It runs again, but the next peak will kill it again: in-flight work is lost each time."
            }
            .into(),
            help: Some(match &state.limit {
                None if observed.pod.partial => "Raise the container's memory limit to its real peak (check `kubectl top pod` or your metrics), or set one if it has none; if usage keeps growing, look for a leak.".into(),
                Some(_) => "Raise the memory limit to the container's real peak (check `kubectl top pod` or your metrics); if usage keeps growing, look for a leak.".into(),
                None => "Set memory requests and a limit that match the container's real use, so the scheduler places it on a node with room.".into(),
            }),
            object: Some(observed.pod.reference()),
            container: Some(state.container.clone()),
            severity: if state.healthy_now {
                Some(Severity::Info)
            } else {
                (!state.looping).then_some(Severity::Warning)
            },
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &OomKill) -> Option<Fix> {
        let observed = &ws.pods[state.pod];
        let (template, container) = ws.manifest_container(&observed.pod, &state.container)?;
        let object = ws.object_of(&ws.templates[template]);
        let current = container
            .path(&["resources", "limits", "memory"])
            .and_then(Node::as_str)
            .map(String::from);
        // The limit the container hit is the one the cluster reported; doubling that (not the
        // manifest's value) keeps the fix stable once applied.
        let hit = state.limit.clone().or_else(|| current.clone())?;
        let raised = quantity::scale(&hit, 2.0)?;
        if current.as_deref().and_then(quantity::parse) >= quantity::parse(&raised) {
            return None;
        }
        let edit = set_path(
            ws,
            object.file,
            container,
            &["resources", "limits", "memory"],
            &Value::Scalar(raised.clone()),
        )?;
        let current = current.unwrap_or(hit);
        Some(Fix::new(
            format!(
                "Raise the memory limit of container {} in {} from {current} to {raised} (twice the limit it hit)",
                state.container,
                object.display()
            ),
            Applicability::Unsafe,
            vec![edit],
        ))
    }
}
