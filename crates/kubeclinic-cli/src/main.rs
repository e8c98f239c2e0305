//! `kubeclinic`: the engine for terminals and CI pipelines.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kubeclinic_engine::{
    output, rules, Applicability, Checker, Profile, Settings, Severity, SourceFile,
};

#[derive(Parser)]
#[command(
    name = "kubeclinic",
    version,
    about = "An offline doctor for Kubernetes manifests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Which rules run, and how: the same settings the web app and the npm package take.
#[derive(clap::Args)]
struct RuleOptions {
    /// How much to report: minimal (what breaks a deployment), recommended, strict.
    #[arg(long, value_enum, default_value_t = ProfileArg::Recommended)]
    profile: ProfileArg,
    /// Run only these rules or categories (comma-separated, repeatable) instead of the
    /// profile's.
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
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
}

impl RuleOptions {
    fn checker(&self) -> Result<Checker, String> {
        let mut severity = std::collections::BTreeMap::new();
        for item in &self.severity {
            let (rule, level) = item.split_once('=').ok_or_else(|| {
                format!("--severity {item}: write RULE=LEVEL, such as image-tag-latest=error")
            })?;
            let level = Severity::parse(level.trim())
                .ok_or_else(|| format!("--severity {item}: the level is error, warning or info"))?;
            severity.insert(rule.trim().to_string(), level);
        }
        let mut options: std::collections::BTreeMap<
            String,
            std::collections::BTreeMap<String, Vec<String>>,
        > = Default::default();
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
        Checker::new(Settings {
            options,
            profile: self.profile.into(),
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            severity,
            kubernetes_version: self.kubernetes_version.clone(),
            allowed_registries: self.allowed_registries.clone(),
            ..Settings::default()
        })
        .map_err(|e| e.to_string())
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

#[derive(Subcommand)]
enum Command {
    /// Diagnose manifests (files, or `-` for standard input); all inputs form one set.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Exit with 1 when a finding is at or above this severity.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Also list the findings that annotations or comments suppressed, and why.
        #[arg(long)]
        show_suppressed: bool,
        #[command(flatten)]
        rules: RuleOptions,
        /// Inputs; standard input when none is given.
        paths: Vec<String>,
    },
    /// Print the inputs with safe fixes applied (and unsafe ones with --unsafe).
    Fix {
        #[command(flatten)]
        rules: RuleOptions,
        /// Also apply fixes that change runtime behaviour (selectors, addresses, limits).
        #[arg(long = "unsafe")]
        apply_unsafe: bool,
        /// Print a unified diff instead of the patched text.
        #[arg(long)]
        diff: bool,
        paths: Vec<String>,
    },
    /// List every rule with its documentation.
    Rules {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
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

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("kubeclinic: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let mut stdout = std::io::stdout().lock();
    let write = |out: &mut dyn Write, text: &str| {
        out.write_all(text.as_bytes())
            .map_err(|e| format!("cannot write output: {e}"))
    };
    match cli.command {
        Command::Check {
            format,
            fail_on,
            show_suppressed,
            rules,
            paths,
        } => {
            let checker = rules.checker()?;
            let files = read_inputs(&paths)?;
            let report = checker.check(&files);
            match format {
                Format::Human => write(
                    &mut stdout,
                    &output::render_human_with(&files, &report, show_suppressed),
                )?,
                Format::Json => {
                    let json = serde_json::to_string_pretty(&output::to_json(&files, &report))
                        .map_err(|e| e.to_string())?;
                    write(&mut stdout, &(json + "\n"))?;
                }
            }
            let threshold = Severity::from(fail_on);
            let failed = report.findings.iter().any(|f| f.severity >= threshold);
            Ok(ExitCode::from(u8::from(failed)))
        }
        Command::Fix {
            rules,
            apply_unsafe,
            diff,
            paths,
        } => {
            let checker = rules.checker()?;
            let files = read_inputs(&paths)?;
            let threshold = if apply_unsafe {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            };
            let outcome = checker.fix(&files, threshold);
            for (before, after) in files.iter().zip(&outcome.files) {
                if diff {
                    write(
                        &mut stdout,
                        &output::unified_diff(&before.path, &before.text, &after.text),
                    )?;
                } else {
                    write(&mut stdout, &after.text)?;
                }
            }
            let mut stderr = std::io::stderr().lock();
            for applied in &outcome.applied {
                let _ = writeln!(stderr, "fixed [{}]: {}", applied.rule, applied.title);
            }
            let left = outcome.remaining.findings.len();
            if left > 0 {
                let _ = writeln!(
                    stderr,
                    "{left} finding(s) left; run `kubeclinic check` to see them{}.",
                    if apply_unsafe {
                        ""
                    } else {
                        " (some may have unsafe fixes: --unsafe)"
                    }
                );
            }
            if !outcome.converged {
                let _ = writeln!(
                    stderr,
                    "fixes did not settle after {} rounds",
                    kubeclinic_engine::fix::MAX_ROUNDS
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { format } => {
            match format {
                Format::Json => {
                    let list: Vec<serde_json::Value> = rules::REGISTRY
                        .iter()
                        .map(|e| {
                            serde_json::json!({
                                "id": e.meta.id,
                                "category": e.meta.category,
                                "severity": e.meta.severity,
                                "fix": e.meta.fix,
                                "reads": e.meta.reads,
                                "profile": e.meta.profile,
                                "explained_by": e.meta.explained_by,
                                "options": e.meta.options,
                                "docs": e.meta.markdown(),
                            })
                        })
                        .collect();
                    let json = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
                    write(&mut stdout, &(json + "\n"))?;
                }
                Format::Human => {
                    for e in rules::REGISTRY.iter() {
                        let m = e.meta;
                        write(
                            &mut stdout,
                            &format!(
                                "{} ({}, {}, profile {}, fix: {:?})\n\n{}\n\n{}\n",
                                m.id,
                                m.category.as_str(),
                                m.severity.as_str(),
                                m.profile.as_str(),
                                m.fix,
                                m.markdown(),
                                "-".repeat(72)
                            ),
                        )?;
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads every input; `-` (or no path at all) is standard input.
fn read_inputs(paths: &[String]) -> Result<Vec<SourceFile>, String> {
    let stdin_only = [String::from("-")];
    let paths = if paths.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err("no input: give file paths, or pipe manifests into `-`".into());
        }
        &stdin_only[..]
    } else {
        paths
    };
    let mut expanded = Vec::new();
    for path in paths {
        if path != "-" && std::path::Path::new(path).is_dir() {
            collect_dir(std::path::Path::new(path), &mut expanded)?;
        } else {
            expanded.push(path.clone());
        }
    }
    expanded
        .iter()
        .map(|path| {
            let bytes = if path == "-" {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .map_err(|e| format!("cannot read standard input: {e}"))?;
                buf
            } else {
                std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?
            };
            let name = if path == "-" { "<stdin>" } else { path };
            let text = String::from_utf8(bytes).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
                format!("{name} is not UTF-8 text (invalid byte at line {line}, byte offset {at})")
            })?;
            Ok(SourceFile::new(name, text))
        })
        .collect()
}

/// The files a folder holds that Kubeclinic reads (manifests and saved kubectl output), sorted,
/// through its subfolders.
fn collect_dir(dir: &std::path::Path, out: &mut Vec<String>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<std::path::PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect_dir(&path, out)?;
        } else if path.extension().is_some_and(|e| {
            ["yaml", "yml", "json", "txt", "log"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        }) {
            out.push(path.display().to_string());
        }
    }
    Ok(())
}
