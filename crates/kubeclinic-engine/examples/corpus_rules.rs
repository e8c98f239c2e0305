//! What chosen rules find in the real-manifest corpus, per rule and severity, with each
//! finding's place and message, under the default (`recommended`) settings:
//! `cargo run -p kubeclinic-engine --example corpus_rules -- missing-probes host-path`
//! (no ids: every rule; `--profile strict` to see the strict ones too).

use std::collections::BTreeMap;

use kubeclinic_engine::{Checker, LineIndex, Profile, Settings, SourceFile};

#[path = "../../../tests/support/corpus_files.rs"]
mod corpus_files;

fn main() {
    let mut ids: Vec<String> = Vec::new();
    let mut profile = Profile::Recommended;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--profile" {
            profile = Profile::parse(&args.next().expect("--profile needs a name"))
                .expect("minimal, recommended or strict");
        } else {
            ids.push(arg);
        }
    }
    let checker = Checker::new(Settings {
        profile,
        ..Settings::default()
    })
    .expect("settings");
    let root = corpus_files::corpus_dir();
    let mut sets = BTreeMap::new();
    corpus_files::collect(&root, &mut sets);
    let mut counts: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let mut objects = 0;
    for files in sets.values() {
        let inputs: Vec<SourceFile> = files
            .iter()
            .map(|(p, t)| {
                let rel = p.strip_prefix(&root).unwrap_or(p).display().to_string();
                SourceFile::new(rel, t.clone())
            })
            .collect();
        let report = checker.check(&inputs);
        objects += report.objects;
        for f in &report.findings {
            if !ids.is_empty() && !ids.iter().any(|i| i == f.rule) {
                continue;
            }
            let file = &inputs[f.file];
            let line = LineIndex::new(&file.text).line_of(f.range.start) + 1;
            *counts
                .entry((f.rule.to_string(), f.severity.as_str()))
                .or_default() += 1;
            println!(
                "{} {} {}:{line}: {}",
                f.severity.as_str(),
                f.rule,
                file.path,
                f.message
            );
        }
    }
    println!("\n{} sets, {objects} objects", sets.len());
    for ((rule, severity), n) in counts {
        println!("{rule} {severity} {n}");
    }
}
