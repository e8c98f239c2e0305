use super::shape::{Issue, Problem};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds fields that the kind does not have at that place, checked against the schema of
    /// the Kubernetes API (1.25 and later): typos and wrong case (`imagePullSecret`,
    /// `containerport`, `livenessprobe`), fields at the wrong level (`spec` under `metadata`,
    /// `containers` straight under a Deployment's `spec`), and fields the target Kubernetes
    /// version does not have yet or any more.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` refuses the object (`strict decoding error: unknown field
    /// "spec.template.spec.containers[0].imagePullSecret"`); clients without strict field
    /// validation drop the field silently, so the setting never takes effect.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:2.4.1
    ///       ports:
    ///         - containerport: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///     - name: api
    ///       image: registry.example.com/api:2.4.1
    ///       ports:
    ///         - containerPort: 8080
    /// ```
    ///
    /// ## Fix safety
    /// Safe when only the case differs (`containerport` -> `containerPort`); unsafe for other
    /// typos (the field now takes effect, which is the point, but check it is the one you
    /// meant). No fix for a field at the wrong level: moving it is yours to do.
    pub struct UnknownField {
        id: "unknown-field",
        category: Api,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for UnknownField {
    type State<'a> = Issue;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Issue> {
        super::issues(ws, |p| matches!(p, Problem::Unknown { .. }))
    }

    fn finding<'a>(ws: &Workspace<'a>, issue: &Issue) -> Diagnostic {
        let Problem::Unknown {
            suggestion,
            belongs,
            versions,
        } = &issue.problem
        else {
            unreachable!("detected as unknown")
        };
        let field = &issue.field;
        let def = &issue.def;
        let (message, help) = match (suggestion, belongs, versions) {
            (Some(s), _, _) => (
                format!("`{field}` is not a field of {def}: did you mean `{s}`?"),
                format!("Rename it to `{s}`."),
            ),
            (None, Some(b), _) => (
                format!("`{field}` is not a field of {def}; it is {b}"),
                "Move it (with what is under it) to where it belongs; a wrong indentation is the usual cause.".to_string(),
            ),
            (None, None, Some((from, to))) => (
                format!(
                    "{def} has `{field}` only in Kubernetes {from} to {to}, not in {}",
                    ws.checker.kubernetes_version()
                ),
                "Remove it, or check `--kubernetes-version` is your cluster's.".to_string(),
            ),
            (None, None, None) => (
                format!("`{field}` is not a field of {def}"),
                format!("Check the field names of {def} (`kubectl explain` shows them) and remove or rename this one."),
            ),
        };
        Diagnostic {
            file: issue.file,
            range: issue.range,
            message: format!("{message} (at `{}`)", issue.path),
            why: format!("`kubectl apply` refuses the object (`strict decoding error: unknown field \"{}\"`); clients that do not validate drop the field, so the setting never takes effect.", issue.path),
            help: Some(help),
            object: Some(ws.objects[issue.object].reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, issue: &Issue) -> Option<Fix> {
        let Problem::Unknown {
            suggestion: Some(s),
            ..
        } = &issue.problem
        else {
            return None;
        };
        let applicability = if s.eq_ignore_ascii_case(&issue.field) {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        };
        Some(Fix::new(
            format!("Rename `{}` to `{s}`", issue.field),
            applicability,
            vec![Edit::replace(issue.file, issue.range, s.to_string())],
        ))
    }
}
