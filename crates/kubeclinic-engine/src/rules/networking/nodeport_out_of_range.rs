use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds Service ports whose `nodePort` lies outside the cluster's default NodePort range,
    /// 30000-32767, or that is set on a Service of type ClusterIP.
    ///
    /// ## Why is this bad?
    /// The API server refuses the Service (`spec.ports[0].nodePort: Invalid value: 8080:
    /// provided port is not in the valid range. The range of valid ports is 30000-32767`, or
    /// `may not be used when type is 'ClusterIP'`) unless the cluster was started with another
    /// `--service-node-port-range`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   type: NodePort
    ///   selector: {app: storefront}
    ///   ports:
    ///     - port: 80
    ///       nodePort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   type: NodePort
    ///   selector: {app: storefront}
    ///   ports:
    ///     - port: 80
    ///       nodePort: 30080
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the port clients reach the nodes on is yours to choose (or leave `nodePort`
    /// out and let the cluster pick one).
    pub struct NodeportOutOfRange {
        id: "nodeport-out-of-range",
        category: Networking,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct OutOfRange<'a> {
    service: usize,
    node: &'a Node,
    number: i64,
    cluster_ip: bool,
}

impl Rule for NodeportOutOfRange {
    type State<'a> = OutOfRange<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<OutOfRange<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Service") {
            let service = &ws.objects[index];
            if service.is_live() {
                continue;
            }
            let kind = service
                .node
                .path(&["spec", "type"])
                .and_then(Node::as_str)
                .unwrap_or("ClusterIP");
            for port in service
                .node
                .path(&["spec", "ports"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let Some(node) = port.get("nodePort") else {
                    continue;
                };
                let Some(number) = node.as_i64() else {
                    continue;
                };
                let cluster_ip = kind == "ClusterIP" && number != 0;
                if cluster_ip || (number != 0 && !(30000..=32767).contains(&number)) {
                    out.push(OutOfRange {
                        service: index,
                        node,
                        number,
                        cluster_ip,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, o: &OutOfRange<'a>) -> Diagnostic {
        let service = &ws.objects[o.service];
        let name = service.name.as_deref().unwrap_or("<unnamed>");
        let (message, help) = if o.cluster_ip {
            (
                format!("Service {name} sets nodePort {} but is of type ClusterIP", o.number),
                "Set `type: NodePort` (or LoadBalancer) if the port must be open on the nodes, or remove `nodePort`.",
            )
        } else {
            (
                format!(
                    "Service {name} asks for nodePort {}, outside the default range 30000-32767",
                    o.number
                ),
                "Pick a nodePort between 30000 and 32767, or leave it out and let the cluster choose; to reach the app on a low port, use a LoadBalancer or an Ingress.",
            )
        };
        Diagnostic {
            file: service.file,
            range: o.node.span,
            message,
            why: "The API server refuses the Service (`provided port is not in the valid range`), unless the cluster runs with another `--service-node-port-range`.".into(),
            help: Some(help.into()),
            object: Some(service.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, _o: &OutOfRange<'a>) -> Option<Fix> {
        None
    }
}
