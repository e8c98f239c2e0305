use super::shape::{Issue, Problem};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds values of the wrong type for their field: `replicas: "3"`, a number or `yes`/`on`
    /// in an env `value` or a label, a port given as a quoted number, a single string where a
    /// list is expected (`args: --verbose`), a placeholder a pipeline did not replace.
    ///
    /// ## Why is this bad?
    /// The API server refuses the whole object (`json: cannot unmarshal number into Go struct
    /// field EnvVar.spec.template.spec.containers.env.value of type string`). YAML reads an
    /// unquoted `8080`, `true`, `yes` or `1.10` as a number or a boolean, not as the string
    /// the field needs.
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
    ///       env:
    ///         - name: PORT
    ///           value: 8080
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
    ///       env:
    ///         - name: PORT
    ///           value: "8080"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: quoting a number or boolean where a string is expected (and unquoting a quoted
    /// number where a number is expected) gives the API server the value you wrote. Unsafe for
    /// a single string made a list. No fix for other shapes.
    pub struct WrongType {
        id: "wrong-type",
        category: Api,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for WrongType {
    type State<'a> = Issue;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Issue> {
        super::issues(ws, |p| matches!(p, Problem::WrongType { .. }))
    }

    fn finding<'a>(ws: &Workspace<'a>, issue: &Issue) -> Diagnostic {
        let Problem::WrongType {
            expected, found, ..
        } = &issue.problem
        else {
            unreachable!("detected as a wrong type")
        };
        let value = ws.source(issue.file, issue.range);
        let message = if issue.placeholder {
            format!(
                "`{}` holds `{value}`, a placeholder that was not replaced; {}.{} takes {expected}",
                issue.path, issue.def, issue.field
            )
        } else {
            format!(
                "`{}` is {found}, but {}.{} takes {expected}",
                issue.path, issue.def, issue.field
            )
        };
        Diagnostic {
            file: issue.file,
            range: issue.range,
            message,
            why: "The API server refuses the whole object (`cannot unmarshal ... into Go struct field`): nothing of it is applied.".into(),
            help: Some(if issue.placeholder {
                "Substitute the value before applying (envsubst, Kustomize, Helm), or write it in.".into()
            } else {
                "YAML reads unquoted `8080`, `true`, `yes`, `on` and `1.10` as numbers and booleans: quote a value that must be a string, and leave numbers unquoted where a number is expected.".into()
            }),
            object: Some(ws.objects[issue.object].reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, issue: &Issue) -> Option<Fix> {
        let Problem::WrongType {
            fix: Some(text), ..
        } = &issue.problem
        else {
            return None;
        };
        let applicability = if text.starts_with('[') {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
        Some(Fix::new(
            format!("Write `{}` as `{text}`", issue.path),
            applicability,
            vec![Edit::replace(issue.file, issue.range, text.clone())],
        ))
    }
}
