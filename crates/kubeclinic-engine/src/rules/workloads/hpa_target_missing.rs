use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::similarity::nearest;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds HorizontalPodAutoscalers whose `scaleTargetRef` names a workload the set does not
    /// have while one of that kind in the namespace has a near name (a typo: `checkout` for
    /// `checkout-api`), and names it. When no workload of the set comes close, the target is
    /// taken to be applied from elsewhere and nothing is said.
    ///
    /// ## Why is this bad?
    /// The autoscaler never scales anything: `kubectl describe hpa` shows `FailedGetScale`
    /// (`deployments.apps "x" not found`), and the workload it was meant for stays at its
    /// replica count under load.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout-api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: checkout}
    ///   template:
    ///     metadata:
    ///       labels: {app: checkout}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/checkout:5.0.0
    ///           resources:
    ///             requests: {cpu: 250m}
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: checkout
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: checkout-api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: checkout}
    ///   template:
    ///     metadata:
    ///       labels: {app: checkout}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/checkout:5.0.0
    ///           resources:
    ///             requests: {cpu: 250m}
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: checkout-api
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the closest workload of that kind; check it is the one to scale.
    pub struct HpaTargetMissing {
        id: "hpa-target-missing",
        category: Workloads,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Missing<'a> {
    hpa: usize,
    kind: &'a str,
    name: &'a Node,
    /// A workload of that kind in the namespace with a near name.
    closest: Option<String>,
    /// No workload of the set comes close: it may be applied from elsewhere.
    absent: bool,
}

impl Rule for HpaTargetMissing {
    type State<'a> = Missing<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Missing<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("HorizontalPodAutoscaler") {
            let hpa = &ws.objects[index];
            if hpa.is_live() {
                continue;
            }
            let Some(target) = hpa.node.path(&["spec", "scaleTargetRef"]) else {
                continue;
            };
            let (Some(kind), Some(name)) = (
                target.get("kind").and_then(Node::as_str),
                target.get("name"),
            ) else {
                continue;
            };
            let Some(wanted) = name.as_str() else {
                continue;
            };
            if ws.find(kind, wanted, hpa).is_some() {
                continue;
            }
            let others: Vec<&str> = ws
                .objects_of_kind(kind)
                .filter(|o| o.may_share_namespace(hpa))
                .filter_map(|o| o.name.as_deref())
                .collect();
            // A near name: a typo, or one a rename shortened or lengthened (`checkout` for
            // `checkout-api`). Without one the target is most likely applied from elsewhere
            // (another folder, another chart): not judged.
            let near = nearest(wanted, others.iter().copied()).or_else(|| {
                others.iter().copied().find(|o| {
                    crate::labels::similar(o, wanted)
                        && (o.starts_with(wanted) || wanted.starts_with(o))
                })
            });
            let Some(near) = near else { continue };
            out.push(Missing {
                hpa: index,
                kind,
                name,
                closest: Some(near.to_string()),
                absent: false,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Diagnostic {
        let hpa = &ws.objects[m.hpa];
        let wanted = m.name.as_str().unwrap_or_default();
        let message = if m.absent {
            format!(
                "{} scales {} {wanted}, which is not in the set; make sure it exists in the cluster",
                hpa.display(),
                m.kind
            )
        } else {
            let near = m
                .closest
                .as_ref()
                .map(|c| format!(": did you mean {c}?"))
                .unwrap_or_default();
            format!(
                "{} scales {} {wanted}, which the set does not have{near}",
                hpa.display(),
                m.kind
            )
        };
        Diagnostic {
            file: hpa.file,
            range: m.name.span,
            message,
            why: format!("The autoscaler scales nothing (`FailedGetScale`: `{} \"{wanted}\" not found`), and the workload it was meant for keeps its replica count under load.", m.kind.to_ascii_lowercase()),
            help: Some(format!("Name the {} to scale exactly as its `metadata.name`, in the autoscaler's namespace.", m.kind)),
            object: Some(hpa.reference()),
            container: None,
            severity: m.absent.then_some(Severity::Info),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Option<Fix> {
        let closest = m.closest.as_deref()?;
        let hpa = &ws.objects[m.hpa];
        let like = m.name.as_scalar()?.style;
        Some(Fix::new(
            format!("Scale {} {closest}", m.kind),
            Applicability::Unsafe,
            vec![Edit::replace(
                hpa.file,
                m.name.span,
                crate::yaml::render_scalar(closest, like),
            )],
        ))
    }
}
