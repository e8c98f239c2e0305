use super::{detect_keys, key_diagnostic, key_fix, Problem, Source};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds pods that cannot start because the Secret they read lacks a key:
    /// `Error: couldn't find key password in Secret default/db` (environment) or
    /// `MountVolume.SetUp failed for volume "tls" : references non-existent secret key: tls.crt`
    /// (volume `items`). It says how to add the key, and when the Secret is in the set with a
    /// near key, it corrects the key the pod reads.
    ///
    /// ## Why is this bad?
    /// A referenced key must exist unless the reference is `optional: true`: the container
    /// never starts.
    ///
    /// ## Example
    /// ```text
    /// Name:         orders-7f6d5c4b3-m9n8p
    /// Namespace:    default
    /// Node:         node-2/10.0.0.6
    /// Status:       Pending
    /// Controlled By:  ReplicaSet/orders-7f6d5c4b3
    /// Containers:
    ///   orders:
    ///     Image:          shop/orders:3.0.2
    ///     State:          Waiting
    ///       Reason:       CreateContainerConfigError
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason   Age               From     Message
    ///   ----     ------   ----              ----     -------
    ///   Warning  Failed   5s (x8 over 90s)  kubelet  Error: couldn't find key password in Secret default/db
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         orders-7f6d5c4b3-m9n8p
    /// Namespace:    default
    /// Node:         node-2/10.0.0.6
    /// Status:       Running
    /// Controlled By:  ReplicaSet/orders-7f6d5c4b3
    /// Containers:
    ///   orders:
    ///     Image:          shop/orders:3.0.2
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason   Age   From     Message
    ///   ----     ------   ----  ----     -------
    ///   Normal   Started  90s   kubelet  Started container orders
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: when the Secret of the set has a near key (`db-password` for `db_password`), the
    /// fix makes the pod read that one. Otherwise there is no edit: a Secret's value does not
    /// belong in a patch, and the help says how to add it with kubectl.
    pub struct MissingSecretKey {
        id: "missing-secret-key",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for MissingSecretKey {
    type State<'a> = Problem;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Problem> {
        detect_keys(ws, Source::Secret)
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Problem) -> Diagnostic {
        key_diagnostic(ws, state)
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Problem) -> Option<Fix> {
        key_fix(ws, state)
    }
}
