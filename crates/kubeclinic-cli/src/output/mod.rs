//! Every `--format` of `check`: the engine's human and JSON renderers, and the formats CI
//! systems read (SARIF, GitHub workflow commands, JUnit XML).

mod github;
mod junit;
mod sarif;
pub mod statistics;

use kubeclinic_engine::{output, Applicability, Finding, Fix, Report, SourceFile};

use crate::cli::Format;

pub fn render(
    format: Format,
    files: &[SourceFile],
    report: &Report,
    show_suppressed: bool,
) -> Result<String, String> {
    Ok(match format {
        Format::Human => output::render_human_with(files, report, show_suppressed),
        Format::Json => to_json(&output::to_json(files, report))?,
        Format::Sarif => to_json(&sarif::render(files, report))?,
        Format::Github => github::render(files, report),
        Format::Junit => junit::render(files, report)?,
    })
}

/// Pretty JSON with a final newline.
pub fn to_json(value: &impl serde::Serialize) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|json| json + "\n")
        .map_err(|e| e.to_string())
}

/// An input's path as CI systems want it: relative to the working folder (the checkout)
/// with `/` separators, or absolute when the file lies outside it.
pub fn repository_path(path: &str) -> String {
    let given = std::path::Path::new(path);
    let relative = given
        .canonicalize()
        .ok()
        .zip(std::env::current_dir().and_then(|d| d.canonicalize()).ok())
        .and_then(|(file, cwd)| file.strip_prefix(cwd).ok().map(|p| p.to_path_buf()));
    let shown = match relative {
        Some(relative) => relative,
        None => given.to_path_buf(),
    };
    let text = shown.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").unwrap_or(&text).to_string()
}

/// Ends a message with a full stop unless it already ends a sentence.
pub fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// The finding's fix when `kubeclinic fix` can apply it (safe, or unsafe when asked):
/// display-only fixes hold placeholders.
pub fn applicable_fix(f: &Finding) -> Option<&Fix> {
    f.fix
        .as_ref()
        .filter(|fix| fix.applicability >= Applicability::Unsafe && !fix.edits.is_empty())
}

/// Why it matters, what to do, and the fix, one per line.
pub(crate) fn explanation(f: &Finding) -> String {
    let mut lines = vec![format!("why: {}", f.why)];
    lines.extend(f.help.as_ref().map(|help| format!("help: {help}")));
    lines.extend(
        f.fix
            .as_ref()
            .map(|fix| format!("fix ({}): {}", fix.applicability.as_str(), fix.title)),
    );
    lines.join("\n")
}
