use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;

use super::{budget, budget_workloads, replicas_anchor, total_pods, Amount, Budget, Replicas};

declare_rule! {
    /// ## What it does
    /// Finds PodDisruptionBudgets that allow no pod to be evicted: `maxUnavailable: 0` (or
    /// `"0%"`), or a `minAvailable` as high as the replicas of the workloads they select
    /// (`minAvailable: 3` over 3 replicas, `minAvailable: 100%`, or a percentage that rounds
    /// up to every pod). An autoscaled workload is counted at its `minReplicas`.
    ///
    /// ## Why is this bad?
    /// A node drain (`kubectl drain`, a cluster upgrade, the cluster autoscaler removing a
    /// node) asks the eviction API to move the pods, and the answer is always `Cannot evict
    /// pod as it would violate the pod's disruption budget`: the drain hangs until someone
    /// deletes the budget or the pods by hand.
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
    ///     matchLabels: {app: payments}
    ///   template:
    ///     metadata:
    ///       labels: {app: payments}
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
    ///   minAvailable: 3
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
    ///     matchLabels: {app: payments}
    ///   template:
    ///     metadata:
    ///       labels: {app: payments}
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
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: {app: payments}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes `maxUnavailable: 1`, so drains move one pod at a time; with a
    /// single replica that means a short outage while it moves.
    pub struct PdbBlocksEviction {
        id: "pdb-blocks-eviction",
        category: Workloads,
        severity: Warning,
        fix: Always,
        reads: Manifests,
        explained_by: ["single-replica-with-pdb"],
    }
}

pub struct Blocking<'a> {
    pdb: usize,
    budget: Budget<'a>,
    /// The workloads it selects, with their replicas.
    workloads: Vec<(usize, Replicas<'a>)>,
}

impl Blocking<'_> {
    fn total(&self) -> i64 {
        total_pods(&self.workloads)
    }
}

/// True when the budget lets none of `total` pods go: always for `maxUnavailable: 0`.
pub fn blocks(budget: &Budget, total: i64) -> bool {
    match budget.field {
        "maxUnavailable" => budget.disruptions_allowed(total.max(1)) <= 0,
        _ => total > 0 && budget.disruptions_allowed(total) <= 0,
    }
}

impl Rule for PdbBlocksEviction {
    type State<'a> = Blocking<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Blocking<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("PodDisruptionBudget") {
            let pdb = &ws.objects[index];
            if pdb.is_live() {
                continue;
            }
            let Some(budget) = budget(pdb) else { continue };
            let workloads = budget_workloads(ws, index).unwrap_or_default();
            let total = total_pods(&workloads);
            let judged = budget.field == "maxUnavailable" || !workloads.is_empty();
            if judged && blocks(&budget, total) {
                out.push(Blocking {
                    pdb: index,
                    budget,
                    workloads,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Blocking<'a>) -> Diagnostic {
        let pdb = &ws.objects[b.pdb];
        let pods = match b.workloads.as_slice() {
            [] => String::new(),
            [(w, r)] => format!(
                " of the {} {} {} runs{}",
                r.count,
                if r.count == 1 { "pod" } else { "pods" },
                ws.objects[*w].display(),
                at_min(ws, r)
            ),
            many => format!(
                " of the {} pods of {}",
                b.total(),
                many.iter()
                    .map(|(w, _)| ws.objects[*w].display())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let message = if b.budget.field == "maxUnavailable" {
            format!(
                "{} allows no disruption ({}): none of the pods it selects can be evicted",
                pdb.display(),
                b.budget.text()
            )
        } else {
            format!(
                "{} requires {}{pods}: none of them can be evicted",
                pdb.display(),
                b.budget.text()
            )
        };
        Diagnostic {
            file: pdb.file,
            range: b.budget.entry.value.span,
            message,
            why: "Node drains (`kubectl drain`, cluster upgrades, the cluster autoscaler) hang: every eviction is refused with `Cannot evict pod as it would violate the pod's disruption budget`.".into(),
            help: Some("Allow at least one pod to go at a time (`maxUnavailable: 1`, or a `minAvailable` below the replica count), and run enough replicas to stay up while one moves.".into()),
            object: Some(pdb.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, b: &Blocking<'a>) -> Vec<Related> {
        b.workloads
            .iter()
            .map(|(w, r)| replicas_label(ws, *w, r))
            .collect()
    }

    fn evidence<'a>(ws: &Workspace<'a>, b: &Blocking<'a>) -> Vec<(FileId, TextRange)> {
        // A single pod kept by one workload is single-replica-with-pdb's finding, at the
        // workload's replicas: it says the same from the workload's side.
        match b.workloads.as_slice() {
            [(w, r)] if r.count == 1 => vec![(ws.objects[*w].file, replicas_anchor(ws, *w))],
            _ => Vec::new(),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, b: &Blocking<'a>) -> Option<Fix> {
        Some(allow_one(ws, b.pdb, &b.budget))
    }
}

/// ` (its autoscaler's minReplicas)` when an autoscaler decides the count.
pub fn at_min(ws: &Workspace, r: &Replicas) -> String {
    r.autoscaler.map_or_else(String::new, |a| {
        format!(" at the minReplicas of {}", ws.objects[a].display())
    })
}

/// The secondary label on a workload's replica count.
pub fn replicas_label(ws: &Workspace, workload: usize, r: &Replicas) -> Related {
    let o = &ws.objects[workload];
    let (file, range) = match r.autoscaler {
        Some(a) => {
            let hpa = &ws.objects[a];
            let range = hpa
                .node
                .path(&["spec", "minReplicas"])
                .map_or_else(|| hpa.anchor_range(), |n| n.span);
            (hpa.file, range)
        }
        None => (o.file, replicas_anchor(ws, workload)),
    };
    let unset = if r.node.is_none() && r.autoscaler.is_none() {
        " (replicas unset)"
    } else {
        ""
    };
    Related {
        file,
        range,
        message: format!(
            "{} runs {} {}{}{unset}",
            o.display(),
            r.count,
            if r.count == 1 { "replica" } else { "replicas" },
            at_min(ws, r)
        ),
    }
}

/// `maxUnavailable: 1` in place of the budget.
pub fn allow_one(ws: &Workspace, pdb: usize, budget: &Budget) -> Fix {
    let file = ws.objects[pdb].file;
    let (title, edit) = match (budget.field, budget.amount) {
        ("maxUnavailable", Amount::Count(_)) => (
            "Allow one pod at a time (maxUnavailable: 1)".to_string(),
            Edit::replace(file, budget.entry.value.span, "1"),
        ),
        _ => (
            format!("Replace {} with maxUnavailable: 1", budget.text()),
            Edit::replace(
                file,
                TextRange::new(budget.entry.key.span.start, budget.entry.value.span.end),
                "maxUnavailable: 1",
            ),
        ),
    };
    Fix::new(title, Applicability::Unsafe, vec![edit])
}
