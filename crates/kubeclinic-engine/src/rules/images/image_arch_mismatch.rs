use super::pull_failure::{failures_where, manifest_container, Cause, PullFailure};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds containers whose image was built for another CPU architecture than their node:
    /// `exec /usr/local/bin/python: exec format error` in the logs or a container's last state,
    /// or a pull that failed with `no matching manifest for linux/amd64 in the manifest list
    /// entries` / `no match for platform in manifest`. When the node's architecture is known
    /// (a described Node, the platform in the message) and the workload's manifest is in the
    /// set, the fix pins the pods to nodes of the image's architecture.
    ///
    /// ## Why is this bad?
    /// The kernel cannot execute the binary, so the container exits at once and the pod
    /// crash-loops (or never pulls) on every node of that architecture. The usual cause: an
    /// image built on an Apple Silicon laptop is arm64 only, and the cluster's nodes are amd64.
    ///
    /// ## Example
    /// ```text
    /// $ kubectl describe pod klines-m5-29120415-8xk2p -n petrosa-apps
    /// Name:         klines-m5-29120415-8xk2p
    /// Namespace:    petrosa-apps
    /// Node:         pool-amd64-3b7f/10.128.0.31
    /// Controlled By:  Job/klines-m5-29120415
    /// Containers:
    ///   extractor:
    ///     Image:          yurisa2/petrosa-binance-data-extractor:v1.0.71
    ///     State:          Waiting
    ///       Reason:       CrashLoopBackOff
    ///     Last State:     Terminated
    ///       Reason:       Error
    ///       Exit Code:    255
    ///     Ready:          False
    ///     Restart Count:  4
    /// QoS Class:        BestEffort
    /// Events:           <none>
    /// $ kubectl logs klines-m5-29120415-8xk2p -n petrosa-apps
    /// exec /usr/local/bin/python: exec format error
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl describe pod klines-m5-29120415-8xk2p -n petrosa-apps
    /// Name:         klines-m5-29120415-8xk2p
    /// Namespace:    petrosa-apps
    /// Node:         pool-amd64-3b7f/10.128.0.31
    /// Controlled By:  Job/klines-m5-29120415
    /// Containers:
    ///   extractor:
    ///     Image:          yurisa2/petrosa-binance-data-extractor:v1.0.72
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:           <none>
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a `kubernetes.io/arch` nodeSelector changes where the pods may run, and leaves
    /// them Pending if the cluster has no node of that architecture. The lasting cure is a
    /// multi-architecture image (`docker buildx build --platform linux/amd64,linux/arm64`),
    /// after which the selector can go.
    pub struct ImageArchMismatch {
        id: "image-arch-mismatch",
        category: Images,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

const ARCH_LABEL: &str = "kubernetes.io/arch";

/// What is known of the node and the image.
pub struct Mismatch {
    failure: PullFailure,
    /// The architecture of the node it failed on.
    node_arch: Option<String>,
    /// Nodes in the input by architecture, to say whether the other kind exists.
    arches: Vec<String>,
}

impl Mismatch {
    /// The architecture to pin the pods to: the other one of the two that clusters mix.
    fn target(&self) -> Option<&'static str> {
        match self.node_arch.as_deref()? {
            "amd64" => Some("arm64"),
            "arm64" => Some("amd64"),
            _ => None,
        }
    }
}

impl Rule for ImageArchMismatch {
    type State<'a> = Mismatch;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mismatch> {
        let nodes = node_arches(ws);
        failures_where(ws, |c| c == Cause::Platform)
            .into_iter()
            .map(|failure| {
                let node_arch = platform_in(&failure.text).or_else(|| {
                    let node = failure.node.as_deref()?;
                    nodes
                        .iter()
                        .find(|(name, _)| name == node)
                        .map(|(_, arch)| arch.clone())
                });
                Mismatch {
                    failure,
                    node_arch,
                    arches: nodes.iter().map(|(_, a)| a.clone()).collect(),
                }
            })
            .collect()
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &Mismatch) -> Diagnostic {
        let f = &state.failure;
        let node = match (&f.node, &state.node_arch) {
            (Some(n), Some(a)) => format!("node {n} ({a})"),
            (Some(n), None) => format!("node {n}"),
            (None, Some(a)) => format!("its {a} node"),
            (None, None) => "its node".to_string(),
        };
        let pull = !f.text.to_ascii_lowercase().contains("exec format error");
        let message = if pull {
            format!(
                "Image {} of {} has no variant for the platform of {node} ({})",
                f.image_label(),
                f.subject(),
                f.evidence
            )
        } else {
            format!(
                "{} cannot start on {node}: {} holds binaries built for another CPU architecture ({})",
                crate::rules::evidence::capitalize(&f.subject()),
                f.image_label(),
                f.evidence
            )
        };
        let image = f.image.as_deref().unwrap_or("<image>");
        let likely = match state.target() {
            Some(target) => format!(
                "The image is most likely {target} only (images built on Apple Silicon are arm64 unless told otherwise). "
            ),
            None => "Find the node's architecture with `kubectl get nodes -L kubernetes.io/arch`. ".to_string(),
        };
        f.diagnostic(
            message,
            if f.recovered {
                "The container runs now, so this is history; it returns whenever a pod lands on a node of the other architecture.".into()
            } else if pull {
                "No node of this architecture can pull the image: the pod stays in ErrImagePull/ImagePullBackOff.".into()
            } else {
                "The kernel cannot execute the binary, so the container exits at once and the pod crash-loops on every node of this architecture.".into()
            },
            format!(
                "{likely}Build and push the image for both architectures, `docker buildx build --platform linux/amd64,linux/arm64 -t {image} --push .`, and check what it holds with `docker buildx imagetools inspect {image}`. Until then a nodeSelector on `{ARCH_LABEL}` keeps the pods on nodes that can run it."
            ),
        )
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Mismatch) -> Option<Fix> {
        let f = &state.failure;
        if f.recovered {
            return None;
        }
        let target = state.target()?;
        let container = manifest_container(ws, f)?;
        let template = &ws.templates[ws.containers[container].template];
        let current = template
            .spec
            .path(&["nodeSelector", ARCH_LABEL])
            .and_then(Node::as_str);
        if current == Some(target) {
            return None;
        }
        let object = ws.object_of(template);
        let edit = set_path(
            ws,
            object.file,
            template.spec,
            &["nodeSelector", ARCH_LABEL],
            &Value::Scalar(target.to_string()),
        )?;
        let caveat = if state.arches.iter().any(|a| a == target) {
            String::new()
        } else {
            format!("; pods stay Pending unless the cluster has {target} nodes")
        };
        Some(Fix::new(
            format!(
                "Run the pods of {} only on {target} nodes ({ARCH_LABEL}: {target}), the architecture the image was most likely built for{caveat}",
                object.display()
            ),
            Applicability::Unsafe,
            vec![edit],
        ))
    }
}

/// `no matching manifest for linux/amd64 in the manifest list entries` -> `amd64`.
fn platform_in(text: &str) -> Option<String> {
    let rest = text.split("no matching manifest for ").nth(1)?;
    let platform = rest.split_whitespace().next()?;
    let arch = platform.split('/').nth(1)?;
    Some(arch.to_string())
}

/// `(node, architecture)` from described Nodes (`kubernetes.io/arch=amd64` in Labels) and Node
/// objects (`kubectl get node -o yaml`).
fn node_arches(ws: &Workspace) -> Vec<(String, String)> {
    let described = ws
        .parsed
        .runtime
        .iter()
        .flat_map(|r| r.observed.iter())
        .filter(|o| o.kind == "Node")
        .filter_map(|o| {
            let labels = o.describe.top("Labels")?;
            let arch = labels.value.lines().find_map(|l| {
                let (key, value) = l.trim().split_once('=')?;
                (key == ARCH_LABEL || key == "beta.kubernetes.io/arch").then(|| value.to_string())
            })?;
            Some((o.name.clone()?, arch))
        });
    let listed = ws.objects_of_kind("Node").filter_map(|o| {
        let arch = o
            .node
            .path(&["metadata", "labels", ARCH_LABEL])
            .or_else(|| o.node.path(&["status", "nodeInfo", "architecture"]))
            .and_then(Node::as_str)?;
        Some((o.name.clone()?, arch.to_string()))
    });
    described.chain(listed).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_platform_is_read_from_the_manifest_list_message() {
        assert_eq!(
            platform_in("Error response from daemon: no matching manifest for linux/amd64 in the manifest list entries").as_deref(),
            Some("amd64")
        );
        assert_eq!(platform_in("exec /app: exec format error"), None);
    }
}
