use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::{ContainerKind, Workspace};
use crate::rule::Rule;
use crate::yaml::Node;

use super::container_title;

declare_rule! {
    /// ## What it does
    /// Finds containers whose liveness probe is the same check as their readiness probe: the
    /// same handler (`httpGet` path and port, `tcpSocket` port, `grpc` port or `exec`
    /// command), whatever the timings.
    ///
    /// ## Why is this bad?
    /// Readiness says "send me no traffic now"; liveness says "kill me". When both ask the same
    /// thing, a pod that is only busy, or whose database is slow, is restarted instead of
    /// being taken out of rotation for a while: under load every replica restarts at once and
    /// the outage grows. A liveness probe should check that the process is alive (a cheap
    /// endpoint that touches no dependency).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: ghcr.io/example/api:3.2.0
    ///       resources:
    ///         requests: {cpu: 100m, memory: 128Mi}
    ///       readinessProbe:
    ///         httpGet: {path: /ready, port: 8080}
    ///       livenessProbe:
    ///         httpGet: {path: /ready, port: 8080}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: ghcr.io/example/api:3.2.0
    ///       resources:
    ///         requests: {cpu: 100m, memory: 128Mi}
    ///       readinessProbe:
    ///         httpGet: {path: /ready, port: 8080}
    ///       livenessProbe:
    ///         httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which cheap check tells that the process is alive is the app's.
    pub struct IdenticalProbes {
        id: "identical-probes",
        category: Workloads,
        severity: Info,
        fix: None,
        reads: Manifests,
    }
}

pub struct Same<'a> {
    container: usize,
    liveness: &'a Node,
    readiness: &'a Node,
}

/// The check a probe makes, as comparable text: handler, then its path/port/command.
fn check_of(probe: &Node) -> Option<String> {
    for handler in ["httpGet", "tcpSocket", "grpc", "exec"] {
        let Some(h) = probe.get(handler) else {
            continue;
        };
        let field = |key: &str| {
            h.get(key).map(|n| match n.as_scalar() {
                Some(s) => s.text.clone(),
                None => n
                    .items()
                    .iter()
                    .filter_map(Node::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
            })
        };
        return Some(format!(
            "{handler} {} {} {} {}",
            field("path").unwrap_or_default(),
            field("port").unwrap_or_default(),
            field("command").unwrap_or_default(),
            field("service").unwrap_or_default()
        ));
    }
    None
}

impl Rule for IdenticalProbes {
    type State<'a> = Same<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Same<'a>> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            if c.kind != ContainerKind::Regular || ws.objects[c.object].is_live() {
                continue;
            }
            let (Some(liveness), Some(readiness)) =
                (c.node.get("livenessProbe"), c.node.get("readinessProbe"))
            else {
                continue;
            };
            if let (Some(a), Some(b)) = (check_of(liveness), check_of(readiness)) {
                if a == b {
                    out.push(Same {
                        container: index,
                        liveness,
                        readiness,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, s: &Same<'a>) -> Diagnostic {
        let c = &ws.containers[s.container];
        let object = &ws.objects[c.object];
        Diagnostic {
            file: object.file,
            range: s.liveness.span,
            message: format!(
                "{}'s liveness probe makes the same check as its readiness probe",
                container_title(ws, c)
            ),
            why: "A pod that is only busy or waits on a slow dependency is restarted instead of taken out of rotation: under load, replicas restart together and the outage grows.".into(),
            help: Some("Let liveness check only that the process is alive (a cheap endpoint touching no dependency), and keep the deeper check for readiness.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, s: &Same<'a>) -> Vec<Related> {
        let c = &ws.containers[s.container];
        vec![Related {
            file: ws.objects[c.object].file,
            range: s.readiness.span,
            message: "the readiness probe it repeats".into(),
        }]
    }

    fn fix<'a>(_ws: &Workspace<'a>, _s: &Same<'a>) -> Option<Fix> {
        None
    }
}
