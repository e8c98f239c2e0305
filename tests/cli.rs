//! The `kubeclinic` command line: exit codes, the JSON contract, the CI formats (SARIF checked
//! by Microsoft's validator, GitHub workflow commands, JUnit), fix output and folder walks.

use std::io::Write;
use std::path::{Path, PathBuf};
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
    kubeclinic_in(Path::new("."), args, stdin)
}

/// Runs `kubeclinic` in `dir`, as CI runs it in the checkout.
fn kubeclinic_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubeclinic"))
        .current_dir(dir)
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

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A fresh folder of its own for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeclinic-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `files` (relative path, text) below `dir`.
fn lay_out(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
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

/// Microsoft's SARIF validator, installed by `scripts/bootstrap.sh` from `tests/cli-tools`.
const SARIF_VALIDATOR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/cli-tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
);

/// Validates a SARIF file with GitHub's and the SARIF specification's rules and returns the
/// validator's error-level results (`rule: message`). None when the validator is not
/// installed outside CI; in CI a missing validator fails the test.
fn sarif_errors(log: &Path) -> Option<Vec<String>> {
    if !Path::new(SARIF_VALIDATOR).is_file() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the SARIF validator is missing: `source scripts/bootstrap.sh` installs it"
        );
        eprintln!("skipped SARIF validation: the validator is not installed (`source scripts/bootstrap.sh` installs it)");
        return None;
    }
    let verdict = log.with_extension("validation.sarif");
    let _ = std::fs::remove_file(&verdict);
    let run = Command::new(SARIF_VALIDATOR)
        .args(["validate", "--rule-kind", "Gh;Sarif", "--output"])
        .arg(&verdict)
        .arg(log)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&run.stdout)
    );
    let verdict: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&verdict).unwrap()).unwrap();
    let run = &verdict["runs"][0];
    assert_eq!(
        run["invocations"][0]["executionSuccessful"], true,
        "{verdict}"
    );
    Some(
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "error")
            .map(|r| format!("{}: {}", r["ruleId"], r["message"]["text"]))
            .collect(),
    )
}

#[test]
fn sarif_output_is_valid_for_github_code_scanning() {
    let dir = scratch("sarif");
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let localhost = std::fs::read_to_string(LOCALHOST).unwrap();
    let rendered = std::fs::read_to_string(HELM_TEMPLATE).unwrap();
    lay_out(
        &dir,
        &[
            ("k8s/extractor.yaml", &example),
            ("k8s/bot app.yaml", &localhost),
            ("k8s/rendered.yaml", &rendered),
        ],
    );
    let out = kubeclinic_in(&dir, &["check", "--format", "sarif", "k8s"], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let netpol_rule = rules
        .iter()
        .find(|r| r["id"] == "netpol-selects-nothing")
        .unwrap();
    assert!(netpol_rule["shortDescription"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Finds NetworkPolicies"));
    assert!(netpol_rule["fullDescription"]["text"].is_string());
    assert!(netpol_rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("## Why is this bad?"));
    assert!(netpol_rule["help"]["text"].is_string());
    assert_eq!(
        netpol_rule["helpUri"],
        "https://github.com/kubeclinic/kubeclinic/blob/main/docs/rules/netpol-selects-nothing.md"
    );
    let results = run["results"].as_array().unwrap();
    let netpol = results
        .iter()
        .find(|r| r["ruleId"] == "netpol-selects-nothing")
        .unwrap();
    assert_eq!(netpol["level"], "error");
    assert_eq!(
        rules[netpol["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "netpol-selects-nothing"
    );
    let place = &netpol["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "k8s/extractor.yaml");
    assert_eq!(place["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(place["region"]["startLine"], 22);
    assert_eq!(place["region"]["startColumn"], 7);
    assert_eq!(place["region"]["endLine"], 23);
    assert!(!netpol["relatedLocations"].as_array().unwrap().is_empty());
    assert!(netpol["partialFingerprints"]["primaryLocationLineHash"]
        .as_str()
        .unwrap()
        .ends_with(":1"));
    let replacement = &netpol["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["deletedRegion"]["startLine"], 22);
    assert_eq!(replacement["insertedContent"]["text"], "binance-extractor");
    let bot = results
        .iter()
        .find(|r| r["ruleId"] == "localhost-in-env")
        .unwrap();
    assert_eq!(
        bot["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "k8s/bot%20app.yaml"
    );
    let templated = results
        .iter()
        .find(|r| {
            r["ruleId"] == "image-tag-latest"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "k8s/rendered.yaml"
        })
        .unwrap();
    assert_eq!(
        templated["properties"]["helmTemplate"],
        "shop/templates/deployment.yaml"
    );
    assert!(templated["message"]["text"]
        .as_str()
        .unwrap()
        .ends_with("Rendered from the Helm template shop/templates/deployment.yaml."));
    let placeholder = results
        .iter()
        .find(|r| r["ruleId"] == "image-tag-placeholder")
        .unwrap();
    assert!(
        placeholder.get("fixes").is_none(),
        "a display-only fix is no SARIF fix"
    );

    let log = dir.join("kubeclinic.sarif");
    std::fs::write(&log, &out.stdout).unwrap();
    let Some(errors) = sarif_errors(&log) else {
        return;
    };
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does catch what GitHub would refuse: a result without a location.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("locations");
    let broken_log = dir.join("broken.sarif");
    std::fs::write(&broken_log, broken.to_string()).unwrap();
    assert!(!sarif_errors(&broken_log).unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn github_format_writes_escaped_workflow_commands() {
    let dir = scratch("github");
    lay_out(
        &dir,
        &[(
            "k8s/web,prod:1.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: 'nginx:latest'}]\n",
        )],
    );
    let out = kubeclinic_in(
        &dir,
        &["check", "--format", "github", "k8s/web,prod:1.yaml"],
        None,
    );
    let text = stdout(&out);
    let latest = text
        .lines()
        .find(|l| l.contains("title=image-tag-latest"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        latest.starts_with(
            "::warning file=k8s/web%2Cprod%3A1.yaml,line=5,col=35,endLine=5,endColumn=49,title=image-tag-latest::"
        ),
        "{latest}"
    );
    let message = latest
        .split_once("::")
        .unwrap()
        .1
        .split_once("::")
        .unwrap()
        .1;
    assert!(message.contains("%0Awhy: "), "{message}");
    assert!(!message.contains('\n'));
    assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
    assert!(text.contains("::notice "), "infos are notices: {text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn junit_output_is_well_formed_xml_with_a_suite_per_file() {
    let tricky = "apiVersion: v1\nkind: Pod\nmetadata: {name: \"w<&\\\"x\\u0001\"}\nspec:\n  containers: [{name: web, image: 'nginx:1.27'}]\n";
    let out = kubeclinic(
        &["check", "--format", "junit", VALID, "-"],
        Some(tricky.as_bytes()),
    );
    let xml = stdout(&out);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures) = (Vec::new(), 0, 0);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) => {
                match e.name().as_ref() {
                    b"testsuite" => {
                        let name = e.try_get_attribute("name").unwrap().unwrap();
                        suites.push(name.unescape_value().unwrap().to_string());
                    }
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{xml}"),
        }
    }
    assert_eq!(suites, [VALID, "<stdin>"]);
    assert!(failures > 0 && cases >= failures, "{xml}");
    assert!(xml.contains("Pod w&lt;&amp;&quot;x\u{FFFD}"), "{xml}");
    let clean = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {LOG_LEVEL: info}\n";
    let out = kubeclinic(&["check", "--format", "junit", "-"], Some(clean.as_bytes()));
    assert!(
        stdout(&out).contains("<testcase name=\"no findings\" classname=\"&lt;stdin&gt;\""),
        "{}",
        stdout(&out)
    );
}

#[test]
fn statistics_count_findings_per_rule_most_first() {
    let json = kubeclinic(&["check", "--format", "json", LATEST, VALID], None);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let out = kubeclinic(
        &["check", "--statistics", "--format", "json", LATEST, VALID],
        None,
    );
    let counts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let counts = counts.as_array().unwrap();
    for count in counts {
        let rule = count["rule"].as_str().unwrap();
        let found = findings.iter().filter(|f| f["rule"] == rule).count();
        assert_eq!(count["count"], found, "{rule}");
    }
    let numbers: Vec<u64> = counts
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] >= w[1]), "{numbers:?}");
    assert_eq!(counts[0]["rule"], "missing-probes");
    let text = stdout(&kubeclinic(&["check", "--statistics", LATEST, VALID], None));
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("5\tmissing-probes"), "{text}");
    let fixable = stdout(&kubeclinic(&["check", "--statistics", LOCALHOST], None));
    let localhost: Vec<&str> = fixable
        .lines()
        .map(|l| l.split('\t').map(str::trim_end).collect::<Vec<_>>())
        .find(|columns| columns[1] == "localhost-in-env")
        .unwrap();
    assert_eq!(localhost[0], "4");
    assert!(
        localhost[2].starts_with("[-] Finds"),
        "its fixes are unsafe: {fixable}"
    );
}

#[test]
fn check_diff_shows_what_fix_would_change_and_fails() {
    let out = kubeclinic(&["check", "--diff", "--unsafe", LOCALHOST], None);
    assert_eq!(out.status.code(), Some(1));
    let diff = stdout(&out);
    assert!(diff.contains(
        "+              value: postgresql+asyncpg://postgres:postgres@db:5432/coinpilot"
    ));
    assert_eq!(
        diff,
        stdout(&kubeclinic(&["fix", "--diff", "--unsafe", LOCALHOST], None))
    );
    let safe_only = kubeclinic(&["check", "--diff", LOCALHOST], None);
    assert_eq!(safe_only.status.code(), Some(0), "its fixes are all unsafe");
    assert_eq!(stdout(&safe_only), "");
}

#[test]
fn fix_writes_each_changed_file_in_place() {
    let dir = scratch("fix-write");
    let localhost = std::fs::read_to_string(LOCALHOST).unwrap();
    let latest = std::fs::read_to_string(LATEST).unwrap();
    lay_out(&dir, &[("bot.yaml", &localhost), ("web.yaml", &latest)]);
    let folder = dir.to_str().unwrap();
    let printed = kubeclinic(&["fix", "--unsafe", folder], None);
    assert_eq!(
        printed.status.code(),
        Some(2),
        "several files are never one stream"
    );
    assert!(stderr(&printed).contains("--write"), "{}", stderr(&printed));
    let diff = stdout(&kubeclinic(&["fix", "--diff", "--unsafe", folder], None));
    assert_eq!(
        diff.matches("\n+++ b/").count(),
        1,
        "only bot.yaml changes: {diff}"
    );
    let out = kubeclinic(&["fix", "--write", "--unsafe", folder], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let bot = std::fs::read_to_string(dir.join("bot.yaml")).unwrap();
    assert!(bot.contains("@db:5432/coinpilot"));
    assert!(bot.contains("# read by src/common/db.py"));
    assert!(
        bot.contains("@localhost/"),
        "display-only fixes are never applied"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("web.yaml")).unwrap(),
        latest,
        "a file with display-only fixes only is left alone"
    );
    assert!(stderr(&out).contains("bot.yaml"), "{}", stderr(&out));
    assert!(
        !stderr(&out)
            .lines()
            .any(|l| l.starts_with("fixed /") && l.ends_with("web.yaml")),
        "{}",
        stderr(&out)
    );
    let again = kubeclinic(&["check", "--diff", "--unsafe", folder], None);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn folders_skip_what_is_not_a_kubernetes_manifest() {
    let dir = scratch("walk");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: 'nginx:latest'}]\n";
    lay_out(
        &dir,
        &[
            (".gitignore", "generated/\n"),
            ("generated/pod.yaml", pod),
            (".vscode/pod.yaml", pod),
            (".github/workflows/ci.yml", "on: push\njobs: {}\n"),
            ("chart/Chart.yaml", "apiVersion: v2\nname: web\n"),
            ("chart/values.yaml", "replicas: 1\n"),
            (
                "chart/templates/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n",
            ),
            (
                "chart/templates/NOTES.txt",
                "Installed {{ .Release.Name }}.\n",
            ),
            ("k8s/pod.yaml", pod),
            (
                "k8s/broken.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: [b\n",
            ),
            ("k8s/compose.yaml", "services:\n  web: {image: nginx}\n"),
            ("k8s/values-prod.yaml", "replicas: 3\n"),
            ("k8s/kustomization.yaml", "resources: [pod.yaml]\n"),
            ("k8s/package.json", "{\"name\": \"web\"}\n"),
        ],
    );
    let out = kubeclinic_in(&dir, &["check", "--format", "json", "."], None);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["./k8s/broken.yaml", "./k8s/pod.yaml"]);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"yaml-syntax-error"),
        "a broken manifest is still reported"
    );
    assert_eq!(
        stderr(&out),
        "skipped 9 files that are not Kubernetes manifests\n"
    );
    // A file named on the command line is always read.
    let out = kubeclinic_in(&dir, &["check", "k8s/compose.yaml"], None);
    assert_eq!(stderr(&out), "");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn extend_select_adds_rules_to_the_profile() {
    let args = ["check", "--format", "json", "--profile", "minimal"];
    let without = stdout(&kubeclinic(&[&args[..], &[LATEST]].concat(), None));
    assert!(!without.contains("\"image-tag-latest\""));
    let with = stdout(&kubeclinic(
        &[&args[..], &["--extend-select", "image-tag-latest", LATEST]].concat(),
        None,
    ));
    assert!(with.contains("\"image-tag-latest\""), "{with}");
    let out = kubeclinic(
        &["check", "--extend-select", "image-tag-lates", LATEST],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn one_rule_prints_as_its_page() {
    let out = stdout(&kubeclinic(&["rules", "image-tag-latest"], None));
    assert!(out.starts_with("# image-tag-latest\n"), "{out}");
    assert!(out.contains("## Why is this bad?"));
    assert!(
        out.contains("`movingTags`"),
        "its options are listed: {out}"
    );
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/rules/image-tag-latest.md"
    ))
    .unwrap();
    assert_eq!(out, page);
    let json = kubeclinic(&["rules", "--format", "json", "image-tag-latest"], None);
    let rule: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rule["id"], "image-tag-latest");
    let out = kubeclinic(&["rules", "image-tag-lates"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `image-tag-latest`"));
}

#[test]
fn rule_pages_can_be_written_anywhere() {
    let dir = scratch("docs");
    std::fs::write(dir.join("gone-rule.md"), "old").unwrap();
    let out = kubeclinic(&["rules", "--write-docs", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!dir.join("gone-rule.md").exists());
    let index = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(index.contains("| [`image-tag-latest`](image-tag-latest.md) |"));
    let rules = std::fs::read_dir(&dir).unwrap().count() - 1;
    assert!(stderr(&out).contains(&format!("wrote {rules} rule pages")));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn kubectl_runs_the_same_program_as_its_plugin() {
    let plugin = Command::new(env!("CARGO_BIN_EXE_kubectl-clinic"))
        .args(["check", "--format", "json", EXAMPLE])
        .output()
        .unwrap();
    assert_eq!(plugin.status.code(), Some(1));
    assert_eq!(
        plugin.stdout,
        kubeclinic(&["check", "--format", "json", EXAMPLE], None).stdout
    );
    let help = Command::new(env!("CARGO_BIN_EXE_kubectl-clinic"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        stdout(&help).contains("Usage: kubectl clinic"),
        "{}",
        stdout(&help)
    );
}

#[test]
fn completions_and_the_manual_come_from_the_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = kubeclinic(&["completions", shell], None);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains("extend-select"), "{shell}");
    }
    let man = stdout(&kubeclinic(&["man"], None));
    assert!(man.contains(".TH kubeclinic"), "{man}");
    let kept = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/kubeclinic.1"
    ))
    .unwrap();
    assert_eq!(man, kept);
}

const POD_LATEST: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: 'nginx:latest'}]\n";

/// The `image-tag-latest` findings of a JSON report: (path, severity).
fn latest_findings(out: &Output) -> Vec<(String, String)> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "image-tag-latest")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_nearest_config_file_wins_and_the_search_stops_at_git() {
    let dir = scratch("config-nearest");
    lay_out(
        &dir,
        &[
            // Above the repository: never read, or its error would stop the check.
            (".kubeclinic.yaml", "selekt: [images]\n"),
            ("repo/.git/HEAD", "ref: refs/heads/main\n"),
            (
                "repo/.kubeclinic.yaml",
                "severity:\n  image-tag-latest: error\n",
            ),
            ("repo/k8s/pod.yaml", POD_LATEST),
            ("repo/team/.kubeclinic.yml", "ignore: [image-tag-latest]\n"),
            ("repo/team/deep/pod.yaml", POD_LATEST),
            ("other/.git/HEAD", "ref: refs/heads/main\n"),
            ("other/pod.yaml", POD_LATEST),
        ],
    );
    let repo = dir.join("repo");
    let out = kubeclinic_in(&repo, &["check", "--format", "json", "."], None);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        latest_findings(&out),
        pairs(&[("./k8s/pod.yaml", "error")]),
        "team/ has its own file, which ignores the rule"
    );
    // A file named on the command line finds its configuration the same way.
    let out = kubeclinic_in(
        &repo,
        &["check", "--format", "json", "team/deep/pod.yaml"],
        None,
    );
    assert_eq!(latest_findings(&out), []);
    // No file in the repository: the defaults, and the one above it is not read.
    let out = kubeclinic_in(
        &dir.join("other"),
        &["check", "--format", "json", "pod.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(latest_findings(&out), pairs(&[("pod.yaml", "warning")]));
    // Standard input takes the working folder's file.
    let out = kubeclinic_in(
        &repo,
        &["check", "--format", "json", "-"],
        Some(POD_LATEST.as_bytes()),
    );
    assert_eq!(latest_findings(&out), pairs(&[("<stdin>", "error")]));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_flag_names_the_file_and_no_config_reads_none() {
    let dir = scratch("config-flag");
    lay_out(
        &dir,
        &[
            (".git/HEAD", "ref: refs/heads/main\n"),
            (".kubeclinic.yaml", "ignore: [image-tag-latest]\n"),
            ("ci/strict.yaml", "severity: {image-tag-latest: error}\n"),
            ("pod.yaml", POD_LATEST),
        ],
    );
    let json = |extra: &[&str]| {
        let args = [&["check", "--format", "json"][..], extra, &["pod.yaml"]].concat();
        kubeclinic_in(&dir, &args, None)
    };
    assert_eq!(latest_findings(&json(&[])), []);
    assert_eq!(
        latest_findings(&json(&["--config", "ci/strict.yaml"])),
        pairs(&[("pod.yaml", "error")])
    );
    assert_eq!(
        latest_findings(&json(&["--no-config"])),
        pairs(&[("pod.yaml", "warning")])
    );
    let missing = json(&["--config", "ci/nope.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read ci/nope.yaml"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn flags_override_the_config_file() {
    let dir = scratch("config-flags");
    lay_out(
        &dir,
        &[
            (".git/HEAD", "ref: refs/heads/main\n"),
            (
                ".kubeclinic.yaml",
                "profile: minimal\nextendSelect: [image-tag-latest]\nseverity: {image-tag-latest: error}\n",
            ),
            ("pod.yaml", POD_LATEST),
        ],
    );
    let json = |extra: &[&str]| {
        let args = [&["check", "--format", "json"][..], extra, &["pod.yaml"]].concat();
        latest_findings(&kubeclinic_in(&dir, &args, None))
    };
    assert_eq!(json(&[]), pairs(&[("pod.yaml", "error")]));
    assert_eq!(
        json(&["--severity", "image-tag-latest=info"]),
        pairs(&[("pod.yaml", "info")])
    );
    assert_eq!(json(&["--ignore", "image-tag-latest"]), []);
    // --select starts afresh: the file's extendSelect no longer adds the rule.
    assert_eq!(json(&["--select", "networking"]), []);
    assert_eq!(
        json(&["--profile", "recommended", "--select", "images"]),
        pairs(&[("pod.yaml", "error")])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn overrides_apply_to_their_paths_and_exclude_is_counted() {
    let dir = scratch("config-overrides");
    lay_out(
        &dir,
        &[
            (".git/HEAD", "ref: refs/heads/main\n"),
            (
                ".kubeclinic.yaml",
                "severity:\n  image-tag-latest: error\nexclude:\n  - generated\n  - \"**/*.tmp.yaml\"\noverrides:\n  - files: [\"dev/**\"]\n    ignore: [image-tag-latest]\n  - files: [\"k8s/staging-*.yaml\"]\n    severity: {image-tag-latest: info}\n",
            ),
            ("k8s/prod.yaml", POD_LATEST),
            ("k8s/staging-web.yaml", POD_LATEST),
            ("k8s/web.tmp.yaml", POD_LATEST),
            ("dev/pod.yaml", POD_LATEST),
            ("generated/a/pod.yaml", POD_LATEST),
        ],
    );
    let out = kubeclinic_in(&dir, &["check", "--format", "json", "."], None);
    assert_eq!(
        latest_findings(&out),
        pairs(&[
            ("./k8s/prod.yaml", "error"),
            ("./k8s/staging-web.yaml", "info"),
        ])
    );
    assert_eq!(
        stderr(&out),
        "excluded 2 files named by `exclude` in a .kubeclinic.yaml\n"
    );
    // The set is still one: the objects of every input are read.
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["inputs"].as_array().unwrap().len(), 3);
    // A file named on the command line is read even when excluded.
    let out = kubeclinic_in(
        &dir,
        &["check", "--format", "json", "k8s/web.tmp.yaml"],
        None,
    );
    assert_eq!(
        latest_findings(&out),
        pairs(&[("k8s/web.tmp.yaml", "error")])
    );
    // Fixes follow the same settings: nothing to fix here, and no error.
    let out = kubeclinic_in(&dir, &["check", "--diff", "."], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_file_errors_name_the_file_line_and_closest_name() {
    let dir = scratch("config-errors");
    let check_with = |config: &str| {
        lay_out(
            &dir,
            &[
                (".git/HEAD", "ref: refs/heads/main\n"),
                (".kubeclinic.yaml", config),
                ("pod.yaml", POD_LATEST),
            ],
        );
        let out = kubeclinic_in(&dir, &["check", "pod.yaml"], None);
        assert_eq!(out.status.code(), Some(2), "{config}");
        assert_eq!(stdout(&out), "");
        stderr(&out)
    };
    let file = dir.join(".kubeclinic.yaml").display().to_string();
    assert_eq!(
        check_with("profile: strict\nignore: [missing-probes]\nselekt: [images]\n"),
        format!("kubeclinic: unknown key `selekt` in {file} line 3; did you mean `select`?\n")
    );
    assert_eq!(
        check_with("ignore: missing-probes\n"),
        format!("kubeclinic: wrong type for `ignore` in {file} line 1; expected a list of rule ids or categories, found a string\n")
    );
    assert_eq!(
        check_with("severity:\n  image-tag-lates: error\n"),
        format!("kubeclinic: unknown rule `image-tag-lates` in `severity` in {file} line 2; did you mean `image-tag-latest`?\n")
    );
    assert_eq!(
        check_with("overrides:\n  - files: [dev/**]\n    select: [imagez]\n"),
        format!("kubeclinic: unknown rule or category `imagez` in `select` in {file} line 3; did you mean `images`?\n")
    );
    assert_eq!(
        check_with("exclude: [\"gen/[\"]\n"),
        format!("kubeclinic: bad glob `gen/[` in {file} line 1: unclosed character class; missing ']'\n")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_prints_the_resolved_settings_and_their_file() {
    let dir = scratch("config-print");
    lay_out(
        &dir,
        &[
            (".git/HEAD", "ref: refs/heads/main\n"),
            (
                ".kubeclinic.yaml",
                "profile: strict\nkubernetesVersion: 1.30\noverrides:\n  - files: [\"dev/**\"]\n    ignore: [images]\n",
            ),
            ("dev/pod.yaml", POD_LATEST),
        ],
    );
    let out = kubeclinic_in(&dir, &["config", "dev/pod.yaml"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("# Settings for dev/pod.yaml\n# from .kubeclinic.yaml, with its overrides at line 4\nprofile: strict\n"),
        "{text}"
    );
    assert!(text.contains("\nignore:\n- images\n"), "{text}");
    assert!(text.contains("\nkubernetesVersion: '1.30'\n"), "{text}");
    // What it prints is a configuration file that gives the same settings.
    lay_out(&dir, &[("printed.yaml", &text)]);
    let again = kubeclinic_in(
        &dir,
        &["config", "--config", "printed.yaml", "--format", "json"],
        None,
    );
    let printed: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    let out = kubeclinic_in(&dir, &["config", "--format", "json", "dev/pod.yaml"], None);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["config"], ".kubeclinic.yaml");
    assert_eq!(json["overrides"], serde_json::json!([4]));
    assert_eq!(json["settings"]["profile"], "strict");
    assert_eq!(json["settings"], printed["settings"]);
    // Flags count too; without a file it says so.
    let out = kubeclinic_in(
        &dir,
        &[
            "config",
            "--no-config",
            "--ignore",
            "images",
            "--format",
            "json",
        ],
        None,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["config"], serde_json::Value::Null);
    assert_eq!(json["settings"]["ignore"], serde_json::json!(["images"]));
    let out = kubeclinic_in(&dir, &["config", "--no-config"], None);
    assert!(
        stdout(&out).contains("# no configuration file"),
        "{}",
        stdout(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

const HELM_TEMPLATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/inputs/helm-template.yaml"
);

#[test]
fn helm_template_output_names_the_chart_template() {
    let rendered = std::fs::read(HELM_TEMPLATE).unwrap();
    let out = kubeclinic(&["check", "-"], Some(&rendered));
    let text = stdout(&out);
    assert!(
        text.contains("--> <stdin>:59:18 (from shop/templates/deployment.yaml)\n"),
        "{text}"
    );
    let out = kubeclinic(&["check", "--format", "json", "-"], Some(&rendered));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let latest = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "image-tag-latest")
        .unwrap();
    assert_eq!(latest["source"], "shop/templates/deployment.yaml");
    assert_eq!(latest["line"], 59);
}

#[test]
fn timings_go_to_standard_error_and_leave_the_report_alone() {
    let plain = kubeclinic(&["check", "--format", "json", LATEST, VALID], None);
    let timed = kubeclinic(
        &["check", "--timings", "--format", "json", LATEST, VALID],
        None,
    );
    assert_eq!(plain.stdout, timed.stdout);
    assert_eq!(plain.status.code(), timed.status.code());
    let err = stderr(&timed);
    assert!(err.starts_with("timings for 2 input(s): "), "{err}");
    assert!(err.contains("reading the inputs"), "{err}");
    assert!(
        err.contains("explained findings, suppressions, sorting"),
        "{err}"
    );
    // The total, reading, the ten slowest rules, the other rules and the finish.
    assert_eq!(
        err.lines().filter(|l| l.contains(" ms ")).count(),
        14,
        "{err}"
    );
}

#[test]
fn context_folders_judge_the_inputs_and_are_never_judged_or_written() {
    let dir = scratch("context");
    let set = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/admission-policy-violation/invalid.yaml"),
    )
    .unwrap();
    let (apps, platform): (Vec<&str>, Vec<&str>) = set
        .split("\n---\n")
        .partition(|doc| doc.contains("kind: Deployment"));
    let (apps, platform) = (apps.join("\n---\n"), platform.join("\n---\n"));
    lay_out(
        &dir,
        &[
            (".git/HEAD", "ref: refs/heads/main\n"),
            ("app/.kubeclinic.yaml", "context: [\"../platform\"]\n"),
            ("app/deploy.yaml", &apps),
            ("platform/policies.yaml", &platform),
        ],
    );
    let denied = |out: &Output| -> Vec<(String, String)> {
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["path"].as_str().unwrap().to_string(),
                )
            })
            .filter(|(rule, _)| rule != "missing-probes" && rule != "missing-resources")
            .collect()
    };
    let expected = vec![
        (
            "admission-policy-violation".to_string(),
            "app/deploy.yaml".to_string(),
        ),
        (
            "admission-policy-violation".to_string(),
            "app/deploy.yaml".to_string(),
        ),
    ];
    // From the configuration file, and from the flag.
    let out = kubeclinic_in(
        &dir,
        &["check", "--format", "json", "app/deploy.yaml"],
        None,
    );
    assert_eq!(denied(&out), expected, "{}", stderr(&out));
    let out = kubeclinic_in(
        &dir,
        &[
            "check",
            "--no-config",
            "--context",
            "platform",
            "--format",
            "json",
            "app/deploy.yaml",
        ],
        None,
    );
    assert_eq!(denied(&out), expected, "{}", stderr(&out));
    // Without it the policies are not there to judge.
    let out = kubeclinic_in(
        &dir,
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "app/deploy.yaml",
        ],
        None,
    );
    assert_eq!(denied(&out), vec![]);
    // A context path that does not exist names the file and line.
    std::fs::write(
        dir.join("app/.kubeclinic.yaml"),
        "context:\n  - ../policies\n",
    )
    .unwrap();
    let out = kubeclinic_in(&dir, &["check", "app/deploy.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".kubeclinic.yaml:2: context `../policies` does not exist"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
