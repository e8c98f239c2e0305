use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, Fix};
use crate::model::Workspace;
use crate::rule::Rule;

use super::connection_errors::{refusal, Refusal};
use super::localhost_in_env::{loopback_settings, LocalhostInEnv, LoopbackSetting};

declare_rule! {
    /// ## What it does
    /// Reads log lines (`kubectl logs`, tracebacks) for connections refused by `localhost`,
    /// `127.0.0.1` or `[::1]`, and ties them to the env value in the manifests that holds the
    /// loopback address; when a Service in the set exposes that port, the fix points the value
    /// at the Service.
    ///
    /// ## Why is this bad?
    /// Inside a pod, `localhost` is the pod itself. A database or cache that ran beside the app
    /// on a laptop runs in another pod in the cluster: every connection is refused, the app
    /// exits, and the pod crash-loops. Apps that fall back to `localhost` when a variable such
    /// as `DATABASE_URL` is unset fail the same way.
    ///
    /// ## Example
    /// ```text
    /// $ kubectl logs bot-6f7d9c5b8-k2x4p --previous
    /// Traceback (most recent call last):
    ///   File "/app/src/common/db.py", line 41, in connect
    ///     conn = await asyncpg.connect(DATABASE_URL)
    /// ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 5432)
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl logs bot-6f7d9c5b8-k2x4p
    /// [+] Database connection established successfully.
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix rewrites the host in the env value (inline, or in the ConfigMap the
    /// container reads) to the DNS name of the Service that exposes the port. With no such
    /// value in the set (the app used a built-in default), there is no fix: set the variable.
    pub struct LocalhostConnection {
        id: "localhost-connection",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

pub struct RefusedAt<'a> {
    file: FileId,
    refusal: Refusal,
    pod: Option<String>,
    container: Option<String>,
    setting: Option<LoopbackSetting<'a>>,
}

/// Every distinct loopback refusal in the logs of the set (a retry loop prints the same one
/// many times: the first is kept).
pub fn refusals(ws: &Workspace) -> Vec<Refusal> {
    located(ws).into_iter().map(|(_, r, _, _)| r).collect()
}

fn located(ws: &Workspace) -> Vec<(FileId, Refusal, Option<String>, Option<String>)> {
    let logs: Vec<_> = ws.logs().collect();
    let mut out: Vec<(FileId, Refusal, Option<String>, Option<String>)> = Vec::new();
    for (i, (file, line)) in logs.iter().enumerate() {
        let next = logs.get(i + 1).filter(|(f, _)| f == file).map(|(_, l)| *l);
        let Some(found) = refusal(line, next) else {
            continue;
        };
        let duplicate = out
            .iter()
            .any(|(_, r, pod, _)| r.host == found.host && r.port == found.port && *pod == line.pod);
        if !duplicate {
            out.push((*file, found, line.pod.clone(), line.container.clone()));
        }
    }
    out
}

impl Rule for LocalhostConnection {
    type State<'a> = RefusedAt<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<RefusedAt<'a>> {
        let mut settings = loopback_settings(ws);
        located(ws)
            .into_iter()
            .map(|(file, refusal, pod, container)| {
                let matching = settings.iter().position(|s| {
                    s.address.port == refusal.port
                        && container
                            .as_deref()
                            .is_none_or(|c| ws.containers[s.container].name == Some(c))
                });
                RefusedAt {
                    file,
                    refusal,
                    pod,
                    container,
                    setting: matching.map(|i| settings.remove(i)),
                }
            })
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &RefusedAt<'a>) -> Diagnostic {
        let port = state
            .refusal
            .port
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        let whose = match (&state.pod, &state.container) {
            (Some(pod), Some(c)) => format!("Container {c} of pod {pod}"),
            (Some(pod), None) => format!("Pod {pod}"),
            _ => "The application".to_string(),
        };
        let mut message = format!(
            "{whose} could not connect to {}{port}: inside a pod that address is the pod itself, and nothing there listens on it",
            state.refusal.host
        );
        let help = match &state.setting {
            Some(setting) => {
                let container = &ws.containers[setting.container];
                message.push_str(&format!(
                    "; {} in {} sets it",
                    setting.variable,
                    ws.objects[container.object].display()
                ));
                match &setting.service {
                    Some(s) => format!("Service {} exposes this port: connect to {} instead.", s.name, s.dns),
                    None => "Point it at the Service in front of that process (`<service>` in the same namespace, `<service>.<namespace>` elsewhere).".into(),
                }
            }
            None => "The address is not in the manifests here: the app may fall back to localhost when a variable (such as DATABASE_URL) is unset. Set it to the Service's DNS name (`<service>:<port>`).".into(),
        };
        Diagnostic {
            file: state.file,
            range: state.refusal.line,
            message,
            why:
                "Every connection is refused, so the app fails at start-up and the pod crash-loops."
                    .into(),
            help: Some(help),
            object: state
                .setting
                .as_ref()
                .map(|s| ws.objects[ws.containers[s.container].object].reference()),
            container: state.container.clone().or_else(|| {
                state
                    .setting
                    .as_ref()
                    .and_then(|s| ws.containers[s.container].name.map(String::from))
            }),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &RefusedAt<'a>) -> Option<Fix> {
        LocalhostInEnv::fix(ws, state.setting.as_ref()?)
    }
}
