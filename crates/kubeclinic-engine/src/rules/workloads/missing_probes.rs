use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::{ContainerKind, K8sObject, Workspace};
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::yaml::Node;

use super::{container_anchor, container_title};

declare_rule! {
    /// ## What it does
    /// Finds long-running containers with neither a `readinessProbe` nor a `livenessProbe`
    /// (a `startupProbe` alone counts as none): the regular containers of Deployments,
    /// StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, custom workloads with a
    /// pod template, and Pods that restart always. Jobs and CronJobs run to completion and are
    /// not judged.
    ///
    /// ## Why is this bad?
    /// Without a readiness probe a pod counts as ready as soon as its process starts: a
    /// Service sends it requests before it can answer, and a rollout replaces working pods
    /// with ones that are not serving yet. Without a liveness probe a process that hangs is
    /// never restarted.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: catalog
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: catalog}
    ///   template:
    ///     metadata:
    ///       labels: {app: catalog}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/catalog:1.7.0
    ///           ports:
    ///             - name: http
    ///               containerPort: 8080
    ///           resources:
    ///             requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: catalog
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: catalog}
    ///   template:
    ///     metadata:
    ///       labels: {app: catalog}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/catalog:1.7.0
    ///           ports:
    ///             - name: http
    ///               containerPort: 8080
    ///           readinessProbe:
    ///             httpGet: {path: /ready, port: http}
    ///           resources:
    ///             requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Fix safety
    /// No fix in general: which path or command tells that the app is ready is the app's to
    /// say. When the container declares exactly one TCP port, a `tcpSocket` readiness probe on
    /// it is suggested (display only): it checks that the port accepts connections, which is
    /// less than "ready", and it fails when the app listens elsewhere.
    pub struct MissingProbes {
        id: "missing-probes",
        category: Workloads,
        severity: Info,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Unprobed {
    container: usize,
    /// It has a startup probe, which stops counting once the app has started.
    startup_only: bool,
}

/// True when the pods of this object are meant to run until stopped.
fn long_running(object: &K8sObject, spec: &Node) -> bool {
    let restart = spec.get("restartPolicy").and_then(Node::as_str);
    if matches!(restart, Some("Never" | "OnFailure")) {
        return false;
    }
    match object.kind.as_str() {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Pod" => true,
        "Job" | "CronJob" | "PodTemplate" => false,
        // Knative gives every container a readiness probe of its own.
        _ if object.api_version.starts_with("serving.knative.dev/") => false,
        _ => object.is_custom_resource() && object.node.path(&["spec", "jobTemplate"]).is_none(),
    }
}

fn has(container: &Node, probe: &str) -> bool {
    container.get(probe).is_some_and(Node::is_mapping)
}

impl Rule for MissingProbes {
    type State<'a> = Unprobed;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unprobed> {
        let mut out = Vec::new();
        for template in &ws.templates {
            let object = ws.object_of(template);
            if object.is_live() || !long_running(object, template.spec) {
                continue;
            }
            for index in template.containers.clone() {
                let c = &ws.containers[index];
                if c.kind != ContainerKind::Regular
                    || has(c.node, "readinessProbe")
                    || has(c.node, "livenessProbe")
                {
                    continue;
                }
                out.push(Unprobed {
                    container: index,
                    startup_only: has(c.node, "startupProbe"),
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unprobed) -> Diagnostic {
        let c = &ws.containers[u.container];
        let object = &ws.objects[c.object];
        let what = if u.startup_only {
            "has only a startup probe, no readiness or liveness probe"
        } else {
            "has no readiness or liveness probe"
        };
        Diagnostic {
            file: object.file,
            range: container_anchor(c),
            message: format!("{} {what}", container_title(ws, c)),
            why: "The pod counts as ready as soon as its process starts: Services send it requests before it can answer, rollouts retire working pods for ones not serving yet, and a hung process is never restarted.".into(),
            help: Some("Add a `readinessProbe` on what tells that the app can serve (an HTTP path, a port, a command), and a `livenessProbe` if the app can hang.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, u: &Unprobed) -> Option<Fix> {
        let c = &ws.containers[u.container];
        let [port] = c.node.get("ports").map(Node::items).unwrap_or_default() else {
            return None;
        };
        let tcp = port
            .get("protocol")
            .and_then(Node::as_str)
            .is_none_or(|p| p == "TCP");
        if !tcp {
            return None;
        }
        let value = match (
            port.get("name").and_then(Node::as_str),
            port.get("containerPort").and_then(Node::as_i64),
        ) {
            (Some(name), _) => Value::Scalar(name.to_string()),
            (None, Some(number)) => Value::Literal(number.to_string()),
            _ => return None,
        };
        let shown = match &value {
            Value::Scalar(t) | Value::Literal(t) => t.clone(),
            Value::Block(_) => String::new(),
        };
        let file = ws.objects[c.object].file;
        let edits = set_paths(
            ws,
            file,
            c.node,
            &[(vec!["readinessProbe", "tcpSocket", "port"], value)],
        );
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!("Probe readiness with a TCP connection to port {shown}"),
                Applicability::DisplayOnly,
                edits,
            )
        })
    }
}
