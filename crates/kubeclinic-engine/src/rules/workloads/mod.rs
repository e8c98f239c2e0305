//! Workloads and their own consistency: selectors, resources, environment, schedules.

pub mod duplicate_container_port;
pub mod duplicate_env_var;
pub mod duplicate_workload;
pub mod hpa_metrics_unavailable;
pub mod hpa_min_exceeds_max;
pub mod hpa_no_requests;
pub mod hpa_target_missing;
pub mod identical_probes;
pub mod image_name_inconsistent;
pub mod invalid_cron;
pub mod invalid_port_name;
pub mod job_failed;
pub mod job_without_backoff_limit;
pub mod missing_probes;
pub mod missing_resources;
pub mod pdb_blocks_eviction;
pub mod pdb_selects_nothing;
pub mod probe_port_mismatch;
pub mod replicas_with_hpa;
pub mod requests_exceed_limits;
pub mod restart_policy_invalid;
pub mod selector_template_mismatch;
pub mod single_replica_with_pdb;
pub mod volume_mount_missing_volume;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<selector_template_mismatch::SelectorTemplateMismatch>(),
    RuleEntry::of::<requests_exceed_limits::RequestsExceedLimits>(),
    RuleEntry::of::<restart_policy_invalid::RestartPolicyInvalid>(),
    RuleEntry::of::<identical_probes::IdenticalProbes>(),
    RuleEntry::of::<duplicate_env_var::DuplicateEnvVar>(),
    RuleEntry::of::<invalid_cron::InvalidCron>(),
    RuleEntry::of::<hpa_target_missing::HpaTargetMissing>(),
    RuleEntry::of::<pdb_selects_nothing::PdbSelectsNothing>(),
    RuleEntry::of::<hpa_no_requests::HpaNoRequests>(),
    RuleEntry::of::<hpa_metrics_unavailable::HpaMetricsUnavailable>(),
    RuleEntry::of::<pdb_blocks_eviction::PdbBlocksEviction>(),
    RuleEntry::of::<single_replica_with_pdb::SingleReplicaWithPdb>(),
    RuleEntry::of::<missing_probes::MissingProbes>(),
    RuleEntry::of::<missing_resources::MissingResources>(),
    RuleEntry::of::<probe_port_mismatch::ProbePortMismatch>(),
    RuleEntry::of::<invalid_port_name::InvalidPortName>(),
    RuleEntry::of::<volume_mount_missing_volume::VolumeMountMissingVolume>(),
    RuleEntry::of::<duplicate_container_port::DuplicateContainerPort>(),
    RuleEntry::of::<hpa_min_exceeds_max::HpaMinExceedsMax>(),
    RuleEntry::of::<replicas_with_hpa::ReplicasWithHpa>(),
    RuleEntry::of::<job_without_backoff_limit::JobWithoutBackoffLimit>(),
    RuleEntry::of::<job_failed::JobFailed>(),
    RuleEntry::of::<image_name_inconsistent::ImageNameInconsistent>(),
    RuleEntry::of::<duplicate_workload::DuplicateWorkload>(),
];

use crate::diagnostic::FileId;
use crate::model::{Container, K8sObject, Workspace};
use crate::text::TextRange;
use crate::yaml::{Entry, Node};

/// `container api of Deployment shop` (`init container ...`), inside a sentence.
pub fn container_display(ws: &Workspace, c: &Container) -> String {
    let mut text = container_title(ws, c);
    text[..1].make_ascii_lowercase();
    text
}

/// `Container api of Deployment shop` (`Init container ...`), to open a message.
pub fn container_title(ws: &Workspace, c: &Container) -> String {
    let kind = match c.kind {
        crate::model::ContainerKind::Init => "Init container",
        crate::model::ContainerKind::Regular => "Container",
        crate::model::ContainerKind::Ephemeral => "Ephemeral container",
    };
    format!(
        "{kind} {} of {}",
        c.name.unwrap_or("(no name)"),
        ws.objects[c.object].display()
    )
}

/// Where a finding about a whole container points: its `name`, else its first key.
pub fn container_anchor(c: &Container) -> TextRange {
    c.node
        .get("name")
        .or_else(|| c.node.entries().first().map(|e| &e.key))
        .map_or(c.node.span, |n| n.span)
}

/// The pod template of the object `object`, if it has one.
pub fn template_of(ws: &Workspace, object: usize) -> Option<usize> {
    ws.templates.iter().position(|t| t.object == object)
}

/// A HorizontalPodAutoscaler of the set (not live) and the workload of the set it scales.
pub struct Autoscaler<'a> {
    pub index: usize,
    /// The object its `scaleTargetRef` names, when the set has it.
    pub target: Option<usize>,
    /// `scaleTargetRef.kind` and the `scaleTargetRef.name` scalar, as written.
    pub target_kind: Option<&'a str>,
    pub target_name: Option<&'a Node>,
    pub min: Option<&'a Node>,
    pub max: Option<&'a Node>,
}

impl Autoscaler<'_> {
    /// `minReplicas`, 1 when unset; `None` when it is not a number.
    pub fn min_replicas(&self) -> Option<i64> {
        match self.min {
            Some(n) => n.as_i64(),
            None => Some(1),
        }
    }
}

/// Every autoscaler of the set that is not live ([`Workspace::autoscalers`] keeps them).
pub fn read_autoscalers<'a>(ws: &Workspace<'a>) -> Vec<Autoscaler<'a>> {
    ws.indexes_of_kind("HorizontalPodAutoscaler")
        .iter()
        .map(|&index| {
            let hpa = &ws.objects[index];
            let target = hpa.node.path(&["spec", "scaleTargetRef"]);
            let kind = target.and_then(|t| t.get("kind")).and_then(Node::as_str);
            let name_node = target.and_then(|t| t.get("name"));
            let name = name_node.and_then(Node::as_str);
            let target = match (kind, name) {
                (Some(kind), Some(name)) => ws.find(kind, name, hpa),
                _ => None,
            };
            Autoscaler {
                index,
                target,
                target_kind: kind,
                target_name: name_node,
                min: hpa.node.path(&["spec", "minReplicas"]),
                max: hpa.node.path(&["spec", "maxReplicas"]),
            }
        })
        .filter(|a| !ws.objects[a.index].is_live())
        .collect()
}

/// How many pods a workload runs when nothing is happening: its `replicas` (1 when unset),
/// or the `minReplicas` of the autoscaler that scales it.
pub struct Replicas<'a> {
    pub count: i64,
    /// The workload's `spec.replicas`, when written.
    pub node: Option<&'a Node>,
    /// The autoscaler (object index) that decides the count instead.
    pub autoscaler: Option<usize>,
}

/// The replicas of a workload that keeps a number of pods running (Deployment,
/// StatefulSet, ReplicaSet, ReplicationController, or a custom resource with an integer
/// `spec.replicas`); `None` for other kinds, or when the number is not written as one.
pub fn replicas<'a>(ws: &Workspace<'a>, object: usize) -> Option<Replicas<'a>> {
    let o = &ws.objects[object];
    let node = o.node.path(&["spec", "replicas"]);
    let built_in = matches!(
        o.kind.as_str(),
        "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController"
    );
    let custom = o.is_custom_resource() && node.and_then(Node::as_i64).is_some();
    if !(built_in || custom) || template_of(ws, object).is_none() {
        return None;
    }
    if let Some(a) = ws.autoscalers().iter().find(|a| a.target == Some(object)) {
        return Some(Replicas {
            count: a.min_replicas()?,
            node,
            autoscaler: Some(a.index),
        });
    }
    let count = match node {
        Some(n) => n.as_i64()?,
        None => 1,
    };
    Some(Replicas {
        count,
        node,
        autoscaler: None,
    })
}

/// Where a finding about a workload's replica count points: `spec.replicas`, else the
/// workload's name.
pub fn replicas_anchor(ws: &Workspace, object: usize) -> TextRange {
    let o = &ws.objects[object];
    o.node
        .path(&["spec", "replicas"])
        .map_or_else(|| o.anchor_range(), |n| n.span)
}

/// The pods of several workloads together.
pub fn total_pods<'a>(workloads: impl IntoIterator<Item = &'a (usize, Replicas<'a>)>) -> i64 {
    workloads
        .into_iter()
        .fold(0i64, |sum, (_, r)| sum.saturating_add(r.count.max(0)))
}

/// An `int-or-string` budget value: `2` or `"50%"`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Amount {
    Count(i64),
    Percent(i64),
}

impl Amount {
    pub fn of(node: &Node) -> Option<Self> {
        if let Some(n) = node.as_i64() {
            return Some(Amount::Count(n));
        }
        let text = node.as_str()?.trim();
        let percent = text.strip_suffix('%')?.trim().parse::<i64>().ok()?;
        Some(Amount::Percent(percent))
    }

    /// The amount out of `total` pods, rounded up as the disruption controller does.
    pub fn of_total(self, total: i64) -> i64 {
        match self {
            Amount::Count(n) => n,
            Amount::Percent(p) => p.saturating_mul(total).saturating_add(99).div_euclid(100),
        }
    }
}

/// What a PodDisruptionBudget asks: `minAvailable` or `maxUnavailable`, with its entry.
pub struct Budget<'a> {
    pub entry: &'a Entry,
    pub field: &'static str,
    pub amount: Amount,
}

impl Budget<'_> {
    pub fn text(&self) -> String {
        let value = match self.amount {
            Amount::Count(n) => n.to_string(),
            Amount::Percent(p) => format!("{p}%"),
        };
        format!("{}: {value}", self.field)
    }

    /// How many of `total` healthy pods may be evicted at once.
    pub fn disruptions_allowed(&self, total: i64) -> i64 {
        match self.field {
            "maxUnavailable" => self.amount.of_total(total).min(total),
            _ => total.saturating_sub(self.amount.of_total(total)),
        }
    }
}

/// The budget of a PodDisruptionBudget, when one of its two fields is a readable amount.
pub fn budget<'a>(pdb: &K8sObject<'a>) -> Option<Budget<'a>> {
    let spec = pdb.node.get("spec")?;
    ["minAvailable", "maxUnavailable"].iter().find_map(|field| {
        let entry = spec.entry(field)?;
        Some(Budget {
            entry,
            field,
            amount: Amount::of(&entry.value)?,
        })
    })
}

/// The workloads (object indexes) whose pods a PodDisruptionBudget selects, with their
/// replicas; `None` when it has no usable selector.
pub fn budget_workloads<'a>(ws: &Workspace<'a>, pdb: usize) -> Option<Vec<(usize, Replicas<'a>)>> {
    let object = &ws.objects[pdb];
    let selector = object.node.path(&["spec", "selector"])?;
    let typed =
        crate::yaml::typed::<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>(
            selector,
        )
        .ok()?;
    if crate::labels::selects_everything(&typed) {
        return None;
    }
    let mut out = Vec::new();
    for t in ws.select(&typed, object).matched {
        let workload = ws.templates[t].object;
        if ws.objects[workload].is_live() || out.iter().any(|(w, _)| *w == workload) {
            continue;
        }
        // Pods of a DaemonSet, a Job or a bare Pod are not kept at a count the budget can
        // be measured against (a drain skips DaemonSets; bare pods need `--force`).
        if let Some(r) = replicas(ws, workload) {
            out.push((workload, r));
        }
    }
    Some(out)
}

/// True when a LimitRange that can share `near`'s namespace gives containers a default
/// request or limit for `resource`: the API server fills it in.
pub fn limit_range_defaults(ws: &Workspace, near: &K8sObject, resource: &str) -> bool {
    ws.objects_of_kind("LimitRange")
        .filter(|l| l.may_share_namespace(near))
        .flat_map(|l| {
            l.node
                .path(&["spec", "limits"])
                .map(Node::items)
                .unwrap_or_default()
        })
        .filter(|limit| {
            limit
                .get("type")
                .and_then(Node::as_str)
                .is_none_or(|t| t == "Container")
        })
        .any(|limit| {
            ["default", "defaultRequest"]
                .iter()
                .any(|field| limit.path(&[field, resource]).is_some())
        })
}

/// True when the container asks for `resource` (`cpu`, `memory`): a request, or a limit,
/// which the API server also takes as the request.
pub fn asks_for(c: &Container, resource: &str) -> bool {
    ["requests", "limits"].iter().any(|field| {
        c.node
            .path(&["resources", field, resource])
            .is_some_and(|v| v.as_scalar().is_some_and(|s| !s.is_null()))
    })
}

/// True when nothing but the entry (and a comment) is on its lines, so deleting the lines
/// deletes only it.
pub fn entry_owns_its_lines(ws: &Workspace, file: FileId, entry: &Entry) -> bool {
    let lines = crate::patch::entry_lines(ws, file, entry);
    let text = ws.text(file);
    let before = &text[lines.start..entry.key.span.start];
    let after = text[entry.value.span.end.max(entry.key.span.end)..lines.end].trim();
    before.trim().is_empty() && (after.is_empty() || after.starts_with('#'))
}

/// Sets a workload's `spec.replicas`: replaces the number, or writes the line first in
/// `spec`, where people look for it. `None` for a flow-style `spec`.
pub fn set_replicas(ws: &Workspace, object: usize, count: i64) -> Option<crate::diagnostic::Edit> {
    use crate::diagnostic::Edit;
    let o = &ws.objects[object];
    let spec = o.node.get("spec")?;
    if let Some(node) = spec.get("replicas") {
        return Some(Edit::replace(o.file, node.span, count.to_string()));
    }
    if spec.flow {
        return None;
    }
    let first = spec.entries().first()?;
    let index = ws.lines(o.file);
    let line_start = index.line_start(index.line_of(first.key.span.start));
    let column = first.key.span.start - line_start;
    if !ws.text(o.file)[line_start..first.key.span.start]
        .trim()
        .is_empty()
    {
        return None;
    }
    Some(Edit::insert(
        o.file,
        line_start,
        format!("{}replicas: {count}\n", " ".repeat(column)),
    ))
}

#[cfg(test)]
mod tests {
    use super::Amount;

    #[test]
    fn budget_percentages_round_up_as_the_disruption_controller_does() {
        assert_eq!(Amount::Percent(67).of_total(3), 3);
        assert_eq!(Amount::Percent(60).of_total(3), 2);
        assert_eq!(Amount::Percent(50).of_total(1), 1);
        assert_eq!(Amount::Percent(0).of_total(5), 0);
        assert_eq!(Amount::Count(2).of_total(5), 2);
        assert_eq!(Amount::Percent(i64::MAX).of_total(3), i64::MAX / 100);
    }
}
