use super::shape::{Issue, Problem};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds objects of a built-in API group whose kind that apiVersion does not serve: a
    /// misspelt kind (`Deploymnet`, `configmap`), a kind under the wrong apiVersion (`v1`
    /// `Deployment`, `apps/v1` `Ingress`), or an alpha version the target Kubernetes version
    /// does not serve. Retired versions are `deprecated-api`'s.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` fails with `no matches for kind "Deployment" in version "v1"` (or
    /// `ensure CRDs are installed first`), and nothing of the object is created.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:2.4.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: registry.example.com/api:2.4.1
    /// ```
    ///
    /// ## Fix safety
    /// Safe when only the kind's case is wrong; unsafe for another apiVersion or kind (the
    /// fields may differ: the schema check runs again on the result).
    pub struct UnknownKind {
        id: "unknown-kind",
        category: Api,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for UnknownKind {
    type State<'a> = Issue;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Issue> {
        super::issues(ws, |p| matches!(p, Problem::UnknownKind { .. }))
    }

    fn finding<'a>(ws: &Workspace<'a>, issue: &Issue) -> Diagnostic {
        let Problem::UnknownKind { suggestion } = &issue.problem else {
            unreachable!("detected as an unknown kind")
        };
        let o = &ws.objects[issue.object];
        // A custom resource is judged by its CRD in the set, not by the Kubernetes version.
        let by = if o.is_custom_resource() {
            "its CRD in the set".to_string()
        } else {
            format!("Kubernetes {}", ws.checker.kubernetes_version())
        };
        let message = match suggestion {
            Some(s) => format!(
                "`{}` serves no kind `{}` ({by}): did you mean `{s}`?",
                o.api_version, o.kind
            ),
            None => format!("`{}` serves no kind `{}` ({by})", o.api_version, o.kind),
        };
        Diagnostic {
            file: issue.file,
            range: issue.range,
            message,
            why: format!("`kubectl apply` fails with `no matches for kind \"{}\" in version \"{}\"`: nothing of the object is created.", o.kind, o.api_version),
            help: Some("Check the kind and apiVersion (`kubectl api-resources` lists what the cluster serves).".into()),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, issue: &Issue) -> Option<Fix> {
        let Problem::UnknownKind {
            suggestion: Some(s),
        } = &issue.problem
        else {
            return None;
        };
        let (_, value) = s.split_once(": ")?;
        let safe = s.starts_with("kind: ") && value.eq_ignore_ascii_case(&issue.field);
        Some(Fix::new(
            format!("Write `{s}`"),
            if safe {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
            vec![Edit::replace(issue.file, issue.range, value)],
        ))
    }
}
