//! Why a container stopped. Each container rule claims one explanation, so a crash loop is
//! reported once, by the rule that names its root cause: `oom-killed` for an OOM kill,
//! `command-not-found` for a missing program, the probe rules for kubelet kills, and
//! `crashloop-app-error` only for what is left.

use crate::diagnostic::FileId;
use crate::model::Workspace;
use crate::runtime::describe::Describe;
use crate::runtime::events::Event;
use crate::runtime::pod::{ContainerStateView, ContainerView, PodView};
use crate::runtime::LogLine;
use crate::text::TextRange;

use super::probes::{killed_by, pod_troubles, ProbeKind};

/// Why a container's last run ended, most specific first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The kernel killed it at its memory limit (`oom-killed`).
    OomKilled,
    /// The image is for another CPU architecture (`image-arch-mismatch`).
    ExecFormat,
    /// Its command does not exist or cannot run (`command-not-found`).
    MissingCommand,
    /// The kubelet killed it for failing its liveness probe.
    LivenessKill,
    /// The kubelet killed it for failing its startup probe.
    StartupKill,
    /// It could not be created from its configuration (a missing ConfigMap key, a
    /// `runAsNonRoot` image running as root).
    ConfigError,
    /// The kubelet evicted the pod.
    Evicted,
    /// The process exited with this non-zero code by itself; `None` when only its status says
    /// so (`CrashLoopBackOff` or `Error` in a `kubectl get pods` row).
    AppError(Option<i32>),
}

/// Waiting reasons that mean the container was never (re)started from its spec.
const NOT_CREATED: [&str; 4] = [
    "CreateContainerConfigError",
    "CreateContainerError",
    "ErrImagePull",
    "ImagePullBackOff",
];

/// An event about a pod, with the input it was read from.
#[derive(Clone, Copy, Debug)]
pub struct PodEvent<'a> {
    pub file: FileId,
    pub event: &'a Event,
}

/// Consecutive log lines under one `kubectl logs` command (or none).
struct LogRun<'a> {
    pod: Option<&'a str>,
    container: Option<&'a str>,
    lines: Vec<(FileId, &'a LogLine)>,
}

/// What the container rules look up for every pod, gathered in one pass over the set so
/// that a paste of many pods stays fast.
pub struct Context<'a> {
    /// Events of each pod of `ws.pods`: its describe's Events and `kubectl get events` rows
    /// naming it.
    events: Vec<Vec<PodEvent<'a>>>,
    /// The describe each pod was read from, for fields the pod view does not carry.
    describes: Vec<Option<&'a Describe>>,
    runs: Vec<LogRun<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(ws: &Workspace<'a>) -> Self {
        let mut events: Vec<Vec<PodEvent<'a>>> = vec![Vec::new(); ws.pods.len()];
        for at in ws.events() {
            if let Some(index) = at.pod {
                events[index].push(PodEvent {
                    file: at.file,
                    event: at.event,
                });
            }
        }
        let parsed: &'a crate::model::Parsed<'a> = ws.parsed;
        let describes = ws
            .pods
            .iter()
            .map(|observed| {
                parsed.runtime[observed.file]
                    .observed
                    .iter()
                    .map(|o| &o.describe)
                    .find(|d| d.top("Name").is_some_and(|f| f.line == observed.pod.anchor))
            })
            .collect();
        let mut runs: Vec<LogRun<'a>> = Vec::new();
        for (file, line) in ws.logs() {
            let key = (line.pod.as_deref(), line.container.as_deref());
            match runs.last_mut() {
                Some(run)
                    if (run.pod, run.container) == key
                        && run.lines.last().is_some_and(|(f, _)| *f == file) =>
                {
                    run.lines.push((file, line));
                }
                _ => runs.push(LogRun {
                    pod: key.0,
                    container: key.1,
                    lines: vec![(file, line)],
                }),
            }
        }
        Context {
            events,
            describes,
            runs,
        }
    }

    pub fn events(&self, index: usize) -> &[PodEvent<'a>] {
        &self.events[index]
    }

    pub fn describe(&self, index: usize) -> Option<&'a Describe> {
        self.describes[index]
    }

    /// Log lines of container `container` of pod `index`: those under a `kubectl logs`
    /// command naming them, and unnamed ones when there is no doubt whose they are.
    pub fn logs(
        &self,
        ws: &Workspace<'a>,
        index: usize,
        container: &ContainerView,
    ) -> Vec<(FileId, &'a LogLine)> {
        let pod = &ws.pods[index].pod;
        let pod_matches = |wanted: Option<&str>| match (wanted, pod.name) {
            (Some(wanted), Some(name)) => {
                name == wanted
                    || name
                        .strip_prefix(wanted)
                        .is_some_and(|rest| rest.starts_with('-'))
            }
            (Some(_), None) => false,
            (None, _) => ws.pods.len() == 1,
        };
        let container_matches = |wanted: Option<&str>| match wanted {
            Some(name) => name == container.name || container.name.is_empty(),
            None => {
                let regular: Vec<&ContainerView> =
                    pod.containers.iter().filter(|c| !c.init).collect();
                let crashed: Vec<&ContainerView> = pod
                    .containers
                    .iter()
                    .filter(|c| ended(c).is_some_and(|s| s.exit_code != Some(0)))
                    .collect();
                (regular.len() == 1 && regular[0].name == container.name)
                    || (crashed.len() == 1 && crashed[0].name == container.name)
            }
        };
        self.runs
            .iter()
            .filter(|run| pod_matches(run.pod) && container_matches(run.container))
            .flat_map(|run| run.lines.iter().copied())
            .collect()
    }
}

/// Running and ready now: whatever failed before is history.
pub fn running_and_ready(container: &ContainerView) -> bool {
    container.ready == Some(true)
        && container
            .state
            .as_ref()
            .is_some_and(|s| s.state == "Running")
}

/// The state that tells how the last run ended: the current one when it is terminated, else
/// the last one.
pub fn ended(container: &ContainerView) -> Option<&ContainerStateView> {
    [&container.state, &container.last_state]
        .into_iter()
        .flatten()
        .find(|s| s.state == "Terminated")
}

fn is_evicted(pod: &PodView) -> bool {
    pod.reason.as_ref().is_some_and(|(r, _)| r == "Evicted")
        || pod.message.is_some_and(super::evicted::is_eviction_message)
}

/// Why container `container` of pod `index` stopped, if it did.
pub fn why_stopped<'a>(
    ws: &Workspace<'a>,
    cx: &Context<'a>,
    index: usize,
    container: &ContainerView,
) -> Option<Stop> {
    let pod = &ws.pods[index].pod;
    let states: Vec<&ContainerStateView> = [&container.state, &container.last_state]
        .into_iter()
        .flatten()
        .collect();
    if states
        .iter()
        .any(|s| s.reason.as_deref() == Some("OOMKilled"))
    {
        return Some(Stop::OomKilled);
    }
    if is_evicted(pod) {
        return Some(Stop::Evicted);
    }
    if exec_format_error(ws, cx, index, container) {
        return Some(Stop::ExecFormat);
    }
    if missing_command(ws, cx, index, container).is_some() {
        return Some(Stop::MissingCommand);
    }
    if let Some(waiting) = &container.state {
        if waiting
            .reason
            .as_deref()
            .is_some_and(|r| NOT_CREATED.contains(&r))
        {
            return Some(Stop::ConfigError);
        }
    }
    let events = cx.events(index);
    let ended = ended(container);
    let code = ended.and_then(|s| s.exit_code);
    // A probe kill ends in SIGTERM (143), SIGKILL after the grace period (137), or a clean exit.
    let probe_killed = |kind: ProbeKind| {
        events.iter().any(|e| {
            e.event.reason == "Killing"
                && killed_by(&e.event.message, kind) == Some(&container.name)
        }) || (matches!(code, Some(0 | 137 | 143))
            && pod_troubles(ws, cx, index, kind)
                .iter()
                .any(|t| t.container == container.name))
    };
    if probe_killed(ProbeKind::Liveness) {
        return Some(Stop::LivenessKill);
    }
    if probe_killed(ProbeKind::Startup) {
        return Some(Stop::StartupKill);
    }
    let crashing = container
        .state
        .as_ref()
        .is_some_and(|s| s.reason.as_deref() == Some("CrashLoopBackOff"))
        || states
            .iter()
            .any(|s| s.state == "Terminated" && s.reason.as_deref() == Some("Error"));
    match code {
        Some(code) if code != 0 => Some(Stop::AppError(Some(code))),
        None if crashing => Some(Stop::AppError(None)),
        _ => None,
    }
}

/// The bytes of a state's `Message:` in the describe, else of its `Reason:`.
fn message_range(ws: &Workspace, index: usize, state: &ContainerStateView) -> TextRange {
    let file = ws.pods[index].file;
    let Some(first) = state.message.as_deref().and_then(|m| m.lines().next()) else {
        return state.range;
    };
    let text = ws.text(file);
    text[state.range.end.min(text.len())..]
        .find(first)
        .map_or(state.range, |at| {
            let start = state.range.end + at;
            TextRange::new(start, start + first.len())
        })
}

/// A program the container could not run, with the bytes that show it.
#[derive(Clone, Debug, PartialEq)]
pub struct MissingCommand {
    pub file: FileId,
    pub range: TextRange,
    /// The program, when the evidence names it.
    pub program: Option<String>,
    /// It exists but is not executable (exit code 126, `permission denied`).
    pub not_executable: bool,
    /// The evidence as it was printed, for the message.
    pub quote: String,
}

/// `exec: "gunicorn": executable file not found in $PATH` -> `gunicorn`; also the escaped
/// form docker prints (`exec: \"gunicorn\"`) and `exec /start.sh: no such file or directory`.
pub fn program_in(text: &str) -> Option<String> {
    for marker in ["exec: \\\"", "exec: \""] {
        if let Some(at) = text.find(marker) {
            let rest = &text[at + marker.len()..];
            let end = rest.find(['"', '\\'])?;
            return Some(rest[..end].to_string());
        }
    }
    // runc since 1.1 prints `exec /start.sh: no such file or directory` to the container's
    // output.
    if let Some(rest) = text.trim_start().strip_prefix("exec ") {
        let (program, reason) = rest.split_once(": ")?;
        if reason.contains("no such file or directory") || reason.contains("permission denied") {
            return Some(program.to_string());
        }
    }
    // Shells: `/bin/sh: 1: gunicorn: not found` (dash), `sh: gunicorn: not found` (busybox),
    // `bash: gunicorn: command not found`, `/bin/sh: 1: ./run.sh: Permission denied`.
    let lower = text.to_ascii_lowercase();
    if lower.ends_with(": not found")
        || lower.ends_with(": command not found")
        || lower.ends_with(": permission denied")
    {
        let head = &text[..text.rfind(": ")?];
        let program = head.rsplit(": ").next()?.trim();
        let shell = head.split(": ").next().unwrap_or("");
        if head.contains(": ") && (shell.ends_with("sh") || shell.ends_with("bash")) {
            return Some(program.to_string());
        }
    }
    None
}

/// True for text that says a program could not be executed.
fn says_missing(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let exec = lower.contains("exec:")
        || lower.contains("exec user process")
        || lower.starts_with("exec ");
    (exec
        && (lower.contains("executable file not found")
            || lower.contains("no such file or directory")
            || lower.contains("permission denied")))
        || (program_in(text).is_some() && !lower.contains("exec format error"))
}

/// Evidence that container `container` of pod `index` could not run its command.
pub fn missing_command<'a>(
    ws: &Workspace<'a>,
    cx: &Context<'a>,
    index: usize,
    container: &ContainerView,
) -> Option<MissingCommand> {
    let observed = &ws.pods[index];
    let states: Vec<&ContainerStateView> = [&container.state, &container.last_state]
        .into_iter()
        .flatten()
        .collect();
    let not_executable = |text: &str, code: Option<i32>| {
        code == Some(126) || text.to_ascii_lowercase().contains("permission denied")
    };
    // The runtime's own words, in the container state (`StartError`, `ContainerCannotRun`).
    for state in &states {
        if let Some(message) = state.message.as_deref().filter(|m| says_missing(m)) {
            return Some(MissingCommand {
                file: observed.file,
                range: message_range(ws, index, state),
                program: program_in(message),
                not_executable: not_executable(message, state.exit_code),
                quote: message.lines().next().unwrap_or(message).to_string(),
            });
        }
    }
    // A `Failed` event: `Error: failed to start container "api": ... exec: "x": executable
    // file not found in $PATH: unknown`.
    let regular = observed.pod.containers.iter().filter(|c| !c.init).count();
    for at in cx.events(index) {
        let message = &at.event.message;
        if at.event.reason != "Failed" || !says_missing(message) {
            continue;
        }
        let named = message
            .split_once("container \"")
            .and_then(|(_, rest)| rest.split('"').next());
        let ours = match named {
            Some(name) => name == container.name || container.name.is_empty(),
            None => {
                regular == 1
                    || states.iter().any(|s| {
                        matches!(
                            s.reason.as_deref(),
                            Some("StartError" | "ContainerCannotRun" | "RunContainerError")
                        )
                    })
            }
        };
        if ours {
            return Some(MissingCommand {
                file: at.file,
                range: at.event.line,
                program: program_in(message),
                not_executable: not_executable(message, None),
                quote: message.clone(),
            });
        }
    }
    // The process's own output: a shell that did not find the program, or runc's `exec`.
    let code = ended(container).and_then(|s| s.exit_code);
    for (file, line) in cx.logs(ws, index, container) {
        if says_missing(&line.text) && !line.text.contains("exec format error") {
            return Some(MissingCommand {
                file,
                range: line.line,
                program: program_in(&line.text),
                not_executable: not_executable(&line.text, code),
                quote: line.text.trim().to_string(),
            });
        }
    }
    // Only the exit code: the shell's conventions for "not found" and "not executable".
    let state = states
        .iter()
        .find(|s| s.state == "Terminated" && matches!(s.exit_code, Some(126 | 127)))?;
    Some(MissingCommand {
        file: observed.file,
        range: state.range,
        program: None,
        not_executable: state.exit_code == Some(126),
        quote: format!(
            "{} with exit code {}",
            state.reason.as_deref().unwrap_or("Terminated"),
            state.exit_code.unwrap_or_default()
        ),
    })
}

/// True when the runtime or the process says the binary is for another CPU architecture.
pub fn exec_format_error<'a>(
    ws: &Workspace<'a>,
    cx: &Context<'a>,
    index: usize,
    container: &ContainerView,
) -> bool {
    let says = |text: &str| text.contains("exec format error");
    [&container.state, &container.last_state]
        .into_iter()
        .flatten()
        .any(|s| s.message.as_deref().is_some_and(says))
        || cx
            .logs(ws, index, container)
            .iter()
            .any(|(_, l)| says(&l.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_named_by_runtimes_and_shells() {
        let cases = [
            ("failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"gunicorn\": executable file not found in $PATH: unknown", "gunicorn"),
            ("OCI runtime create failed: container_linux.go:349: starting container process caused \"exec: \\\"/app/server\\\": stat /app/server: no such file or directory\": unknown", "/app/server"),
            ("exec /start.sh: no such file or directory", "/start.sh"),
            ("/bin/sh: 1: gunicorn: not found", "gunicorn"),
            ("sh: celery: not found", "celery"),
            ("/bin/bash: line 1: ./run.sh: Permission denied", "./run.sh"),
        ];
        for (text, program) in cases {
            assert_eq!(program_in(text).as_deref(), Some(program), "{text}");
            assert!(says_missing(text), "{text}");
        }
        assert!(!says_missing("ValueError: DATABASE_URL is not set"));
        assert!(!says_missing("exec /usr/local/bin/app: exec format error"));
        assert!(!says_missing(
            "FileNotFoundError: [Errno 2] No such file or directory: '/config/app.yaml'"
        ));
    }
}
