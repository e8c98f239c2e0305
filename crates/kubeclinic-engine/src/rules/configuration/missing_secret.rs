use super::{detect_objects, object_diagnostic, object_fix, ObjectState, Source};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds pods that cannot start because a Secret they read does not exist in their
    /// namespace: kubelet's `Error: secret "db-credentials" not found` (environment, the
    /// container waits in `CreateContainerConfigError`) or `MountVolume.SetUp failed for volume
    /// "creds" : secret "db-credentials" not found` (volume, the pod waits in
    /// `ContainerCreating`). When the set holds a Secret with a near name, it corrects the
    /// reference; it also flags the other pod templates of the set that name the same missing
    /// Secret. Manifests alone are never enough: Secrets are seldom in the set, and one missing
    /// from it may well exist in the cluster.
    ///
    /// ## Why is this bad?
    /// The pod never starts, and nothing in the logs says why: there are no logs yet.
    ///
    /// ## Example
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Status:       Pending
    /// Controlled By:  ReplicaSet/api-5d8f7c9b4
    /// Containers:
    ///   api:
    ///     Image:          shop/api:2.3.1
    ///     State:          Waiting
    ///       Reason:       CreateContainerConfigError
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From     Message
    ///   ----     ------     ----               ----     -------
    ///   Warning  Failed     12s (x9 over 1m)   kubelet  Error: secret "db-credentials" not found
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Status:       Running
    /// Controlled By:  ReplicaSet/api-5d8f7c9b4
    /// Containers:
    ///   api:
    ///     Image:          shop/api:2.3.1
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason   Age   From     Message
    ///   ----     ------   ----  ----     -------
    ///   Normal   Started  1m    kubelet  Started container api
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix points the reference at the Secret of the set whose name is one or two
    /// letters away; if the typo is in the Secret's name instead, rename that one.
    pub struct MissingSecret {
        id: "missing-secret",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for MissingSecret {
    type State<'a> = ObjectState<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ObjectState<'a>> {
        detect_objects(ws, Source::Secret)
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ObjectState<'a>) -> Diagnostic {
        object_diagnostic(ws, state)
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ObjectState<'a>) -> Option<Fix> {
        object_fix(ws, state)
    }
}
