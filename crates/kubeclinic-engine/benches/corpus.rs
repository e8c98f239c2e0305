//! `cargo bench -p kubeclinic-engine --bench corpus`: runs the engine over the real-manifest
//! corpus (one set per folder, as a person would paste a folder) and a synthetic 10 MB paste,
//! and prints findings per rule and timings. Set `KUBECLINIC_CORPUS` to point elsewhere.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use kubeclinic_engine::{check, fix, Applicability, SourceFile};

#[path = "../../../tests/support/corpus_files.rs"]
mod corpus_files;
#[path = "../../../tests/support/synthetic.rs"]
mod synthetic;
use corpus_files::{collect, corpus_dir};
use synthetic::application_set;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed());
        last = Some(value);
    }
    (best, last.unwrap())
}

fn main() {
    let dir = corpus_dir();
    let mut raw = BTreeMap::new();
    collect(&dir, &mut raw);
    let sets: BTreeMap<PathBuf, Vec<SourceFile>> = raw
        .into_iter()
        .map(|(dir, files)| {
            let inputs = files
                .into_iter()
                .map(|(path, text)| SourceFile::new(path.display().to_string(), text))
                .collect();
            (dir, inputs)
        })
        .collect();
    let files: usize = sets.values().map(Vec::len).sum();
    let bytes: usize = sets.values().flatten().map(|f| f.text.len()).sum();
    if files == 0 {
        println!("no corpus at {} (set KUBECLINIC_CORPUS)", dir.display());
    } else {
        let (elapsed, reports) = best_of(5, || {
            sets.values().map(|set| check(set)).collect::<Vec<_>>()
        });
        let objects: usize = reports.iter().map(|r| r.objects).sum();
        let mut by_rule: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for finding in reports.iter().flat_map(|r| &r.findings) {
            *by_rule
                .entry((finding.rule, finding.severity.as_str()))
                .or_default() += 1;
        }
        println!(
            "corpus: {} sets, {files} files, {objects} objects, {:.1} MB",
            sets.len(),
            bytes as f64 / 1e6
        );
        println!(
            "check:  {:.1} ms (best of 5), {:.1} MB/s",
            elapsed.as_secs_f64() * 1e3,
            bytes as f64 / 1e6 / elapsed.as_secs_f64()
        );
        for ((rule, severity), count) in &by_rule {
            println!("  {rule:<28} {severity:<8} {count}");
        }
        let (elapsed, _) = best_of(3, || {
            sets.values()
                .map(|set| fix(set, Applicability::Unsafe))
                .collect::<Vec<_>>()
        });
        println!(
            "fix --unsafe over the corpus: {:.1} ms (best of 3)",
            elapsed.as_secs_f64() * 1e3
        );
    }

    let object = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-NUMBER\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          env:\n            - name: DB_URL\n              value: postgres://db:5432/app\n";
    let big = [SourceFile::new(
        "big.yaml",
        // Distinct names: the same object twice would be a finding each time.
        (0..10 * 1024 * 1024 / object.len())
            .map(|i| object.replace("NUMBER", &i.to_string()))
            .collect::<String>(),
    )];
    let (elapsed, report) = best_of(3, || check(&big));
    println!(
        "10 MB paste: {} objects, {} findings, {:.0} ms (best of 3)",
        report.objects,
        report.findings.len(),
        elapsed.as_secs_f64() * 1e3
    );
    // One namespace of many applications, each a Deployment with its Service, ConfigMap,
    // Secret, Ingress, HPA, PodDisruptionBudget and NetworkPolicy: every object refers to
    // others, so the rules that join objects (selectors, names, keys, ports) do their most.
    for objects in [1_000, 10_000] {
        let set = [SourceFile::new("apps.yaml", application_set(objects / 8))];
        let (elapsed, report) = best_of(3, || check(&set));
        println!(
            "one set of {} objects: {} findings, {:.0} ms (best of 3)",
            report.objects,
            report.findings.len(),
            elapsed.as_secs_f64() * 1e3
        );
    }
    let small = [SourceFile::new(
        "example.yaml",
        include_str!("../../../tests/fixtures/examples/petrosa-extractor.yaml"),
    )];
    let (elapsed, _) = best_of(50, || check(&small));
    println!(
        "incident example (keystroke cost): {:.2} ms (best of 50)",
        elapsed.as_secs_f64() * 1e3
    );
    let runtime = [SourceFile::new(
        "describe.txt",
        include_str!("../../../tests/fixtures/oom-killed/invalid.txt"),
    )];
    let (elapsed, _) = best_of(50, || check(&runtime));
    println!(
        "describe + manifest paste (keystroke cost): {:.2} ms (best of 50)",
        elapsed.as_secs_f64() * 1e3
    );
}
