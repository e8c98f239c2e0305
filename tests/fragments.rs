//! Fragment fixtures: what people really paste (see `tests/fragments/README.md`). Each case
//! must give its expected rule as an error or warning starting on the proving line, never
//! `yaml-syntax-error` without a manifest, and healthy pastes no error or warning at all.
//! The score over all cases is printed; `KUBECLINIC_FRAGMENTS_REPORT=1` prints every case.

use std::path::{Path, PathBuf};

use kubeclinic_engine::{check, LineIndex, Severity, SourceFile};

fn fragments_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fragments")
}

/// What an expected finding must say beyond its rule and line: whether it patches a manifest
/// of the paste (and where), and which container it names.
#[derive(Debug, Default, Clone)]
struct Tie {
    /// `fix`: it has a fix; `fix@12-20`: every edit of it lies on lines 12 to 20; `nofix`: it
    /// has none (the paste does not say which manifest it is about).
    fix: Option<Option<(u32, u32)>>,
    no_fix: bool,
    /// `container=api`.
    container: Option<String>,
}

fn span(text: &str) -> (u32, u32) {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    (a.parse().unwrap(), b.parse().unwrap())
}

#[derive(Debug)]
enum Expect {
    Rule {
        rule: String,
        lines: (u32, u32),
        tie: Tie,
    },
    None,
    /// `known-gap: why`: the engine does not diagnose this case yet. It counts against the
    /// score and does not fail the test; once it passes, the marker must go.
    KnownGap(String),
}

fn parse_expect(text: &str) -> Vec<Expect> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if line == "none" {
            out.push(Expect::None);
            continue;
        }
        if let Some(why) = line.strip_prefix("known-gap:") {
            out.push(Expect::KnownGap(why.trim().to_string()));
            continue;
        }
        let mut words = line.split_whitespace();
        let rule = words.next().unwrap().to_string();
        let span = words
            .next()
            .unwrap_or_else(|| panic!("`{line}`: a rule needs its line"));
        let mut tie = Tie::default();
        for word in words {
            match word {
                "fix" => tie.fix = Some(None),
                "nofix" => tie.no_fix = true,
                _ => {
                    if let Some(lines) = word.strip_prefix("fix@") {
                        tie.fix = Some(Some(self::span(lines)));
                    } else if let Some(name) = word.strip_prefix("container=") {
                        tie.container = Some(name.to_string());
                    } else {
                        panic!("`{line}`: unknown `{word}`");
                    }
                }
            }
        }
        out.push(Expect::Rule {
            rule,
            lines: self::span(span),
            tie,
        });
    }
    out
}

fn cases() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for family in std::fs::read_dir(fragments_dir()).unwrap() {
        let family = family.unwrap().path();
        if !family.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&family).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "txt") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

struct Outcome {
    found: bool,
    on_line: bool,
    problems: Vec<String>,
    known_gap: Option<String>,
    /// Every finding, when `KUBECLINIC_FRAGMENTS_FINDINGS` asks for them.
    details: Vec<String>,
}

fn run_case(path: &Path) -> Outcome {
    let text = std::fs::read_to_string(path).unwrap();
    let expect_path = path.with_extension("expect");
    let expects = parse_expect(
        &std::fs::read_to_string(&expect_path)
            .unwrap_or_else(|_| panic!("{} has no .expect", path.display())),
    );
    let name = path
        .strip_prefix(fragments_dir())
        .unwrap()
        .display()
        .to_string();
    let files = [SourceFile::new(name, text.clone())];
    let report = check(&files);
    let index = LineIndex::new(&text);
    let line_of = |offset: usize| index.line_of(offset) as u32 + 1;
    let loud: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .collect();
    let mut problems = Vec::new();
    let has_manifest = report.objects > 0 || text.contains("apiVersion:");
    if !has_manifest {
        if let Some(f) = report
            .findings
            .iter()
            .find(|f| f.rule == "yaml-syntax-error")
        {
            problems.push(format!(
                "yaml-syntax-error on line {} without a manifest",
                line_of(f.range.start)
            ));
        }
    }
    let mut found = true;
    let mut on_line = true;
    let mut wanted: Vec<(&str, (u32, u32), &Tie)> = Vec::new();
    for expect in &expects {
        match expect {
            Expect::None => {
                for f in &loud {
                    problems.push(format!(
                        "healthy paste: {} {} on line {}: {}",
                        f.severity.as_str(),
                        f.rule,
                        line_of(f.range.start),
                        f.message
                    ));
                }
                if !problems.is_empty() {
                    found = false;
                }
            }
            Expect::Rule { rule, lines, tie } => wanted.push((rule.as_str(), *lines, tie)),
            Expect::KnownGap(_) => {}
        }
    }
    // The same rule may be listed with several acceptable lines.
    let mut rules: Vec<&str> = wanted.iter().map(|(r, _, _)| *r).collect();
    rules.dedup();
    for rule in rules {
        let spans: Vec<(u32, u32)> = wanted
            .iter()
            .filter(|(r, _, _)| *r == rule)
            .map(|(_, s, _)| *s)
            .collect();
        let of_rule: Vec<_> = loud.iter().filter(|f| f.rule == rule).collect();
        if of_rule.is_empty() {
            found = false;
            on_line = false;
            let got: Vec<String> = report
                .findings
                .iter()
                .map(|f| format!("{}@{}", f.rule, line_of(f.range.start)))
                .collect();
            problems.push(format!("{rule} not reported (got: {})", got.join(", ")));
            continue;
        }
        let hit = of_rule.iter().any(|f| {
            let line = line_of(f.range.start);
            spans.iter().any(|(a, b)| (*a..=*b).contains(&line))
        });
        if !hit {
            on_line = false;
            let got: Vec<u32> = of_rule.iter().map(|f| line_of(f.range.start)).collect();
            problems.push(format!("{rule} on line(s) {got:?}, expected {spans:?}"));
        }
        // What the finding on its line must say about the manifest and the container.
        for (_, lines, tie) in wanted.iter().filter(|(r, _, _)| *r == rule) {
            let on: Vec<_> = of_rule
                .iter()
                .filter(|f| (lines.0..=lines.1).contains(&line_of(f.range.start)))
                .collect();
            if on.is_empty() {
                continue;
            }
            let tied = on.iter().any(|f| {
                let fix_ok = match (&tie.fix, &f.fix) {
                    (None, _) => !(tie.no_fix && f.fix.is_some()),
                    (Some(_), None) => false,
                    (Some(None), Some(_)) => true,
                    (Some(Some((a, b))), Some(fix)) => fix.edits.iter().all(|e| {
                        (*a..=*b).contains(&line_of(e.range.start))
                            && (*a..=*b).contains(&line_of(e.range.end))
                    }),
                };
                let container_ok = tie
                    .container
                    .as_deref()
                    .is_none_or(|c| f.container.as_deref() == Some(c));
                fix_ok && container_ok
            });
            if !tied {
                found = false;
                let got: Vec<String> = on
                    .iter()
                    .map(|f| {
                        let edits: Vec<u32> = f
                            .fix
                            .iter()
                            .flat_map(|x| &x.edits)
                            .map(|e| line_of(e.range.start))
                            .collect();
                        format!(
                            "container {:?}, fix edits on lines {edits:?}",
                            f.container.as_deref().unwrap_or("")
                        )
                    })
                    .collect();
                problems.push(format!(
                    "{rule} on line {}: wanted {tie:?}, got {}",
                    lines.0,
                    got.join("; ")
                ));
            }
        }
    }
    let mut details = Vec::new();
    if std::env::var_os("KUBECLINIC_FRAGMENTS_FINDINGS").is_some() {
        for f in &report.findings {
            details.push(format!(
                "       | {} {}@{}: {} [container {:?}; fix {:?}]",
                f.severity.as_str(),
                f.rule,
                line_of(f.range.start),
                f.message,
                f.container,
                f.fix.as_ref().map(|x| &x.title)
            ));
        }
    }
    Outcome {
        details,
        found,
        on_line: on_line && found,
        problems,
        known_gap: expects.iter().find_map(|e| match e {
            Expect::KnownGap(why) => Some(why.clone()),
            _ => None,
        }),
    }
}

#[test]
fn every_fragment_is_diagnosed() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} fragment cases", cases.len());
    let verbose = std::env::var_os("KUBECLINIC_FRAGMENTS_REPORT").is_some()
        || std::env::var_os("KUBECLINIC_FRAGMENTS_FINDINGS").is_some();
    let (mut found, mut on_line) = (0, 0);
    let mut failures = Vec::new();
    // `KUBECLINIC_FRAGMENTS_ONLY=dns-` checks only the cases whose path holds that text.
    let only = std::env::var("KUBECLINIC_FRAGMENTS_ONLY").ok();
    let cases: Vec<PathBuf> = cases
        .into_iter()
        .filter(|p| {
            only.as_deref()
                .is_none_or(|o| p.display().to_string().contains(o))
        })
        .collect();
    for path in &cases {
        let outcome = run_case(path);
        found += usize::from(outcome.found);
        on_line += usize::from(outcome.on_line);
        let name = path
            .strip_prefix(fragments_dir())
            .unwrap()
            .display()
            .to_string();
        let failed = !outcome.problems.is_empty();
        let mark = match (&outcome.known_gap, failed) {
            (Some(_), true) => "GAP ",
            (Some(_), false) => "FIXED",
            (None, true) => "FAIL",
            (None, false) => "ok  ",
        };
        if verbose || mark != "ok  " {
            println!("{mark} {name}");
            if let Some(why) = &outcome.known_gap {
                println!("       known gap: {why}");
            }
            for p in outcome.problems.iter().chain(&outcome.details) {
                println!("       {p}");
            }
        }
        match (&outcome.known_gap, failed) {
            (None, true) => failures.push(name),
            (Some(_), false) => {
                failures.push(format!("{name} (diagnosed now: remove its known-gap line)"))
            }
            _ => {}
        }
    }
    let n = cases.len();
    println!(
        "fragments: {n} cases, cause found in {found} ({:.0} %), on the proving line in {on_line} ({:.0} %)",
        100.0 * found as f64 / n as f64,
        100.0 * on_line as f64 / n as f64
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed: {failures:?}",
        failures.len()
    );
}
