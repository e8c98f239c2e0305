use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::{flag, judged, Admission, Level};

declare_rule! {
    /// ## What it does
    /// Finds pod templates that share a namespace of the node: `hostNetwork: true`,
    /// `hostPID: true` or `hostIPC: true`, controls of the Pod Security Standards' `baseline`
    /// level. Each field is its own finding.
    ///
    /// ## Why is this bad?
    /// The pod leaves its own sandbox: with the node's network it can bind the node's ports and
    /// reach what listens only on the node's localhost; with its processes it can see, signal
    /// and trace every process of the node; with its IPC namespace it can read other processes'
    /// shared memory. A namespace that enforces the `baseline` (or `restricted`) Pod Security
    /// level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: billing
    /// spec:
    ///   selector:
    ///     matchLabels: {app: billing}
    ///   template:
    ///     metadata:
    ///       labels: {app: billing}
    ///     spec:
    ///       hostNetwork: true
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/billing:3.0.2
    ///           ports:
    ///             - containerPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: billing
    /// spec:
    ///   selector:
    ///     matchLabels: {app: billing}
    ///   template:
    ///     metadata:
    ///       labels: {app: billing}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/billing:3.0.2
    ///           ports:
    ///             - containerPort: 8080
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: billing
    /// spec:
    ///   selector: {app: billing}
    ///   ports:
    ///     - port: 80
    ///       targetPort: 8080
    /// ```
    ///
    /// ## Fix safety
    /// No fix: what replaces the node's namespace (a Service, `shareProcessNamespace`, a
    /// memory-backed `emptyDir`) depends on why the pod uses it; a node agent that needs it
    /// belongs in a namespace that enforces the `privileged` level.
    pub struct HostNamespace {
        id: "host-namespace",
        category: Security,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

/// The node namespaces a pod can share, with what sharing one gives it and what to use instead.
const FIELDS: &[(&str, &str, &str, &str)] = &[
    (
        "hostNetwork",
        "uses the node's network",
        "Its containers see every interface of the node, can bind the node's ports and reach what listens only on the node's localhost, and share the node's network identity.",
        "Remove `hostNetwork` and expose the ports through a Service (a NodePort or LoadBalancer one when traffic must come in at the node)",
    ),
    (
        "hostPID",
        "sees every process of the node",
        "Its containers can see, signal and (as root) trace every process of the node, other pods' and the kubelet's included, and read their command lines and environment.",
        "Remove `hostPID`; to share processes between the pod's own containers, set `shareProcessNamespace: true`",
    ),
    (
        "hostIPC",
        "shares the node's IPC namespace",
        "Its containers can read and write the shared memory and message queues of every process of the node in that namespace.",
        "Remove `hostIPC`; to share memory between the pod's own containers, mount an `emptyDir` with `medium: Memory` in each",
    ),
];

pub struct Shared<'a> {
    template: usize,
    field: usize,
    value: &'a Node,
    admission: Admission<'a>,
}

impl Rule for HostNamespace {
    type State<'a> = Shared<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Shared<'a>> {
        let mut out = Vec::new();
        for (index, t) in judged(ws) {
            for (field, (key, ..)) in FIELDS.iter().enumerate() {
                let Some(value) = t.spec.get(key).filter(|v| flag(v) == Some(true)) else {
                    continue;
                };
                let Some(admission) = Admission::of(ws, index, Level::Baseline) else {
                    continue;
                };
                out.push(Shared {
                    template: index,
                    field,
                    value,
                    admission,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, s: &Shared<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[s.template]);
        let (key, what, why, instead) = FIELDS[s.field];
        Diagnostic {
            file: object.file,
            range: s.value.span,
            message: format!(
                "{} {what} ({key}: true){}",
                object.display(),
                s.admission.suffix()
            ),
            why: format!("{why} {}", s.admission.consequence(object)),
            help: Some(format!(
                "{instead}. If it truly needs it (a CNI plugin, a node agent), run it in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`."
            )),
            object: Some(object.reference()),
            container: None,
            severity: s.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, s: &Shared<'a>) -> Vec<Related> {
        s.admission.related()
    }
}
