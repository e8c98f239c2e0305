//! The real-manifest corpus, read the same way by its snapshot test and its benchmark: one
//! set per folder, as a person would check a folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `KUBECLINIC_CORPUS`, else `../shared/corpus/real` beside the repository.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("KUBECLINIC_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/real")
        })
}

/// Every `.yaml`, `.yml` and `.json` file under `dir`, by folder, sorted.
pub fn collect(dir: &Path, sets: &mut BTreeMap<PathBuf, Vec<(PathBuf, String)>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, sets);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            if let Ok(text) = std::fs::read_to_string(&path) {
                sets.entry(dir.to_path_buf())
                    .or_default()
                    .push((path, text));
            }
        }
    }
}
