//! How long each rule takes alone on one linked set of N objects (default 10,000), slowest
//! first: `cargo run --release -p kubeclinic-engine --example rule_times -- 10000`.

use std::time::Instant;

use kubeclinic_engine::{rules, Checker, Settings, SourceFile};

#[path = "../../../tests/support/synthetic.rs"]
mod synthetic;

fn main() {
    let objects: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let set = [SourceFile::new(
        "apps.yaml",
        synthetic::application_set(objects / 8),
    )];
    let none = Checker::new(Settings {
        select: vec!["yaml-syntax-error".into()],
        ..Settings::default()
    })
    .expect("settings");
    let start = Instant::now();
    none.check(&set);
    let base = start.elapsed().as_secs_f64();
    println!("reading alone: {:.0} ms", base * 1e3);
    let mut times = Vec::new();
    for entry in rules::REGISTRY.iter() {
        let checker = Checker::new(Settings {
            select: vec![entry.meta.id.to_string()],
            profile: kubeclinic_engine::Profile::Strict,
            ..Settings::default()
        })
        .expect("settings");
        let start = Instant::now();
        let report = checker.check(&set);
        times.push((
            start.elapsed().as_secs_f64() - base,
            entry.meta.id,
            report.findings.len(),
        ));
    }
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, id, n) in times.iter().take(15) {
        println!("{:>8.0} ms  {id} ({n} findings)", t * 1e3);
    }
}
