//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request
//! (`::error file=k8s/app.yaml,line=3,col=7,endLine=3,endColumn=20,title=rule::message`).

use kubeclinic_engine::output::locate;
use kubeclinic_engine::{Finding, LineIndex, PositionEncoding, Report, Severity, SourceFile};

use super::repository_path;

pub fn render(files: &[SourceFile], report: &Report) -> String {
    let indexes: Vec<LineIndex> = files.iter().map(|f| LineIndex::new(&f.text)).collect();
    let paths: Vec<String> = files.iter().map(|f| repository_path(&f.path)).collect();
    report
        .findings
        .iter()
        .map(|f| {
            let at = locate(
                &files[f.file],
                &indexes[f.file],
                f.range,
                PositionEncoding::Utf8Chars,
            );
            format!(
                "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                command(f.severity),
                escape_property(&paths[f.file]),
                at.line,
                at.column,
                at.end_line,
                at.end_column,
                escape_property(f.rule),
                escape_data(&annotation(f)),
            )
        })
        .collect()
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// What is wrong, why it matters and what to do, one per line.
fn annotation(f: &Finding) -> String {
    format!("{}\n{}", f.message, super::explanation(f))
}

/// A command's message: `%`, carriage returns and line feeds are encoded.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: like its message, and `:` and `,` too, which separate
/// properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped_as_github_reads_them() {
        assert_eq!(
            escape_data("100% sure\r\nnext: a,b"),
            "100%25 sure%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
