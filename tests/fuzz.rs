//! A mutation fuzzer over every fixture: truncations, line shuffles, byte noise, colour codes,
//! CRLF and tabs. The engine must never panic and every range must fall on character
//! boundaries inside its input. `KUBECLINIC_FUZZ_ITERATIONS` sets the run length.

use std::path::Path;

use kubeclinic_engine::fix::apply_edits;
use kubeclinic_engine::{check, SourceFile};

/// xorshift64*: deterministic, so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const NOISE: [&str; 16] = [
    "\t",
    "\r\n",
    "\u{1b}[31m",
    "\u{1b}[0m",
    "---\n",
    "...\n",
    ": ",
    "- ",
    "{",
    "]",
    "&a ",
    "*a",
    "\u{feff}",
    "é",
    "😀",
    "\0",
];

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let mut out = Vec::new();
    let mut dirs = vec![root.join("fixtures"), root.join("fragments")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "txt") {
                out.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    out.sort();
    out
}

fn mutate(rng: &mut Rng, text: &str, pool: &[String]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    for _ in 0..1 + rng.below(4) {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = rng.below(lines.len());
        match rng.below(8) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let copy = lines[i].clone();
                lines.insert(rng.below(lines.len()), copy);
            }
            2 => {
                // Truncate mid-line, as a cut-off paste does.
                let line = &lines[i];
                let mut cut = rng.below(line.len() + 1);
                while !line.is_char_boundary(cut) {
                    cut -= 1;
                }
                lines[i] = line[..cut].to_string();
                lines.truncate(i + 1);
            }
            3 | 4 => {
                let line = &mut lines[i];
                let mut at = rng.below(line.len() + 1);
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                line.insert_str(at, NOISE[rng.below(NOISE.len())]);
            }
            5 => {
                let other = &pool[rng.below(pool.len())];
                let other_lines: Vec<&str> = other.split_inclusive('\n').collect();
                let from = rng.below(other_lines.len());
                let to = (from + rng.below(12)).min(other_lines.len());
                for (k, l) in other_lines[from..to].iter().enumerate() {
                    lines.insert((i + k).min(lines.len()), l.to_string());
                }
            }
            6 => {
                let indent = " ".repeat(rng.below(9));
                lines[i] = format!("{indent}{}", lines[i].trim_start());
            }
            _ => {
                let j = rng.below(lines.len());
                lines.swap(i, j);
            }
        }
    }
    lines.concat()
}

/// How many pastes each test tries: `KUBECLINIC_FUZZ_ITERATIONS`, 3,000 by default.
fn iterations() -> usize {
    std::env::var("KUBECLINIC_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// A window of `text`'s lines, as people cut a paste down: one line, or a few.
fn window(rng: &mut Rng, text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let from = rng.below(lines.len().max(1));
    let len = if rng.below(3) == 0 {
        1
    } else {
        1 + rng.below(8)
    };
    lines[from.min(lines.len())..(from + len).min(lines.len())].concat()
}

/// Text YAML readers would take for a manifest: a top-level key or a document marker.
fn has_manifest_text(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start_matches('\u{feff}');
        l.starts_with("---")
            || l.starts_with('{')
            || l.trim() == "["
            || l.starts_with("- apiVersion")
            || l.split_once(':').is_some_and(|(k, _)| {
                !k.is_empty()
                    && !k.contains(' ')
                    && k.chars().all(|c| c.is_ascii_alphanumeric())
                    && k.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            })
    })
}

#[test]
fn windows_of_pastes_are_never_blamed_on_yaml_nor_read_as_all_clear() {
    let pool = corpus();
    let iterations = iterations();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for iteration in 0..iterations {
        let seed = &pool[rng.below(pool.len())];
        let text = window(&mut rng, seed);
        let files = [SourceFile::new("window.txt", text.clone())];
        let report = std::panic::catch_unwind(|| check(&files))
            .unwrap_or_else(|_| panic!("iteration {iteration} panicked on:\n{text}"));
        if !has_manifest_text(&text) {
            assert!(
                report
                    .findings
                    .iter()
                    .all(|f| f.rule != "yaml-syntax-error"),
                "iteration {iteration}: kubectl output blamed on YAML:\n{text}"
            );
        }
        let content = text.lines().any(|l| {
            let t = l.trim();
            !(t.is_empty()
                || t == "---"
                || t == "..."
                || (t.starts_with('#') && !t.starts_with("##")))
        });
        if report.findings.is_empty() && content {
            assert!(
                report.understood(),
                "iteration {iteration}: nothing understood, yet no finding says so:\n{text}"
            );
        }
    }
}

#[test]
fn the_engine_survives_mutated_pastes() {
    let pool = corpus();
    assert!(pool.len() > 10);
    let iterations = iterations();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for iteration in 0..iterations {
        let seed = &pool[rng.below(pool.len())];
        let text = mutate(&mut rng, seed, &pool);
        let files = [SourceFile::new("fuzz.txt", text.clone())];
        let report = std::panic::catch_unwind(|| check(&files))
            .unwrap_or_else(|_| panic!("iteration {iteration} panicked on:\n{text}"));
        for finding in &report.findings {
            let r = finding.range;
            assert!(
                r.start <= r.end && r.end <= text.len(),
                "iteration {iteration}: {r:?} outside the input"
            );
            assert!(
                text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
                "iteration {iteration}: {r:?} splits a character"
            );
            if let Some(fix) = &finding.fix {
                for edit in &fix.edits {
                    assert!(
                        edit.range.end <= text.len()
                            && text.is_char_boundary(edit.range.start)
                            && text.is_char_boundary(edit.range.end)
                    );
                }
                let _ = apply_edits(&text, fix.edits.iter());
            }
        }
    }
}
