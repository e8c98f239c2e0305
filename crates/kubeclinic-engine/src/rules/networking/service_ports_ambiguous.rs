use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Services with more than one port where a port has no `name`, and ports whose
    /// number and protocol (or name) repeat another port of the same Service.
    ///
    /// ## Why is this bad?
    /// The API server refuses the Service (`spec.ports[1].name: Required value`, or
    /// `spec.ports[1]: Duplicate value`): the apply fails, and with it every object applied
    /// after it in a pipeline.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector: {app: storefront}
    ///   ports:
    ///     - name: http
    ///       port: 80
    ///     - port: 9102
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector: {app: storefront}
    ///   ports:
    ///     - name: http
    ///       port: 80
    ///     - name: metrics
    ///       port: 9102
    /// ```
    ///
    /// ## Fix safety
    /// Safe for a missing name: the fix names the port after its number (`port-9102`), a
    /// name nothing refers to yet. Repeated ports get no fix: which one to keep is yours.
    pub struct ServicePortsAmbiguous {
        id: "service-ports-ambiguous",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub enum Problem<'a> {
    Unnamed {
        service: usize,
        port: &'a Node,
    },
    Repeated {
        service: usize,
        port: &'a Node,
        what: String,
    },
}

impl Rule for ServicePortsAmbiguous {
    type State<'a> = Problem<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Problem<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Service") {
            let service = &ws.objects[index];
            if service.is_live() {
                continue;
            }
            let ports = service
                .node
                .path(&["spec", "ports"])
                .map(Node::items)
                .unwrap_or_default();
            let mut seen: Vec<(i64, String)> = Vec::new();
            let mut names: Vec<&str> = Vec::new();
            for port in ports {
                let name = port
                    .get("name")
                    .and_then(Node::as_str)
                    .filter(|n| !n.is_empty());
                if ports.len() > 1 && name.is_none() {
                    out.push(Problem::Unnamed {
                        service: index,
                        port,
                    });
                }
                if let Some(name) = name {
                    if names.contains(&name) {
                        out.push(Problem::Repeated {
                            service: index,
                            port,
                            what: format!("the name {name}"),
                        });
                    }
                    names.push(name);
                }
                let number = port.get("port").and_then(Node::as_i64);
                let protocol = port
                    .get("protocol")
                    .and_then(Node::as_str)
                    .unwrap_or("TCP")
                    .to_string();
                if let Some(number) = number {
                    if seen.contains(&(number, protocol.clone())) {
                        out.push(Problem::Repeated {
                            service: index,
                            port,
                            what: format!("port {number}/{protocol}"),
                        });
                    }
                    seen.push((number, protocol));
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, p: &Problem<'a>) -> Diagnostic {
        let (service, port, message) = match p {
            Problem::Unnamed { service, port } => (
                *service,
                *port,
                format!(
                    "Service {} has several ports, and port {} has no name",
                    ws.objects[*service].name.as_deref().unwrap_or("<unnamed>"),
                    port.get("port")
                        .and_then(Node::as_i64)
                        .map_or("?".into(), |n| n.to_string())
                ),
            ),
            Problem::Repeated {
                service,
                port,
                what,
            } => (
                *service,
                *port,
                format!(
                    "Service {} lists {what} twice",
                    ws.objects[*service].name.as_deref().unwrap_or("<unnamed>")
                ),
            ),
        };
        let object = &ws.objects[service];
        Diagnostic {
            file: object.file,
            range: port.span,
            message,
            why: "The API server refuses the Service (`Required value` or `Duplicate value` on spec.ports): the apply fails.".into(),
            help: Some("Give every port of a multi-port Service a unique name, and list each port number and protocol once.".into()),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, p: &Problem<'a>) -> Option<Fix> {
        let Problem::Unnamed { service, port } = p else {
            return None;
        };
        let number = port.get("port").and_then(Node::as_i64)?;
        let name = format!("port-{number}");
        let file = ws.objects[*service].file;
        let edit = set_path(ws, file, port, &["name"], &Value::Scalar(name.clone()))?;
        Some(Fix::new(
            format!("Name the port {name}"),
            Applicability::Safe,
            vec![edit],
        ))
    }
}
