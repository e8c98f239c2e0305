//! `kubectl get pods` tables (plain, `-o wide`, `-A`), with or without their header. Each row
//! becomes a small describe of its pod, so the rules that read described pods read a row too:
//! `web-1  0/1  OOMKilled  3 (57s ago)  5m` is a pod whose container was OOM-killed.

use super::describe::{Describe, Field};
use super::events::columns;
use super::regions::Line;
use crate::text::TextRange;

/// One row of a pod table.
#[derive(Clone, Debug, PartialEq)]
pub struct PodRow {
    pub namespace: Option<(String, TextRange)>,
    pub name: (String, TextRange),
    /// `1/2`: ready and total containers.
    pub ready: (u32, u32),
    pub status: (String, TextRange),
    pub restarts: u32,
    pub node: Option<String>,
    pub line: TextRange,
}

/// Statuses `kubectl get pods` prints, besides `Init:...` forms.
const STATUSES: &[&str] = &[
    "Running",
    "Pending",
    "Succeeded",
    "Failed",
    "Unknown",
    "Completed",
    "Error",
    "CrashLoopBackOff",
    "OOMKilled",
    "ImagePullBackOff",
    "ErrImagePull",
    "ErrImageNeverPull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "ContainerCreating",
    "PodInitializing",
    "Evicted",
    "Terminating",
    "ContainerStatusUnknown",
    "StartError",
    "ContainerCannotRun",
    "NodeLost",
    "OutOfcpu",
    "OutOfmemory",
    "NodeAffinity",
    "Shutdown",
    "UnexpectedAdmissionError",
    "SchedulingGated",
];

pub fn is_status(status: &str) -> bool {
    STATUSES.contains(&status)
        || status
            .strip_prefix("Init:")
            .is_some_and(|s| STATUSES.contains(&s) || is_ready(s).is_some())
        || status.starts_with("Signal:")
        || status.starts_with("ExitCode:")
}

/// `1/2` -> (1, 2).
fn is_ready(cell: &str) -> Option<(u32, u32)> {
    let (a, b) = cell.split_once('/')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The table's header: `NAME READY STATUS RESTARTS AGE`, with `NAMESPACE` first under `-A`.
pub fn is_header(clean: &str) -> bool {
    let t = clean.trim_start();
    (t.starts_with("NAME ") || t.starts_with("NAMESPACE "))
        && t.contains("READY")
        && t.contains("STATUS")
}

/// Reads one row, with or without a header above it: the cell after the pod's name is
/// `ready/total`, the next one a pod status.
pub fn parse_row(line: &Line, text: &str) -> Option<PodRow> {
    let cols = columns(text.trim());
    let ready_at = (1..cols.len().min(3)).find(|&i| is_ready(cols[i]).is_some())?;
    let status = *cols.get(ready_at + 1)?;
    if !is_status(status) {
        return None;
    }
    let name = cols[ready_at - 1];
    if name.contains(' ') || name.is_empty() {
        return None;
    }
    let namespace = (ready_at == 2).then(|| cols[0]);
    let restarts = cols
        .get(ready_at + 2)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    // `-o wide`: IP then NODE after AGE.
    let node = cols
        .get(ready_at + 5)
        .filter(|n| **n != "<none>")
        .map(|n| n.to_string());
    let at = |cell: &str| line.find(cell);
    Some(PodRow {
        namespace: namespace.map(|n| (n.to_string(), at(n))),
        name: (name.to_string(), at(name)),
        ready: is_ready(cols[ready_at])?,
        status: (status.to_string(), find_after(line, status, name)),
        restarts,
        node,
        line: line.range,
    })
}

/// `needle`'s bytes in the line after `after` (a status can also occur inside a pod name).
fn find_after(line: &Line, needle: &str, after: &str) -> TextRange {
    let skip = line.raw.find(after).map_or(0, |i| i + after.len());
    match line.raw[skip..].find(needle) {
        Some(i) => TextRange::new(
            line.range.start + skip + i,
            line.range.start + skip + i + needle.len(),
        ),
        None => line.range,
    }
}

impl PodRow {
    /// True when the row shows nothing wrong: running and ready, or completed.
    pub fn is_fine(&self) -> bool {
        let status = self.status.0.as_str();
        (status == "Running" && self.ready.0 == self.ready.1)
            || status == "Completed"
            || status == "Succeeded"
    }

    /// The row as a describe of its pod: what the STATUS cell says about the pod and its one
    /// known (unnamed) container.
    pub fn describe(&self) -> Describe {
        let mut d = Describe {
            range: self.line,
            ..Describe::default()
        };
        let status_range = self.status.1;
        let mut push = |path: &[&str], key: &str, value: &str, range: TextRange| {
            d.fields.push(Field {
                path: path.iter().map(|s| s.to_string()).collect(),
                key: key.to_string(),
                value: value.to_string(),
                line: self.line,
                value_range: range,
                indent: path.len() * 2,
            });
        };
        push(&[], "Name", &self.name.0, self.name.1);
        if let Some((namespace, range)) = &self.namespace {
            push(&[], "Namespace", namespace, *range);
        }
        if let Some(node) = &self.node {
            push(&[], "Node", node, self.line);
        }
        let status = self.status.0.as_str();
        let (init, status) = match status.strip_prefix("Init:") {
            Some(rest) => (true, rest),
            None => (false, status),
        };
        let phase = match status {
            "Evicted"
            | "Failed"
            | "Error"
            | "OOMKilled"
            | "NodeAffinity"
            | "OutOfcpu"
            | "OutOfmemory"
            | "UnexpectedAdmissionError"
            | "Shutdown"
                if !init && self.ready.0 == 0 && status != "OOMKilled" && status != "Error" =>
            {
                "Failed"
            }
            "Pending" | "ContainerCreating" | "PodInitializing" | "SchedulingGated" => "Pending",
            "Completed" | "Succeeded" => "Succeeded",
            _ if init => "Pending",
            _ => "Running",
        };
        push(&[], "Status", phase, status_range);
        if matches!(
            status,
            "Evicted" | "NodeAffinity" | "OutOfcpu" | "OutOfmemory" | "UnexpectedAdmissionError"
        ) {
            push(&[], "Reason", status, status_range);
        }
        if matches!(
            status,
            "Pending" | "Evicted" | "SchedulingGated" | "Unknown"
        ) {
            return d;
        }
        let section = if init {
            "Init Containers"
        } else {
            "Containers"
        };
        push(&[], section, "", self.line);
        push(&[section], "", "", self.line);
        let c = [section, ""];
        let (state, reason, exit) = match status {
            "Running" => ("Running", None, None),
            "Completed" | "Succeeded" => ("Terminated", Some("Completed"), Some("0")),
            "OOMKilled" => ("Terminated", Some("OOMKilled"), Some("137")),
            "Error" | "Failed" | "ContainerCannotRun" | "StartError" => {
                ("Terminated", Some(status), None)
            }
            "Terminating" | "ContainerStatusUnknown" | "NodeLost" => ("Running", None, None),
            s if s.starts_with("Signal:") || s.starts_with("ExitCode:") => {
                ("Terminated", Some("Error"), s.strip_prefix("ExitCode:"))
            }
            s if is_ready(s).is_some() => ("Waiting", Some("PodInitializing"), None),
            other => ("Waiting", Some(other), None),
        };
        push(&c, "State", state, status_range);
        let s = [section, "", "State"];
        if let Some(reason) = reason {
            push(&s, "Reason", reason, status_range);
        }
        if let Some(code) = exit {
            push(&s, "Exit Code", code, status_range);
        }
        let ready = if self.ready.0 == self.ready.1 && state == "Running" {
            "True"
        } else {
            "False"
        };
        push(&c, "Ready", ready, status_range);
        push(
            &c,
            "Restart Count",
            &self.restarts.to_string(),
            status_range,
        );
        d
    }
}

#[cfg(test)]
mod tests {
    use super::super::regions::lines;
    use super::*;

    #[test]
    fn rows_are_read_with_or_without_namespace() {
        let text = "shop   api-5d8f7c9b4-x2k8q   0/1   CrashLoopBackOff   7 (57s ago)   12m\nweb-1   0/1     OOMKilled   3          5m     10.0.0.4   node-2   <none>   <none>\n";
        let all = lines(text);
        let a = parse_row(&all[0], &all[0].clean).unwrap();
        assert_eq!(a.namespace.as_ref().unwrap().0, "shop");
        assert_eq!(a.status.0, "CrashLoopBackOff");
        assert_eq!(a.restarts, 7);
        let b = parse_row(&all[1], &all[1].clean).unwrap();
        assert_eq!(b.name.0, "web-1");
        assert_eq!(b.node.as_deref(), Some("node-2"));
        assert_eq!(&text[b.status.1.start..b.status.1.end], "OOMKilled");
    }

    #[test]
    fn prose_is_not_a_row() {
        let text = "the pod shows 0/1 Running for a while\n";
        let all = lines(text);
        assert_eq!(parse_row(&all[0], &all[0].clean), None);
    }
}
