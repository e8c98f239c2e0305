use super::links::{also_named, broken, broken_diagnostic, broken_fix, Broken, Wording};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds pod templates whose `serviceAccountName` names a ServiceAccount the set does not
    /// have, while a ServiceAccount of that namespace in the set has a near name (`web-runer`
    /// for `web-runner`): a typo, and it names that one. `default` exists in every namespace.
    /// A name the set lacks with no near one is most likely applied from elsewhere:
    /// `referenced-objects-not-in-set` lists it once for the set.
    ///
    /// ## Why is this bad?
    /// The API server refuses every pod that runs as a ServiceAccount that does not exist
    /// (`error looking up service account shop/web-runer: serviceaccount "web-runer" not
    /// found`): the workload shows no pods, and only its ReplicaSet's events say why.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web-runner
    ///   namespace: shop
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
    ///       serviceAccountName: web-runer
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/web:2.4.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: web-runner
    ///   namespace: shop
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
    ///       serviceAccountName: web-runner
    ///       containers:
    ///         - name: web
    ///           image: ghcr.io/example/web:2.4.1
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the ServiceAccount of the namespace whose name is a typo away; the
    /// pods then get that account's permissions (its RoleBindings) and its pull secrets.
    /// Without a near name there is no fix.
    pub struct RefMissingServiceaccount {
        id: "ref-missing-serviceaccount",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for RefMissingServiceaccount {
    type State<'a> = Broken<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Broken<'a>> {
        broken(ws, |l| l.kind == "ServiceAccount")
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Diagnostic {
        let name = b.first().name();
        let workload = ws.object_of(&ws.templates[b.first().template]);
        let ns = workload.effective_namespace().unwrap_or("<namespace>");
        let wording = Wording {
            verb: "runs as",
            show_via: false,
            why: format!("The API server refuses every pod that runs as a ServiceAccount that does not exist (`error looking up service account {ns}/{name}: serviceaccount \"{name}\" not found`): none is created."),
            also: "",
        };
        broken_diagnostic(ws, b, wording)
    }

    fn fix<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Option<Fix> {
        broken_fix(ws, b)
    }

    fn related<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Vec<Related> {
        also_named(ws, b)
    }
}
