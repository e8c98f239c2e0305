use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::container_title;

declare_rule! {
    /// ## What it does
    /// Finds two ports of one container with the same `name` (refused), or with the same
    /// `containerPort` and `protocol` (`TCP` when unset).
    ///
    /// ## Why is this bad?
    /// A port name used twice makes the API server refuse the pod (`ports[1].name:
    /// Duplicate value: "http"`). The same number twice is accepted with a warning, but
    /// `kubectl apply` merges container ports by number and protocol: one of the two
    /// entries is dropped or overwritten on the next apply, and Services or probes that
    /// name the lost one stop resolving.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: notifier
    /// spec:
    ///   containers:
    ///     - name: notifier
    ///       image: ghcr.io/example/notifier:2.4.0
    ///       ports:
    ///         - name: http
    ///           containerPort: 8080
    ///         - name: http
    ///           containerPort: 9090
    ///       readinessProbe:
    ///         httpGet: {path: /ready, port: 8080}
    ///       resources:
    ///         requests: {cpu: 50m, memory: 64Mi}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: notifier
    /// spec:
    ///   containers:
    ///     - name: notifier
    ///       image: ghcr.io/example/notifier:2.4.0
    ///       ports:
    ///         - name: http
    ///           containerPort: 8080
    ///         - name: metrics
    ///           containerPort: 9090
    ///       readinessProbe:
    ///         httpGet: {path: /ready, port: 8080}
    ///       resources:
    ///         requests: {cpu: 50m, memory: 64Mi}
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which of the two ports is meant, and what the other should be called, is
    /// yours to say.
    pub struct DuplicateContainerPort {
        id: "duplicate-container-port",
        category: Workloads,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct Twice<'a> {
    container: usize,
    /// The earlier port's node and the later one's, for the field that repeats.
    first: &'a Node,
    again: &'a Node,
    /// True for a repeated name (refused); false for a repeated number and protocol.
    by_name: bool,
    what: String,
}

struct Port<'a> {
    name: Option<&'a Node>,
    number: Option<(i64, &'a Node)>,
    protocol: &'a str,
}

impl Rule for DuplicateContainerPort {
    type State<'a> = Twice<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Twice<'a>> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            if ws.objects[c.object].is_live() {
                continue;
            }
            let ports: Vec<Port> = c
                .node
                .get("ports")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(|p| Port {
                    name: p.get("name").filter(|n| n.as_str().is_some()),
                    number: p.get("containerPort").and_then(|n| Some((n.as_i64()?, n))),
                    protocol: p.get("protocol").and_then(Node::as_str).unwrap_or("TCP"),
                })
                .collect();
            for (i, port) in ports.iter().enumerate() {
                let earlier = &ports[..i];
                let name = port.name.and_then(Node::as_str);
                if let Some(first) = earlier
                    .iter()
                    .find_map(|e| e.name.filter(|n| n.as_str() == name && name.is_some()))
                {
                    out.push(Twice {
                        container: index,
                        first,
                        again: port.name.unwrap_or(first),
                        by_name: true,
                        what: format!("port name {}", name.unwrap_or_default()),
                    });
                    continue;
                }
                let Some((number, node)) = port.number else {
                    continue;
                };
                let first = earlier.iter().find_map(|e| {
                    e.number
                        .filter(|(n, _)| *n == number && e.protocol == port.protocol)
                        .map(|(_, n)| n)
                });
                if let Some(first) = first {
                    out.push(Twice {
                        container: index,
                        first,
                        again: node,
                        by_name: false,
                        what: format!("port {number}/{}", port.protocol),
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, t: &Twice<'a>) -> Diagnostic {
        let c = &ws.containers[t.container];
        let object = &ws.objects[c.object];
        let first_line = ws.lines(object.file).line_of(t.first.span.start) + 1;
        let message = format!(
            "{} declares {} twice (first on line {first_line})",
            container_title(ws, c),
            t.what
        );
        let (why, severity) = if t.by_name {
            (
                format!("The API server refuses the pod (`Duplicate value: \"{}\"`): none of its pods are created.", t.what.trim_start_matches("port name ")),
                None,
            )
        } else {
            (
                "`kubectl apply` merges container ports by number and protocol: one of the two entries is dropped or overwritten, and whatever names the lost one stops resolving.".to_string(),
                Some(Severity::Warning),
            )
        };
        Diagnostic {
            file: object.file,
            range: t.again.span,
            message,
            why,
            help: Some("Keep one entry per port, each with its own name and number.".into()),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, t: &Twice<'a>) -> Vec<Related> {
        let object = &ws.objects[ws.containers[t.container].object];
        vec![Related {
            file: object.file,
            range: t.first.span,
            message: format!("{} first declared here", t.what),
        }]
    }
}
