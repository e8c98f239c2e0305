//! `kubeclinic`: the engine for terminals and CI pipelines. Both binaries, `kubeclinic` and
//! `kubectl-clinic`, run [`main`].

mod cli;
mod configuration;
mod fixing;
mod inputs;
mod manual;
mod output;
mod rule_docs;
mod walk;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use kubeclinic_engine::Severity;

use cli::{Cli, Command};

/// Parses the command line, runs it, and turns the outcome into the exit code: `0` nothing at
/// or above `--fail-on`, `1` findings at or above it (or changes `check --diff` would make),
/// `2` a usage error or unreadable input.
pub fn main() -> ExitCode {
    let parsed = Cli::command()
        .bin_name(invoked_as())
        .try_get_matches()
        .and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
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

/// `kubectl clinic` when kubectl runs this program as its plugin, so usage lines show what
/// the person typed.
fn invoked_as() -> &'static str {
    let program = std::env::args_os().next().unwrap_or_default();
    let is_plugin = std::path::Path::new(&program)
        .file_name()
        .is_some_and(|name| name.to_string_lossy().starts_with("kubectl-"));
    if is_plugin {
        "kubectl clinic"
    } else {
        "kubeclinic"
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check {
            format,
            fail_on,
            show_suppressed,
            statistics,
            timings,
            diff,
            safety,
            rules,
            paths,
        } => {
            let mut configs = rules.resolver()?;
            let inputs = inputs::read(&paths, &mut configs)?;
            let checker = configs.checkers(&inputs)?;
            if diff {
                return fixing::check_diff(&checker, &inputs, safety.threshold());
            }
            let started = std::time::Instant::now();
            let mut clock = || u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            let (mut report, spent) = checker.check_timed(&inputs.files, &mut clock);
            // Context files judge the inputs; what is said of them is not shown.
            report.findings.retain(|f| inputs.judged(f.file));
            report.suppressed.retain(|s| inputs.judged(s.finding.file));
            if timings {
                eprint!("{}", render_timings(&spent, inputs.files.len()));
            }
            let text = if statistics {
                output::statistics::render(&report, format)?
            } else {
                output::render(format, &inputs.files, &report, show_suppressed)?
            };
            print(&text)?;
            let threshold = Severity::from(fail_on);
            let failed = report.findings.iter().any(|f| f.severity >= threshold);
            Ok(ExitCode::from(u8::from(failed)))
        }
        Command::Fix {
            rules,
            safety,
            diff,
            write,
            paths,
        } => {
            let mut configs = rules.resolver()?;
            let inputs = inputs::read(&paths, &mut configs)?;
            let checker = configs.checkers(&inputs)?;
            let mode = match (diff, write) {
                (true, _) => fixing::Mode::Diff,
                (_, true) => fixing::Mode::Write,
                _ => fixing::Mode::Print,
            };
            fixing::fix(&checker, &inputs, safety.threshold(), mode)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules {
            rule,
            format,
            write_docs,
        } => {
            if let Some(dir) = write_docs {
                let written = rule_docs::write(&dir)?;
                eprintln!(
                    "wrote {written} rule pages and an index to {}",
                    dir.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            print(&rule_docs::render(rule.as_deref(), format)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Config {
            path,
            format,
            rules,
        } => {
            let mut configs = rules.resolver()?;
            print(&configuration::describe(
                &mut configs,
                path.as_deref(),
                format,
            )?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            print(&manual::completions(shell)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            print(&manual::man_page()?)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Writes to standard output; a closed pipe or full disk is an error, not a silent loss.
fn print(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write output: {e}"))
}

/// Compares a file the repository keeps generated (rule pages, the man page) with what the
/// code generates now; with `KUBECLINIC_UPDATE_DOCS=1` it rewrites the file instead.
#[cfg(test)]
fn assert_generated(relative: &str, expected: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative);
    if std::env::var_os("KUBECLINIC_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{relative} is not what the code generates: run `KUBECLINIC_UPDATE_DOCS=1 cargo test -p kubeclinic-cli` and commit the result"
    );
}

/// `--timings`: the phases and the ten slowest rules, in milliseconds.
fn render_timings(spent: &kubeclinic_engine::Timings, files: usize) -> String {
    let ms = |ns: u64| ns as f64 / 1e6;
    let total = spent.total().max(1);
    let share = |ns: u64| 100.0 * ns as f64 / total as f64;
    let mut out = format!(
        "timings for {files} input(s): {:.1} ms in all\n{:>10.1} ms {:>5.1} %  reading the inputs\n",
        ms(total),
        ms(spent.parse),
        share(spent.parse)
    );
    let mut rules = spent.rules.clone();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (id, ns) in rules.iter().take(10) {
        out.push_str(&format!(
            "{:>10.1} ms {:>5.1} %  {id}\n",
            ms(*ns),
            share(*ns)
        ));
    }
    let rest: u64 = rules.iter().skip(10).map(|(_, ns)| ns).sum();
    out.push_str(&format!(
        "{:>10.1} ms {:>5.1} %  the other {} rules\n{:>10.1} ms {:>5.1} %  explained findings, suppressions, sorting\n",
        ms(rest),
        share(rest),
        rules.len().saturating_sub(10),
        ms(spent.finish),
        share(spent.finish)
    ));
    out.push_str("(facts rules share are charged to the first rule that needs them)\n");
    out
}
