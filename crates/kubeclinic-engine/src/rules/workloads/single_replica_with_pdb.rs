use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::pdb_blocks_eviction::blocks;
use super::{
    budget, budget_workloads, replicas_anchor, set_replicas, template_of, Budget, Replicas,
};

declare_rule! {
    /// ## What it does
    /// Finds workloads that run a single replica (`replicas: 1`, or unset, and no autoscaler
    /// with a higher `minReplicas`) while a PodDisruptionBudget that selects only their pod
    /// requires it to stay (`minAvailable: 1`, `100%`, or `maxUnavailable: 0`).
    ///
    /// ## Why is this bad?
    /// The one pod can never be evicted: every node drain (`kubectl drain`, a cluster
    /// upgrade, the cluster autoscaler) hangs on it with `Cannot evict pod as it would
    /// violate the pod's disruption budget`. The budget cannot keep one pod available while
    /// it moves; only a second replica can.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: invoices
    /// spec:
    ///   selector:
    ///     matchLabels: {app: invoices}
    ///   template:
    ///     metadata:
    ///       labels: {app: invoices}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/invoices:2.2.0
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: invoices
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: invoices}
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: invoices
    /// spec:
    ///   replicas: 2
    ///   selector:
    ///     matchLabels: {app: invoices}
    ///   template:
    ///     metadata:
    ///       labels: {app: invoices}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/invoices:2.2.0
    /// ---
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata:
    ///   name: invoices
    /// spec:
    ///   minAvailable: 1
    ///   selector:
    ///     matchLabels: {app: invoices}
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix runs 2 replicas of a Deployment, ReplicaSet or ReplicationController
    /// whose pods mount no claim; check the app can run twice (a singleton job runner, a
    /// leader without election cannot). No fix for StatefulSets or autoscaled workloads:
    /// raise `replicas` or `minReplicas` yourself, or allow the disruption
    /// (`maxUnavailable: 1`) and accept a short outage while the pod moves.
    pub struct SingleReplicaWithPdb {
        id: "single-replica-with-pdb",
        category: Workloads,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Stuck<'a> {
    workload: usize,
    replicas: Replicas<'a>,
    pdb: usize,
    budget: Budget<'a>,
}

impl Rule for SingleReplicaWithPdb {
    type State<'a> = Stuck<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Stuck<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("PodDisruptionBudget") {
            let pdb = &ws.objects[index];
            if pdb.is_live() {
                continue;
            }
            let Some(budget) = budget(pdb) else { continue };
            let Some(workloads) = budget_workloads(ws, index) else {
                continue;
            };
            let mut running = workloads.into_iter().filter(|(_, r)| r.count > 0);
            let (Some((workload, replicas)), None) = (running.next(), running.next()) else {
                continue;
            };
            if replicas.count == 1 && blocks(&budget, 1) {
                out.push(Stuck {
                    workload,
                    replicas,
                    pdb: index,
                    budget,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, s: &Stuck<'a>) -> Diagnostic {
        let o = &ws.objects[s.workload];
        let how = match s.replicas.autoscaler {
            Some(a) => format!(" (the minReplicas of {})", ws.objects[a].display()),
            None if s.replicas.node.is_none() => " (replicas unset)".to_string(),
            None => String::new(),
        };
        Diagnostic {
            file: o.file,
            range: replicas_anchor(ws, s.workload),
            message: format!(
                "{} runs a single replica{how}, and {} requires {}: its pod can never be evicted",
                o.display(),
                ws.objects[s.pdb].display(),
                s.budget.text()
            ),
            why: "Node drains (`kubectl drain`, cluster upgrades, the cluster autoscaler) hang on the pod: every eviction is refused with `Cannot evict pod as it would violate the pod's disruption budget`.".into(),
            help: Some(format!("Run at least 2 replicas so one pod can move while the other serves, or allow the disruption in {} (`maxUnavailable: 1`) and accept a short outage while the pod moves.", ws.objects[s.pdb].display())),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, s: &Stuck<'a>) -> Vec<Related> {
        let pdb = &ws.objects[s.pdb];
        vec![Related {
            file: pdb.file,
            range: s.budget.entry.value.span,
            message: format!("{} requires {}", pdb.display(), s.budget.text()),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, s: &Stuck<'a>) -> Option<Fix> {
        let o = &ws.objects[s.workload];
        let scalable = matches!(
            o.kind.as_str(),
            "Deployment" | "ReplicaSet" | "ReplicationController"
        );
        if !scalable || s.replicas.autoscaler.is_some() {
            return None;
        }
        // A claim mounted read-write once cannot follow a second pod to another node.
        let template = template_of(ws, s.workload)?;
        let claims = ws.templates[template]
            .spec
            .get("volumes")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|v| v.get("persistentVolumeClaim").is_some());
        if claims {
            return None;
        }
        let edit = set_replicas(ws, s.workload, 2)?;
        Some(Fix::new(
            format!("Run 2 replicas of {}", o.display()),
            Applicability::Unsafe,
            vec![edit],
        ))
    }
}
