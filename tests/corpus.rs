//! One all-rules snapshot over the real-manifest corpus (`../shared/corpus/real`, or
//! `KUBECLINIC_CORPUS`): every error and warning it raises is listed in `tests/corpus.snap`,
//! so a new false positive shows up as a change to review. Each folder is one set, as a person
//! would check a folder. `KUBECLINIC_UPDATE=1` rewrites the snapshot.

use std::collections::BTreeMap;
use std::path::Path;

use kubeclinic_engine::{check, LineIndex, Severity, SourceFile};

#[path = "support/corpus_files.rs"]
mod corpus_files;
use corpus_files::{collect, corpus_dir};

#[test]
fn the_corpus_raises_only_the_reviewed_findings() {
    let root = corpus_dir();
    if !root.is_dir() {
        println!("no corpus at {}: nothing to compare", root.display());
        return;
    }
    let mut sets = BTreeMap::new();
    collect(&root, &mut sets);
    let mut lines = Vec::new();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for files in sets.values() {
        let inputs: Vec<SourceFile> = files
            .iter()
            .map(|(p, t)| {
                let rel = p.strip_prefix(&root).unwrap_or(p).display().to_string();
                SourceFile::new(rel, t.clone())
            })
            .collect();
        let report = check(&inputs);
        for f in report
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
        {
            let file = &inputs[f.file];
            let line = LineIndex::new(&file.text).line_of(f.range.start) + 1;
            *counts.entry((f.rule, f.severity.as_str())).or_default() += 1;
            lines.push(format!(
                "{} {} {}:{line}",
                f.severity.as_str(),
                f.rule,
                file.path
            ));
        }
    }
    lines.sort();
    let mut snapshot = String::from("# rule, severity, count\n");
    for ((rule, severity), n) in &counts {
        snapshot.push_str(&format!("{rule} {severity} {n}\n"));
    }
    snapshot.push_str("\n# every finding\n");
    for line in &lines {
        snapshot.push_str(line);
        snapshot.push('\n');
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus.snap");
    if std::env::var_os("KUBECLINIC_UPDATE").is_some() {
        std::fs::write(&path, &snapshot).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != snapshot {
        let old: std::collections::BTreeSet<&str> = committed.lines().collect();
        let new: std::collections::BTreeSet<&str> = snapshot.lines().collect();
        let added: Vec<&&str> = new.difference(&old).take(20).collect();
        let gone: Vec<&&str> = old.difference(&new).take(20).collect();
        panic!(
            "the corpus findings changed; review them and run with KUBECLINIC_UPDATE=1\nnew: {added:#?}\ngone: {gone:#?}"
        );
    }
}
