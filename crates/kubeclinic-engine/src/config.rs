//! The configuration file, `.kubeclinic.yaml`: the [`Settings`] under the keys of the
//! settings JSON, plus `overrides` (settings for some paths), `exclude` (paths a folder
//! walk leaves out) and `context` (CRDs and policies kept elsewhere, read with every check). Text in, a [`Config`] or a [`ConfigError`] that names the line out;
//! finding the file and matching the globs is the front end's business.
//!
//! ```yaml
//! profile: strict
//! kubernetesVersion: "1.29"
//! ignore: [missing-probes]
//! severity:
//!   image-tag-latest: error
//! exclude: ["generated/**"]
//! context: ["../platform/crds", "../platform/policies"]
//! overrides:
//!   - files: ["dev/**"]
//!     ignore: [image-tag-latest]
//! ```

use std::collections::BTreeMap;

use crate::diagnostic::Severity;
use crate::rules::REGISTRY;
use crate::settings::{KubeVersion, Profile, Settings};
use crate::similarity::nearest;
use crate::text::{LineIndex, TextRange};
use crate::yaml::{self, Node, NodeKind, ScalarValue};

/// The names the configuration file is found under, in order of preference. The last one is
/// what a browser saves the web app's export as (browsers drop a leading dot).
pub const FILE_NAMES: [&str; 3] = [".kubeclinic.yaml", ".kubeclinic.yml", "kubeclinic.yaml"];

/// The keys that hold settings, at the top and in each override.
const SETTINGS_KEYS: [&str; 8] = [
    "profile",
    "select",
    "extendSelect",
    "ignore",
    "severity",
    "kubernetesVersion",
    "allowedRegistries",
    "options",
];

/// A configuration file, read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// What the top level sets.
    pub settings: Layer,
    /// Settings for the paths that match, applied in order after the top level's.
    pub overrides: Vec<Override>,
    /// Paths a folder walk leaves out.
    pub exclude: Vec<Pattern>,
    /// Files and folders read with every check as context, never judged themselves: the
    /// CustomResourceDefinitions and admission policies (with their bindings and parameters)
    /// a platform team keeps in another repository. Relative to the file's folder.
    pub context: Vec<Pattern>,
}

/// Settings for some paths.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Override {
    /// Globs matched against paths relative to the configuration file's folder.
    pub files: Vec<Pattern>,
    pub settings: Layer,
    /// The 1-based line the override starts on, to say which ones applied.
    pub line: usize,
}

/// A glob as written, with its place for an error about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub glob: String,
    pub range: TextRange,
    /// 1-based.
    pub line: usize,
}

/// What one level (the file's top, an override, the command line) sets; what it leaves out
/// stays as the level below has it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layer {
    pub profile: Option<Profile>,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    pub kubernetes_version: Option<String>,
    pub allowed_registries: Option<Vec<String>>,
    pub options: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

impl Layer {
    /// Lays this level over `settings`. `profile`, `kubernetesVersion` and
    /// `allowedRegistries` replace the value below; `extendSelect`, `ignore`, `severity` and
    /// `options` add to it (rule by rule); `select` starts the choice of rules afresh, so the
    /// `extendSelect` and `ignore` below it are dropped, as Ruff does.
    pub fn apply(&self, settings: &mut Settings) {
        if let Some(profile) = self.profile {
            settings.profile = profile;
        }
        if let Some(select) = &self.select {
            settings.select = select.clone();
            settings.extend_select.clear();
            settings.ignore.clear();
        }
        extend_unique(&mut settings.extend_select, &self.extend_select);
        extend_unique(&mut settings.ignore, &self.ignore);
        settings
            .severity
            .extend(self.severity.iter().map(|(k, v)| (k.clone(), *v)));
        if let Some(version) = &self.kubernetes_version {
            settings.kubernetes_version = Some(version.clone());
        }
        if let Some(registries) = &self.allowed_registries {
            settings.allowed_registries = registries.clone();
        }
        for (rule, options) in &self.options {
            let mine = settings.options.entry(rule.clone()).or_default();
            mine.extend(options.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
}

fn extend_unique(list: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
}

impl Config {
    /// Reads a configuration file's text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        Reader::new(text).config()
    }

    /// The settings of a path: the defaults, the top level, then every override for which
    /// `applies` is true.
    pub fn settings_for(&self, applies: impl Fn(&Override) -> bool) -> Settings {
        let mut settings = Settings::default();
        self.settings.apply(&mut settings);
        for o in self.overrides.iter().filter(|o| applies(o)) {
            o.settings.apply(&mut settings);
        }
        settings
    }
}

/// Settings written as a configuration file's top level reads them: every key, so the file
/// shows what each one is.
pub fn to_yaml(settings: &Settings) -> String {
    yaml::to_string(settings)
}

/// What is wrong in a configuration file, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub range: TextRange,
    /// 1-based.
    pub line: usize,
    /// What is wrong, naming the key or value: "unknown key `selekt`".
    pub message: String,
    /// What to do about it: "did you mean `select`?".
    pub hint: Option<String>,
}

impl ConfigError {
    /// The error as a person reads it, with the file's name:
    /// "unknown key `selekt` in .kubeclinic.yaml line 3; did you mean `select`?".
    pub fn display_in(&self, path: &str) -> String {
        let hint = self
            .hint
            .as_deref()
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        format!("{} in {path} line {}{hint}", self.message, self.line)
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display_in("the configuration"))
    }
}

impl std::error::Error for ConfigError {}

struct Reader<'t> {
    text: &'t str,
    lines: LineIndex,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            lines: LineIndex::new(text),
        }
    }

    fn error(&self, range: TextRange, message: String, hint: Option<String>) -> ConfigError {
        ConfigError {
            range,
            line: self.lines.line_of(range.start.min(self.text.len())) + 1,
            message,
            hint,
        }
    }

    fn config(&self) -> Result<Config, ConfigError> {
        let documents = yaml::parse_stream(self.text);
        if let Some(second) = documents.get(1) {
            return Err(self.error(
                second.range,
                "a second YAML document".into(),
                Some("a configuration file holds one".into()),
            ));
        }
        let Some(document) = documents.into_iter().next() else {
            return Ok(Config::default());
        };
        if let Some(error) = document.error {
            return Err(self.error(
                TextRange::empty(error.at),
                format!("broken YAML ({})", error.message),
                None,
            ));
        }
        let Some(root) = document.root else {
            return Ok(Config::default());
        };
        if is_null(&root) {
            return Ok(Config::default());
        }
        let top_keys: Vec<&str> = SETTINGS_KEYS
            .iter()
            .copied()
            .chain(["overrides", "exclude", "context"])
            .collect();
        let entries = self.mapping(&root, "the configuration", &top_keys)?;
        let mut config = Config {
            settings: self.layer(&entries)?,
            ..Config::default()
        };
        if let Some(exclude) = entries.get("exclude") {
            config.exclude = self.patterns(exclude, "exclude")?;
        }
        if let Some(context) = entries.get("context") {
            config.context = self
                .strings(
                    context,
                    "context",
                    "a list of paths such as \"../platform/crds\"",
                )?
                .into_iter()
                .map(|(glob, range)| Pattern {
                    glob,
                    range,
                    line: self.lines.line_of(range.start) + 1,
                })
                .collect();
        }
        if let Some(overrides) = entries.get("overrides") {
            config.overrides = self.overrides(overrides)?;
        }
        Ok(config)
    }

    fn overrides(&self, node: &Node) -> Result<Vec<Override>, ConfigError> {
        let keys: Vec<&str> = std::iter::once("files")
            .chain(SETTINGS_KEYS.iter().copied())
            .collect();
        let mut out = Vec::new();
        for item in self.list(node, "overrides", "a list of `{files: [...], <settings>}`")? {
            let entries = self.mapping(item, "an override", &keys)?;
            let files = match entries.get("files") {
                Some(files) => self.patterns(files, "files")?,
                None => Vec::new(),
            };
            if files.is_empty() {
                return Err(self.error(
                    item.span,
                    "an override without `files`".into(),
                    Some("add `files: [\"<glob>\"]`: the paths it applies to".into()),
                ));
            }
            out.push(Override {
                files,
                settings: self.layer(&entries)?,
                line: self.lines.line_of(item.span.start) + 1,
            });
        }
        Ok(out)
    }

    fn layer(&self, entries: &Entries) -> Result<Layer, ConfigError> {
        let mut layer = Layer::default();
        if let Some(node) = entries.get("profile") {
            let (text, range) = self.scalar(node, "profile", "minimal, recommended or strict")?;
            layer.profile = Some(Profile::parse(&text).ok_or_else(|| {
                self.error(
                    range,
                    format!("unknown profile `{text}`"),
                    Some(suggest(
                        &text,
                        ["minimal", "recommended", "strict"],
                        "the profiles are minimal, recommended and strict",
                    )),
                )
            })?);
        }
        if let Some(node) = entries.get("select") {
            layer.select = Some(self.selectors(node, "select")?);
        }
        if let Some(node) = entries.get("extendSelect") {
            layer.extend_select = self.selectors(node, "extendSelect")?;
        }
        if let Some(node) = entries.get("ignore") {
            layer.ignore = self.selectors(node, "ignore")?;
        }
        if let Some(node) = entries.get("severity") {
            for (rule, value) in self.rule_map(node, "severity", "a mapping of rule id to level")? {
                let (text, range) = self.scalar(value, "a severity", "error, warning or info")?;
                let level = Severity::parse(&text).ok_or_else(|| {
                    self.error(
                        range,
                        format!("unknown severity `{text}` for {rule}"),
                        Some(suggest(
                            &text,
                            ["error", "warning", "info"],
                            "the levels are error, warning and info",
                        )),
                    )
                })?;
                layer.severity.insert(rule.to_string(), level);
            }
        }
        if let Some(node) = entries.get("kubernetesVersion") {
            let (text, range) =
                self.scalar(node, "kubernetesVersion", "a version such as \"1.30\"")?;
            if KubeVersion::parse(&text).is_none() {
                return Err(self.error(
                    range,
                    format!("kubernetesVersion `{text}` is no version"),
                    Some("write one such as \"1.30\"".into()),
                ));
            }
            layer.kubernetes_version = Some(text);
        }
        if let Some(node) = entries.get("allowedRegistries") {
            layer.allowed_registries = Some(
                self.strings(node, "allowedRegistries", "a list of registries")?
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect(),
            );
        }
        if let Some(node) = entries.get("options") {
            for (rule, value) in
                self.rule_map(node, "options", "a mapping of rule id to its options")?
            {
                let meta = crate::rules::find(rule).expect("rule_map checks the ids");
                let known: Vec<&str> = meta.options.iter().map(|o| o.name).collect();
                let mut options = BTreeMap::new();
                for entry in self.entries(value, &format!("options of {rule}"))? {
                    let name = self.key(&entry.key)?;
                    if !known.contains(&name) {
                        let fallback = if known.is_empty() {
                            format!("{rule} takes no options")
                        } else {
                            format!("{rule} takes {}", known.join(", "))
                        };
                        return Err(self.error(
                            entry.key.span,
                            format!("unknown option `{name}` of {rule}"),
                            Some(suggest(name, known.iter().copied(), &fallback)),
                        ));
                    }
                    let values = self.strings(&entry.value, name, "a list of strings")?;
                    options.insert(
                        name.to_string(),
                        values.into_iter().map(|(s, _)| s).collect(),
                    );
                }
                layer.options.insert(rule.to_string(), options);
            }
        }
        Ok(layer)
    }

    /// A mapping whose keys must be among `known`, with each key once.
    fn mapping<'n>(
        &self,
        node: &'n Node,
        what: &str,
        known: &[&str],
    ) -> Result<Entries<'n>, ConfigError> {
        let mut out = Entries(Vec::new());
        for entry in self.entries(node, what)? {
            let key = self.key(&entry.key)?;
            if !known.contains(&key) {
                let fallback = format!("the keys are {}", known.join(", "));
                return Err(self.error(
                    entry.key.span,
                    format!("unknown key `{key}`"),
                    Some(suggest(key, known.iter().copied(), &fallback)),
                ));
            }
            if out.has(key) {
                return Err(self.error(
                    entry.key.span,
                    format!("`{key}` a second time"),
                    Some("write each key once".into()),
                ));
            }
            out.0.push((key, &entry.value));
        }
        Ok(out)
    }

    fn entries<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [yaml::Entry], ConfigError> {
        if is_null(node) {
            return Ok(&[]);
        }
        if !node.is_mapping() {
            return Err(self.wrong_type(node, what, "a mapping"));
        }
        Ok(node.entries())
    }

    fn key<'n>(&self, key: &'n Node) -> Result<&'n str, ConfigError> {
        match key.as_scalar() {
            Some(scalar) if !scalar.is_null() => Ok(scalar.text.as_str()),
            _ => Err(self.wrong_type(key, "a key", "a name")),
        }
    }

    /// A mapping keyed by rule id, with each id checked.
    fn rule_map<'n>(
        &self,
        node: &'n Node,
        what: &str,
        expected: &str,
    ) -> Result<Vec<(&'n str, &'n Node)>, ConfigError> {
        if !is_null(node) && !node.is_mapping() {
            return Err(self.wrong_type(node, what, expected));
        }
        let mut out = Vec::new();
        for entry in node.entries() {
            let rule = self.key(&entry.key)?;
            if crate::rules::find(rule).is_none() {
                return Err(self.error(
                    entry.key.span,
                    format!("unknown rule `{rule}` in `{what}`"),
                    Some(suggest(
                        rule,
                        REGISTRY.iter().map(|e| e.meta.id),
                        "`kubeclinic rules` lists them",
                    )),
                ));
            }
            out.push((rule, &entry.value));
        }
        Ok(out)
    }

    /// Rule ids, categories or `all`.
    fn selectors(&self, node: &Node, what: &str) -> Result<Vec<String>, ConfigError> {
        let mut out = Vec::new();
        for (item, range) in self.strings(node, what, "a list of rule ids or categories")? {
            let known = item == "all"
                || REGISTRY
                    .iter()
                    .any(|e| e.meta.id == item || e.meta.category.as_str() == item);
            if !known {
                let names = REGISTRY
                    .iter()
                    .flat_map(|e| [e.meta.id, e.meta.category.as_str()])
                    .chain(["all"]);
                return Err(self.error(
                    range,
                    format!("unknown rule or category `{item}` in `{what}`"),
                    Some(suggest(&item, names, "`kubeclinic rules` lists them")),
                ));
            }
            out.push(item);
        }
        Ok(out)
    }

    fn list<'n>(
        &self,
        node: &'n Node,
        what: &str,
        expected: &str,
    ) -> Result<&'n [Node], ConfigError> {
        if is_null(node) {
            return Ok(&[]);
        }
        match &node.resolved().kind {
            NodeKind::Sequence(items) => Ok(items),
            _ => Err(self.wrong_type(node, what, expected)),
        }
    }

    fn strings(
        &self,
        node: &Node,
        what: &str,
        expected: &str,
    ) -> Result<Vec<(String, TextRange)>, ConfigError> {
        self.list(node, what, expected)?
            .iter()
            .map(|item| self.scalar(item, what, expected))
            .collect()
    }

    fn patterns(&self, node: &Node, what: &str) -> Result<Vec<Pattern>, ConfigError> {
        Ok(self
            .strings(node, what, "a list of globs such as \"generated/**\"")?
            .into_iter()
            .map(|(glob, range)| Pattern {
                glob,
                range,
                line: self.lines.line_of(range.start) + 1,
            })
            .collect())
    }

    /// A scalar's text as written: `1.30` stays `1.30` rather than the number 1.3.
    fn scalar(
        &self,
        node: &Node,
        what: &str,
        expected: &str,
    ) -> Result<(String, TextRange), ConfigError> {
        match node.as_scalar() {
            Some(scalar) if !scalar.is_null() => Ok((scalar.text.clone(), node.span)),
            _ => Err(self.wrong_type(node, what, expected)),
        }
    }

    fn wrong_type(&self, node: &Node, what: &str, expected: &str) -> ConfigError {
        self.error(
            node.span,
            format!("wrong type for {}", quoted(what)),
            Some(format!("expected {expected}, found {}", describe(node))),
        )
    }
}

/// A key written as a name gets backticks; a description ("an override") does not.
fn quoted(what: &str) -> String {
    if what.contains(' ') {
        what.to_string()
    } else {
        format!("`{what}`")
    }
}

/// The keys of a mapping that [`Reader::mapping`] checked.
struct Entries<'n>(Vec<(&'n str, &'n Node)>);

impl<'n> Entries<'n> {
    /// The value of `key`; a key without a value (`kubernetesVersion:`) is one not set.
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .filter(|v| !is_null(v))
    }

    fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| *k == key)
    }
}

fn is_null(node: &Node) -> bool {
    node.as_scalar().is_some_and(|s| s.is_null())
}

fn describe(node: &Node) -> &'static str {
    match &node.resolved().kind {
        NodeKind::Mapping(_) => "a mapping",
        NodeKind::Sequence(_) => "a list",
        NodeKind::Scalar(s) if s.is_null() => "nothing",
        NodeKind::Scalar(s) => match s.value() {
            ScalarValue::Bool(_) => "true or false",
            ScalarValue::Int(_) | ScalarValue::Float(_) => "a number",
            _ => "a string",
        },
        NodeKind::Alias(_) => unreachable!("resolved() follows aliases"),
    }
}

/// "did you mean `x`?" when one candidate is close, else `fallback`.
fn suggest<'c>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    fallback: &str,
) -> String {
    match nearest(wanted, candidates) {
        Some(near) => format!("did you mean `{near}`?"),
        None => fallback.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Config::parse(text)
            .unwrap_err()
            .display_in(".kubeclinic.yaml")
    }

    #[test]
    fn every_setting_is_read_under_the_json_keys() {
        let text = "profile: strict\nselect: [images]\nextendSelect: [oom-killed]\nignore:\n  - image-tag-latest\nseverity:\n  missing-probes: error\nkubernetesVersion: 1.30\nallowedRegistries: [ghcr.io/acme]\noptions:\n  image-tag-latest:\n    movingTags: [main, edge]\nexclude: [\"generated/**\"]\noverrides:\n  - files: [\"dev/**\", \"*.dev.yaml\"]\n    ignore: [missing-probes]\n";
        let config = Config::parse(text).unwrap();
        let settings = config.settings_for(|_| false);
        assert_eq!(settings.profile, Profile::Strict);
        assert_eq!(settings.select, ["images"]);
        assert_eq!(settings.extend_select, ["oom-killed"]);
        assert_eq!(settings.ignore, ["image-tag-latest"]);
        assert_eq!(settings.severity["missing-probes"], Severity::Error);
        assert_eq!(settings.kubernetes_version.as_deref(), Some("1.30"));
        assert_eq!(settings.allowed_registries, ["ghcr.io/acme"]);
        assert_eq!(
            settings.options["image-tag-latest"]["movingTags"],
            ["main", "edge"]
        );
        assert_eq!(config.exclude[0].glob, "generated/**");
        assert_eq!(config.exclude[0].line, 13);
        let o = &config.overrides[0];
        assert_eq!(o.line, 15);
        assert_eq!(o.files[1].glob, "*.dev.yaml");
        let dev = config.settings_for(|_| true);
        assert_eq!(dev.ignore, ["image-tag-latest", "missing-probes"]);
        crate::Checker::new(dev).unwrap();
    }

    #[test]
    fn a_later_select_starts_the_choice_afresh() {
        let mut settings = Settings::default();
        Layer {
            ignore: vec!["oom-killed".into()],
            extend_select: vec!["images".into()],
            ..Layer::default()
        }
        .apply(&mut settings);
        Layer {
            select: Some(vec!["oom-killed".into()]),
            severity: [("oom-killed".to_string(), Severity::Info)].into(),
            ..Layer::default()
        }
        .apply(&mut settings);
        assert_eq!(settings.select, ["oom-killed"]);
        assert!(settings.ignore.is_empty() && settings.extend_select.is_empty());
        assert_eq!(settings.severity["oom-killed"], Severity::Info);
    }

    #[test]
    fn empty_files_are_the_defaults() {
        for text in ["", "# nothing yet\n", "---\n", "~\n"] {
            assert_eq!(Config::parse(text).unwrap(), Config::default(), "{text:?}");
        }
    }

    #[test]
    fn unknown_keys_name_the_line_and_the_closest_key() {
        assert_eq!(
            error("profile: strict\n\nselekt: [images]\n"),
            "unknown key `selekt` in .kubeclinic.yaml line 3; did you mean `select`?"
        );
        assert_eq!(
            error("overrides:\n  - files: [a]\n    ignor: [images]\n"),
            "unknown key `ignor` in .kubeclinic.yaml line 3; did you mean `ignore`?"
        );
        let far = error("colour: red\n");
        assert!(
            far.starts_with(
                "unknown key `colour` in .kubeclinic.yaml line 1; the keys are profile, select"
            ),
            "{far}"
        );
        assert!(error("ignore: [a]\nignore: [b]\n").contains("`ignore` a second time"));
    }

    #[test]
    fn wrong_types_name_the_place() {
        assert_eq!(
            error("profile: strict\nselect: images\n"),
            "wrong type for `select` in .kubeclinic.yaml line 2; expected a list of rule ids or categories, found a string"
        );
        assert_eq!(
            error("severity: [error]\n"),
            "wrong type for `severity` in .kubeclinic.yaml line 1; expected a mapping of rule id to level, found a list"
        );
        assert_eq!(
            error("overrides: {files: a}\n"),
            "wrong type for `overrides` in .kubeclinic.yaml line 1; expected a list of `{files: [...], <settings>}`, found a mapping"
        );
        assert!(error("overrides:\n  - ignore: [images]\n")
            .starts_with("an override without `files` in .kubeclinic.yaml line 2"));
        assert!(error("kubernetesVersion: latest\n").contains("`latest` is no version"));
        assert!(error("profile: strickt\n").ends_with("did you mean `strict`?"));
        assert!(error("a: [b\n").starts_with("broken YAML"));
        assert!(error("a: 1\n---\nb: 2\n").contains("line 2"));
    }

    #[test]
    fn unknown_rules_and_options_name_the_closest() {
        assert_eq!(
            error("ignore:\n  - missing-probes\n  - image-tag-lates\n"),
            "unknown rule or category `image-tag-lates` in `ignore` in .kubeclinic.yaml line 3; did you mean `image-tag-latest`?"
        );
        assert_eq!(
            error("severity:\n  image-tag-lates: error\n"),
            "unknown rule `image-tag-lates` in `severity` in .kubeclinic.yaml line 2; did you mean `image-tag-latest`?"
        );
        assert!(error("severity: {image-tag-latest: loud}\n").contains("unknown severity `loud`"));
        assert!(error("extendSelect: [imagez]\n").ends_with("did you mean `images`?"));
        assert!(
            error("options:\n  image-tag-latest:\n    movingTag: [main]\n")
                .ends_with("line 3; did you mean `movingTags`?")
        );
        assert!(error("options: {oom-killed: {x: [y]}}\n").ends_with("oom-killed takes no options"));
    }

    #[test]
    fn written_settings_read_back_the_same() {
        let settings = Config::parse(
            "profile: minimal\nignore: [images]\nseverity: {oom-killed: info}\nkubernetesVersion: \"1.28\"\noptions: {image-tag-latest: {movingTags: [main]}}\n",
        )
        .unwrap()
        .settings_for(|_| false);
        let text = to_yaml(&settings);
        assert!(text.contains("kubernetesVersion: '1.28'"), "{text}");
        let again = Config::parse(&text).unwrap().settings_for(|_| false);
        assert_eq!(again, settings);
        let defaults = to_yaml(&Settings::default());
        assert_eq!(
            Config::parse(&defaults).unwrap().settings_for(|_| false),
            Settings::default()
        );
    }
}
