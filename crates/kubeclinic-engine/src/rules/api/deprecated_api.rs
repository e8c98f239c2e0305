use super::versions::{retired, Retired};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::model::{K8sObject, Workspace};
use crate::patch::{column_of, insert_lines, set_path, Value};
use crate::rule::Rule;
use crate::settings::KubeVersion;
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds objects written against a built-in apiVersion that Kubernetes deprecated or
    /// removed (`extensions/v1beta1` Ingress, `batch/v1beta1` CronJob, `policy/v1beta1`
    /// PodDisruptionBudget, `autoscaling/v2beta2` HorizontalPodAutoscaler...), judged against
    /// the cluster's version (`--kubernetes-version`; the newest known version when not set).
    ///
    /// ## Why is this bad?
    /// A removed apiVersion is not served at all: `kubectl apply` fails with `no matches for
    /// kind "Ingress" in version "extensions/v1beta1"`, and a Helm upgrade of the release
    /// fails the same way. A deprecated one still works, until the upgrade that removes it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1beta1
    /// kind: CronJob
    /// metadata:
    ///   name: nightly-report
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: report
    ///               image: ghcr.io/acme/report:2.1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: nightly-report
    /// spec:
    ///   schedule: "0 3 * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: report
    ///               image: ghcr.io/acme/report:2.1.0
    /// ```
    ///
    /// ## Fix safety
    /// Safe where the new version has the same shape (CronJob, RBAC, NetworkPolicy,
    /// PriorityClass, StorageClass, `autoscaling/v2beta2`...): only `apiVersion` changes.
    /// Unsafe where the object is converted: workloads get the `selector` that `apps/v1`
    /// requires (from the template's labels; it cannot change later), Ingresses get the
    /// `networking.k8s.io/v1` backend shape and `pathType: ImplementationSpecific` (the old
    /// matching), a PodDisruptionBudget with an empty selector now selects every pod of the
    /// namespace, and `autoscaling/v2beta1` utilization targets are rewritten. No fix for kinds
    /// whose successor needs choices (CustomResourceDefinition, webhooks, CSR) or that have
    /// none (PodSecurityPolicy).
    pub struct DeprecatedApi {
        id: "deprecated-api",
        category: Api,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Retirement {
    object: usize,
    retired: &'static Retired,
    target: KubeVersion,
    removed: bool,
}

impl Rule for DeprecatedApi {
    type State<'a> = Retirement;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Retirement> {
        let target = ws.checker.kubernetes_version();
        ws.objects
            .iter()
            .enumerate()
            // A live object from `kubectl get -o yaml` is judged too: the cluster served it at
            // this version, which the target version may no longer have.
            .filter_map(|(object, o)| {
                let retired = retired(&o.api_version, &o.kind)?;
                (target >= retired.deprecated_in).then_some(Retirement {
                    object,
                    retired,
                    target,
                    removed: target >= retired.removed_in,
                })
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Retirement) -> Diagnostic {
        let o = &ws.objects[state.object];
        let r = state.retired;
        let message = if state.removed {
            format!(
                "{} uses `{}`, which Kubernetes removed in {} (checked for {}): the API server rejects it",
                o.display(),
                r.api_version,
                r.removed_in,
                state.target
            )
        } else {
            format!(
                "{} uses `{}`, deprecated since Kubernetes {} and removed in {}",
                o.display(),
                r.api_version,
                r.deprecated_in,
                r.removed_in
            )
        };
        let why = if state.removed {
            format!("`kubectl apply` fails with `no matches for kind \"{}\" in version \"{}\"`, and so does a Helm upgrade of a release that holds it.", r.kind, r.api_version)
        } else {
            format!(
                "It still works on {}, and stops working on the upgrade to {}.",
                state.target, r.removed_in
            )
        };
        let help = match r.replacement {
            Some(new) => {
                let since = if state.target < r.replacement_since {
                    format!(
                        " (served from {}: upgrade the cluster first)",
                        r.replacement_since
                    )
                } else {
                    format!(" (served since {})", r.replacement_since)
                };
                format!("Use `{new}`{since}. {}", notes(r))
            }
            None => format!("`{}` has no successor: {}", r.kind, notes(r)),
        };
        let help = if o.is_live() {
            format!("{help} This object came from the cluster (it has a status): change the manifest it was applied from, not the dump.")
        } else {
            help
        };
        Diagnostic {
            file: o.file,
            range: o.node.get("apiVersion").map_or(o.node.span, |n| n.span),
            message,
            why,
            help: Some(help.trim().to_string()),
            object: Some(o.reference()),
            container: None,
            severity: (!state.removed).then_some(Severity::Warning),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Retirement) -> Option<Fix> {
        let r = state.retired;
        let new = r.replacement?;
        if state.target < r.replacement_since {
            return None;
        }
        let o = &ws.objects[state.object];
        let mut edits = vec![set_path(
            ws,
            o.file,
            o.node,
            &["apiVersion"],
            &Value::Scalar(new.into()),
        )?];
        let mut applicability = Applicability::Safe;
        let mut title = format!("Change apiVersion to {new}");
        match (r.api_version, r.kind) {
            (_, "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet") => {
                applicability = Applicability::Unsafe;
                let spec = o.node.get("spec")?;
                if spec.get("selector").is_none() {
                    let labels = spec.path(&["template", "metadata", "labels"])?;
                    let lines: Vec<String> = labels
                        .string_map()
                        .into_iter()
                        .map(|(k, v, _)| {
                            format!(
                                "{k}: {}",
                                crate::yaml::render_scalar(v, crate::yaml::ScalarStyle::Plain)
                            )
                        })
                        .collect();
                    if lines.is_empty() {
                        return None;
                    }
                    edits.push(set_path(
                        ws,
                        o.file,
                        spec,
                        &["selector", "matchLabels"],
                        &Value::Block(lines),
                    )?);
                    title.push_str(", with the selector from the template's labels");
                }
            }
            (_, "Ingress") => {
                applicability = Applicability::Unsafe;
                edits.extend(ingress_edits(ws, o)?);
                title.push_str(", with the v1 backend shape and pathType");
            }
            ("policy/v1beta1", "PodDisruptionBudget") => {
                let selector = o.node.path(&["spec", "selector"]);
                if selector.is_none_or(|s| s.entries().is_empty()) {
                    applicability = Applicability::Unsafe;
                    title.push_str(" (its empty selector now selects every pod of the namespace)");
                }
            }
            ("autoscaling/v2beta1", _) => {
                if let Some(metrics) = o.node.path(&["spec", "metrics"]) {
                    applicability = Applicability::Unsafe;
                    edits.extend(hpa_metric_edits(ws, o, metrics)?);
                    title.push_str(", with the metrics' targets in the v2 shape");
                }
            }
            (_, "CustomResourceDefinition")
            | (_, "MutatingWebhookConfiguration")
            | (_, "ValidatingWebhookConfiguration")
            | (_, "CertificateSigningRequest")
            | (_, "EndpointSlice")
            | (_, "Event") => return None,
            _ => {}
        }
        Some(Fix::new(title, applicability, edits))
    }
}

/// What moving a kind asks beyond the apiVersion.
fn notes(r: &Retired) -> &'static str {
    match (r.api_version, r.kind) {
        (_, "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet") => "`apps/v1` requires `spec.selector`, and it cannot change once the object exists.",
        (_, "Ingress") => "In `networking.k8s.io/v1` a backend is `service: {name, port: {number}}` instead of `serviceName`/`servicePort`, every path needs a `pathType`, and `spec.backend` is `spec.defaultBackend`.",
        ("policy/v1beta1", "PodDisruptionBudget") => "In `policy/v1` an empty selector selects every pod of the namespace (in `v1beta1` it selected none).",
        ("autoscaling/v2beta1", _) => "In `autoscaling/v2` a metric's target is `target: {type: Utilization, averageUtilization: N}` instead of `targetAverageUtilization: N`.",
        (_, "CustomResourceDefinition") => "`apiextensions.k8s.io/v1` needs a structural `schema` for each entry of `versions` instead of a top-level `validation`.",
        (_, "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration") => "`admissionregistration.k8s.io/v1` requires `sideEffects` and `admissionReviewVersions` on every webhook.",
        (_, "CertificateSigningRequest") => "`certificates.k8s.io/v1` requires a `signerName`.",
        (_, "PodSecurityPolicy") => "Pod Security Admission replaces it: label the namespace with `pod-security.kubernetes.io/enforce` (`baseline` or `restricted`), or use a policy engine such as Kyverno or Gatekeeper.",
        _ => "",
    }
}

/// `serviceName`/`servicePort` backends become `service: {name, port}`, paths get a
/// `pathType`, and `spec.backend` becomes `spec.defaultBackend`.
fn ingress_edits(ws: &Workspace, o: &K8sObject) -> Option<Vec<Edit>> {
    let spec = o.node.get("spec")?;
    let mut edits = Vec::new();
    if let Some(entry) = spec.entry("backend") {
        edits.push(Edit::replace(o.file, entry.key.span, "defaultBackend"));
        edits.extend(backend_edit(ws, o, &entry.value)?);
    }
    for rule in spec.get("rules").map(Node::items).unwrap_or_default() {
        for path in rule
            .path(&["http", "paths"])
            .map(Node::items)
            .unwrap_or_default()
        {
            if let Some(backend) = path.get("backend") {
                edits.extend(backend_edit(ws, o, backend)?);
            }
            if path.get("pathType").is_none() {
                let first = path.entries().first()?;
                let after = path.entry("path").unwrap_or(first);
                if path.flow {
                    edits.push(Edit::insert(
                        o.file,
                        first.key.span.start,
                        "pathType: ImplementationSpecific, ",
                    ));
                } else {
                    edits.push(insert_lines(
                        ws,
                        o.file,
                        after.value.span.end.max(after.key.span.end),
                        column_of(ws, o.file, first.key.span.start),
                        &["pathType: ImplementationSpecific".to_string()],
                    ));
                }
            }
        }
    }
    Some(edits)
}

/// One backend in the v1 shape; `None` when it holds more than the two old keys (a shape this
/// conversion does not know), nothing when it already is v1.
fn backend_edit(ws: &Workspace, o: &K8sObject, backend: &Node) -> Option<Vec<Edit>> {
    let (Some(name), Some(port)) = (backend.get("serviceName"), backend.get("servicePort")) else {
        return backend
            .get("service")
            .or_else(|| backend.get("resource"))
            .map(|_| Vec::new());
    };
    if backend.entries().len() != 2 {
        return None;
    }
    // Written back as YAML: a value a plain scalar cannot hold is quoted.
    let plain = crate::yaml::ScalarStyle::Plain;
    let name = crate::yaml::render_scalar(name.as_str().filter(|n| !n.is_empty())?, plain);
    let port_text = port.as_scalar()?.text.clone();
    if port_text.is_empty() {
        return None;
    }
    let port_line = if port_text.bytes().all(|b| b.is_ascii_digit()) {
        format!("number: {port_text}")
    } else {
        format!("name: {}", crate::yaml::render_scalar(&port_text, plain))
    };
    let entries = backend.entries();
    let start = entries.first()?.key.span.start;
    let end = entries.last()?.value.span.end;
    let range = TextRange::new(start, end);
    if backend.flow {
        return Some(vec![Edit::replace(
            o.file,
            range,
            format!("service: {{name: {name}, port: {{{port_line}}}}}"),
        )]);
    }
    let column = column_of(ws, o.file, start);
    let pad = |n: usize| " ".repeat(column + n);
    // A comment after the last old line stays where it is; one after the other moves with
    // its value.
    let last = entries.last()?.key.span.start;
    let kept = |key: &str| {
        backend
            .entry(key)
            .filter(|e| e.key.span.start != last)
            .map(|e| trailing_comment(ws, o.file, e.value.span.end))
            .unwrap_or_default()
    };
    Some(vec![Edit::replace(
        o.file,
        range,
        format!(
            "service:\n{}name: {name}{}\n{}port:\n{}{port_line}{}",
            pad(2),
            kept("serviceName"),
            pad(2),
            pad(4),
            kept("servicePort"),
        ),
    )])
}

/// ` # why` when the rest of the line after byte `at` is a comment.
fn trailing_comment(ws: &Workspace, file: crate::diagnostic::FileId, at: usize) -> String {
    let text = ws.text(file);
    let rest = &text[at..];
    let rest = &rest[..rest.find('\n').unwrap_or(rest.len())];
    if rest.trim_start().starts_with('#') {
        format!(" {}", rest.trim())
    } else {
        String::new()
    }
}

/// `targetAverageUtilization: N` of Resource metrics becomes `target: {type: Utilization,
/// averageUtilization: N}`; `None` for any other metric shape.
fn hpa_metric_edits(ws: &Workspace, o: &K8sObject, metrics: &Node) -> Option<Vec<Edit>> {
    let mut edits = Vec::new();
    for metric in metrics.items() {
        if metric.get("type").and_then(Node::as_str) != Some("Resource") {
            return None;
        }
        let resource = metric.get("resource")?;
        let entry = resource.entry("targetAverageUtilization")?;
        if resource.flow {
            return None;
        }
        let value = &entry.value.as_scalar()?.text;
        let column = column_of(ws, o.file, entry.key.span.start);
        let pad = " ".repeat(column + 2);
        edits.push(Edit::replace(
            o.file,
            TextRange::new(entry.key.span.start, entry.value.span.end),
            format!("target:\n{pad}type: Utilization\n{pad}averageUtilization: {value}"),
        ));
    }
    Some(edits)
}

#[cfg(test)]
mod tests {
    use crate::fix::apply_edits;
    use crate::settings::{Checker, Settings};
    use crate::SourceFile;

    fn fixed(text: &str) -> String {
        let report = crate::check(&[SourceFile::new("x.yaml", text)]);
        let finding = report
            .findings
            .iter()
            .find(|f| f.rule == "deprecated-api")
            .expect("a deprecated-api finding");
        let fix = finding.fix.as_ref().expect("a fix");
        let out = apply_edits(text, fix.edits.iter());
        let again = crate::check(&[SourceFile::new("x.yaml", out.clone())]);
        assert!(
            !again
                .findings
                .iter()
                // The converted object passes the schema of the target version.
                .any(|f| crate::rules::find(f.rule)
                    .is_some_and(|m| m.category == crate::rule::Category::Api)
                    || f.rule == "yaml-syntax-error"),
            "{out}\n{:#?}",
            again.findings
        );
        out
    }

    #[test]
    fn an_old_ingress_is_converted() {
        let text = "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: web # public\nspec:\n  backend:\n    serviceName: fallback\n    servicePort: 80\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - path: /api\n            backend:\n              serviceName: api # the API\n              servicePort: http\n";
        assert_eq!(
            fixed(text),
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web # public\nspec:\n  defaultBackend:\n    service:\n      name: fallback\n      port:\n        number: 80\n  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - path: /api\n            pathType: ImplementationSpecific\n            backend:\n              service:\n                name: api # the API\n                port:\n                  name: http\n"
        );
    }

    #[test]
    fn a_backend_whose_values_need_quotes_keeps_them() {
        let text = "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  backend:\n    serviceName: \"web: main\"\n    servicePort: \":\"\n";
        let out = fixed(text);
        assert!(out.contains("name: \"web: main\""), "{out}");
        assert!(out.contains("name: \":\""), "{out}");
        assert!(kubeclinic_engine_parses(&out), "{out}");
    }

    fn kubeclinic_engine_parses(text: &str) -> bool {
        crate::yaml::parse_stream(text)
            .iter()
            .all(|d| d.error.is_none())
    }

    #[test]
    fn an_old_deployment_gets_its_selector() {
        let text = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n";
        let out = fixed(text);
        assert!(out.starts_with("apiVersion: apps/v1\n"), "{out}");
        assert!(
            out.contains("  selector:\n    matchLabels:\n      app: web\n"),
            "{out}"
        );
    }

    #[test]
    fn v2beta1_utilization_targets_are_rewritten() {
        let text = "apiVersion: autoscaling/v2beta1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  minReplicas: 2\n  maxReplicas: 6\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        targetAverageUtilization: 70\n";
        let out = fixed(text);
        assert!(
            out.contains(
                "        target:\n          type: Utilization\n          averageUtilization: 70\n"
            ),
            "{out}"
        );
    }

    #[test]
    fn the_target_version_decides() {
        let text = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: web}\n";
        let at = |version: &str| {
            Checker::new(Settings {
                kubernetes_version: Some(version.into()),
                ..Settings::default()
            })
            .unwrap()
            .check(&[SourceFile::new("x.yaml", text)])
            .findings
            .into_iter()
            .find(|f| f.rule == "deprecated-api")
            .map(|f| f.severity)
        };
        use crate::Severity::*;
        assert_eq!(at("1.20"), None);
        assert_eq!(at("1.23"), Some(Warning));
        assert_eq!(at("1.25"), Some(Error));
        assert_eq!(fixed(text).lines().next(), Some("apiVersion: policy/v1"));
    }

    #[test]
    fn pod_security_policy_has_no_successor() {
        let text = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: restricted\nspec:\n  privileged: false\n";
        let report = crate::check(&[SourceFile::new("x.yaml", text)]);
        let f = report
            .findings
            .iter()
            .find(|f| f.rule == "deprecated-api")
            .unwrap();
        assert!(f.fix.is_none());
        assert!(f
            .help
            .as_deref()
            .unwrap()
            .contains("Pod Security Admission"));
    }
}
