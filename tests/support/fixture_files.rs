//! The fixture files of a rule, and the settings they run with, read the same way by the
//! fixture snapshots and the spec tests.

use std::path::{Path, PathBuf};

/// Files in `dir` whose name starts with one of `prefixes` (`invalid`, `valid`) and that are
/// `.yaml` or `.txt`, sorted.
pub fn fixtures(dir: &Path, prefixes: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        prefixes.iter().any(|x| name.starts_with(x))
            && (name.ends_with(".yaml") || name.ends_with(".txt"))
    });
    out.sort();
    out
}

/// `settings.json` beside a rule's fixtures, for rules that need a setting; the defaults
/// otherwise.
pub fn settings(dir: &Path) -> kubeclinic_engine::Settings {
    let path = dir.join("settings.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        }
        Err(_) => kubeclinic_engine::Settings::default(),
    }
}
