//! Pods the scheduler cannot place: resources, affinity, taints, quotas.
//!
//! Also what the runtime rules of scheduling, configuration, storage and security share: who an
//! event is about ([`Subject`]), the pod template behind it ([`template_of`]), the reading of a
//! `FailedScheduling` message ([`read_failed_scheduling`]) and edits that set several keys at
//! once (`crate::patch::set_paths`).

pub mod insufficient_resources;
pub mod node_affinity_or_taint;
pub mod quota_exceeded;

use crate::diagnostic::{FileId, ObjectRef};
use crate::model::{EventAt, Workspace};
use crate::rule::RuleEntry;
use crate::runtime::events::Event;
use crate::runtime::pod::PodView;
use crate::text::TextRange;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<insufficient_resources::InsufficientResources>(),
    RuleEntry::of::<node_affinity_or_taint::NodeAffinityOrTaint>(),
    RuleEntry::of::<quota_exceeded::QuotaExceeded>(),
];

/// The object an event is about: the described object whose Events section held it, or the
/// OBJECT column of `kubectl get events` (`replicaset/web-7d4b9c8f6`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Index into [`Workspace::pods`] when the subject is a described pod.
    pub pod: Option<usize>,
}

impl Subject {
    pub fn of(at: &EventAt) -> Option<Self> {
        if let Some(observed) = at.observed {
            return Some(Self {
                kind: observed.kind.to_string(),
                name: observed.name.clone(),
                namespace: observed.namespace.clone(),
                pod: at.pod,
            });
        }
        let (kind, name) = at.event.object.as_deref()?.split_once('/')?;
        Some(Self {
            kind: kind_name(kind),
            name: Some(name.to_string()),
            namespace: at.event.namespace.clone(),
            pod: at.pod,
        })
    }

    /// [`Subject::of`], with the namespace of the workload in the set when the event does not
    /// say it (`kubectl get events -n shop` prints no NAMESPACE column).
    pub fn at(ws: &Workspace, at: &EventAt) -> Option<Self> {
        let mut subject = Self::of(at)?;
        if subject.namespace.is_none() {
            subject.namespace = template_of(ws, &subject, None)
                .and_then(|t| ws.object_of(&ws.templates[t]).namespace.clone());
        }
        Some(subject)
    }

    /// A pod known only by name, such as `pods "web-1" is forbidden` in kubectl's output.
    pub fn pod_named(name: &str, namespace: Option<&str>) -> Self {
        Self {
            kind: "Pod".into(),
            name: Some(name.to_string()),
            namespace: namespace.map(String::from),
            pod: None,
        }
    }

    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            source: None,
        }
    }

    /// `pod web-1`, `ReplicaSet web-7d4b9c8f6` as messages name them.
    pub fn label(&self) -> String {
        let name = self.name.as_deref().unwrap_or("<unnamed>");
        if self.kind == "Pod" {
            format!("pod {name}")
        } else {
            format!("{} {name}", self.kind)
        }
    }

    /// Same object, however it was seen (a describe and a `get events` row).
    pub fn same(&self, other: &Subject) -> bool {
        self.kind == other.kind
            && self.name == other.name
            && match (&self.namespace, &other.namespace) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }

    /// True when the subject is a described pod whose containers all run and are ready: its
    /// warnings are history.
    pub fn recovered(&self, ws: &Workspace) -> bool {
        self.pod
            .is_some_and(|index| ws.pods[index].pod.is_healthy())
    }
}

/// The bytes of an event's message in its line: what a finding points at.
pub fn message_range(ws: &Workspace, file: FileId, event: &Event) -> TextRange {
    let line = ws.source(file, event.line);
    let head: String = event.message.chars().take(24).collect();
    let Some(at) = line.find(head.as_str()).filter(|_| !head.is_empty()) else {
        return event.line;
    };
    let start = event.line.start + at;
    let end = line[at..]
        .find('\n')
        .map_or(event.line.end, |n| start + n)
        .max(start);
    TextRange::new(start, end.min(event.line.end))
}

/// `replicaset` -> `ReplicaSet`, as `kubectl get events` writes kinds in its OBJECT column.
fn kind_name(kind: &str) -> String {
    let kind = kind.split('.').next().unwrap_or(kind);
    let known = [
        "Pod",
        "ReplicaSet",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Job",
        "CronJob",
        "ReplicationController",
        "PersistentVolumeClaim",
        "PersistentVolume",
        "Node",
        "Service",
    ];
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
        .map_or_else(
            || {
                let mut chars = kind.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            },
            |k| k.to_string(),
        )
}

/// The pod template in the set that the subject's pods come from. `pod` names one of its pods
/// when the subject is a controller (`pods "web-7d4b9c8f6-x2k8q" is forbidden`).
pub fn template_of(ws: &Workspace, subject: &Subject, pod: Option<&str>) -> Option<usize> {
    if let Some(index) = subject.pod {
        return ws.owner_template(&ws.pods[index].pod);
    }
    let controller = (subject.kind != "Pod")
        .then(|| Some(format!("{}/{}", subject.kind, subject.name.as_deref()?)))
        .flatten();
    let name = if subject.kind == "Pod" {
        subject.name.as_deref()
    } else {
        pod
    };
    let view = PodView {
        name,
        namespace: subject.namespace.as_deref(),
        controlled_by: controller,
        status: None,
        reason: None,
        message: None,
        labels: Vec::new(),
        containers: Vec::new(),
        events: &[],
        anchor: TextRange::default(),
    };
    if view.name.is_none() && view.controlled_by.is_none() {
        return None;
    }
    ws.owner_template(&view)
}

/// A pod the scheduler could not place, as its latest `FailedScheduling` event says.
pub struct Unplaced<'a> {
    pub subject: Subject,
    pub file: FileId,
    pub event: &'a Event,
    /// The pod was scheduled since, or runs: the event is history.
    pub history: bool,
}

/// One [`Unplaced`] per pod whose `FailedScheduling` message `claims` picks, from describes and
/// `kubectl get events` alike.
pub fn unplaced<'a>(
    ws: &Workspace<'a>,
    claims: impl Fn(&Unschedulable) -> bool,
) -> Vec<Unplaced<'a>> {
    let events = ws.events();
    let mut out: Vec<Unplaced> = Vec::new();
    for at in &events {
        if at.event.reason != "FailedScheduling" {
            continue;
        }
        if !read_failed_scheduling(&at.event.message).is_some_and(|r| claims(&r)) {
            continue;
        }
        let Some(subject) = Subject::at(ws, at) else {
            continue;
        };
        let history = subject.recovered(ws)
            || events.iter().any(|e| {
                e.event.reason == "Scheduled" && Subject::of(e).is_some_and(|s| s.same(&subject))
            });
        let state = Unplaced {
            subject,
            file: at.file,
            event: at.event,
            history,
        };
        // One finding per pod: the latest event (a describe and a table list it twice).
        match out.iter_mut().find(|u| u.subject.same(&state.subject)) {
            Some(previous) => {
                let history = previous.history || state.history;
                *previous = Unplaced { history, ..state };
            }
            None => out.push(state),
        }
    }
    out
}

/// True when a `SuccessfulCreate` follows event `index` in the same describe: the controller
/// created pods again since.
pub fn created_since(events: &[EventAt], index: usize) -> bool {
    let at = &events[index];
    let Some(observed) = at.observed else {
        return false;
    };
    events[index + 1..].iter().any(|later| {
        later.event.reason == "SuccessfulCreate"
            && later.file == at.file
            && later.observed.is_some_and(|o| std::ptr::eq(o, observed))
    })
}

/// What one filter of the scheduler said: `2 Insufficient memory`.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeReason<'m> {
    /// How many nodes it ruled out, when said.
    pub nodes: Option<u32>,
    /// As the scheduler wrote it, count included.
    pub text: &'m str,
    pub filter: Filter<'m>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Filter<'m> {
    /// `Insufficient cpu`; `Too many pods` is `Insufficient("pods")`.
    Insufficient(&'m str),
    /// `didn't match Pod's node affinity/selector`, older `didn't match node selector`.
    Selector,
    PodAffinity,
    /// `didn't match pod anti-affinity rules`, `didn't satisfy existing pods anti-affinity rules`.
    PodAntiAffinity,
    /// `had untolerated taint {key: value}` (1.25+), `had taint {key: value}, that the pod
    /// didn't tolerate` (1.18-1.24), `had taints that the pod didn't tolerate` (older).
    Taint(Option<(&'m str, &'m str)>),
    /// Cordoned: `node(s) were unschedulable`.
    Cordoned,
    /// `had volume node affinity conflict`: the pod's volumes live in another zone.
    VolumeZone,
    Topology,
    /// `pod has unbound immediate PersistentVolumeClaims`, or `didn't find available persistent
    /// volumes to bind` (a WaitForFirstConsumer class with no volume left on the nodes).
    UnboundClaims,
    Other,
}

/// Room on nodes, not where the pod may go.
pub fn is_resource(filter: &Filter) -> bool {
    matches!(filter, Filter::Insufficient(_))
}

/// A `FailedScheduling` message: `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had
/// untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Unschedulable<'m> {
    /// Nodes in the cluster (`0/3`).
    pub total: Option<u32>,
    pub reasons: Vec<NodeReason<'m>>,
    /// Preemption found no lower-priority pods to evict.
    pub no_victims: bool,
}

impl Unschedulable<'_> {
    pub fn has(&self, pick: impl Fn(&Filter) -> bool) -> bool {
        self.reasons.iter().any(|r| pick(&r.filter))
    }

    /// The reasons as the scheduler wrote them: `1 Insufficient cpu, 2 Insufficient memory`.
    pub fn summary(&self) -> String {
        let reasons: Vec<&str> = self.reasons.iter().map(|r| r.text).collect();
        reasons.join(", ")
    }

    /// `3 nodes` from `0/3 nodes are available`.
    pub fn nodes(&self) -> String {
        match self.total {
            Some(1) => "the only node".into(),
            Some(n) => format!("all {n} nodes"),
            None => "every node".into(),
        }
    }
}

pub fn read_failed_scheduling(message: &str) -> Option<Unschedulable<'_>> {
    let marker = "nodes are available";
    let at = message.find(marker)?;
    let total = message[..at]
        .trim()
        .rsplit_once('/')
        .and_then(|(_, n)| n.trim().parse().ok());
    let rest = message[at + marker.len()..]
        .trim_start_matches(':')
        .trim_start();
    let (body, preemption) = match rest.find("preemption:") {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let body = body.trim().trim_end_matches('.').trim();
    let mut reasons = Vec::new();
    for part in split_reasons(body) {
        let part = part.trim().trim_end_matches('.');
        if part.is_empty() {
            continue;
        }
        let (nodes, text) = match part.split_once(' ') {
            Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) => (n.parse().ok(), rest),
            _ => (None, part),
        };
        reasons.push(NodeReason {
            nodes,
            text: part,
            filter: classify(text),
        });
    }
    (!reasons.is_empty()).then_some(Unschedulable {
        total,
        reasons,
        no_victims: preemption.contains("No preemption victims"),
    })
}

/// Splits at `, ` followed by a count, so `had taint {a: b}, that the pod didn't tolerate`
/// stays one reason.
fn split_reasons(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(found) = body[i..].find(", ") {
        let at = i + found;
        let next = bytes.get(at + 2).copied().unwrap_or(b' ');
        if next.is_ascii_digit() || body[at + 2..].starts_with("pod has") {
            out.push(&body[start..at]);
            start = at + 2;
        }
        i = at + 2;
    }
    out.push(&body[start..]);
    out
}

fn classify(text: &str) -> Filter<'_> {
    if let Some(resource) = text.strip_prefix("Insufficient ") {
        return Filter::Insufficient(resource.trim());
    }
    if text.starts_with("Too many pods") {
        return Filter::Insufficient("pods");
    }
    if text.contains("volume node affinity conflict") {
        return Filter::VolumeZone;
    }
    if text.contains("node affinity") || text.contains("node selector") {
        return Filter::Selector;
    }
    if text.contains("anti-affinity") {
        return Filter::PodAntiAffinity;
    }
    if text.contains("pod affinity") {
        return Filter::PodAffinity;
    }
    if text.contains("taint") {
        let taint = text
            .split_once('{')
            .and_then(|(_, rest)| rest.split_once('}'))
            .map(|(inside, _)| match inside.split_once(':') {
                Some((key, value)) => (key.trim(), value.trim()),
                None => (inside.trim(), ""),
            });
        return Filter::Taint(taint);
    }
    if text.contains("unschedulable") {
        return Filter::Cordoned;
    }
    if text.contains("topology spread") {
        return Filter::Topology;
    }
    if text.contains("unbound immediate PersistentVolumeClaims")
        || text.contains("didn't find available persistent volumes to bind")
    {
        return Filter::UnboundClaims;
    }
    Filter::Other
}

/// Taints the node lifecycle controller sets on sick or cordoned nodes: a toleration is not the
/// cure, the node is.
pub fn is_condition_taint(key: &str) -> bool {
    matches!(
        key,
        "node.kubernetes.io/not-ready"
            | "node.kubernetes.io/unreachable"
            | "node.kubernetes.io/unschedulable"
            | "node.kubernetes.io/memory-pressure"
            | "node.kubernetes.io/disk-pressure"
            | "node.kubernetes.io/pid-pressure"
            | "node.kubernetes.io/network-unavailable"
            | "node.cloudprovider.kubernetes.io/uninitialized"
    )
}

pub fn is_control_plane_taint(key: &str) -> bool {
    matches!(
        key,
        "node-role.kubernetes.io/control-plane" | "node-role.kubernetes.io/master"
    )
}

/// Every `"..."`-quoted name after `prefix` in `text`: `volume "data"` -> `data`.
pub fn quoted_after<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let at = text.find(prefix)? + prefix.len();
    let rest = text[at..].strip_prefix('"')?;
    rest.split_once('"').map(|(name, _)| name)
}

/// `pod web-1` -> `Pod web-1`, to open a message with a label.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

/// Edits between two names, to tell a typo (`app-confg`) from another object.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The one candidate that looks like a misspelling of `wanted`: equal but for case, or at most
/// two edits away (one for short names). `None` when there is none or more than one.
pub fn nearest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = if wanted.chars().count() <= 4 { 1 } else { 2 };
    let mut best: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != wanted)
        .map(|c| {
            let d = if c.eq_ignore_ascii_case(wanted) {
                0
            } else {
                edit_distance(wanted, c)
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .collect();
    best.sort();
    best.dedup_by(|a, b| a.1 == b.1);
    match best.as_slice() {
        [(_, only)] => Some(only),
        [(d1, first), (d2, _), ..] if d1 < d2 => Some(first),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_scheduling_messages_read_across_versions() {
        let u = read_failed_scheduling("0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.").unwrap();
        assert_eq!(u.total, Some(3));
        assert!(u.no_victims);
        assert_eq!(u.reasons.len(), 2);
        assert_eq!(u.reasons[1].filter, Filter::Insufficient("memory"));
        assert_eq!(u.reasons[1].nodes, Some(2));

        let u = read_failed_scheduling("0/4 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate, 3 node(s) didn't match node selector.").unwrap();
        assert_eq!(
            u.reasons[0].filter,
            Filter::Taint(Some(("node-role.kubernetes.io/master", "")))
        );
        assert_eq!(u.reasons[1].filter, Filter::Selector);

        let u = read_failed_scheduling("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..").unwrap();
        assert_eq!(u.reasons.len(), 1);
        assert_eq!(
            u.reasons[0].filter,
            Filter::Taint(Some(("dedicated", "gpu")))
        );
        assert!(!u.no_victims);

        let u = read_failed_scheduling("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.").unwrap();
        assert_eq!(u.reasons[0].filter, Filter::UnboundClaims);
        assert!(
            read_failed_scheduling("pod has unbound immediate PersistentVolumeClaims").is_none()
        );
    }
}
