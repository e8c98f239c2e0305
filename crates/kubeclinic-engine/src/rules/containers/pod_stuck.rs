use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds pods that the paste shows stuck, without the message that says why: a `kubectl
    /// get pods` row in `ImagePullBackOff`, `ErrImagePull`, `CreateContainerConfigError` or
    /// `Pending`, or a container's `State: Waiting` with such a reason among a few describe
    /// fields. When the workload's manifest is in the set, the finding points at the image
    /// (or the container) it would start.
    ///
    /// ## Why is this bad?
    /// The container never starts: the pod serves nothing, and a rollout waiting for it never
    /// completes. The status word only names the symptom; kubelet's or the scheduler's event
    /// (`Failed to pull image "x": ... not found`, `0/3 nodes are available: ...`) names the
    /// cause, and other rules turn it into a fix once it is in the paste.
    ///
    /// ## Example
    /// ```text
    /// NAME                       READY   STATUS             RESTARTS   AGE
    /// notifier-7c5b9d8f4-k2xwq   0/1     ImagePullBackOff   0          6m12s
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// NAME                       READY   STATUS    RESTARTS   AGE
    /// notifier-7c5b9d8f4-k2xwq   1/1     Running   0          6m12s
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the cause is not in the paste. `kubectl describe pod` shows it in its Events.
    pub struct PodStuck {
        id: "pod-stuck",
        category: Containers,
        severity: Warning,
        fix: None,
        reads: Runtime,
    }
}

/// Waiting reasons that keep a container from ever starting. `CrashLoopBackOff` is not one:
/// the container ran, and `crashloop-app-error` reads why it stopped.
const STUCK: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

pub struct Stuck {
    pod: usize,
    file: FileId,
    /// The container, when one is stuck (not for a Pending pod).
    container: Option<String>,
    /// `ImagePullBackOff`, `Pending`.
    reason: String,
    range: TextRange,
    image: Option<String>,
}

impl Rule for PodStuck {
    type State<'a> = Stuck;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Stuck> {
        // Any warning the paste holds about this pod, or about a pod it does not name, may be
        // the cause: the rule that reads it speaks then.
        // A pod may stand twice in a paste (a `kubectl get pods` row and its describe): the
        // same name is the same pod.
        let same = |p: usize, index: usize| {
            p == index
                || ws.pods[p].pod.name.is_some() && ws.pods[p].pod.name == ws.pods[index].pod.name
        };
        let explained = |index: usize| {
            ws.events().iter().any(|e| {
                e.event.is_warning()
                    && e.pod
                        .is_none_or(|p| same(p, index) || ws.pods[p].pod.name.is_none())
            }) || ws
                .pull_failures()
                .iter()
                .any(|f| f.pod_index.is_none_or(|p| same(p, index)))
        };
        let mut out = Vec::new();
        for (index, observed) in ws.pods.iter().enumerate() {
            let pod = &observed.pod;
            if pod.is_healthy() || explained(index) {
                continue;
            }
            let stuck = pod.containers.iter().find_map(|c| {
                let state = c.state.as_ref().filter(|s| s.state == "Waiting")?;
                let reason = state.reason.as_deref().filter(|r| STUCK.contains(r))?;
                Some(Stuck {
                    pod: index,
                    file: observed.file,
                    container: Some(c.name.clone()).filter(|n| !n.is_empty()),
                    reason: reason.to_string(),
                    range: state.range,
                    image: c.image.as_ref().map(|(i, _)| i.clone()),
                })
            });
            if let Some(stuck) = stuck {
                out.push(stuck);
                continue;
            }
            // A pod row's `Pending`: no container state yet, and no event said why.
            let described = ws.parsed.runtime[observed.file]
                .observed
                .iter()
                .any(|o| !o.partial && o.name.as_deref() == pod.name);
            if pod.status == Some("Pending") && pod.containers.is_empty() && !described {
                let range = pod.anchor;
                out.push(Stuck {
                    pod: index,
                    file: observed.file,
                    container: None,
                    reason: "Pending".into(),
                    range: status_cell(ws, observed.file, range),
                    image: None,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Stuck) -> Diagnostic {
        let pod = &ws.pods[state.pod].pod;
        let describe = format!(
            "`kubectl describe pod {}{}`",
            pod.name.unwrap_or("<pod>"),
            pod.namespace
                .map(|n| format!(" -n {n}"))
                .unwrap_or_default()
        );
        let image = state
            .image
            .clone()
            .or_else(|| manifest_image(ws, state).map(|(i, _, _)| i.to_string()));
        let (message, why, help) = match state.reason.as_str() {
            "Pending" => (
                format!(
                    "{} is Pending and the paste does not say why",
                    crate::rules::evidence::capitalize(&pod.label())
                ),
                "No node runs it yet: the scheduler found no node for it, or its volumes are not ready, and it serves nothing until then.",
                format!("{describe} shows the scheduler's `FailedScheduling` event (resources, node selector, taints, claims); paste its Events with the workload's manifest."),
            ),
            "ErrImagePull" | "ImagePullBackOff" | "ErrImageNeverPull" | "InvalidImageName" => (
                format!(
                    "{} is stuck in {}: kubelet cannot pull {}, and the paste does not say why",
                    pod.container_label(state.container.as_deref().unwrap_or("")),
                    state.reason,
                    image.map_or_else(|| "its image".to_string(), |i| format!("`{i}`"))
                ),
                "The container never starts: kubelet retries the pull with growing back-off and the pod serves nothing.",
                format!("{describe} shows kubelet's `Failed to pull image` event with the registry's answer (not found, unauthorized, rate limit, unreachable); check the image's name and tag, and that the registry lets the node pull it."),
            ),
            _ => (
                format!(
                    "{} is stuck in {}: kubelet cannot create it, and the paste does not say why",
                    pod.container_label(state.container.as_deref().unwrap_or("")),
                    state.reason
                ),
                "The container is never created, so the pod never runs.",
                format!("{describe} shows kubelet's `Failed` event: usually a ConfigMap, Secret or key the container reads that does not exist, or a command the image lacks."),
            ),
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message,
            why: why.into(),
            help: Some(help),
            object: Some(pod.reference()),
            container: state.container.clone(),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, state: &Stuck) -> Vec<Related> {
        let Some((image, node, template)) = manifest_image(ws, state) else {
            return Vec::new();
        };
        let object = ws.object_of(&ws.templates[template]);
        vec![Related {
            file: object.file,
            range: node.span,
            message: format!("the image {image} in {}", object.display()),
        }]
    }
}

/// The manifest's `image` of the stuck container, when its workload is in the set.
fn manifest_image<'a>(ws: &Workspace<'a>, state: &Stuck) -> Option<(&'a str, &'a Node, usize)> {
    let pod = &ws.pods[state.pod].pod;
    let template = ws.owner_template(pod)?;
    let container = match &state.container {
        Some(name) => ws
            .containers_of(template)
            .find(|c| c.name == Some(name.as_str()))?,
        None => {
            let mut regular = ws
                .containers_of(template)
                .filter(|c| c.kind == crate::model::ContainerKind::Regular);
            let only = regular.next()?;
            regular.next().is_none().then_some(only)?
        }
    };
    let node = container.node.get("image")?;
    Some((node.as_str()?, node, template))
}

/// The `Pending` cell of a pod row, else the row.
fn status_cell(ws: &Workspace, file: FileId, row: TextRange) -> TextRange {
    let text = ws.source(file, row);
    match text.find("Pending") {
        Some(at) => TextRange::new(row.start + at, row.start + at + "Pending".len()),
        None => row,
    }
}
