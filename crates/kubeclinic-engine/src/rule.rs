//! The shape every rule has: metadata and docs written once, then detect -> finding -> fix.

use serde::Serialize;

use crate::diagnostic::{Diagnostic, FileId, Finding, Fix, Related, Severity};
use crate::model::Workspace;
use crate::settings::Profile;
use crate::text::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Syntax,
    /// The Kubernetes API: served apiVersions, fields, types and names.
    Api,
    Networking,
    Images,
    /// Containers that start and then fail: crashes, OOM kills, probes.
    Containers,
    Scheduling,
    /// ConfigMaps, Secrets and the keys pods read from them.
    Configuration,
    Storage,
    Security,
    /// The cluster runs something else than the manifests say.
    Drift,
    /// Workloads' own consistency: selectors, resources, environment, schedules.
    Workloads,
    /// Roles and bindings: who may do what.
    Rbac,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Api => "api",
            Category::Networking => "networking",
            Category::Images => "images",
            Category::Containers => "containers",
            Category::Scheduling => "scheduling",
            Category::Configuration => "configuration",
            Category::Storage => "storage",
            Category::Security => "security",
            Category::Drift => "drift",
            Category::Workloads => "workloads",
            Category::Rbac => "rbac",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

/// What a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reads {
    Manifests,
    Runtime,
    Both,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuleMeta {
    /// Stable kebab-case id that reads as the problem.
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub fix: FixAvailability,
    pub reads: Reads,
    /// The least profile that runs the rule: by default `minimal` for errors (what breaks a
    /// deployment) and `recommended` for the rest.
    pub profile: Profile,
    /// Rules whose findings explain this rule's: a crash loop is explained by the
    /// connection refused in its logs. Applied once, after every rule ran: a finding of one
    /// of these rules at this finding's place or evidence replaces it.
    pub explained_by: &'static [&'static str],
    /// The options the rule takes (`Settings.options[<rule id>]`), each a list of strings.
    pub options: &'static [RuleOption],
    /// The rule's doc comment: What it does / Why is this bad? / Example / Use instead / Fix safety.
    /// Empty when the engine is built without its `docs` feature.
    pub docs: &'static str,
}

impl RuleMeta {
    /// One section of the docs, such as `What it does`, without its heading.
    pub fn section(&self, heading: &str) -> Option<String> {
        let marker = format!("## {heading}");
        let mut lines = self.docs.lines().map(|l| l.strip_prefix(' ').unwrap_or(l));
        lines.find(|l| l.trim() == marker)?;
        let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
        Some(body.join("\n").trim().to_string())
    }

    /// The first fenced code block of a section: the doc examples that tests run.
    pub fn example(&self, heading: &str) -> Option<String> {
        let section = self.section(heading)?;
        let mut lines = section.lines();
        lines.find(|l| l.starts_with("```"))?;
        let body: Vec<&str> = lines.take_while(|l| !l.starts_with("```")).collect();
        Some(body.join("\n") + "\n")
    }

    /// The docs with the leading space rustdoc keeps on each line removed.
    pub fn markdown(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string()
    }
}

/// One option of a rule: its name and what it means.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct RuleOption {
    pub name: &'static str,
    pub description: &'static str,
}

/// The profile a rule declares, else the one its severity implies.
pub const fn profile_of(declared: &[Profile], severity: Severity) -> Profile {
    match (declared, severity) {
        ([profile], _) => *profile,
        (_, Severity::Error) => Profile::Minimal,
        _ => Profile::Recommended,
    }
}

pub trait Meta {
    const META: RuleMeta;
}

/// A rule in three steps (as Biome splits them): find the problems, say what they are, and
/// offer edits.
pub trait Rule: Meta {
    /// What `detect` found; may borrow from the inputs.
    type State<'a>;
    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Self::State<'a>>;
    fn finding<'a>(ws: &Workspace<'a>, state: &Self::State<'a>) -> Diagnostic;
    fn fix<'a>(_ws: &Workspace<'a>, _state: &Self::State<'a>) -> Option<Fix> {
        None
    }
    /// The places read to reach the finding, besides its own range (see
    /// [`RuleMeta::explained_by`]).
    fn evidence<'a>(_ws: &Workspace<'a>, _state: &Self::State<'a>) -> Vec<(FileId, TextRange)> {
        Vec::new()
    }
    /// Secondary labels: other places that belong to the finding.
    fn related<'a>(_ws: &Workspace<'a>, _state: &Self::State<'a>) -> Vec<Related> {
        Vec::new()
    }
}

/// A registered rule with its type erased.
#[derive(Clone, Copy)]
pub struct RuleEntry {
    pub meta: &'static RuleMeta,
    pub run: fn(&Workspace) -> Vec<Finding>,
}

impl RuleEntry {
    pub const fn of<R: Rule>() -> Self {
        Self {
            meta: &R::META,
            run: run::<R>,
        }
    }
}

fn run<R: Rule>(ws: &Workspace<'_>) -> Vec<Finding> {
    R::detect(ws)
        .iter()
        .map(|state| {
            let d = R::finding(ws, state);
            Finding {
                rule: R::META.id,
                severity: d.severity.unwrap_or(R::META.severity),
                file: d.file,
                range: d.range,
                message: d.message,
                why: d.why,
                help: d.help,
                object: d.object,
                // A container a paste does not name is no container name.
                container: d.container.filter(|c| !c.is_empty()),
                // Filled in once all rules ran, from the finding's document.
                source: None,
                fix: R::fix(ws, state),
                evidence: R::evidence(ws, state),
                related: R::related(ws, state),
            }
        })
        .collect()
}

/// A rule's doc comment as one string, with the `docs` feature.
#[cfg(feature = "docs")]
#[doc(hidden)]
#[macro_export]
macro_rules! rule_docs {
    ($($doc:expr),*) => {
        concat!($($doc, "\n"),*)
    };
}

/// Without the `docs` feature a rule keeps no doc text (the web app fetches it).
#[cfg(not(feature = "docs"))]
#[doc(hidden)]
#[macro_export]
macro_rules! rule_docs {
    ($($doc:expr),*) => {
        ""
    };
}

/// Declares a rule type whose doc comment is also kept as a string for `kubeclinic rules`,
/// the web app's rule reference and the doc-example tests.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        pub struct $name:ident {
            id: $id:literal,
            category: $category:ident,
            severity: $severity:ident,
            fix: $fix:ident,
            reads: $reads:ident
            $(, profile: $profile:ident)?
            $(, explained_by: [$($by:literal),* $(,)?])?
            $(, options: [$($option:literal => $option_doc:literal),* $(,)?])? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::rule::Meta for $name {
            const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                id: $id,
                category: $crate::rule::Category::$category,
                severity: $crate::diagnostic::Severity::$severity,
                fix: $crate::rule::FixAvailability::$fix,
                reads: $crate::rule::Reads::$reads,
                profile: $crate::rule::profile_of(
                    &[$($crate::settings::Profile::$profile)?],
                    $crate::diagnostic::Severity::$severity,
                ),
                explained_by: &[$($($by),*)?],
                options: &[$($($crate::rule::RuleOption { name: $option, description: $option_doc }),*)?],
                docs: $crate::rule_docs!($($doc),*),
            };
        }
    };
}

/// Drops the findings that another rule's finding explains (see [`RuleMeta::explained_by`]).
pub fn drop_explained(
    findings: &mut Vec<Finding>,
    meta: impl Fn(&str) -> Option<&'static RuleMeta>,
) {
    // Findings by rule, so each looks only at the rules that may explain it.
    let mut by_rule: std::collections::HashMap<&str, Vec<&Finding>> =
        std::collections::HashMap::new();
    for f in findings.iter() {
        by_rule.entry(f.rule).or_default().push(f);
    }
    let explained: Vec<bool> = findings
        .iter()
        .map(|f| {
            let Some(by) = meta(f.rule)
                .map(|m| m.explained_by)
                .filter(|b| !b.is_empty())
            else {
                return false;
            };
            let places: Vec<(FileId, TextRange)> = std::iter::once((f.file, f.range))
                .chain(f.evidence.iter().copied())
                .collect();
            let candidates = by.iter().filter_map(|rule| by_rule.get(rule)).flatten();
            candidates.into_iter().any(|g| {
                // The explaining finding's own place within this one's places, or the place its
                // fix edits or labels (a log line's finding whose fix mends this very value)
                // overlapping this one's range.
                let at = |file: FileId, range: TextRange| {
                    places
                        .iter()
                        .any(|(f2, r)| *f2 == file && r.contains_range(range))
                };
                let mends = |file: FileId, range: TextRange| {
                    file == f.file
                        && (range.contains_range(f.range) || f.range.contains_range(range))
                };
                at(g.file, g.range)
                    || g.fix
                        .iter()
                        .flat_map(|x| &x.edits)
                        .any(|e| mends(e.file, e.range))
                    || g.related.iter().any(|r| mends(r.file, r.range))
            })
        })
        .collect();
    let mut flags = explained.into_iter();
    findings.retain(|_| !flags.next().unwrap_or(false));
}
