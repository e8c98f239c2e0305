use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::{judged, Admission, Level};

declare_rule! {
    /// ## What it does
    /// Finds `hostPath` volumes, a control of the Pod Security Standards' `baseline` level, one
    /// finding per volume. It names the container runtime's socket (`/var/run/docker.sock`,
    /// `/run/containerd/containerd.sock`, `/var/run/crio/crio.sock`) and the node's root
    /// directory when the volume is one of them, or the directory that holds them.
    ///
    /// ## Why is this bad?
    /// The pod reads, and unless every mount is `readOnly` changes, the node's own files: its
    /// credentials, its logs, other pods' volumes. The runtime's socket is root on the node:
    /// whoever reaches it starts a privileged container there. The pod is also tied to what one
    /// node holds. A namespace that enforces the `baseline` (or `restricted`) Pod Security
    /// level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///     - name: build
    ///       image: ghcr.io/example/builder:1.8.0
    ///       volumeMounts:
    ///         - name: docker
    ///           mountPath: /var/run/docker.sock
    ///   volumes:
    ///     - name: docker
    ///       hostPath:
    ///         path: /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///     - name: build
    ///       image: ghcr.io/example/builder:1.8.0
    ///       volumeMounts:
    ///         - name: workspace
    ///           mountPath: /workspace
    ///   volumes:
    ///     - name: workspace
    ///       emptyDir: {}
    /// ```
    ///
    /// ## Fix safety
    /// No fix: what replaces the node's files (a PersistentVolumeClaim, an `emptyDir`, a
    /// ConfigMap or Secret volume, a daemonless image builder) depends on what the pod reads
    /// there.
    pub struct HostPath {
        id: "host-path",
        category: Security,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

/// The container runtimes' sockets, by path under `/run` (`/var/run` links to it).
const SOCKETS: &[(&str, &str)] = &[
    ("/run/docker.sock", "the Docker socket"),
    ("/run/containerd/containerd.sock", "the containerd socket"),
    (
        "/run/k3s/containerd/containerd.sock",
        "the containerd socket",
    ),
    ("/run/crio/crio.sock", "the CRI-O socket"),
    ("/run/cri-dockerd.sock", "the cri-dockerd socket"),
    ("/run/dockershim.sock", "the dockershim socket"),
];

/// What a host path gives the pod, when it is more than some of the node's files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reach {
    /// One runtime socket.
    Socket(&'static str),
    /// A directory that holds a runtime socket.
    HoldsSocket(&'static str),
    /// `/`: every file of the node.
    Root,
    Files,
}

fn reach(path: &str) -> Reach {
    let trimmed = path.trim();
    let trimmed = if trimmed.len() > 1 {
        trimmed.trim_end_matches('/')
    } else {
        trimmed
    };
    if trimmed == "/" {
        return Reach::Root;
    }
    let under_run = trimmed
        .strip_prefix("/var/run")
        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        .map(|rest| format!("/run{rest}"))
        .unwrap_or_else(|| trimmed.to_string());
    if let Some((_, name)) = SOCKETS.iter().find(|(s, _)| *s == under_run) {
        return Reach::Socket(name);
    }
    let inside = format!("{under_run}/");
    match SOCKETS.iter().find(|(s, _)| s.starts_with(&inside)) {
        Some((_, name)) => Reach::HoldsSocket(name),
        None => Reach::Files,
    }
}

pub struct Mounted<'a> {
    template: usize,
    volume: &'a Node,
    /// The `path` of the hostPath, else the hostPath itself.
    at: &'a Node,
    admission: Admission<'a>,
}

impl Mounted<'_> {
    fn name(&self) -> &str {
        self.volume
            .get("name")
            .and_then(Node::as_str)
            .unwrap_or("(no name)")
    }

    fn path(&self) -> &str {
        self.at.as_str().unwrap_or("")
    }
}

impl Rule for HostPath {
    type State<'a> = Mounted<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mounted<'a>> {
        let mut out = Vec::new();
        for (index, t) in judged(ws) {
            let volumes = t.spec.get("volumes").map(Node::items).unwrap_or_default();
            for volume in volumes {
                let Some(host) = volume.get("hostPath") else {
                    continue;
                };
                let Some(admission) = Admission::of(ws, index, Level::Baseline) else {
                    continue;
                };
                out.push(Mounted {
                    template: index,
                    volume,
                    at: host.get("path").unwrap_or(host),
                    admission,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Mounted<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[m.template]);
        let path = m.path();
        let source = format!("hostPath {path}, volume {}", m.name());
        let reach = reach(path);
        // No node agent needs the runtime's socket handed to it: that stays a warning.
        let severity = match reach {
            Reach::Socket(_) => m.admission.severity_for_any_workload(),
            _ => m.admission.severity(),
        };
        let (what, why, help) = match reach {
            Reach::Socket(socket) => (
                format!("mounts {socket} of the node ({source})"),
                "Whoever reaches the container runtime's socket can start a privileged container on the node: it is root on the node, whatever the pod's own securityContext says.",
                "Do not hand a workload the runtime's socket: build images with a daemonless builder (BuildKit rootless, kaniko, buildah), and read what runs on the node through the Kubernetes API.",
            ),
            Reach::HoldsSocket(socket) => (
                format!("mounts {path} of the node, which holds {socket} ({source})"),
                "Whoever reaches the container runtime's socket can start a privileged container on the node: it is root on the node, whatever the pod's own securityContext says.",
                "Mount only the directory the pod needs, never one that holds the runtime's socket; for scratch space use an `emptyDir`.",
            ),
            Reach::Root => (
                format!("mounts the node's whole file system ({source})"),
                "The pod reads, and unless every mount is readOnly changes, every file of the node: the kubelet's credentials, other pods' volumes and secrets.",
                "Mount only the directory the pod needs, `readOnly: true`; for data use a PersistentVolumeClaim, for scratch space an `emptyDir`.",
            ),
            Reach::Files => (
                format!("mounts {path} of the node ({source})"),
                "The pod reads, and unless every mount is readOnly changes, the node's own files, and only runs well on nodes that have them.",
                "Use a PersistentVolumeClaim for data that must outlive the pod, an `emptyDir` for scratch space, a ConfigMap or Secret volume for configuration.",
            ),
        };
        Diagnostic {
            file: object.file,
            range: m.at.span,
            message: format!("{} {what}{}", object.display(), m.admission.suffix()),
            why: format!("{why} {}", m.admission.consequence(object)),
            help: Some(format!(
                "{help} A node agent that truly needs the node's files belongs in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`, with its mounts `readOnly: true`."
            )),
            object: Some(object.reference()),
            container: None,
            severity,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Mounted<'a>) -> Vec<Related> {
        let object = ws.object_of(&ws.templates[m.template]);
        let mut out = Vec::new();
        for c in ws.containers_of(m.template) {
            let mounts = c
                .node
                .get("volumeMounts")
                .map(Node::items)
                .unwrap_or_default();
            for mount in mounts {
                if mount.get("name").and_then(Node::as_str) != Some(m.name()) {
                    continue;
                }
                let Some(at) = mount.get("mountPath") else {
                    continue;
                };
                out.push(Related {
                    file: object.file,
                    range: at.span,
                    message: format!(
                        "mounted at {} in container {}",
                        at.as_str().unwrap_or(""),
                        c.name.unwrap_or("(no name)")
                    ),
                });
            }
        }
        out.extend(m.admission.related());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_sockets_and_their_directories_are_named() {
        assert_eq!(
            reach("/var/run/docker.sock"),
            Reach::Socket("the Docker socket")
        );
        assert_eq!(
            reach("/run/containerd/containerd.sock"),
            Reach::Socket("the containerd socket")
        );
        assert_eq!(
            reach("/var/run/containerd/"),
            Reach::HoldsSocket("the containerd socket")
        );
        assert_eq!(reach("/var/run"), Reach::HoldsSocket("the Docker socket"));
        assert_eq!(reach("/"), Reach::Root);
        assert_eq!(reach("/var/log"), Reach::Files);
        assert_eq!(reach("/var"), Reach::Files);
        assert_eq!(reach("/var/runner"), Reach::Files);
    }
}
