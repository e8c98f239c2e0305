//! Bad input gets a finding or an error that names the place, never a panic.

use kubeclinic_engine::{check, fix, Applicability, SourceFile};

fn run(text: &str) -> kubeclinic_engine::Report {
    let files = [SourceFile::new("input.yaml", text)];
    let report = check(&files);
    // Fixing must survive whatever checking survived.
    let _ = fix(&files, Applicability::Unsafe);
    report
}

fn syntax_errors(report: &kubeclinic_engine::Report) -> Vec<&str> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == "yaml-syntax-error")
        .map(|f| f.message.as_str())
        .collect()
}

#[test]
fn empty_and_blank_inputs_report_nothing() {
    for text in ["", "\n\n", "---\n", "# only a comment\n", "---\n---\n...\n"] {
        let report = run(text);
        assert!(
            report.findings.is_empty(),
            "{text:?}: {:?}",
            report.findings
        );
    }
}

#[test]
fn binary_junk_is_a_syntax_error_with_a_place() {
    let junk: String = (0u32..4000)
        .map(|i| char::from_u32((i * 7919) % 0x2FF).unwrap_or('?'))
        .collect();
    let report = run(&junk);
    assert!(!syntax_errors(&report).is_empty());
    assert!(report.findings.iter().all(|f| f.range.end <= junk.len()));
}

#[test]
fn deep_nesting_is_refused_with_a_message() {
    let deep = format!("spec: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let report = run(&deep);
    assert!(
        syntax_errors(&report).iter().any(|m| m.contains("nested")),
        "{:?}",
        report.findings
    );
    let deep_block: String = std::iter::once("spec:\n".to_string())
        .chain((1..5000).map(|i| format!("{}k{i}:\n", " ".repeat(i))))
        .collect();
    let report = run(&deep_block);
    assert!(syntax_errors(&report).iter().any(|m| m.contains("nested")));
}

#[test]
fn alias_bombs_do_not_expand() {
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..12 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("l{}", i - 1)
        };
        bomb.push_str(&format!(
            "  l{i}: &l{i} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let report = run(&bomb);
    assert_eq!(report.objects, 1);
}

#[test]
fn a_ten_megabyte_paste_is_checked() {
    let object = "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-NUMBER\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:latest\n          env:\n            - name: DB_URL\n              value: postgres://localhost:5432/db\n";
    // Distinct names: the same object twice is a finding of its own.
    let text: String = (0..10 * 1024 * 1024 / object.len())
        .map(|i| object.replace("NUMBER", &i.to_string()))
        .collect();
    let report = run(&text);
    assert!(report.objects > 20_000);
    // Two warnings per object (the `latest` tag and the localhost address); the infos (no
    // probes, no requests) come on top.
    let warnings = report
        .findings
        .iter()
        .filter(|f| f.severity >= kubeclinic_engine::Severity::Warning)
        .count();
    assert_eq!(warnings, 2 * report.objects);
}

#[test]
fn unclosed_structures_and_odd_bytes_name_a_line() {
    for text in [
        "kind: [Pod\n",
        "kind: {a: b\n",
        "a: 'x\n",
        "a: *undefined\n",
        "\u{feff}\u{feff}a: b\n",
        "a:\tb\n\t- c\n",
        "- a\nb: c\n",
        "a: b\r\nc\r\n",
        "%YAML 9.9\n---\na: b\n",
        "!!binary x: y\n",
        "? [a, b]\n: c\n",
    ] {
        let report = run(text);
        for f in &report.findings {
            assert!(f.range.end <= text.len(), "{text:?}");
        }
    }
}
