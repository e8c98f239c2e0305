use super::shape::{Issue, Problem};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds values outside the set a field allows: `imagePullPolicy: always`,
    /// `restartPolicy: OnError`, `protocol: tcp`, `pathType: prefix`, Service `type:
    /// Loadbalancer`.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object (`Unsupported value: "always": supported values:
    /// "Always", "IfNotPresent", "Never"`); the values are case-sensitive.
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
    ///       imagePullPolicy: always
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
    ///       imagePullPolicy: Always
    /// ```
    ///
    /// ## Fix safety
    /// Safe when the value differs from an allowed one only by case: that is the value meant.
    /// No fix otherwise.
    pub struct InvalidEnumValue {
        id: "invalid-enum-value",
        category: Api,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for InvalidEnumValue {
    type State<'a> = Issue;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Issue> {
        super::issues(ws, |p| matches!(p, Problem::Enum { .. }))
    }

    fn finding<'a>(ws: &Workspace<'a>, issue: &Issue) -> Diagnostic {
        let Problem::Enum { value, allowed, .. } = &issue.problem else {
            unreachable!("detected as an enum value")
        };
        let list = allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        Diagnostic {
            file: issue.file,
            range: issue.range,
            message: format!(
                "`{value}` is not a value of {}.{} (at `{}`): it takes {list}",
                issue.def, issue.field, issue.path
            ),
            why: format!("The API server refuses the object (`Unsupported value: \"{value}\"`); these values are case-sensitive."),
            help: Some(format!("Use one of {list}.")),
            object: Some(ws.objects[issue.object].reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, issue: &Issue) -> Option<Fix> {
        let Problem::Enum { fix: Some(to), .. } = &issue.problem else {
            return None;
        };
        Some(Fix::new(
            format!("Write `{to}`"),
            Applicability::Safe,
            vec![Edit::replace(issue.file, issue.range, to.to_string())],
        ))
    }
}
