use super::{detect_keys, key_diagnostic, key_fix, Problem, Source};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds pods that cannot start because the ConfigMap they read lacks a key:
    /// `Error: couldn't find key LOG_LEVEL in ConfigMap shop/web-config` (environment) or
    /// `MountVolume.SetUp failed for volume "config" : configmap references non-existent config
    /// key: app.properties` (volume `items`). When the ConfigMap is in the set, it corrects a
    /// key the pod misspelled, or adds the key to the ConfigMap's `data` for you to fill in.
    ///
    /// ## Why is this bad?
    /// A referenced key must exist unless the reference is `optional: true`: the container
    /// never starts.
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
    ///   Type     Reason   Age                From     Message
    ///   ----     ------   ----               ----     -------
    ///   Warning  Failed   10s (x12 over 2m)  kubelet  Error: couldn't find key LOG_LEVEL in ConfigMap shop/web-config
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
    ///   Type     Reason   Age   From     Message
    ///   ----     ------   ----  ----     -------
    ///   Normal   Started  2m    kubelet  Started container web
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe when it corrects the key the pod reads to the near one the ConfigMap has
    /// (`log_level` -> `LOG_LEVEL`). Adding the key to the ConfigMap is display-only: its value
    /// (`<value>`) is yours to write.
    pub struct MissingConfigmapKey {
        id: "missing-configmap-key",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for MissingConfigmapKey {
    type State<'a> = Problem;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Problem> {
        detect_keys(ws, Source::ConfigMap)
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Problem) -> Diagnostic {
        key_diagnostic(ws, state)
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Problem) -> Option<Fix> {
        key_fix(ws, state)
    }
}
