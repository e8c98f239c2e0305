//! Coverage-guided fuzz targets (bolero) for the YAML layer, the paste reader, the whole check
//! and the fix loop. Each input picks a fixture or fragment of the repository and edits it
//! (inserts, deletes, cuts and repeats bytes), so the fuzzer starts from what people paste.
//!
//! `cargo test --test fuzz_targets` runs each target for a short random run (CI does);
//! `scripts/fuzz.sh` runs one target under libFuzzer for as long as asked.

use std::sync::OnceLock;

use kubeclinic_engine::text::TextRange;
use kubeclinic_engine::{check, fix, Applicability, SourceFile};

/// One edit of a seed: where (a share of its length), what, and the bytes.
type Op = (u16, u8, Vec<u8>);

fn seeds() -> &'static [String] {
    static SEEDS: OnceLock<Vec<String>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
        let mut out = Vec::new();
        let mut dirs = vec![root.join("fixtures"), root.join("fragments")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "txt") {
                    out.extend(std::fs::read_to_string(path).ok());
                }
            }
        }
        out.sort();
        out
    })
}

/// The seed `pick` names, with `ops` applied: what the fuzzer hands each target.
fn paste(pick: u16, ops: &[Op]) -> String {
    let seeds = seeds();
    let mut text: Vec<u8> = seeds[usize::from(pick) % seeds.len()].clone().into_bytes();
    for (at, kind, bytes) in ops.iter().take(16) {
        let at = usize::from(*at) * text.len() / usize::from(u16::MAX).max(1);
        let at = at.min(text.len());
        match kind % 4 {
            0 => {
                text.splice(at..at, bytes.iter().copied().take(64));
            }
            1 => {
                let end = (at + bytes.len()).min(text.len());
                text.drain(at..end);
            }
            2 => text.truncate(at),
            _ => {
                let end = (at + bytes.len() * 8).min(text.len());
                let copy = text[at..end].to_vec();
                text.splice(at..at, copy);
            }
        }
    }
    // The engine takes text: invalid bytes arrive as replacement characters, as in the page.
    String::from_utf8_lossy(&text).into_owned()
}

fn in_text(text: &str, range: TextRange) -> bool {
    range.start <= range.end
        && range.end <= text.len()
        && text.is_char_boundary(range.start)
        && text.is_char_boundary(range.end)
}

fn spans_inside(text: &str, node: &kubeclinic_engine::yaml::Node, depth: usize) {
    assert!(in_text(text, node.span), "{:?} outside the text", node.span);
    if depth > 64 {
        return;
    }
    for entry in node.entries() {
        spans_inside(text, &entry.key, depth + 1);
        spans_inside(text, &entry.value, depth + 1);
    }
    for item in node.items() {
        spans_inside(text, item, depth + 1);
    }
}

/// How long each target runs under `cargo test`: `KUBECLINIC_FUZZ_ITERATIONS`, 300 by default.
fn iterations() -> usize {
    std::env::var("KUBECLINIC_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

#[test]
fn yaml_layer() {
    bolero::check!()
        .with_type::<(u16, Vec<Op>)>()
        .with_iterations(iterations())
        .for_each(|(pick, ops)| {
            let text = paste(*pick, ops);
            let mut last = 0;
            for document in kubeclinic_engine::yaml::parse_stream(&text) {
                assert!(in_text(&text, document.range));
                assert!(document.range.start >= last, "documents out of order");
                last = document.range.start;
                if let Some(root) = &document.root {
                    spans_inside(&text, root, 0);
                }
                if let Some(error) = &document.error {
                    assert!(error.at <= text.len() && !error.message.is_empty());
                }
            }
        });
}

#[test]
fn paste_reader() {
    bolero::check!()
        .with_type::<(u16, Vec<Op>)>()
        .with_iterations(iterations())
        .for_each(|(pick, ops)| {
            let text = paste(*pick, ops);
            let runtime = kubeclinic_engine::runtime::read(&text);
            for event in &runtime.events {
                assert!(in_text(&text, event.line), "{:?}", event.line);
            }
            for log in &runtime.logs {
                assert!(in_text(&text, log.line), "{:?}", log.line);
            }
            for range in runtime.manifest_ranges() {
                assert!(in_text(&text, range), "{range:?}");
            }
        });
}

#[test]
fn whole_check() {
    bolero::check!()
        .with_type::<(u16, Vec<Op>)>()
        .with_iterations(iterations())
        .for_each(|(pick, ops)| {
            let text = paste(*pick, ops);
            let report = check(&[SourceFile::new("fuzz.txt", text.clone())]);
            for finding in &report.findings {
                assert!(
                    in_text(&text, finding.range),
                    "{}: {:?}",
                    finding.rule,
                    finding.range
                );
                for related in &finding.related {
                    assert!(in_text(&text, related.range), "{}", finding.rule);
                }
                for edit in finding.fix.iter().flat_map(|f| &f.edits) {
                    assert!(in_text(&text, edit.range), "{}", finding.rule);
                }
            }
            // Text that holds anything gets a finding or was understood: never a silent
            // all-clear.
            if report.findings.is_empty() && text.lines().any(|l| !l.trim().is_empty()) {
                let quiet = text.lines().all(|l| {
                    let t = l.trim();
                    t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
                });
                assert!(
                    quiet || report.understood(),
                    "nothing understood, nothing said"
                );
            }
        });
}

#[test]
fn fix_loop() {
    bolero::check!()
        .with_type::<(u16, Vec<Op>)>()
        .with_iterations(iterations() / 3)
        .for_each(|(pick, ops)| {
            let text = paste(*pick, ops);
            let files = [SourceFile::new("fuzz.yaml", text.clone())];
            let before = check(&files)
                .findings
                .iter()
                .filter(|f| f.rule == "yaml-syntax-error")
                .count();
            let once = fix(&files, Applicability::Unsafe);
            assert!(once.converged, "fixes did not settle");
            // A fix never breaks the YAML it edits.
            let after = once
                .remaining
                .findings
                .iter()
                .filter(|f| f.rule == "yaml-syntax-error")
                .count();
            assert!(
                after <= before,
                "a fix broke the YAML:\n{}",
                once.files[0].text
            );
            // Fixing the fixed text changes nothing, but for fixes proven by the cluster's
            // output in the same paste (an event stays after its fix): those apply once per
            // run, and a second run may take them again.
            let twice = fix(&once.files, Applicability::Unsafe);
            let from_cluster = |rule: &str| {
                kubeclinic_engine::rules::find(rule)
                    .is_some_and(|m| m.reads != kubeclinic_engine::rule::Reads::Manifests)
            };
            assert!(
                twice.applied.iter().all(|a| from_cluster(a.rule)),
                "fixing twice changed the text: {:?}",
                twice.applied.iter().map(|a| &a.title).collect::<Vec<_>>()
            );
        });
}
