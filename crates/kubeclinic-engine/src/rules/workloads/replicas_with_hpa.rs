use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{Entry, Node};

use super::entry_owns_its_lines;
use crate::patch::entry_lines;

declare_rule! {
    /// ## What it does
    /// Finds workloads that set `spec.replicas` while a HorizontalPodAutoscaler of the set
    /// scales them.
    ///
    /// ## Why is this bad?
    /// Two owners fight over one number: every `kubectl apply` (or GitOps sync) of the
    /// manifest sets the replica count back to what it says, under load too, and the
    /// autoscaler then scales again. Pods are killed and started for nothing, and a busy
    /// workload drops to its manifest's count at each deploy.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: storefront}
    ///   template:
    ///     metadata:
    ///       labels: {app: storefront}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/storefront:2.8.1
    ///           resources:
    ///             requests: {cpu: 200m, memory: 256Mi}
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: storefront
    ///   minReplicas: 3
    ///   maxReplicas: 12
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector:
    ///     matchLabels: {app: storefront}
    ///   template:
    ///     metadata:
    ///       labels: {app: storefront}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/storefront:2.8.1
    ///           resources:
    ///             requests: {cpu: 200m, memory: 256Mi}
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   scaleTargetRef:
    ///     apiVersion: apps/v1
    ///     kind: Deployment
    ///     name: storefront
    ///   minReplicas: 3
    ///   maxReplicas: 12
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix deletes the `replicas:` line, which is right for the manifest, but the
    /// first client-side `kubectl apply` without it clears the field the last apply set, and
    /// the workload drops to 1 replica until the autoscaler scales it back. Remove the field
    /// from the live object's last applied configuration first (`kubectl apply
    /// edit-last-applied`), or apply server-side.
    pub struct ReplicasWithHpa {
        id: "replicas-with-hpa",
        category: Workloads,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Contested<'a> {
    workload: usize,
    hpa: usize,
    replicas: &'a Entry,
}

impl Rule for ReplicasWithHpa {
    type State<'a> = Contested<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Contested<'a>> {
        let mut out: Vec<Contested> = Vec::new();
        for a in ws.autoscalers() {
            let Some(target) = a.target else { continue };
            let workload = &ws.objects[target];
            if workload.is_live() || out.iter().any(|c| c.workload == target) {
                continue;
            }
            let Some(replicas) = workload.node.get("spec").and_then(|s| s.entry("replicas")) else {
                continue;
            };
            if replicas.value.as_scalar().is_none_or(|s| s.is_null()) {
                continue;
            }
            out.push(Contested {
                workload: target,
                hpa: a.index,
                replicas,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, c: &Contested<'a>) -> Diagnostic {
        let o = &ws.objects[c.workload];
        let hpa = &ws.objects[c.hpa];
        let count = c.replicas.value.as_str().unwrap_or_default();
        Diagnostic {
            file: o.file,
            range: c.replicas.value.span,
            message: format!(
                "{} sets replicas: {count} while {} scales it",
                o.display(),
                hpa.display()
            ),
            why: format!("Every `kubectl apply` or GitOps sync sets the count back to {count}, under load too, and the autoscaler then scales again: pods are killed and started for nothing."),
            help: Some(format!("Leave the count to the autoscaler: remove `spec.replicas` from {} (and from the live object's last applied configuration).", o.display())),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, c: &Contested<'a>) -> Vec<Related> {
        let hpa = &ws.objects[c.hpa];
        let range = hpa
            .node
            .path(&["spec", "scaleTargetRef", "name"])
            .map_or_else(|| hpa.anchor_range(), |n: &Node| n.span);
        vec![Related {
            file: hpa.file,
            range,
            message: format!("{} scales it", hpa.display()),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, c: &Contested<'a>) -> Option<Fix> {
        let o = &ws.objects[c.workload];
        let spec = o.node.get("spec")?;
        // The line goes only when `spec` keeps another key and the entry has its own line.
        if spec.flow || spec.entries().len() < 2 || !entry_owns_its_lines(ws, o.file, c.replicas) {
            return None;
        }
        Some(Fix::new(
            "Remove replicas: the autoscaler sets the count",
            Applicability::Unsafe,
            vec![Edit::delete(o.file, entry_lines(ws, o.file, c.replicas))],
        ))
    }
}
