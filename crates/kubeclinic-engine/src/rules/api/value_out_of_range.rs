use super::shape::{Issue, Problem};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds values of a custom resource outside the limits of its CRD's schema, when the set
    /// holds the CRD: numbers below `minimum` or above `maximum` (or equal to an exclusive
    /// one), strings shorter than `minLength` or longer than `maxLength` or not matching
    /// their `pattern` or `format` (`date-time`, `date`, `duration`, `uuid`, `ipv4`, `ipv6`,
    /// `cidr`, `hostname`, `byte`, `mac`, `email`), lists with fewer items than `minItems`
    /// or more than `maxItems`.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object (`spec.retention: Invalid value: 0: spec.retention in
    /// body should be greater than or equal to 1`), so nothing of it is created, and a
    /// pipeline that applies a folder stops at it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiextensions.k8s.io/v1
    /// kind: CustomResourceDefinition
    /// metadata:
    ///   name: backupschedules.backup.acme.dev
    /// spec:
    ///   group: backup.acme.dev
    ///   scope: Namespaced
    ///   names: {kind: BackupSchedule, plural: backupschedules}
    ///   versions:
    ///     - name: v1
    ///       served: true
    ///       storage: true
    ///       schema:
    ///         openAPIV3Schema:
    ///           type: object
    ///           properties:
    ///             spec:
    ///               type: object
    ///               properties:
    ///                 retention: {type: integer, minimum: 1, maximum: 90}
    /// ---
    /// apiVersion: backup.acme.dev/v1
    /// kind: BackupSchedule
    /// metadata:
    ///   name: ledger-nightly
    /// spec:
    ///   retention: 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apiextensions.k8s.io/v1
    /// kind: CustomResourceDefinition
    /// metadata:
    ///   name: backupschedules.backup.acme.dev
    /// spec:
    ///   group: backup.acme.dev
    ///   scope: Namespaced
    ///   names: {kind: BackupSchedule, plural: backupschedules}
    ///   versions:
    ///     - name: v1
    ///       served: true
    ///       storage: true
    ///       schema:
    ///         openAPIV3Schema:
    ///           type: object
    ///           properties:
    ///             spec:
    ///               type: object
    ///               properties:
    ///                 retention: {type: integer, minimum: 1, maximum: 90}
    /// ---
    /// apiVersion: backup.acme.dev/v1
    /// kind: BackupSchedule
    /// metadata:
    ///   name: ledger-nightly
    /// spec:
    ///   retention: 1
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which value is right within the limits is the person's to choose.
    pub struct ValueOutOfRange {
        id: "value-out-of-range",
        category: Api,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

impl Rule for ValueOutOfRange {
    type State<'a> = Issue;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Issue> {
        super::issues(ws, |p| matches!(p, Problem::Limit { .. }))
    }

    fn finding<'a>(ws: &Workspace<'a>, issue: &Issue) -> Diagnostic {
        let Problem::Limit { value, limit } = &issue.problem else {
            unreachable!("detected as a limit")
        };
        Diagnostic {
            file: issue.file,
            range: issue.range,
            message: format!(
                "`{}` is {value}, but the {} CRD's schema wants it {limit}",
                issue.path, ws.objects[issue.object].kind
            ),
            why: format!("The API server refuses the object (`{}: Invalid value`), so nothing of it is created.", issue.path),
            help: Some(format!("Make `{}` {limit}, or widen the limit in the CRD if the value is right.", issue.path)),
            object: Some(ws.objects[issue.object].reference()),
            container: None,
            severity: None,
        }
    }
}
