//! The command line: subcommands, flags, and the settings they resolve to.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use kubeclinic_engine::config::Layer;
use kubeclinic_engine::{Applicability, Checker, Profile, Settings, Severity};

use crate::configuration::{Choice, Resolver};

#[derive(Parser)]
#[command(
    name = "kubeclinic",
    version,
    about = "An offline doctor for Kubernetes manifests"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Which rules run, and how: the same settings the web app and the npm package take. Each
/// flag given overrides the configuration file (`.kubeclinic.yaml`).
#[derive(clap::Args)]
pub struct RuleOptions {
    /// Read the settings from this file instead of the nearest `.kubeclinic.yaml` (or
    /// `.kubeclinic.yml`) above each input.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Read no configuration file: the defaults and the flags only.
    #[arg(long)]
    no_config: bool,
    /// How much to report: minimal (what breaks a deployment), recommended (the default),
    /// strict.
    #[arg(long, value_enum)]
    profile: Option<ProfileArg>,
    /// Run only these rules or categories (comma-separated, repeatable) instead of the
    /// profile's.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Also run these rules or categories (comma-separated, repeatable), besides the
    /// profile's or --select's.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Never run these rules or categories (comma-separated, repeatable).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Set a rule's severity: `--severity image-tag-latest=error` (repeatable).
    #[arg(long, value_name = "RULE=LEVEL")]
    severity: Vec<String>,
    /// The cluster's Kubernetes version (`1.30`): deprecations and removals are judged
    /// against it.
    #[arg(long, value_name = "VERSION")]
    kubernetes_version: Option<String>,
    /// A rule's option: `--rule-option image-tag-latest.movingTags=main,stable` (repeatable;
    /// `kubeclinic rules` lists each rule's options).
    #[arg(long = "rule-option", value_name = "RULE.OPTION=VALUES")]
    rule_options: Vec<String>,
    /// Registries (or registry paths) images may come from (comma-separated, repeatable).
    #[arg(
        long = "allowed-registry",
        value_delimiter = ',',
        value_name = "REGISTRY"
    )]
    allowed_registries: Vec<String>,
    /// Read these files or folders with the inputs as context, never judged themselves: the
    /// CustomResourceDefinitions and admission policies (with their bindings and parameters)
    /// kept elsewhere (repeatable; a configuration file's `context` adds its own).
    #[arg(long, value_name = "PATH")]
    context: Vec<PathBuf>,
}

impl RuleOptions {
    /// Finds the configuration files and lays these flags over them.
    pub fn resolver(&self) -> Result<Resolver, String> {
        let choice = match (&self.config, self.no_config) {
            (_, true) => Choice::Nothing,
            (Some(file), _) => Choice::File(file.clone()),
            (None, false) => Choice::Discover,
        };
        let flags = self.layer()?;
        // A flag that names no rule is refused here, before any file is read.
        let mut alone = Settings::default();
        flags.apply(&mut alone);
        Checker::new(alone).map_err(|e| e.to_string())?;
        Ok(Resolver::new(choice, flags).with_context(self.context.clone()))
    }

    /// What the flags set: a list flag given replaces (`--select`, `--allowed-registry`) or
    /// adds to (`--extend-select`, `--ignore`, `--severity`, `--rule-option`) the file's.
    fn layer(&self) -> Result<Layer, String> {
        let mut severity = BTreeMap::new();
        for item in &self.severity {
            let (rule, level) = item.split_once('=').ok_or_else(|| {
                format!("--severity {item}: write RULE=LEVEL, such as image-tag-latest=error")
            })?;
            let level = Severity::parse(level.trim())
                .ok_or_else(|| format!("--severity {item}: the level is error, warning or info"))?;
            severity.insert(rule.trim().to_string(), level);
        }
        let mut options: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for item in &self.rule_options {
            let bad = || {
                format!("--rule-option {item}: write RULE.OPTION=VALUE[,VALUE...], such as image-tag-latest.movingTags=main")
            };
            let (name, values) = item.split_once('=').ok_or_else(bad)?;
            let (rule, option) = name.split_once('.').ok_or_else(bad)?;
            options
                .entry(rule.trim().to_string())
                .or_default()
                .entry(option.trim().to_string())
                .or_default()
                .extend(
                    values
                        .split(',')
                        .map(|v| v.trim().to_string())
                        .filter(|v| !v.is_empty()),
                );
        }
        let given = |list: &Vec<String>| Some(list.clone()).filter(|l| !l.is_empty());
        Ok(Layer {
            profile: self.profile.map(Profile::from),
            select: given(&self.select),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            severity,
            kubernetes_version: self.kubernetes_version.clone(),
            allowed_registries: given(&self.allowed_registries),
            options,
        })
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    Minimal,
    Recommended,
    Strict,
}

impl From<ProfileArg> for Profile {
    fn from(value: ProfileArg) -> Self {
        match value {
            ProfileArg::Minimal => Profile::Minimal,
            ProfileArg::Recommended => Profile::Recommended,
            ProfileArg::Strict => Profile::Strict,
        }
    }
}

/// Which fixes may be applied: safe ones always, unsafe ones when asked.
#[derive(clap::Args)]
pub struct FixSafety {
    /// Also apply fixes that change runtime behaviour (selectors, addresses, limits).
    #[arg(long = "unsafe")]
    apply_unsafe: bool,
}

impl FixSafety {
    pub fn threshold(&self) -> Applicability {
        if self.apply_unsafe {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Diagnose manifests (files, folders, or `-` for standard input); all inputs form one set.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Exit with 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Also list the findings that annotations or comments suppressed, and why.
        #[arg(long)]
        show_suppressed: bool,
        /// Print how many findings each rule has instead of the findings (text, or JSON with
        /// --format json).
        #[arg(long, conflicts_with = "diff")]
        statistics: bool,
        /// Also print, on standard error, where the check spent its time: reading the inputs,
        /// the slowest rules, and the rest.
        #[arg(long, conflicts_with = "diff")]
        timings: bool,
        /// Print what `kubeclinic fix` would change, as a unified diff per file, instead of
        /// the findings; exit with 1 when it would change anything.
        #[arg(long)]
        diff: bool,
        #[command(flatten)]
        safety: FixSafety,
        #[command(flatten)]
        rules: RuleOptions,
        /// Inputs; standard input when none is given.
        paths: Vec<String>,
    },
    /// Apply safe fixes (and unsafe ones with --unsafe): print the patched input, a diff,
    /// or write the files in place.
    Fix {
        #[command(flatten)]
        rules: RuleOptions,
        #[command(flatten)]
        safety: FixSafety,
        /// Print a unified diff per file instead of the patched text.
        #[arg(long)]
        diff: bool,
        /// Write the patched files in place (only those that change).
        #[arg(long, conflicts_with = "diff")]
        write: bool,
        paths: Vec<String>,
    },
    /// List every rule with its documentation, or print one rule's page.
    Rules {
        /// The rule to print, such as `image-tag-latest`.
        rule: Option<String>,
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
        /// Write one Markdown page per rule and an index (README.md) into this folder.
        #[arg(long, value_name = "DIR", conflicts_with = "rule")]
        write_docs: Option<PathBuf>,
    },
    /// Print the settings a path is checked with (the nearest `.kubeclinic.yaml`, its
    /// overrides for the path, and the flags), and which file they came from.
    Config {
        /// A file or folder; the working folder when none is given.
        path: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = ConfigFormat::Yaml)]
        format: ConfigFormat,
        #[command(flatten)]
        rules: RuleOptions,
    },
    /// Print a shell's completion script: `kubeclinic completions bash > ~/.bash_completion`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `kubeclinic man | man -l -`.
    Man,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames, as rustc and Ruff print them.
    Human,
    /// The versioned JSON document.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// JUnit XML: one test suite per file, for CI test reports.
    Junit,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConfigFormat {
    /// As a configuration file's top level writes it.
    Yaml,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl From<FailOn> for Severity {
    fn from(value: FailOn) -> Self {
        match value {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}
