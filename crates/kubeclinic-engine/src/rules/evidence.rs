//! Who and what an event is about, as the runtime rules of several categories read it: the
//! object ([`Subject`]), the pod template in the set behind it ([`template_of`]), and the bytes
//! of its message a finding points at ([`message_range`]).

use crate::diagnostic::{FileId, ObjectRef};
use crate::model::{EventAt, Workspace};
use crate::runtime::events::Event;
use crate::runtime::pod::PodView;
use crate::text::TextRange;

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
        let Some((kind, name)) = at.event.object.as_deref().and_then(|o| o.split_once('/')) else {
            return Self::named_in_message(at);
        };
        Some(Self {
            kind: kind_name(kind),
            name: Some(name.to_string()),
            namespace: at.event.namespace.clone(),
            pod: at.pod,
        })
    }

    /// An event row without its object (a describe's rows pasted alone, kubectl's own error)
    /// that names the pod it refused: `Error from server (Forbidden): pods "x" is forbidden`
    /// is about pod x; `Error creating: pods "web-7d4b9c8f6-" is forbidden` from the
    /// replicaset-controller is about ReplicaSet web-7d4b9c8f6.
    fn named_in_message(at: &EventAt) -> Option<Self> {
        let message = at.event.message.as_str();
        let rest = &message[message.find("pods \"")? + 6..];
        let pod = &rest[..rest.find('"')?];
        if pod.is_empty() || !rest[pod.len()..].starts_with("\" is forbidden") {
            return None;
        }
        let from = at.event.from.split([',', ' ']).next().unwrap_or("");
        let controller = match from {
            "replicaset-controller" => Some("ReplicaSet"),
            "job-controller" => Some("Job"),
            "statefulset-controller" => Some("StatefulSet"),
            "daemonset-controller" => Some("DaemonSet"),
            "replication-controller" => Some("ReplicationController"),
            _ => None,
        };
        let (kind, name) = match controller {
            Some(kind) if message.contains("Error creating") => {
                (kind, pod.trim_end_matches('-').to_string())
            }
            _ if message.contains("Error from server") => ("Pod", pod.to_string()),
            _ => return None,
        };
        Some(Self {
            kind: kind.into(),
            name: Some(name),
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
        let Some(name) = self.name.as_deref() else {
            let kind = if self.kind == "Pod" {
                "pod"
            } else {
                &self.kind
            };
            return format!("a {kind} the paste does not name");
        };
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
    let view = PodView::named(name, subject.namespace.as_deref(), controller);
    if view.name.is_none() && view.controlled_by.is_none() {
        return None;
    }
    ws.owner_template(&view)
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

/// One message the paste holds, wherever it stood: an event's message (a row, a bare message,
/// kubectl's own error) or a log line. Rules that read kubectl's and the controllers' answers
/// read them all alike.
#[derive(Clone, Debug)]
pub struct Said<'a> {
    pub file: FileId,
    /// The bytes of the message on its line.
    pub range: TextRange,
    pub text: &'a str,
    /// The event's reason, empty for a log line.
    pub reason: &'a str,
    /// The object the message is about, when the paste says it.
    pub subject: Option<Subject>,
}

/// Every message of the paste, events first, then log lines.
pub fn said<'a>(ws: &Workspace<'a>) -> Vec<Said<'a>> {
    let mut out: Vec<Said<'a>> = ws
        .events()
        .iter()
        .map(|at| Said {
            file: at.file,
            range: message_range(ws, at.file, at.event),
            text: at.event.message.as_str(),
            reason: at.event.reason.as_str(),
            subject: Subject::at(ws, at),
        })
        .collect();
    out.extend(ws.logs().map(|(file, line)| Said {
        file,
        range: line.line,
        text: line.text.as_str(),
        reason: "",
        subject: None,
    }));
    out
}

/// The whole sentence a message belongs to: its line from the start, joined with the lines
/// above it that a terminal's wrapping cut from it (up to `back` of them, stopping at an empty
/// line or a `$ ` prompt). A recogniser's message may start at the words it knows
/// (`field is immutable`) while the object and the field stand before them.
pub fn whole_sentence(ws: &Workspace, file: FileId, range: TextRange, back: usize) -> String {
    let text = ws.text(file);
    let lines = ws.lines(file);
    let line = lines.line_of(range.start);
    let end = range.end.min(text.len());
    let mut first = line;
    while first > 0 && line - first < back {
        let above = lines.line_range(first - 1, text);
        let above = text[above.start..above.end].trim();
        if above.is_empty() || above.starts_with("$ ") || above.starts_with('>') {
            break;
        }
        first -= 1;
    }
    let start = lines.line_start(first);
    text[start..end]
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("")
}
