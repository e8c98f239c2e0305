//! Fixture and snapshot tests: `tests/fixtures/<rule-id>/{invalid,valid}.yaml`, each with a
//! snapshot beside it showing the findings as the CLI prints them and the fixed text as a diff.
//! Every fix is also checked: the patched text still parses, the finding is gone, comments
//! outside the edits survive, and fixing twice changes nothing.

use std::path::{Path, PathBuf};

#[path = "support/fixture_files.rs"]
mod fixture_files;

use kubeclinic_engine::fix::apply_edits;
use kubeclinic_engine::{check, output, rules, Applicability, Finding, SourceFile};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn load(path: &Path) -> SourceFile {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path
        .strip_prefix(fixtures_dir())
        .unwrap()
        .display()
        .to_string();
    SourceFile::new(name, text)
}

/// `invalid.yaml` for manifests, `invalid.txt` for what the cluster printed.
fn fixture(dir: &Path, name: &str) -> PathBuf {
    ["yaml", "txt"]
        .iter()
        .map(|ext| dir.join(format!("{name}.{ext}")))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("missing fixture {}/{name}.yaml (or .txt)", dir.display()))
}

/// The settings a rule's fixtures run with: `tests/fixtures/<rule>/settings.json` when the
/// rule needs one (`allowedRegistries`), the defaults otherwise.
fn settings_for(rule: &str) -> kubeclinic_engine::Settings {
    fixture_files::settings(&fixtures_dir().join(rule))
}

fn checker_for(rule: &str) -> kubeclinic_engine::Checker {
    kubeclinic_engine::Checker::new(settings_for(rule)).unwrap()
}

fn of_rule<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

/// What a valid fixture and a doc's "Use instead" must be: free of the rule's own findings and
/// of every error and warning. Other rules' best-practice infos (a container without probes)
/// may remain: they are not what the example is about, and the snapshot shows them.
fn clean(findings: &[Finding], rule: &str) -> bool {
    findings
        .iter()
        .all(|f| f.rule != rule && f.severity == kubeclinic_engine::Severity::Info)
}

fn snapshot_text(checker: &kubeclinic_engine::Checker, file: &SourceFile) -> String {
    let files = [file.clone()];
    let report = checker.check(&files);
    let mut out = format!("Input `{}`:\n\n{}\n", file.path, file.text);
    out.push_str("Findings:\n\n");
    out.push_str(&output::render_human(&files, &report));
    let fixed = checker.fix(&files, Applicability::Unsafe);
    let diff = output::unified_diff(&file.path, &file.text, &fixed.files[0].text);
    if !diff.is_empty() {
        out.push_str("\nFixed (safe and unsafe fixes):\n\n");
        out.push_str(&diff);
    }
    let shown: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| x.applicability == Applicability::DisplayOnly)
        })
        .collect();
    if !shown.is_empty() {
        out.push_str("\nSuggested, for you to complete (display-only):\n\n");
        for finding in shown {
            let fix = finding.fix.as_ref().unwrap();
            let patched = apply_edits(&file.text, fix.edits.iter());
            out.push_str(&output::unified_diff(&file.path, &file.text, &patched));
        }
    }
    out
}

fn assert_snapshot(dir: &Path, name: &str, content: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, content));
}

/// Comment lines that no edit touches must still be in the patched text.
fn assert_comments_kept(original: &str, patched: &str, finding: &Finding) {
    let fix = finding.fix.as_ref().unwrap();
    let mut offset = 0;
    for line in original.split_inclusive('\n') {
        let range = offset..offset + line.len();
        offset += line.len();
        let Some(comment) = line
            .find(" #")
            .map(|i| &line[i..])
            .or(line.trim_start().starts_with('#').then_some(line))
        else {
            continue;
        };
        let touched = fix
            .edits
            .iter()
            .any(|e| e.range.start < range.end && range.start < e.range.end.max(e.range.start + 1));
        if !touched {
            assert!(
                patched.contains(comment.trim_end()),
                "fix `{}` lost the comment {comment:?}",
                fix.title
            );
        }
    }
}

#[test]
fn every_rule_has_fixtures_and_snapshots() {
    for entry in rules::REGISTRY.iter() {
        let dir = fixtures_dir().join(entry.meta.id);
        let checker = checker_for(entry.meta.id);
        for name in ["invalid", "valid"] {
            let path = fixture(&dir, name);
            let file = load(&path);
            let report = checker.check(std::slice::from_ref(&file));
            let found = of_rule(&report.findings, entry.meta.id);
            if name == "valid" {
                assert!(
                    clean(&report.findings, entry.meta.id),
                    "{}: valid fixture reports {:#?}",
                    entry.meta.id,
                    report.findings
                );
            } else {
                assert!(
                    !found.is_empty(),
                    "{}: invalid fixture reports nothing",
                    entry.meta.id
                );
            }
            assert_snapshot(&dir, name, snapshot_text(&checker, &file));
        }
    }
}

#[test]
fn every_fix_parses_cures_keeps_comments_and_is_idempotent() {
    for (entry, path) in rules::REGISTRY.iter().flat_map(|e| {
        invalid_fixtures(&fixtures_dir().join(e.meta.id))
            .into_iter()
            .map(move |p| (e, p))
    }) {
        let file = load(&path);
        let files = [file.clone()];
        let checker = checker_for(entry.meta.id);
        let report = checker.check(&files);
        let before_syntax = of_rule(&report.findings, "yaml-syntax-error").len();
        for finding in report.findings.iter().filter(|f| f.fix.is_some()) {
            let fix = finding.fix.as_ref().unwrap();
            let patched = apply_edits(&file.text, fix.edits.iter());
            let after = checker.check(&[SourceFile::new(file.path.clone(), patched.clone())]);
            assert_eq!(
                of_rule(&after.findings, "yaml-syntax-error").len(),
                before_syntax,
                "fix `{}` broke the YAML:\n{patched}",
                fix.title
            );
            assert_comments_kept(&file.text, &patched, finding);
            // Runtime evidence (a describe, a log line) stays in the paste after the manifest is
            // patched, so only findings read from manifests must disappear.
            let reads_manifests = rules::find(finding.rule)
                .is_some_and(|m| m.reads == kubeclinic_engine::rule::Reads::Manifests);
            if fix.applicability == Applicability::DisplayOnly || !reads_manifests {
                continue;
            }
            assert!(
                !after.findings.iter().any(|f| f.rule == finding.rule
                    && f.range.start == finding.range.start
                    && f.message == finding.message),
                "fix `{}` did not cure: {}",
                fix.title,
                finding.message
            );
        }
        let once = checker.fix(&files, Applicability::Unsafe);
        let twice = checker.fix(&once.files, Applicability::Unsafe);
        assert!(once.converged);
        assert_eq!(
            once.files[0].text, twice.files[0].text,
            "{}: fixing twice changed the text",
            entry.meta.id
        );
        assert!(twice.applied.is_empty());
    }
}

#[test]
fn doc_examples_fail_and_their_fixed_versions_pass() {
    for entry in rules::REGISTRY.iter() {
        let meta = entry.meta;
        for heading in [
            "What it does",
            "Why is this bad?",
            "Example",
            "Use instead",
            "Fix safety",
        ] {
            assert!(
                meta.section(heading).is_some_and(|s| !s.is_empty()),
                "{}: no `{heading}` section",
                meta.id
            );
        }
        let bad = meta.example("Example").unwrap();
        let good = meta.example("Use instead").unwrap();
        let checker = checker_for(meta.id);
        let bad_report = checker.check(&[SourceFile::new("example.yaml", bad)]);
        assert_eq!(
            of_rule(&bad_report.findings, meta.id).len(),
            1,
            "{}: the Example must produce exactly one finding",
            meta.id
        );
        let good_report = checker.check(&[SourceFile::new("use-instead.yaml", good)]);
        assert!(
            clean(&good_report.findings, meta.id),
            "{}: Use instead reports {:#?}",
            meta.id,
            good_report.findings
        );
    }
}

#[test]
fn rule_ids_are_unique_kebab_case() {
    let mut ids: Vec<&str> = rules::REGISTRY.iter().map(|e| e.meta.id).collect();
    for id in &ids {
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id}"
        );
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rules::REGISTRY.len());
}

#[test]
fn the_incident_example_is_fully_explained() {
    let file = load(&fixtures_dir().join("examples/petrosa-extractor.yaml"));
    assert_snapshot(
        &fixtures_dir().join("examples"),
        "petrosa-extractor",
        snapshot_text(kubeclinic_engine::settings::default_checker(), &file),
    );
}

#[test]
fn the_crash_loop_example_has_one_finding_per_root_cause() {
    let file = load(&fixtures_dir().join("examples/bot-crashloop.txt"));
    let report = check(std::slice::from_ref(&file));
    // Errors and warnings: the best-practice infos (no probes, no requests) are no causes.
    let rules: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity >= kubeclinic_engine::Severity::Warning)
        .map(|f| f.rule)
        .collect();
    assert_eq!(
        rules,
        [
            "localhost-connection",
            "image-not-found",
            "plaintext-secret-env",
            "image-tag-latest"
        ]
    );
    assert_snapshot(
        &fixtures_dir().join("examples"),
        "bot-crashloop",
        snapshot_text(kubeclinic_engine::settings::default_checker(), &file),
    );
}

/// Every `invalid*` fixture of a rule (`invalid.yaml`, `invalid-json.yaml`, `invalid.txt`...).
fn invalid_fixtures(dir: &Path) -> Vec<PathBuf> {
    fixture_files::fixtures(dir, &["invalid"])
}
