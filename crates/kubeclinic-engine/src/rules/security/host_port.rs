use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::{container_label, flag, judged_containers, Admission, Level};

declare_rule! {
    /// ## What it does
    /// Finds container ports with a non-zero `hostPort`, a control of the Pod Security
    /// Standards' `baseline` level. A pod with `hostNetwork: true` binds the node's ports
    /// anyway: `host-namespace` reports it instead.
    ///
    /// ## Why is this bad?
    /// The port opens on the address of whatever node the pod lands on, outside of Services,
    /// and only one such pod fits on a node: another replica there stays `Pending`. A namespace
    /// that enforces the `baseline` (or `restricted`) Pod Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: shop}
    ///   template:
    ///     metadata:
    ///       labels: {app: shop}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/shop:4.2.0
    ///           ports:
    ///             - containerPort: 8080
    ///               hostPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: shop}
    ///   template:
    ///     metadata:
    ///       labels: {app: shop}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/shop:4.2.0
    ///           ports:
    ///             - containerPort: 8080
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: shop
    /// spec:
    ///   type: NodePort
    ///   selector: {app: shop}
    ///   ports:
    ///     - port: 80
    ///       targetPort: 8080
    /// ```
    ///
    /// ## Fix safety
    /// No fix: whoever reaches the pod at the node's address must be sent through a Service
    /// first.
    pub struct HostPort {
        id: "host-port",
        category: Security,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Bound<'a> {
    container: usize,
    port: &'a Node,
    host_port: &'a Node,
    admission: Admission<'a>,
}

impl Rule for HostPort {
    type State<'a> = Bound<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Bound<'a>> {
        let mut out = Vec::new();
        for (index, c) in judged_containers(ws) {
            // The pod binds the node's ports anyway: `host-namespace` says so.
            let host_network = ws.templates[c.template].spec.get("hostNetwork");
            if host_network.and_then(flag) == Some(true) {
                continue;
            }
            let ports = c.node.get("ports").map(Node::items).unwrap_or_default();
            for port in ports {
                let Some(host_port) = port.get("hostPort") else {
                    continue;
                };
                // `hostPort: 0` (or null) asks for none.
                if host_port.as_str().is_none() || host_port.as_i64() == Some(0) {
                    continue;
                }
                let Some(admission) = Admission::of(ws, c.template, Level::Baseline) else {
                    continue;
                };
                out.push(Bound {
                    container: index,
                    port,
                    host_port,
                    admission,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Bound<'a>) -> Diagnostic {
        let c = &ws.containers[b.container];
        let object = &ws.objects[c.object];
        let host = b.host_port.as_str().unwrap_or("");
        let container_port = b
            .port
            .get("containerPort")
            .and_then(Node::as_str)
            .map(|p| format!(" for its port {p}"))
            .unwrap_or_default();
        Diagnostic {
            file: object.file,
            range: b.host_port.span,
            message: format!(
                "{} opens port {host} of the node (hostPort: {host}{container_port}){}",
                container_label(ws, c),
                b.admission.suffix()
            ),
            why: format!(
                "The port opens on the address of whatever node the pod lands on, outside of Services, and only one such pod fits on a node: another replica there stays Pending. {}",
                b.admission.consequence(object)
            ),
            help: Some("Remove `hostPort` and reach the pod through a Service (a NodePort or LoadBalancer one for traffic from outside the cluster). If it truly needs the node's port (a node agent), run it in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: b.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, b: &Bound<'a>) -> Vec<Related> {
        b.admission.related()
    }
}
