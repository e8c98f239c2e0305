use super::pull_failure::{failures_where, pull_why, Cause, PullFailure, Reach};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds images that kubelet could not pull because the node could not talk to the
    /// registry: the name does not resolve (`no such host`), connections time out (`dial tcp
    /// ... i/o timeout`, `TLS handshake timeout`) or are refused (`connection refused`), the
    /// registry's certificate is not trusted (`x509: certificate signed by unknown authority`),
    /// or the registry speaks plain HTTP (`http: server gave HTTP response to HTTPS client`).
    ///
    /// ## Why is this bad?
    /// Nothing in the pod is wrong, so nothing in the pod can fix it: every pod that needs an
    /// image from that registry stays in `ErrImagePull` / `ImagePullBackOff` on the nodes that
    /// cannot reach it, until the node's network, DNS or container runtime configuration
    /// changes.
    ///
    /// ## Example
    /// ```text
    /// Name:         worker-5f7d8c9b6-7xkqp
    /// Namespace:    jobs
    /// Node:         node-3/10.0.2.7
    /// Controlled By:  ReplicaSet/worker-5f7d8c9b6
    /// Containers:
    ///   worker:
    ///     Image:          registry.internal:5000/jobs/worker:2.0.1
    ///     State:          Waiting
    ///       Reason:       ErrImagePull
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From               Message
    ///   ----     ------     ----               ----               -------
    ///   Normal   Scheduled  40s                default-scheduler  Successfully assigned jobs/worker-5f7d8c9b6-7xkqp to node-3
    ///   Warning  Failed     12s (x2 over 38s)  kubelet            Failed to pull image "registry.internal:5000/jobs/worker:2.0.1": rpc error: code = Unknown desc = failed to pull and unpack image "registry.internal:5000/jobs/worker:2.0.1": failed to resolve reference "registry.internal:5000/jobs/worker:2.0.1": failed to do request: Head "https://registry.internal:5000/v2/jobs/worker/manifests/2.0.1": http: server gave HTTP response to HTTPS client
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         worker-5f7d8c9b6-7xkqp
    /// Namespace:    jobs
    /// Node:         node-3/10.0.2.7
    /// Controlled By:  ReplicaSet/worker-5f7d8c9b6
    /// Containers:
    ///   worker:
    ///     Image:          registry.internal:5000/jobs/worker:2.0.1
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type    Reason     Age   From               Message
    ///   ----    ------     ----  ----               -------
    ///   Normal  Scheduled  40s   default-scheduler  Successfully assigned jobs/worker-5f7d8c9b6-7xkqp to node-3
    ///   Normal  Pulled     37s   kubelet            Successfully pulled image "registry.internal:5000/jobs/worker:2.0.1" in 1.3s (1.3s including waiting)
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the cure is in the nodes' network, DNS or container runtime configuration, not
    /// in the manifests.
    pub struct ImageRegistryUnreachable {
        id: "image-registry-unreachable",
        category: Images,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

impl Rule for ImageRegistryUnreachable {
    type State<'a> = PullFailure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<PullFailure> {
        failures_where(ws, |c| matches!(c, Cause::Unreachable(_)))
    }

    fn related<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Vec<crate::diagnostic::Related> {
        f.related(ws)
    }

    fn finding<'a>(_ws: &Workspace<'a>, f: &PullFailure) -> Diagnostic {
        let host = f.registry();
        let node = f
            .node
            .as_ref()
            .map_or_else(|| "The node".to_string(), |n| format!("Node {n}"));
        let Cause::Unreachable(reach) = f.cause else {
            unreachable!("detect keeps unreachable registries only")
        };
        let what = match reach {
            Reach::Dns => "the name does not resolve",
            Reach::Timeout => "the connection timed out",
            Reach::Refused => "the connection was refused",
            Reach::UntrustedCertificate => "its TLS certificate is not trusted",
            Reach::PlainHttp => "it answers in plain HTTP, not HTTPS",
        };
        let image = f.image_label();
        let help = match reach {
            Reach::Dns => format!(
                "Check the registry host in the image for typos, and resolve it on the node (`nslookup {host}`). Kubelet and the container runtime use the node's DNS, not the cluster's: a Service name such as `registry.default.svc` does not resolve there; use a name or address the node knows."
            ),
            Reach::Timeout => format!(
                "The node cannot open a connection to {host}: check the nodes' egress (firewall rules, security groups, a NAT gateway for nodes without public addresses, the HTTP proxy the container runtime must be given) and try `crictl pull {}` on the node. If only some pulls time out, the registry is slow or far: retry, or mirror the image closer.",
                f.image.as_deref().unwrap_or("<image>")
            ),
            Reach::Refused => format!(
                "{host} answers, but nothing listens on that port: check that the registry runs and that the image names its port (`registry:5000/...`)."
            ),
            Reach::UntrustedCertificate => format!(
                "The container runtime on the node does not trust {host}'s certificate: install the CA that signed it on every node (containerd: `/etc/containerd/certs.d/{host}/ca.crt`; Docker: `/etc/docker/certs.d/{host}/ca.crt`) or give the registry a certificate from a public CA. A proxy that intercepts TLS causes the same error for public registries."
            ),
            Reach::PlainHttp => format!(
                "{host} serves plain HTTP while the runtime speaks HTTPS: give the registry TLS, or declare it insecure on every node (containerd: `/etc/containerd/certs.d/{host}/hosts.toml` with `server = \"http://{host}\"`; Docker: `insecure-registries` in daemon.json; k3s: `/etc/rancher/k3s/registries.yaml`)."
            ),
        };
        f.diagnostic(
            format!(
                "{node} could not pull {image} for {} from registry {host}: {what} ({})",
                f.subject(),
                f.evidence
            ),
            if f.recovered {
                pull_why(f)
            } else {
                format!("The container never starts, and every pod that needs an image from {host} is stuck the same way on nodes that cannot reach it.")
            },
            help,
        )
    }
}
