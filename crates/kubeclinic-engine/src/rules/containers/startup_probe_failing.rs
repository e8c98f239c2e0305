use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

use super::probes::{retime, retime_fix, root_troubles, trouble_finding, ProbeKind, ProbeTrouble};

declare_rule! {
    /// ## What it does
    /// Reads the kubelet's `Unhealthy` events for startup probes (`Startup probe failed: Get
    /// "http://...": context deadline exceeded`, `connection refused`, `statuscode: 503`) and
    /// `Killing` events (`Container x failed startup probe, will be restarted`), and says how
    /// the probe fails.
    ///
    /// ## Why is this bad?
    /// A container that does not pass its startup probe within `failureThreshold` x
    /// `periodSeconds` is killed and started again from scratch: an app that needs a little
    /// longer than allowed never finishes starting, and the pod loops forever.
    ///
    /// ## Example
    /// ```text
    /// Name:         search-0
    /// Namespace:    shop
    /// Node:         node-2/10.0.0.6
    /// Containers:
    ///   search:
    ///     Image:          shop/search:7.2.0
    ///     Port:           9200/TCP
    ///     State:          Running
    ///     Last State:     Terminated
    ///       Reason:       Error
    ///       Exit Code:    143
    ///     Ready:          False
    ///     Restart Count:  4
    ///     Startup:        http-get http://:9200/_cluster/health delay=0s timeout=1s period=10s #success=1 #failure=6
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From     Message
    ///   ----     ------     ----               ----     -------
    ///   Warning  Unhealthy  1m (x24 over 5m)   kubelet  Startup probe failed: Get "http://10.0.0.6:9200/_cluster/health": dial tcp 10.0.0.6:9200: connect: connection refused
    ///   Normal   Killing    1m (x4 over 5m)    kubelet  Container search failed startup probe, will be restarted
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         search-0
    /// Namespace:    shop
    /// Node:         node-2/10.0.0.6
    /// Containers:
    ///   search:
    ///     Image:          shop/search:7.2.0
    ///     Port:           9200/TCP
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    ///     Startup:        http-get http://:9200/_cluster/health delay=0s timeout=1s period=10s #success=1 #failure=30
    /// QoS Class:        BestEffort
    /// Events:           <none>
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: when the workload's manifest is in the set, the fix gives the start more time,
    /// computed from the settings the describe shows: twice the `failureThreshold` (at least
    /// 30), or a longer `timeoutSeconds` when the endpoint was too slow to answer. No fix when
    /// the probe targets a port the container does not declare or a path that answers 404.
    pub struct StartupProbeFailing {
        id: "startup-probe-failing",
        category: Containers,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for StartupProbeFailing {
    type State<'a> = ProbeTrouble<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ProbeTrouble<'a>> {
        root_troubles(ws, ProbeKind::Startup)
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ProbeTrouble<'a>) -> Diagnostic {
        trouble_finding(
            ws,
            state,
            "When it fails `failureThreshold` times in a row the kubelet kills the container and starts it again from scratch: an app that needs longer than allowed never finishes starting.",
        )
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ProbeTrouble<'a>) -> Option<Fix> {
        retime_fix(ws, state, &retime(state)?)
    }
}
