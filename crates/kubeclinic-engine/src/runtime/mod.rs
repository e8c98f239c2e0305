//! What the cluster said, read from pasted text: `kubectl describe`, `kubectl get events`,
//! `kubectl get pods` and log lines. Every fact keeps the bytes that prove it.

pub mod describe;
pub mod event_objects;
pub mod events;
pub mod fragments;
pub mod messages;
pub mod pod;
pub mod pod_table;
pub mod regions;

use describe::Describe;
use events::Event;
use regions::{lines, Line, Region, RegionKind};

use crate::text::TextRange;

#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub line: TextRange,
    pub text: String,
    /// The pod named by the `kubectl logs` command above the lines, if any.
    pub pod: Option<String>,
    /// The container named by `-c`/`--container`, if any.
    pub container: Option<String>,
}

/// One object's state as `describe` showed it, with the events that concern it.
#[derive(Clone, Debug)]
pub struct Observed {
    pub kind: &'static str,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub describe: Describe,
    /// Pieced together from a fragment (a pod table row, loose fields or event rows), not read
    /// from a whole `kubectl describe`.
    pub partial: bool,
}

impl Observed {
    /// The namespace the command above a fragment named, for a pod the fragment shows
    /// without one.
    fn set_namespace(&mut self, namespace: &str) {
        if self.namespace.is_some() {
            return;
        }
        self.namespace = Some(namespace.to_string());
        let at = self.describe.range;
        self.describe.fields.insert(
            0,
            describe::Field {
                path: Vec::new(),
                key: "Namespace".into(),
                value: namespace.to_string(),
                line: at,
                value_range: TextRange::empty(at.start),
                indent: 0,
            },
        );
    }
}

/// What a line of a paste was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Manifest,
    Describe,
    Events,
    PodTable,
    Logs,
    Command,
    /// The person's own sentences: read, and nothing in them for the rules.
    Prose,
}

/// How many non-blank lines of an input were read as what.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Reading {
    pub manifest: usize,
    pub describe: usize,
    pub events: usize,
    pub pod_table: usize,
    pub logs: usize,
    pub command: usize,
    pub prose: usize,
    /// Lines of kubectl output that could not be read (cut, columns lost).
    pub unread: usize,
}

impl Reading {
    fn add(&mut self, kind: LineKind) {
        match kind {
            LineKind::Manifest => self.manifest += 1,
            LineKind::Describe => self.describe += 1,
            LineKind::Events => self.events += 1,
            LineKind::PodTable => self.pod_table += 1,
            LineKind::Logs => self.logs += 1,
            LineKind::Command => self.command += 1,
            LineKind::Prose => self.prose += 1,
        }
    }

    /// Lines that told the diagnosis something: everything but commands, prose and unread.
    pub fn understood(&self) -> usize {
        self.manifest + self.describe + self.events + self.pod_table + self.logs
    }

    pub fn total(&self) -> usize {
        self.understood() + self.command + self.prose + self.unread
    }

    /// `12 manifest lines, 4 event lines, 2 lines of prose` for the lines that were read.
    pub fn describe(&self) -> String {
        let parts = [
            (self.manifest, "manifest"),
            (self.describe, "describe"),
            (self.events, "event"),
            (self.pod_table, "pod table"),
            (self.logs, "log"),
            (self.command, "command"),
            (self.prose, "prose"),
            (self.unread, "unreadable"),
        ];
        parts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what} line{}", if *n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// True when some lines were not manifests: worth saying how the paste was read.
    pub fn has_runtime(&self) -> bool {
        self.total() > self.manifest
    }
}

/// Everything read from one input's runtime regions.
#[derive(Clone, Debug, Default)]
pub struct Runtime {
    pub regions: Vec<Region>,
    pub observed: Vec<Observed>,
    /// Events from `kubectl get events` tables.
    pub events: Vec<Event>,
    pub logs: Vec<LogLine>,
    /// What could not be read, and why.
    pub unread: Vec<(TextRange, String)>,
    /// Lines read as the person's own words, with nothing for the rules.
    pub prose: Vec<TextRange>,
    /// How many lines were read as what.
    pub reading: Reading,
}

impl Runtime {
    pub fn manifest_ranges(&self) -> impl Iterator<Item = TextRange> + '_ {
        self.regions
            .iter()
            .filter(|r| r.kind == RegionKind::Manifest)
            .map(|r| r.range)
    }

    pub fn is_empty(&self) -> bool {
        self.observed.is_empty() && self.events.is_empty() && self.logs.is_empty()
    }

    /// Pods that only `kubectl get events` rows (or Event objects) name become pods of their
    /// own, holding their events, so the rules that read a pod's events read them too.
    pub fn group_pod_events(&mut self) {
        let mut by_pod: Vec<(PodKey, Vec<Event>)> = Vec::new();
        let mut rest = Vec::new();
        for event in std::mem::take(&mut self.events) {
            let pod = event
                .object
                .as_deref()
                .and_then(|o| o.strip_prefix("pod/").or_else(|| o.strip_prefix("Pod/")))
                .map(String::from);
            match pod {
                Some(name)
                    if !self
                        .observed
                        .iter()
                        .any(|o| o.name.as_deref() == Some(name.as_str())) =>
                {
                    let key = (name, event.namespace.clone());
                    match by_pod.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, events)) => events.push(event),
                        None => by_pod.push((key, vec![event])),
                    }
                }
                _ => rest.push(event),
            }
        }
        self.events = rest;
        for ((name, namespace), events) in by_pod {
            self.observed.push(fragments::pod_of_events(
                &name,
                namespace.as_deref(),
                events,
            ));
        }
    }
}

/// Reads the runtime parts of `text`. Manifest regions are left to the YAML reader.
pub fn read(text: &str) -> Runtime {
    let regions = regions::carve(text);
    let all = lines(text);
    let mut out = Runtime::default();
    let mut logs_context: (Option<String>, Option<String>) = (None, None);
    // The namespace `-n` gave the last command: its output's rows do not print it.
    let mut command_namespace: Option<String> = None;
    for region in &regions {
        // Lines are in text order: the region's are one run of them.
        let from = all.partition_point(|l| l.range.start < region.range.start);
        let region_lines: Vec<Line> = all[from..]
            .iter()
            .take_while(|l| l.range.start <= region.range.end)
            .filter(|l| {
                l.range.end <= region.range.end
                    && !(l.range.is_empty() && l.range.start == region.range.end)
            })
            .cloned()
            .collect();
        let non_blank = region_lines
            .iter()
            .filter(|l| !l.clean.trim().is_empty())
            .count();
        let mut count_all = |kind| {
            for _ in 0..non_blank {
                out.reading.add(kind);
            }
        };
        match region.kind {
            RegionKind::Manifest => count_all(LineKind::Manifest),
            RegionKind::Fragment | RegionKind::PodTable => {
                let mut fragment = fragments::read(&region_lines);
                if let Some(namespace) = &command_namespace {
                    for o in fragment.observed.iter_mut() {
                        o.set_namespace(namespace);
                    }
                    for e in fragment.events.iter_mut() {
                        e.namespace.get_or_insert_with(|| namespace.clone());
                    }
                }
                for (range, kind) in &fragment.kinds {
                    out.reading.add(*kind);
                    if *kind == LineKind::Prose {
                        out.prose.push(*range);
                    }
                }
                out.observed.extend(fragment.observed);
                out.events.extend(fragment.events);
                out.logs.extend(fragment.logs);
            }
            RegionKind::Command => {
                count_all(LineKind::Command);
                let command = region_lines.iter().find(|l| regions::is_command(&l.clean));
                logs_context = command.map(|l| logs_target(&l.clean)).unwrap_or_default();
                command_namespace = command.and_then(|l| namespace_of(&l.clean));
            }
            RegionKind::Describe => {
                count_all(LineKind::Describe);
                let describe = describe::parse(&region_lines);
                out.unread.extend(describe.unread.iter().cloned());
                out.observed.push(Observed {
                    kind: describe.kind(),
                    name: describe.value("Name").map(String::from),
                    namespace: describe.value("Namespace").map(String::from),
                    describe,
                    partial: false,
                });
            }
            RegionKind::Events => {
                count_all(LineKind::Events);
                let (mut events, unread) = events::parse_table(&region_lines);
                if let Some(namespace) = &command_namespace {
                    for e in events.iter_mut() {
                        e.namespace.get_or_insert_with(|| namespace.clone());
                    }
                }
                out.events.extend(events);
                out.unread.extend(unread);
            }
            RegionKind::Logs => {
                count_all(LineKind::Logs);
                out.logs.extend(
                    region_lines
                        .iter()
                        .filter(|l| !l.clean.trim().is_empty())
                        .map(|l| LogLine {
                            line: l.range,
                            text: l.clean.to_string(),
                            pod: logs_context.0.clone(),
                            container: logs_context.1.clone(),
                        }),
                );
            }
        }
    }
    // A pod shown whole by a describe is not shown again by its row in a pod table; the
    // events a fragment of it holds (a describe cut in two by the paste) join the whole one.
    let mut shown_whole = vec![false; out.observed.len()];
    for (i, flag) in shown_whole.iter_mut().enumerate() {
        let part = &out.observed[i];
        if !part.partial || part.name.is_none() {
            continue;
        }
        let Some(whole) = out
            .observed
            .iter()
            .position(|o| !o.partial && o.kind == part.kind && o.name == part.name)
        else {
            continue;
        };
        *flag = true;
        let events = part.describe.events.clone();
        let into = &mut out.observed[whole].describe.events;
        for event in events {
            if !into.iter().any(|e| e.line == event.line) {
                into.push(event);
            }
        }
    }
    let mut flags = shown_whole.into_iter();
    out.observed.retain(|_| !flags.next().unwrap_or(false));
    out.group_pod_events();
    out.reading.unread = out.unread.len();
    out.reading.describe = out.reading.describe.saturating_sub(
        out.unread
            .iter()
            .filter(|(r, _)| in_kind(&regions, *r, RegionKind::Describe))
            .count(),
    );
    out.reading.events = out.reading.events.saturating_sub(
        out.unread
            .iter()
            .filter(|(r, _)| in_kind(&regions, *r, RegionKind::Events))
            .count(),
    );
    out.regions = regions;
    out
}

/// A pod's name and namespace, as an event row names it.
type PodKey = (String, Option<String>);

fn in_kind(regions: &[Region], range: TextRange, kind: RegionKind) -> bool {
    regions
        .iter()
        .any(|r| r.kind == kind && r.range.contains_range(range))
}

/// The pod a `kubectl get pod web-1 -n shop -o yaml` command asks for: (`web-1`, `shop`).
pub fn get_pod_target(command: &str) -> Option<(&str, Option<&str>)> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "get")?;
    let mut pod = None;
    let mut namespace = None;
    let mut kind_seen = false;
    let mut i = at + 1;
    while i < words.len() {
        let w = words[i];
        if w == "|" || w == ">" {
            break;
        }
        if w == "-n" || w == "--namespace" {
            namespace = words.get(i + 1).copied();
            i += 2;
            continue;
        }
        if let Some(ns) = w.strip_prefix("--namespace=") {
            namespace = Some(ns);
        } else if w == "-o" || w == "--output" {
            i += 2;
            continue;
        } else if !w.starts_with('-') {
            match w.split_once('/') {
                Some(("pod" | "pods" | "po", name)) => pod = Some(name),
                Some(_) => return None,
                None if !kind_seen => {
                    if !matches!(w, "pod" | "pods" | "po") {
                        return None;
                    }
                    kind_seen = true;
                }
                None if pod.is_none() => pod = Some(w),
                None => {}
            }
        }
        i += 1;
    }
    Some((pod?, namespace))
}

/// `kubectl get pods -n shop` -> `shop`: the namespace a kubectl command asks about, when it
/// names one (`-A` asks about all of them).
fn namespace_of(command: &str) -> Option<String> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w == "|" {
            break;
        }
        if w == "-n" || w == "--namespace" {
            return words.get(i + 1).map(|n| n.to_string());
        }
        if let Some(n) = w
            .strip_prefix("--namespace=")
            .or_else(|| w.strip_prefix("-n="))
        {
            return Some(n.to_string());
        }
        i += 1;
    }
    None
}

/// `kubectl logs web-1 -c app --previous` -> (`web-1`, `app`).
fn logs_target(command: &str) -> (Option<String>, Option<String>) {
    let words: Vec<&str> = command.split_whitespace().collect();
    let Some(at) = words.iter().position(|w| *w == "logs") else {
        return (None, None);
    };
    let mut pod = None;
    let mut container = None;
    let mut i = at + 1;
    while i < words.len() {
        let w = words[i];
        if w == "-c" || w == "--container" {
            container = words.get(i + 1).map(|s| s.to_string());
            i += 2;
            continue;
        }
        if let Some(c) = w.strip_prefix("--container=") {
            container = Some(c.to_string());
        } else if w == "-n" || w == "--namespace" || w == "--tail" || w == "--since" {
            i += 2;
            continue;
        } else if !w.starts_with('-') && pod.is_none() {
            pod = Some(w.split_once('/').map_or(w, |(_, n)| n).to_string());
        }
        i += 1;
    }
    (pod, container)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_pod_commands_name_the_pod() {
        assert_eq!(
            get_pod_target("PS C:\\> kubectl get pod api-7f -n shop -o yaml"),
            Some(("api-7f", Some("shop")))
        );
        assert_eq!(
            get_pod_target("$ kubectl get pods/api-7f -o json | jq .status"),
            Some(("api-7f", None))
        );
        assert_eq!(get_pod_target("$ kubectl get deploy api -o yaml"), None);
        assert_eq!(get_pod_target("$ kubectl get pods"), None);
    }

    #[test]
    fn logs_commands_name_pod_and_container() {
        assert_eq!(
            logs_target("$ kubectl logs -n shop pod/web-1 -c app --previous"),
            (Some("web-1".into()), Some("app".into()))
        );
    }

    #[test]
    fn a_describe_and_its_logs_are_read() {
        let text = "$ kubectl describe pod web-1\nName:         web-1\nNamespace:    shop\nContainers:\n  web:\n    Image:  nginx\n    State:  Running\nNode:  n1\nEvents:  <none>\n$ kubectl logs web-1 -c web\nConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)\n";
        let runtime = read(text);
        assert_eq!(runtime.observed.len(), 1);
        assert_eq!(runtime.observed[0].kind, "Pod");
        assert_eq!(runtime.observed[0].name.as_deref(), Some("web-1"));
        assert_eq!(runtime.logs.len(), 1);
        assert_eq!(runtime.logs[0].container.as_deref(), Some("web"));
        assert!(runtime.manifest_ranges().next().is_none());
    }
}
