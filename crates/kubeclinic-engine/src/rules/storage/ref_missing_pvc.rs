use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::configuration::links::{
    also_named, broken, broken_diagnostic, broken_fix, Broken, Wording,
};

declare_rule! {
    /// ## What it does
    /// Finds pod templates whose `persistentVolumeClaim.claimName` names a claim the set does
    /// not have, while a PersistentVolumeClaim of that namespace in the set has a near name
    /// (`ledger-date` for `ledger-data`): a typo, and it names that one. A StatefulSet's
    /// `volumeClaimTemplates` make their own claims and are no references. A name the set lacks
    /// with no near one is most likely applied from elsewhere: `referenced-objects-not-in-set`
    /// lists it once for the set.
    ///
    /// ## Why is this bad?
    /// The scheduler cannot place a pod whose claim does not exist (`persistentvolumeclaim
    /// "db-dat" not found`): it stays `Pending` and none of its containers start.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: ledger-data
    ///   namespace: billing
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests:
    ///       storage: 10Gi
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: ledger
    ///   namespace: billing
    /// spec:
    ///   strategy:
    ///     type: Recreate
    ///   selector:
    ///     matchLabels: {app: ledger}
    ///   template:
    ///     metadata:
    ///       labels: {app: ledger}
    ///     spec:
    ///       containers:
    ///         - name: ledger
    ///           image: ghcr.io/example/ledger:3.0.2
    ///           volumeMounts:
    ///             - name: data
    ///               mountPath: /var/lib/ledger
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim:
    ///             claimName: ledger-date
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: ledger-data
    ///   namespace: billing
    /// spec:
    ///   accessModes: [ReadWriteOnce]
    ///   resources:
    ///     requests:
    ///       storage: 10Gi
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: ledger
    ///   namespace: billing
    /// spec:
    ///   strategy:
    ///     type: Recreate
    ///   selector:
    ///     matchLabels: {app: ledger}
    ///   template:
    ///     metadata:
    ///       labels: {app: ledger}
    ///     spec:
    ///       containers:
    ///         - name: ledger
    ///           image: ghcr.io/example/ledger:3.0.2
    ///           volumeMounts:
    ///             - name: data
    ///               mountPath: /var/lib/ledger
    ///       volumes:
    ///         - name: data
    ///           persistentVolumeClaim:
    ///             claimName: ledger-data
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix names the claim of the namespace whose name is a typo away; check it
    /// holds the data the pod expects (mounting another claim shows other files, or none).
    /// Without a near name there is no fix.
    pub struct RefMissingPvc {
        id: "ref-missing-pvc",
        category: Storage,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

impl Rule for RefMissingPvc {
    type State<'a> = Broken<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Broken<'a>> {
        broken(ws, |l| l.kind == "PersistentVolumeClaim")
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &Broken<'a>) -> Diagnostic {
        let name = b.first().name();
        let wording = Wording {
            verb: "mounts",
            show_via: true,
            why: format!("The scheduler cannot place a pod whose claim does not exist (`persistentvolumeclaim \"{name}\" not found`): it stays Pending and none of its containers start."),
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
