use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
use crate::model::{ContainerKind, Workspace};
use crate::rule::Rule;
use crate::rules::networking::{closest_name, PortRef};
use crate::yaml::{render_scalar, Node, ScalarStyle};

use super::{container_anchor, container_display};
use crate::rules::images::reference::is_placeholder;

declare_rule! {
    /// ## What it does
    /// Finds liveness, readiness and startup probes whose `httpGet.port`, `tcpSocket.port`
    /// or `grpc.port` the container does not declare: a port *name* none of its
    /// `ports[].name` carries, or a *number* that no container of the pod declares while this
    /// one declares some (probing 8080 while the app listens on 3000). A container that
    /// declares no ports is not judged for numbers, nor a probe sent to another `host`.
    ///
    /// ## Why is this bad?
    /// The kubelet resolves a named port among the container's own ports only: an unknown
    /// name makes every probe fail (`port "http" not found`), so the pod is never ready or
    /// is restarted in a loop. A number nobody listens on fails the same way (`connection
    /// refused`).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: accounts
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: accounts}
    ///   template:
    ///     metadata:
    ///       labels: {app: accounts}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/accounts:3.1.0
    ///           ports:
    ///             - name: http
    ///               containerPort: 8080
    ///           readinessProbe:
    ///             httpGet: {path: /ready, port: https}
    ///           resources:
    ///             requests: {cpu: 100m, memory: 128Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: accounts
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: accounts}
    ///   template:
    ///     metadata:
    ///       labels: {app: accounts}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/accounts:3.1.0
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
    /// Unsafe: the fix points the probe at the declared port with the closest name, or at the
    /// only port the container declares; check the app answers the probe there.
    pub struct ProbePortMismatch {
        id: "probe-port-mismatch",
        category: Workloads,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

const PROBES: [(&str, &str); 3] = [
    ("livenessProbe", "Liveness"),
    ("readinessProbe", "Readiness"),
    ("startupProbe", "Startup"),
];

pub struct Unreachable<'a> {
    container: usize,
    probe: &'static str,
    port: &'a Node,
    wanted: PortRef<'a>,
    /// The container's own ports: name (if any), number (if any) and node.
    declared: Vec<(Option<&'a str>, Option<i64>, &'a Node)>,
}

impl Unreachable<'_> {
    fn named(&self) -> bool {
        matches!(self.wanted, PortRef::Name(_))
    }

    /// The declared port the probe most likely meant, as it should be written.
    fn replacement(&self) -> Option<PortRef<'_>> {
        if let PortRef::Name(wanted) = self.wanted {
            let names: Vec<&str> = self.declared.iter().filter_map(|(n, _, _)| *n).collect();
            if let Some(near) = closest_name(wanted, names.iter().copied()) {
                return Some(PortRef::Name(near));
            }
        }
        match self.declared.as_slice() {
            [(Some(name), _, _)] if self.named() => Some(PortRef::Name(name)),
            [(_, Some(number), _)] => Some(PortRef::Number(*number)),
            _ => None,
        }
    }
}

impl Rule for ProbePortMismatch {
    type State<'a> = Unreachable<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unreachable<'a>> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            if c.kind == ContainerKind::Ephemeral || ws.objects[c.object].is_live() {
                continue;
            }
            let declared: Vec<(Option<&str>, Option<i64>, &Node)> = c
                .node
                .get("ports")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(|p| {
                    (
                        p.get("name").and_then(Node::as_str),
                        p.get("containerPort").and_then(Node::as_i64),
                        p,
                    )
                })
                .collect();
            // Every number some container of the pod listens on: probes reach the pod's
            // address, so a sidecar's port answers too.
            let pod_numbers: Vec<i64> = ws
                .containers_of(c.template)
                .flat_map(|other| other.node.get("ports").map(Node::items).unwrap_or_default())
                .filter_map(|p| p.get("containerPort").and_then(Node::as_i64))
                .collect();
            // A port out of range is `invalid-port-number`'s, and no port to point a probe at.
            let in_range = |n: &i64| (1..=65535).contains(n);
            if declared
                .iter()
                .any(|(_, n, _)| n.is_some_and(|n| !in_range(&n)))
            {
                continue;
            }
            for (key, _) in PROBES {
                let Some(probe) = c.node.get(key) else {
                    continue;
                };
                for handler in ["httpGet", "tcpSocket", "grpc"] {
                    let Some(action) = probe.get(handler) else {
                        continue;
                    };
                    if action.get("host").and_then(Node::as_str).is_some() {
                        continue;
                    }
                    let Some(port) = action.get("port") else {
                        continue;
                    };
                    let Some(wanted) = PortRef::of(port) else {
                        continue;
                    };
                    let mismatch = match wanted {
                        PortRef::Name(name) => {
                            !is_placeholder(name)
                                && !declared.iter().any(|(n, _, _)| *n == Some(name))
                        }
                        PortRef::Number(number) => {
                            in_range(&number)
                                && declared.iter().any(|(_, n, _)| n.is_some())
                                && !pod_numbers.contains(&number)
                                && !crate::rules::networking::names_port(c.node, number, true)
                        }
                    };
                    if mismatch {
                        out.push(Unreachable {
                            container: index,
                            probe: key,
                            port,
                            wanted,
                            declared: declared.clone(),
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unreachable<'a>) -> Diagnostic {
        let c = &ws.containers[u.container];
        let object = &ws.objects[c.object];
        let label = PROBES
            .iter()
            .find(|(k, _)| *k == u.probe)
            .map_or("The", |(_, l)| *l);
        let declared: Vec<String> = u
            .declared
            .iter()
            .map(|(name, number, _)| match (name, number) {
                (Some(name), Some(n)) => format!("{name} ({n})"),
                (Some(name), None) => name.to_string(),
                (None, Some(n)) => n.to_string(),
                (None, None) => "?".into(),
            })
            .collect();
        let declares = if declared.is_empty() {
            "declares no ports".to_string()
        } else {
            format!("declares {}", declared.join(", "))
        };
        let (what, why, severity) = match u.wanted {
            PortRef::Name(name) => (
                format!("port name `{name}`"),
                format!("The kubelet looks the name up among the container's own ports and finds none: every probe fails (`port \"{name}\" not found`), so the pod is never ready or restarts in a loop."),
                None,
            ),
            PortRef::Number(n) => (
                format!("port {n}"),
                format!("If nothing listens on {n}, every probe fails with `connection refused`: the pod is never ready or restarts in a loop."),
                Some(Severity::Warning),
            ),
        };
        Diagnostic {
            file: object.file,
            range: u.port.span,
            message: format!(
                "{label} probe of {} uses {what}, which the container does not declare (it {declares})",
                container_display(ws, c)
            ),
            why,
            help: Some(match u.replacement() {
                Some(p) => format!("Probe port {} (declared by the container), or declare the port the app listens on.", p.text()),
                None => "Probe a port the container declares (by name or number), or declare the port the app listens on.".into(),
            }),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, u: &Unreachable<'a>) -> Vec<Related> {
        let c = &ws.containers[u.container];
        let file = ws.objects[c.object].file;
        let related = match c.node.get("ports").filter(|p| !p.items().is_empty()) {
            Some(ports) => Related {
                file,
                range: ports.span,
                message: "the ports the container declares".into(),
            },
            None => Related {
                file,
                range: container_anchor(c),
                message: format!(
                    "container {} declares no ports",
                    c.name.unwrap_or("(no name)")
                ),
            },
        };
        vec![related]
    }

    fn fix<'a>(ws: &Workspace<'a>, u: &Unreachable<'a>) -> Option<Fix> {
        let to = u.replacement()?;
        let file = ws.objects[ws.containers[u.container].object].file;
        let style = u.port.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
        let text = match to {
            PortRef::Name(name) => render_scalar(name, style),
            PortRef::Number(n) => n.to_string(),
        };
        Some(Fix::new(
            format!("Probe port {}", to.text()),
            Applicability::Unsafe,
            vec![Edit::replace(file, u.port.span, text)],
        ))
    }
}
