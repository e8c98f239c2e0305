//! The forms people paste: Helm output, `kubectl get -o yaml` Lists, JSON, CRLF and BOM.

use kubeclinic_engine::{check, LineIndex, PositionEncoding, SourceFile};

/// The errors and warnings of one input: these tests are about reading, and the best-practice
/// infos (no probes, no requests) on their bare pods are beside the point.
fn one(text: &str) -> kubeclinic_engine::Report {
    let mut report = check(&[SourceFile::new("input.yaml", text)]);
    report
        .findings
        .retain(|f| f.severity >= kubeclinic_engine::Severity::Warning);
    report
}

#[test]
fn helm_source_comments_stay_with_their_objects() {
    let text = "---\n# Source: shop/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: shop}\n---\n# Source: shop/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: shop\n";
    let report = one(text);
    assert_eq!(report.objects, 2);
    let object = report.findings[0].object.as_ref().unwrap();
    assert_eq!(
        object.source.as_deref(),
        Some("shop/templates/deployment.yaml")
    );
}

#[test]
fn list_items_become_objects() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a}\n  spec:\n    containers: [{name: c, image: 'nginx:latest'}]\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\nmetadata:\n  resourceVersion: \"\"\n";
    let report = one(text);
    assert_eq!(report.objects, 2);
    assert_eq!(report.findings[0].rule, "image-tag-latest");
    assert_eq!(
        report.findings[0].object.as_ref().unwrap().name.as_deref(),
        Some("a")
    );
}

#[test]
fn crlf_and_bom_keep_lines_right() {
    let text = "\u{feff}apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\nspec:\r\n  containers:\r\n    - name: c\r\n      image: nginx:latest\r\n";
    let report = one(text);
    let finding = &report.findings[0];
    let at = LineIndex::new(text).position(finding.range.start, text, PositionEncoding::Utf8Chars);
    assert_eq!((at.line, at.column), (8, 14));
    assert_eq!(
        &text[finding.range.start..finding.range.end],
        "nginx:latest"
    );
}

#[test]
fn utf16_columns_count_what_a_browser_counts() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: \"😀\"}\nspec:\n  containers: [{name: \"😀\", image: nginx}]\n";
    let report = one(text);
    // The emoji names are invalid-name findings of their own; the columns are the image's.
    let finding = report
        .findings
        .iter()
        .find(|f| f.rule == "image-tag-missing")
        .unwrap();
    let index = LineIndex::new(text);
    assert_eq!(
        index
            .position(finding.range.start, text, PositionEncoding::Utf8Chars)
            .column,
        35
    );
    assert_eq!(
        index
            .position(finding.range.start, text, PositionEncoding::Utf16)
            .column,
        36
    );
}

#[test]
fn pod_status_from_get_o_yaml_is_diagnosed_like_a_describe() {
    let text = "$ kubectl get pod api-5d8f7c9b4-x2k8q -o yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: api-5d8f7c9b4-x2k8q\n  namespace: shop\n  ownerReferences:\n  - apiVersion: apps/v1\n    kind: ReplicaSet\n    name: api-5d8f7c9b4\nspec:\n  containers:\n  - name: api\n    image: shop/api:2.3.1\n    resources:\n      limits:\n        memory: 256Mi\nstatus:\n  phase: Running\n  containerStatuses:\n  - name: api\n    image: shop/api:2.3.1\n    ready: false\n    restartCount: 6\n    lastState:\n      terminated:\n        exitCode: 137\n        reason: OOMKilled\n    state:\n      waiting:\n        reason: CrashLoopBackOff\n";
    let report = one(text);
    let oom: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "oom-killed")
        .collect();
    assert_eq!(oom.len(), 1, "{:#?}", report.findings);
    assert_eq!(&text[oom[0].range.start..oom[0].range.end], "OOMKilled");
    assert!(oom[0].message.contains("256Mi"));
    // The same status as JSON.
    let json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api-1"},
 "spec": {"containers": [{"name": "api", "image": "shop/api:2.3.1"}]},
 "status": {"containerStatuses": [{"name": "api", "ready": false, "restartCount": 2,
   "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}}"#;
    assert!(one(json).findings.iter().any(|f| f.rule == "oom-killed"));
}

#[test]
fn custom_kinds_with_a_pod_template_are_workloads() {
    let text = "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: checkout\nspec:\n  selector:\n    matchLabels: {app: checkout}\n  template:\n    metadata:\n      labels: {app: checkout}\n    spec:\n      containers:\n        - name: checkout\n          image: ghcr.io/example/checkout:latest\n  strategy:\n    canary:\n      steps: [{setWeight: 20}]\n";
    let report = one(text);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["image-tag-latest"], "{:#?}", report.findings);
    assert_eq!(report.findings[0].object.as_ref().unwrap().kind, "Rollout");
}

#[test]
fn configuration_files_and_dry_run_output_are_judged_fairly() {
    // Files that look like objects but are not served by the API: no unknown-kind.
    let files = "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n---\napiVersion: v1\nkind: Config\nclusters: []\n---\napiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: v1.29.0\n";
    assert!(one(files).findings.is_empty(), "{:#?}", one(files).findings);
    // `kubectl create --dry-run=client -o yaml` writes `status: {}`: still checked.
    let dry_run = "apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null\n  name: web\nspec:\n  containers:\n  - image: nginx:1.27\n    name: web\n    imagePullPolicy: always\n    resources: {}\nstatus: {}\n";
    let rules: Vec<&str> = one(dry_run).findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["invalid-enum-value"]);
}

/// An input kept under `tests/inputs/`.
fn input(name: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/inputs/");
    std::fs::read_to_string(format!("{path}{name}")).unwrap()
}

#[test]
fn helm_template_output_names_the_template_of_every_finding() {
    let text = input("helm-template.yaml");
    let report = check(&[SourceFile::new("rendered.yaml", text.as_str())]);
    let latest = report
        .findings
        .iter()
        .find(|f| f.rule == "image-tag-latest")
        .unwrap();
    assert_eq!(
        latest.source.as_deref(),
        Some("shop/templates/deployment.yaml")
    );
    // A broken document has no object, and still names its template.
    let broken = report
        .findings
        .iter()
        .find(|f| f.rule == "yaml-syntax-error")
        .unwrap();
    assert!(broken.object.is_none());
    assert_eq!(
        broken.source.as_deref(),
        Some("shop/templates/configmap.yaml")
    );
    let human = kubeclinic_engine::output::render_human(
        &[SourceFile::new("rendered.yaml", text.as_str())],
        &report,
    );
    assert!(
        human.contains("--> rendered.yaml:59:18 (from shop/templates/deployment.yaml)\n"),
        "{human}"
    );
    let json = kubeclinic_engine::output::to_json(
        &[SourceFile::new("rendered.yaml", text.as_str())],
        &report,
    );
    assert!(json
        .findings
        .iter()
        .any(|f| f.source.as_deref() == Some("shop/templates/deployment.yaml")));
    // Without `# Source:` comments there is no template to name.
    let plain = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: 'nginx:latest'}]\n";
    assert!(check(&[SourceFile::new("a.yaml", plain)])
        .findings
        .iter()
        .all(|f| f.source.is_none()));
}

#[test]
fn kustomize_build_output_reads_without_false_positives() {
    let text = input("kustomize-build.yaml");
    let report = check(&[SourceFile::new("built.yaml", text)]);
    assert_eq!(report.objects, 7);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
}

#[test]
fn kubectl_dumps_ignore_what_the_server_set() {
    // managedFields, uid, resourceVersion, creationTimestamp, generation, selfLink, the
    // last-applied annotation, defaulted fields and a status: nothing to report about them.
    let text = input("kubectl-get-no-status.yaml");
    let report = check(&[SourceFile::new("dump.yaml", text.as_str())]);
    assert_eq!(report.objects, 3);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    let text = input("kubectl-get-old-cluster.yaml");
    let report = check(&[SourceFile::new("dump.yaml", text.as_str())]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["deprecated-api"], "{:#?}", report.findings);
    // The fix changes the object's apiVersion, never managedFields' or the annotation's.
    let fix = report.findings[0].fix.as_ref().unwrap();
    assert_eq!(fix.edits.len(), 1);
    let edit = &fix.edits[0];
    assert_eq!(
        &text[edit.range.start..edit.range.end],
        "extensions/v1beta1"
    );
    let line = LineIndex::new(&text).line_of(edit.range.start) + 1;
    assert_eq!(line, 4);
    assert!(report.findings[0]
        .help
        .as_deref()
        .unwrap()
        .contains("came from the cluster"));
}

#[test]
fn kubectl_json_dumps_read_as_the_yaml_ones() {
    let yaml = input("kubectl-get-old-cluster.yaml");
    let value: serde_json::Value = {
        // The YAML dump as `kubectl get -o json` writes it.
        let docs = kubeclinic_engine::yaml::parse_stream(&yaml);
        let root = docs[0].root.as_ref().unwrap();
        kubeclinic_engine::yaml::typed(root).unwrap()
    };
    let json = serde_json::to_string_pretty(&value).unwrap();
    let report = check(&[SourceFile::new("dump.json", json)]);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, ["deprecated-api"], "{:#?}", report.findings);
}
