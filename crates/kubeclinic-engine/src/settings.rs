//! What a person chose: which rules run, how loud they are, the cluster's version. Resolved
//! once into a [`Checker`], which every front end (CLI, web app, npm package) calls.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Applicability, FileId, Severity};
use crate::fix::FixOutcome;
use crate::model::SourceFile;
use crate::rule::{RuleEntry, RuleMeta};
use crate::rules::REGISTRY;
use crate::Report;

/// How much to report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Only what breaks a deployment: it will not apply, start, pull, schedule or stay up.
    Minimal,
    /// What breaks, and what is a real risk in production (the default).
    #[default]
    Recommended,
    /// Adds Pod Security `restricted` and best practices.
    Strict,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Minimal => "minimal",
            Profile::Recommended => "recommended",
            Profile::Strict => "strict",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "minimal" => Some(Profile::Minimal),
            "recommended" => Some(Profile::Recommended),
            "strict" => Some(Profile::Strict),
            _ => None,
        }
    }
}

/// A Kubernetes minor version, such as `1.30`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl KubeVersion {
    /// The newest version the built-in knowledge covers: the default target.
    pub const NEWEST: KubeVersion = KubeVersion::new(1, 37);

    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// `1.30`, `v1.30`, `1.30.2`, `v1.30.2-eks-1234`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().trim_start_matches(['v', 'V']);
        let mut parts = text.split(['.', '-', '+']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Self { major, minor })
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Everything a person can choose. Unknown fields are ignored and missing ones take their
/// default, so a saved record from another version is never thrown away.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub profile: Profile,
    /// Rule ids or categories to run instead of the profile's rules (as Ruff's `select`).
    pub select: Vec<String>,
    /// Rule ids or categories to run besides the profile's (or `select`'s) rules.
    pub extend_select: Vec<String>,
    /// Rule ids or categories never to run.
    pub ignore: Vec<String>,
    /// The severity of a rule's findings, by rule id.
    pub severity: BTreeMap<String, Severity>,
    /// The cluster's version (`1.30`): what is deprecated or removed is judged against it.
    /// The newest known version when not set.
    pub kubernetes_version: Option<String>,
    /// Registries images may come from (`registry.example.com`, `ghcr.io/acme`); any
    /// registry when empty.
    pub allowed_registries: Vec<String>,
    /// Options of single rules, by rule id then option name: `{"image-tag-latest":
    /// {"movingTags": ["main", "stable"]}}`. Each rule lists the options it takes.
    pub options: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// A setting that names something that does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError(pub String);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

/// The settings, resolved: the rules to run with their severities.
#[derive(Clone)]
pub struct Checker {
    settings: Settings,
    rules: Vec<RuleEntry>,
    version: KubeVersion,
    /// What evaluates CRD validation rules and admission policies; none, and their
    /// expressions are listed as not evaluated.
    cel: Option<std::sync::Arc<dyn crate::cel::CelEvaluator>>,
}

impl Default for Checker {
    fn default() -> Self {
        Self::new(Settings::default()).expect("the default settings are valid")
    }
}

#[cfg(feature = "cel")]
fn builtin_cel() -> Option<std::sync::Arc<dyn crate::cel::CelEvaluator>> {
    Some(std::sync::Arc::new(crate::cel::KubeCel))
}

#[cfg(not(feature = "cel"))]
fn builtin_cel() -> Option<std::sync::Arc<dyn crate::cel::CelEvaluator>> {
    None
}

/// The checker of the default settings, built once.
pub fn default_checker() -> &'static Checker {
    static DEFAULT: std::sync::LazyLock<Checker> = std::sync::LazyLock::new(Checker::default);
    &DEFAULT
}

impl Checker {
    /// Resolves `settings`; a rule, category or version that does not exist is an error
    /// that names it (with the closest rule id), never silently ignored.
    pub fn new(settings: Settings) -> Result<Self, SettingsError> {
        for (what, list) in [
            ("select", &settings.select),
            ("extendSelect", &settings.extend_select),
            ("ignore", &settings.ignore),
        ] {
            for item in list {
                check_selector(what, item)?;
            }
        }
        for id in settings.severity.keys() {
            if crate::rules::find(id).is_none() {
                return Err(unknown_rule("severity", id));
            }
        }
        for (id, options) in &settings.options {
            let meta = crate::rules::find(id).ok_or_else(|| unknown_rule("options", id))?;
            for name in options.keys() {
                if !meta.options.iter().any(|o| o.name == name) {
                    let known: Vec<&str> = meta.options.iter().map(|o| o.name).collect();
                    return Err(SettingsError(format!(
                        "options: {id} has no option `{name}` ({})",
                        if known.is_empty() {
                            "it takes none".to_string()
                        } else {
                            format!("it takes {}", known.join(", "))
                        }
                    )));
                }
            }
        }
        let version = match &settings.kubernetes_version {
            None => KubeVersion::NEWEST,
            Some(text) => KubeVersion::parse(text).ok_or_else(|| {
                SettingsError(format!(
                    "kubernetesVersion `{text}` is not a version such as `1.30`"
                ))
            })?,
        };
        let chosen = |meta: &RuleMeta| {
            let selected = if settings.select.is_empty() {
                meta.profile <= settings.profile
            } else {
                settings.select.iter().any(|s| matches(meta, s))
            } || settings.extend_select.iter().any(|s| matches(meta, s));
            selected && !settings.ignore.iter().any(|s| matches(meta, s))
        };
        let rules = REGISTRY
            .iter()
            .copied()
            .filter(|e| chosen(e.meta))
            .collect();
        Ok(Self {
            settings,
            rules,
            version,
            cel: builtin_cel(),
        })
    }

    /// The same checker evaluating CEL with `evaluator` (the web page's CEL module).
    pub fn with_cel(mut self, evaluator: std::sync::Arc<dyn crate::cel::CelEvaluator>) -> Self {
        self.cel = Some(evaluator);
        self
    }

    /// The CEL evaluator, if the checker has one.
    pub fn cel(&self) -> Option<&dyn crate::cel::CelEvaluator> {
        self.cel.as_deref()
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The rules that run, in registry order.
    pub fn rules(&self) -> &[RuleEntry] {
        &self.rules
    }

    pub fn kubernetes_version(&self) -> KubeVersion {
        self.version
    }

    /// A rule's option, empty when not set.
    pub fn option(&self, rule: &str, name: &str) -> &[String] {
        self.settings
            .options
            .get(rule)
            .and_then(|o| o.get(name))
            .map_or(&[], Vec::as_slice)
    }

    /// The severity a finding of `rule` gets: the setting's, else the rule's own.
    pub fn severity_of(&self, rule: &str, own: Severity) -> Severity {
        self.settings.severity.get(rule).copied().unwrap_or(own)
    }
}

/// Inputs checked with settings of their own (a configuration file's overrides, or files
/// under different configuration files). The set is still read as one, so a NetworkPolicy
/// in one input still selects pods in another; each finding follows the settings of the
/// input it is in.
#[derive(Clone)]
pub struct CheckerSet {
    /// Each distinct checker with the inputs it judges.
    groups: Vec<(Checker, Vec<FileId>)>,
}

impl CheckerSet {
    /// One checker for every input.
    pub fn uniform(checker: Checker) -> Self {
        Self {
            groups: vec![(checker, Vec::new())],
        }
    }

    /// The settings of each input, in input order; equal settings share one checker.
    pub fn per_file(settings: Vec<Settings>) -> Result<Self, SettingsError> {
        let mut distinct: Vec<(Settings, Vec<FileId>)> = Vec::new();
        for (file, s) in settings.into_iter().enumerate() {
            match distinct.iter_mut().find(|(d, _)| *d == s) {
                Some((_, files)) => files.push(file),
                None => distinct.push((s, vec![file])),
            }
        }
        let groups = distinct
            .into_iter()
            .map(|(s, files)| Ok((Checker::new(s)?, files)))
            .collect::<Result<Vec<_>, SettingsError>>()?;
        Ok(match groups.len() {
            0 => Self::uniform(Checker::default()),
            1 => Self::uniform(groups.into_iter().next().expect("one group").0),
            _ => Self { groups },
        })
    }

    /// Checks the set; each input's findings come from its own checker.
    pub fn check(&self, files: &[SourceFile]) -> Report {
        self.check_timed(files, &mut || 0).0
    }

    /// [`Self::check`] with the time of each phase and rule, summed over the checkers.
    pub fn check_timed(
        &self,
        files: &[SourceFile],
        clock: &mut dyn FnMut() -> u64,
    ) -> (Report, crate::Timings) {
        if let [(checker, _)] = self.groups.as_slice() {
            return checker.check_timed(files, clock);
        }
        let mut timings = crate::Timings::default();
        let mut merged: Option<Report> = None;
        for (checker, mine) in &self.groups {
            let (mut report, spent) = checker.check_timed(files, clock);
            timings.add(&spent);
            report.findings.retain(|f| mine.contains(&f.file));
            report.suppressed.retain(|s| mine.contains(&s.finding.file));
            match &mut merged {
                None => merged = Some(report),
                Some(all) => {
                    all.findings.append(&mut report.findings);
                    all.suppressed.append(&mut report.suppressed);
                }
            }
        }
        let mut report = merged.unwrap_or_default();
        report.findings.sort_by(|a, b| {
            (a.file, a.range.start, a.rule, &a.message).cmp(&(
                b.file,
                b.range.start,
                b.rule,
                &b.message,
            ))
        });
        (report, timings)
    }

    /// Applies every fix at or above `threshold`, re-checking the set as [`Self::check`] does.
    pub fn fix(&self, files: &[SourceFile], threshold: Applicability) -> FixOutcome {
        crate::fix::fix_by(|files| self.check(files), files, threshold)
    }
}

/// A rule id, a category name, or `all`.
fn matches(meta: &RuleMeta, selector: &str) -> bool {
    selector == "all" || selector == meta.id || selector == meta.category.as_str()
}

fn check_selector(what: &str, item: &str) -> Result<(), SettingsError> {
    let known = item == "all"
        || REGISTRY
            .iter()
            .any(|e| e.meta.id == item || e.meta.category.as_str() == item);
    if known {
        Ok(())
    } else {
        Err(unknown_rule(what, item))
    }
}

fn unknown_rule(what: &str, item: &str) -> SettingsError {
    let ids = REGISTRY.iter().map(|e| e.meta.id);
    let hint = crate::similarity::nearest(item, ids)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    SettingsError(format!(
        "{what}: `{item}` is neither a rule id nor a category{hint} (`kubeclinic rules` lists them)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(checker: &Checker) -> Vec<&'static str> {
        checker.rules().iter().map(|e| e.meta.id).collect()
    }

    #[test]
    fn profiles_nest() {
        let at = |profile| {
            Checker::new(Settings {
                profile,
                ..Settings::default()
            })
            .unwrap()
            .rules()
            .len()
        };
        let (minimal, recommended, strict) = (
            at(Profile::Minimal),
            at(Profile::Recommended),
            at(Profile::Strict),
        );
        assert!(0 < minimal && minimal < recommended && recommended <= strict);
        assert_eq!(strict, REGISTRY.len());
    }

    #[test]
    fn select_replaces_the_profile_and_ignore_removes() {
        let checker = Checker::new(Settings {
            select: vec!["images".into(), "oom-killed".into()],
            ignore: vec!["image-tag-latest".into()],
            ..Settings::default()
        })
        .unwrap();
        let ids = ids(&checker);
        assert!(ids.contains(&"oom-killed"));
        assert!(ids.contains(&"image-not-found"));
        assert!(!ids.contains(&"image-tag-latest"));
        assert!(!ids.contains(&"missing-secret"));
    }

    #[test]
    fn extend_select_adds_to_the_profile() {
        let strict_only = REGISTRY
            .iter()
            .find(|e| e.meta.profile == Profile::Strict)
            .unwrap()
            .meta
            .id;
        let checker = Checker::new(Settings {
            extend_select: vec![strict_only.into()],
            ..Settings::default()
        })
        .unwrap();
        let default = Checker::default();
        assert!(ids(&checker).contains(&strict_only));
        assert_eq!(checker.rules().len(), default.rules().len() + 1);
        let bad = Checker::new(Settings {
            extend_select: vec!["nope-rule".into()],
            ..Settings::default()
        });
        assert!(bad
            .err()
            .unwrap()
            .0
            .starts_with("extendSelect: `nope-rule`"));
    }

    #[test]
    fn unknown_names_are_errors_with_a_suggestion() {
        let err = Checker::new(Settings {
            ignore: vec!["image-tag-lates".into()],
            ..Settings::default()
        })
        .err()
        .unwrap();
        assert!(err.0.contains("did you mean `image-tag-latest`"), "{err}");
        let err = Checker::new(Settings {
            kubernetes_version: Some("latest".into()),
            ..Settings::default()
        })
        .err()
        .unwrap();
        assert!(err.0.contains("kubernetesVersion"), "{err}");
    }

    #[test]
    fn rule_options_are_checked_against_what_the_rule_takes() {
        let with = |rule: &str, name: &str| {
            Checker::new(Settings {
                options: [(
                    rule.to_string(),
                    [(name.to_string(), vec!["main".to_string()])].into(),
                )]
                .into(),
                ..Settings::default()
            })
        };
        let checker = with("image-tag-latest", "movingTags").unwrap();
        assert_eq!(checker.option("image-tag-latest", "movingTags"), ["main"]);
        assert!(checker.option("image-tag-latest", "other").is_empty());
        let err = with("image-tag-latest", "moving").err().unwrap();
        assert!(err.0.contains("it takes movingTags"), "{err}");
        assert!(with("oom-killed", "x")
            .err()
            .unwrap()
            .0
            .contains("it takes none"));
    }

    #[test]
    fn each_input_follows_its_own_settings_in_one_set() {
        let latest = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: 'nginx:latest'}]\n";
        let files = [
            SourceFile::new("prod.yaml", latest),
            SourceFile::new("dev.yaml", latest),
        ];
        let quiet = Settings {
            ignore: vec!["image-tag-latest".into()],
            ..Settings::default()
        };
        let set = CheckerSet::per_file(vec![Settings::default(), quiet]).unwrap();
        let report = set.check(&files);
        let latest_in: Vec<usize> = report
            .findings
            .iter()
            .filter(|f| f.rule == "image-tag-latest")
            .map(|f| f.file)
            .collect();
        assert_eq!(latest_in, [0]);
        assert_eq!(report.objects, 2);
        let outcome = set.fix(&files, Applicability::Unsafe);
        assert!(outcome
            .remaining
            .findings
            .iter()
            .all(|f| f.rule != "image-tag-latest" || f.file == 0));
    }

    #[test]
    fn versions_read_as_people_write_them() {
        assert_eq!(KubeVersion::parse("1.30"), Some(KubeVersion::new(1, 30)));
        assert_eq!(
            KubeVersion::parse("v1.29.4-eks-1234"),
            Some(KubeVersion::new(1, 29))
        );
        assert_eq!(KubeVersion::parse("1"), None);
        assert!(KubeVersion::new(1, 9) < KubeVersion::new(1, 16));
    }

    #[test]
    fn saved_settings_survive_unknown_and_missing_fields() {
        let s: Settings = serde_json::from_str(
            r#"{"profile":"strict","someday":true,"severity":{"oom-killed":"warning"}}"#,
        )
        .unwrap();
        assert_eq!(s.profile, Profile::Strict);
        assert_eq!(s.severity.get("oom-killed"), Some(&Severity::Warning));
        assert!(s.select.is_empty());
    }
}
