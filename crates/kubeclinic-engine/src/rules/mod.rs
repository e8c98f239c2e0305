//! Every rule, registered once. Each rule lives in its own file under its category, and each
//! category lists its rules in its `RULES`.

pub mod api;
pub mod configuration;
pub mod containers;
pub mod drift;
pub mod evidence;
pub mod images;
pub mod networking;
pub mod rbac;
pub mod scheduling;
pub mod security;
pub mod storage;
pub mod syntax;
pub mod workloads;

use std::sync::LazyLock;

use crate::rule::{RuleEntry, RuleMeta};

/// All rules, category by category.
pub static REGISTRY: LazyLock<Vec<RuleEntry>> = LazyLock::new(|| {
    [
        syntax::RULES,
        api::RULES,
        networking::RULES,
        images::RULES,
        containers::RULES,
        scheduling::RULES,
        configuration::RULES,
        storage::RULES,
        security::RULES,
        drift::RULES,
        workloads::RULES,
        rbac::RULES,
    ]
    .concat()
});

/// Looks a rule up by its id.
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    REGISTRY.iter().map(|e| e.meta).find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_explanations_name_real_rules() {
        let mut ids: Vec<&str> = REGISTRY.iter().map(|e| e.meta.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), before, "a rule id is used twice");
        for meta in REGISTRY.iter().map(|e| e.meta) {
            for by in meta.explained_by {
                assert!(
                    find(by).is_some(),
                    "{}: explained by unknown rule {by}",
                    meta.id
                );
                assert_ne!(*by, meta.id, "{} explains itself", meta.id);
            }
        }
    }

    #[test]
    fn a_finding_at_the_evidence_of_another_replaces_it() {
        use crate::diagnostic::{Finding, Severity};
        use crate::text::TextRange;
        let finding = |rule, at: usize, evidence: Vec<(usize, TextRange)>| Finding {
            rule,
            severity: Severity::Error,
            file: 0,
            range: TextRange::new(at, at + 5),
            message: String::new(),
            why: String::new(),
            help: None,
            object: None,
            container: None,
            source: None,
            fix: None,
            evidence,
            related: Vec::new(),
        };
        let log = TextRange::new(100, 140);
        let mut findings = vec![
            finding("crashloop-app-error", 10, vec![(0, log)]),
            finding("localhost-connection", 110, Vec::new()),
        ];
        crate::rule::drop_explained(&mut findings, find);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, "localhost-connection");
        // Elsewhere (another file, or outside the evidence), it does not.
        let mut findings = vec![
            finding("crashloop-app-error", 10, vec![(0, log)]),
            finding("localhost-connection", 200, Vec::new()),
        ];
        crate::rule::drop_explained(&mut findings, find);
        assert_eq!(findings.len(), 2);
    }
}
