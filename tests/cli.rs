//! The `kubeclinic` command line: exit codes, JSON contract, fix output.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/examples/petrosa-extractor.yaml"
);
const LATEST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/image-tag-latest/invalid.yaml"
);
const VALID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/image-tag-latest/valid.yaml"
);
const LOCALHOST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/localhost-in-env/invalid.yaml"
);

fn kubeclinic(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeclinic"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A call refused before reading its input (a bad flag) closes the pipe early: that is
    // not the test's failure.
    let _ = pipe.write_all(stdin.unwrap_or_default());
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(kubeclinic(&["check", EXAMPLE], None).status.code(), Some(1));
    assert_eq!(
        kubeclinic(&["check", LATEST], None).status.code(),
        Some(0),
        "warnings pass by default"
    );
    assert_eq!(
        kubeclinic(&["check", "--fail-on", "warning", LATEST], None)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        kubeclinic(&["check", "--fail-on", "info", VALID], None)
            .status
            .code(),
        Some(1),
        "its pod has no probes: an info"
    );
    let config =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {LOG_LEVEL: info}\n";
    assert_eq!(
        kubeclinic(
            &["check", "--fail-on", "info", "-"],
            Some(config.as_bytes())
        )
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        kubeclinic(&["check", "/no/such/file.yaml"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        kubeclinic(&["check", "--fail-on", "sometimes", VALID], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(kubeclinic(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn human_output_has_a_code_frame() {
    let out = stdout(&kubeclinic(&["check", EXAMPLE], None));
    assert!(out.contains("error[image-tag-placeholder]"), "{out}");
    assert!(out.contains("petrosa-extractor.yaml:63:22"), "{out}");
    assert!(out.contains("^^^^"), "{out}");
}

#[test]
fn json_output_keeps_the_versioned_contract() {
    let out = kubeclinic(
        &["check", "--format", "json", "-"],
        Some(std::fs::read(EXAMPLE).unwrap().as_slice()),
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    let findings = json["findings"].as_array().unwrap();
    let netpol = findings
        .iter()
        .find(|f| f["rule"] == "netpol-selects-nothing")
        .unwrap();
    for key in [
        "rule",
        "severity",
        "message",
        "why",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "object",
        "container",
        "fix",
    ] {
        assert!(netpol.get(key).is_some(), "missing {key}");
    }
    assert_eq!(netpol["path"], "<stdin>");
    assert_eq!(netpol["line"], 22);
    assert_eq!(netpol["column"], 7);
    assert_eq!(netpol["severity"], "error");
    assert_eq!(netpol["object"]["kind"], "NetworkPolicy");
    assert_eq!(netpol["object"]["name"], "allow-binance-data-extractor");
    assert_eq!(netpol["fix"]["applicability"], "unsafe");
    let edit = &netpol["fix"]["edits"][0];
    for key in [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "content",
    ] {
        assert!(edit.get(key).is_some(), "edit misses {key}");
    }
    let image = findings
        .iter()
        .find(|f| f["rule"] == "image-tag-placeholder")
        .unwrap();
    assert_eq!(image["container"], "klines-extractor");
    assert_eq!(image["fix"]["applicability"], "display-only");
}

#[test]
fn several_inputs_form_one_set() {
    let dir = std::env::temp_dir().join(format!("kubeclinic-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = dir.join("policy.yaml");
    let job = dir.join("job.yaml");
    std::fs::write(&policy, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector:\n    matchLabels: {app: wrong}\n").unwrap();
    std::fs::write(&job, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: right\n  labels: {app: right}\nspec:\n  containers: [{name: c, image: 'nginx:1.27'}]\n").unwrap();
    let folder = kubeclinic(&["check", "--format", "json", dir.to_str().unwrap()], None);
    assert!(
        stdout(&folder).contains("netpol-selects-nothing"),
        "a folder is read as one set"
    );
    let alone = kubeclinic(
        &["check", "--format", "json", policy.to_str().unwrap()],
        None,
    );
    assert!(!stdout(&alone).contains("netpol-selects-nothing"));
    let both = kubeclinic(
        &[
            "check",
            "--format",
            "json",
            policy.to_str().unwrap(),
            job.to_str().unwrap(),
        ],
        None,
    );
    assert!(stdout(&both).contains("netpol-selects-nothing"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fix_applies_unsafe_fixes_only_when_asked() {
    let safe_only = stdout(&kubeclinic(&["fix", LOCALHOST], None));
    assert_eq!(safe_only, std::fs::read_to_string(LOCALHOST).unwrap());
    let patched = stdout(&kubeclinic(&["fix", "--unsafe", LOCALHOST], None));
    assert!(patched.contains("@db:5432/coinpilot"));
    assert!(patched.contains("# read by src/common/db.py"));
    assert!(
        patched.contains("@localhost/"),
        "display-only fixes are never applied"
    );
    let diff = stdout(&kubeclinic(&["fix", "--unsafe", "--diff", LOCALHOST], None));
    assert!(diff.contains(
        "-              value: postgresql+asyncpg://postgres:postgres@localhost:5432/coinpilot"
    ));
    assert!(diff.contains(
        "+              value: postgresql+asyncpg://postgres:postgres@db:5432/coinpilot"
    ));
}

#[test]
fn bad_input_is_an_error_that_names_the_place() {
    let out = kubeclinic(&["check", "-"], Some(b"kind: Pod\nname: \xff\xfe\n"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not UTF-8") && err.contains("line 2"), "{err}");
    let out = kubeclinic(&["check", "-"], Some(b"spec: [b\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("yaml-syntax-error"));
}

#[test]
fn rules_are_listed_with_their_docs() {
    let out = kubeclinic(&["rules", "--format", "json"], None);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "yaml-syntax-error",
        "netpol-selects-nothing",
        "localhost-in-env",
        "image-tag-placeholder",
        "image-tag-latest",
        "image-tag-missing",
    ] {
        assert!(ids.contains(&id), "{id}");
    }
    assert!(rules[0]["docs"]
        .as_str()
        .unwrap()
        .contains("## Why is this bad?"));
    assert!(stdout(&kubeclinic(&["rules"], None)).contains("## What it does"));
}

#[test]
fn the_readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let out = kubeclinic(&["rules", "--format", "json"], None);
    let rules: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for rule in rules.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        assert!(
            readme.contains(&format!("| `{id}` |")),
            "README.md's rule table misses {id}"
        );
    }
}

#[test]
fn settings_flags_choose_the_rules_and_their_severity() {
    // Ignored: the warnings go, and the exit code follows.
    let out = kubeclinic(
        &[
            "check",
            "--ignore",
            "image-tag-latest",
            "--fail-on",
            "warning",
            LATEST,
        ],
        None,
    );
    assert!(
        !stdout(&out).contains("[image-tag-latest]"),
        "{}",
        stdout(&out)
    );
    // Raised to error: the same findings fail the default --fail-on error.
    let out = kubeclinic(
        &["check", "--severity", "image-tag-latest=error", LATEST],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[image-tag-latest]"));
    // The minimal profile leaves out what does not break a deployment.
    let out = kubeclinic(&["check", "--profile", "minimal", LATEST], None);
    assert!(!stdout(&out).contains("[image-tag-latest]"));
    // Only one category.
    let out = kubeclinic(&["check", "--select", "networking", LATEST], None);
    assert!(!stdout(&out).contains("[image-tag-latest]"));
    // A name that does not exist is an error with the closest id, exit 2.
    let out = kubeclinic(&["check", "--select", "image-tag-lates", LATEST], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("did you mean `image-tag-latest`"), "{err}");
    let out = kubeclinic(&["check", "--kubernetes-version", "one.30", LATEST], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn suppressed_findings_are_counted_and_listed_on_request() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  annotations:\n    kubeclinic.io/ignore: image-tag-latest\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n";
    let out = kubeclinic(&["check", "-"], Some(text.as_bytes()));
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("(1 suppressed)"), "{}", stdout(&out));
    let out = kubeclinic(&["check", "--show-suppressed", "-"], Some(text.as_bytes()));
    assert!(stdout(&out).contains("suppressed warning[image-tag-latest]"));
    assert!(stdout(&out).contains("by annotation kubeclinic.io/ignore on Pod web"));
    let out = kubeclinic(&["check", "--format", "json", "-"], Some(text.as_bytes()));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "image-tag-latest")
        .collect();
    assert!(shown.is_empty());
    assert_eq!(json["suppressed"][0]["rule"], "image-tag-latest");
    assert_eq!(json["suppressed"][0]["line"], 10);
}

#[test]
fn rule_options_reach_their_rule() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: ghcr.io/example/web:main\n";
    let out = kubeclinic(&["check", "-"], Some(text.as_bytes()));
    assert!(!stdout(&out).contains("image-tag-latest"));
    let out = kubeclinic(
        &[
            "check",
            "--rule-option",
            "image-tag-latest.movingTags=main,edge",
            "-",
        ],
        Some(text.as_bytes()),
    );
    assert!(
        stdout(&out).contains("warning[image-tag-latest]"),
        "{}",
        stdout(&out)
    );
    let out = kubeclinic(
        &[
            "check",
            "--rule-option",
            "image-tag-latest.moving=main",
            "-",
        ],
        Some(text.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(2));
}
