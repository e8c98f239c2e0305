use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related};
use crate::labels::{closest_labels, near_miss, requirements, selects_everything};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{self, format_labels, Node};

declare_rule! {
    /// ## What it does
    /// Finds PodDisruptionBudgets whose `selector` matches none of the pod templates of their
    /// namespace while one comes close (`app: payments` for `app: payments-api`), and names
    /// that template, with each label it does not match.
    ///
    /// ## Why is this bad?
    /// The budget protects nothing: a node drain or a cluster upgrade evicts every replica of
    /// the workload it was written for at once.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: payments
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: payments-api}
    ///   template:
    ///     metadata:
    ///       labels: {app: payments-api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/payments:6.1.0
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: payments
    /// spec:
    ///   minAvailable: 2
    ///   selector:
    ///     matchLabels: {app: payments}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: payments
    /// spec:
    ///   replicas: 3
    ///   selector:
    ///     matchLabels: {app: payments-api}
    ///   template:
    ///     metadata:
    ///       labels: {app: payments-api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/payments:6.1.0
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: payments
    /// spec:
    ///   minAvailable: 2
    ///   selector:
    ///     matchLabels: {app: payments-api}
    /// ```
    ///
    /// ## Fix safety
    /// No fix: a budget that starts to apply can block drains; make the selector match on
    /// purpose.
    pub struct PdbSelectsNothing {
        id: "pdb-selects-nothing",
        category: Workloads,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Unprotected<'a> {
    pdb: usize,
    selector: &'a Node,
    closest: usize,
}

impl Rule for PdbSelectsNothing {
    type State<'a> = Unprotected<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unprotected<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("PodDisruptionBudget") {
            let pdb = &ws.objects[index];
            if pdb.is_live() {
                continue;
            }
            let Some(selector) = pdb.node.path(&["spec", "selector"]) else {
                continue;
            };
            let Ok(typed) = yaml::typed::<LabelSelector>(selector) else {
                continue;
            };
            if selects_everything(&typed) || requirements(selector).is_empty() {
                continue;
            }
            let selection = ws.select(&typed, pdb);
            if !selection.matched.is_empty()
                || ws.made_by_controller(&typed, pdb)
                || !near_miss(ws, selector, selection.closest)
            {
                continue;
            }
            let Some(closest) = selection.closest else {
                continue;
            };
            out.push(Unprotected {
                pdb: index,
                selector,
                closest,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unprotected<'a>) -> Diagnostic {
        let pdb = &ws.objects[u.pdb];
        let template = &ws.templates[u.closest];
        let wanted: Vec<String> = requirements(u.selector)
            .into_iter()
            .map(|r| r.text)
            .collect();
        Diagnostic {
            file: pdb.file,
            range: u.selector.span,
            message: format!(
                "{} protects no pods: no pod template has labels {}; the closest, {}, has {}",
                pdb.display(),
                wanted.join(","),
                ws.object_of(template).display(),
                format_labels(template.label_pairs())
            ),
            why: "A node drain or a cluster upgrade can evict every replica of the workload at once: the budget it was written for counts no pods.".into(),
            help: Some("Make the selector match the pod template's labels (`spec.template.metadata.labels`).".into()),
            object: Some(pdb.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, u: &Unprotected<'a>) -> Vec<Related> {
        closest_labels(ws, ws.objects[u.pdb].file, u.selector, u.closest)
    }
}
