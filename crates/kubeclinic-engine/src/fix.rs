//! Applying fixes the way Ruff does: sort, skip what overlaps, re-check, repeat until stable.

use crate::diagnostic::{Applicability, Edit, FileId, Finding, Fix};
use crate::model::SourceFile;
use crate::settings::{default_checker, Checker};
use crate::Report;

/// Rounds of check-and-apply before giving up on reaching a stable text.
pub const MAX_ROUNDS: usize = 10;

#[derive(Clone, Debug)]
pub struct AppliedFix {
    pub rule: &'static str,
    pub title: String,
}

#[derive(Clone, Debug)]
pub struct FixOutcome {
    /// The patched text of every input, in input order.
    pub files: Vec<SourceFile>,
    pub applied: Vec<AppliedFix>,
    /// What is still reported on the patched text.
    pub remaining: Report,
    /// False when the cap on rounds was hit before the text stopped changing.
    pub converged: bool,
}

/// Applies every fix at or above `threshold`. Display-only fixes are never applied: they hold
/// placeholders.
pub fn fix(files: &[SourceFile], threshold: Applicability) -> FixOutcome {
    fix_with(default_checker(), files, threshold)
}

/// [`fix`] with the rules and severities of `checker`.
pub fn fix_with(checker: &Checker, files: &[SourceFile], threshold: Applicability) -> FixOutcome {
    fix_by(|files| checker.check(files), files, threshold)
}

/// [`fix`] re-checking with `check`: one checker, or one per input.
pub(crate) fn fix_by(
    check: impl Fn(&[SourceFile]) -> Report,
    files: &[SourceFile],
    threshold: Applicability,
) -> FixOutcome {
    let threshold = threshold.max(Applicability::Unsafe);
    let mut current: Vec<SourceFile> = files.to_vec();
    let mut applied: Vec<AppliedFix> = Vec::new();
    let mut seen: Vec<Fix> = Vec::new();
    // Findings proven by what the cluster printed (an event, a log line) whose fix edits a
    // manifest elsewhere: the evidence stays in the paste after the fix, so the finding
    // comes back. Their fix is applied once (by rule and the evidence's text), never
    // compounded (halving a request again and again).
    let mut applied_on: Vec<(&'static str, FileId, String)> = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let report = check(&current);
        let mut chosen: Vec<&Edit> = Vec::new();
        let mut round: Vec<AppliedFix> = Vec::new();
        let mut candidates: Vec<(&Finding, &Fix)> = report
            .findings
            .iter()
            .filter_map(|f| Some((f, f.fix.as_ref()?)))
            .filter(|(_, fix)| fix.applicability >= threshold && !fix.edits.is_empty())
            .collect();
        candidates.sort_by_key(|(_, fix)| first_edit(fix));
        // Each input's manifest regions, carved once per round when a finding asks.
        let mut manifests: Vec<Option<Vec<crate::text::TextRange>>> = vec![None; current.len()];
        for (finding, fix) in candidates {
            let rule = finding.rule;
            // A fix that comes back after being applied did not cure its finding: stop it
            // from looping.
            if seen.contains(fix) {
                continue;
            }
            let evidence_elsewhere = from_cluster(&current, &mut manifests, finding)
                && !fix
                    .edits
                    .iter()
                    .any(|e| e.file == finding.file && e.range.overlaps(finding.range));
            let evidence = current[finding.file]
                .text
                .get(finding.range.start..finding.range.end)
                .unwrap_or_default()
                .to_string();
            let key = (rule, finding.file, evidence);
            if evidence_elsewhere && applied_on.contains(&key) {
                continue;
            }
            let clashes = fix.edits.iter().any(|e| {
                e.range.end > current[e.file].text.len()
                    || chosen
                        .iter()
                        .any(|c| c.file == e.file && c.range.overlaps(e.range))
            });
            if clashes {
                continue;
            }
            chosen.extend(fix.edits.iter());
            seen.push(fix.clone());
            if evidence_elsewhere {
                applied_on.push(key);
            }
            round.push(AppliedFix {
                rule,
                title: fix.title.clone(),
            });
        }
        if chosen.is_empty() {
            return FixOutcome {
                files: current,
                applied,
                remaining: report,
                converged: true,
            };
        }
        let owned: Vec<Edit> = chosen.into_iter().cloned().collect();
        for (index, file) in current.iter_mut().enumerate() {
            file.text = apply_edits(&file.text, owned.iter().filter(|e| e.file == index));
        }
        applied.extend(round);
    }
    let remaining = check(&current);
    FixOutcome {
        files: current,
        applied,
        remaining,
        converged: false,
    }
}

/// True when `finding` stands on what the cluster printed (an event row, a describe field, a
/// log line) rather than in a manifest of its input. `manifests` caches each input's
/// manifest regions for the round.
fn from_cluster(
    files: &[SourceFile],
    manifests: &mut [Option<Vec<crate::text::TextRange>>],
    finding: &Finding,
) -> bool {
    use crate::runtime::regions::{carve, RegionKind};
    let reads_cluster =
        crate::rules::find(finding.rule).is_some_and(|m| m.reads != crate::rule::Reads::Manifests);
    if !reads_cluster {
        return false;
    }
    let regions = manifests[finding.file].get_or_insert_with(|| {
        carve(&files[finding.file].text)
            .into_iter()
            .filter(|r| r.kind == RegionKind::Manifest)
            .map(|r| r.range)
            .collect()
    });
    !regions.iter().any(|r| r.contains_range(finding.range))
}

fn first_edit(fix: &Fix) -> (usize, usize) {
    fix.edits
        .iter()
        .map(|e| (e.file, e.range.start))
        .min()
        .unwrap_or((usize::MAX, usize::MAX))
}

/// Applies non-overlapping edits of one text; every byte outside them is kept.
pub fn apply_edits<'e>(text: &str, edits: impl Iterator<Item = &'e Edit>) -> String {
    let mut edits: Vec<&Edit> = edits.collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for edit in edits {
        if edit.range.start < last {
            continue;
        }
        out.push_str(&text[last..edit.range.start]);
        out.push_str(&edit.content);
        last = edit.range.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextRange;

    #[test]
    fn a_fix_proven_by_an_event_is_applied_once() {
        // The FailedScheduling event stays in the paste after its fix halves the request:
        // the loop must not halve it again each round.
        let paste = include_str!(
            "../../../tests/fragments/scheduling/tail-events-insufficient-memory-deploy.txt"
        );
        let outcome = fix(
            &[SourceFile::new("paste.txt", paste)],
            Applicability::Unsafe,
        );
        assert!(outcome.converged);
        let halvings: Vec<&AppliedFix> = outcome
            .applied
            .iter()
            .filter(|a| a.rule == "insufficient-resources")
            .collect();
        assert_eq!(halvings.len(), 1, "{halvings:?}");
        assert!(outcome.files[0].text.contains("memory: 3Gi"));
    }

    #[test]
    fn edits_keep_every_other_byte() {
        let text = "a: 1 # keep\nb: 2\n";
        let edits = [
            Edit::replace(0, TextRange::new(3, 4), "10"),
            Edit::insert(0, text.len(), "c: 3\n"),
            Edit::delete(0, TextRange::new(12, 17)),
        ];
        assert_eq!(apply_edits(text, edits.iter()), "a: 10 # keep\nc: 3\n");
    }
}
