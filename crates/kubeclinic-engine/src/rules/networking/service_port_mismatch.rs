use super::{all_containers_declare_ports, declared_ports, service_targets, PortRef};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
use crate::model::Workspace;
use crate::patch::Value;
use crate::rule::Rule;
use crate::yaml::{render_scalar, Node, ScalarStyle};

declare_rule! {
    /// ## What it does
    /// Finds Service ports whose `targetPort` no container of the selected pods declares: a
    /// port name (`targetPort: http`) that no container's `ports[].name` carries, or a number
    /// none of them lists while they all list their ports.
    ///
    /// ## Why is this bad?
    /// A named `targetPort` that no container declares gives the Service no endpoints for that
    /// port: connections are refused although the pods run and are ready. A number the
    /// containers do not listen on sends every connection to a closed port
    /// (`connection refused` from the client, nothing in the app's logs).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    ///           ports:
    ///             - name: http
    ///               containerPort: 8080
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector: {app: orders}
    ///   ports:
    ///     - port: 80
    ///       targetPort: web
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    ///           ports:
    ///             - name: http
    ///               containerPort: 8080
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector: {app: orders}
    ///   ports:
    ///     - port: 80
    ///       targetPort: http
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix points `targetPort` at the declared port with the closest name, or at the
    /// only port the pods declare; check that port is the one the Service is for. No fix when
    /// the pods declare several ports and none comes close.
    pub struct ServicePortMismatch {
        id: "service-port-mismatch",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["invalid-port-number"],
    }
}

pub struct Mismatch<'a> {
    service: usize,
    /// The `targetPort` node, or the `port` node when `targetPort` is left to default.
    at: &'a Node,
    /// True when `targetPort` is written; false when it defaults to `port`.
    written: bool,
    /// The `ports[]` item.
    port: &'a Node,
    wanted: PortRef<'a>,
    templates: Vec<usize>,
    /// What the fix would point at, with the declaring port item.
    replacement: Option<(PortRef<'a>, &'a Node)>,
}

/// Each Service of the set whose `targetPort` no selected container declares, with that port
/// as written (`8080`, `http`), for the graph's Service-to-workload links.
pub fn unserved_ports(ws: &Workspace) -> Vec<(usize, String)> {
    ServicePortMismatch::detect(ws)
        .into_iter()
        .map(|m| (m.service, m.wanted.text()))
        .collect()
}

impl Rule for ServicePortMismatch {
    type State<'a> = Mismatch<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mismatch<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Service") {
            let Some(templates) = service_targets(ws, index) else {
                continue;
            };
            let service = &ws.objects[index];
            let declared: Vec<_> = templates
                .iter()
                .flat_map(|&t| declared_ports(ws, t))
                .collect();
            let ports_known = templates
                .iter()
                .all(|&t| all_containers_declare_ports(ws, t));
            for port in service
                .node
                .path(&["spec", "ports"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let (at, written) = match port.get("targetPort") {
                    Some(t) if !t.as_scalar().is_some_and(|s| s.is_null()) => (t, true),
                    _ => match port.get("port") {
                        Some(p) => (p, false),
                        None => continue,
                    },
                };
                let Some(wanted) = PortRef::of(at) else {
                    continue;
                };
                let found = match &wanted {
                    // A name in capitals (`PORT`) is a template's placeholder, not a port name.
                    PortRef::Name(name) => {
                        declared.iter().any(|d| d.name == Some(name))
                            || name.chars().any(|c| c.is_ascii_uppercase())
                    }
                    // A number is judged only when every container lists its ports, and no
                    // container names the number in its command, arguments or environment
                    // (`--metrics-bind-address=:8443` listens on a port it does not list).
                    PortRef::Number(n) => {
                        !ports_known
                            || declared.iter().any(|d| d.number == Some(*n))
                            || templates.iter().any(|&t| {
                                ws.containers_of(t)
                                    .any(|c| super::names_port(c.node, *n, true))
                            })
                    }
                };
                // A placeholder container port (`containerPort: PORT`) says nothing, and one out
                // of range is `invalid-port-number`'s.
                if declared
                    .iter()
                    .any(|d| d.number.is_none_or(|n| !(1..=65535).contains(&n)))
                    || matches!(wanted, PortRef::Number(n) if !(1..=65535).contains(&n))
                {
                    continue;
                }
                if found {
                    continue;
                }
                let replacement = replacement(&wanted, &declared);
                out.push(Mismatch {
                    service: index,
                    at,
                    written,
                    port,
                    wanted,
                    templates: templates.clone(),
                    replacement,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Diagnostic {
        let service = &ws.objects[m.service];
        let owners: Vec<String> = m
            .templates
            .iter()
            .map(|&t| ws.object_of(&ws.templates[t]).display())
            .collect();
        let declared: Vec<String> = m
            .templates
            .iter()
            .flat_map(|&t| declared_ports(ws, t))
            .map(|d| match (d.name, d.number) {
                (Some(name), Some(n)) => format!("{name} ({n})"),
                (None, Some(n)) => n.to_string(),
                (Some(name), None) => name.to_string(),
                (None, None) => "?".into(),
            })
            .collect();
        let declared = if declared.is_empty() {
            "no ports".to_string()
        } else {
            declared.join(", ")
        };
        let (what, severity, why) = match &m.wanted {
            PortRef::Name(name) => (
                format!("targets the port named {name}"),
                None,
                "The Service gets no endpoints for this port: connections to it are refused although the pods run and are ready (`kubectl get endpoints` lists no address for it).",
            ),
            PortRef::Number(n) => (
                if m.written {
                    format!("targets port {n}")
                } else {
                    format!("has no targetPort, so it targets its own port {n}")
                },
                Some(Severity::Warning),
                "Connections go to a port the containers do not listen on: clients get `connection refused` or time out, and the app logs nothing.",
            ),
        };
        let help = match &m.replacement {
            Some((to, _)) => format!("Point targetPort at {} (the port the container declares), or declare the port in the container.", to.text()),
            None => "Point targetPort at a port the container declares (by name or number), or declare that port in the container.".into(),
        };
        Diagnostic {
            file: service.file,
            range: m.at.span,
            message: format!(
                "Service {} {what}, which no container of {} declares (they declare {declared})",
                service.name.as_deref().unwrap_or("<unnamed>"),
                owners.join(", ")
            ),
            why: why.into(),
            help: Some(help),
            object: Some(service.reference()),
            container: None,
            severity,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Vec<Related> {
        let declared = m.templates.iter().flat_map(|&t| declared_ports(ws, t));
        let label = |d: &super::DeclaredPort<'a>, what: &str| {
            let c = &ws.containers[d.container];
            Related {
                file: ws.objects[c.object].file,
                range: d.node.span,
                message: format!(
                    "{what}, of container {} ({})",
                    c.name.unwrap_or("(no name)"),
                    ws.objects[c.object].display()
                ),
            }
        };
        match &m.replacement {
            Some((_, node)) => declared
                .filter(|d| std::ptr::eq(d.node, *node))
                .map(|d| label(&d, "the port most likely meant"))
                .take(1)
                .collect(),
            None => declared
                .map(|d| label(&d, "a declared port"))
                .take(4)
                .collect(),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Option<Fix> {
        let service = &ws.objects[m.service];
        let (to, _) = m.replacement.as_ref()?;
        let text = match to {
            PortRef::Number(n) => n.to_string(),
            PortRef::Name(name) => {
                let like = m.at.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
                render_scalar(name, like)
            }
        };
        let edit = if m.written {
            Edit::replace(service.file, m.at.span, text)
        } else {
            // `targetPort` left to default: add it beside `port`.
            let value = match to {
                PortRef::Number(n) => Value::Literal(n.to_string()),
                PortRef::Name(name) => Value::Scalar((*name).to_string()),
            };
            crate::patch::set_path(ws, service.file, m.port, &["targetPort"], &value)?
        };
        Some(Fix::new(
            format!("Target port {}", to.text()),
            Applicability::Unsafe,
            vec![edit],
        ))
    }
}

/// The declared port the Service most likely meant: the one whose name is closest to the
/// name asked, or the only port the pods declare.
fn replacement<'a>(
    wanted: &PortRef<'a>,
    declared: &[super::DeclaredPort<'a>],
) -> Option<(PortRef<'a>, &'a Node)> {
    if let PortRef::Name(name) = wanted {
        let names: Vec<&str> = declared.iter().filter_map(|d| d.name).collect();
        if let Some(near) = super::closest_name(name, names.iter().copied()) {
            let d = declared.iter().find(|d| d.name == Some(near))?;
            return Some((PortRef::Name(near), d.node));
        }
    }
    let mut numbers: Vec<i64> = declared.iter().filter_map(|d| d.number).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let [only] = numbers.as_slice() else {
        return None;
    };
    let d = declared.iter().find(|d| d.number == Some(*only))?;
    match (wanted, d.name) {
        // A name asked and another name declared: that port is most likely another one.
        (PortRef::Name(_), Some(_)) => None,
        _ => Some((PortRef::Number(*only), d.node)),
    }
}
