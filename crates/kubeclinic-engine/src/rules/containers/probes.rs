//! Probes as the cluster reported them: the describe's `Liveness:` lines, the kubelet's
//! `Unhealthy` events, and the manifest edits that give a probe more time.

use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Severity};
use crate::model::Workspace;
use crate::patch::{set_path, Value};
use crate::runtime::pod::{ContainerView, PodView};
use crate::yaml::Node;

use super::termination::{running_and_ready, why_stopped, Context, PodEvent, Stop};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

impl ProbeKind {
    /// As kubectl and the kubelet capitalise it: `Liveness`.
    pub fn label(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Readiness => "Readiness",
            ProbeKind::Startup => "Startup",
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "liveness",
            ProbeKind::Readiness => "readiness",
            ProbeKind::Startup => "startup",
        }
    }

    pub fn manifest_key(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Startup => "startupProbe",
        }
    }
}

/// A describe probe line: `http-get http://:8080/healthz delay=0s timeout=1s period=10s
/// #success=1 #failure=3`.
#[derive(Clone, Debug, PartialEq)]
pub struct ProbeLine {
    /// `http-get http://:8080/healthz`, `tcp-socket :5432`, `exec [cat /tmp/healthy]`.
    pub handler: String,
    /// The port the probe targets, as written (`8080`, `http`).
    pub port: Option<String>,
    pub delay: u32,
    pub timeout: u32,
    pub period: u32,
    pub failure: u32,
}

impl ProbeLine {
    pub fn parse(text: &str) -> Option<ProbeLine> {
        let attrs_at = text.find(" delay=")?;
        let handler = text[..attrs_at].trim().to_string();
        let attr = |name: &str| -> Option<u32> {
            let at = text.find(name)? + name.len();
            let digits: String = text[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        };
        let port = if let Some(url) = handler.strip_prefix("http-get ") {
            url.split_once("://")
                .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
                .and_then(|host| host.rsplit_once(':'))
                .map(|(_, port)| port.to_string())
        } else if let Some(target) = handler.strip_prefix("tcp-socket ") {
            target.rsplit_once(':').map(|(_, port)| port.to_string())
        } else if let Some(target) = handler.strip_prefix("grpc <pod>:") {
            target.split_whitespace().next().map(String::from)
        } else {
            None
        };
        Some(ProbeLine {
            handler,
            port: port.filter(|p| !p.is_empty()),
            delay: attr(" delay=")?,
            timeout: attr(" timeout=")?,
            period: attr(" period=")?,
            failure: attr(" #failure=")?,
        })
    }

    /// `delay=0s timeout=1s period=10s #failure=3` as a person reads it.
    pub fn timing(&self) -> String {
        format!(
            "initialDelaySeconds {}, timeoutSeconds {}, periodSeconds {}, failureThreshold {}",
            self.delay, self.timeout, self.period, self.failure
        )
    }
}

/// How a probe failed, read from the kubelet's event message.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Nothing listened: `dial tcp 10.0.0.5:8080: connect: connection refused`.
    Refused { port: Option<u16> },
    /// The endpoint did not answer in time: `context deadline exceeded`, `i/o timeout`,
    /// an exec probe that `timed out`.
    Timeout,
    /// The endpoint answered with an error: `HTTP probe failed with statuscode: 503`.
    Status(u16),
    /// Anything else (an exec probe's output, a gRPC status).
    Other,
    /// Only the kubelet's `Killing` event is left: the `Unhealthy` events that said how the
    /// probe failed have expired.
    KillOnly,
}

impl Failure {
    pub fn read(message: &str) -> Failure {
        let lower = message.to_ascii_lowercase();
        if lower.contains("connection refused") {
            return Failure::Refused {
                port: refused_port(message),
            };
        }
        if lower.contains("deadline exceeded")
            || lower.contains("client.timeout")
            || lower.contains("i/o timeout")
            || lower.contains("timed out")
            || lower.contains("timeout: failed to connect")
        {
            return Failure::Timeout;
        }
        if let Some(at) = lower.find("statuscode: ") {
            let digits: String = lower[at + 12..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(code) = digits.parse() {
                return Failure::Status(code);
            }
        }
        Failure::Other
    }
}

/// The port in `dial tcp 10.0.0.5:8080: connect: connection refused` or in the probed URL.
fn refused_port(message: &str) -> Option<u16> {
    let digits_after = |at: usize| -> Option<u16> {
        let digits: String = message[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    if let Some(at) = message.find("dial tcp ") {
        let rest = &message[at + 9..];
        let address = rest.split(": ").next().unwrap_or(rest);
        if let Some(colon) = address.rfind(':') {
            return digits_after(at + 9 + colon + 1);
        }
    }
    let at = message.find("://")? + 3;
    let host_end = message[at..]
        .find(['/', '"', ' '])
        .map_or(message.len(), |i| at + i);
    let colon = message[at..host_end].rfind(':')?;
    digits_after(at + colon + 1)
}

/// One failing probe of one container, with the event that shows it.
pub struct ProbeTrouble<'a> {
    pub kind: ProbeKind,
    pub pod: usize,
    pub container: String,
    pub event: PodEvent<'a>,
    /// How many times the kubelet reported it, over all matching events.
    pub count: u32,
    pub failure: Failure,
    pub probe: Option<ProbeLine>,
    /// The probe targets a port the container does not declare.
    pub wrong_port: Option<(u16, Vec<String>)>,
    /// The container is running and ready now: the failures are history.
    pub healthy_now: bool,
    /// The kubelet restarted the container for it.
    pub killed: bool,
}

impl<'a> ProbeTrouble<'a> {
    fn new(
        kind: ProbeKind,
        pod: usize,
        container: &ContainerView,
        event: PodEvent<'a>,
        failure: Failure,
        killed: bool,
    ) -> Self {
        ProbeTrouble {
            kind,
            pod,
            container: container.name.clone(),
            count: event.event.count,
            event,
            failure,
            probe: container
                .probes
                .iter()
                .find(|(k, _, _)| k == kind.label())
                .and_then(|(_, text, _)| ProbeLine::parse(text)),
            wrong_port: None,
            healthy_now: running_and_ready(container),
            killed,
        }
    }

    /// The target is wrong (no listener on that port, no such path): more time will not help.
    pub fn wrong_target(&self) -> bool {
        self.wrong_port.is_some() || self.failure == Failure::Status(404)
    }

    /// "Get "http://10.0.0.5:8080/healthz": dial tcp ...: connection refused" without the
    /// `Liveness probe failed:` prefix.
    pub fn reported(&self) -> &str {
        let message = self.event.event.message.as_str();
        message
            .split_once(" probe failed: ")
            .or_else(|| message.split_once(" probe errored: "))
            .map_or(message, |(_, rest)| rest)
            .trim()
    }

    /// What the failure says, for messages.
    pub fn diagnosis(&self) -> String {
        if let Some((port, declared)) = &self.wrong_port {
            return format!(
                "it probes port {port}, but the container declares only {}: nothing listens where the probe knocks",
                declared.join(", ")
            );
        }
        match &self.failure {
            Failure::Refused { .. } => {
                "nothing accepted the connection: the app was not listening (yet)".into()
            }
            Failure::Timeout => {
                let limit = self
                    .probe
                    .as_ref()
                    .map_or("its timeout".to_string(), |p| format!("{}s", p.timeout));
                format!("the endpoint did not answer within {limit}")
            }
            Failure::Status(404) => {
                "the endpoint answered 404: the probe's path does not exist in the app".into()
            }
            Failure::Status(code) => format!("the endpoint answered HTTP {code}"),
            Failure::Other => "the check reported a failure".into(),
            Failure::KillOnly => format!(
                "the kubelet restarted the container for it{}; the events that said how it failed have expired",
                match self.count {
                    1 => String::new(),
                    n => format!(" {n} times"),
                }
            ),
        }
    }
}

/// Every container of pod `index` whose `kind` probe failed, one per container, with the
/// event that shows it best (the one repeated most).
pub fn pod_troubles<'a>(
    ws: &Workspace<'a>,
    cx: &Context<'a>,
    index: usize,
    kind: ProbeKind,
) -> Vec<ProbeTrouble<'a>> {
    let prefixes = [
        format!("{} probe failed", kind.label()),
        format!("{} probe errored", kind.label()),
    ];
    let pod = &ws.pods[index].pod;
    let events = cx.events(index);
    let killed_names: Vec<&str> = events
        .iter()
        .filter(|e| e.event.reason == "Killing")
        .filter_map(|e| killed_by(&e.event.message, kind))
        .collect();
    let mut out: Vec<ProbeTrouble<'a>> = Vec::new();
    for at in events {
        let message = &at.event.message;
        if at.event.reason != "Unhealthy" || !prefixes.iter().any(|p| message.starts_with(p)) {
            continue;
        }
        let failure = Failure::read(message);
        let Some(container) = owner(pod, kind, &failure, &killed_names) else {
            continue;
        };
        if let Some(seen) = out.iter_mut().find(|t| t.container == container.name) {
            seen.count += at.event.count;
            if at.event.count > seen.event.event.count {
                seen.event = *at;
                seen.failure = failure;
            }
            continue;
        }
        let killed = killed_names.contains(&container.name.as_str());
        out.push(ProbeTrouble::new(
            kind, index, container, *at, failure, killed,
        ));
    }
    // Killed for it, with no `Unhealthy` event left to say how it failed.
    for at in events.iter().filter(|e| e.event.reason == "Killing") {
        let Some(container) = killed_by(&at.event.message, kind).and_then(|n| pod.container(n))
        else {
            continue;
        };
        if out.iter().any(|t| t.container == container.name) {
            continue;
        }
        out.push(ProbeTrouble::new(
            kind,
            index,
            container,
            *at,
            Failure::KillOnly,
            true,
        ));
    }
    for trouble in &mut out {
        trouble.wrong_port = wrong_port(ws, cx, trouble);
    }
    out
}

/// Troubles that are the root cause: a container that crashes, runs out of memory or cannot
/// start fails its probes too, and those rules report it.
pub fn root_troubles<'a>(ws: &Workspace<'a>, kind: ProbeKind) -> Vec<ProbeTrouble<'a>> {
    let cx = Context::new(ws);
    (0..ws.pods.len())
        .flat_map(|index| pod_troubles(ws, &cx, index, kind))
        .filter(|t| {
            let pod = &ws.pods[t.pod].pod;
            let Some(container) = pod.container(&t.container) else {
                return false;
            };
            match why_stopped(ws, &cx, t.pod, container) {
                None => true,
                Some(Stop::LivenessKill) => kind == ProbeKind::Liveness,
                Some(Stop::StartupKill) => kind == ProbeKind::Startup,
                Some(_) => false,
            }
        })
        .collect()
}

/// `Container api failed liveness probe, will be restarted` -> `api`.
pub fn killed_by(message: &str, kind: ProbeKind) -> Option<&str> {
    let rest = message.strip_prefix("Container ")?;
    let (name, tail) = rest.split_once(' ')?;
    tail.starts_with(&format!("failed {} probe", kind.word()))
        .then_some(name)
}

/// The container a probe event is about: events in a describe do not name it, so match the
/// probed port, then fall back to the only candidate.
fn owner<'p>(
    pod: &'p PodView,
    kind: ProbeKind,
    failure: &Failure,
    killed: &[&str],
) -> Option<&'p ContainerView> {
    let with_probe: Vec<&ContainerView> = pod
        .containers
        .iter()
        .filter(|c| c.probes.iter().any(|(k, _, _)| k == kind.label()))
        .collect();
    if with_probe.len() == 1 {
        return Some(with_probe[0]);
    }
    if let Failure::Refused { port: Some(port) } = failure {
        let by_port = with_probe.iter().find(|c| {
            c.probes.iter().any(|(k, text, _)| {
                k == kind.label()
                    && ProbeLine::parse(text)
                        .and_then(|p| p.port)
                        .is_some_and(|p| p == port.to_string())
            })
        });
        if let Some(c) = by_port {
            return Some(c);
        }
    }
    if let Some(c) = pod
        .containers
        .iter()
        .find(|c| killed.contains(&c.name.as_str()))
    {
        return Some(c);
    }
    let regular: Vec<&ContainerView> = pod.containers.iter().filter(|c| !c.init).collect();
    (regular.len() == 1).then(|| regular[0])
}

/// The ports a container declares, from its describe (`Port: 8080/TCP`, `Ports: 8080/TCP,
/// 9090/TCP`) or its manifest (`containerPort`).
fn declared_ports<'a>(ws: &Workspace<'a>, cx: &Context<'a>, trouble: &ProbeTrouble) -> Vec<String> {
    let pod = &ws.pods[trouble.pod].pod;
    let mut ports: Vec<String> = Vec::new();
    if let Some(describe) = cx.describe(trouble.pod) {
        for key in ["Port", "Ports"] {
            if let Some(field) = describe.child(&["Containers", &trouble.container], key) {
                ports.extend(
                    field
                        .value
                        .split(',')
                        .filter_map(|p| p.trim().split('/').next())
                        .filter(|p| p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty())
                        .map(String::from),
                );
            }
        }
    }
    if ports.is_empty() {
        if let Some((_, container)) = ws.manifest_container(pod, &trouble.container) {
            ports.extend(
                container
                    .get("ports")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|p| p.get("containerPort")?.as_i64())
                    .map(|p| p.to_string()),
            );
        }
    }
    ports
}

fn wrong_port<'a>(
    ws: &Workspace<'a>,
    cx: &Context<'a>,
    trouble: &ProbeTrouble,
) -> Option<(u16, Vec<String>)> {
    let Failure::Refused { port: Some(port) } = trouble.failure else {
        return None;
    };
    let declared = declared_ports(ws, cx, trouble);
    (!declared.is_empty() && !declared.contains(&port.to_string())).then_some((port, declared))
}

/// What a probe fix changes, computed from what the cluster reported so that applying it
/// twice changes nothing.
pub enum Retime {
    /// `timeoutSeconds` of the failing probe.
    Timeout(u32),
    /// `failureThreshold` of the failing probe.
    FailureThreshold(u32),
    /// A startup probe with the liveness probe's check, allowing `failureThreshold` x
    /// `periodSeconds` for the start.
    StartupProbe { period: u32, failure: u32 },
}

/// The timing change for a failure the probe's settings can explain, if any.
pub fn retime(trouble: &ProbeTrouble) -> Option<Retime> {
    if trouble.wrong_target() || trouble.healthy_now || trouble.failure == Failure::KillOnly {
        return None;
    }
    let probe = trouble.probe.as_ref();
    if trouble.failure == Failure::Timeout {
        let timeout = probe.map_or(1, |p| p.timeout.max(1));
        return Some(Retime::Timeout((timeout * 2).max(5)));
    }
    match trouble.kind {
        ProbeKind::Liveness => Some(Retime::StartupProbe {
            period: 10,
            failure: 30,
        }),
        ProbeKind::Startup => {
            let failure = probe.map_or(3, |p| p.failure.max(1));
            Some(Retime::FailureThreshold((failure * 2).max(30)))
        }
        ProbeKind::Readiness => None,
    }
}

/// The manifest edit for `retime`, or `None` when the manifest already has it (or has no such
/// probe to change).
pub fn retime_fix(ws: &Workspace, trouble: &ProbeTrouble, retime: &Retime) -> Option<Fix> {
    let pod = &ws.pods[trouble.pod].pod;
    let (template, container) = ws.manifest_container(pod, &trouble.container)?;
    let object = ws.object_of(&ws.templates[template]);
    let file = object.file;
    let key = trouble.kind.manifest_key();
    let probe = container.get(key)?;
    let current = |field: &str| probe.get(field).and_then(Node::as_i64);
    let (title, edits) = match retime {
        Retime::Timeout(target) => {
            if current("timeoutSeconds").unwrap_or(1) >= i64::from(*target) {
                return None;
            }
            let edit = set_path(
                ws,
                file,
                container,
                &[key, "timeoutSeconds"],
                &Value::Literal(target.to_string()),
            )?;
            (
                format!(
                    "Give the {} probe of container {} in {} {target}s to answer (timeoutSeconds: {target})",
                    trouble.kind.word(),
                    trouble.container,
                    object.display()
                ),
                vec![edit],
            )
        }
        Retime::FailureThreshold(target) => {
            if current("failureThreshold").unwrap_or(3) >= i64::from(*target) {
                return None;
            }
            let period = current("periodSeconds").unwrap_or(10).max(1);
            let edit = set_path(
                ws,
                file,
                container,
                &[key, "failureThreshold"],
                &Value::Literal(target.to_string()),
            )?;
            (
                format!(
                    "Allow container {} in {} up to {}s to start (startupProbe failureThreshold: {target})",
                    trouble.container,
                    object.display(),
                    i64::from(*target) * period
                ),
                vec![edit],
            )
        }
        Retime::StartupProbe { period, failure } => {
            if container.get("startupProbe").is_some() {
                return None;
            }
            let mut lines = handler_lines(ws, file, probe)?;
            lines.push(format!("periodSeconds: {period}"));
            lines.push(format!("failureThreshold: {failure}"));
            let edit = set_path(ws, file, container, &["startupProbe"], &Value::Block(lines))?;
            (
                format!(
                    "Add a startup probe to container {} in {} with the liveness probe's check, allowing {}s to start before liveness checks begin",
                    trouble.container,
                    object.display(),
                    period * failure
                ),
                vec![edit],
            )
        }
    };
    Some(Fix::new(title, Applicability::Unsafe, edits))
}

/// The probe's check (`httpGet:` with its keys, `tcpSocket:`, `exec:`, `grpc:`) as the person
/// wrote it, re-indented to start at column 0.
fn handler_lines(ws: &Workspace, file: FileId, probe: &Node) -> Option<Vec<String>> {
    let entry = probe.entries().iter().find(|e| {
        matches!(
            e.key.as_str(),
            Some("httpGet" | "tcpSocket" | "exec" | "grpc")
        )
    })?;
    let text = ws.text(file);
    let lines = ws.lines(file);
    let start_line = lines.line_of(entry.key.span.start);
    let column = entry.key.span.start - lines.line_start(start_line);
    let end = entry.value.span.end.max(entry.key.span.end);
    let source = text.get(entry.key.span.start..end)?;
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if i == 0 {
            out.push(line.trim_end().to_string());
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent < column {
            return None;
        }
        out.push(line[column..].trim_end().to_string());
    }
    Some(out)
}

/// The finding for a failing probe: what failed and how, what it costs (`why`), and the next
/// step for its kind of failure.
pub fn trouble_finding(ws: &Workspace, trouble: &ProbeTrouble, why: &str) -> Diagnostic {
    let pod = &ws.pods[trouble.pod].pod;
    let times = if trouble.count > 1 && trouble.failure != Failure::KillOnly {
        format!(" {} times", trouble.count)
    } else {
        String::new()
    };
    let when = if trouble.healthy_now {
        " (it is ready now: this is history)"
    } else {
        ""
    };
    let message = format!(
        "{} probe of container {} in {} failed{times}{when}: {} ({})",
        trouble.kind.label(),
        trouble.container,
        pod.label(),
        trouble.diagnosis(),
        trouble.reported()
    );
    let budget = trouble.probe.as_ref().map(|p| {
        format!(
            " Its settings ({}) allow {}s before the first failure counts and {}s of failures.",
            p.timing(),
            p.delay,
            p.period * p.failure
        )
    });
    let step = if let Some((_, declared)) = &trouble.wrong_port {
        format!(
            "Point the probe's port at the one the app listens on ({}), or make the app listen where the probe knocks; more time will not help.",
            declared.join(", ")
        )
    } else {
        match (&trouble.failure, trouble.kind) {
            (Failure::Status(404), _) => "Point the probe's `httpGet.path` at an endpoint the app serves (check its routes); more time will not help.".to_string(),
            (Failure::KillOnly, _) => "Find out how the probe fails (`kubectl get events` right after a restart, or run the probe's check by hand with `kubectl exec`) before changing its timing.".to_string(),
            (Failure::Timeout, _) => "Raise `timeoutSeconds`, and keep the health endpoint cheap: no database or downstream calls in it.".to_string(),
            (Failure::Refused { .. }, ProbeKind::Liveness) => "If the app needs longer to start, add a startupProbe so liveness checks wait for it; if it served before the failures began, it stopped listening: read its logs.".to_string(),
            (Failure::Refused { .. }, ProbeKind::Startup) => "Allow a longer start (`failureThreshold` x `periodSeconds`), and check in the logs that the app does start listening on that port.".to_string(),
            (Failure::Refused { .. }, ProbeKind::Readiness) => "Check that the app listens on that port once started (its logs, `kubectl exec` + `ss -ltn`).".to_string(),
            (_, ProbeKind::Liveness) => "The health check itself reports failure: check what it checks (a liveness check should not depend on databases or other services) and the app's logs.".to_string(),
            (_, ProbeKind::Readiness) => "The app says it is not ready: check the dependencies its readiness endpoint checks and its logs.".to_string(),
            (_, ProbeKind::Startup) => "The app does not report started in time: allow a longer start, and check its logs for what it waits on.".to_string(),
        }
    };
    Diagnostic {
        file: trouble.event.file,
        range: trouble.event.event.line,
        message,
        why: why.to_string(),
        help: Some(format!("{step}{}", budget.unwrap_or_default())),
        object: Some(pod.reference()),
        container: Some(trouble.container.clone()),
        severity: trouble.healthy_now.then_some(Severity::Info),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_probe_lines_read() {
        let p = ProbeLine::parse(
            "http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3",
        )
        .unwrap();
        assert_eq!(p.port.as_deref(), Some("8080"));
        assert_eq!((p.delay, p.timeout, p.period, p.failure), (0, 1, 10, 3));
        let p = ProbeLine::parse(
            "tcp-socket :5432 delay=0s timeout=1s period=3s #success=1 #failure=3",
        )
        .unwrap();
        assert_eq!(p.port.as_deref(), Some("5432"));
        let p = ProbeLine::parse(
            "exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3",
        )
        .unwrap();
        assert_eq!(p.port, None);
        assert_eq!(p.delay, 5);
    }

    #[test]
    fn kubelet_probe_messages_read() {
        assert_eq!(
            Failure::read(
                r#"Liveness probe failed: Get "http://10.0.0.5:8080/healthz": dial tcp 10.0.0.5:8080: connect: connection refused"#
            ),
            Failure::Refused { port: Some(8080) }
        );
        assert_eq!(
            Failure::read("Liveness probe failed: Get http://10.4.1.9:9440/healthz: dial tcp 10.4.1.9:9440: getsockopt: connection refused"),
            Failure::Refused { port: Some(9440) }
        );
        assert_eq!(
            Failure::read("Readiness probe failed: HTTP probe failed with statuscode: 503"),
            Failure::Status(503)
        );
        assert_eq!(
            Failure::read(
                r#"Startup probe failed: Get "http://10.0.0.5:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"#
            ),
            Failure::Timeout
        );
        assert_eq!(
            Failure::read(
                "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
            ),
            Failure::Other
        );
        assert_eq!(
            killed_by(
                "Container manager failed liveness probe, will be restarted",
                ProbeKind::Liveness
            ),
            Some("manager")
        );
        assert_eq!(
            killed_by(
                "Container manager failed startup probe, will be restarted",
                ProbeKind::Liveness
            ),
            None
        );
    }
}
