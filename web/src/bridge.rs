//! The only door to the engine. Turns a report and a fix outcome into plain view models that
//! the components render: lines and columns counted the way a browser text area counts them
//! (UTF-16), diffs split into coloured lines, rule docs split into blocks.
//!
//! Pure: no browser APIs here, so everything is tested natively with `cargo test`.

use kubeclinic_engine::output::{locate, unified_diff, Location};
use kubeclinic_engine::rule::{FixAvailability, Reads};
use kubeclinic_engine::rules::REGISTRY;
use kubeclinic_engine::{
    Applicability, Checker, Finding, LineIndex, ObjectRef, PositionEncoding, Report, SourceFile,
};

/// The incident the app opens with: a NetworkPolicy that selects nothing, a localhost address
/// and a tag placeholder.
pub const EXAMPLE: &str = include_str!("../../tests/fixtures/examples/petrosa-extractor.yaml");
pub const EXAMPLE_NAME: &str = "petrosa-extractor.yaml";

/// What the cluster said about a crash-looping pod and a failed pull (`kubectl describe`,
/// `kubectl logs`), pasted with the manifests: each symptom is tied to the line that causes it.
pub const RUNTIME_EXAMPLE: &str = include_str!("../../tests/fixtures/examples/bot-crashloop.txt");
pub const RUNTIME_EXAMPLE_NAME: &str = "bot-crashloop.txt";

/// The name the person's text goes by in diffs and downloads.
pub const INPUT_NAME: &str = "manifest.yaml";

/// The name of the cluster-output pane's text in findings.
pub const CLUSTER_NAME: &str = "cluster output";

/// Where a finding's place is: the manifests (the one box, when the person pastes everything
/// there) or the separate pane for what the cluster said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Manifests,
    Cluster,
}

impl Pane {
    /// The `data-pane` value and the id suffix of each pane's editor.
    pub fn as_str(self) -> &'static str {
        match self {
            Pane::Manifests => "manifests",
            Pane::Cluster => "cluster",
        }
    }
}

/// The inputs of one check: the manifests and, when the pane holds text, the cluster output.
/// Only the first is ever patched.
pub fn source_files(text: &str, cluster: &str) -> Vec<SourceFile> {
    let mut files = vec![SourceFile::new(INPUT_NAME, text)];
    if !cluster.trim().is_empty() {
        files.push(SourceFile::new(CLUSTER_NAME, cluster));
    }
    files
}

/// A selection in the text area, in UTF-16 code units (what `setSelectionRange` takes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixView {
    pub title: String,
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: &'static str,
    /// The fix's edits of this text: (byte start, byte end, new text). Applied on request by
    /// [`apply_one`], so a large paste does not copy its text once per fix.
    pub edits: std::rc::Rc<[(usize, usize, String)]>,
}

/// `text` (the analysed text) with only this fix applied; `None` for a display-only fix, which
/// needs a value only the person knows, or when the text is no longer the analysed one.
pub fn apply_one(text: &str, fix: &FixView) -> Option<String> {
    if fix.applicability == "display-only" {
        return None;
    }
    let edits: Vec<kubeclinic_engine::Edit> = fix
        .edits
        .iter()
        .map(|(start, end, content)| {
            kubeclinic_engine::Edit::replace(
                0,
                kubeclinic_engine::TextRange::new(*start, *end),
                content.clone(),
            )
        })
        .collect();
    let fits = edits.iter().all(|e| {
        e.range.end <= text.len()
            && text.is_char_boundary(e.range.start)
            && text.is_char_boundary(e.range.end)
    });
    fits.then(|| kubeclinic_engine::fix::apply_edits(text, edits.iter()))
}

/// What a fix's applicability means to the person, in words.
pub fn safety_words(applicability: &str) -> &'static str {
    match applicability {
        "safe" => "safe",
        "unsafe" => "changes behaviour",
        _ => "needs your value",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingView {
    /// Position in the report; stable for one analysed text.
    pub id: usize,
    pub rule: &'static str,
    /// The pane `line`, `column` and `selection` are in.
    pub pane: Pane,
    /// The rule's category (`networking`), for filters.
    pub category: &'static str,
    /// `error`, `warning` or `info`.
    pub severity: &'static str,
    /// 1-based line and column (columns in UTF-16 code units).
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub selection: Selection,
    pub message: String,
    pub why: String,
    pub help: Option<String>,
    /// `CronJob extractor (namespace apps)`.
    pub object: Option<String>,
    pub container: Option<String>,
    pub fix: Option<FixView>,
    /// Other places that belong to the finding, in its pane.
    pub related: Vec<RelatedView>,
    /// A best-practice note (an info that is no reading problem): listed apart, after the
    /// problems, so that it never hides them nor reads as one.
    pub note: bool,
}

/// A secondary label: `line 14: the image of container api in Deployment api`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedView {
    pub line: usize,
    pub message: String,
}

/// What checking one text found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnosis {
    pub findings: Vec<FindingView>,
    pub objects: usize,
    /// `3 object(s)`, `6 pod(s) as the cluster showed them`: what was checked.
    pub checked: String,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
    /// How the lines were read (`12 manifest lines, 4 event lines`), when not all manifests.
    pub reading: Option<String>,
    /// False when no line was read as a manifest or kubectl output.
    pub understood: bool,
    /// Findings an annotation or a `# kubeclinic: ignore[...]` comment silenced.
    pub suppressed: usize,
}

impl Diagnosis {
    /// The findings as the editor's lint marks, a JSON array of
    /// `[from, to, severity, message]` (UTF-16 positions) in text order; the editor's gutter
    /// shows each line's worst. Best-practice notes are left out: they are no reading problem
    /// to point at in the text.
    pub fn editor_marks(&self, pane: Pane) -> String {
        let mut marks: Vec<&FindingView> = self
            .findings
            .iter()
            .filter(|f| !f.note && f.pane == pane)
            .collect();
        marks.sort_by_key(|f| (f.selection.start, f.selection.end));
        let marks: Vec<serde_json::Value> = marks
            .into_iter()
            .map(|f| {
                serde_json::json!([
                    f.selection.start,
                    f.selection.end,
                    f.severity,
                    format!("{} ({})", f.message, f.rule)
                ])
            })
            .collect();
        serde_json::Value::Array(marks).to_string()
    }
}

/// Checks the person's text with the default settings.
#[cfg(test)]
pub fn diagnose(text: &str) -> Diagnosis {
    diagnose_with(kubeclinic_engine::settings::default_checker(), text, "")
}

/// Checks the person's text, and the cluster output of its own pane, with their settings.
pub fn diagnose_with(checker: &Checker, text: &str, cluster: &str) -> Diagnosis {
    let files = source_files(text, cluster);
    let report = checker.check(&files);
    diagnosis_of(&files, &report)
}

/// The checker for the person's settings, or why they are invalid (the default checker is
/// used meanwhile).
pub fn checker_for(settings: &kubeclinic_engine::Settings) -> Result<Checker, String> {
    Checker::new(settings.clone())
        .map(crate::cel::with_module)
        .map_err(|e| e.to_string())
}

fn diagnosis_of(files: &[SourceFile], report: &Report) -> Diagnosis {
    let places: Vec<(LineIndex, Utf16Lines)> = files
        .iter()
        .map(|file| {
            let index = LineIndex::new(&file.text);
            let lines = Utf16Lines::new(&file.text, &index);
            (index, lines)
        })
        .collect();
    let findings: Vec<FindingView> = report
        .findings
        .iter()
        .enumerate()
        .map(|(id, f)| {
            let at = f.file.min(files.len() - 1);
            finding_view(id, &files[at], &places[at].0, &places[at].1, f)
        })
        .collect();
    let count = |s: &str| findings.iter().filter(|f| f.severity == s).count();
    Diagnosis {
        objects: report.objects,
        checked: kubeclinic_engine::output::what_was_read(report),
        errors: count("error"),
        warnings: count("warning"),
        infos: count("info"),
        fixable: findings.iter().filter(|f| f.fix.is_some()).count(),
        reading: report
            .reading
            .first()
            .filter(|r| r.has_runtime())
            .map(|r| r.describe()),
        understood: report.understood(),
        suppressed: report.suppressed.len(),
        findings,
    }
}

fn finding_view(
    id: usize,
    file: &SourceFile,
    index: &LineIndex,
    lines: &Utf16Lines,
    f: &Finding,
) -> FindingView {
    let at = locate(file, index, f.range, PositionEncoding::Utf16);
    FindingView {
        id,
        rule: f.rule,
        pane: if f.file == 0 {
            Pane::Manifests
        } else {
            Pane::Cluster
        },
        category: kubeclinic_engine::rules::find(f.rule)
            .map(|r| r.category.as_str())
            .unwrap_or("syntax"),
        severity: f.severity.as_str(),
        line: at.line,
        column: at.column,
        end_line: at.end_line,
        end_column: at.end_column,
        selection: lines.selection(&at),
        message: f.message.clone(),
        why: f.why.clone(),
        help: f.help.clone(),
        object: f.object.as_ref().map(describe),
        container: f.container.clone(),
        fix: f.fix.as_ref().map(|fix| FixView {
            title: fix.title.clone(),
            applicability: fix.applicability.as_str(),
            // Only the manifests are patched, whichever pane the finding is in.
            edits: fix
                .edits
                .iter()
                .filter(|e| e.file == 0)
                .map(|e| (e.range.start, e.range.end, e.content.clone()))
                .collect(),
        }),
        related: f
            .related
            .iter()
            .filter(|r| r.file == f.file)
            .map(|r| RelatedView {
                line: index.line_of(r.range.start) + 1,
                message: r.message.clone(),
            })
            .collect(),
        note: kubeclinic_engine::output::is_note(f),
    }
}

fn describe(object: &ObjectRef) -> String {
    match &object.namespace {
        Some(ns) => format!("{object} (namespace {ns})"),
        None => object.to_string(),
    }
}

/// The UTF-16 offset at which each line starts, so a line and UTF-16 column become an offset
/// in the text area without rescanning the text for every finding (or graph node).
pub(crate) struct Utf16Lines(Vec<usize>);

impl Utf16Lines {
    pub(crate) fn new(text: &str, index: &LineIndex) -> Self {
        let count = index.line_count();
        let mut starts = Vec::with_capacity(count);
        let mut at = 0;
        for line in 0..count {
            starts.push(at);
            let end = if line + 1 < count {
                index.line_start(line + 1)
            } else {
                text.len()
            };
            at += text[index.line_start(line)..end].encode_utf16().count();
        }
        Self(starts)
    }

    /// `line` and `column` are 1-based, the column in UTF-16 code units.
    fn offset(&self, line: usize, column: usize) -> u32 {
        let start = self.0.get(line.saturating_sub(1)).copied().unwrap_or(0);
        u32::try_from(start + column.saturating_sub(1)).unwrap_or(u32::MAX)
    }

    pub(crate) fn selection(&self, at: &Location) -> Selection {
        let start = self.offset(at.line, at.column);
        Selection {
            start,
            end: self.offset(at.end_line, at.end_column).max(start),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffKind {
    Header,
    Hunk,
    Added,
    Removed,
    Context,
}

impl DiffKind {
    pub fn class(self) -> &'static str {
        match self {
            DiffKind::Header => "diff-header",
            DiffKind::Hunk => "diff-hunk",
            DiffKind::Added => "diff-add",
            DiffKind::Removed => "diff-del",
            DiffKind::Context => "diff-ctx",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// Splits a unified diff into lines tagged for colouring.
pub fn diff_lines(diff: &str) -> Vec<DiffLine> {
    diff.lines()
        .map(|line| {
            let kind = if line.starts_with("+++") || line.starts_with("---") {
                DiffKind::Header
            } else if line.starts_with("@@") {
                DiffKind::Hunk
            } else if line.starts_with('+') {
                DiffKind::Added
            } else if line.starts_with('-') {
                DiffKind::Removed
            } else {
                DiffKind::Context
            };
            DiffLine {
                kind,
                text: line.to_string(),
            }
        })
        .collect()
}

/// One row of a side-by-side diff: the old line on the left, the new on the right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitRow {
    /// `diff-hunk`, `diff-ctx` or `diff-change`.
    pub class: &'static str,
    pub left: Option<String>,
    pub right: Option<String>,
}

/// Lays a unified diff out side by side: a run of removed lines faces the added lines that
/// follow it, row by row; the file headers are left out.
pub fn split_rows(diff: &[DiffLine]) -> Vec<SplitRow> {
    let mut rows = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    let flush = |rows: &mut Vec<SplitRow>, removed: &mut Vec<String>, added: &mut Vec<String>| {
        let n = removed.len().max(added.len());
        let mut left = removed.drain(..);
        let mut right = added.drain(..);
        for _ in 0..n {
            rows.push(SplitRow {
                class: "diff-change",
                left: left.next(),
                right: right.next(),
            });
        }
    };
    for line in diff {
        let body = line.text.get(1..).unwrap_or_default().to_string();
        match line.kind {
            DiffKind::Header => {}
            DiffKind::Removed => {
                if !added.is_empty() {
                    flush(&mut rows, &mut removed, &mut added);
                }
                removed.push(body);
            }
            DiffKind::Added => added.push(body),
            DiffKind::Hunk | DiffKind::Context => {
                flush(&mut rows, &mut removed, &mut added);
                let hunk = line.kind == DiffKind::Hunk;
                let text = if hunk { line.text.clone() } else { body };
                rows.push(SplitRow {
                    class: if hunk { "diff-hunk" } else { "diff-ctx" },
                    left: Some(text.clone()),
                    right: Some(text),
                });
            }
        }
    }
    flush(&mut rows, &mut removed, &mut added);
    rows
}

/// The name the settings are exported under: the CLI's configuration file, without the
/// leading dot, which browsers drop from downloads (the CLI reads either name).
pub const CONFIG_FILE: &str = "kubeclinic.yaml";

/// The settings as the CLI's configuration file.
pub fn settings_to_config(settings: &kubeclinic_engine::Settings) -> String {
    format!(
        "# Kubeclinic settings: put this file at the top of your manifests' folder.\n{}",
        kubeclinic_engine::config::to_yaml(settings)
    )
}

/// Settings from a configuration file's text; its `overrides` and `exclude` are for paths,
/// which a page has not, so they are left out and said so.
pub fn settings_from_config(
    text: &str,
    name: &str,
) -> Result<(kubeclinic_engine::Settings, Option<String>), String> {
    let config = kubeclinic_engine::config::Config::parse(text).map_err(|e| e.display_in(name))?;
    let unused = (!config.overrides.is_empty() || !config.exclude.is_empty()).then(|| {
        format!(
            "{name}: its overrides and exclude are for paths, which the page does not have; the rest is used."
        )
    });
    Ok((config.settings_for(|_| false), unused))
}

/// The files of a text that several dropped or picked files made (each under a
/// `# file: <name>` line, joined by `---`), as (name, text); `None` for a single input.
pub fn split_files(text: &str) -> Option<Vec<(String, String)>> {
    const MARK: &str = "# file: ";
    let mut files: Vec<(String, String)> = Vec::new();
    let mut lines = text.split_inclusive('\n').peekable();
    let first = lines.peek()?;
    first.strip_prefix(MARK)?;
    let mut pending_separator: Option<&str> = None;
    for line in lines {
        let is_mark = line.starts_with(MARK) && (files.is_empty() || pending_separator.is_some());
        if is_mark {
            let name = line[MARK.len()..].trim_end().to_string();
            files.push((name, String::new()));
            pending_separator = None;
            continue;
        }
        let current = &mut files.last_mut()?.1;
        if let Some(separator) = pending_separator.take() {
            current.push_str(separator);
        }
        if line.trim_end() == "---" {
            pending_separator = Some(line);
        } else {
            current.push_str(line);
        }
    }
    if let (Some(separator), Some(last)) = (pending_separator, files.last_mut()) {
        last.1.push_str(separator);
    }
    (files.len() > 1).then_some(files)
}

/// The files a patch changes, for one download each: (download name, patched text).
pub fn changed_files(original: &str, patched: &str) -> Vec<(String, String)> {
    let (Some(before), Some(after)) = (split_files(original), split_files(patched)) else {
        return Vec::new();
    };
    after
        .into_iter()
        .filter(|(name, text)| !before.iter().any(|(n, t)| n == name && t == text))
        .map(|(name, text)| (patched_name(&name), text))
        .collect()
}

/// The name a patched download takes: `deploy.yaml` becomes `deploy.patched.yaml`; typed or
/// pasted text becomes `manifest.patched.yaml`.
pub fn patched_name(source: &str) -> String {
    let name = source.rsplit(['/', '\\']).next().unwrap_or_default();
    let usable = !name.is_empty()
        && name.contains('.')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let name = if usable { name } else { INPUT_NAME };
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "yaml"));
    let ext = match ext {
        "json" => "json",
        "yml" => "yml",
        _ => "yaml",
    };
    format!("{stem}.patched.{ext}")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedView {
    pub rule: &'static str,
    pub title: String,
}

/// One edit of a fix that was not applied, shown as text to paste by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditView {
    pub line: usize,
    pub before: String,
    pub after: String,
}

/// A fix left out of the patched text: display-only ones always, unsafe ones when the person
/// did not include them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuggestionView {
    pub rule: &'static str,
    pub title: String,
    pub applicability: &'static str,
    pub line: usize,
    pub edits: Vec<EditView>,
}

/// The patched text and how it came about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patch {
    pub include_unsafe: bool,
    pub patched: String,
    pub changed: bool,
    pub diff: Vec<DiffLine>,
    pub applied: Vec<AppliedView>,
    pub suggestions: Vec<SuggestionView>,
    /// Findings still reported on the patched text.
    pub remaining: usize,
    /// False when fixing stopped before the text settled.
    pub converged: bool,
}

/// Applies safe fixes (and unsafe ones when asked); display-only fixes become suggestions.
#[cfg(test)]
pub fn patch(text: &str, include_unsafe: bool) -> Patch {
    patch_with(
        kubeclinic_engine::settings::default_checker(),
        text,
        "",
        include_unsafe,
    )
}

/// [`patch`] with the person's settings, and the cluster output of its pane (read, never
/// patched).
pub fn patch_with(checker: &Checker, text: &str, cluster: &str, include_unsafe: bool) -> Patch {
    let files = source_files(text, cluster);
    let threshold = if include_unsafe {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let outcome = checker.fix(&files, threshold);
    let patched = outcome
        .files
        .into_iter()
        .next()
        .map(|f| f.text)
        .unwrap_or_default();
    let before = checker.check(&files);
    let index = LineIndex::new(text);
    let suggestions = before
        .findings
        .iter()
        .filter_map(|f| Some((f, f.fix.as_ref()?)))
        .filter(|(_, fix)| fix.applicability < threshold)
        .map(|(f, fix)| SuggestionView {
            rule: f.rule,
            title: fix.title.clone(),
            applicability: fix.applicability.as_str(),
            // The manifest line: the finding's, or its fix's when the finding is in the
            // cluster output.
            line: index
                .position(
                    if f.file == 0 {
                        f.range.start
                    } else {
                        fix.edits
                            .iter()
                            .find(|e| e.file == 0)
                            .map_or(0, |e| e.range.start)
                    },
                    text,
                    PositionEncoding::Utf16,
                )
                .line,
            edits: fix
                .edits
                .iter()
                .filter(|e| e.file == 0 && e.range.end <= text.len())
                .filter(|e| {
                    text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end)
                })
                .map(|e| EditView {
                    line: index
                        .position(e.range.start, text, PositionEncoding::Utf16)
                        .line,
                    before: text[e.range.start..e.range.end].to_string(),
                    after: e.content.clone(),
                })
                .collect(),
        })
        .collect();
    Patch {
        include_unsafe,
        changed: patched != text,
        diff: diff_lines(&unified_diff(INPUT_NAME, text, &patched)),
        applied: outcome
            .applied
            .into_iter()
            .map(|a| AppliedView {
                rule: a.rule,
                title: a.title,
            })
            .collect(),
        suggestions,
        remaining: outcome.remaining.findings.len(),
        converged: outcome.converged,
        patched,
    }
}

/// A block of a rule's documentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocBlock {
    Heading(String),
    Paragraph(String),
    List(Vec<String>),
    Code { lang: String, text: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleView {
    pub id: &'static str,
    pub category: &'static str,
    pub severity: &'static str,
    /// `always`, `sometimes` or `none`.
    pub fix: &'static str,
    /// `manifests`, `runtime` or `both`.
    pub reads: &'static str,
    /// The "What it does" section, as one paragraph.
    pub summary: String,
    /// The rest of the docs.
    pub docs: Vec<DocBlock>,
}

/// The rules' documentation, by rule id: the Markdown of each rule's page in `docs/rules/`.
/// The page fetches it (`rule-docs.json`, written at build time) when the rule reference is
/// opened, so the download the first diagnosis waits for carries no docs text.
pub type RuleDocs = std::collections::HashMap<String, String>;

/// Reads `rule-docs.json`: an object of rule id to Markdown. Names what is wrong, never panics.
pub fn parse_rule_docs(json: &str) -> Result<RuleDocs, String> {
    serde_json::from_str(json).map_err(|e| format!("the rule docs cannot be read ({e})"))
}

/// Every registered rule, with its documentation when `docs` has it (an empty summary and no
/// blocks while the docs load, or when they cannot).
pub fn rules(docs: &RuleDocs) -> Vec<RuleView> {
    REGISTRY
        .iter()
        .map(|entry| {
            let meta = entry.meta;
            let blocks = docs
                .get(meta.id)
                .map(|page| doc_blocks(page_body(page)))
                .unwrap_or_default();
            RuleView {
                id: meta.id,
                category: meta.category.as_str(),
                severity: meta.severity.as_str(),
                fix: match meta.fix {
                    FixAvailability::Always => "always",
                    FixAvailability::Sometimes => "sometimes",
                    FixAvailability::None => "none",
                },
                reads: match meta.reads {
                    Reads::Manifests => "manifests",
                    Reads::Runtime => "runtime",
                    Reads::Both => "both",
                },
                summary: section_text(&blocks, "What it does"),
                docs: without_section(blocks, "What it does"),
            }
        })
        .collect()
}

/// A rule page from its first `##` heading on: the title and the table above it repeat what
/// the reference shows as badges.
fn page_body(page: &str) -> &str {
    if page.starts_with("## ") {
        return page;
    }
    page.find("\n## ").map_or(page, |at| &page[at + 1..])
}

/// The paragraphs and list items of one section, as one line of text.
fn section_text(blocks: &[DocBlock], heading: &str) -> String {
    let mut inside = false;
    let mut words = Vec::new();
    for block in blocks {
        match block {
            DocBlock::Heading(h) => inside = h == heading,
            DocBlock::Paragraph(text) if inside => words.push(text.as_str()),
            DocBlock::List(items) if inside => words.extend(items.iter().map(String::as_str)),
            _ => {}
        }
    }
    words
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Drops one section (its heading and the blocks up to the next heading).
fn without_section(blocks: Vec<DocBlock>, heading: &str) -> Vec<DocBlock> {
    let mut skipping = false;
    blocks
        .into_iter()
        .filter(|block| {
            if let DocBlock::Heading(h) = block {
                skipping = h == heading;
            }
            !skipping
        })
        .collect()
}

/// Splits the small Markdown subset rule docs use: `##` headings, paragraphs, `-` lists and
/// fenced code. Inline code stays in the text (the components render backticks).
pub fn doc_blocks(markdown: &str) -> Vec<DocBlock> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<String> = Vec::new();
    let mut code: Option<(String, Vec<&str>)> = None;

    fn flush(blocks: &mut Vec<DocBlock>, paragraph: &mut Vec<&str>, list: &mut Vec<String>) {
        if !paragraph.is_empty() {
            blocks.push(DocBlock::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
        if !list.is_empty() {
            blocks.push(DocBlock::List(std::mem::take(list)));
        }
    }

    for line in markdown.lines() {
        if let Some((lang, body)) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                blocks.push(DocBlock::Code {
                    lang: std::mem::take(lang),
                    text: body.join("\n"),
                });
                code = None;
            } else {
                body.push(line);
            }
            continue;
        }
        let trimmed = line.trim();
        if let Some(lang) = trimmed.strip_prefix("```") {
            flush(&mut blocks, &mut paragraph, &mut list);
            code = Some((lang.trim().to_string(), Vec::new()));
        } else if let Some(heading) = trimmed.strip_prefix('#') {
            flush(&mut blocks, &mut paragraph, &mut list);
            blocks.push(DocBlock::Heading(
                heading.trim_start_matches('#').trim().to_string(),
            ));
        } else if trimmed.is_empty() {
            flush(&mut blocks, &mut paragraph, &mut list);
        } else if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            if !paragraph.is_empty() {
                blocks.push(DocBlock::Paragraph(paragraph.join(" ")));
                paragraph.clear();
            }
            list.push(item.to_string());
        } else if !list.is_empty() && line.starts_with(' ') {
            // A list item's continuation line.
            if let Some(last) = list.last_mut() {
                last.push(' ');
                last.push_str(trimmed);
            }
        } else {
            if !list.is_empty() {
                blocks.push(DocBlock::List(std::mem::take(&mut list)));
            }
            paragraph.push(trimmed);
        }
    }
    if let Some((lang, body)) = code {
        blocks.push(DocBlock::Code {
            lang,
            text: body.join("\n"),
        });
    }
    flush(&mut blocks, &mut paragraph, &mut list);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    use kubeclinic_engine::TextRange;

    fn selection(text: &str, range: TextRange) -> Selection {
        let index = LineIndex::new(text);
        let file = SourceFile::new("t.yaml", text);
        Utf16Lines::new(text, &index).selection(&locate(
            &file,
            &index,
            range,
            PositionEncoding::Utf16,
        ))
    }

    fn find<'a>(d: &'a Diagnosis, rule: &str) -> &'a FindingView {
        d.findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in {:?}", d.findings))
    }

    #[test]
    fn the_example_is_diagnosed_with_lines_from_one() {
        let d = diagnose(EXAMPLE);
        let netpol = find(&d, "netpol-selects-nothing");
        assert_eq!((netpol.line, netpol.column, netpol.end_line), (22, 7, 23));
        assert_eq!(netpol.severity, "error");
        assert_eq!(
            netpol.object.as_deref(),
            Some("NetworkPolicy allow-binance-data-extractor (namespace petrosa-apps)")
        );
        let placeholder = find(&d, "image-tag-placeholder");
        assert_eq!((placeholder.line, placeholder.column), (63, 22));
        assert_eq!(placeholder.container.as_deref(), Some("klines-extractor"));
        assert_eq!(
            placeholder.fix.as_ref().map(|f| f.applicability),
            Some("display-only")
        );
        assert_eq!(find(&d, "localhost-in-env").line, 41);
        // The info: Service mongodb selects pods defined elsewhere.
        assert_eq!((d.errors, d.warnings, d.infos, d.objects), (2, 1, 1, 5));
        assert_eq!(d.fixable, 3);
        let selected = &EXAMPLE[EXAMPLE.find("app: binance-data-extractor").unwrap()..];
        assert!(selected.starts_with("app: binance-data"));
        assert_eq!(
            netpol.selection.start as usize,
            EXAMPLE.find("app: binance-data-extractor").unwrap()
        );
    }

    #[test]
    fn selections_and_columns_count_utf16_code_units() {
        // The emoji takes 4 bytes and 2 UTF-16 units; "é" takes 2 bytes and 1 unit.
        let text = "# é 😀\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web # 😀\n          image: nginx:latest\n";
        let d = diagnose(text);
        let latest = find(&d, "image-tag-latest");
        assert_eq!(latest.line, 15);
        let start = text.find("nginx:latest").unwrap();
        let prefix16 = text[..start].encode_utf16().count() as u32;
        assert_eq!(latest.selection.start, prefix16);
        assert_eq!(prefix16 as usize, start - 2 - 2 - 1);
        assert_eq!(latest.selection.end - latest.selection.start, 12);
        assert_eq!(
            selection("a😀b", TextRange::new(0, 3)).end,
            1,
            "clamps inside a char"
        );
        assert_eq!(
            selection("ab", TextRange::new(1, 99)),
            Selection { start: 1, end: 2 }
        );
        let text = "😀\r\nab😀c\nd";
        let c = text.find('c').unwrap();
        assert_eq!(
            selection(text, TextRange::new(c, text.len())),
            Selection { start: 8, end: 11 },
            "offsets carry across lines and CRLF"
        );
    }

    #[test]
    fn a_bare_pull_error_points_back_at_the_manifest_image() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n    - name: api\n      image: registry.example.com/api:9.9.9\n---\nit fails with:\n  Warning  Failed  5s  kubelet  Failed to pull image \"registry.example.com/api:9.9.9\": rpc error: code = NotFound desc = registry.example.com/api:9.9.9: not found\n";
        let d = diagnose(text);
        let f = find(&d, "image-not-found");
        assert_eq!(f.line, 11);
        assert_eq!(f.related.len(), 1);
        assert_eq!(f.related[0].line, 8);
        assert!(f.related[0].message.contains("container api in Pod api"));
    }

    #[test]
    fn suppressed_findings_are_counted() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:latest # kubeclinic: ignore[image-tag-latest]\n";
        let d = diagnose(text);
        // Only best-practice notes remain (no probes, no requests): a clean paste.
        assert!(d.findings.iter().all(|f| f.note), "{:#?}", d.findings);
        assert_eq!(d.suppressed, 1);
    }

    #[test]
    fn broken_yaml_is_a_finding_not_a_failure() {
        let d = diagnose("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [1, 2\n  b: 3\n");
        let syntax = find(&d, "yaml-syntax-error");
        assert!(syntax.line >= 4, "{syntax:?}");
        assert_eq!(syntax.severity, "error");
        assert_eq!(diagnose("").findings, Vec::new());
    }

    /// Shared with the browser test.
    const LOCALHOST: &str = include_str!("../../tests/fixtures/web/localhost-service.yaml");

    #[test]
    fn unsafe_fixes_patch_the_text_only_when_included() {
        let with = patch(LOCALHOST, true);
        assert!(with.changed);
        assert!(
            with.patched.contains("postgresql://u@db:5432/db"),
            "{}",
            with.patched
        );
        assert!(with.applied.iter().any(|a| a.rule == "localhost-in-env"));
        assert!(with.converged);
        assert!(with
            .diff
            .iter()
            .any(|l| l.kind == DiffKind::Added && l.text.contains("@db:5432")));
        assert!(with
            .diff
            .iter()
            .any(|l| l.kind == DiffKind::Removed && l.text.contains("@localhost")));
        assert_eq!(with.diff[0].kind, DiffKind::Header);
        // What is left to suggest is the notes' placeholders (probes, requests).
        assert!(with
            .suggestions
            .iter()
            .all(|s| s.applicability == "display-only"));

        let without = patch(LOCALHOST, false);
        assert!(!without.changed);
        assert_eq!(without.patched, LOCALHOST);
        assert!(without.diff.is_empty());
        let held = without
            .suggestions
            .iter()
            .find(|s| s.rule == "localhost-in-env")
            .unwrap();
        assert_eq!(
            (held.rule, held.applicability, held.line),
            ("localhost-in-env", "unsafe", 17)
        );
        assert!(held.edits.iter().any(|e| e.after.contains("db")));
    }

    #[test]
    fn display_only_fixes_are_suggestions_never_applied() {
        let p = patch(EXAMPLE, true);
        assert!(p.patched.contains(":VERSION_PLACEHOLDER"));
        let placeholder = p
            .suggestions
            .iter()
            .find(|s| s.rule == "image-tag-placeholder")
            .expect("placeholder suggestion");
        assert_eq!(placeholder.applicability, "display-only");
        assert_eq!(placeholder.line, 63);
        assert!(placeholder
            .edits
            .iter()
            .any(|e| e.before.contains("VERSION_PLACEHOLDER")));
        assert!(p.applied.iter().all(|a| a.rule != "image-tag-placeholder"));
    }

    #[test]
    fn side_by_side_rows_pair_removed_with_added_lines() {
        let diff = diff_lines("--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n-c\n+B\n d\n");
        let rows = split_rows(&diff);
        let cells: Vec<(&str, Option<&str>, Option<&str>)> = rows
            .iter()
            .map(|r| (r.class, r.left.as_deref(), r.right.as_deref()))
            .collect();
        assert_eq!(
            cells,
            vec![
                (
                    "diff-hunk",
                    Some("@@ -1,3 +1,3 @@"),
                    Some("@@ -1,3 +1,3 @@")
                ),
                ("diff-ctx", Some("a"), Some("a")),
                ("diff-change", Some("b"), Some("B")),
                ("diff-change", Some("c"), None),
                ("diff-ctx", Some("d"), Some("d")),
            ]
        );
    }

    #[test]
    fn settings_go_out_and_back_in_as_the_configuration_file() {
        let settings = kubeclinic_engine::Settings {
            profile: kubeclinic_engine::Profile::Strict,
            ignore: vec!["image-tag-latest".into()],
            kubernetes_version: Some("1.29".into()),
            ..Default::default()
        };
        let file = settings_to_config(&settings);
        assert_eq!(
            settings_from_config(&file, CONFIG_FILE),
            Ok((settings, None))
        );
        let error =
            settings_from_config("profile: strict\nselekt: [all]\n", CONFIG_FILE).unwrap_err();
        assert!(
            error.contains("selekt") && error.contains("line 2") && error.contains("select"),
            "{error}"
        );
        let (_, unused) = settings_from_config(
            "ignore: [missing-probes]\nexclude: [\"gen/**\"]\n",
            "a.yaml",
        )
        .unwrap();
        assert!(unused.unwrap().contains("exclude"));
    }

    #[test]
    fn joined_files_split_back_into_their_texts() {
        let joined =
            "# file: a.yaml\nkind: Pod\n---\nkind: Service\n---\n# file: describe.txt\nEvents:\n";
        assert_eq!(
            split_files(joined),
            Some(vec![
                (
                    "a.yaml".to_string(),
                    "kind: Pod\n---\nkind: Service\n".to_string()
                ),
                ("describe.txt".to_string(), "Events:\n".to_string()),
            ])
        );
        assert_eq!(split_files("kind: Pod\n"), None);
        assert_eq!(split_files("# file: a.yaml\nkind: Pod\n"), None);
        // A `# file:` comment inside a file, not after a separator, is the file's own text.
        let inner = "# file: a.yaml\nkind: Pod\n# file: not-a-mark\n---\n# file: b.yaml\nx: 1\n";
        let files = split_files(inner).unwrap();
        assert_eq!(files[0].1, "kind: Pod\n# file: not-a-mark\n");
        let patched = inner.replace("x: 1", "x: 2");
        assert_eq!(
            changed_files(inner, &patched),
            vec![("b.patched.yaml".to_string(), "x: 2\n".to_string())]
        );
    }

    #[test]
    fn patched_downloads_are_named_after_their_source() {
        assert_eq!(patched_name("deploy.yaml"), "deploy.patched.yaml");
        assert_eq!(patched_name("k8s/list.json"), "list.patched.json");
        assert_eq!(patched_name("edited"), "manifest.patched.yaml");
        assert_eq!(patched_name("share link"), "manifest.patched.yaml");
        assert_eq!(patched_name("describe.txt"), "describe.patched.yaml");
    }

    #[test]
    fn one_fix_is_applied_alone_and_display_only_never() {
        const LATEST: &str = include_str!("../../tests/fixtures/web/localhost-service.yaml");
        let d = diagnose(LATEST);
        let finding = d
            .findings
            .iter()
            .find(|f| {
                f.fix
                    .as_ref()
                    .is_some_and(|x| x.applicability != "display-only")
            })
            .unwrap_or_else(|| panic!("no applicable fix in {:?}", d.findings));
        let fix = finding.fix.as_ref().unwrap();
        let once = apply_one(LATEST, fix).unwrap();
        assert_ne!(once, LATEST);
        assert_eq!(
            once,
            kubeclinic_engine::fix::apply_edits(
                LATEST,
                fix.edits
                    .iter()
                    .map(|(s, e, c)| kubeclinic_engine::Edit::replace(
                        0,
                        TextRange::new(*s, *e),
                        c.clone()
                    ))
                    .collect::<Vec<_>>()
                    .iter()
            )
        );
        assert_eq!(
            apply_one("", fix),
            None,
            "a shorter text is not the analysed one"
        );
        let display_only = FixView {
            applicability: "display-only",
            ..fix.clone()
        };
        assert_eq!(apply_one(LATEST, &display_only), None);
        assert_eq!(safety_words("unsafe"), "changes behaviour");
        assert_eq!(safety_words("display-only"), "needs your value");
    }

    #[test]
    fn diff_lines_are_tagged() {
        let lines = diff_lines("--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
        let kinds: Vec<DiffKind> = lines.iter().map(|l| l.kind).collect();
        use DiffKind::*;
        assert_eq!(kinds, vec![Header, Header, Hunk, Context, Removed, Added]);
    }

    #[test]
    fn editor_marks_are_in_text_order_without_notes() {
        let d = diagnose(EXAMPLE);
        let marks: Vec<(u32, u32, String, String)> =
            serde_json::from_str(&d.editor_marks(Pane::Manifests)).unwrap();
        let problems = d.findings.iter().filter(|f| !f.note).count();
        assert_eq!(marks.len(), problems);
        assert!(marks.windows(2).all(|w| w[0].0 <= w[1].0));
        let first = d.findings.iter().find(|f| f.severity == "error").unwrap();
        assert!(marks.iter().any(|m| m.0 == first.selection.start
            && m.1 == first.selection.end
            && m.3.starts_with(&first.message)
            && m.3.ends_with(&format!("({})", first.rule))));
    }

    /// What the build writes as `rule-docs.json`: each rule's page in `docs/rules/`.
    fn rule_docs() -> RuleDocs {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules");
        REGISTRY
            .iter()
            .map(|e| {
                let page = std::fs::read_to_string(dir.join(format!("{}.md", e.meta.id)))
                    .unwrap_or_else(|err| panic!("docs/rules/{}.md: {err}", e.meta.id));
                (e.meta.id.to_string(), page)
            })
            .collect()
    }

    /// The crash-loop example cut in two, as a person pastes it into the two panes.
    fn two_panes() -> (&'static str, &'static str) {
        let at = RUNTIME_EXAMPLE.find("---\n# k8s/").unwrap();
        (&RUNTIME_EXAMPLE[at..], &RUNTIME_EXAMPLE[..at])
    }

    #[test]
    fn the_cluster_pane_is_read_with_the_manifests_and_findings_name_their_pane() {
        let (manifests, cluster) = two_panes();
        let checker = kubeclinic_engine::settings::default_checker();
        let one_box = diagnose(RUNTIME_EXAMPLE);
        let panes = diagnose_with(checker, manifests, cluster);
        let rules = |d: &Diagnosis| {
            let mut r: Vec<&str> = d.findings.iter().map(|f| f.rule).collect();
            r.sort_unstable();
            r
        };
        assert_eq!(rules(&panes), rules(&one_box), "the same causes either way");
        let in_cluster: Vec<&FindingView> = panes
            .findings
            .iter()
            .filter(|f| f.pane == Pane::Cluster)
            .collect();
        assert!(!in_cluster.is_empty());
        for f in &in_cluster {
            let line = cluster.lines().nth(f.line - 1).unwrap();
            assert!(
                !line.trim().is_empty(),
                "{} at an empty line {}",
                f.rule,
                f.line
            );
        }
        // A fix of a finding in the cluster output edits the manifests, and applies to them.
        let fixed = in_cluster
            .iter()
            .find_map(|f| Some((f, f.fix.as_ref().filter(|x| !x.edits.is_empty())?)))
            .expect("a cluster-output finding with a fix");
        if fixed.1.applicability != "display-only" {
            let patched = apply_one(manifests, fixed.1).unwrap();
            assert_ne!(patched, manifests, "{}", fixed.0.rule);
        }
        let marks: Vec<serde_json::Value> =
            serde_json::from_str(&panes.editor_marks(Pane::Cluster)).unwrap();
        assert_eq!(marks.len(), in_cluster.iter().filter(|f| !f.note).count());
        // The patch changes the manifests only, and the cluster output still counts.
        let patch = patch_with(checker, manifests, cluster, true);
        assert!(patch.changed);
        assert!(!patch.patched.contains("kubectl describe"));
        assert!(patch.applied.len() >= patch_with(checker, manifests, "", true).applied.len());
    }

    #[test]
    fn rules_wait_for_their_docs_and_name_a_broken_docs_file() {
        let rules = rules(&RuleDocs::new());
        assert_eq!(rules.len(), REGISTRY.len());
        assert!(rules
            .iter()
            .all(|r| r.summary.is_empty() && r.docs.is_empty()));
        let err = parse_rule_docs("{\"a\": 1}").unwrap_err();
        assert!(err.starts_with("the rule docs cannot be read"), "{err}");
        let docs = parse_rule_docs("{\"x\": \"## What it does\\nFinds it.\"}").unwrap();
        assert_eq!(docs["x"], "## What it does\nFinds it.");
    }

    #[test]
    fn every_rule_has_docs_in_blocks() {
        let rules = rules(&rule_docs());
        assert_eq!(rules.len(), REGISTRY.len());
        for rule in &rules {
            assert!(!rule.summary.is_empty(), "{} has no summary", rule.id);
            assert!(
                rule.docs
                    .iter()
                    .any(|b| matches!(b, DocBlock::Heading(h) if h == "Why is this bad?")),
                "{}: {:?}",
                rule.id,
                rule.docs
            );
        }
        assert!(rules
            .iter()
            .all(|r| !r.docs.contains(&DocBlock::Heading("What it does".into()))));
        let placeholder = rules
            .iter()
            .find(|r| r.id == "image-tag-placeholder")
            .unwrap();
        assert!(placeholder
            .docs
            .iter()
            .any(|b| matches!(b, DocBlock::Code { lang, text } if lang == "yaml" && text.contains("VERSION_PLACEHOLDER"))));
    }

    #[test]
    fn doc_blocks_split_the_markdown_subset() {
        let blocks = doc_blocks("## What\nOne\ntwo.\n\n- a\n  b\n- c\n\n```yaml\nx: 1\n```\nEnd.");
        assert_eq!(
            blocks,
            vec![
                DocBlock::Heading("What".into()),
                DocBlock::Paragraph("One two.".into()),
                DocBlock::List(vec!["a b".into(), "c".into()]),
                DocBlock::Code {
                    lang: "yaml".into(),
                    text: "x: 1".into()
                },
                DocBlock::Paragraph("End.".into()),
            ]
        );
    }
}
