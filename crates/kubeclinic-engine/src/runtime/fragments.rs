//! Pieces of kubectl output without the frame around them: event rows without the `Events:`
//! header or the column header, one bare message, a few describe fields without the pod's
//! header, `kubectl get pods` rows, log lines and the person's own sentences.
//!
//! Each line is read on its own first ([`messages::recognise`], [`pod_table::parse_row`], a
//! describe field); then the pieces are put together: fields and events of one paste describe
//! one pod (named when the paste names it), pod rows describe their pods, and what the paste
//! says about claims and controllers stays an event of its own.

use super::describe::{Describe, Field};
use super::events::{columns, count_of, parse_event_row, Event};
use super::messages::{self, About};
use super::pod_table::{self, PodRow};
use super::regions::Line;
use super::{LineKind, LogLine, Observed};
use crate::text::TextRange;

/// What one fragment region gave.
#[derive(Debug, Default)]
pub struct Fragment {
    pub observed: Vec<Observed>,
    /// Events that no pod of the fragment holds (claims, controllers, kubectl's errors).
    pub events: Vec<Event>,
    pub logs: Vec<LogLine>,
    pub kinds: Vec<(TextRange, LineKind)>,
}

/// Describe fields of a pod.
const POD_KEYS: &[&str] = &[
    "Name",
    "Namespace",
    "Priority",
    "Priority Class Name",
    "Service Account",
    "Node",
    "Start Time",
    "Labels",
    "Annotations",
    "Status",
    "IP",
    "IPs",
    "Controlled By",
    "QoS Class",
    "Node-Selectors",
    "Tolerations",
    "Conditions",
    "Volumes",
];

/// Describe fields of a container.
const CONTAINER_KEYS: &[&str] = &[
    "Container ID",
    "Image",
    "Image ID",
    "Port",
    "Ports",
    "Host Port",
    "Host Ports",
    "Command",
    "Args",
    "State",
    "Last State",
    "Ready",
    "Restart Count",
    "Limits",
    "Requests",
    "Liveness",
    "Readiness",
    "Startup",
    "Environment",
    "Environment Variables from",
    "Mounts",
];

const STATE_KEYS: &[&str] = &[
    "Reason",
    "Exit Code",
    "Message",
    "Started",
    "Finished",
    "Signal",
];

/// Reasons a container's state gives, which say which state they belong to when the paste
/// lost the `State:` line above them.
const WAITING_REASONS: &[&str] = &[
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "InvalidImageName",
    "ContainerCreating",
];
const TERMINATED_REASONS: &[&str] = &[
    "OOMKilled",
    "Error",
    "Completed",
    "ContainerCannotRun",
    "StartError",
    "DeadlineExceeded",
];

/// A line with the decoration of issue forms and chats removed: quote marks, list bullets,
/// backticks and bold markers. `offset` is where `text` starts in the line.
struct Plain {
    text: String,
    indent: usize,
}

fn plain(line: &Line) -> Plain {
    let clean = line.clean.replace('\t', "    ");
    let mut t: &str = &clean;
    // `> ` quotes (possibly nested) and list bullets.
    loop {
        let trimmed = t.trim_start();
        if let Some(rest) = trimmed.strip_prefix('>') {
            t = rest;
        } else if let Some(rest) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
            .or_else(|| trimmed.strip_prefix("+ "))
        {
            t = rest;
            break;
        } else {
            break;
        }
    }
    let indent = t.len() - t.trim_start().len();
    let text = t.replace("**", "").replace('`', "");
    Plain {
        text: text.trim_end().to_string(),
        indent,
    }
}

/// How a line of a fragment reads on its own.
enum Piece {
    Blank,
    /// `Events:`, the column header or its dashes.
    Decoration(LineKind),
    Event(Event),
    Row(PodRow),
    Field {
        key: String,
        value: String,
        indent: usize,
    },
    /// A bare message; the event's reason comes from the message layer.
    Message(Event, About),
    Log,
    Prose,
}

fn read_piece(line: &Line, p: &Plain) -> Piece {
    let t = p.text.trim();
    if t.is_empty() || t.chars().all(|c| c == '`' || c == '~') {
        return Piece::Blank;
    }
    if t == "Events:" || t.starts_with("Events:  ") {
        return Piece::Decoration(LineKind::Events);
    }
    if is_event_columns(t) || (t.starts_with("----") && t.contains("  ---")) {
        return Piece::Decoration(LineKind::Events);
    }
    if pod_table::is_header(t) {
        return Piece::Decoration(LineKind::PodTable);
    }
    if let Some(event) = event_row(line, t) {
        return Piece::Event(event);
    }
    if let Some(row) = pod_table::parse_row(line, t) {
        return Piece::Row(row);
    }
    if let Some((key, value)) = describe_field(t) {
        // A field whose value is itself a message (`Message: Back-off pulling image ...`) is
        // still a field: the state reads it.
        return Piece::Field {
            key,
            value,
            indent: p.indent,
        };
    }
    if let Some(found) = messages::recognise(t) {
        if found.about == About::Log {
            return Piece::Log;
        }
        let message = t[found.at..].trim().to_string();
        return Piece::Message(
            Event {
                kind: "Warning".into(),
                reason: found.reason.to_string(),
                age: String::new(),
                from: String::new(),
                count: 1,
                message,
                object: None,
                namespace: None,
                line: line.range,
            },
            found.about,
        );
    }
    if looks_like_log(t) {
        Piece::Log
    } else {
        Piece::Prose
    }
}

/// `Type  Reason  Age  From  Message`, a describe's Events header.
fn is_event_columns(t: &str) -> bool {
    let words: Vec<&str> = t.split_whitespace().collect();
    words.len() >= 4 && words[0] == "Type" && words[1] == "Reason" && words.contains(&"Message")
}

/// An event row without its table: describe's `Warning  Failed  32s  kubelet  message`,
/// the same with single spaces (a form that lost its alignment), or a `kubectl get events` row
/// (`2m  Warning  BackOff  pod/web-1  message`, `-A` with the namespace first).
fn event_row(line: &Line, t: &str) -> Option<Event> {
    let cols = columns(t);
    let first = t.split_whitespace().next().unwrap_or("");
    if (first == "Normal" || first == "Warning") && cols.len() < 4 {
        return single_spaced_row(line, t);
    }
    let type_at = cols
        .iter()
        .take(3)
        .position(|c| *c == "Normal" || *c == "Warning")?;
    if type_at == 0 {
        if cols.len() >= 4 && is_reason(cols[1]) {
            let mut event = parse_event_row(line, t)?;
            event.message = event.message.trim().to_string();
            return Some(event);
        }
        return single_spaced_row(line, t);
    }
    // `kubectl get events` without its header: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.
    let reason = *cols.get(type_at + 1)?;
    let object = *cols.get(type_at + 2)?;
    if !is_reason(reason) || !object.contains('/') {
        return None;
    }
    let (namespace, age) = match type_at {
        2 => (Some(cols[0].to_string()), cols[1]),
        _ => (None, cols[0]),
    };
    if !is_age(age) {
        return None;
    }
    Some(Event {
        kind: cols[type_at].to_string(),
        reason: reason.to_string(),
        age: age.to_string(),
        from: String::new(),
        count: count_of(age),
        message: cols
            .get(type_at + 3..)
            .map(|m| m.join("  "))
            .unwrap_or_default(),
        object: Some(object.to_string()),
        namespace,
        line: line.range,
    })
}

/// `Warning Failed 32s kubelet Failed to pull image ...`: words, not columns.
fn single_spaced_row(line: &Line, t: &str) -> Option<Event> {
    let mut words = t.split(' ').filter(|w| !w.is_empty()).peekable();
    let kind = words.next()?;
    let reason = words.next()?;
    if !is_reason(reason) {
        return None;
    }
    let mut age = String::new();
    while let Some(word) = words.peek() {
        let inside = age.contains("(x") && !age.ends_with(')');
        if is_age(word) || word.starts_with("(x") || inside {
            if !age.is_empty() {
                age.push(' ');
            }
            age.push_str(word);
            words.next();
        } else {
            break;
        }
    }
    if age.is_empty() {
        return None;
    }
    let mut from = words.next()?.to_string();
    if from.ends_with(',') {
        // `kubelet, ip-10-0-1-7.ec2.internal`
        from.push(' ');
        from.push_str(words.next().unwrap_or(""));
    }
    let message: Vec<&str> = words.collect();
    Some(Event {
        kind: kind.to_string(),
        reason: reason.to_string(),
        count: count_of(&age),
        age,
        from,
        message: message.join(" "),
        object: None,
        namespace: None,
        line: line.range,
    })
}

/// `BackOff`, `FailedScheduling`: one CamelCase word.
fn is_reason(word: &str) -> bool {
    word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && word.chars().all(|c| c.is_ascii_alphanumeric())
        && word.len() > 2
}

/// `32s`, `3m12s`, `2d`, `<invalid>`, `<unknown>`, `9s (x8 over 1m)`.
fn is_age(word: &str) -> bool {
    let head = word.split_whitespace().next().unwrap_or("");
    matches!(head, "<invalid>" | "<unknown>")
        || (!head.is_empty()
            && head.chars().next().is_some_and(|c| c.is_ascii_digit())
            && head
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, 's' | 'm' | 'h' | 'd' | 'y')))
}

/// A describe field kubectl prints for pods and containers: `Reason:  OOMKilled`.
fn describe_field(t: &str) -> Option<(String, String)> {
    let colon = t.find(':')?;
    let key = t[..colon].trim();
    let rest = &t[colon + 1..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let value = rest.trim();
    let known = POD_KEYS.contains(&key)
        || CONTAINER_KEYS.contains(&key)
        || STATE_KEYS.contains(&key)
        || key == "Containers"
        || key == "Init Containers"
        || is_resource(key);
    // A container's name line (`  api:`) under `Containers:`.
    let name_line = value.is_empty() && describe_field_is_name(key);
    (known || name_line).then(|| (key.to_string(), value.to_string()))
}

/// A key that can only be a container's name line: lower-case, not a resource.
fn describe_field_is_name(key: &str) -> bool {
    !key.is_empty()
        && !is_resource(key)
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_resource(key: &str) -> bool {
    matches!(key, "cpu" | "memory" | "ephemeral-storage" | "pods")
        || key.starts_with("hugepages-")
        || key.ends_with("/gpu")
}

/// A line a program printed: timestamps, levels, tracebacks, klog headers.
fn looks_like_log(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    let b = t.as_bytes();
    let klog = b.len() > 5
        && matches!(b[0], b'I' | b'W' | b'E' | b'F')
        && b[1..5].iter().all(u8::is_ascii_digit);
    b.first().is_some_and(u8::is_ascii_digit)
        || klog
        || t.starts_with('[')
        || t.starts_with('{')
        || t.starts_with("Traceback")
        || t.starts_with("File \"")
        || t.starts_with("at ")
        || t.starts_with("panic:")
        || t.starts_with("goroutine ")
        || first.ends_with("Error:")
        || first.ends_with("Exception:")
        || first.contains("level=")
        || ["INFO", "WARN", "WARNING", "ERROR", "DEBUG", "FATAL"]
            .iter()
            .any(|l| {
                t.contains(&format!(" {l} ")) || first == *l || first.contains(&format!("[{l}]"))
            })
}

/// True when `next` continues the message of the line before it: the terminal or the form
/// wrapped it.
fn continues(
    message: &str,
    next: &str,
    indent_before: usize,
    indent: usize,
    line_before: usize,
) -> bool {
    let n = next.trim_start();
    if n.is_empty() || messages::recognise(n).is_some_and(|r| r.at == 0 && r.about != About::Log) {
        return false;
    }
    let open = message.ends_with(':') || message.ends_with(',') || message.ends_with('-');
    let lower = n.chars().next().is_some_and(|c| !c.is_ascii_uppercase());
    let technical = [
        "rpc error",
        "dial tcp",
        "Get \"",
        "Head \"",
        "Error response",
        "failed to",
        "code = ",
        "desc = ",
        "x509",
        "net/http",
    ]
    .iter()
    .any(|p| n.starts_with(p));
    open || technical || indent > indent_before || (lower && line_before >= 60)
}

/// A message kubelet starts an event with, which never continues another one.
fn starts_a_message(message: &str) -> bool {
    [
        "Failed to pull image",
        "Back-off",
        "Error: ",
        "0/",
        "MountVolume.",
        "Unable to attach",
        "Multi-Attach",
        "Liveness probe",
        "Readiness probe",
        "Startup probe",
        "Error creating",
        "Error from server",
        "Warning: ",
    ]
    .iter()
    .any(|p| message.starts_with(p))
}

/// Reads the lines of one fragment region.
pub fn read(lines: &[Line]) -> Fragment {
    let mut out = Fragment::default();
    let mut fields: Vec<(Field, String)> = Vec::new();
    let mut pod_events: Vec<Event> = Vec::new();
    let mut rows: Vec<PodRow> = Vec::new();
    // The event whose message may go on over the next line: (index in its list, indent,
    // whether it is a pod event), and the length of its last line.
    let mut last_message: Option<(usize, usize, bool)> = None;
    let mut last_len = 0;
    let mut names: Vec<String> = Vec::new();
    for line in lines {
        let p = plain(line);
        let piece = read_piece(line, &p);
        // A wrapped message goes on over the lines after it.
        if let (Some((index, indent, pod)), Piece::Prose | Piece::Log | Piece::Message(..)) =
            (last_message, &piece)
        {
            let list = if pod {
                &mut pod_events
            } else {
                &mut out.events
            };
            if let Some(event) = list.get_mut(index) {
                let fresh = matches!(&piece, Piece::Message(e, _) if starts_a_message(&e.message));
                if !fresh && continues(&event.message, &p.text, indent, p.indent, last_len) {
                    // A terminal cuts rows at its width, inside words: an unindented line
                    // under an indented row goes on exactly where the row stopped.
                    let cut = p.indent == 0 && indent > 0 && !event.message.ends_with(':');
                    if !cut {
                        event.message.push(' ');
                    }
                    event.message.push_str(p.text.trim());
                    event.line.end = line.range.end;
                    last_len = line.clean.len();
                    out.kinds.push((line.range, LineKind::Events));
                    continue;
                }
            }
        }
        last_message = None;
        last_len = line.clean.len();
        let kind = match piece {
            Piece::Blank => continue,
            Piece::Decoration(kind) => kind,
            Piece::Event(event) => {
                names.extend(pod_named_in(&event.message));
                let to_pod = event.object.is_none() && about_pod(&event);
                let list = if to_pod {
                    &mut pod_events
                } else {
                    &mut out.events
                };
                list.push(event);
                last_message = Some((list.len() - 1, p.indent, to_pod));
                LineKind::Events
            }
            Piece::Message(event, about) => {
                names.extend(pod_named_in(&event.message));
                let pod = about == About::Pod;
                let list = if pod {
                    &mut pod_events
                } else {
                    &mut out.events
                };
                list.push(event);
                last_message = Some((list.len() - 1, p.indent, pod));
                LineKind::Events
            }
            Piece::Row(row) => {
                rows.push(row);
                LineKind::PodTable
            }
            Piece::Field { key, value, indent } => {
                let value_range = if value.is_empty() {
                    TextRange::empty(line.range.end)
                } else {
                    line.find(&value)
                };
                fields.push((
                    Field {
                        path: Vec::new(),
                        key: key.clone(),
                        value,
                        line: line.range,
                        value_range,
                        indent,
                    },
                    key,
                ));
                LineKind::Describe
            }
            Piece::Log => {
                out.logs.push(LogLine {
                    line: line.range,
                    text: line.clean.trim().to_string(),
                    pod: None,
                    container: None,
                });
                LineKind::Logs
            }
            Piece::Prose => LineKind::Prose,
        };
        out.kinds.push((line.range, kind));
    }
    // A line like `image:` names a container only among describe fields; alone (a chart's
    // values, a config file) it is no describe.
    if fields
        .iter()
        .all(|(f, _)| f.value.is_empty() && describe_field_is_name(&f.key))
    {
        for (f, _) in fields.drain(..) {
            if let Some(kind) = out.kinds.iter_mut().find(|(r, _)| *r == f.line) {
                kind.1 = LineKind::Prose;
            }
        }
    }
    let describe = assemble(fields, pod_events);
    let failing: Vec<&PodRow> = rows.iter().filter(|r| !r.is_fine()).collect();
    let lone = describe.as_ref().is_some_and(|d| d.value("Name").is_none());
    let mut attach_to_row = None;
    if lone && failing.len() == 1 {
        attach_to_row = Some(failing[0].name.0.clone());
    }
    for row in &rows {
        let mut d = row.describe();
        if attach_to_row.as_deref() == Some(row.name.0.as_str()) {
            if let Some(loose) = &describe {
                d.events = loose.events.clone();
                merge_fields(&mut d, loose);
            }
        }
        out.observed.push(observed(d));
    }
    if let Some(mut d) = describe {
        if attach_to_row.is_none() {
            if d.value("Name").is_none() {
                names.dedup();
                if let [name] = names.as_slice() {
                    d.fields.insert(
                        0,
                        Field {
                            path: Vec::new(),
                            key: "Name".into(),
                            value: name.clone(),
                            line: d.range,
                            value_range: TextRange::empty(d.range.start),
                            indent: 0,
                        },
                    );
                }
            }
            out.observed.push(observed(d));
        }
    }
    out
}

/// A pod that only `kubectl get events` rows name (`pod/web-1`): its events, and the
/// containers they name.
pub fn pod_of_events(name: &str, namespace: Option<&str>, events: Vec<Event>) -> Observed {
    let mut d = assemble(Vec::new(), events).unwrap_or_default();
    let mut head = vec![field(&[], "Name", name, d.range)];
    if let Some(namespace) = namespace {
        head.push(field(&[], "Namespace", namespace, d.range));
    }
    d.fields.splice(0..0, head);
    observed(d)
}

fn observed(describe: Describe) -> Observed {
    Observed {
        kind: "Pod",
        name: describe.value("Name").map(String::from),
        namespace: describe.value("Namespace").map(String::from),
        describe,
        partial: true,
    }
}

/// A loose fragment's container fields go to the pod row's container when the row stands
/// for the same pod.
fn merge_fields(row: &mut Describe, loose: &Describe) {
    for f in &loose.fields {
        if f.path.first().is_some_and(|s| s.ends_with("Containers")) {
            if let Some(existing) = row
                .fields
                .iter()
                .position(|r| r.path == f.path && r.key == f.key)
            {
                row.fields[existing] = f.clone();
            } else {
                row.fields.push(f.clone());
            }
        }
    }
}

/// True when the event is about a pod (not a claim or a controller).
fn about_pod(event: &Event) -> bool {
    !matches!(
        event.reason.as_str(),
        "FailedCreate"
            | "ProvisioningFailed"
            | "FailedBinding"
            | "ExternalProvisioning"
            | "SuccessfulCreate"
            | "ScalingReplicaSet"
    )
}

/// Pod names that a message gives: `... in pod web-1_shop(uid)`, `Successfully assigned
/// shop/web-1 to node-1`.
fn pod_named_in(message: &str) -> Option<String> {
    if let Some(rest) = message.split(" in pod ").nth(1) {
        let name = rest.split(['_', '(', ' ']).next()?;
        if !name.is_empty() {
            return Some(name.to_string());
        }
    }
    let rest = message.strip_prefix("Successfully assigned ")?;
    let (who, _) = rest.rsplit_once(" to ")?;
    Some(who.rsplit('/').next()?.to_string())
}

/// Puts loose describe fields and events together as the describe of one pod. Fields are
/// placed by meaning, not indentation: pastes lose indentation, and `Reason: OOMKilled` right
/// under `Last State: Terminated` belongs to it at any indentation.
fn assemble(fields: Vec<(Field, String)>, events: Vec<Event>) -> Option<Describe> {
    if fields.is_empty() && events.is_empty() {
        return None;
    }
    let start = fields
        .iter()
        .map(|(f, _)| f.line.start)
        .chain(events.iter().map(|e| e.line.start))
        .min()
        .unwrap_or(0);
    let end = fields
        .iter()
        .map(|(f, _)| f.line.end)
        .chain(events.iter().map(|e| e.line.end))
        .max()
        .unwrap_or(0);
    let mut d = Describe {
        range: TextRange::new(start, end),
        events,
        ..Describe::default()
    };
    let mut section: Option<String> = None;
    let mut container: Option<String> = None;
    // Events without container fields still name their containers (`Started container api`).
    if !fields
        .iter()
        .any(|(_, key)| CONTAINER_KEYS.contains(&key.as_str()))
    {
        let mut names: Vec<String> = d
            .events
            .iter()
            .filter_map(|e| container_named_in(&e.message))
            .collect();
        names.sort();
        names.dedup();
        if names.is_empty() && !d.events.is_empty() {
            names.push(String::new());
        }
        if !names.is_empty() {
            d.fields.push(field(&[], "Containers", "", d.range));
            for name in names {
                d.fields.push(field(&["Containers"], &name, "", d.range));
            }
        }
    }
    // The open block under a container: (key, indent).
    let mut block: Option<(String, usize)> = None;
    let open_container = |d: &mut Describe,
                          section: &mut Option<String>,
                          container: &mut Option<String>,
                          name: &str,
                          line: TextRange| {
        let s = section
            .get_or_insert_with(|| "Containers".to_string())
            .clone();
        if !d.fields.iter().any(|f| f.path.is_empty() && f.key == s) {
            d.fields.push(field(&[], &s, "", line));
        }
        d.fields.push(field(&[&s], name, "", line));
        *container = Some(name.to_string());
    };
    for (f, key) in fields {
        let key = key.as_str();
        if key == "Containers" || key == "Init Containers" {
            section = Some(key.to_string());
            container = None;
            block = None;
            d.fields.push(Field {
                path: Vec::new(),
                ..f
            });
            continue;
        }
        let is_name_line = f.value.is_empty()
            && !POD_KEYS.contains(&key)
            && !CONTAINER_KEYS.contains(&key)
            && !STATE_KEYS.contains(&key)
            && !is_resource(key);
        if is_name_line {
            if section.is_some() || container.is_none() {
                open_container(&mut d, &mut section, &mut container, key, f.line);
                block = None;
            }
            continue;
        }
        if CONTAINER_KEYS.contains(&key) {
            if container.is_none() {
                open_container(&mut d, &mut section, &mut container, "", f.line);
            }
            let path = [
                section.clone().unwrap_or_default(),
                container.clone().unwrap_or_default(),
            ];
            block = matches!(
                key,
                "State" | "Last State" | "Limits" | "Requests" | "Environment" | "Mounts"
            )
            .then(|| (key.to_string(), f.indent));
            d.fields.push(Field {
                path: path.to_vec(),
                ..f
            });
            continue;
        }
        let in_state = block
            .as_ref()
            .is_some_and(|(b, _)| b == "State" || b == "Last State");
        if STATE_KEYS.contains(&key) && !in_state && key == "Reason" && container.is_none() {
            // `Reason: OOMKilled` without its `State:` line.
            let state = if TERMINATED_REASONS.contains(&f.value.as_str()) {
                Some("Last State")
            } else if WAITING_REASONS.contains(&f.value.as_str()) {
                Some("State")
            } else {
                None
            };
            if let Some(state) = state {
                open_container(&mut d, &mut section, &mut container, "", f.line);
                let path = [
                    section.clone().unwrap_or_default(),
                    container.clone().unwrap_or_default(),
                ];
                let value = if state == "State" {
                    "Waiting"
                } else {
                    "Terminated"
                };
                d.fields.push(Field {
                    path: path.to_vec(),
                    key: state.into(),
                    value: value.into(),
                    line: f.line,
                    value_range: f.value_range,
                    indent: f.indent,
                });
                block = Some((state.to_string(), f.indent));
                let mut inner = path.to_vec();
                inner.push(state.to_string());
                d.fields.push(Field { path: inner, ..f });
                continue;
            }
        }
        if let Some((b, _)) = &block {
            let takes = if b == "State" || b == "Last State" {
                STATE_KEYS.contains(&key)
            } else if b == "Limits" || b == "Requests" {
                is_resource(key)
            } else {
                !POD_KEYS.contains(&key)
            };
            if takes {
                let path = vec![
                    section.clone().unwrap_or_default(),
                    container.clone().unwrap_or_default(),
                    b.clone(),
                ];
                d.fields.push(Field { path, ..f });
                continue;
            }
        }
        if POD_KEYS.contains(&key) || STATE_KEYS.contains(&key) {
            block = None;
            d.fields.push(Field {
                path: Vec::new(),
                ..f
            });
        }
    }
    crash_loop_from_back_off(&mut d);
    Some(d)
}

/// Kubelet's `Back-off restarting failed container api` says what the pod's describe would
/// show above its events, `State: Waiting / Reason: CrashLoopBackOff`: a fragment that lost
/// those lines gets them back, at the event's line, for a container that shows no state.
fn crash_loop_from_back_off(d: &mut Describe) {
    let named: Vec<(String, TextRange)> = d
        .events
        .iter()
        .filter(|e| {
            e.message
                .starts_with("Back-off restarting failed container")
        })
        .map(|e| (container_named_in(&e.message).unwrap_or_default(), e.line))
        .collect();
    for (name, line) in named {
        let section = "Containers";
        let known = d.child(&[section], &name).is_some();
        if known && d.child(&[section, &name], "State").is_some() {
            continue;
        }
        // One unnamed container stands for the one the event names.
        let unnamed = d.child(&[section], "").is_some() && d.children(&[section]).len() == 1;
        let name = if !known && unnamed {
            String::new()
        } else {
            name
        };
        if d.child(&[section, &name], "State").is_some() {
            continue;
        }
        if d.top(section).is_none() {
            d.fields.push(field(&[], section, "", line));
        }
        if d.child(&[section], &name).is_none() {
            d.fields.push(field(&[section], &name, "", line));
        }
        d.fields
            .push(field(&[section, &name], "State", "Waiting", line));
        d.fields.push(field(
            &[section, &name, "State"],
            "Reason",
            "CrashLoopBackOff",
            line,
        ));
    }
}

/// The container an event names: `Started container api`, `container "api"`, `Container api
/// failed liveness probe`, `Killing container with id docker://api:...`, `container: api)`.
pub fn container_named_in(message: &str) -> Option<String> {
    let word = |rest: &str| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.' || *c == '_')
            .collect();
        (!name.is_empty()).then_some(name)
    };
    if let Some((_, rest)) = message.split_once("container \"") {
        return rest
            .split_once('"')
            .map(|(n, _)| n.to_string())
            .filter(|n| !n.is_empty());
    }
    if let Some((_, rest)) = message.split_once("docker://") {
        return word(rest);
    }
    for marker in [
        "Created container ",
        "Started container ",
        "failed container ",
        "Stopping container ",
        "container: ",
    ] {
        if let Some((_, rest)) = message.split_once(marker) {
            return word(rest);
        }
    }
    let rest = message.strip_prefix("Container ")?;
    word(rest).filter(|_| rest.contains(" failed ") || rest.contains(" probe"))
}

fn field(path: &[&str], key: &str, value: &str, line: TextRange) -> Field {
    Field {
        path: path.iter().map(|s| s.to_string()).collect(),
        key: key.to_string(),
        value: value.to_string(),
        line,
        value_range: line,
        indent: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::super::regions::lines;
    use super::*;
    use crate::runtime::pod::PodView;

    fn read_text(text: &str) -> Fragment {
        read(&lines(text))
    }

    #[test]
    fn event_rows_without_header_are_events_of_one_pod() {
        let f = read_text("  Warning  Failed     32s (x3 over 1m)  kubelet, ip-10-0-1-7.ec2.internal  Failed to pull image \"ubuntu:bionic\": toomanyrequests: You have reached your pull rate limit\n  Warning  Failed     32s   kubelet  Error: **ErrImagePull**\n");
        assert_eq!(f.observed.len(), 1);
        let events = &f.observed[0].describe.events;
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].reason, "Failed");
        assert_eq!(events[0].count, 3);
        assert_eq!(events[0].from, "kubelet, ip-10-0-1-7.ec2.internal");
        assert!(events[0].message.starts_with("Failed to pull image"));
    }

    #[test]
    fn single_spaced_rows_and_bare_wrapped_messages() {
        let f = read_text("Warning Failed 9s (x8 over 1m) kubelet Failed to pull image \"x:v1\": not found\n  Failed to pull image \"redis:7.2-alpine\":\n  dial tcp <docker-hub-ip>:443: i/o timeout\n");
        let events = &f.observed[0].describe.events;
        assert_eq!(events.len(), 2, "{events:?}");
        assert_eq!(events[0].age, "9s (x8 over 1m)");
        assert_eq!(events[0].from, "kubelet");
        assert!(
            events[1].message.ends_with("i/o timeout"),
            "{}",
            events[1].message
        );
    }

    #[test]
    fn loose_describe_fields_make_a_container() {
        let text = "State: Terminated\nReason: OOMKilled\nExit Code: 137\nRestart Count: 2\nLimits:\n  memory: 128Mi\n";
        let f = read_text(text);
        let pod = PodView::from_describe(&f.observed[0].describe);
        assert_eq!(pod.containers.len(), 1);
        let c = &pod.containers[0];
        let state = c.state.as_ref().unwrap();
        assert_eq!(state.reason.as_deref(), Some("OOMKilled"));
        assert_eq!(state.exit_code, Some(137));
        assert_eq!(c.restarts, 2);
        assert_eq!(c.limits[0].1, "128Mi");
    }

    #[test]
    fn a_reason_without_its_state_line() {
        let f = read_text("      Reason:       OOMKilled\n      Exit Code:    137\n");
        let pod = PodView::from_describe(&f.observed[0].describe);
        let last = pod.containers[0].last_state.as_ref().unwrap();
        assert_eq!(last.reason.as_deref(), Some("OOMKilled"));
        assert_eq!(last.exit_code, Some(137));
    }

    #[test]
    fn pod_rows_become_pods() {
        let f = read_text("NAME                    READY   STATUS      RESTARTS      AGE\napi-5d8f7c9b4-x2k8q     0/1     OOMKilled   3 (57s ago)   5m\ndb-0                    1/1     Running     0             5m\n");
        assert_eq!(f.observed.len(), 2);
        let pod = PodView::from_describe(&f.observed[0].describe);
        assert_eq!(pod.name, Some("api-5d8f7c9b4-x2k8q"));
        assert_eq!(
            pod.containers[0].state.as_ref().unwrap().reason.as_deref(),
            Some("OOMKilled")
        );
        assert!(PodView::from_describe(&f.observed[1].describe).is_healthy());
    }

    #[test]
    fn prose_is_prose() {
        let f = read_text("After upgrading the chart to 1.4.5 the pod crashloops with:\n");
        assert!(f.observed.is_empty());
        assert_eq!(f.kinds[0].1, LineKind::Prose);
    }
}
