//! SARIF 2.1.0, as GitHub code scanning reads it: every rule with its docs, each finding with
//! its region, secondary labels, a line fingerprint and its fix as replacements.

use std::collections::BTreeMap;

use kubeclinic_engine::output::locate;
use kubeclinic_engine::rules::REGISTRY;
use kubeclinic_engine::{
    Finding, LineIndex, PositionEncoding, Report, Severity, SourceFile, TextRange,
};
use serde_sarif::sarif;

use super::{repository_path, sentence};
use crate::inputs::STDIN_NAME;
use crate::rule_docs;

/// The base relative paths are resolved against: the folder the check ran in.
const SOURCE_ROOT: &str = "%SRCROOT%";

pub fn render(files: &[SourceFile], report: &Report) -> sarif::Sarif {
    let sources = Sources::new(files);
    let mut fingerprints = Fingerprints::default();
    let results = report
        .findings
        .iter()
        .map(|f| result(&sources, f, fingerprints.next(&sources, f)))
        .collect::<Vec<_>>();
    let mut base_ids = BTreeMap::new();
    if let Some(uri) = working_folder_uri() {
        base_ids.insert(
            SOURCE_ROOT.to_string(),
            sarif::ArtifactLocation::builder().uri(uri).build(),
        );
    }
    let run = sarif::Run::builder()
        .tool(tool())
        .results(results)
        .column_kind(serde_json::json!("utf16CodeUnits"))
        .original_uri_base_ids(base_ids)
        .build();
    sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn tool() -> sarif::Tool {
    let rules = REGISTRY
        .iter()
        .map(|entry| {
            let meta = entry.meta;
            let docs = meta.markdown();
            let mut rule = sarif::ReportingDescriptor::builder()
                .id(meta.id)
                .short_description(text(&rule_docs::summary(meta)))
                .full_description(text(
                    &meta
                        .section("What it does")
                        .unwrap_or_else(|| rule_docs::summary(meta)),
                ))
                .help(
                    sarif::MultiformatMessageString::builder()
                        .text(docs.clone())
                        .markdown(docs)
                        .build(),
                )
                .help_uri(rule_docs::help_uri(meta.id))
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(serde_json::json!(level(meta.severity)))
                        .build(),
                )
                .properties(
                    sarif::PropertyBag::builder()
                        .tags(vec![
                            "kubernetes".to_string(),
                            meta.category.as_str().to_string(),
                        ])
                        .build(),
                )
                .build();
            rule.name = friendly_name(meta.id);
            rule
        })
        .collect::<Vec<_>>();
    let driver = sarif::ToolComponent::builder()
        .name("kubeclinic")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(rule_docs::PROJECT_URL)
        .rules(rules)
        .build();
    sarif::Tool::builder().driver(driver).build()
}

fn result(sources: &Sources, f: &Finding, fingerprint: String) -> sarif::Result {
    let related: Vec<sarif::Location> = f
        .related
        .iter()
        .zip(1..)
        .map(|(r, id)| {
            sarif::Location::builder()
                .id(id)
                .physical_location(sources.physical(r.file, r.range))
                .message(text_message(&sentence(&r.message)))
                .build()
        })
        .collect();
    let mut explanation = vec![sentence(&f.message), sentence(&f.why)];
    explanation.extend(f.help.as_deref().map(sentence));
    // The rendered file is what was checked; the template is what a person changes.
    explanation.extend(
        f.source
            .as_deref()
            .map(|t| format!("Rendered from the Helm template {t}.")),
    );
    let mut result = sarif::Result::builder()
        .rule_id(f.rule)
        .level(result_level(f.severity))
        .message(text_message(&explanation.join(" ")))
        .locations(vec![sarif::Location::builder()
            .physical_location(sources.physical(f.file, f.range))
            .build()])
        .partial_fingerprints(BTreeMap::from([(
            "primaryLocationLineHash".to_string(),
            fingerprint,
        )]))
        .build();
    result.rule_index = REGISTRY
        .iter()
        .position(|e| e.meta.id == f.rule)
        .map(|index| index as i64);
    result.related_locations = Some(related).filter(|r| !r.is_empty());
    result.properties = f.source.as_ref().map(|template| {
        sarif::PropertyBag::builder()
            .additional_properties(BTreeMap::from([(
                "helmTemplate".to_string(),
                serde_json::json!(template),
            )]))
            .build()
    });
    result.fixes = fix(sources, f).map(|fix| vec![fix]);
    result
}

/// A fix that can be applied (safe, or unsafe when asked), as replacements per file.
/// Display-only fixes hold placeholders, so they are no fix to offer.
fn fix(sources: &Sources, f: &Finding) -> Option<sarif::Fix> {
    let fix = super::applicable_fix(f)?;
    let mut by_file: BTreeMap<usize, Vec<sarif::Replacement>> = BTreeMap::new();
    for edit in &fix.edits {
        by_file.entry(edit.file).or_default().push(
            sarif::Replacement::builder()
                .deleted_region(sources.region(edit.file, edit.range))
                .inserted_content(
                    sarif::ArtifactContent::builder()
                        .text(edit.content.clone())
                        .build(),
                )
                .build(),
        );
    }
    let changes = by_file
        .into_iter()
        .map(|(file, replacements)| {
            sarif::ArtifactChange::builder()
                .artifact_location(sources.artifact(file))
                .replacements(replacements)
                .build()
        })
        .collect::<Vec<_>>();
    Some(
        sarif::Fix::builder()
            .description(text_message(&format!(
                "{} ({}).",
                fix.title.trim_end_matches('.'),
                fix.applicability.as_str()
            )))
            .artifact_changes(changes)
            .build(),
    )
}

/// The inputs with their line indexes and URIs, computed once.
struct Sources<'a> {
    files: &'a [SourceFile],
    indexes: Vec<LineIndex>,
    uris: Vec<(String, Option<&'static str>)>,
}

impl<'a> Sources<'a> {
    fn new(files: &'a [SourceFile]) -> Self {
        Self {
            files,
            indexes: files.iter().map(|f| LineIndex::new(&f.text)).collect(),
            uris: files.iter().map(|f| artifact_uri(&f.path)).collect(),
        }
    }

    fn artifact(&self, file: usize) -> sarif::ArtifactLocation {
        let (uri, base) = &self.uris[file];
        match base {
            Some(base) => sarif::ArtifactLocation::builder()
                .uri(uri.clone())
                .uri_base_id(*base)
                .build(),
            None => sarif::ArtifactLocation::builder().uri(uri.clone()).build(),
        }
    }

    fn region(&self, file: usize, range: TextRange) -> sarif::Region {
        let at = locate(
            &self.files[file],
            &self.indexes[file],
            range,
            PositionEncoding::Utf16,
        );
        sarif::Region::builder()
            .start_line(at.line as i64)
            .start_column(at.column as i64)
            .end_line(at.end_line as i64)
            .end_column(at.end_column as i64)
            .build()
    }

    fn physical(&self, file: usize, range: TextRange) -> sarif::PhysicalLocation {
        sarif::PhysicalLocation::builder()
            .artifact_location(self.artifact(file))
            .region(self.region(file, range))
            .build()
    }

    /// The first line of a range, without its white space.
    fn line_text(&self, file: usize, range: TextRange) -> String {
        let index = &self.indexes[file];
        let text = &self.files[file].text;
        let line = index.line_range(index.line_of(range.start.min(text.len())), text);
        text[line.start..line.end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }
}

/// GitHub's `primaryLocationLineHash`: a hash of the rule and the finding's line, plus which
/// occurrence of that pair in its file this is, so an alert survives lines moving around it.
#[derive(Default)]
struct Fingerprints {
    seen: BTreeMap<(usize, u64), usize>,
}

impl Fingerprints {
    fn next(&mut self, sources: &Sources, f: &Finding) -> String {
        let line = sources.line_text(f.file, f.range);
        let hash = fnv1a(format!("{}\0{line}", f.rule).as_bytes());
        let occurrence = self.seen.entry((f.file, hash)).or_insert(0);
        *occurrence += 1;
        format!("{hash:016x}:{occurrence}")
    }
}

/// FNV-1a, 64 bits: stable across Rust releases, unlike the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A relative URI against [`SOURCE_ROOT`], or a `file:` URI for a file outside the working
/// folder.
fn artifact_uri(path: &str) -> (String, Option<&'static str>) {
    if path == STDIN_NAME {
        return (percent_encode(path), None);
    }
    let shown = repository_path(path);
    if shown.starts_with('/') {
        (format!("file://{}", percent_encode(&shown)), None)
    } else {
        (percent_encode(&shown), Some(SOURCE_ROOT))
    }
}

fn working_folder_uri() -> Option<String> {
    let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
    let path = cwd.to_string_lossy().replace('\\', "/");
    let path = path.trim_end_matches('/');
    Some(format!("file://{}/", percent_encode(path)))
}

/// Percent-encodes everything in a path but unreserved characters and `/`.
fn percent_encode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result_level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

fn text(value: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(value.to_string())
        .build()
}

fn text_message(value: &str) -> sarif::Message {
    sarif::Message::builder().text(value.to_string()).build()
}

/// `image-tag-latest` -> `ImageTagLatest`: the rule's friendly name in SARIF, which must
/// differ from its id (so a one-word id has none).
fn friendly_name(id: &str) -> Option<String> {
    let name: String = id
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    Some(name).filter(|name| !name.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_and_rule_names_are_pascal_case() {
        assert_eq!(percent_encode("k8s/my app.yaml"), "k8s/my%20app.yaml");
        assert_eq!(artifact_uri(STDIN_NAME).0, "%3Cstdin%3E");
        assert_eq!(
            friendly_name("image-tag-latest").as_deref(),
            Some("ImageTagLatest")
        );
        assert_eq!(friendly_name("privileged"), None);
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
    }
}
