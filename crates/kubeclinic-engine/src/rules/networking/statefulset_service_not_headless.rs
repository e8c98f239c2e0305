use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds StatefulSets whose governing Service (`serviceName`) is in the set but is not
    /// headless (`clusterIP: None`).
    ///
    /// ## Why is this bad?
    /// Only a headless Service gives each pod its own DNS record (`db-0.db`): with a ClusterIP
    /// Service, `db-0.db` does not resolve, so replicas that address each other by name (database
    /// replication, Kafka, ZooKeeper, Elasticsearch discovery) never find their peers.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: orders-db
    /// spec:
    ///   selector: {app: orders-db}
    ///   ports:
    ///     - port: 5432
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: orders-db
    /// spec:
    ///   serviceName: orders-db
    ///   selector:
    ///     matchLabels: {app: orders-db}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-db}
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: postgres:16.4
    ///           ports:
    ///             - containerPort: 5432
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: orders-db
    /// spec:
    ///   clusterIP: None
    ///   selector: {app: orders-db}
    ///   ports:
    ///     - port: 5432
    /// ---
    /// apiVersion: apps/v1
    /// kind: StatefulSet
    /// metadata:
    ///   name: orders-db
    /// spec:
    ///   serviceName: orders-db
    ///   selector:
    ///     matchLabels: {app: orders-db}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-db}
    ///     spec:
    ///       containers:
    ///         - name: db
    ///           image: postgres:16.4
    ///           ports:
    ///             - containerPort: 5432
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix sets `clusterIP: None`. A Service's `clusterIP` cannot change in place
    /// (the API server refuses: delete and recreate it), clients of the old virtual IP then
    /// connect to pods directly, and a Service of type LoadBalancer or NodePort cannot be
    /// headless: those get no fix (add a second, headless Service for the StatefulSet instead).
    pub struct StatefulsetServiceNotHeadless {
        id: "statefulset-service-not-headless",
        category: Networking,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct NotHeadless {
    set: usize,
    service: usize,
}

impl Rule for StatefulsetServiceNotHeadless {
    type State<'a> = NotHeadless;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<NotHeadless> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("StatefulSet") {
            let set = &ws.objects[index];
            if set.is_live() {
                continue;
            }
            let Some(name) = set
                .node
                .path(&["spec", "serviceName"])
                .and_then(Node::as_str)
            else {
                continue;
            };
            let Some(service) = ws.find("Service", name, set) else {
                continue;
            };
            let s = &ws.objects[service];
            let cluster_ip = s.node.path(&["spec", "clusterIP"]).and_then(Node::as_str);
            let kind = s.node.path(&["spec", "type"]).and_then(Node::as_str);
            if cluster_ip == Some("None") || kind == Some("ExternalName") {
                continue;
            }
            out.push(NotHeadless {
                set: index,
                service,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, n: &NotHeadless) -> Diagnostic {
        let set = &ws.objects[n.set];
        let service = &ws.objects[n.service];
        Diagnostic {
            file: service.file,
            range: service.anchor_range(),
            message: format!(
                "Service {} governs StatefulSet {} but is not headless (no `clusterIP: None`)",
                service.name.as_deref().unwrap_or("<unnamed>"),
                set.name.as_deref().unwrap_or("<unnamed>")
            ),
            why: "Only a headless Service gives each pod its DNS record (`<pod>.<service>`): replicas that address each other by name never find their peers.".into(),
            help: Some("Make the governing Service headless (`clusterIP: None`), or add a headless Service for the StatefulSet and keep this one for clients.".into()),
            object: Some(service.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, n: &NotHeadless) -> Vec<Related> {
        let set = &ws.objects[n.set];
        let range = set
            .node
            .path(&["spec", "serviceName"])
            .map_or(set.anchor_range(), |s| s.span);
        vec![Related {
            file: set.file,
            range,
            message: format!("the serviceName of {}", set.display()),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, n: &NotHeadless) -> Option<Fix> {
        let service = &ws.objects[n.service];
        let kind = service.node.path(&["spec", "type"]).and_then(Node::as_str);
        if matches!(kind, Some("LoadBalancer" | "NodePort")) {
            return None;
        }
        let edit = set_path(
            ws,
            service.file,
            service.node,
            &["spec", "clusterIP"],
            &Value::Scalar("None".into()),
        )?;
        Some(Fix::new(
            "Make the Service headless (clusterIP: None)",
            Applicability::Unsafe,
            vec![edit],
        ))
    }
}
