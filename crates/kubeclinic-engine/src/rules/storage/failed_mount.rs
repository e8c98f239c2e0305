use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Severity};
use crate::model::Workspace;
use crate::patch::{column_of, set_paths, Value};
use crate::rule::Rule;
use crate::rules::configuration::read_missing;
use crate::rules::evidence::{capitalize, message_range, quoted_after, template_of, Subject};
use crate::runtime::events::Event;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds pods stuck in `ContainerCreating` because a volume cannot be attached or mounted:
    /// `Multi-Attach error for volume "pvc-x" Volume is already used by pod(s) y`,
    /// `AttachVolume.Attach failed`, `MountVolume.MountDevice failed`, an NFS `mount failed:
    /// exit status 32`, or only `Unable to attach or mount volumes: unmounted volumes=[data]
    /// ...: timed out waiting for the condition`. The most specific event of each pod is the
    /// finding; the timeout is only reported when nothing says more. ConfigMaps and Secrets
    /// that are not found belong to the configuration rules. For a Multi-Attach of a
    /// one-replica Deployment in the set, it switches the Deployment to `strategy: Recreate`.
    ///
    /// ## Why is this bad?
    /// None of the pod's containers start until every volume is mounted: the pod stays in
    /// `ContainerCreating` with no logs to read.
    ///
    /// ## Example
    /// ```text
    /// Name:         grafana-6d9f8c7b5-r4t6y
    /// Namespace:    monitoring
    /// Node:         node-3/10.0.0.7
    /// Status:       Pending
    /// Controlled By:  ReplicaSet/grafana-6d9f8c7b5
    /// Containers:
    ///   grafana:
    ///     Image:          grafana/grafana:10.4.2
    ///     State:          Waiting
    ///       Reason:       ContainerCreating
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason              Age   From                     Message
    ///   ----     ------              ----  ----                     -------
    ///   Warning  FailedAttachVolume  3m    attachdetach-controller  Multi-Attach error for volume "pvc-7a81d56f-1cf9-11eb-8295-b6961e0a47ed" Volume is already used by pod(s) grafana-6d9f8c7b5-k2l9m
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         grafana-6d9f8c7b5-r4t6y
    /// Namespace:    monitoring
    /// Node:         node-3/10.0.0.7
    /// Status:       Running
    /// Controlled By:  ReplicaSet/grafana-6d9f8c7b5
    /// Containers:
    ///   grafana:
    ///     Image:          grafana/grafana:10.4.2
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason                  Age   From                     Message
    ///   ----     ------                  ----  ----                     -------
    ///   Normal   SuccessfulAttachVolume  3m    attachdetach-controller  AttachVolume.Attach succeeded for volume "pvc-7a81d56f-1cf9-11eb-8295-b6961e0a47ed"
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `strategy: Recreate` stops the old pod before the new one starts, so a
    /// ReadWriteOnce volume is free to move, at the price of a short outage on every rollout.
    /// With more than one replica a single ReadWriteOnce volume cannot work; the help says what
    /// can (a StatefulSet, a ReadWriteMany class).
    pub struct FailedMount {
        id: "failed-mount",
        category: Storage,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `Unable to attach or mount volumes ... timed out waiting for the condition`: a symptom.
    Timeout,
    Other,
    SetUp,
    MountDevice,
    Attach,
    MultiAttach,
}

impl Kind {
    fn of(message: &str) -> Self {
        if message.contains("Multi-Attach error") {
            Kind::MultiAttach
        } else if message.contains("AttachVolume.Attach failed")
            || message.contains("WaitForAttach failed")
        {
            Kind::Attach
        } else if message.contains("MountVolume.MountDevice failed") {
            Kind::MountDevice
        } else if message.contains("MountVolume.SetUp failed")
            || message.contains("MapVolume.SetUpDevice failed")
        {
            Kind::SetUp
        } else if message.starts_with("Unable to attach or mount volumes")
            || message.starts_with("Unable to mount volumes")
        {
            Kind::Timeout
        } else {
            Kind::Other
        }
    }
}

pub struct Unmounted<'a> {
    subject: Subject,
    file: FileId,
    event: &'a Event,
    kind: Kind,
    history: bool,
}

impl Rule for FailedMount {
    type State<'a> = Unmounted<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unmounted<'a>> {
        let mut out: Vec<Unmounted> = Vec::new();
        // Pods whose ConfigMap or Secret is missing: the configuration rules say so.
        let mut configured: Vec<Subject> = Vec::new();
        for at in ws.events() {
            if !matches!(
                at.event.reason.as_str(),
                "FailedMount" | "FailedAttachVolume" | "FailedMapVolume"
            ) {
                continue;
            }
            let Some(subject) = Subject::at(ws, at).filter(|s| s.kind == "Pod") else {
                continue;
            };
            let message = at.event.message.as_str();
            if !read_missing(message).is_empty() {
                configured.push(subject);
                continue;
            }
            // Kubelet's informer cache race for the service account's CA: it heals itself.
            if message.contains("not registered") {
                continue;
            }
            let state = Unmounted {
                history: subject.recovered(ws),
                subject,
                file: at.file,
                event: at.event,
                kind: Kind::of(message),
            };
            match out.iter_mut().find(|u| u.subject.same(&state.subject)) {
                Some(previous) if previous.kind <= state.kind => *previous = state,
                Some(_) => {}
                None => out.push(state),
            }
        }
        out.retain(|u| !configured.iter().any(|s| s.same(&u.subject)));
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Unmounted<'a>) -> Diagnostic {
        let message = state.event.message.as_str();
        let volume = volume_of(message).unwrap_or_else(|| "a volume".into());
        let output = mount_output(ws, state);
        let (what, help) = match state.kind {
            Kind::MultiAttach => {
                let holders = message
                    .split_once("already used by pod(s) ")
                    .map(|(_, pods)| format!(" and used by pod(s) {}", pods.trim()))
                    .unwrap_or_default();
                (
                    format!("{volume} is attached to another node{holders} (Multi-Attach error)"),
                    "A ReadWriteOnce volume attaches to one node at a time. With a Deployment this is the rolling update: the new pod lands on another node while the old one still holds the volume; use `strategy: Recreate` for one replica, a StatefulSet with `volumeClaimTemplates` (a volume per replica) or a ReadWriteMany class for more. If no pod holds it any more, a stale VolumeAttachment may (`kubectl get volumeattachment`).".to_string(),
                )
            }
            Kind::Attach => (
                format!("attaching {volume} failed: {}", detail(message)),
                "Look at the CSI driver's controller pods and logs, the node's attach limit and the disk's zone (`kubectl describe volumeattachment`, `kubectl describe pv`).".to_string(),
            ),
            Kind::MountDevice => (
                format!("mounting the device of {volume} failed: {}", detail(message)),
                "Look at the CSI node plugin on that node (`kubectl logs -n kube-system <csi-node-pod> -c <driver>`) and the volume's filesystem; a device still mounted elsewhere or a failed fsck show there.".to_string(),
            ),
            Kind::SetUp => {
                let exit = detail(message);
                let out = output
                    .as_deref()
                    .map(|o| format!(" ({o})"))
                    .unwrap_or_default();
                (
                    format!("mounting {volume} failed: {exit}{out}"),
                    nfs_help(message, output.as_deref()),
                )
            }
            Kind::Other => (
                format!("{volume}: {}", first_line(message)),
                "Read the pod's other events and `kubectl describe pvc` for the volume's claim.".to_string(),
            ),
            Kind::Timeout => {
                let unmounted = message
                    .split_once("unmounted volumes=[")
                    .and_then(|(_, rest)| rest.split_once(']'))
                    .map(|(list, _)| list.replace(' ', ", "))
                    .unwrap_or_else(|| "its volumes".into());
                (
                    format!("volumes [{unmounted}] were not attached or mounted in time"),
                    "This event is the symptom; the cause is in an earlier FailedMount or FailedAttachVolume event of the pod (`kubectl get events --field-selector involvedObject.name=<pod>`), in `kubectl describe pvc`, or in the CSI driver's pods.".to_string(),
                )
            }
        };
        Diagnostic {
            file: state.file,
            range: message_range(ws, state.file, state.event),
            message: format!(
                "{} {} start: {what}",
                capitalize(&state.subject.label()),
                if state.history { "could not" } else { "cannot" }
            ),
            why: if state.history {
                "It runs now; the same volume can block the next rollout.".into()
            } else {
                "No container starts until every volume is mounted: the pod stays in ContainerCreating, with no logs to read.".into()
            },
            help: Some(help),
            object: Some(state.subject.reference()),
            container: None,
            severity: state.history.then_some(Severity::Info),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Unmounted<'a>) -> Option<Fix> {
        if state.kind != Kind::MultiAttach || state.history {
            return None;
        }
        let template = template_of(ws, &state.subject, None)?;
        let object = ws.object_of(&ws.templates[template]);
        if object.kind != "Deployment" {
            return None;
        }
        let mounts_claim = ws.templates[template]
            .spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|v| v.get("persistentVolumeClaim").is_some());
        let replicas = object
            .node
            .path(&["spec", "replicas"])
            .and_then(Node::as_i64)
            .unwrap_or(1);
        if !mounts_claim || replicas > 1 {
            return None;
        }
        let strategy = object.node.path(&["spec", "strategy"]);
        let kind = strategy.and_then(|s| s.get("type")).and_then(Node::as_str);
        if kind == Some("Recreate") {
            return None;
        }
        let rolling = strategy.and_then(|s| s.entry("rollingUpdate"));
        let recreate = || {
            set_paths(
                ws,
                object.file,
                object.node,
                &[(
                    vec!["spec", "strategy", "type"],
                    Value::Scalar("Recreate".into()),
                )],
            )
        };
        let edits = match (rolling, kind) {
            // `rollingUpdate` is refused next to `type: Recreate`: it goes.
            (Some(entry), Some(_)) => {
                let mut edits = recreate();
                edits.push(Edit::delete(
                    object.file,
                    crate::patch::entry_lines(ws, object.file, entry),
                ));
                edits
            }
            // Only `rollingUpdate`: it becomes the `type` line.
            (Some(entry), None) => {
                let lines = crate::patch::entry_lines(ws, object.file, entry);
                let indent = column_of(ws, object.file, entry.key.span.start);
                let newline = if ws.text(object.file)[..lines.end].ends_with('\n') {
                    "\n"
                } else {
                    ""
                };
                vec![Edit::replace(
                    object.file,
                    lines,
                    format!("{}type: Recreate{newline}", " ".repeat(indent)),
                )]
            }
            _ => recreate(),
        };
        if edits.is_empty() {
            return None;
        }
        Some(Fix::new(
            format!(
                "Use `strategy: Recreate` in {}, so the old pod releases the volume before the new one starts",
                object.display()
            ),
            Applicability::Unsafe,
            edits,
        ))
    }
}

/// `volume "data"` or `volume data` from the message.
fn volume_of(message: &str) -> Option<String> {
    quoted_after(message, "for volume ")
        .or_else(|| quoted_after(message, "error for volume "))
        .map(|v| format!("volume {v}"))
}

/// What follows ` : ` in `MountVolume.SetUp failed for volume "x" : mount failed: exit status 32`.
fn detail(message: &str) -> &str {
    let first = first_line(message);
    first
        .split_once(" : ")
        .map_or(first, |(_, rest)| rest)
        .trim()
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message)
}

/// mount(8)'s `Output:` line, which kubectl prints on lines of its own below the event.
fn mount_output(ws: &Workspace, state: &Unmounted) -> Option<String> {
    let text = ws.text(state.file);
    let after = text.get(state.event.line.end..)?;
    after
        .lines()
        .skip(1)
        .take(6)
        .find_map(|line| line.trim().strip_prefix("Output: "))
        .or_else(|| {
            state
                .event
                .message
                .split_once("Output: ")
                .map(|(_, o)| o.lines().next().unwrap_or(o))
        })
        .map(|o| o.trim().to_string())
}

fn nfs_help(message: &str, output: Option<&str>) -> String {
    let output = output.unwrap_or("");
    if output.contains("access denied") {
        "The NFS server refused the node: its exports (`/etc/exports`, or the NAS's share permissions) must allow the nodes' addresses, with the path as exported.".into()
    } else if output.contains("No such file or directory") {
        "The exported path does not exist on the NFS server: create it or correct `path` in the volume.".into()
    } else if output.contains("wrong fs type") || output.contains("bad option") {
        "The node lacks the NFS client (`nfs-common` on Debian/Ubuntu, `nfs-utils` on RHEL) or the mount options are wrong.".into()
    } else if output.contains("timed out") || output.contains("Connection refused") {
        "The node cannot reach the NFS server: check the address, firewalls and that the server runs.".into()
    } else if message.contains("exit status 32") {
        "mount(8) failed on the node (exit status 32): its `Output:` line says why; check the server's exports, the path, and that the node has the NFS client installed.".into()
    } else {
        "The kubelet could not set the volume up on the node: read the rest of the event and the kubelet's log on that node (`journalctl -u kubelet`).".into()
    }
}
