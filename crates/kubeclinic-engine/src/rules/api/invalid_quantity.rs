use super::shape::{Issue, Problem};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds resource quantities Kubernetes cannot read: `memory: 512mb`, `cpu: 0.5cores`,
    /// `storage: 10GB`, `memory: 1K`, or a placeholder left unreplaced.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object (`quantities must match the regular expression
    /// '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`), so nothing of it is applied.
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
    ///       resources:
    ///         limits:
    ///           memory: 512mb
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
    ///       resources:
    ///         limits:
    ///           memory: 512Mi
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: `mb`, `gb` and `kb` become `Mi`, `Gi` and `Ki` (powers of 1024, what memory is
    /// usually meant in) and `cores` become a number or millicores; check the amount is
    /// the one you meant.
    pub struct InvalidQuantity {
        id: "invalid-quantity",
        category: Api,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for InvalidQuantity {
    type State<'a> = Issue;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Issue> {
        super::issues(ws, |p| matches!(p, Problem::Quantity { .. }))
    }

    fn finding<'a>(ws: &Workspace<'a>, issue: &Issue) -> Diagnostic {
        let Problem::Quantity { value, .. } = &issue.problem else {
            unreachable!("detected as a quantity")
        };
        let message = if issue.placeholder {
            format!(
                "`{}` holds `{value}`, a placeholder that was not replaced, not a quantity",
                issue.path
            )
        } else {
            format!(
                "`{value}` is not a quantity Kubernetes reads (at `{}`)",
                issue.path
            )
        };
        Diagnostic {
            file: issue.file,
            range: issue.range,
            message,
            why: "The API server refuses the object: a quantity is a number with an optional suffix, nothing else.".into(),
            help: Some("Write a number with one of the suffixes `Ki Mi Gi Ti Pi Ei` (powers of 1024), `k M G T P E` (powers of 1000) or `m` (thousandths, as in `500m` CPU): `512Mi`, `2Gi`, `250m`, `1.5`.".into()),
            object: Some(ws.objects[issue.object].reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, issue: &Issue) -> Option<Fix> {
        let Problem::Quantity { fix: Some(to), .. } = &issue.problem else {
            return None;
        };
        Some(Fix::new(
            format!("Write `{to}`"),
            Applicability::Unsafe,
            vec![Edit::replace(issue.file, issue.range, to.clone())],
        ))
    }
}
