//! `kubeclinic rules`: every rule's documentation, written once in its doc comment and shown
//! here as a list, as one page (as `ruff rule <code>` shows one), or as the Markdown pages in
//! `docs/rules/`.

use std::path::Path;

use kubeclinic_engine::rule::{FixAvailability, Reads, RuleMeta};
use kubeclinic_engine::rules::{self, REGISTRY};

use crate::cli::RulesFormat;

/// The project's home, which SARIF viewers link to.
pub const PROJECT_URL: &str = "https://github.com/kubeclinic/kubeclinic";

/// Where the rule pages are published: `<this><id>.md`.
const RULE_PAGES_URL: &str = "https://github.com/kubeclinic/kubeclinic/blob/main/docs/rules/";

/// The page of one rule, as linked from SARIF and the rule index.
pub fn help_uri(id: &str) -> String {
    format!("{RULE_PAGES_URL}{id}.md")
}

/// The first sentence of what the rule does, on one line.
pub fn summary(meta: &RuleMeta) -> String {
    let what = meta.section("What it does").unwrap_or_default();
    let flat = what.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.find(". ") {
        Some(end) => flat[..=end].to_string(),
        None => flat,
    }
}

/// `kubeclinic rules [ID]`.
pub fn render(rule: Option<&str>, format: RulesFormat) -> Result<String, String> {
    let chosen: Vec<&RuleMeta> = match rule {
        Some(id) => vec![find(id)?],
        None => REGISTRY.iter().map(|e| e.meta).collect(),
    };
    match format {
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = chosen.iter().map(|m| json(m)).collect();
            match rule {
                Some(_) => crate::output::to_json(&list[0]),
                None => crate::output::to_json(&list),
            }
        }
        RulesFormat::Human => Ok(chosen
            .iter()
            .map(|m| page(m))
            .collect::<Vec<_>>()
            .join(&format!("\n{}\n\n", "-".repeat(72)))),
    }
}

fn find(id: &str) -> Result<&'static RuleMeta, String> {
    rules::find(id).ok_or_else(|| {
        let hint = kubeclinic_engine::similarity::nearest(id, REGISTRY.iter().map(|e| e.meta.id))
            .map(|n| format!("; did you mean `{n}`?"))
            .unwrap_or_default();
        format!("no rule is called `{id}`{hint} (`kubeclinic rules` lists them)")
    })
}

fn json(m: &RuleMeta) -> serde_json::Value {
    serde_json::json!({
        "id": m.id,
        "category": m.category,
        "severity": m.severity,
        "fix": m.fix,
        "reads": m.reads,
        "profile": m.profile,
        "explained_by": m.explained_by,
        "options": m.options,
        "docs": m.markdown(),
        "url": help_uri(m.id),
    })
}

/// One rule as a Markdown page: its facts, its docs, its options.
pub fn page(m: &RuleMeta) -> String {
    let fix = match m.fix {
        FixAvailability::None => "none",
        FixAvailability::Sometimes => "sometimes available",
        FixAvailability::Always => "always available",
    };
    let reads = match m.reads {
        Reads::Manifests => "manifests",
        Reads::Runtime => "kubectl output",
        Reads::Both => "manifests and kubectl output",
    };
    let mut out = format!(
        "# {}\n\n\
         | category | default severity | profile | reads | fix |\n\
         | --- | --- | --- | --- | --- |\n\
         | {} | {} | {} and stricter | {reads} | {fix} |\n\n{}\n",
        m.id,
        m.category.as_str(),
        m.severity.as_str(),
        m.profile.as_str(),
        m.markdown()
    );
    if !m.options.is_empty() {
        out.push_str("\n## Options\n\n");
        for option in m.options {
            out.push_str(&format!(
                "- `{}`: {} (`--rule-option {}.{}=A,B`)\n",
                option.name, option.description, m.id, option.name
            ));
        }
    }
    if !m.explained_by.is_empty() {
        out.push_str("\n## Explained by\n\nA finding of these rules at the same place replaces this rule's:\n\n");
        for by in m.explained_by {
            out.push_str(&format!("- [`{by}`]({by}.md)\n"));
        }
    }
    out
}

/// `docs/rules/README.md`: every rule by category, with its one-line summary.
pub fn index() -> String {
    let mut out = String::from(
        "# Rules\n\nGenerated from the rules' doc comments (`kubeclinic rules --write-docs docs/rules`); \
         `kubeclinic rules <id>` prints the same page.\n",
    );
    let mut category = None;
    for meta in REGISTRY.iter().map(|e| e.meta) {
        if category != Some(meta.category.as_str()) {
            category = Some(meta.category.as_str());
            out.push_str(&format!(
                "\n## {}\n\n| rule | severity | summary |\n| --- | --- | --- |\n",
                meta.category.as_str()
            ));
        }
        out.push_str(&format!(
            "| [`{id}`]({id}.md) | {} | {} |\n",
            meta.severity.as_str(),
            summary(meta).replace('|', "\\|"),
            id = meta.id
        ));
    }
    out
}

/// Every generated file of the rules folder: a page per rule, then the index.
pub fn pages() -> Vec<(String, String)> {
    REGISTRY
        .iter()
        .map(|e| (format!("{}.md", e.meta.id), page(e.meta)))
        .chain([("README.md".to_string(), index())])
        .collect()
}

/// Writes [`pages`] into `dir`, removing the pages of rules that no longer exist; returns how
/// many rule pages it wrote.
pub fn write(dir: &Path) -> Result<usize, String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", dir.display());
    std::fs::create_dir_all(dir).map_err(fail)?;
    let pages = pages();
    for entry in std::fs::read_dir(dir).map_err(fail)?.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".md") && !pages.iter().any(|(page, _)| *page == name) {
            std::fs::remove_file(entry.path()).map_err(fail)?;
        }
    }
    for (name, text) in &pages {
        std::fs::write(dir.join(name), text).map_err(fail)?;
    }
    Ok(pages.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_pages_are_what_the_rules_document() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
        if std::env::var_os("KUBECLINIC_UPDATE_DOCS").is_some() {
            write(&dir).unwrap();
        }
        let pages = pages();
        for (name, text) in &pages {
            crate::assert_generated(&format!("docs/rules/{name}"), text);
        }
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            assert!(
                pages.iter().any(|(page, _)| *page == name),
                "docs/rules/{name} belongs to no rule"
            );
        }
    }

    #[test]
    fn summaries_are_one_sentence() {
        for meta in REGISTRY.iter().map(|e| e.meta) {
            let summary = summary(meta);
            assert!(!summary.is_empty(), "{} has no summary", meta.id);
            assert!(!summary.contains('\n'), "{}", meta.id);
        }
    }
}
