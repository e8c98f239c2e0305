//! What JavaScript gets back: the engine's report, with every place both as lines and columns
//! and as offsets JavaScript can slice the input with (UTF-16 code units, as a JS string
//! counts them).

use kubeclinic_engine as engine;
use kubeclinic_engine::output::{locate, JSON_VERSION};
use kubeclinic_engine::{FileId, LineIndex, PositionEncoding, SourceFile, TextRange};
use serde::{Deserialize, Serialize};
use tsify::Tsify;

/// How loud a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl From<engine::Severity> for Severity {
    fn from(severity: engine::Severity) -> Self {
        match severity {
            engine::Severity::Info => Severity::Info,
            engine::Severity::Warning => Severity::Warning,
            engine::Severity::Error => Severity::Error,
        }
    }
}

impl From<Severity> for engine::Severity {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Info => engine::Severity::Info,
            Severity::Warning => engine::Severity::Warning,
            Severity::Error => engine::Severity::Error,
        }
    }
}

/// How far a fix can be trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps what runs: `fix` applies it.
    Safe,
    /// Changes runtime behaviour: `fix` applies it with `{unsafe: true}`.
    Unsafe,
    /// Holds a placeholder only the person can fill (`image: app:<pin-a-version>`): never
    /// applied.
    DisplayOnly,
}

impl From<engine::Applicability> for Applicability {
    fn from(applicability: engine::Applicability) -> Self {
        match applicability {
            engine::Applicability::Safe => Applicability::Safe,
            engine::Applicability::Unsafe => Applicability::Unsafe,
            engine::Applicability::DisplayOnly => Applicability::DisplayOnly,
        }
    }
}

/// A place in one input. Lines and columns are 1-based; columns and offsets count UTF-16
/// code units, so `text.slice(start, end)` is the range's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Range {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The Kubernetes object a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct ObjectRef {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The Helm template the object was rendered from (`# Source:` comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Replace `range` of input `file` with `content` (an empty range inserts, an empty content
/// deletes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Edit {
    pub file: String,
    pub range: Range,
    pub content: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// A secondary label: another place that belongs to the finding, possibly in another input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Related {
    pub file: String,
    pub range: Range,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    /// What is wrong, with the names from the input.
    pub message: String,
    /// Why it matters in the cluster.
    pub why: String,
    /// What to do, when no automatic fix is right or more than the fix's title says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The name of the input the finding is in.
    pub file: String,
    pub range: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// A finding an annotation or a comment in the inputs asked not to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct SuppressedFinding {
    pub finding: Finding,
    /// What silenced it: `annotation kubeclinic.io/ignore on Deployment web`, `comment on line 12`.
    pub by: String,
}

/// How many non-blank lines of one input were read as what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct InputReading {
    pub file: String,
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

/// The diagnosis of a set of inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct Report {
    /// The version of the report's shape, as `kubeclinic check --format json` has it.
    pub version: u32,
    /// False when no line was read as a manifest or kubectl output: no findings then means
    /// "not understood", never "no problems".
    pub understood: bool,
    /// Sorted by input, then position, then rule id.
    pub findings: Vec<Finding>,
    pub suppressed: Vec<SuppressedFinding>,
    /// Per input, in input order.
    pub inputs: Vec<InputReading>,
}

/// One input after fixing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct FixedFile {
    pub name: String,
    pub text: String,
    pub changed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct AppliedFix {
    pub rule: String,
    pub title: String,
}

/// What `fix` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct FixResult {
    /// The patched text, when the input was one text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Every input after fixing, in input order.
    pub files: Vec<FixedFile>,
    /// In the order they were applied.
    pub applied: Vec<AppliedFix>,
    /// What is still reported on the patched text.
    pub remaining: Report,
    /// False when fixing stopped at its cap on rounds before the text stopped changing.
    pub converged: bool,
}

/// Turns byte ranges of a set of inputs into [`Range`]s.
pub struct Locator<'a> {
    files: &'a [SourceFile],
    lines: Vec<Lines>,
}

struct Lines {
    index: LineIndex,
    /// The UTF-16 offset of each line's start.
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Self {
        let index = LineIndex::new(text);
        let mut starts = Vec::with_capacity(index.line_count());
        let mut units = 0;
        starts.push(0);
        for c in text.chars() {
            units += c.len_utf16();
            if c == '\n' {
                starts.push(units);
            }
        }
        Self { index, starts }
    }
}

impl<'a> Locator<'a> {
    pub fn new(files: &'a [SourceFile]) -> Self {
        Self {
            files,
            lines: files.iter().map(|f| Lines::new(&f.text)).collect(),
        }
    }

    fn name(&self, file: FileId) -> String {
        self.files[file].path.clone()
    }

    fn range(&self, file: FileId, range: TextRange) -> Range {
        let lines = &self.lines[file];
        let at = locate(
            &self.files[file],
            &lines.index,
            range,
            PositionEncoding::Utf16,
        );
        Range {
            start: lines.starts[at.line - 1] + at.column - 1,
            end: lines.starts[at.end_line - 1] + at.end_column - 1,
            line: at.line,
            column: at.column,
            end_line: at.end_line,
            end_column: at.end_column,
        }
    }

    pub fn finding(&self, f: &engine::Finding) -> Finding {
        Finding {
            rule: f.rule.to_string(),
            severity: f.severity.into(),
            message: f.message.clone(),
            why: f.why.clone(),
            help: f.help.clone(),
            file: self.name(f.file),
            range: self.range(f.file, f.range),
            object: f.object.as_ref().map(|o| ObjectRef {
                kind: o.kind.clone(),
                namespace: o.namespace.clone(),
                name: o.name.clone(),
                source: o.source.clone(),
            }),
            container: f.container.clone(),
            related: f
                .related
                .iter()
                .map(|r| Related {
                    file: self.name(r.file),
                    range: self.range(r.file, r.range),
                    message: r.message.clone(),
                })
                .collect(),
            fix: f.fix.as_ref().map(|fix| Fix {
                title: fix.title.clone(),
                applicability: fix.applicability.into(),
                edits: fix
                    .edits
                    .iter()
                    .map(|e| Edit {
                        file: self.name(e.file),
                        range: self.range(e.file, e.range),
                        content: e.content.clone(),
                    })
                    .collect(),
            }),
        }
    }

    pub fn report(&self, report: &engine::Report) -> Report {
        Report {
            version: JSON_VERSION,
            understood: report.understood(),
            findings: report.findings.iter().map(|f| self.finding(f)).collect(),
            suppressed: report
                .suppressed
                .iter()
                .map(|s| SuppressedFinding {
                    finding: self.finding(&s.finding),
                    by: s.by.clone(),
                })
                .collect(),
            inputs: self
                .files
                .iter()
                .zip(&report.reading)
                .map(|(file, reading)| {
                    let engine::runtime::Reading {
                        manifest,
                        describe,
                        events,
                        pod_table,
                        logs,
                        command,
                        prose,
                        unread,
                    } = *reading;
                    InputReading {
                        file: file.path.clone(),
                        manifest,
                        describe,
                        events,
                        pod_table,
                        logs,
                        command,
                        prose,
                        unread,
                    }
                })
                .collect(),
        }
    }
}

/// The outcome of fixing `before`, with the remaining findings placed in the patched text.
pub fn fix_result(
    before: &[SourceFile],
    outcome: &engine::FixOutcome,
    one_text: bool,
) -> FixResult {
    let files: Vec<FixedFile> = before
        .iter()
        .zip(&outcome.files)
        .map(|(old, new)| FixedFile {
            name: new.path.clone(),
            changed: old.text != new.text,
            text: new.text.clone(),
        })
        .collect();
    FixResult {
        text: one_text.then(|| files[0].text.clone()),
        applied: outcome
            .applied
            .iter()
            .map(|a| AppliedFix {
                rule: a.rule.to_string(),
                title: a.title.clone(),
            })
            .collect(),
        remaining: Locator::new(&outcome.files).report(&outcome.remaining),
        converged: outcome.converged,
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_count_utf16_units_so_javascript_can_slice() {
        let text = "a: 1\nb: \"😀 é\"\nc: 3\n";
        let files = [SourceFile::new("x.yaml", text)];
        let locator = Locator::new(&files);
        let start = text.find('é').unwrap();
        let range = locator.range(0, TextRange::new(start, text.find("\nc").unwrap()));
        assert_eq!((range.line, range.column), (2, 8));
        assert_eq!((range.end_line, range.end_column), (2, 10));
        let utf16: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(
            String::from_utf16(&utf16[range.start..range.end]).unwrap(),
            "é\""
        );
        let c = locator.range(0, TextRange::empty(text.find('c').unwrap()));
        assert_eq!((c.start, c.end, c.line, c.column), (15, 15, 3, 1));
    }

    #[test]
    fn the_report_names_inputs_and_places() {
        let files = [
            SourceFile::new(
                "pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n",
            ),
            SourceFile::new("notes.txt", "Our pods are broken, any idea?\n"),
        ];
        let report = Locator::new(&files).report(&engine::check(&files));
        assert_eq!(report.version, 1);
        assert!(report.understood);
        let latest = report
            .findings
            .iter()
            .find(|f| f.rule == "image-tag-latest")
            .expect("image-tag-latest");
        assert_eq!(latest.file, "pod.yaml");
        assert_eq!(latest.range.line, 8);
        assert_eq!(latest.severity, Severity::Warning);
        assert_eq!(latest.object.as_ref().map(|o| o.kind.as_str()), Some("Pod"));
        assert_eq!(report.inputs.len(), 2);
        assert_eq!(report.inputs[1].file, "notes.txt");
        assert!(report.inputs[1].prose > 0);
    }
}
