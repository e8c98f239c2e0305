use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{capitalize, quoted_after, said, Subject};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reads the kubelet's `FailedCreatePodSandBox` events (`Failed to create pod sandbox: rpc
    /// error: ...`, and the older `NetworkPlugin cni failed to set up pod ... network`) and
    /// names the cause the runtime or the network plugin gave: Calico's expired credentials,
    /// flannel's missing `subnet.env`, no CNI configured on the node, a pod network out of
    /// addresses, a sandbox (`pause`) image the node cannot pull, mismatched cgroup drivers,
    /// or a plugin that failed without a word.
    ///
    /// ## Why is this bad?
    /// Every container of a pod joins the pod's sandbox; without one, none of them is
    /// created. The pod stays `ContainerCreating` with no log to read, and the kubelet
    /// retries forever. The cause is on the node, not in the manifest: changing the
    /// Deployment does not help.
    ///
    /// ## Example
    /// ```text
    ///   Warning  FailedCreatePodSandBox  12s (x4 over 57s)  kubelet  Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "8c1f0d2e": plugin type="calico" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized
    /// ```
    ///
    /// ## Use instead
    /// ```text
    ///   Normal   Pulled   36s  kubelet  Container image "registry.example/cart:2.4.1" already present on machine
    ///   Normal   Started  35s  kubelet  Started container cart
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the repair is on the node or in the network add-on. The help names where to look.
    pub struct PodSandboxFailed {
        id: "pod-sandbox-failed",
        category: Networking,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

/// What the runtime's or the plugin's words point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    CalicoUnauthorized,
    FlannelSubnet,
    NoCni,
    OutOfAddresses,
    SandboxImage,
    CgroupDriver,
    CiliumAgent,
    AwsIpamd,
    Silent,
    Other,
}

/// The cause a sandbox failure names, from the most telling words to the least.
pub fn cause(message: &str) -> Cause {
    let m = message.to_ascii_lowercase();
    let has = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
    if m.contains("calico") && has(&["unauthorized", "token", "forbidden"]) {
        Cause::CalicoUnauthorized
    } else if m.contains("flannel/subnet.env") {
        Cause::FlannelSubnet
    } else if has(&[
        "cni plugin not initialized",
        "no networks found in /etc/cni/net.d",
        "network plugin is not ready",
        "cni config uninitialized",
        "failed to find plugin",
    ]) {
        Cause::NoCni
    } else if has(&[
        "no ip addresses available",
        "failed to allocate for range",
        "failed to assign an ip address",
        "insufficientfreeaddressesinsubnet",
        "range is full",
    ]) {
        Cause::OutOfAddresses
    } else if m.contains("pause") && has(&["pull", "sandbox image", "not found", "resolve"]) {
        Cause::SandboxImage
    } else if m.contains("cgroup") {
        Cause::CgroupDriver
    } else if m.contains("cilium") {
        Cause::CiliumAgent
    } else if has(&["ipamd", "aws-node", "addnetwork grpc"]) {
        Cause::AwsIpamd
    } else if m.contains("with no error message") {
        Cause::Silent
    } else {
        Cause::Other
    }
}

fn words(cause: Cause) -> (&'static str, &'static str) {
    match cause {
        Cause::CalicoUnauthorized => (
            "Calico's CNI plugin was refused by the API server (its token expired or was rotated)",
            "Restart the calico-node pod on that node so it writes a fresh token (`kubectl -n calico-system delete pod -l k8s-app=calico-node --field-selector spec.nodeName=<node>`, or `-n kube-system` on older installs); upgrade Calico if it keeps happening, newer releases renew the token themselves.",
        ),
        Cause::FlannelSubnet => (
            "flannel has not written /run/flannel/subnet.env on the node: its pod there is not running, or the node has no pod CIDR",
            "Check the flannel pod of that node (`kubectl -n kube-flannel get pods -o wide`, its logs). With kubeadm the cluster needs a pod CIDR (`--pod-network-cidr=10.244.0.0/16`, flannel's default) matching `Network` in flannel's net-conf.json.",
        ),
        Cause::NoCni => (
            "the node has no network plugin configured (nothing in /etc/cni/net.d)",
            "Install a pod network add-on (Calico, Cilium, flannel...) and check that its DaemonSet runs a pod on this node; `kubectl describe node` shows `NetworkReady=false` until it does.",
        ),
        Cause::OutOfAddresses => (
            "the pod network has no address left on the node",
            "Free or add addresses: stale IPAM allocations (the plugin's state in /var/lib/cni), a larger node pod CIDR, or on AWS an instance type or prefix delegation that gives more IPs per node; `kubectl get pods -o wide --field-selector spec.nodeName=<node>` shows how many pods hold one.",
        ),
        Cause::SandboxImage => (
            "the node cannot pull the sandbox (pause) image",
            "Let the node reach the pause image's registry, or mirror it and point the runtime at the copy (containerd's `sandbox_image` in /etc/containerd/config.toml, then restart containerd); air-gapped nodes need it preloaded.",
        ),
        Cause::CgroupDriver => (
            "the kubelet and the container runtime use different cgroup drivers",
            "Use the same driver in both: `SystemdCgroup = true` under containerd's runc options with `cgroupDriver: systemd` in the kubelet's configuration (the default on systemd hosts), then restart both.",
        ),
        Cause::CiliumAgent => (
            "the Cilium agent on the node did not answer the CNI plugin",
            "Check the cilium pod of that node (`kubectl -n kube-system get pods -l k8s-app=cilium -o wide`, `cilium status` inside it) and its logs.",
        ),
        Cause::AwsIpamd => (
            "the AWS VPC CNI plugin could not get an address from its ipamd daemon",
            "Check the aws-node pod of that node (`kubectl -n kube-system logs -l k8s-app=aws-node`), the node's IAM permissions for ENIs, and free IPs in its subnet.",
        ),
        Cause::Silent => (
            "the network plugin failed without saying why",
            "Read the network add-on's pod logs on that node and the kubelet's (`journalctl -u kubelet`); a plugin binary that crashes or a mismatched plugin version often fails so.",
        ),
        Cause::Other => (
            "the container runtime could not create the pod's sandbox",
            "Read the rest of the message for the plugin or the runtime that failed; `kubectl describe node` (NetworkReady), the network add-on's pods on that node and `journalctl -u containerd -u kubelet` tell more.",
        ),
    }
}

pub struct SandboxFailure {
    file: FileId,
    range: TextRange,
    subject: Option<Subject>,
    cause: Cause,
}

fn is_sandbox_failure(reason: &str, text: &str) -> bool {
    reason == "FailedCreatePodSandBox"
        || text.contains("create pod sandbox")
        || text.contains("failed to setup network for sandbox")
        || text.contains("failed to set up sandbox container")
        || text.contains("etworkPlugin cni failed")
}

/// `failed to set up pod "web-0_default" network` names the pod the message is about.
fn pod_of(text: &str) -> Option<Subject> {
    let named = quoted_after(text, "set up pod ").or_else(|| quoted_after(text, "for pod "))?;
    let (name, namespace) = match named.split_once('_') {
        Some((name, namespace)) => (name, Some(namespace)),
        None => (named, None),
    };
    Some(Subject::pod_named(name, namespace))
}

impl Rule for PodSandboxFailed {
    type State<'a> = SandboxFailure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<SandboxFailure> {
        let mut out: Vec<SandboxFailure> = Vec::new();
        for s in said(ws) {
            if !is_sandbox_failure(s.reason, s.text) {
                continue;
            }
            let subject = s.subject.clone().or_else(|| pod_of(s.text));
            let cause = cause(s.text);
            let seen = out.iter().any(|o| {
                o.cause == cause
                    && match (&o.subject, &subject) {
                        (Some(a), Some(b)) => a.same(b),
                        (None, None) => true,
                        _ => false,
                    }
            });
            if !seen {
                out.push(SandboxFailure {
                    file: s.file,
                    range: s.range,
                    subject,
                    cause,
                });
            }
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &SandboxFailure) -> Diagnostic {
        let (what, help) = words(state.cause);
        let who = state
            .subject
            .as_ref()
            .map(Subject::label)
            .unwrap_or_else(|| "a pod the paste does not name".into());
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!("{} has no sandbox, so none of its containers can start: {what}", capitalize(&who)),
            why: "Every container of a pod joins its sandbox; until the runtime creates one the pod stays ContainerCreating with no log, and the cause is on the node, not in the manifest.".into(),
            help: Some(help.into()),
            object: state.subject.as_ref().map(Subject::reference),
            container: None,
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_plugin_names_its_cause() {
        assert_eq!(cause("plugin type=\"calico\" failed (add): error getting ClusterInformation: connection is unauthorized: Unauthorized"), Cause::CalicoUnauthorized);
        assert_eq!(cause("NetworkPlugin cni failed to set up pod \"web-0_default\" network: open /run/flannel/subnet.env: no such file or directory"), Cause::FlannelSubnet);
        assert_eq!(cause("networkPlugin cni failed to set up pod \"kafka-0_streams\" network: netplugin failed with no error message"), Cause::Silent);
        assert_eq!(
            cause(
                "failed to get sandbox image \"registry.k8s.io/pause:3.9\": failed to pull image"
            ),
            Cause::SandboxImage
        );
        assert_eq!(cause("plugin type=\"host-local\" failed (add): failed to allocate for range 0: no IP addresses available in range set: 10.244.1.1-10.244.1.254"), Cause::OutOfAddresses);
        assert_eq!(
            pod_of("failed to set up pod \"web-0_default\" network").map(|s| s.label()),
            Some("pod web-0".to_string())
        );
    }
}
