use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Severity};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::rule::Rule;
use crate::runtime::pod::ContainerView;
use crate::text::TextRange;
use crate::yaml::Node;

use super::termination::{running_and_ready, Context};

declare_rule! {
    /// ## What it does
    /// Finds containers the kubelet refused to create because the pod requires
    /// `runAsNonRoot` and the image does not comply: `container has runAsNonRoot and image
    /// will run as root`, `image has non-numeric user (app), cannot verify user is non-root`,
    /// or `container's runAsUser breaks non-root policy` (`CreateContainerConfigError`). When
    /// the workload's manifest is in the set, it sets a non-root `runAsUser` on the container.
    ///
    /// ## Why is this bad?
    /// The container is never created: the pod stays in `CreateContainerConfigError` and
    /// serves nothing. The image runs as root (no `USER` in its Dockerfile), or names its user
    /// by name, which the kubelet cannot check against the policy.
    ///
    /// ## Example
    /// ```text
    /// Name:         proxy-6b8c9d7f5-t4w9z
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Containers:
    ///   proxy:
    ///     Image:          nginx:1.27.2
    ///     State:          Waiting
    ///       Reason:       CreateContainerConfigError
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason   Age               From     Message
    ///   ----     ------   ----              ----     -------
    ///   Warning  Failed   8s (x6 over 1m)   kubelet  Error: container has runAsNonRoot and image will run as root (pod: "proxy-6b8c9d7f5-t4w9z_shop(5c1e2a40-7f1b-4d0e-9a63-2b8f4c1d9e07)", container: proxy)
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         proxy-6b8c9d7f5-t4w9z
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Containers:
    ///   proxy:
    ///     Image:          nginxinc/nginx-unprivileged:1.27.2
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:           <none>
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe for an image that runs as root: the fix sets `runAsUser: 10001` in the
    /// container's securityContext; the app then runs without root, and files it must write
    /// (caches, pid files, volumes without `fsGroup`) may not be writable. Display-only for
    /// an image with a named user: only you can look up that user's numeric UID.
    pub struct RunAsNonRootViolation {
        id: "run-as-non-root-violation",
        category: Containers,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

/// A non-root UID that no common base image assigns to a system account.
const NON_ROOT_UID: u32 = 10001;

#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// The image has no `USER`, or `USER root`.
    RunsAsRoot,
    /// The image's `USER` is a name (`USER app`).
    NamedUser(String),
    /// The pod or container sets `runAsUser: 0`.
    RunAsUserZero,
}

impl Refusal {
    fn read(message: &str) -> Option<Refusal> {
        if message.contains("runAsNonRoot and image will run as root") {
            return Some(Refusal::RunsAsRoot);
        }
        if let Some((_, rest)) = message.split_once("image has non-numeric user (") {
            let user = rest.split(')').next().unwrap_or("").to_string();
            return Some(Refusal::NamedUser(user));
        }
        if message.contains("runAsUser breaks non-root policy") {
            return Some(Refusal::RunAsUserZero);
        }
        None
    }
}

pub struct Violation {
    pod: usize,
    container: String,
    image: Option<String>,
    refusal: Refusal,
    file: FileId,
    range: TextRange,
    healthy_now: bool,
}

impl Rule for RunAsNonRootViolation {
    type State<'a> = Violation;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Violation> {
        let cx = Context::new(ws);
        let mut out: Vec<Violation> = Vec::new();
        for (index, observed) in ws.pods.iter().enumerate() {
            let pod = &observed.pod;
            let blocked: Vec<&ContainerView> = pod
                .containers
                .iter()
                .filter(|c| {
                    c.state.as_ref().and_then(|s| s.reason.as_deref())
                        == Some("CreateContainerConfigError")
                })
                .collect();
            let mut found: Vec<(String, Refusal, FileId, TextRange)> = Vec::new();
            for c in &pod.containers {
                if let Some(state) = &c.state {
                    if let Some(refusal) = state.message.as_deref().and_then(Refusal::read) {
                        found.push((c.name.clone(), refusal, observed.file, state.range));
                    }
                }
            }
            for at in cx.events(index) {
                let Some(refusal) = Refusal::read(&at.event.message) else {
                    continue;
                };
                // `(pod: "web-1_shop(uid)", container: web)` since Kubernetes 1.19; older
                // kubelets do not name it.
                let named = at
                    .event
                    .message
                    .split_once("container: ")
                    .map(|(_, rest)| rest.trim_end_matches(')').trim().to_string());
                let name = named.or_else(|| {
                    let regular: Vec<&ContainerView> =
                        pod.containers.iter().filter(|c| !c.init).collect();
                    match (blocked.as_slice(), regular.as_slice()) {
                        ([only], _) | ([], [only]) => Some(only.name.clone()),
                        _ => None,
                    }
                });
                let Some(name) = name else { continue };
                if found.iter().any(|(n, ..)| *n == name) {
                    continue;
                }
                found.push((name, refusal, at.file, at.event.line));
            }
            for (name, refusal, file, range) in found {
                let Some(container) = pod.container(&name) else {
                    continue;
                };
                out.push(Violation {
                    pod: index,
                    container: name,
                    image: container.image.as_ref().map(|(i, _)| i.clone()),
                    refusal,
                    file,
                    range,
                    healthy_now: running_and_ready(container),
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Violation) -> Diagnostic {
        let pod = &ws.pods[state.pod].pod;
        let image = state
            .image
            .as_deref()
            .map_or("its image".to_string(), |i| format!("image {i}"));
        let (what, help) = match &state.refusal {
            Refusal::RunsAsRoot => (
                format!("the pod requires runAsNonRoot, but {image} runs as root (it sets no non-root USER)"),
                "Build the image with a numeric non-root user (`USER 10001` in the Dockerfile), use a non-root variant of it, or set `securityContext.runAsUser` to a UID the image works with (a non-root process cannot bind ports below 1024 or write root-owned paths); keep `runAsNonRoot`, it is the policy that caught this.".to_string(),
            ),
            Refusal::NamedUser(user) => (
                format!("the pod requires runAsNonRoot, and {image} names its user `{user}`, which the kubelet cannot verify is not root"),
                format!("Set `securityContext.runAsUser` to the numeric UID of `{user}` (`docker run --rm --entrypoint id <image> -u`), or use `USER <uid>` instead of `USER {user}` in the Dockerfile."),
            ),
            Refusal::RunAsUserZero => (
                "the pod requires runAsNonRoot, but its securityContext sets runAsUser: 0 (root)".to_string(),
                "Set `runAsUser` to a non-root UID the image works with, or remove it to use the image's own non-root USER.".to_string(),
            ),
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!(
                "{} is not created: {what}",
                pod.container_label(&state.container)
            ),
            why: "The kubelet refuses to create the container (CreateContainerConfigError), so the pod never runs.".into(),
            help: Some(help),
            object: Some(pod.reference()),
            container: Some(state.container.clone()),
            severity: state.healthy_now.then_some(Severity::Info),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Violation) -> Option<Fix> {
        let pod = &ws.pods[state.pod].pod;
        let (template, container) = ws.manifest_container(pod, &state.container)?;
        let object = ws.object_of(&ws.templates[template]);
        let uid = |node: Option<&Node>| {
            node.and_then(|n| n.path(&["securityContext", "runAsUser"]))
                .and_then(Node::as_i64)
        };
        // The container's setting wins over the pod's.
        let effective = uid(Some(container)).or(uid(Some(ws.templates[template].spec)));
        if effective.is_some_and(|u| u > 0) {
            return None;
        }
        let path = ["securityContext", "runAsUser"];
        match &state.refusal {
            Refusal::NamedUser(user) => {
                let placeholder = format!("<uid-of-{user}>");
                let edit = set_path(
                    ws,
                    object.file,
                    container,
                    &path,
                    &Value::Scalar(placeholder),
                )?;
                Some(Fix::new(
                    format!(
                        "Run container {} in {} as the numeric UID of user `{user}`",
                        state.container,
                        object.display()
                    ),
                    Applicability::DisplayOnly,
                    vec![edit],
                ))
            }
            Refusal::RunsAsRoot | Refusal::RunAsUserZero => {
                let edit = set_path(
                    ws,
                    object.file,
                    container,
                    &path,
                    &Value::Literal(NON_ROOT_UID.to_string()),
                )?;
                Some(Fix::new(
                    format!(
                        "Run container {} in {} as UID {NON_ROOT_UID} (runAsUser: {NON_ROOT_UID})",
                        state.container,
                        object.display()
                    ),
                    Applicability::Unsafe,
                    vec![edit],
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_refusals_read() {
        assert_eq!(
            Refusal::read("Error: container has runAsNonRoot and image will run as root (pod: \"a_b(c)\", container: web)"),
            Some(Refusal::RunsAsRoot)
        );
        assert_eq!(
            Refusal::read("container has runAsNonRoot and image has non-numeric user (argocd), cannot verify user is non-root (pod: \"x\", container: application-controller)"),
            Some(Refusal::NamedUser("argocd".into()))
        );
        assert_eq!(
            Refusal::read("Error: container's runAsUser breaks non-root policy (pod: \"a_b(c)\", container: web)"),
            Some(Refusal::RunAsUserZero)
        );
    }
}
