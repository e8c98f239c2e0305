//! `kubectl describe` output read as an indented tree of `Key: value` fields plus its Events
//! table. Tolerates tabs, colour codes, wrapped lines and truncated tails.

use super::events::{parse_event_row, Event};
use super::regions::Line;
use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Keys of the enclosing sections, outermost first (`["Containers", "web", "State"]`).
    pub path: Vec<String>,
    pub key: String,
    pub value: String,
    /// The whole line.
    pub line: TextRange,
    /// The value's bytes (the line's end when the value is empty).
    pub value_range: TextRange,
    pub indent: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Describe {
    pub range: TextRange,
    pub fields: Vec<Field>,
    pub events: Vec<Event>,
    /// Lines that could not be read, with the reason.
    pub unread: Vec<(TextRange, String)>,
}

impl Describe {
    /// A top-level field (`Name`, `Namespace`, `Controlled By`).
    pub fn top(&self, key: &str) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.path.is_empty() && f.key == key)
    }

    pub fn value(&self, key: &str) -> Option<&str> {
        self.top(key)
            .map(|f| f.value.as_str())
            .filter(|v| !v.is_empty() && *v != "<none>")
    }

    /// Fields directly under `path`.
    pub fn children<'s>(&'s self, path: &[&str]) -> Vec<&'s Field> {
        self.fields
            .iter()
            .filter(|f| f.path.len() == path.len() && f.path.iter().zip(path).all(|(a, b)| a == b))
            .collect()
    }

    pub fn child(&self, path: &[&str], key: &str) -> Option<&Field> {
        self.children(path).into_iter().find(|f| f.key == key)
    }

    /// A top-level `Containers:` (or `Init Containers:`) whose containers show an image or a
    /// state: only a pod's describe prints them so (workloads nest theirs under `Pod
    /// Template:`), even when the paste lost the `Node:` and `IP:` lines.
    fn shows_container_state(&self) -> bool {
        ["Containers", "Init Containers"].iter().any(|section| {
            self.children(&[section]).iter().any(|c| {
                self.children(&[section, c.key.as_str()])
                    .iter()
                    .any(|f| matches!(f.key.as_str(), "Image" | "State" | "Container ID"))
            })
        })
    }

    /// What kind of object this describes, from the fields only kubectl prints for it.
    pub fn kind(&self) -> &'static str {
        let has = |k: &str| self.top(k).is_some();
        // `Node: <name>/<ip>` with a phase is a pod's, even cut down to the few fields
        // above `Containers:` (an evicted pod's `Status`, `Reason` and `Message`).
        let placed = has("Node") && (has("Status") || has("Start Time") || has("Controlled By"));
        if has("Containers") && (has("Node") || has("IP") || has("QoS Class"))
            || self.shows_container_state()
            || placed
        {
            "Pod"
        } else if has("Reference") && (has("Min replicas") || has("Max replicas")) {
            "HorizontalPodAutoscaler"
        } else if has("Roles") || has("Taints") || has("Allocatable") {
            "Node"
        } else if has("Access Modes") && has("StorageClass") {
            if has("Claim") || has("Reclaim Policy") {
                "PersistentVolume"
            } else {
                "PersistentVolumeClaim"
            }
        } else if has("Schedule") && has("Concurrency Policy") {
            "CronJob"
        } else if has("Completions") || has("Completion Mode") {
            "Job"
        } else if has("StrategyType") || has("RollingUpdateStrategy") {
            "Deployment"
        } else if has("Update Strategy") && has("Pods Status") && has("Replicas") {
            "StatefulSet"
        } else if has("Desired Number of Nodes Scheduled") {
            "DaemonSet"
        } else if has("Replicas") && has("Pods Status") {
            "ReplicaSet"
        } else if has("Rules") && (has("Default backend") || has("Ingress Class")) {
            "Ingress"
        } else if has("Endpoints")
            || has("TargetPort")
            || has("IP Families")
            || (has("Type") && has("Port"))
        {
            "Service"
        } else {
            "Object"
        }
    }
}

/// Reads one describe region.
pub fn parse(lines: &[Line]) -> Describe {
    let mut out = Describe {
        range: TextRange::new(
            lines.first().map_or(0, |l| l.range.start),
            lines.last().map_or(0, |l| l.range.end),
        ),
        ..Describe::default()
    };
    // Open sections as (indent, key).
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut in_events = false;
    let mut event_header = false;
    for line in lines {
        let clean = line.clean.replace('\t', "    ");
        let trimmed = clean.trim();
        if trimmed.is_empty() {
            continue;
        }
        let indent = clean.len() - clean.trim_start().len();
        if in_events {
            if indent == 0 && !trimmed.starts_with("Type") {
                in_events = false;
            } else {
                if trimmed.starts_with("Type ")
                    || trimmed.chars().all(|c| c == '-' || c.is_whitespace())
                {
                    event_header = true;
                    continue;
                }
                match parse_event_row(line, trimmed) {
                    Some(event) => out.events.push(event),
                    // A long message wrapped by the terminal continues the previous event.
                    None => match out.events.last_mut() {
                        Some(last) if event_header => {
                            last.message.push(' ');
                            last.message.push_str(trimmed);
                            last.line.end = line.range.end;
                        }
                        _ => out.unread.push((line.range, "not an event row".into())),
                    },
                }
                continue;
            }
        }
        if indent == 0 && trimmed.starts_with("Events:") {
            in_events = true;
            stack.clear();
            let value = trimmed["Events:".len()..].trim();
            if value == "<none>" {
                in_events = false;
            }
            continue;
        }
        let Some((key, value)) = split_field(trimmed) else {
            // A continuation line: a further label, annotation or wrapped value.
            if let Some(last) = out.fields.last_mut() {
                if indent > last.indent {
                    last.value.push('\n');
                    last.value.push_str(trimmed);
                    continue;
                }
            }
            out.unread
                .push((line.range, "not a `Key: value` line".into()));
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let value_range = if value.is_empty() {
            TextRange::empty(line.range.end)
        } else {
            line.find(value)
        };
        out.fields.push(Field {
            path: stack.iter().map(|(_, k)| k.clone()).collect(),
            key: key.to_string(),
            value: value.to_string(),
            line: line.range,
            value_range,
            indent,
        });
        stack.push((indent, key.to_string()));
    }
    out
}

/// `Key:   value` -> (`Key`, `value`). Keys are words with spaces (`Last State`), never long
/// sentences; a value may contain colons (`Image: nginx:1.25`).
fn split_field(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    if key.is_empty() || key.len() > 60 || key.starts_with('/') || key.contains("  ") {
        return None;
    }
    let rest = &line[colon + 1..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        // `http://...` or `10.0.0.1:80`: not a field.
        return None;
    }
    Some((key.trim(), rest.trim()))
}

#[cfg(test)]
mod tests {
    use super::super::regions::lines;
    use super::*;

    const POD: &str = "Name:             web-7d4b9c8f6-abcde\nNamespace:        shop\nNode:             node-1/10.0.0.5\nLabels:           app=web\n                  pod-template-hash=7d4b9c8f6\nStatus:           Running\nControlled By:    ReplicaSet/web-7d4b9c8f6\nContainers:\n  web:\n    Container ID:   containerd://abc\n    Image:          registry.local/web:1.4.0\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n    Ready:          False\n    Restart Count:  5\n    Limits:\n      memory:  128Mi\n    Environment:\n      DATABASE_URL:  postgres://db:5432/app\nQoS Class:        Burstable\nEvents:\n  Type     Reason     Age                 From               Message\n  ----     ------     ----                ----               -------\n  Normal   Scheduled  10m                 default-scheduler  Successfully assigned shop/web-7d4b9c8f6-abcde to node-1\n  Warning  BackOff    2m (x25 over 7m)    kubelet            Back-off restarting failed container web in pod\n                                                             web-7d4b9c8f6-abcde_shop(1234)\n";

    #[test]
    fn a_pod_describe_reads_as_a_tree_with_events() {
        let lines = lines(POD);
        let d = parse(&lines);
        assert_eq!(d.kind(), "Pod");
        assert_eq!(d.value("Namespace"), Some("shop"));
        assert_eq!(
            d.top("Labels").unwrap().value,
            "app=web\npod-template-hash=7d4b9c8f6"
        );
        let reason = d
            .child(&["Containers", "web", "Last State"], "Reason")
            .unwrap();
        assert_eq!(reason.value, "OOMKilled");
        assert_eq!(
            &POD[reason.value_range.start..reason.value_range.end],
            "OOMKilled"
        );
        assert_eq!(
            d.child(&["Containers", "web", "Limits"], "memory")
                .unwrap()
                .value,
            "128Mi"
        );
        assert_eq!(
            d.child(&["Containers", "web"], "Image").unwrap().value,
            "registry.local/web:1.4.0"
        );
        assert_eq!(d.events.len(), 2);
        assert_eq!(d.events[1].reason, "BackOff");
        assert_eq!(d.events[1].count, 25);
        assert!(d.events[1]
            .message
            .ends_with("web-7d4b9c8f6-abcde_shop(1234)"));
        assert!(d.unread.is_empty(), "{:?}", d.unread);
    }

    #[test]
    fn a_truncated_describe_keeps_what_it_has() {
        let cut = &POD[..POD.find("    Ready:").unwrap() + 8];
        let d = parse(&lines(cut));
        assert_eq!(
            d.child(&["Containers", "web", "Last State"], "Reason")
                .unwrap()
                .value,
            "OOMKilled"
        );
        assert!(d.events.is_empty());
    }
}
