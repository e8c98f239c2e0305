//! Kubeclinic's engine: Kubernetes manifests in, findings and fixes out.
//!
//! Pure by design: no files, clock, printing or browser APIs. The CLI and the web app are thin
//! shells over [`check`], [`fix`] and the renderers in [`output`].

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

impl Checker {
    /// Runs the chosen rules over the set.
    pub fn check(&self, files: &[SourceFile]) -> Report {
        let parsed = Parsed::new(files);
        let ws = Workspace::with_checker(&parsed, self);
        let mut findings: Vec<Finding> = self
            .rules()
            .iter()
            .flat_map(|entry| {
                let mut found = (entry.run)(&ws);
                let severity = self.severity_of(entry.meta.id, entry.meta.severity);
                for f in &mut found {
                    // A finding the rule itself made quieter (history) stays so.
                    if f.severity == entry.meta.severity {
                        f.severity = severity;
                    }
                }
                found
            })
            .collect();
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
        Report {
            findings,
            objects: ws.objects.len(),
            observed_pods: ws.pods.len(),
            reading: parsed.runtime.iter().map(|r| r.reading).collect(),
            suppressed,
        }
    }

    /// Applies every fix at or above `threshold`, re-checking with these settings.
    pub fn fix(&self, files: &[SourceFile], threshold: Applicability) -> FixOutcome {
        fix::fix_with(self, files, threshold)
    }
}
