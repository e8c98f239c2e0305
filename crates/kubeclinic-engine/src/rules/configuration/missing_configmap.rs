use super::{detect_objects, object_diagnostic, object_fix, ObjectState, Source};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds pods that cannot start because a ConfigMap they read does not exist in their
    /// namespace: kubelet's `Error: configmap "app-config" not found` (environment, the
    /// container waits in `CreateContainerConfigError`) or `MountVolume.SetUp failed for volume
    /// "cfg" : configmap "app-config" not found` (volume, the pod waits in `ContainerCreating`).
    /// When the set holds a ConfigMap with a near name, it corrects the reference; it also
    /// flags the other pod templates of the set that name the same missing ConfigMap.
    /// Manifests alone are never enough: a ConfigMap missing from the set may well exist in the
    /// cluster.
    ///
    /// ## Why is this bad?
    /// The pod never starts, and nothing in the logs says why: there are no logs yet.
    ///
    /// ## Example
    /// ```text
    /// Name:         web-6c8f7d9b5-t2x4k
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Status:       Pending
    /// Controlled By:  ReplicaSet/web-6c8f7d9b5
    /// Containers:
    ///   web:
    ///     Image:          shop/web:1.4.0
    ///     State:          Waiting
    ///       Reason:       CreateContainerConfigError
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From               Message
    ///   ----     ------     ----               ----               -------
    ///   Normal   Scheduled  2m                 default-scheduler  Successfully assigned shop/web-6c8f7d9b5-t2x4k to node-1
    ///   Warning  Failed     10s (x12 over 2m)  kubelet            Error: configmap "web-config" not found
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         web-6c8f7d9b5-t2x4k
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Status:       Running
    /// Controlled By:  ReplicaSet/web-6c8f7d9b5
    /// Containers:
    ///   web:
    ///     Image:          shop/web:1.4.0
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age   From               Message
    ///   ----     ------     ----  ----               -------
    ///   Normal   Scheduled  2m    default-scheduler  Successfully assigned shop/web-6c8f7d9b5-t2x4k to node-1
    ///   Normal   Started    2m    kubelet            Started container web
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix points the reference at the ConfigMap of the set whose name is one or two
    /// letters away; if the typo is in the ConfigMap's name instead, rename that one.
    pub struct MissingConfigmap {
        id: "missing-configmap",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for MissingConfigmap {
    type State<'a> = ObjectState<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ObjectState<'a>> {
        detect_objects(ws, Source::ConfigMap)
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ObjectState<'a>) -> Diagnostic {
        object_diagnostic(ws, state)
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ObjectState<'a>) -> Option<Fix> {
        object_fix(ws, state)
    }
}
