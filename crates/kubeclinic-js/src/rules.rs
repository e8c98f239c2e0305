//! Every rule with its documentation, written once in the rule's doc comment.

use kubeclinic_engine::rule::{self, RuleMeta};
use kubeclinic_engine::rules::REGISTRY;
use serde::Serialize;
use tsify::Tsify;

use crate::input::Profile;
use crate::report::Severity;

/// Whether a rule's findings come with a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// What a rule reads: manifests, kubectl output (`runtime`), or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "lowercase")]
pub enum Reads {
    Manifests,
    Runtime,
    Both,
}

/// An option a rule takes in `settings.options[<rule id>]`, a list of strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
pub struct RuleOption {
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct RuleDoc {
    /// Stable kebab-case id that reads as the problem (`netpol-selects-nothing`).
    pub id: String,
    /// `api`, `networking`, `images`, `security`...: what `select` and `ignore` also take.
    pub category: String,
    /// The default severity.
    pub severity: Severity,
    pub fix: FixAvailability,
    pub reads: Reads,
    /// The least profile that runs the rule.
    pub profile: Profile,
    /// Rules whose finding at the same place replaces this rule's.
    pub explained_by: Vec<String>,
    pub options: Vec<RuleOption>,
    /// The first sentence of "What it does", on one line.
    pub summary: String,
    /// The whole documentation as Markdown: What it does, Why is this bad?, Example, Use
    /// instead, Fix safety.
    pub docs: String,
}

/// Wrapped so that `rules()` has a named type in TypeScript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Tsify)]
#[serde(transparent)]
pub struct RuleDocs(pub Vec<RuleDoc>);

pub fn rule_docs() -> RuleDocs {
    RuleDocs(REGISTRY.iter().map(|entry| doc(entry.meta)).collect())
}

fn doc(meta: &RuleMeta) -> RuleDoc {
    RuleDoc {
        id: meta.id.to_string(),
        category: meta.category.as_str().to_string(),
        severity: meta.severity.into(),
        fix: match meta.fix {
            rule::FixAvailability::None => FixAvailability::None,
            rule::FixAvailability::Sometimes => FixAvailability::Sometimes,
            rule::FixAvailability::Always => FixAvailability::Always,
        },
        reads: match meta.reads {
            rule::Reads::Manifests => Reads::Manifests,
            rule::Reads::Runtime => Reads::Runtime,
            rule::Reads::Both => Reads::Both,
        },
        profile: meta.profile.into(),
        explained_by: meta.explained_by.iter().map(|id| id.to_string()).collect(),
        options: meta
            .options
            .iter()
            .map(|o| RuleOption {
                name: o.name.to_string(),
                description: o.description.to_string(),
            })
            .collect(),
        summary: summary(meta),
        docs: meta.markdown(),
    }
}

/// The first sentence of what the rule does, on one line, as `kubeclinic rules` lists it.
fn summary(meta: &RuleMeta) -> String {
    let what = meta.section("What it does").unwrap_or_default();
    let flat = what.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(end) => flat[..=end].to_string(),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_one_line_summary_and_its_docs() {
        let RuleDocs(docs) = rule_docs();
        assert_eq!(docs.len(), REGISTRY.len());
        for rule in &docs {
            assert!(!rule.summary.is_empty(), "{} has no summary", rule.id);
            assert!(!rule.summary.contains('\n'), "{}", rule.id);
            assert!(rule.docs.contains("## Why is this bad?"), "{}", rule.id);
        }
        let netpol = docs
            .iter()
            .find(|r| r.id == "netpol-selects-nothing")
            .unwrap();
        assert_eq!(netpol.category, "networking");
        let meta = kubeclinic_engine::rules::find("netpol-selects-nothing").unwrap();
        assert_eq!(netpol.severity, meta.severity.into());
        assert_eq!(netpol.docs, meta.markdown());
    }
}
