//! Spec tests, one per fixture file (as Biome's): every `tests/fixtures/<rule>/invalid*` and
//! `valid*` file is a test of its own, checked with only the rule under test enabled (and the
//! rule's `settings.json`, when it has one). An invalid fixture must give that rule's findings,
//! each keeping the fix promise of the rule's metadata; a valid one must give none.
//! `cargo test --test spec -- unknown-field` runs one rule's.

use std::path::{Path, PathBuf};

use kubeclinic_engine::rule::{FixAvailability, RuleMeta};
use kubeclinic_engine::{rules, Checker, Settings, SourceFile};
use libtest_mimic::{Arguments, Failed, Trial};

#[path = "support/fixture_files.rs"]
mod fixture_files;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

fn checker(meta: &RuleMeta) -> Result<Checker, Failed> {
    Checker::new(Settings {
        select: vec![meta.id.to_string()],
        ..fixture_files::settings(&fixtures_dir().join(meta.id))
    })
    .map_err(|e| e.to_string().into())
}

fn run(meta: &'static RuleMeta, path: &Path, invalid: bool) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let file = SourceFile::new(path.file_name().unwrap().to_string_lossy(), text);
    let report = checker(meta)?.check(std::slice::from_ref(&file));
    if let Some(other) = report.findings.iter().find(|f| f.rule != meta.id) {
        return Err(format!("another rule ran: {}", other.rule).into());
    }
    if !invalid {
        return match report.findings.first() {
            None => Ok(()),
            Some(f) => Err(format!("a valid fixture reports: {}", f.message).into()),
        };
    }
    if report.findings.is_empty() {
        return Err("the rule alone reports nothing".into());
    }
    for f in &report.findings {
        match (meta.fix, &f.fix) {
            (FixAvailability::None, Some(_)) => {
                return Err(format!("declares no fix but offers one: {}", f.message).into())
            }
            (FixAvailability::Always, None) => {
                return Err(format!("declares a fix always but offers none: {}", f.message).into())
            }
            _ => {}
        }
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for entry in rules::REGISTRY.iter() {
        let meta: &'static RuleMeta = entry.meta;
        let dir = fixtures_dir().join(meta.id);
        let files = fixture_files::fixtures(&dir, &["invalid", "valid"]);
        if !files.iter().any(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("invalid")
        }) {
            trials.push(Trial::test(
                format!("{}::has-an-invalid-fixture", meta.id),
                move || Err("no invalid fixture".into()),
            ));
        }
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let invalid = name.starts_with("invalid");
            trials.push(Trial::test(format!("{}::{name}", meta.id), move || {
                run(meta, &path, invalid)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
