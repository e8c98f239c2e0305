use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds StatefulSets whose `serviceName` names a Service the set does not define, while
    /// the set holds other Services of that namespace, and offers the closest name. With no
    /// name close, the finding is information: the Service may well be applied from elsewhere.
    ///
    /// ## Why is this bad?
    /// The StatefulSet's pods get their stable DNS names (`db-0.db.shop.svc.cluster.local`)
    /// from this governing Service. Without it the names never resolve: replicas cannot find
    /// each other, so clustered databases and brokers never form a quorum (`no such host` for
    /// `db-0.db`).
    ///
    /// ## Example
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
    ///   serviceName: orders-database
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
    /// Unsafe: `serviceName` cannot change on an existing StatefulSet (the API server refuses
    /// the update: delete it with `--cascade=orphan` and apply again), and the pods' DNS names
    /// change with it. No fix when no Service name comes close.
    pub struct StatefulsetServiceMissing {
        id: "statefulset-service-missing",
        category: Networking,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Missing<'a> {
    set: usize,
    name: &'a Node,
    closest: Option<usize>,
}

impl Rule for StatefulsetServiceMissing {
    type State<'a> = Missing<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Missing<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("StatefulSet") {
            let set = &ws.objects[index];
            if set.is_live() {
                continue;
            }
            let Some(node) = set.node.path(&["spec", "serviceName"]) else {
                continue;
            };
            let Some(name) = node.as_str().filter(|n| !n.is_empty()) else {
                continue;
            };
            let Some(closest) = super::missing_service(ws, name, set) else {
                continue;
            };
            out.push(Missing {
                set: index,
                name: node,
                closest,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Diagnostic {
        let set = &ws.objects[m.set];
        let mut message = format!(
            "StatefulSet {} is governed by Service {}, which the set does not define",
            set.name.as_deref().unwrap_or("<unnamed>"),
            m.name.as_str().unwrap_or_default()
        );
        message.push_str(&super::meant_suffix(
            m.closest.and_then(|c| ws.objects[c].name.as_deref()),
        ));
        Diagnostic {
            file: set.file,
            range: m.name.span,
            message,
            why: "The pods' stable DNS names (`<pod>.<serviceName>`) come from this Service: without it they never resolve, and replicas that look each other up never form a cluster.".into(),
            help: Some("Name the headless Service (`clusterIP: None`) that selects these pods, or add it.".into()),
            object: Some(set.reference()),
            container: None,
            severity: super::meant_severity(m.closest),
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Vec<Related> {
        m.closest
            .map(|c| super::meant_label(&ws.objects[c], "Service"))
            .into_iter()
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Option<Fix> {
        let name = ws.objects[m.closest?].name.as_deref()?;
        super::rename_fix(
            format!("Govern by Service {name}"),
            ws.objects[m.set].file,
            m.name,
            name,
        )
    }
}
