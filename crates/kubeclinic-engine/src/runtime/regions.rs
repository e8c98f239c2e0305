//! Telling apart what a paste holds: manifests, `kubectl describe` output, event tables, pod
//! tables and log lines, line by line, without being told.

use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// YAML or JSON objects (including `kubectl get -o yaml` output).
    Manifest,
    /// `kubectl describe <kind>` output, one object per region.
    Describe,
    /// `kubectl get events` table.
    Events,
    /// `kubectl get pods` table.
    PodTable,
    /// The output of `kubectl logs`: every line is the program's own.
    Logs,
    /// Pieces of kubectl output without their frame, log lines and prose: read line by line
    /// (see [`super::fragments`]).
    Fragment,
    /// A shell prompt or a kubectl command line.
    Command,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub kind: RegionKind,
    pub range: TextRange,
}

/// A line of the input with ANSI colour codes and the line ending removed for matching.
#[derive(Clone, Debug)]
pub struct Line<'a> {
    /// Byte range of the raw line (without its terminator) in the input.
    pub range: TextRange,
    pub raw: &'a str,
    /// The line as a person sees it: no colour codes, tabs kept. Borrowed unless colour
    /// codes had to go.
    pub clean: std::borrow::Cow<'a, str>,
}

impl Line<'_> {
    /// Byte range in the input of `needle` inside this line, or the whole line when colour
    /// codes make the raw bytes differ.
    pub fn find(&self, needle: &str) -> TextRange {
        match self.raw.find(needle) {
            Some(i) if !needle.is_empty() => {
                TextRange::new(self.range.start + i, self.range.start + i + needle.len())
            }
            _ => self.range,
        }
    }

    pub fn indent(&self) -> usize {
        self.clean.len() - self.clean.trim_start().len()
    }
}

pub fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let raw = raw_line.trim_end_matches(['\n', '\r']);
        out.push(Line {
            range: TextRange::new(offset, offset + raw.len()),
            raw,
            clean: strip_ansi(raw),
        });
        offset += raw_line.len();
    }
    out
}

pub fn strip_ansi(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// A shell prompt or a bare kubectl command: `$ kubectl describe pod x`, `root@host:~# k get ev`.
pub fn is_command(clean: &str) -> bool {
    let t = clean.trim_start();
    // Most lines are neither a bare `kubectl ...` nor hold a prompt's mark near their start:
    // say so without searching them (this runs for every line of every paste).
    let marked = t
        .bytes()
        .take(64)
        .any(|b| matches!(b, b'$' | b'#' | b'>' | b'%' | 0xE2));
    if !marked && !t.starts_with("kubectl") {
        return false;
    }
    let after_prompt = ["$ ", "# ", "> ", "% ", "❯ ", "PS> "]
        .iter()
        .find_map(|p| t.find(p).filter(|&i| i < 60).map(|i| &t[i + p.len()..]));
    let after_prompt = after_prompt.or_else(|| windows_prompt(t));
    let command = after_prompt.unwrap_or(t);
    let mut words = command.split_whitespace();
    let first = words.next().unwrap_or("");
    let tool = matches!(
        first,
        "kubectl" | "k" | "oc" | "helm" | "minikube" | "kind" | "docker" | "stern"
    );
    // Without a prompt, `kubectl says "0/1 nodes are available..."` is a sentence: a command
    // goes on with a subcommand or a flag.
    tool && (after_prompt.is_some()
        || first == "kubectl"
            && words
                .next()
                .is_none_or(|w| w.starts_with('-') || KUBECTL_COMMANDS.contains(&w)))
}

/// kubectl's subcommands, which follow `kubectl` in a command line.
const KUBECTL_COMMANDS: &[&str] = &[
    "get",
    "describe",
    "logs",
    "apply",
    "create",
    "delete",
    "edit",
    "patch",
    "replace",
    "run",
    "exec",
    "top",
    "rollout",
    "scale",
    "set",
    "label",
    "annotate",
    "explain",
    "events",
    "debug",
    "port-forward",
    "expose",
    "auth",
    "config",
    "cluster-info",
    "version",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "wait",
    "diff",
    "kustomize",
    "attach",
    "cp",
    "api-resources",
    "proxy",
];

/// What follows `C:\\Users\\me>` or `PS C:\\work>`: cmd.exe's and PowerShell's prompts.
fn windows_prompt(t: &str) -> Option<&str> {
    let path = t.strip_prefix("PS ").unwrap_or(t);
    let b = path.as_bytes();
    if b.len() < 4 || !b[0].is_ascii_alphabetic() || b[1] != b':' || b[2] != b'\\' {
        return None;
    }
    let end = path.find('>')?;
    Some(path[end + 1..].trim_start())
}

/// The region a command's output forms, when the command says so.
fn expected_after(command: &str) -> Option<RegionKind> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let has = |w: &str| words.contains(&w);
    if has("logs") || has("stern") {
        Some(RegionKind::Logs)
    } else {
        None
    }
}

fn is_describe_start(line: &str, next: Option<&str>) -> bool {
    let Some(rest) = line.strip_prefix("Name:") else {
        return false;
    };
    if rest.trim().is_empty() || !rest.starts_with([' ', '\t']) {
        return false;
    }
    next.is_some_and(|n| {
        [
            "Namespace:",
            "Labels:",
            "Roles:",
            "Annotations:",
            "CreationTimestamp:",
            "Priority:",
            "StorageClass:",
            "Selector:",
            "Type:",
        ]
        .iter()
        .any(|k| n.starts_with(k))
    })
}

pub fn is_events_header(clean: &str) -> bool {
    let t = clean.trim_start();
    (t.starts_with("LAST SEEN") || t.starts_with("NAMESPACE"))
        && t.contains("REASON")
        && t.contains("MESSAGE")
}

fn starts_manifest(clean: &str) -> bool {
    let t = clean.trim_start_matches('\u{feff}').trim_end();
    t.starts_with("apiVersion:")
        || t.starts_with("kind:")
        || t == "---"
        || t.starts_with("--- ")
        || t.starts_with("# Source:")
        || t == "{"
        || t == "["
        || [
            "{\"apiVersion\"",
            "{\"kind\"",
            "{\"items\"",
            "{\"metadata\"",
        ]
        .iter()
        .any(|p| t.starts_with(p))
        || t.starts_with("- apiVersion:")
}

/// Top-level keys of Kubernetes objects: a paste that starts with one of them (a manifest cut
/// above its `apiVersion`) is YAML. Any other `Key: value` at column 0 is not assumed to be.
const MANIFEST_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "data",
    "stringData",
    "binaryData",
    "status",
    "items",
    "immutable",
    "rules",
    "subjects",
    "roleRef",
    "webhooks",
    "provisioner",
    "parameters",
    "reclaimPolicy",
    "volumeBindingMode",
    "allowVolumeExpansion",
    "imagePullSecrets",
    "secrets",
];

fn is_manifest_key_line(clean: &str) -> bool {
    let clean = clean.trim_start_matches('\u{feff}');
    let Some((key, rest)) = clean.split_once(':') else {
        return false;
    };
    (rest.is_empty() || rest.starts_with(' ')) && MANIFEST_KEYS.contains(&key)
}

/// A line that cannot belong to a YAML manifest around it, though YAML could read it: an
/// event row (`  Warning  Failed  3s  kubelet  ...`) or, at column 0, a key with spaces
/// (`Restart Count: 3`) or a sentence ending in a colon (`the pod then fails with:`).
fn breaks_manifest(clean: &str) -> bool {
    let t = clean.trim_start();
    let event_row = (t.starts_with("Warning  ") || t.starts_with("Normal  "))
        && t.split_whitespace()
            .nth(1)
            .is_some_and(|r| r.chars().next().is_some_and(|c| c.is_ascii_uppercase()));
    if event_row {
        return true;
    }
    if clean.starts_with([' ', '\t', '-', '#', '{', '}', '[', ']', '"', '\'', '.']) {
        return false;
    }
    match clean.split_once(':') {
        Some((key, rest)) => {
            // Kubernetes objects' top-level keys are camelCase; `Events:` or `Name:` at
            // column 0 is a describe.
            key.contains(' ')
                || key.starts_with(|c: char| c.is_ascii_uppercase())
                || !(rest.is_empty() || rest.starts_with(' ') || key.starts_with("http"))
        }
        None => true,
    }
}

/// A line at column 0 that cannot continue a YAML document: a traceback, a timestamped log line.
fn looks_like_log(clean: &str) -> bool {
    let t = clean;
    if t.starts_with(' ')
        || t.starts_with('\t')
        || t.starts_with('#')
        || t.starts_with("- ")
        || t.starts_with("---")
        || t.starts_with("...")
        || t.is_empty()
    {
        return false;
    }
    let starts_with_digit = t.as_bytes().first().is_some_and(u8::is_ascii_digit);
    let klog = t.len() > 5
        && matches!(t.as_bytes()[0], b'I' | b'W' | b'E' | b'F')
        && t.as_bytes()[1..5].iter().all(u8::is_ascii_digit);
    starts_with_digit
        || klog
        || t.starts_with('[')
        || t.starts_with("Traceback")
        || t.starts_with("panic:")
        || t.starts_with("goroutine ")
        || t.starts_with("Exception")
        || t.starts_with("Error")
        || t.starts_with("error")
        || t.starts_with("exec ")
        || t.starts_with("node:")
        || t.contains("Error:")
        || t.contains("Exception:")
        || !(t.contains(": ")
            || t.ends_with(':')
            || t.starts_with('{')
            || t.starts_with('}')
            || t.starts_with(']'))
}

/// Splits `text` into regions. Manifests keep all their lines; everything the YAML reader
/// should not see goes to the runtime kinds. Blank and comment lines between regions join the
/// region that follows them (a comment usually introduces what comes next).
pub fn carve(text: &str) -> Vec<Region> {
    let lines = lines(text);
    let mut regions: Vec<Region> = Vec::new();
    let mut current: Option<RegionKind> = None;
    let mut pending: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let clean = line.clean.as_ref();
        let next = lines.get(i + 1).map(|l| l.clean.as_ref());
        let blank = clean.trim().is_empty();
        let comment =
            clean.starts_with('#') && !is_command(clean) && !clean.starts_with("# Source:");
        // An indented line inside a manifest is the manifest's (or an event row, which
        // `breaks_manifest` sees): no prompt to look for.
        let body = current == Some(RegionKind::Manifest) && clean.starts_with([' ', '\t']);
        // Most lines of a paste are indented manifest lines. Only an indented event row
        // (`Warning`, `Normal`) or table header (`LAST SEEN`, `NAME`, `NAMESPACE`) ends the
        // manifest: any other first letter needs none of the checks below.
        if body {
            let first = clean.bytes().find(|b| !matches!(b, b' ' | b'\t'));
            if let Some(last) = regions
                .last_mut()
                .filter(|last| last.kind == RegionKind::Manifest)
                .filter(|_| !matches!(first, Some(b'L' | b'N' | b'W')))
            {
                pending = None;
                last.range.end = line.range.end;
                continue;
            }
        }
        let starts = if !body && is_command(clean) {
            Some(RegionKind::Command)
        } else if is_describe_start(clean, next) {
            Some(RegionKind::Describe)
        } else if is_events_header(clean) {
            Some(RegionKind::Events)
        } else if super::pod_table::is_header(clean) {
            Some(RegionKind::PodTable)
        } else if starts_manifest(clean)
            && current != Some(RegionKind::Manifest)
            // A JSON array is a manifest only when objects follow (`jq` output).
            && (clean.trim() != "[" || next.is_some_and(|n| n.trim_start().starts_with('{')))
        {
            Some(RegionKind::Manifest)
        } else {
            None
        };
        let (kind, new) = match (starts, current) {
            (Some(kind), _) => (kind, true),
            (None, Some(RegionKind::Manifest))
                if blank || comment || (!looks_like_log(clean) && !breaks_manifest(clean)) =>
            {
                (RegionKind::Manifest, false)
            }
            (None, Some(RegionKind::Describe))
                if !comment
                    && (blank || clean.starts_with([' ', '\t']) || !looks_like_log(clean)) =>
            {
                (RegionKind::Describe, false)
            }
            (None, Some(RegionKind::Events | RegionKind::PodTable)) if !blank && !comment => {
                (current.unwrap_or(RegionKind::Fragment), false)
            }
            (None, _) if blank || comment => {
                pending.get_or_insert(line.range.start);
                continue;
            }
            (None, _) if is_manifest_key_line(clean) && current != Some(RegionKind::Logs) => {
                (RegionKind::Manifest, true)
            }
            // Bytes no log or manifest holds: let the YAML reader say where reading stops.
            (None, _)
                if clean
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\u{1b}')) =>
            {
                (RegionKind::Manifest, current != Some(RegionKind::Manifest))
            }
            (None, Some(RegionKind::Logs)) => (RegionKind::Logs, false),
            (None, Some(RegionKind::Fragment)) => (RegionKind::Fragment, false),
            (None, _) => (RegionKind::Fragment, true),
        };
        let start = pending.take().unwrap_or(line.range.start);
        match regions.last_mut() {
            Some(last) if !new && last.kind == kind => last.range.end = line.range.end,
            _ => regions.push(Region {
                kind,
                range: TextRange::new(start, line.range.end),
            }),
        }
        current = if kind == RegionKind::Command {
            // What the command prints comes next: `kubectl logs` prints log lines even when
            // they look like `key: value`.
            expected_after(clean)
        } else {
            Some(kind)
        };
    }
    if let Some(first) = regions.first_mut() {
        first.range.start = 0;
    }
    // Each region runs up to the next one, so no byte is left out.
    for i in 0..regions.len() {
        let end = regions
            .get(i + 1)
            .map_or(text.len(), |next| next.range.start);
        regions[i].range.end = end;
    }
    regions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(RegionKind, String)> {
        carve(text)
            .into_iter()
            .map(|r| {
                (
                    r.kind,
                    text[r.range.start..r.range.end]
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn a_mixed_paste_is_carved_into_its_parts() {
        let text = "$ kubectl describe pod web-1\nName:         web-1\nNamespace:    default\nContainers:\n  web:\n    Image:  nginx\nEvents:\n  Type     Reason   Age  From     Message\n  ----     ------   ---  ----     -------\n  Warning  BackOff  1m   kubelet  Back-off restarting failed container\n\n$ kubectl logs web-1 --previous\nTraceback (most recent call last):\n  File \"app.py\", line 3, in <module>\nConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n";
        let got: Vec<RegionKind> = kinds(text).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            got,
            vec![
                RegionKind::Command,
                RegionKind::Describe,
                RegionKind::Command,
                RegionKind::Logs,
                RegionKind::Manifest
            ]
        );
    }

    #[test]
    fn plain_manifests_stay_one_region() {
        let text = "# comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: |\n    Error: not a log line\n---\napiVersion: v1\nkind: Service\n";
        let got = kinds(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, RegionKind::Manifest);
    }

    #[test]
    fn an_indented_event_row_still_ends_a_manifest() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  Warning  BackOff  2m  kubelet  Back-off restarting failed container\n";
        let got: Vec<RegionKind> = kinds(text).into_iter().map(|(k, _)| k).collect();
        assert_eq!(got, vec![RegionKind::Manifest, RegionKind::Fragment]);
        let text =
            "$ kubectl get pod web -o yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n";
        let got: Vec<RegionKind> = kinds(text).into_iter().map(|(k, _)| k).collect();
        assert_eq!(got, vec![RegionKind::Command, RegionKind::Manifest]);
    }

    #[test]
    fn event_tables_and_colour_codes() {
        let text = "\u{1b}[1mLAST SEEN\u{1b}[0m   TYPE      REASON             OBJECT        MESSAGE\n2m          Warning   FailedScheduling   pod/web-1     0/3 nodes are available: 3 Insufficient cpu.\n";
        assert_eq!(kinds(text)[0].0, RegionKind::Events);
    }
}
