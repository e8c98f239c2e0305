use super::links::{also_named, broken, broken_diagnostic, broken_fix, Broken, Wording};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds pod templates whose `imagePullSecrets` name a Secret the set does not make, while
    /// a Secret of that namespace in the set has a near name (`regcrd` for `regcred`): a typo,
    /// and it names that one. A name the set lacks with no near one is most likely applied
    /// from elsewhere: `referenced-objects-not-in-set` lists it once for the set.
    ///
    /// ## Why is this bad?
    /// The kubelet does not stop for a missing pull secret: it warns (`Unable to retrieve some
    /// image pull secrets (regcrd); attempting to pull the image may not succeed`) and pulls
    /// without credentials. An image of a private registry then fails with
    /// `ImagePullBackOff`; a public one still starts, which is why this is a warning.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: regcred
    ///   namespace: shop
    /// type: kubernetes.io/dockerconfigjson
    /// data:
    ///   .dockerconfigjson: eyJhdXRocyI6e319
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
    ///       imagePullSecrets:
    ///         - name: regcrd
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/shop/web:2.4.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: regcred
    ///   namespace: shop
    /// type: kubernetes.io/dockerconfigjson
    /// data:
    ///   .dockerconfigjson: eyJhdXRocyI6e319
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
    ///       imagePullSecrets:
    ///         - name: regcred
    ///       containers:
    ///         - name: web
    ///           image: registry.example.com/shop/web:2.4.1
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the Secret of the namespace whose name is a typo away; check it
    /// holds the credentials of the registry the images come from. Without a near name there
    /// is no fix.
    pub struct RefMissingPullSecret {
        id: "ref-missing-pull-secret",
        category: Configuration,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for RefMissingPullSecret {
    type State<'a> = Broken<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Broken<'a>> {
        broken(ws, |l| l.pull_secret)
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Diagnostic {
        let name = b.first().name();
        let wording = Wording {
            verb: "pulls images with",
            show_via: false,
            why: format!("The kubelet pulls without those credentials (`Unable to retrieve some image pull secrets ({name}); attempting to pull the image may not succeed`): an image of a private registry then fails with ImagePullBackOff."),
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
