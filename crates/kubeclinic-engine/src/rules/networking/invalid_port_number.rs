use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds port numbers outside 1-65535: a container's `containerPort` or `hostPort`, a
    /// Service's `port` or numeric `targetPort`, and the numeric port of a probe.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object (`spec.ports[0].port: Invalid value: 80800: must be
    /// between 1 and 65535, inclusive`): the workload or the Service is not created. A digit
    /// typed twice is the usual way in.
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
    ///     - port: 80
    ///       targetPort: 80800
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
    ///     - port: 80
    ///       targetPort: 8080
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the port meant is yours to say.
    pub struct InvalidPortNumber {
        id: "invalid-port-number",
        category: Networking,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct OutOfRange<'a> {
    object: usize,
    file: FileId,
    node: &'a Node,
    number: i64,
    field: &'static str,
}

impl Rule for InvalidPortNumber {
    type State<'a> = OutOfRange<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<OutOfRange<'a>> {
        let mut out = Vec::new();
        let mut judge =
            |object: usize, node: Option<&'a Node>, field: &'static str, zero_ok: bool| {
                let Some(node) = node else { return };
                let Some(number) = node.as_i64() else { return };
                let allowed = (1..=65535).contains(&number) || (zero_ok && number == 0);
                if !allowed {
                    out.push(OutOfRange {
                        object,
                        file: ws.objects[object].file,
                        node,
                        number,
                        field,
                    });
                }
            };
        for c in &ws.containers {
            if ws.objects[c.object].is_live() {
                continue;
            }
            for port in c.node.get("ports").map(Node::items).unwrap_or_default() {
                judge(c.object, port.get("containerPort"), "containerPort", false);
                // `hostPort: 0` means none.
                judge(c.object, port.get("hostPort"), "hostPort", true);
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                let Some(p) = c.node.get(probe) else { continue };
                for handler in ["httpGet", "tcpSocket", "grpc"] {
                    judge(c.object, p.path(&[handler, "port"]), "probe port", false);
                }
            }
        }
        for &index in ws.indexes_of_kind("Service") {
            if ws.objects[index].is_live() {
                continue;
            }
            for port in ws.objects[index]
                .node
                .path(&["spec", "ports"])
                .map(Node::items)
                .unwrap_or_default()
            {
                judge(index, port.get("port"), "port", false);
                judge(index, port.get("targetPort"), "targetPort", false);
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, o: &OutOfRange<'a>) -> Diagnostic {
        let object = &ws.objects[o.object];
        Diagnostic {
            file: o.file,
            range: o.node.span,
            message: format!(
                "{} sets {} {}, outside 1-65535",
                object.display(),
                o.field,
                o.number
            ),
            why: "The API server refuses the object (`must be between 1 and 65535, inclusive`): it is not created.".into(),
            help: Some("Write the port meant (a digit typed twice is the usual slip).".into()),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, _o: &OutOfRange<'a>) -> Option<Fix> {
        None
    }
}
