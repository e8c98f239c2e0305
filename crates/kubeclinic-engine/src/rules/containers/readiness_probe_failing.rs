use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

use super::probes::{retime, retime_fix, root_troubles, trouble_finding, ProbeKind, ProbeTrouble};

declare_rule! {
    /// ## What it does
    /// Reads the kubelet's `Unhealthy` events for readiness probes (`Readiness probe failed:
    /// HTTP probe failed with statuscode: 503`, `connection refused`, `context deadline
    /// exceeded`) of containers that are otherwise running, and says how the probe fails.
    /// A container that crashes or is killed is left to the rule that explains that.
    ///
    /// ## Why is this bad?
    /// A container that is not ready is taken out of its Services' endpoints: it receives no
    /// traffic, a rollout waiting for ready pods stalls, and when every replica fails the
    /// Service has no endpoints at all (clients see `connection refused` or 503).
    ///
    /// ## Example
    /// ```text
    /// Name:         web-6c7d8f9b5-m4n7p
    /// Namespace:    shop
    /// Node:         node-3/10.0.0.7
    /// Containers:
    ///   web:
    ///     Image:          shop/web:4.1.0
    ///     Port:           3000/TCP
    ///     State:          Running
    ///     Ready:          False
    ///     Restart Count:  0
    ///     Readiness:      http-get http://:3000/ready delay=5s timeout=1s period=10s #success=1 #failure=3
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                 From     Message
    ///   ----     ------     ----                ----     -------
    ///   Warning  Unhealthy  15s (x40 over 7m)   kubelet  Readiness probe failed: HTTP probe failed with statuscode: 503
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         web-6c7d8f9b5-m4n7p
    /// Namespace:    shop
    /// Node:         node-3/10.0.0.7
    /// Containers:
    ///   web:
    ///     Image:          shop/web:4.1.0
    ///     Port:           3000/TCP
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    ///     Readiness:      http-get http://:3000/ready delay=5s timeout=1s period=10s #success=1 #failure=3
    /// QoS Class:        BestEffort
    /// Events:           <none>
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, and only when the endpoint was too slow to answer (`context deadline
    /// exceeded`): the fix raises the probe's `timeoutSeconds`, computed from the timeout the
    /// describe shows. An endpoint that answers 503 is the app saying it is not ready: no
    /// timing change fixes that, so there is no fix.
    pub struct ReadinessProbeFailing {
        id: "readiness-probe-failing",
        category: Containers,
        severity: Warning,
        fix: Sometimes,
        reads: Both,
        profile: Minimal,
    }
}

impl Rule for ReadinessProbeFailing {
    type State<'a> = ProbeTrouble<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ProbeTrouble<'a>> {
        root_troubles(ws, ProbeKind::Readiness)
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ProbeTrouble<'a>) -> Diagnostic {
        trouble_finding(
            ws,
            state,
            "While it fails, the container is removed from its Services' endpoints: it gets no traffic, and a rollout waiting for ready pods stalls.",
        )
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ProbeTrouble<'a>) -> Option<Fix> {
        retime_fix(ws, state, &retime(state)?)
    }
}
