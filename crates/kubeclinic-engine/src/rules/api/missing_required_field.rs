use super::shape::{Issue, Problem};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds objects that lack a field the Kubernetes API requires at that place: a
    /// container's `name`, a Deployment's `selector`, a Service port's `port`, an Ingress
    /// path's `pathType`, a volume mount's `mountPath`. A key left empty (`containerPort:`)
    /// is null, which the API server takes as absent.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object (`spec.template.spec.containers[0].name: Required
    /// value`), so nothing of it is applied.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     app: api
    ///   ports:
    ///     - targetPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector:
    ///     app: api
    ///   ports:
    ///     - port: 80
    ///       targetPort: 8080
    /// ```
    ///
    /// ## Fix safety
    /// No fix: the value is yours to choose.
    pub struct MissingRequiredField {
        id: "missing-required-field",
        category: Api,
        severity: Error,
        fix: None,
        reads: Manifests,
        // A misspelt field is the one missing: `containerport` for `containerPort`.
        explained_by: ["unknown-field"],
    }
}

impl Rule for MissingRequiredField {
    type State<'a> = Issue;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Issue> {
        super::issues(ws, |p| matches!(p, Problem::Missing))
    }

    fn finding<'a>(ws: &Workspace<'a>, issue: &Issue) -> Diagnostic {
        let parent = issue.path.rsplit_once('.').map_or("the object", |(p, _)| p);
        Diagnostic {
            file: issue.file,
            range: issue.range,
            message: format!(
                "{} at `{parent}` has no `{}`, which it requires",
                issue.def, issue.field
            ),
            why: format!(
                "The API server refuses the object (`{}: Required value`).",
                issue.path
            ),
            help: Some(format!(
                "Add `{}` (`kubectl explain` describes it).",
                issue.field
            )),
            object: Some(ws.objects[issue.object].reference()),
            container: None,
            severity: None,
        }
    }
}
