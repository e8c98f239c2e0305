//! Pods the scheduler cannot place: resources, affinity, taints, quotas.
//!
//! Also what the runtime rules of scheduling, configuration, storage and security share: who an
//! event is about ([`Subject`]), the pod template behind it ([`template_of`]), the reading of a
//! `FailedScheduling` message ([`read_failed_scheduling`]) and edits that set several keys at
//! once ([`set_paths`]).

pub mod insufficient_resources;
pub mod node_affinity_or_taint;
pub mod quota_exceeded;

use crate::diagnostic::{Edit, FileId, ObjectRef};
use crate::model::{EventAt, Workspace};
use crate::patch::Value;
use crate::rule::RuleEntry;
use crate::runtime::events::Event;
use crate::runtime::pod::PodView;
use crate::text::TextRange;
use crate::yaml::{render_scalar, Node, NodeKind, ScalarStyle};

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

/// Adds YAML lines after the line holding byte `after`, each indented to `column`.
pub fn insert_lines(
    ws: &Workspace,
    file: FileId,
    after: usize,
    column: usize,
    lines: &[String],
) -> Edit {
    let index = ws.lines(file);
    let at = index.line_range(index.line_of(after), ws.text(file)).end;
    let pad = " ".repeat(column);
    Edit::insert(
        file,
        at,
        lines
            .iter()
            .map(|l| format!("\n{pad}{l}"))
            .collect::<String>(),
    )
}

/// Column of byte `at` in its line.
pub fn column_of(ws: &Workspace, file: FileId, at: usize) -> usize {
    let index = ws.lines(file);
    at - index.line_start(index.line_of(at))
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

/// Sets several paths under the mapping `base` in one go. Keys that share a missing parent are
/// written as one block, so two settings never both add `securityContext:`; an empty parent
/// (`resources: {}`) is filled in place; settings whose value is already there are skipped.
/// Scalars are written as YAML reads them (`false` stays a boolean, `1` a number), so that
/// `allowPrivilegeEscalation: false` is not turned into a string.
pub fn set_paths(
    ws: &Workspace,
    file: FileId,
    base: &Node,
    settings: &[(Vec<&str>, Value)],
) -> Vec<Edit> {
    let refs: Vec<(&[&str], &Value)> = settings.iter().map(|(p, v)| (p.as_slice(), v)).collect();
    let mut out = Vec::new();
    set_under(ws, file, base, &refs, &mut out);
    out
}

fn set_under(
    ws: &Workspace,
    file: FileId,
    node: &Node,
    settings: &[(&[&str], &Value)],
    out: &mut Vec<Edit>,
) {
    let mut missing: Vec<(&[&str], &Value)> = Vec::new();
    for (key, group) in group_by_first(settings) {
        let leaf = group.iter().find(|(p, _)| p.is_empty()).map(|(_, v)| *v);
        match (node.get(key), leaf) {
            (Some(child), Some(Value::Scalar(text))) if is_empty_value(child) => {
                let entry = node.entry(key);
                let index = ws.lines(file);
                out.extend(entry.map(|e| {
                    let line = index.line_of(e.key.span.end);
                    let at = index.line_range(line, ws.text(file)).end;
                    Edit::insert(file, at, format!(" {}", scalar_text(text)))
                }));
            }
            (Some(child), Some(Value::Scalar(text))) => {
                if child.as_str() != Some(text.as_str()) && child.as_scalar().is_some() {
                    out.push(Edit::replace(file, child.span, scalar_text(text)));
                }
            }
            (Some(_), Some(Value::Block(_))) => {}
            (Some(child), None) if child.is_mapping() && !child.entries().is_empty() => {
                set_under(ws, file, child, &group, out);
            }
            (Some(child), None) if is_empty_value(child) => {
                out.extend(fill_empty(ws, file, node, key, child, &group));
            }
            (Some(_), None) => {}
            (None, _) => {
                let at = settings
                    .iter()
                    .filter(|(p, _)| p.first() == Some(&key))
                    .map(|(p, v)| (*p, *v));
                missing.extend(at);
            }
        }
    }
    if !missing.is_empty() {
        out.extend(insert_entries(ws, file, node, &render_tree(&missing, 0)));
    }
}

/// A scalar as YAML reads it back: plain when it reads as itself or as the boolean or number it
/// spells, quoted otherwise.
fn scalar_text(text: &str) -> String {
    let typed = !matches!(
        crate::yaml::resolve_plain(text),
        crate::yaml::ScalarValue::Str(_)
    );
    if typed && !text.is_empty() && text.trim() == text {
        text.to_string()
    } else {
        render_scalar(text, ScalarStyle::Plain)
    }
}

/// Adds YAML lines after the last entry of the block mapping `node`, at its keys' column.
fn insert_entries(ws: &Workspace, file: FileId, node: &Node, lines: &[String]) -> Option<Edit> {
    if node.flow || lines.is_empty() {
        return None;
    }
    let first = node.entries().first()?;
    let last = node.entries().last()?;
    let column = column_of(ws, file, first.key.span.start);
    let end = last.value.span.end.max(last.key.span.end);
    Some(insert_lines(ws, file, end, column, lines))
}

type Group<'s> = Vec<(&'s [&'s str], &'s Value)>;

fn group_by_first<'s>(settings: &[(&'s [&'s str], &'s Value)]) -> Vec<(&'s str, Group<'s>)> {
    let mut groups: Vec<(&str, Group)> = Vec::new();
    for (path, value) in settings {
        let Some((first, rest)) = path.split_first() else {
            continue;
        };
        match groups.iter_mut().find(|(k, _)| k == first) {
            Some((_, members)) => members.push((rest, value)),
            None => groups.push((first, vec![(rest, value)])),
        }
    }
    groups
}

/// YAML lines for nested settings, two spaces a level.
fn render_tree(settings: &[(&[&str], &Value)], depth: usize) -> Vec<String> {
    let pad = "  ".repeat(depth);
    let mut lines = Vec::new();
    for (key, group) in group_by_first(settings) {
        let key_text = render_scalar(key, ScalarStyle::Plain);
        match group.iter().find(|(p, _)| p.is_empty()).map(|(_, v)| *v) {
            Some(Value::Scalar(text)) => {
                lines.push(format!("{pad}{key_text}: {}", scalar_text(text)));
            }
            Some(Value::Block(block)) => {
                lines.push(format!("{pad}{key_text}:"));
                lines.extend(block.iter().map(|l| format!("{pad}  {l}")));
            }
            None => {
                lines.push(format!("{pad}{key_text}:"));
                lines.extend(render_tree(&group, depth + 1));
            }
        }
    }
    lines
}

fn is_empty_value(node: &Node) -> bool {
    match &node.resolved().kind {
        NodeKind::Mapping(entries) => entries.is_empty(),
        NodeKind::Scalar(s) => s.is_null() && s.text.is_empty(),
        _ => false,
    }
}

/// `key: {}` or `key:` (nothing) under `parent` becomes `key:` with the settings below it.
fn fill_empty(
    ws: &Workspace,
    file: FileId,
    parent: &Node,
    key: &str,
    child: &Node,
    settings: &[(&[&str], &Value)],
) -> Option<Edit> {
    let entry = parent.entry(key)?;
    let column = column_of(ws, file, entry.key.span.start) + 2;
    let lines = render_tree(settings, 0);
    if child.is_mapping() {
        return Some(replace_with_block(ws, file, child, column, &lines));
    }
    Some(insert_lines(ws, file, entry.key.span.end, column, &lines))
}

/// `key: {}` or `key: []` becomes `key:` with `lines` below it at `column`.
pub fn replace_with_block(
    ws: &Workspace,
    file: FileId,
    empty: &Node,
    column: usize,
    lines: &[String],
) -> Edit {
    let text = ws.text(file);
    let start = text[..empty.span.start].trim_end_matches(' ').len();
    let pad = " ".repeat(column);
    Edit::replace(
        file,
        TextRange::new(start, empty.span.end),
        lines
            .iter()
            .map(|l| format!("\n{pad}{l}"))
            .collect::<String>(),
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
    use crate::fix::apply_edits;
    use crate::model::{Parsed, SourceFile};

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

    fn patched(text: &str, settings: &[(Vec<&str>, Value)]) -> String {
        let files = [SourceFile::new("t.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let edits = set_paths(&ws, 0, ws.containers[0].node, settings);
        apply_edits(text, edits.iter())
    }

    #[test]
    fn settings_that_share_a_missing_parent_become_one_block() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: app:1\n";
        let out = patched(
            text,
            &[
                (
                    vec!["securityContext", "allowPrivilegeEscalation"],
                    Value::Scalar("false".into()),
                ),
                (
                    vec!["securityContext", "capabilities", "drop"],
                    Value::Block(vec!["- ALL".into()]),
                ),
            ],
        );
        assert!(
            out.ends_with("      image: app:1\n      securityContext:\n        allowPrivilegeEscalation: false\n        capabilities:\n          drop:\n            - ALL\n"),
            "{out}"
        );
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    securityContext: {}\n    image: app:1\n";
        let out = patched(
            text,
            &[
                (
                    vec!["securityContext", "runAsNonRoot"],
                    Value::Scalar("true".into()),
                ),
                (
                    vec!["securityContext", "seccompProfile", "type"],
                    Value::Scalar("RuntimeDefault".into()),
                ),
            ],
        );
        assert!(
            out.contains("    securityContext:\n      runAsNonRoot: true\n      seccompProfile:\n        type: RuntimeDefault\n    image: app:1\n"),
            "{out}"
        );
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits:\n        cpu: 1\n";
        let out = patched(
            text,
            &[
                (
                    vec!["resources", "limits", "cpu"],
                    Value::Scalar("1".into()),
                ),
                (
                    vec!["resources", "requests", "cpu"],
                    Value::Scalar("<cpu>".into()),
                ),
                (
                    vec!["resources", "requests", "memory"],
                    Value::Scalar("<memory>".into()),
                ),
            ],
        );
        assert!(
            out.ends_with(
                "        cpu: 1\n      requests:\n        cpu: <cpu>\n        memory: <memory>\n"
            ),
            "{out}"
        );
    }
}
