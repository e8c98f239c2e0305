//! JUnit XML: one test suite per input, one failing test case per finding, and one passing
//! test case for an input without findings, as CI test reports show them.

use std::borrow::Cow;

use kubeclinic_engine::output::locate;
use kubeclinic_engine::{Finding, LineIndex, PositionEncoding, Report, SourceFile};
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;

pub fn render(files: &[SourceFile], report: &Report) -> Result<String, String> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_report(&mut writer, files, report).map_err(|e| format!("cannot write JUnit: {e}"))?;
    let mut xml = String::from_utf8(writer.into_inner()).map_err(|e| e.to_string())?;
    xml.push('\n');
    Ok(xml)
}

fn write_report(
    writer: &mut Writer<Vec<u8>>,
    files: &[SourceFile],
    report: &Report,
) -> std::io::Result<()> {
    let total = report.findings.len();
    let tests = files
        .iter()
        .enumerate()
        .map(|(id, _)| findings_of(report, id).count().max(1))
        .sum::<usize>();
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    writer
        .create_element("testsuites")
        .with_attributes([
            ("name", "kubeclinic"),
            ("tests", tests.to_string().as_str()),
            ("failures", total.to_string().as_str()),
        ])
        .write_inner_content(|writer| {
            for (id, file) in files.iter().enumerate() {
                write_suite(writer, file, findings_of(report, id).collect())?;
            }
            Ok::<(), std::io::Error>(())
        })?;
    Ok(())
}

fn findings_of(report: &Report, file: usize) -> impl Iterator<Item = &Finding> {
    report.findings.iter().filter(move |f| f.file == file)
}

fn write_suite(
    writer: &mut Writer<Vec<u8>>,
    file: &SourceFile,
    findings: Vec<&Finding>,
) -> std::io::Result<()> {
    let path = xml_text(&file.path);
    let index = LineIndex::new(&file.text);
    writer
        .create_element("testsuite")
        .with_attributes([
            ("name", path.as_ref()),
            ("tests", findings.len().max(1).to_string().as_str()),
            ("failures", findings.len().to_string().as_str()),
            ("errors", "0"),
            ("skipped", "0"),
        ])
        .write_inner_content(|writer| {
            if findings.is_empty() {
                writer
                    .create_element("testcase")
                    .with_attributes([
                        ("name", "no findings"),
                        ("classname", path.as_ref()),
                        ("file", path.as_ref()),
                    ])
                    .write_empty()?;
            }
            for f in findings {
                let at = locate(file, &index, f.range, PositionEncoding::Utf8Chars);
                let body = format!(
                    "{}:{}:{}: {}\n{}",
                    file.path,
                    at.line,
                    at.column,
                    f.message,
                    super::explanation(f)
                );
                writer
                    .create_element("testcase")
                    .with_attributes([
                        (
                            "name",
                            format!("{} at {}:{}", f.rule, at.line, at.column).as_str(),
                        ),
                        ("classname", path.as_ref()),
                        ("file", path.as_ref()),
                        ("line", at.line.to_string().as_str()),
                    ])
                    .write_inner_content(|writer| {
                        writer
                            .create_element("failure")
                            .with_attributes([
                                ("message", xml_text(&f.message).as_ref()),
                                ("type", f.severity.as_str()),
                            ])
                            .write_text_content(BytesText::new(&xml_text(&body)))?;
                        Ok::<(), std::io::Error>(())
                    })?;
            }
            Ok::<(), std::io::Error>(())
        })?;
    Ok(())
}

/// Text XML 1.0 can hold: the control characters it forbids (which escaping cannot save)
/// become U+FFFD. The writer escapes `&`, `<`, `>` and quotes.
fn xml_text(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_control_characters_are_replaced() {
        assert_eq!(xml_text("a\u{1}b\tc"), "a\u{FFFD}b\tc");
        assert!(matches!(xml_text("plain <text> & more"), Cow::Borrowed(_)));
    }
}
