//! Containers that start and then fail: OOM kills, crashes, missing commands, probes, evictions.

pub mod command_not_found;
pub mod crashloop_app_error;
pub mod evicted;
pub mod liveness_probe_failing;
pub mod oom_killed;
pub mod pod_stuck;
pub mod probes;
pub mod readiness_probe_failing;
pub mod run_as_non_root_violation;
pub mod startup_probe_failing;
pub mod termination;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<oom_killed::OomKilled>(),
    RuleEntry::of::<command_not_found::CommandNotFound>(),
    RuleEntry::of::<liveness_probe_failing::LivenessProbeFailing>(),
    RuleEntry::of::<startup_probe_failing::StartupProbeFailing>(),
    RuleEntry::of::<readiness_probe_failing::ReadinessProbeFailing>(),
    RuleEntry::of::<evicted::Evicted>(),
    RuleEntry::of::<run_as_non_root_violation::RunAsNonRootViolation>(),
    RuleEntry::of::<crashloop_app_error::CrashloopAppError>(),
    RuleEntry::of::<pod_stuck::PodStuck>(),
];

/// Each crash is reported once, by the rule that names its root cause.
#[cfg(test)]
mod root_causes {
    use crate::diagnostic::Severity;
    use crate::{check, SourceFile};

    const MINE: [&str; 8] = [
        "oom-killed",
        "command-not-found",
        "liveness-probe-failing",
        "startup-probe-failing",
        "readiness-probe-failing",
        "evicted",
        "run-as-non-root-violation",
        "crashloop-app-error",
    ];

    /// `(rule, severity)` of every finding of this category's rules.
    fn ours(text: &str) -> Vec<(&'static str, Severity)> {
        check(&[SourceFile::new("paste.txt", text)])
            .findings
            .into_iter()
            .filter(|f| MINE.contains(&f.rule))
            .map(|f| (f.rule, f.severity))
            .collect()
    }

    fn pod(container_block: &str, events: &str) -> String {
        format!(
            "Name:         api-5d8f7c9b4-x2k8q\nNamespace:    shop\nNode:         node-1/10.0.0.5\nControlled By:  ReplicaSet/api-5d8f7c9b4\nContainers:\n  api:\n    Image:          shop/api:2.3.1\n    Port:           8080/TCP\n{container_block}QoS Class:        BestEffort\n{events}"
        )
    }

    const CRASH_LOOP: &str = "    State:          Waiting\n      Reason:       CrashLoopBackOff\n";

    #[test]
    fn an_oom_kill_is_only_oom_killed() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n    Ready:          False\n    Restart Count:  6\n    Limits:\n      memory:  256Mi\n"),
            "Events:\n  Type     Reason   Age                From     Message\n  ----     ------   ----               ----     -------\n  Warning  BackOff  14s (x25 over 8m)  kubelet  Back-off restarting failed container api in pod api-5d8f7c9b4-x2k8q_shop(0c6f2d4e)\n",
        );
        assert_eq!(ours(&text), [("oom-killed", Severity::Error)]);
    }

    #[test]
    fn exit_127_is_only_command_not_found() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    127\n    Ready:          False\n    Restart Count:  4\n"),
            "Events:           <none>\n$ kubectl logs api-5d8f7c9b4-x2k8q --previous\n2025-11-05T10:42:40Z entrypoint: starting celery\n/bin/sh: 1: celery: not found\n",
        );
        assert_eq!(ours(&text), [("command-not-found", Severity::Error)]);
        let report = check(&[SourceFile::new("paste.txt", text.as_str())]);
        assert!(
            report.findings[0].message.contains("`celery`"),
            "{}",
            report.findings[0].message
        );
    }

    #[test]
    fn a_liveness_kill_is_only_liveness_probe_failing() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    137\n    Ready:          False\n    Restart Count:  5\n    Liveness:       http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3\n    Readiness:      http-get http://:8080/ready delay=0s timeout=1s period=10s #success=1 #failure=3\n"),
            "Events:\n  Type     Reason     Age               From     Message\n  ----     ------     ----              ----     -------\n  Warning  Unhealthy  2m (x15 over 6m)  kubelet  Liveness probe failed: Get \"http://10.0.0.5:8080/healthz\": dial tcp 10.0.0.5:8080: connect: connection refused\n  Warning  Unhealthy  2m (x20 over 6m)  kubelet  Readiness probe failed: Get \"http://10.0.0.5:8080/ready\": dial tcp 10.0.0.5:8080: connect: connection refused\n  Normal   Killing    2m (x5 over 6m)   kubelet  Container api failed liveness probe, will be restarted\n",
        );
        assert_eq!(ours(&text), [("liveness-probe-failing", Severity::Error)]);
    }

    #[test]
    fn a_probe_on_an_undeclared_port_says_so_and_has_no_timing_fix() {
        let text = pod(
            "    State:          Running\n    Ready:          False\n    Restart Count:  3\n    Liveness:       http-get http://:9090/healthz delay=10s timeout=1s period=10s #success=1 #failure=3\n",
            "Events:\n  Type     Reason     Age               From     Message\n  ----     ------     ----              ----     -------\n  Warning  Unhealthy  1m (x9 over 4m)   kubelet  Liveness probe failed: Get \"http://10.0.0.5:9090/healthz\": dial tcp 10.0.0.5:9090: connect: connection refused\n  Normal   Killing    1m (x3 over 4m)   kubelet  Container api failed liveness probe, will be restarted\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: shop/api:2.3.1\n          ports:\n            - containerPort: 8080\n          livenessProbe:\n            httpGet: {path: /healthz, port: 9090}\n            initialDelaySeconds: 10\n",
        );
        let report = check(&[SourceFile::new("paste.txt", text.as_str())]);
        let finding = report
            .findings
            .iter()
            .find(|f| f.rule == "liveness-probe-failing")
            .unwrap();
        assert!(finding.message.contains("port 9090"), "{}", finding.message);
        assert!(finding.message.contains("8080"), "{}", finding.message);
        assert!(finding.fix.is_none());
    }

    #[test]
    fn exec_format_error_is_left_to_image_arch_mismatch() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    255\n    Ready:          False\n    Restart Count:  4\n"),
            "Events:           <none>\n$ kubectl logs api-5d8f7c9b4-x2k8q\nexec /usr/local/bin/python: exec format error\n",
        );
        assert_eq!(ours(&text), []);
    }

    #[test]
    fn config_errors_are_not_crashes() {
        // A missing ConfigMap key belongs to the configuration rules.
        let text = pod(
            "    State:          Waiting\n      Reason:       CreateContainerConfigError\n    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n    Ready:          False\n    Restart Count:  2\n",
            "Events:\n  Type     Reason  Age               From     Message\n  ----     ------  ----              ----     -------\n  Warning  Failed  8s (x6 over 1m)   kubelet  Error: couldn't find key DATABASE_URL in ConfigMap shop/api-config\n",
        );
        assert_eq!(ours(&text), []);
        let text = pod(
            "    State:          Waiting\n      Reason:       CreateContainerConfigError\n    Ready:          False\n    Restart Count:  0\n",
            "Events:\n  Type     Reason  Age               From     Message\n  ----     ------  ----              ----     -------\n  Warning  Failed  8s (x6 over 1m)   kubelet  Error: container has runAsNonRoot and image will run as root\n",
        );
        assert_eq!(
            ours(&text),
            [("run-as-non-root-violation", Severity::Error)]
        );
    }

    #[test]
    fn an_evicted_pod_is_only_evicted() {
        let text = "Name:         report-7d9c8f6b5-lq2vx\nNamespace:    shop\nNode:         node-2/10.0.0.6\nStatus:       Failed\nReason:       Evicted\nMessage:      The node was low on resource: memory. Container report was using 1543012Ki, which exceeds its request of 128Mi. \nContainers:\n  report:\n    Image:          shop/report:3.0.2\n    State:          Terminated\n      Reason:       ContainerStatusUnknown\n      Message:      The container could not be located when the pod was terminated\n      Exit Code:    137\n    Ready:          False\n    Restart Count:  0\nQoS Class:        Burstable\n";
        assert_eq!(ours(text), [("evicted", Severity::Warning)]);
    }

    #[test]
    fn a_crash_a_log_rule_explains_is_theirs() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n    Ready:          False\n    Restart Count:  5\n"),
            "Events:           <none>\n$ kubectl logs api-5d8f7c9b4-x2k8q --previous\nTraceback (most recent call last):\n  File \"/app/db.py\", line 41, in connect\nConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)\n",
        );
        assert_eq!(ours(&text), []);
        let rules: Vec<&str> = check(&[SourceFile::new("paste.txt", text.as_str())])
            .findings
            .iter()
            .map(|f| f.rule)
            .collect();
        assert!(rules.contains(&"localhost-connection"), "{rules:?}");
    }

    #[test]
    fn history_on_a_healthy_pod_is_info_at_most() {
        let text = pod(
            "    State:          Running\n    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n    Ready:          True\n    Restart Count:  1\n    Readiness:      http-get http://:8080/ready delay=0s timeout=1s period=10s #success=1 #failure=3\n    Startup:        http-get http://:8080/ready delay=0s timeout=1s period=10s #success=1 #failure=30\n",
            "Events:\n  Type     Reason     Age                From     Message\n  ----     ------     ----               ----     -------\n  Warning  Unhealthy  40m (x3 over 41m)  kubelet  Startup probe failed: HTTP probe failed with statuscode: 503\n  Warning  Unhealthy  39m                kubelet  Readiness probe failed: Get \"http://10.0.0.5:8080/ready\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)\n",
        );
        let found = ours(&text);
        assert!(!found.is_empty());
        assert!(found.iter().all(|(_, s)| *s == Severity::Info), "{found:?}");
    }

    #[test]
    fn an_app_error_quotes_its_log_and_nothing_else_claims_it() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n    Ready:          False\n    Restart Count:  4\n    Readiness:      http-get http://:8080/ready delay=0s timeout=1s period=10s #success=1 #failure=3\n"),
            "Events:\n  Type     Reason     Age               From     Message\n  ----     ------     ----              ----     -------\n  Warning  Unhealthy  1m (x4 over 3m)   kubelet  Readiness probe failed: Get \"http://10.0.0.5:8080/ready\": dial tcp 10.0.0.5:8080: connect: connection refused\n$ kubectl logs api-5d8f7c9b4-x2k8q --previous\n2025-11-03 13:09:42 INFO starting\nKeyError: 'QUEUE_URL'\n",
        );
        assert_eq!(ours(&text), [("crashloop-app-error", Severity::Error)]);
    }

    #[test]
    fn a_liveness_kill_whose_failures_expired_is_still_reported() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    137\n    Ready:          False\n    Restart Count:  9\n    Liveness:       exec [/bin/healthcheck] delay=0s timeout=1s period=10s #success=1 #failure=3\n"),
            "Events:\n  Type    Reason   Age                 From     Message\n  ----    ------   ----                ----     -------\n  Normal  Killing  3m (x9 over 58m)    kubelet  Container api failed liveness probe, will be restarted\n",
        );
        assert_eq!(ours(&text), [("liveness-probe-failing", Severity::Error)]);
    }

    #[test]
    fn an_old_oom_kill_on_a_healthy_pod_is_info() {
        let text = pod(
            "    State:          Running\n    Last State:     Terminated\n      Reason:       OOMKilled\n      Exit Code:    137\n    Ready:          True\n    Restart Count:  1\n    Limits:\n      memory:  256Mi\n",
            "Events:           <none>\n",
        );
        assert_eq!(ours(&text), [("oom-killed", Severity::Info)]);
    }

    #[test]
    fn a_runtime_error_on_start_is_quoted() {
        let text = pod(
            &format!("{CRASH_LOOP}    Last State:     Terminated\n      Reason:       StartError\n      Message:      failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error mounting \"/var/lib/kubelet/pods/1f/volumes/kubernetes.io~configmap/config\" to rootfs at \"/etc/app/app.yaml\": not a directory: unknown\n      Exit Code:    128\n    Ready:          False\n    Restart Count:  3\n"),
            "Events:           <none>\n",
        );
        let report = check(&[SourceFile::new("paste.txt", text.as_str())]);
        let crash: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == "crashloop-app-error")
            .collect();
        assert_eq!(crash.len(), 1);
        assert!(
            crash[0].message.contains("the runtime could not start it"),
            "{}",
            crash[0].message
        );
        assert!(text[crash[0].range.start..crash[0].range.end]
            .starts_with("failed to create containerd task"));
    }
}
