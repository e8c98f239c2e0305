use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::{Container, Workspace};
use crate::rule::Rule;
use crate::yaml::{render_scalar, Node};

use super::container_display;
use crate::rules::images::reference::is_placeholder;

declare_rule! {
    /// ## What it does
    /// Finds port names the API server refuses: a container port `name` or a Service
    /// `targetPort` name that is not an IANA service name (at most 15 characters, lower-case
    /// letters, digits and `-`, at least one letter, no `-` at either end or twice in a row),
    /// and a Service port `name` that is not a DNS label (lower-case letters, digits and
    /// `-`, at most 63 characters).
    ///
    /// ## Why is this bad?
    /// The object is refused (`spec.ports[0].name: Invalid value: "web_api": a lowercase
    /// RFC 1123 label must consist of lower case alphanumeric characters or '-'`): a workload
    /// is not created or updated, a Service does not exist.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: wallet
    /// spec:
    ///   selector:
    ///     app: wallet
    ///   ports:
    ///     - name: web_api
    ///       port: 80
    ///       targetPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: wallet
    /// spec:
    ///   selector:
    ///     app: wallet
    ///   ports:
    ///     - name: web-api
    ///       port: 80
    ///       targetPort: 8080
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes the name in lower case with `-` for `_`, `.` and spaces, and
    /// renames the container's probes and hooks that use the old name with it. Whatever else
    /// refers to the port by name (a Service's `targetPort`, an Ingress, a ServiceMonitor)
    /// must follow.
    pub struct InvalidPortName {
        id: "invalid-port-name",
        category: Workloads,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Where {
    /// A container's `ports[].name`, with the container's index.
    Container(usize),
    /// A Service's `ports[].name`.
    ServiceName,
    /// A Service's `ports[].targetPort`.
    ServiceTarget,
}

pub struct BadPortName<'a> {
    object: usize,
    node: &'a Node,
    name: &'a str,
    at: Where,
    why: &'static str,
}

/// What is wrong with `name` as an IANA service name (`IsValidPortName`), if anything.
pub fn iana_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 15 {
        Some("it is longer than 15 characters")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("only lower-case letters, digits and `-` are allowed")
    } else if !name.chars().any(|c| c.is_ascii_lowercase()) {
        Some("it needs at least one letter")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("it cannot start or end with `-`")
    } else if name.contains("--") {
        Some("`--` is not allowed")
    } else {
        None
    }
}

/// What is wrong with `name` as a DNS-1123 label (a Service port's name), if anything.
fn label_problem(name: &str) -> Option<&'static str> {
    if name.len() > 63 {
        Some("it is longer than 63 characters")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("only lower-case letters, digits and `-` are allowed")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("it cannot start or end with `-`")
    } else {
        None
    }
}

/// The name in lower case, `-` for `_`, `.` and spaces, without doubled or edge `-`.
fn normalized(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        let c = match c {
            '_' | '.' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

impl Rule for InvalidPortName {
    type State<'a> = BadPortName<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<BadPortName<'a>> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            let o = &ws.objects[c.object];
            if o.is_live() || o.is_custom_resource() {
                continue;
            }
            for port in c.node.get("ports").map(Node::items).unwrap_or_default() {
                let Some(node) = port.get("name") else {
                    continue;
                };
                let Some(name) = node.as_str() else { continue };
                if let Some(why) = iana_problem(name).filter(|_| !is_placeholder(name)) {
                    out.push(BadPortName {
                        object: c.object,
                        node,
                        name,
                        at: Where::Container(index),
                        why,
                    });
                }
            }
        }
        for &index in ws.indexes_of_kind("Service") {
            let service = &ws.objects[index];
            if service.is_live() {
                continue;
            }
            let ports = service.node.path(&["spec", "ports"]);
            for port in ports.map(Node::items).unwrap_or_default() {
                for (key, at, check) in [
                    ("name", Where::ServiceName, label_problem as fn(&str) -> _),
                    ("targetPort", Where::ServiceTarget, iana_problem),
                ] {
                    let Some(node) = port.get(key) else { continue };
                    // A number (`targetPort: 8080`, or `"8080"`) is no name.
                    if node.as_i64().is_some() {
                        continue;
                    }
                    let Some(name) = node.as_str() else { continue };
                    if name.parse::<i64>().is_ok() || is_placeholder(name) {
                        continue;
                    }
                    if let Some(why) = check(name) {
                        out.push(BadPortName {
                            object: index,
                            node,
                            name,
                            at,
                            why,
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &BadPortName<'a>) -> Diagnostic {
        let o = &ws.objects[b.object];
        let (what, rules) = match b.at {
            Where::Container(c) => (
                format!("Port name `{}` of {}", b.name, container_display(ws, &ws.containers[c])),
                "A container port name is at most 15 lower-case letters, digits and `-`, with at least one letter, and no `-` at either end or twice in a row.",
            ),
            Where::ServiceName => (
                format!("Port name `{}` of {}", b.name, o.display()),
                "A Service port name is at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit.",
            ),
            Where::ServiceTarget => (
                format!("targetPort `{}` of {}", b.name, o.display()),
                "A named targetPort follows the container port name rules: at most 15 lower-case letters, digits and `-`, with at least one letter, and no `-` at either end or twice in a row.",
            ),
        };
        Diagnostic {
            file: o.file,
            range: b.node.span,
            message: format!("{what} is not a valid port name: {}", b.why),
            why: format!("The API server refuses the {} (`Invalid value: \"{}\"`): it is not created or updated.", o.kind, b.name),
            help: Some(rules.into()),
            object: Some(o.reference()),
            container: match b.at {
                Where::Container(c) => ws.containers[c].name.map(String::from),
                _ => None,
            },
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, b: &BadPortName<'a>) -> Option<Fix> {
        let new = normalized(b.name);
        if new == b.name {
            return None;
        }
        let file = ws.objects[b.object].file;
        let rename = |node: &Node| {
            let style = node.as_scalar()?.style;
            Some(Edit::replace(file, node.span, render_scalar(&new, style)))
        };
        let mut edits = Vec::new();
        match b.at {
            Where::Container(index) => {
                let c = &ws.containers[index];
                let taken = port_names(c).iter().any(|n| *n == new);
                if iana_problem(&new).is_some() || taken {
                    return None;
                }
                edits.extend(rename(b.node));
                edits.extend(
                    named_port_uses(c.node)
                        .into_iter()
                        .filter(|n| n.as_str() == Some(b.name))
                        .filter_map(rename),
                );
            }
            Where::ServiceName => {
                if label_problem(&new).is_some() || new.is_empty() {
                    return None;
                }
                edits.extend(rename(b.node));
            }
            Where::ServiceTarget => {
                if iana_problem(&new).is_some() {
                    return None;
                }
                edits.extend(rename(b.node));
            }
        }
        let title = match b.at {
            Where::ServiceTarget => format!("Write targetPort `{new}`"),
            _ => format!("Rename the port `{}` to `{new}`", b.name),
        };
        Some(Fix::new(title, Applicability::Unsafe, edits))
    }
}

fn port_names<'a>(c: &Container<'a>) -> Vec<&'a str> {
    c.node
        .get("ports")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.get("name").and_then(Node::as_str))
        .collect()
}

/// The `port` nodes of a container's probes and lifecycle hooks, which may name one of its
/// ports.
fn named_port_uses(container: &Node) -> Vec<&Node> {
    let mut actions: Vec<&Node> = ["livenessProbe", "readinessProbe", "startupProbe"]
        .iter()
        .filter_map(|k| container.get(k))
        .collect();
    actions.extend(
        ["postStart", "preStop"]
            .iter()
            .filter_map(|k| container.path(&["lifecycle", k])),
    );
    actions
        .into_iter()
        .flat_map(|a| ["httpGet", "tcpSocket"].map(|h| a.path(&[h, "port"])))
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names_follow_iana_and_fixes_lower_them() {
        assert_eq!(iana_problem("http-metrics"), None);
        assert!(iana_problem("prometheus-metrics").is_some());
        assert!(iana_problem("8080").is_some());
        assert!(iana_problem("HTTP").is_some());
        assert!(iana_problem("web--ui").is_some());
        assert_eq!(label_problem("prometheus-metrics"), None);
        assert_eq!(normalized("HTTP_API"), "http-api");
        assert_eq!(normalized(" grpc.web_ "), "grpc-web");
        assert_eq!(normalized("-a__b-"), "a-b");
    }
}
