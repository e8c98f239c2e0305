//! Renderers shared by the CLI, the snapshot tests and the web app: code frames, the
//! versioned JSON, and unified diffs.

use serde::Serialize;

use crate::diagnostic::{Finding, ObjectRef};
use crate::model::SourceFile;
use crate::text::{LineIndex, PositionEncoding, TextRange};
use crate::Report;

/// Version of the JSON document; bumped only when a field changes meaning or disappears.
pub const JSON_VERSION: u32 = 1;

/// Line/column boundaries of a range at an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn locate(
    file: &SourceFile,
    index: &LineIndex,
    range: TextRange,
    encoding: PositionEncoding,
) -> Location {
    let start = index.position(range.start, &file.text, encoding);
    let end = index.position(range.end, &file.text, encoding);
    Location {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// Renders findings as rustc and Ruff do: a headline, a code frame with carets, the reason and
/// the way out.
/// A best-practice note: an info that is no reading problem (no probes, no requests). The
/// human output and the app list notes apart, after the problems.
pub fn is_note(f: &Finding) -> bool {
    f.severity == crate::Severity::Info
        && crate::rules::find(f.rule).is_some_and(|m| m.category != crate::rule::Category::Syntax)
}

pub fn render_human(files: &[SourceFile], report: &Report) -> String {
    render_human_with(files, report, false)
}

/// [`render_human`], listing the suppressed findings too (with what suppressed them) when
/// `show_suppressed`.
pub fn render_human_with(files: &[SourceFile], report: &Report, show_suppressed: bool) -> String {
    let indexes: Vec<LineIndex> = files.iter().map(|f| LineIndex::new(&f.text)).collect();
    let mut out = String::new();
    let (notes, problems): (Vec<&Finding>, Vec<&Finding>) = report
        .findings
        .iter()
        .partition(|f| is_note(f) && report.understood());
    for finding in problems {
        render_finding(&mut out, files, &indexes, finding);
        out.push('\n');
    }
    if !notes.is_empty() {
        // Best practice, one line each after the problems: they never hide one.
        out.push_str(&format!("Best-practice notes ({}):\n", notes.len()));
        for f in notes {
            let loc = locate(
                &files[f.file],
                &indexes[f.file],
                f.range,
                PositionEncoding::Utf8Chars,
            );
            out.push_str(&format!(
                "  note[{}] {}:{}:{}{}: {}\n",
                f.rule,
                files[f.file].path,
                loc.line,
                loc.column,
                from_template(f),
                f.message
            ));
        }
        out.push('\n');
    }
    if show_suppressed {
        for s in &report.suppressed {
            let f = &s.finding;
            let loc = locate(
                &files[f.file],
                &indexes[f.file],
                f.range,
                PositionEncoding::Utf8Chars,
            );
            out.push_str(&format!(
                "suppressed {}[{}]: {}\n  --> {}:{}:{}\n   = by {}\n\n",
                f.severity.as_str(),
                f.rule,
                f.message,
                files[f.file].path,
                loc.line,
                loc.column,
                s.by
            ));
        }
    }
    for (file, reading) in files.iter().zip(&report.reading) {
        if reading.has_runtime() {
            out.push_str(&format!("Read {}: {}.\n", file.path, reading.describe()));
        }
    }
    out.push_str(&summary(report));
    out
}

pub fn summary(report: &Report) -> String {
    use crate::Severity::*;
    if !report.understood() && report.worst() < Some(Warning) {
        return format!(
            "Nothing was diagnosed: no line was read as a manifest or as kubectl output ({}).\n",
            report
                .reading
                .iter()
                .map(|r| r.describe())
                .filter(|d| !d.is_empty())
                .collect::<Vec<_>>()
                .join("; ")
        )
        .replace(" ()", "");
    }
    let suppressed = match report.suppressed.len() {
        0 => String::new(),
        n => format!(" ({n} suppressed)"),
    };
    if report.findings.is_empty() {
        return format!(
            "No problems found in {}{suppressed}.\n",
            what_was_read(report)
        );
    }
    let fixable = report.findings.iter().filter(|f| f.fix.is_some()).count();
    format!(
        "Found {} error(s), {} warning(s), {} info in {}; {} with a suggested fix{suppressed}.\n",
        report.count(Error),
        report.count(Warning),
        report.count(Info),
        what_was_read(report),
        fixable
    )
}

/// `3 object(s)`, `6 pod(s) as the cluster showed them`, or both.
pub fn what_was_read(report: &Report) -> String {
    let objects = format!("{} object(s)", report.objects);
    let pods = format!("{} pod(s) as the cluster showed them", report.observed_pods);
    match (report.objects, report.observed_pods) {
        (_, 0) => objects,
        (0, _) => pods,
        _ => format!("{objects} and {pods}"),
    }
}

fn render_finding(
    out: &mut String,
    files: &[SourceFile],
    indexes: &[LineIndex],
    finding: &Finding,
) {
    let file = &files[finding.file];
    let index = &indexes[finding.file];
    let loc = locate(file, index, finding.range, PositionEncoding::Utf8Chars);
    out.push_str(&format!(
        "{}[{}]: {}\n",
        finding.severity.as_str(),
        finding.rule,
        finding.message
    ));
    let gutter = loc.end_line.to_string().len().max(2);
    let pad = " ".repeat(gutter);
    out.push_str(&format!(
        "{pad}--> {}:{}:{}{}\n",
        file.path,
        loc.line,
        loc.column,
        from_template(finding)
    ));
    // An object without a name is already said in the message ("a pod the paste does not
    // name") or pointed at.
    if let Some(object) = finding.object.as_ref().filter(|o| o.name.is_some()) {
        out.push_str(&format!(
            "{pad} = in {}{}\n",
            describe(object),
            container_note(finding)
        ));
    }
    out.push_str(&format!("{pad} |\n"));
    let first = loc.line - 1;
    let last = (loc.end_line - 1).min(first + 4);
    for line in first..=last {
        let range = index.line_range(line, &file.text);
        let content = &file.text[range.start..range.end];
        out.push_str(&format!(
            "{:>gutter$} | {}\n",
            line + 1,
            content.replace('\t', " ")
        ));
        let indent = content.len() - content.trim_start().len();
        let from = if line == first {
            finding.range.start.max(range.start)
        } else {
            range.start + indent
        };
        let to = if line == loc.end_line - 1 {
            finding.range.end.min(range.end)
        } else {
            range.end
        };
        let lead = file.text[range.start..from].chars().count();
        let width = file.text[from..to.max(from)].chars().count().max(1);
        out.push_str(&format!(
            "{pad} | {}{}\n",
            " ".repeat(lead),
            "^".repeat(width)
        ));
    }
    if loc.end_line - 1 > last {
        out.push_str(&format!("{pad} | ...\n"));
    }
    for related in &finding.related {
        let file = &files[related.file];
        let index = &indexes[related.file];
        let at = locate(file, index, related.range, PositionEncoding::Utf8Chars);
        let range = index.line_range(at.line - 1, &file.text);
        out.push_str(&format!(
            "{pad} ::: {}:{}:{}: {}\n{pad} |     {}\n",
            file.path,
            at.line,
            at.column,
            related.message,
            file.text[range.start..range.end].trim()
        ));
    }
    out.push_str(&format!("{pad} = why: {}\n", finding.why));
    if let Some(help) = &finding.help {
        out.push_str(&format!("{pad} = help: {help}\n"));
    }
    if let Some(fix) = &finding.fix {
        out.push_str(&format!(
            "{pad} = fix ({}): {}\n",
            fix.applicability.as_str(),
            fix.title
        ));
    }
}

fn describe(object: &ObjectRef) -> String {
    let mut out = object.to_string();
    if let Some(ns) = &object.namespace {
        out.push_str(&format!(" (namespace {ns})"));
    }
    out
}

/// ` (from chart/templates/x.yaml)` for a finding in `helm template` output.
fn from_template(finding: &Finding) -> String {
    finding
        .source
        .as_ref()
        .map(|s| format!(" (from {s})"))
        .unwrap_or_default()
}

fn container_note(finding: &Finding) -> String {
    finding
        .container
        .as_ref()
        .map(|c| format!(", container {c}"))
        .unwrap_or_default()
}

#[derive(Serialize)]
pub struct JsonReport {
    pub version: u32,
    pub findings: Vec<JsonFinding>,
    /// False when nothing in the inputs was read as a manifest or kubectl output.
    pub understood: bool,
    /// Per input, how many lines were read as what.
    pub inputs: Vec<JsonInput>,
    /// Findings an annotation or comment asked not to show, with what asked.
    pub suppressed: Vec<JsonSuppressed>,
}

#[derive(Serialize)]
pub struct JsonSuppressed {
    #[serde(flatten)]
    pub finding: JsonFinding,
    pub by: String,
}

#[derive(Serialize)]
pub struct JsonInput {
    pub path: String,
    pub lines: crate::runtime::Reading,
}

#[derive(Serialize)]
pub struct JsonFinding {
    pub rule: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub why: String,
    pub help: Option<String>,
    pub path: String,
    #[serde(flatten)]
    pub location: Location,
    pub object: Option<ObjectRef>,
    pub container: Option<String>,
    /// The Helm template the finding's document was rendered from, if any.
    pub source: Option<String>,
    pub fix: Option<JsonFix>,
    /// Secondary labels: other places that belong to the finding.
    pub related: Vec<JsonRelated>,
}

#[derive(Serialize)]
pub struct JsonRelated {
    pub path: String,
    #[serde(flatten)]
    pub location: Location,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonFix {
    pub title: String,
    pub applicability: &'static str,
    pub edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
pub struct JsonEdit {
    pub path: String,
    #[serde(flatten)]
    pub location: Location,
    pub content: String,
}

/// The stable JSON document (`version` 1) with 1-based lines and character columns.
pub fn to_json(files: &[SourceFile], report: &Report) -> JsonReport {
    let indexes: Vec<LineIndex> = files.iter().map(|f| LineIndex::new(&f.text)).collect();
    let at = |file: usize, range| {
        locate(
            &files[file],
            &indexes[file],
            range,
            PositionEncoding::Utf8Chars,
        )
    };
    let json_finding = |f: &Finding| JsonFinding {
        rule: f.rule,
        severity: f.severity.as_str(),
        message: f.message.clone(),
        why: f.why.clone(),
        help: f.help.clone(),
        path: files[f.file].path.clone(),
        location: at(f.file, f.range),
        object: f.object.clone(),
        container: f.container.clone(),
        source: f.source.clone(),
        fix: f.fix.as_ref().map(|fix| JsonFix {
            title: fix.title.clone(),
            applicability: fix.applicability.as_str(),
            edits: fix
                .edits
                .iter()
                .map(|e| JsonEdit {
                    path: files[e.file].path.clone(),
                    location: at(e.file, e.range),
                    content: e.content.clone(),
                })
                .collect(),
        }),
        related: f
            .related
            .iter()
            .map(|r| JsonRelated {
                path: files[r.file].path.clone(),
                location: at(r.file, r.range),
                message: r.message.clone(),
            })
            .collect(),
    };
    JsonReport {
        version: JSON_VERSION,
        understood: report.understood(),
        inputs: files
            .iter()
            .zip(&report.reading)
            .map(|(f, r)| JsonInput {
                path: f.path.clone(),
                lines: *r,
            })
            .collect(),
        findings: report.findings.iter().map(&json_finding).collect(),
        suppressed: report
            .suppressed
            .iter()
            .map(|s| JsonSuppressed {
                finding: json_finding(&s.finding),
                by: s.by.clone(),
            })
            .collect(),
    }
}

/// A unified diff of one input before and after fixing; empty when nothing changed.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
