//! Kubeclinic's engine: Kubernetes manifests in, findings and fixes out.
//!
//! Pure by design: no files, clock, printing or browser APIs. The CLI and the web app are thin
//! shells over [`check`], [`fix`] and the renderers in [`output`].

pub mod cel;
pub mod config;
pub mod diagnostic;
pub mod fix;
pub mod graph;
pub mod labels;
pub mod model;
pub mod output;
pub mod patch;
pub mod provides;
pub mod quantity;
pub mod rule;
pub mod rules;
pub mod runtime;
pub mod schema;
pub mod settings;
pub mod similarity;
pub mod suppression;
pub mod text;
pub mod yaml;

pub use config::{Config, ConfigError};
pub use diagnostic::{Applicability, Edit, FileId, Finding, Fix, ObjectRef, Related, Severity};
pub use fix::{fix, FixOutcome};
pub use graph::{graph, Graph, GraphEdge, GraphNode, NodeRole, Relation};
pub use model::SourceFile;
pub use settings::{Checker, CheckerSet, KubeVersion, Profile, Settings, SettingsError};
pub use suppression::Suppressed;
pub use text::{LineColumn, LineIndex, PositionEncoding, TextRange};

use model::{Parsed, Workspace};

/// Inputs larger than this are refused with a finding instead of being parsed.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Sorted by input, then position, then rule id.
    pub findings: Vec<Finding>,
    /// Kubernetes objects read from the inputs.
    pub objects: usize,
    /// Pods as the cluster showed them (describe, pod tables, statuses, events naming them).
    pub observed_pods: usize,
    /// Per input, how many lines were read as what (manifest, describe, events, prose...).
    pub reading: Vec<runtime::Reading>,
    /// Findings an annotation or a comment in the inputs asked not to show.
    pub suppressed: Vec<Suppressed>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// False when no line of any input was read as a manifest or kubectl output: an empty
    /// list of findings then means "not understood", never "no problems".
    pub fn understood(&self) -> bool {
        self.objects > 0
            || self.observed_pods > 0
            || self.reading.iter().any(|r| r.understood() > 0)
    }

    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// Checks a set of inputs together (a NetworkPolicy in one file can select pods in another),
/// with the default settings.
pub fn check(files: &[SourceFile]) -> Report {
    settings::default_checker().check(files)
}

/// Where a check spent its time, in the clock's units (the engine has no clock of its own:
/// the caller passes one, see [`Checker::check_timed`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timings {
    /// Reading every input: YAML, JSON and kubectl output.
    pub parse: u64,
    /// Each rule that ran, in registry order. The facts rules share (links, labels, schema
    /// issues) are computed once, and charged to the first rule that asks for them.
    pub rules: Vec<(&'static str, u64)>,
    /// Explained findings, suppressions and sorting.
    pub finish: u64,
}

impl Timings {
    pub fn total(&self) -> u64 {
        self.parse + self.rules.iter().map(|(_, t)| t).sum::<u64>() + self.finish
    }

    /// Adds another check's timings (a set checked by several checkers).
    pub fn add(&mut self, other: &Timings) {
        self.parse += other.parse;
        self.finish += other.finish;
        for (id, t) in &other.rules {
            match self.rules.iter_mut().find(|(mine, _)| mine == id) {
                Some((_, mine)) => *mine += t,
                None => self.rules.push((id, *t)),
            }
        }
    }
}

impl Checker {
    /// Runs the chosen rules over the set.
    pub fn check(&self, files: &[SourceFile]) -> Report {
        self.check_timed(files, &mut || 0).0
    }

    /// [`Self::check`], timing each phase and rule with `clock` (any monotonic counter:
    /// nanoseconds from `std::time::Instant`, `performance.now()` in microseconds...).
    pub fn check_timed(
        &self,
        files: &[SourceFile],
        clock: &mut dyn FnMut() -> u64,
    ) -> (Report, Timings) {
        let mut timings = Timings::default();
        let start = clock();
        let parsed = Parsed::new(files);
        let ws = Workspace::with_checker(&parsed, self);
        let mut last = clock();
        timings.parse = last.saturating_sub(start);
        let mut findings: Vec<Finding> = Vec::new();
        for entry in self.rules() {
            let mut found = (entry.run)(&ws);
            let severity = self.severity_of(entry.meta.id, entry.meta.severity);
            for f in &mut found {
                // A finding the rule itself made quieter (history) stays so.
                if f.severity == entry.meta.severity {
                    f.severity = severity;
                }
            }
            findings.append(&mut found);
            let now = clock();
            timings
                .rules
                .push((entry.meta.id, now.saturating_sub(last)));
            last = now;
        }
        rule::drop_explained(&mut findings, rules::find);
        let (mut findings, mut suppressed) = suppression::apply(&ws, findings);
        for f in findings
            .iter_mut()
            .chain(suppressed.iter_mut().map(|s| &mut s.finding))
        {
            f.source = parsed
                .helm_source_at(f.file, f.range.start)
                .or_else(|| f.object.as_ref().and_then(|o| o.source.clone()));
        }
        findings.sort_by(|a, b| {
            (a.file, a.range.start, a.rule, &a.message).cmp(&(
                b.file,
                b.range.start,
                b.rule,
                &b.message,
            ))
        });
        let report = Report {
            findings,
            objects: ws.objects.len(),
            observed_pods: ws.pods.len(),
            reading: parsed.runtime.iter().map(|r| r.reading).collect(),
            suppressed,
        };
        timings.finish = clock().saturating_sub(last);
        (report, timings)
    }

    /// Applies every fix at or above `threshold`, re-checking with these settings.
    pub fn fix(&self, files: &[SourceFile], threshold: Applicability) -> FixOutcome {
        fix::fix_with(self, files, threshold)
    }
}
