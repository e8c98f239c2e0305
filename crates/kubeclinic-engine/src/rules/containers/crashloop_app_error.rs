use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, ObjectRef, Severity};
use crate::model::Workspace;
use crate::runtime::pod::ContainerView;
use crate::runtime::regions::RegionKind;
use crate::runtime::LogLine;
use crate::text::TextRange;

use crate::rule::Rule;

use super::termination::{ended, running_and_ready, why_stopped, Context, Stop};

declare_rule! {
    /// ## What it does
    /// Finds containers that keep exiting with a non-zero code (`CrashLoopBackOff`, `Last
    /// State: Terminated`, `Reason: Error`) when no more specific rule explains why (an OOM
    /// kill, a missing command, a probe kill, a wrong CPU architecture). It reads the
    /// container's logs in the paste (`kubectl logs --previous`: Python tracebacks, Go
    /// panics, Java and Node exceptions, fatal log lines), quotes the last exception as the
    /// likely cause, and explains the exit code. Without logs it quotes the last state's
    /// `Message` (the runtime's error when the process could not start, or the app's
    /// termination message).
    ///
    /// ## Why is this bad?
    /// The application gives up on its own, and Kubernetes restarts it with growing back-off
    /// (up to five minutes): the pod serves nothing most of the time, and a rollout that
    /// waits for it never completes. Restarting does not help until the cause the logs name
    /// is fixed.
    ///
    /// ## Example
    /// ```text
    /// Name:         worker-7c9d8f6b5-q8w2e
    /// Namespace:    shop
    /// Node:         node-2/10.0.0.6
    /// Controlled By:  ReplicaSet/worker-7c9d8f6b5
    /// Containers:
    ///   worker:
    ///     Image:          shop/worker:1.8.0
    ///     State:          Waiting
    ///       Reason:       CrashLoopBackOff
    ///     Last State:     Terminated
    ///       Reason:       Error
    ///       Exit Code:    1
    ///     Ready:          False
    ///     Restart Count:  4
    /// QoS Class:        BestEffort
    /// $ kubectl logs worker-7c9d8f6b5-q8w2e --previous
    /// Traceback (most recent call last):
    ///   File "/app/worker.py", line 12, in <module>
    ///     QUEUE_URL = os.environ["QUEUE_URL"]
    /// KeyError: 'QUEUE_URL'
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         worker-7c9d8f6b5-q8w2e
    /// Namespace:    shop
    /// Node:         node-2/10.0.0.6
    /// Controlled By:  ReplicaSet/worker-7c9d8f6b5
    /// Containers:
    ///   worker:
    ///     Image:          shop/worker:1.8.0
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the cause is in the application or its configuration, and the log
    /// line says which. The finding points at that line.
    pub struct CrashloopAppError {
        id: "crashloop-app-error",
        category: Containers,
        severity: Error,
        fix: None,
        reads: Runtime,
        // Rules that read log lines for a specific cause: a crash whose output they explain
        // is theirs.
        explained_by: ["localhost-connection", "dns-resolution-failure"],
    }
}

pub struct Crash {
    /// Index into `ws.pods`, or the pod named by a `kubectl logs --previous` command.
    pod: Option<usize>,
    pod_name: Option<String>,
    container: Option<String>,
    code: Option<i32>,
    restarts: u32,
    /// Where the exit was reported (the describe's Reason), if described.
    state_at: Option<(FileId, TextRange)>,
    /// The line that says why: from the logs, or the state's `Message` (a runtime error, or
    /// the app's termination message).
    cause: Option<Cause>,
    /// Restarted again and again (`CrashLoopBackOff`), as opposed to a pod that failed
    /// once (a Job's) or a run seen only in `--previous` logs.
    looping: bool,
    /// The pod is `Failed` with this container terminated: it will not be restarted.
    failed: bool,
    healthy_now: bool,
    /// The log lines read for this crash.
    logs: Vec<(FileId, TextRange)>,
}

/// The line that most likely says why a container exited.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    pub file: FileId,
    pub range: TextRange,
    /// What to quote: the line, or for Spring Boot the description under `APPLICATION
    /// FAILED TO START`.
    pub quote: String,
    /// Who said it: "its last output says", "the runtime said".
    pub said_by: &'static str,
}

impl Rule for CrashloopAppError {
    type State<'a> = Crash;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Crash> {
        let ranges = |lines: &[(FileId, &LogLine)]| -> Vec<(FileId, TextRange)> {
            lines
                .iter()
                .map(|(file, line)| (*file, line.line))
                .collect()
        };
        let cx = Context::new(ws);
        let mut out = Vec::new();
        for (index, observed) in ws.pods.iter().enumerate() {
            for container in &observed.pod.containers {
                let Some(Stop::AppError(code)) = why_stopped(ws, &cx, index, container) else {
                    continue;
                };
                let logs = cx.logs(ws, index, container);
                let waiting = container.state.as_ref().and_then(|s| s.reason.as_deref())
                    == Some("CrashLoopBackOff");
                out.push(Crash {
                    pod: Some(index),
                    pod_name: observed.pod.name.map(String::from),
                    // A pod row does not name its container.
                    container: Some(container.name.clone()).filter(|n| !n.is_empty()),
                    code,
                    restarts: container.restarts,
                    // A pod row shows only `CrashLoopBackOff`: its STATUS cell proves it.
                    state_at: ended(container)
                        .or(container.state.as_ref())
                        .map(|s| (observed.file, s.range)),
                    cause: fatal_line(&logs).or_else(|| said_on_exit(ws, index, container)),
                    looping: waiting || (container.restarts > 0 && container.ready != Some(true)),
                    failed: container
                        .state
                        .as_ref()
                        .is_some_and(|s| s.state == "Terminated"),
                    healthy_now: running_and_ready(container),
                    logs: ranges(&logs),
                });
            }
        }
        // `kubectl logs --previous` of a pod the paste does not describe: the output of a run
        // that ended.
        for PreviousRun {
            pod: pod_name,
            container,
            lines,
        } in previous_runs(ws)
        {
            let described = ws.pods.iter().any(|p| {
                p.pod.name.is_some_and(|n| {
                    pod_name
                        .as_deref()
                        .is_none_or(|w| n == w || n.starts_with(&format!("{w}-")))
                })
            });
            if described {
                continue;
            }
            let Some(cause) = fatal_line(&lines) else {
                continue;
            };
            out.push(Crash {
                pod: None,
                pod_name,
                container,
                code: None,
                restarts: 0,
                state_at: None,
                cause: Some(cause),
                looping: false,
                failed: false,
                healthy_now: false,
                logs: ranges(&lines),
            });
        }
        out
    }

    fn evidence<'a>(_ws: &Workspace<'a>, state: &Crash) -> Vec<(FileId, TextRange)> {
        state.logs.clone()
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Crash) -> Diagnostic {
        let who = match (&state.container, &state.pod_name) {
            (Some(c), Some(p)) => format!("Container {c} of pod {p}"),
            (None, Some(p)) => format!("Pod {p}"),
            (Some(c), None) => format!("Container {c}"),
            (None, None) => "The container".to_string(),
        };
        let exit = match state.code {
            Some(code) => format!("exit code {code}, {}", exit_meaning(code)),
            None => "its previous run ended".to_string(),
        };
        let restarts = if state.restarts > 0 {
            format!(", {} restarts", state.restarts)
        } else {
            String::new()
        };
        let verb = if state.looping {
            "keeps crashing"
        } else if state.failed {
            "failed"
        } else if state.pod.is_some() {
            "crashed"
        } else {
            "exited with an error"
        };
        // A failed Job pod that never restarted has only its current logs.
        let previous = if state.failed && state.restarts == 0 {
            ""
        } else {
            " --previous"
        };
        let logs_command = format!(
            "`kubectl logs {}{}{previous}`",
            state.pod_name.as_deref().unwrap_or("<pod>"),
            state
                .container
                .as_ref()
                .map(|c| format!(" -c {c}"))
                .unwrap_or_default()
        );
        let (message, help) = match &state.cause {
            Some(cause) => (
                format!(
                    "{who} {verb} ({exit}{restarts}); {}: {}",
                    cause.said_by, cause.quote
                ),
                format!(
                    "Fix what that line reports (a missing setting, an unreachable dependency, a bad config file), then {}; the lines before it in {logs_command} give the context.",
                    if state.failed { "run it again" } else { "roll out again" }
                ),
            ),
            None => (
                format!("{who} {verb} ({exit}{restarts}); the paste holds none of its output"),
                format!(
                    "Read why it exited: {logs_command} prints the output of the crashed run. {}",
                    code_hint(state.code)
                )
                .trim_end()
                .to_string(),
            ),
        };
        let (file, range) = match (&state.cause, state.state_at) {
            (Some(cause), _) => (cause.file, cause.range),
            (None, Some(at)) => at,
            (None, None) => (0, TextRange::empty(0)),
        };
        Diagnostic {
            file,
            range,
            message,
            why: if state.looping {
                "Kubernetes restarts it with growing back-off (up to 5 minutes): the pod serves nothing while it is down, and a rollout waiting for it never completes."
            } else if state.failed {
                "The pod will not run again: a Job retries with new pods up to its backoffLimit and then fails, and every retry meets the same error."
            } else {
                "Each crash loses the work in flight, and the next one is likely: the cause is still there."
            }
            .into(),
            help: Some(help),
            object: state
                .pod
                .map(|i| ws.pods[i].pod.reference())
                .or_else(|| {
                    state.pod_name.as_ref().map(|name| ObjectRef {
                        kind: "Pod".into(),
                        namespace: None,
                        name: Some(name.clone()),
                        source: None,
                    })
                }),
            container: state.container.clone(),
            severity: if state.healthy_now {
                Some(Severity::Info)
            } else if !state.looping && !state.failed {
                Some(Severity::Warning)
            } else {
                None
            },
        }
    }
}

/// What an exit code usually means, in a few words.
pub fn exit_meaning(code: i32) -> String {
    match code {
        1 => "an application error".into(),
        2 => "a bad command-line argument, or a Go panic".into(),
        126 => "command not executable".into(),
        127 => "command not found".into(),
        128 => "the runtime could not start the process".into(),
        134 => "SIGABRT, the process aborted".into(),
        137 => "SIGKILL, killed from outside".into(),
        139 => "SIGSEGV, a segmentation fault".into(),
        143 => "SIGTERM, asked to stop".into(),
        255 => "exit status -1".into(),
        c if c > 128 && c < 160 => format!("killed by signal {}", c - 128),
        _ => "an error code the application defines".into(),
    }
}

fn code_hint(code: Option<i32>) -> &'static str {
    match code {
        Some(137) => "SIGKILL without an OOMKilled reason or a liveness kill in the events: check the node's kernel log for an OOM kill of a child process, and the container's memory use.",
        Some(139) => "A segfault is a native crash: check native libraries built for another libc (alpine vs glibc) or a bad build.",
        Some(143) => "Something stopped it: check the events for probe failures and whether it handles SIGTERM during start-up.",
        Some(2) => "Compare the container's `command`/`args` with the program's usage.",
        _ => "",
    }
}

/// The output of a run that ended, as `kubectl logs --previous` printed it.
struct PreviousRun<'a> {
    pod: Option<String>,
    container: Option<String>,
    lines: Vec<(FileId, &'a LogLine)>,
}

/// Log regions under a `kubectl logs ... --previous` (or `-p`) command: the output of a run
/// that ended, with the pod and container the command names.
fn previous_runs<'a>(ws: &Workspace<'a>) -> Vec<PreviousRun<'a>> {
    let mut out = Vec::new();
    for (file, runtime) in ws.parsed.runtime.iter().enumerate() {
        let mut previous = false;
        for region in &runtime.regions {
            match region.kind {
                RegionKind::Command => {
                    let command = ws.source(file, region.range);
                    let words: Vec<&str> = command
                        .lines()
                        .find(|l| l.contains("logs"))
                        .unwrap_or("")
                        .split_whitespace()
                        .collect();
                    previous = words.contains(&"logs")
                        && words
                            .iter()
                            .any(|w| *w == "-p" || *w == "--previous" || *w == "--previous=true");
                }
                RegionKind::Logs if previous => {
                    let lines: Vec<(FileId, &'a LogLine)> = runtime
                        .logs
                        .iter()
                        .filter(|l| region.range.contains_range(l.line))
                        .map(|l| (file, l))
                        .collect();
                    let Some((_, first)) = lines.first() else {
                        continue;
                    };
                    let (pod, container) = (first.pod.clone(), first.container.clone());
                    out.push(PreviousRun {
                        pod,
                        container,
                        lines,
                    });
                    previous = false;
                }
                _ => previous = false,
            }
        }
    }
    out
}

/// How strongly a log line says the process is dying: 2 for an exception, panic or fatal
/// line, 1 for an error-level line, 0 otherwise.
fn weight(text: &str) -> u8 {
    if text.starts_with([' ', '\t']) || text.trim().is_empty() {
        return 0;
    }
    let t = text.trim_end();
    const NOISE: [&str; 12] = [
        "Traceback",
        "During handling",
        "The above exception",
        "at ",
        "File \"",
        "goroutine ",
        "Require stack:",
        "- /",
        "Node.js v",
        "throw ",
        "^",
        "...",
    ];
    if NOISE.iter().any(|n| t.starts_with(n)) {
        return 0;
    }
    const FATAL_STARTS: [&str; 9] = [
        "panic: ",
        "fatal error: ",
        "Exception in thread",
        "Caused by: ",
        "Error: ",
        "Uncaught ",
        "FATAL",
        "CRITICAL",
        "APPLICATION FAILED TO START",
    ];
    const FATAL_WITHIN: [&str; 11] = [
        "panicked at",
        "level=fatal",
        "\"level\":\"fatal\"",
        "\"level\":\"FATAL\"",
        " FATAL ",
        "[FATAL]",
        "FATAL:",
        " CRITICAL ",
        "[emerg]",
        "[crit]",
        "UnhandledPromiseRejection",
    ];
    if FATAL_STARTS.iter().any(|p| t.starts_with(p))
        || FATAL_WITHIN.iter().any(|p| t.contains(p))
        || is_exception_line(t)
        || is_klog(t, b'F')
    {
        return 2;
    }
    const ERROR_WITHIN: [&str; 8] = [
        "level=error",
        "\"level\":\"error\"",
        " ERROR ",
        "[ERROR]",
        "ERROR:",
        "[error]",
        "error: ",
        "Error:",
    ];
    if ERROR_WITHIN.iter().any(|p| t.contains(p)) || is_klog(t, b'E') {
        return 1;
    }
    0
}

/// `KeyError: 'X'`, `psycopg2.OperationalError: ...`, `java.lang.IllegalStateException: ...`,
/// `TypeError [ERR_INVALID_ARG_TYPE]: ...`: an exception's name at the start of the line.
fn is_exception_line(t: &str) -> bool {
    let end = t.find([':', ' ', '[']).unwrap_or(t.len());
    let name = &t[..end];
    let rest = &t[end..];
    let shaped = !name.is_empty()
        && name.chars().next().is_some_and(char::is_alphabetic)
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '$');
    let last = name.rsplit('.').next().unwrap_or(name);
    let named = [
        "Error",
        "Exception",
        "Exit",
        "Interrupt",
        "Failure",
        "Fault",
    ]
    .iter()
    .any(|s| last.ends_with(s))
        || name.contains("exceptions.")
        || name.contains(".exc.");
    shaped && named && (rest.starts_with(':') || rest.starts_with(" [") || rest.is_empty())
}

/// klog's `F0412 10:00:00.000000 1 main.go:42] ...` (fatal) or `E0412 ...` (error).
fn is_klog(t: &str, level: u8) -> bool {
    let b = t.as_bytes();
    b.len() > 6 && b[0] == level && b[1..5].iter().all(u8::is_ascii_digit) && b[5] == b' '
}

/// Which of `texts` most likely says why the process exited: the last one of the highest
/// weight.
fn fatal_index(texts: &[&str]) -> Option<usize> {
    let mut best: Option<(u8, usize)> = None;
    for (i, text) in texts.iter().enumerate() {
        let w = weight(text);
        if w > 0 && best.is_none_or(|(bw, _)| w >= bw) {
            best = Some((w, i));
        }
    }
    best.map(|(_, i)| i)
}

/// `texts[i]` as it should be quoted.
fn quote_at(texts: &[&str], i: usize) -> String {
    let mut quote = texts[i].trim().to_string();
    if quote.contains("APPLICATION FAILED TO START") {
        // Spring Boot prints the reason under `Description:`.
        let description = texts[i..]
            .iter()
            .map(|t| t.trim())
            .skip_while(|t| *t != "Description:")
            .skip(1)
            .find(|t| !t.is_empty());
        if let Some(d) = description {
            quote = format!("APPLICATION FAILED TO START: {d}");
        }
    }
    if quote.chars().count() > 240 {
        quote = quote.chars().take(240).collect::<String>() + "...";
    }
    quote
}

/// The log line that most likely says why the process exited.
pub fn fatal_line(lines: &[(FileId, &LogLine)]) -> Option<Cause> {
    let texts: Vec<&str> = lines.iter().map(|(_, l)| l.text.as_str()).collect();
    let i = fatal_index(&texts)?;
    let (file, line) = lines[i];
    Some(Cause {
        file,
        range: line.line,
        quote: quote_at(&texts, i),
        said_by: "its last output says",
    })
}

/// What the last run's `Message` says: the runtime's error when the process could not start
/// (`StartError`, exit code 128), or the app's termination message (with
/// `terminationMessagePolicy: FallbackToLogsOnError`, the end of its logs).
fn said_on_exit(ws: &Workspace, index: usize, container: &ContainerView) -> Option<Cause> {
    let state = ended(container)?;
    let message = state.message.as_deref()?;
    let texts: Vec<&str> = message.lines().filter(|l| !l.trim().is_empty()).collect();
    let i = fatal_index(&texts).unwrap_or(0);
    let line = texts.get(i)?.trim();
    let observed = &ws.pods[index];
    let text = ws.text(observed.file);
    let from = observed.pod.anchor.start.min(text.len());
    let range = text[from..].find(line).map_or(state.range, |at| {
        TextRange::new(from + at, from + at + line.len())
    });
    Some(Cause {
        file: observed.file,
        range,
        quote: quote_at(&texts, i),
        said_by: if state.exit_code == Some(128)
            || matches!(
                state.reason.as_deref(),
                Some("StartError" | "ContainerCannotRun")
            ) {
            "the runtime could not start it and said"
        } else {
            "its termination message says"
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<LogLine> {
        let mut offset = 0;
        text.lines()
            .map(|l| {
                let line = LogLine {
                    line: TextRange::new(offset, offset + l.len()),
                    text: l.to_string(),
                    pod: None,
                    container: None,
                };
                offset += l.len() + 1;
                line
            })
            .collect()
    }

    fn cause(text: &str) -> Option<String> {
        let owned = lines(text);
        let refs: Vec<(FileId, &LogLine)> = owned.iter().map(|l| (0, l)).collect();
        fatal_line(&refs).map(|f| f.quote)
    }

    #[test]
    fn the_last_exception_of_each_runtime_is_quoted() {
        let python = "2025-10-14 09:20:01,002 INFO starting worker\nTraceback (most recent call last):\n  File \"/app/worker.py\", line 12, in <module>\n    QUEUE_URL = os.environ[\"QUEUE_URL\"]\n  File \"<frozen os>\", line 679, in __getitem__\nKeyError: 'QUEUE_URL'";
        assert_eq!(cause(python).as_deref(), Some("KeyError: 'QUEUE_URL'"));
        let go = "2025/10/14 09:20:01 loading config from /etc/app/config.yaml\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b1c2e]\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:42 +0x2e";
        assert_eq!(
            cause(go).as_deref(),
            Some("panic: runtime error: invalid memory address or nil pointer dereference")
        );
        let java = "Exception in thread \"main\" java.lang.IllegalStateException: Failed to load ApplicationContext\n\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:315)\nCaused by: java.net.ConnectException: Connection refused (Connection refused)\n\tat java.base/sun.nio.ch.Net.connect0(Native Method)\n\t... 12 more";
        assert_eq!(
            cause(java).as_deref(),
            Some("Caused by: java.net.ConnectException: Connection refused (Connection refused)")
        );
        let node = "node:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\nError: Cannot find module 'express'\nRequire stack:\n- /app/server.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15) {\n  code: 'MODULE_NOT_FOUND',\n}\n\nNode.js v18.19.0";
        assert_eq!(
            cause(node).as_deref(),
            Some("Error: Cannot find module 'express'")
        );
        let spring = "***************************\nAPPLICATION FAILED TO START\n***************************\n\nDescription:\n\nFailed to configure a DataSource: 'url' attribute is not specified and no embedded datasource could be configured.\n";
        assert_eq!(
            cause(spring).as_deref(),
            Some("APPLICATION FAILED TO START: Failed to configure a DataSource: 'url' attribute is not specified and no embedded datasource could be configured.")
        );
        let structured = "{\"level\":\"info\",\"msg\":\"starting\"}\n{\"level\":\"fatal\",\"msg\":\"cannot open /data/db: permission denied\"}";
        assert_eq!(
            cause(structured).as_deref(),
            Some("{\"level\":\"fatal\",\"msg\":\"cannot open /data/db: permission denied\"}")
        );
        assert_eq!(cause("2025-10-14 09:20:01 INFO ready\n"), None);
    }
}
