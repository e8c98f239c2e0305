//! Kubernetes events, from a describe's Events section or a `kubectl get events` table.

use super::regions::{is_events_header, Line};
use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// `Normal` or `Warning`.
    pub kind: String,
    pub reason: String,
    /// As kubectl printed it: `2m (x25 over 7m)`, `<invalid>`, `10s`.
    pub age: String,
    pub from: String,
    pub message: String,
    /// How many times it happened (`x25`), 1 when not said.
    pub count: u32,
    /// `pod/web-1` in `kubectl get events`; none in a describe.
    pub object: Option<String>,
    pub namespace: Option<String>,
    /// The event's line(s).
    pub line: TextRange,
}

impl Event {
    pub fn is_warning(&self) -> bool {
        self.kind == "Warning"
    }

    /// The object's name without its kind prefix: `pod/web-1` -> `web-1`.
    pub fn object_name(&self) -> Option<&str> {
        self.object
            .as_deref()
            .map(|o| o.split_once('/').map_or(o, |(_, n)| n))
    }
}

/// Splits on runs of two or more spaces (tabwriter columns), keeping single spaces inside
/// values such as `2m (x25 over 7m)`.
pub fn columns(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = None;
    let mut i = 0;
    while i < bytes.len() {
        let gap = bytes[i] == b'\t'
            || (bytes[i] == b' ' && bytes.get(i + 1).is_some_and(|b| *b == b' ' || *b == b'\t'));
        if gap {
            if let Some(s) = start.take() {
                out.push(&text[s..i]);
            }
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        i += 1;
    }
    if let Some(s) = start {
        out.push(text[s..].trim_end());
    }
    out
}

pub(crate) fn count_of(age: &str) -> u32 {
    age.split_once("(x")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .and_then(|n| n.trim_end_matches(')').parse().ok())
        .unwrap_or(1)
}

/// A row of a describe's Events table: `Warning  BackOff  2m (x25 over 7m)  kubelet  Back-off ...`.
pub fn parse_event_row(line: &Line, trimmed: &str) -> Option<Event> {
    let cols = columns(trimmed);
    let kind = *cols.first()?;
    if kind != "Normal" && kind != "Warning" {
        return None;
    }
    let (reason, age, from) = (
        *cols.get(1)?,
        *cols.get(2).unwrap_or(&""),
        *cols.get(3).unwrap_or(&""),
    );
    let message = cols.get(4..).map(|m| m.join("  ")).unwrap_or_default();
    Some(Event {
        kind: kind.to_string(),
        reason: reason.to_string(),
        age: age.to_string(),
        from: from.to_string(),
        count: count_of(age),
        message,
        object: None,
        namespace: None,
        line: line.range,
    })
}

/// A `kubectl get events` table (default, `-A`, `-o wide`), read by the header's columns.
pub fn parse_table(lines: &[Line]) -> (Vec<Event>, Vec<(TextRange, String)>) {
    let mut events = Vec::new();
    let mut unread = Vec::new();
    let mut header: Vec<(usize, String)> = Vec::new();
    for line in lines {
        let clean = line.clean.replace('\t', "    ");
        if clean.trim().is_empty() {
            continue;
        }
        if is_events_header(&clean) {
            header = header_columns(&clean);
            continue;
        }
        if header.is_empty() {
            unread.push((line.range, "event row before a header".into()));
            continue;
        }
        let get = |name: &str| -> String {
            let Some(index) = header.iter().position(|(_, h)| h == name) else {
                return String::new();
            };
            let start = header[index].0;
            let end = header.get(index + 1).map_or(clean.len(), |(s, _)| *s);
            let cell = clean
                .get(start.min(clean.len())..end.min(clean.len()))
                .unwrap_or("");
            // A value wider than its column pushes into the next one; MESSAGE takes the rest.
            if name == "MESSAGE" && index + 1 == header.len() {
                return clean
                    .get(start.min(clean.len())..)
                    .unwrap_or("")
                    .trim()
                    .to_string();
            }
            cell.trim().to_string()
        };
        let kind = get("TYPE");
        if kind != "Normal" && kind != "Warning" {
            // Columns drifted (a paste that lost alignment): fall back to splitting.
            match fallback_row(line, &clean, &header) {
                Some(event) => events.push(event),
                None => match events.last_mut() {
                    Some(last) if clean.starts_with(' ') => {
                        last.message.push(' ');
                        last.message.push_str(clean.trim());
                    }
                    _ => unread.push((line.range, "not an event row".into())),
                },
            }
            continue;
        }
        let count = get("COUNT")
            .parse()
            .unwrap_or_else(|_| count_of(&get("LAST SEEN")));
        events.push(Event {
            kind,
            reason: get("REASON"),
            age: get("LAST SEEN"),
            from: get("SOURCE"),
            message: get("MESSAGE"),
            count,
            object: Some(get("OBJECT"))
                .filter(|o| !o.is_empty())
                .or_else(|| old_object(&get("KIND"), &get("NAME"))),
            namespace: Some(get("NAMESPACE")).filter(|o| !o.is_empty()),
            line: line.range,
        });
    }
    (events, unread)
}

/// Before 1.14, `kubectl get events` printed KIND and the event's NAME (`web-1.15a3f1c2b7`)
/// instead of OBJECT: the object is the name without its hash.
fn old_object(kind: &str, name: &str) -> Option<String> {
    if kind.is_empty() || name.is_empty() {
        return None;
    }
    let object = name.rsplit_once('.').map_or(name, |(head, _)| head);
    Some(format!("{}/{object}", kind.to_ascii_lowercase()))
}

fn header_columns(header: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for cell in columns(header) {
        let at = header[offset..].find(cell).map_or(offset, |i| offset + i);
        out.push((at, cell.to_string()));
        offset = at + cell.len();
    }
    out
}

fn fallback_row(line: &Line, clean: &str, header: &[(usize, String)]) -> Option<Event> {
    let cols = columns(clean.trim());
    let type_at = cols
        .iter()
        .position(|c| *c == "Normal" || *c == "Warning")?;
    let has_namespace = header.first().is_some_and(|(_, h)| h == "NAMESPACE");
    Some(Event {
        kind: cols[type_at].to_string(),
        reason: cols.get(type_at + 1)?.to_string(),
        age: cols.get(type_at.wrapping_sub(1)).unwrap_or(&"").to_string(),
        from: String::new(),
        object: cols.get(type_at + 2).map(|s| s.to_string()),
        message: cols
            .get(type_at + 3..)
            .map(|m| m.join("  "))
            .unwrap_or_default(),
        count: 1,
        namespace: has_namespace.then(|| cols[0].to_string()),
        line: line.range,
    })
}

#[cfg(test)]
mod tests {
    use super::super::regions::lines;
    use super::*;

    #[test]
    fn get_events_tables_read_by_their_header() {
        let text = "NAMESPACE   LAST SEEN   TYPE      REASON             OBJECT                    MESSAGE\nshop        2m          Warning   FailedScheduling   pod/web-7d4b9c8f6-abcde   0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.\nshop        5m          Normal    Pulled             pod/api-1                 Successfully pulled image \"api:1\" in 1.2s\n";
        let (events, unread) = parse_table(&lines(text));
        assert!(unread.is_empty());
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].reason, "FailedScheduling");
        assert_eq!(events[0].object_name(), Some("web-7d4b9c8f6-abcde"));
        assert_eq!(events[0].namespace.as_deref(), Some("shop"));
        assert!(events[0]
            .message
            .starts_with("0/3 nodes are available: 3 Insufficient cpu."));
    }

    #[test]
    fn wide_tables_have_empty_cells() {
        let text = "LAST SEEN   TYPE      REASON    OBJECT      SUBOBJECT                SOURCE    MESSAGE                         FIRST SEEN   COUNT   NAME\n3m          Warning   BackOff   pod/web-1   spec.containers{web}     kubelet   Back-off pulling image \"web:2\"   10m          42      web-1.17a\n1m          Normal    Pulled    pod/db-0                             kubelet   Container image already present   1m           1       db-0.17b\n";
        let (events, _) = parse_table(&lines(text));
        assert_eq!(events[0].count, 42);
        assert_eq!(events[0].from, "kubelet");
        assert_eq!(events[1].reason, "Pulled");
    }
}
