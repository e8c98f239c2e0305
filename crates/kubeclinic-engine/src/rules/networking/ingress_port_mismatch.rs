use super::{closest_name, ingress_backends, IngressBackend, PortRef};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{render_scalar, Node};

declare_rule! {
    /// ## What it does
    /// Finds Ingress backends whose port (`port.number`, `port.name`, or the older
    /// `servicePort`) is not a port of the Service they name.
    ///
    /// ## Why is this bad?
    /// The controller finds no matching Service port, so the route has no endpoints: requests
    /// get `503`, and `kubectl describe ingress` shows `<error: endpoints "x" not found>` or the
    /// controller logs `service x does not have any active endpoint`.
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
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   ingressClassName: nginx
    ///   defaultBackend:
    ///     service:
    ///       name: storefront
    ///       port:
    ///         number: 8080
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
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   ingressClassName: nginx
    ///   defaultBackend:
    ///     service:
    ///       name: storefront
    ///       port:
    ///         number: 80
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the Service's only port, or the port whose name is closest; a
    /// number the Ingress names may be the container's port (`targetPort`), which an Ingress
    /// never uses: check the route. No fix when the Service has several ports and none is close.
    pub struct IngressPortMismatch {
        id: "ingress-port-mismatch",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Mismatch<'a> {
    backend: IngressBackend<'a>,
    port: &'a Node,
    wanted: PortRef<'a>,
    service: usize,
    /// What the fix writes: a number or a name of the Service's ports.
    replacement: Option<PortRef<'a>>,
    /// The Service's port item whose `targetPort` is the number asked.
    target_of: Option<&'a Node>,
}

/// The Service's ports: (item, number, name).
fn service_ports(service: &Node) -> Vec<(&Node, Option<i64>, Option<&str>)> {
    service
        .path(&["spec", "ports"])
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p,
                p.get("port").and_then(Node::as_i64),
                p.get("name").and_then(Node::as_str),
            )
        })
        .collect()
}

/// True when the Service's ports all say their number and none is `wanted`: a backend naming
/// it sends requests nowhere. Also what the object graph draws as a broken route.
pub(crate) fn lacks_port(service: &Node, wanted: &PortRef) -> bool {
    let ports = service_ports(service);
    if ports.is_empty() || ports.iter().any(|(_, n, _)| n.is_none()) {
        return false;
    }
    let found = match wanted {
        PortRef::Number(n) => ports.iter().any(|(_, p, _)| *p == Some(*n)),
        PortRef::Name(s) => {
            ports.iter().any(|(_, _, p)| *p == Some(*s))
                || s.chars().any(|c| c.is_ascii_uppercase())
        }
    };
    !found
}

impl Rule for IngressPortMismatch {
    type State<'a> = Mismatch<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Mismatch<'a>> {
        let mut out = Vec::new();
        for backend in ingress_backends(ws) {
            let ingress = &ws.objects[backend.ingress];
            let (Some(name), Some(port)) = (backend.service.as_str(), backend.port) else {
                continue;
            };
            let Some(service) = ws.find("Service", name, ingress) else {
                continue;
            };
            let Some(wanted) = PortRef::of(port) else {
                continue;
            };
            if !lacks_port(ws.objects[service].node, &wanted) {
                continue;
            }
            let ports = service_ports(ws.objects[service].node);
            let target_of = match &wanted {
                PortRef::Number(n) => ports
                    .iter()
                    .find(|(item, _, _)| item.get("targetPort").and_then(Node::as_i64) == Some(*n))
                    .map(|(item, _, _)| *item),
                PortRef::Name(_) => None,
            };
            let replacement = match (&wanted, ports.as_slice()) {
                // The number of the Service port whose targetPort was named.
                (PortRef::Number(_), _) if target_of.is_some() => target_of
                    .and_then(|t| t.get("port"))
                    .and_then(Node::as_i64)
                    .map(PortRef::Number),
                (PortRef::Name(s), _)
                    if closest_name(s, ports.iter().filter_map(|p| p.2)).is_some() =>
                {
                    closest_name(s, ports.iter().filter_map(|p| p.2)).map(PortRef::Name)
                }
                (PortRef::Number(_), [(_, Some(n), _)]) => Some(PortRef::Number(*n)),
                (PortRef::Name(_), [(_, _, Some(n))]) => Some(PortRef::Name(n)),
                _ => None,
            };
            out.push(Mismatch {
                backend,
                port,
                wanted,
                service,
                replacement,
                target_of,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Diagnostic {
        let ingress = &ws.objects[m.backend.ingress];
        let service = &ws.objects[m.service];
        let ports: Vec<String> = service_ports(service.node)
            .iter()
            .map(|(_, n, name)| match (name, n) {
                (Some(name), Some(n)) => format!("{name} ({n})"),
                (None, Some(n)) => n.to_string(),
                (Some(name), None) => name.to_string(),
                (None, None) => "?".into(),
            })
            .collect();
        let what = match &m.wanted {
            PortRef::Number(n) => format!("port {n}"),
            PortRef::Name(s) => format!("the port named {s}"),
        };
        let help = if m.target_of.is_some() {
            format!("An Ingress names the Service's port, not the container's: {} is the targetPort behind Service port {}.", m.wanted.text(), m.replacement.as_ref().map(PortRef::text).unwrap_or_default())
        } else {
            "Name one of the Service's ports (its `port` number or its `name`), not the container's port.".to_string()
        };
        Diagnostic {
            file: ingress.file,
            range: m.port.span,
            message: format!(
                "Ingress {} sends {} to {what} of Service {}, which has no such port (it has {})",
                ingress.name.as_deref().unwrap_or("<unnamed>"),
                m.backend.route,
                service.name.as_deref().unwrap_or("<unnamed>"),
                ports.join(", ")
            ),
            why: "The controller finds no such Service port, so the route has no endpoints: requests get 503.".into(),
            help: Some(help),
            object: Some(ingress.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Vec<Related> {
        let service = &ws.objects[m.service];
        let range = service
            .node
            .path(&["spec", "ports"])
            .map_or(service.anchor_range(), |p| p.span);
        vec![Related {
            file: service.file,
            range: m.target_of.map_or(range, |t| t.span),
            message: format!("the ports of {}", service.display()),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Mismatch<'a>) -> Option<Fix> {
        let to = m.replacement.as_ref()?;
        let file = ws.objects[m.backend.ingress].file;
        let kind_matches = matches!(
            (&m.wanted, to),
            (PortRef::Number(_), PortRef::Number(_)) | (PortRef::Name(_), PortRef::Name(_))
        );
        // `port.number` holds numbers and `port.name` names; `servicePort` holds either.
        let old_style = m.backend.port.is_some_and(|_| {
            ws.objects[m.backend.ingress]
                .node
                .get("apiVersion")
                .and_then(Node::as_str)
                .is_some_and(|v| v != "networking.k8s.io/v1")
        });
        if !kind_matches && !old_style {
            return None;
        }
        let text = match to {
            PortRef::Number(n) => n.to_string(),
            PortRef::Name(s) => render_scalar(s, m.port.as_scalar()?.style),
        };
        Some(Fix::new(
            format!("Send {} to port {}", m.backend.route, to.text()),
            Applicability::Unsafe,
            vec![Edit::replace(file, m.port.span, text)],
        ))
    }
}
