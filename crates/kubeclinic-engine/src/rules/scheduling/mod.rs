//! Pods the scheduler cannot place: resources, affinity, taints, quotas.
//!
//! Also the reading of a `FailedScheduling` message ([`read_failed_scheduling`]), which the
//! storage rules use too.

pub mod insufficient_resources;
pub mod node_affinity_or_taint;
pub mod quota_exceeded;
pub mod spread_selector_mismatch;
pub mod toleration_invalid;

use crate::diagnostic::FileId;
use crate::model::Workspace;
use crate::rule::RuleEntry;
use crate::rules::evidence::Subject;
use crate::runtime::events::Event;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<insufficient_resources::InsufficientResources>(),
    RuleEntry::of::<node_affinity_or_taint::NodeAffinityOrTaint>(),
    RuleEntry::of::<quota_exceeded::QuotaExceeded>(),
    RuleEntry::of::<toleration_invalid::TolerationInvalid>(),
    RuleEntry::of::<spread_selector_mismatch::SpreadSelectorMismatch>(),
];

/// A pod the scheduler could not place, as its latest `FailedScheduling` event says.
pub struct Unplaced<'a> {
    pub subject: Subject,
    pub file: FileId,
    pub event: &'a Event,
    /// The event's message, read once.
    pub reading: Unschedulable<'a>,
    /// The pod was scheduled since, or runs: the event is history.
    pub history: bool,
}

impl Unplaced<'_> {
    /// The pod template a fix would patch: none for history, or when the set lacks it.
    pub fn template_to_fix(&self, ws: &Workspace) -> Option<usize> {
        if self.history {
            return None;
        }
        crate::rules::evidence::template_of(ws, &self.subject, None)
    }
}

/// One [`Unplaced`] per pod whose `FailedScheduling` message `claims` picks, from describes and
/// `kubectl get events` alike.
pub fn unplaced<'a>(
    ws: &Workspace<'a>,
    claims: impl Fn(&Unschedulable) -> bool,
) -> Vec<Unplaced<'a>> {
    let events = ws.events();
    let mut out: Vec<Unplaced> = Vec::new();
    for at in events {
        if at.event.reason != "FailedScheduling" {
            continue;
        }
        let Some(reading) = read_failed_scheduling(&at.event.message).filter(|r| claims(r)) else {
            continue;
        };
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
            reading,
            history,
        };
        // One finding per pod: the latest event (a describe and a table list it twice), or
        // the first of the same words.
        match out.iter_mut().find(|u| u.subject.same(&state.subject)) {
            Some(previous) if previous.event.message == state.event.message => {
                previous.history = previous.history || state.history;
            }
            Some(previous) => {
                let history = previous.history || state.history;
                *previous = Unplaced { history, ..state };
            }
            None => out.push(state),
        }
    }
    out
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
    let mut rest = message[at + marker.len()..]
        .trim_start_matches(':')
        .trim_start();
    // Before 1.11: `No nodes are available that match all of the following predicates::
    // Insufficient cpu (4), Insufficient memory (2).`
    if let Some(after) = rest.strip_prefix("that match all of the following predicates") {
        rest = after.trim_start_matches(':').trim_start();
    }
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
        let old_count = part
            .strip_suffix(')')
            .and_then(|p| p.rsplit_once(" ("))
            .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let (nodes, text) = match (old_count, part.split_once(' ')) {
            (Some((text, n)), _) => (n.parse().ok(), text),
            (None, Some((n, rest))) if n.bytes().all(|b| b.is_ascii_digit()) => {
                (n.parse().ok(), rest)
            }
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
        // Old schedulers put the count after the reason: `Insufficient cpu (4), ...`.
        let counted_before = body[start..at]
            .strip_suffix(')')
            .and_then(|p| p.rsplit_once('('))
            .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if next.is_ascii_digit() || counted_before || body[at + 2..].starts_with("pod has") {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pre_1_11_predicates_wording_is_read() {
        let u = read_failed_scheduling("No nodes are available that match all of the following predicates:: Insufficient cpu (4), Insufficient memory (2).").unwrap();
        assert_eq!(u.total, None);
        assert_eq!(u.reasons.len(), 2);
        assert_eq!(u.reasons[0].filter, Filter::Insufficient("cpu"));
        assert_eq!(u.reasons[0].nodes, Some(4));
        assert_eq!(u.reasons[1].filter, Filter::Insufficient("memory"));
        assert_eq!(u.reasons[1].nodes, Some(2));
    }

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
