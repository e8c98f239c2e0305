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
    /// Finds pod templates that read a Secret (env `secretKeyRef`, `envFrom`, a `secret` or
    /// projected volume) that the set does not make, while a Secret of that namespace in the
    /// set has a near name (`db-credential` for `db-credentials`): a typo, and it names that
    /// one. Secrets made by a SealedSecret, an ExternalSecret, a cert-manager Certificate or a
    /// kustomize `secretGenerator` of the set count as made. A name the set lacks with no near
    /// one is most likely applied from elsewhere: `referenced-objects-not-in-set` lists it once
    /// for the set. `optional: true` references and image pull secrets
    /// (`ref-missing-pull-secret`) are not reported here.
    ///
    /// ## Why is this bad?
    /// A Secret must exist before a pod that reads it can start: the container waits in
    /// `CreateContainerConfigError` (`secret "db-credential" not found`), or the whole pod in
    /// `ContainerCreating` for a volume.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: db-credentials
    ///   namespace: shop
    /// stringData:
    ///   password: s3cr3t-Passw0rd
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/api:1.4.2
    ///           env:
    ///             - name: DB_PASSWORD
    ///               valueFrom:
    ///                 secretKeyRef:
    ///                   name: db-credential
    ///                   key: password
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: db-credentials
    ///   namespace: shop
    /// stringData:
    ///   password: s3cr3t-Passw0rd
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   selector:
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/api:1.4.2
    ///           env:
    ///             - name: DB_PASSWORD
    ///               valueFrom:
    ///                 secretKeyRef:
    ///                   name: db-credentials
    ///                   key: password
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the Secret of the namespace whose name is a typo away, at every
    /// place of the template that names the missing one; if the typo is in the Secret's own
    /// name, rename that one instead. Without a near name there is no fix.
    pub struct RefMissingSecret {
        id: "ref-missing-secret",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["missing-secret"],
    }
}

impl Rule for RefMissingSecret {
    type State<'a> = Broken<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Broken<'a>> {
        broken(ws, |l| l.kind == "Secret" && !l.pull_secret)
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
