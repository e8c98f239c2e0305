use super::links::{
    also_named, broken, broken_diagnostic, broken_fix, unreadable_why, Broken, Wording,
};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Finds pod templates that read a ConfigMap (env `configMapKeyRef`, `envFrom`, a
    /// `configMap` or projected volume) that the set does not have, while a ConfigMap of that
    /// namespace in the set has a near name (`web-confg` for `web-config`): a typo, and it names
    /// that one. A name the set lacks with no near one is most likely applied from elsewhere
    /// (another folder, a file left out): `referenced-objects-not-in-set` lists it once for
    /// the set. `optional: true` references are never reported.
    ///
    /// ## Why is this bad?
    /// A ConfigMap must exist before a pod that reads it can start: the container waits in
    /// `CreateContainerConfigError` (`configmap "web-confg" not found`), or the whole pod in
    /// `ContainerCreating` for a volume.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   namespace: shop
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/web:2.4.1
    ///           envFrom:
    ///             - configMapRef:
    ///                 name: web-confg
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: web-config
    ///   namespace: shop
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: web}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/web:2.4.1
    ///           envFrom:
    ///             - configMapRef:
    ///                 name: web-config
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the ConfigMap of the namespace whose name is a typo away, at every
    /// place of the template that names the missing one; if the typo is in the ConfigMap's own
    /// name, rename that one instead. Without a near name there is no fix.
    pub struct RefMissingConfigmap {
        id: "ref-missing-configmap",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["missing-configmap"],
    }
}

impl Rule for RefMissingConfigmap {
    type State<'a> = Broken<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Broken<'a>> {
        broken(ws, |l| l.kind == "ConfigMap")
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Diagnostic {
        let wording = Wording {
            verb: "reads",
            show_via: true,
            why: unreadable_why(b),
            also: " If the app can start without it, set `optional: true` on the reference.",
        };
        broken_diagnostic(ws, b, wording)
    }

    fn fix<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Option<Fix> {
        broken_fix(ws, b)
    }

    fn related<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Vec<Related> {
        also_named(ws, b)
    }

    fn evidence<'a>(_ws: &Workspace<'a>, b: &Broken<'a>) -> Vec<(FileId, TextRange)> {
        b.reported.clone()
    }
}
