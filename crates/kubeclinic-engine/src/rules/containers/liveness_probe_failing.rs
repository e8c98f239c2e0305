use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

use super::probes::{retime, retime_fix, root_troubles, trouble_finding, ProbeKind, ProbeTrouble};

declare_rule! {
    /// ## What it does
    /// Reads the kubelet's `Unhealthy` events (`Liveness probe failed: ... connection
    /// refused`, `HTTP probe failed with statuscode: 500`, `context deadline exceeded`) and
    /// `Killing` events (`Container api failed liveness probe, will be restarted`), says how the
    /// probe fails, and tells a probe that is too impatient from one that knocks on the wrong
    /// port or path.
    ///
    /// ## Why is this bad?
    /// Each time the probe fails `failureThreshold` times in a row, the kubelet kills and
    /// restarts the container: an app that starts slowly never gets to serve, and a probe
    /// with a short timeout turns a busy moment into a restart that drops every request in
    /// flight.
    ///
    /// ## Example
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Containers:
    ///   api:
    ///     Image:          shop/api:2.3.1
    ///     Port:           8080/TCP
    ///     State:          Running
    ///     Last State:     Terminated
    ///       Reason:       Error
    ///       Exit Code:    137
    ///     Ready:          False
    ///     Restart Count:  5
    ///     Liveness:       http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason     Age                From     Message
    ///   ----     ------     ----               ----     -------
    ///   Warning  Unhealthy  2m (x15 over 6m)   kubelet  Liveness probe failed: Get "http://10.0.0.5:8080/healthz": dial tcp 10.0.0.5:8080: connect: connection refused
    ///   Normal   Killing    2m (x5 over 6m)    kubelet  Container api failed liveness probe, will be restarted
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Containers:
    ///   api:
    ///     Image:          shop/api:2.3.1
    ///     Port:           8080/TCP
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    ///     Liveness:       http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3
    ///     Startup:        http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=30
    /// QoS Class:        BestEffort
    /// Events:           <none>
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: when the workload's manifest is in the set, the fix changes the probe's timing,
    /// computed from the settings the describe shows: a longer `timeoutSeconds` when the
    /// endpoint was too slow to answer, or a startupProbe with the same check (up to 300s)
    /// when nothing listened yet. No fix when the probe targets a port the container does not
    /// declare or a path that answers 404: more time would not help.
    pub struct LivenessProbeFailing {
        id: "liveness-probe-failing",
        category: Containers,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for LivenessProbeFailing {
    type State<'a> = ProbeTrouble<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ProbeTrouble<'a>> {
        root_troubles(ws, ProbeKind::Liveness)
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ProbeTrouble<'a>) -> Diagnostic {
        let why = if state.killed || !state.healthy_now {
            "Each time it fails `failureThreshold` times in a row the kubelet kills and restarts the container: requests in flight are lost, and a slow start becomes a restart loop."
        } else {
            "Had it failed `failureThreshold` times in a row, the kubelet would have restarted the container."
        };
        trouble_finding(ws, state, why)
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ProbeTrouble<'a>) -> Option<Fix> {
        retime_fix(ws, state, &retime(state)?)
    }
}
