//! Folders given as inputs: the files below them that Kubeclinic reads, in a stable order.
//! `.gitignore` (and `.ignore`) rules are honoured, hidden files are left out, and so is YAML
//! that is no Kubernetes manifest: GitHub workflows, Helm charts (templates and values),
//! kustomizations, and any other YAML or JSON that names no `apiVersion` or `kind`. What a
//! configuration file's `exclude` names is left out too.

use std::path::Path;

use kubeclinic_engine::SourceFile;

use crate::configuration::Resolver;

/// File endings read below a folder: manifests and saved kubectl output.
const EXTENSIONS: [&str; 5] = ["yaml", "yml", "json", "txt", "log"];

/// What a folder held.
pub struct Walked {
    /// The files to check, sorted by path.
    pub files: Vec<SourceFile>,
    /// Files with a readable ending that are no Kubernetes manifests.
    pub skipped: usize,
    /// Files with a readable ending that a configuration file's `exclude` names.
    pub excluded: usize,
}

pub fn walk(dir: &Path, configs: &mut Resolver) -> Result<Walked, String> {
    let walker = ignore::WalkBuilder::new(dir)
        // Hidden entries are left out by the filter below, which keeps `.github` to count it.
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0 || !name.starts_with('.') || name == ".github"
        })
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    let mut walked = Walked {
        files: Vec::new(),
        skipped: 0,
        excluded: 0,
    };
    for entry in walker {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let path = entry.path();
        if !entry.file_type().is_some_and(|t| t.is_file()) || !readable_ending(path) {
            continue;
        }
        if configs.config_for(path)?.is_some_and(|c| c.excludes(path)) {
            walked.excluded += 1;
            continue;
        }
        if is_elsewhere_config(dir, path) {
            walked.skipped += 1;
            continue;
        }
        let file = crate::inputs::read_file(path)?;
        if is_structured(path) && !looks_like_manifest(&file.text) {
            walked.skipped += 1;
        } else {
            walked.files.push(file);
        }
    }
    Ok(walked)
}

/// `skipped 4 files that are not Kubernetes manifests`, when any were.
pub fn skipped_note(skipped: usize) -> Option<String> {
    match skipped {
        0 => None,
        1 => Some("skipped 1 file that is not a Kubernetes manifest".into()),
        n => Some(format!(
            "skipped {n} files that are not Kubernetes manifests"
        )),
    }
}

/// `excluded 2 files named by a configuration file's exclude`, when any were.
pub fn excluded_note(excluded: usize) -> Option<String> {
    match excluded {
        0 => None,
        1 => Some("excluded 1 file named by `exclude` in a .kubeclinic.yaml".into()),
        n => Some(format!(
            "excluded {n} files named by `exclude` in a .kubeclinic.yaml"
        )),
    }
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

fn readable_ending(path: &Path) -> bool {
    EXTENSIONS.contains(&extension(path).as_str())
}

/// YAML or JSON, as opposed to saved kubectl output.
fn is_structured(path: &Path) -> bool {
    matches!(extension(path).as_str(), "yaml" | "yml" | "json")
}

/// Files another tool owns, known by their place or name: GitHub's workflows, everything in
/// a Helm chart (its templates are no YAML until rendered; `NOTES.txt` is no kubectl output),
/// Helm values and kustomizations.
fn is_elsewhere_config(root: &Path, path: &Path) -> bool {
    let in_github = path.components().any(|c| c.as_os_str() == ".github");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(stem, _)| stem);
    let named = is_structured(path)
        && (stem == "values" || stem.starts_with("values-") || stem == "kustomization");
    in_github || named || in_helm_chart(root, path)
}

/// True when a folder between the file and the walked root holds a `Chart.yaml`.
fn in_helm_chart(root: &Path, path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .take_while(|dir| dir.starts_with(root))
        .any(|dir| dir.join("Chart.yaml").is_file())
}

/// True when the text names `apiVersion` or `kind` as a top-level key (any key, in flow
/// style and JSON) and holds no template braces. A text scan rather than a parse: a manifest
/// whose YAML is broken must still be read, so the engine can report where it breaks.
fn looks_like_manifest(text: &str) -> bool {
    if text.contains("{{") {
        return false;
    }
    let flow = text.trim_start().starts_with(['{', '[']);
    let has_key = |line: &str| {
        let key = line
            .trim_start_matches("- ")
            .trim_start_matches(['"', '\'']);
        ["apiVersion", "kind"].iter().any(|name| {
            key.strip_prefix(name).is_some_and(|rest| {
                rest.trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':')
            })
        })
    };
    if flow {
        text.split(['{', ',', '\n'])
            .any(|part| has_key(part.trim_start()))
    } else {
        text.lines().any(has_key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_are_told_from_other_yaml() {
        assert!(looks_like_manifest("apiVersion: v1\nkind: Pod\n"));
        assert!(looks_like_manifest("# a pod\n---\nkind: Pod\nspec: [b\n"));
        assert!(looks_like_manifest("- apiVersion: v1\n  kind: Pod\n"));
        assert!(looks_like_manifest(
            "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\"\n}\n"
        ));
        assert!(looks_like_manifest("{apiVersion: v1, kind: Pod}\n"));
        assert!(!looks_like_manifest(
            "services:\n  web:\n    image: nginx\n    kind: ignored\n"
        ));
        assert!(!looks_like_manifest(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n"
        ));
        assert!(!looks_like_manifest("{\"name\": \"app\", \"kinds\": 2}\n"));
        assert!(!looks_like_manifest("kindness: 1\n"));
    }
}
