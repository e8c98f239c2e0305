use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Severity};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{render_scalar, Node, ScalarStyle};

use super::termination::{
    missing_command, running_and_ready, why_stopped, Context, MissingCommand, Stop,
};

declare_rule! {
    /// ## What it does
    /// Finds containers whose command could not be run: `exec: "x": executable file not
    /// found in $PATH` (`StartError`, `RunContainerError`, `ContainerCannotRun`), `no such
    /// file or directory` for the entrypoint, a shell's `not found`, or exit code 127
    /// (command not found) or 126 (not executable). When the workload's manifest is in the
    /// set, it points at the `command`/`args` entry that names the program.
    ///
    /// ## Why is this bad?
    /// The process never starts, so the container never runs: Kubernetes retries with growing
    /// back-off and the pod stays unavailable. A `command` in the manifest replaces the
    /// image's ENTRYPOINT entirely, so a program that is not in the image, a relative path,
    /// or a script with a missing interpreter fails every time.
    ///
    /// ## Example
    /// ```text
    /// Name:         api-5d8f7c9b4-x2k8q
    /// Namespace:    shop
    /// Node:         node-1/10.0.0.5
    /// Containers:
    ///   api:
    ///     Image:          shop/api:2.3.1
    ///     State:          Waiting
    ///       Reason:       RunContainerError
    ///     Last State:     Terminated
    ///       Reason:       StartError
    ///       Message:      failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "gunicorn": executable file not found in $PATH: unknown
    ///       Exit Code:    128
    ///     Ready:          False
    ///     Restart Count:  3
    /// QoS Class:        BestEffort
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
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: when the manifest's `command` names the missing program exactly, the
    /// suggestion replaces it with a placeholder for the path that exists in the image, which
    /// only you can look up (`docker run --rm --entrypoint sh <image> -c 'command -v <name>'`).
    pub struct CommandNotFound {
        id: "command-not-found",
        category: Containers,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

pub struct Missing<'a> {
    pod: usize,
    container: String,
    image: Option<String>,
    evidence: MissingCommand,
    /// The `command`/`args` item of the manifest that names the program.
    item: Option<(FileId, &'a Node, String)>,
    healthy_now: bool,
}

impl Rule for CommandNotFound {
    type State<'a> = Missing<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Missing<'a>> {
        let cx = Context::new(ws);
        let mut out = Vec::new();
        for (index, observed) in ws.pods.iter().enumerate() {
            for container in &observed.pod.containers {
                if why_stopped(ws, &cx, index, container) != Some(Stop::MissingCommand) {
                    continue;
                }
                let Some(evidence) = missing_command(ws, &cx, index, container) else {
                    continue;
                };
                let item = evidence.program.as_deref().and_then(|program| {
                    let (template, node) = ws.manifest_container(&observed.pod, &container.name)?;
                    let file = ws.object_of(&ws.templates[template]).file;
                    naming_item(node, program).map(|(n, key)| (file, n, key))
                });
                out.push(Missing {
                    pod: index,
                    container: container.name.clone(),
                    image: container.image.as_ref().map(|(i, _)| i.clone()),
                    evidence,
                    item,
                    healthy_now: running_and_ready(container),
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Missing<'a>) -> Diagnostic {
        let observed = &ws.pods[state.pod];
        let image = state
            .image
            .as_deref()
            .map_or("the image".to_string(), |i| format!("image {i}"));
        let e = &state.evidence;
        let what = match (&e.program, e.not_executable) {
            (Some(p), true) => format!("`{p}` is not executable (permission denied)"),
            (Some(p), false) if p.is_empty() => "its command is empty (`exec: \"\"`)".to_string(),
            (Some(p), false) if p.contains('/') => {
                format!("`{p}` does not exist in {image}, or its `#!` interpreter does not")
            }
            (Some(p), false) => format!("`{p}` is not in {image} (not on its $PATH)"),
            (None, true) => "its command is not executable (exit code 126)".to_string(),
            (None, false) => "its command was not found (exit code 127)".to_string(),
        };
        let (file, range) = match &state.item {
            Some((file, node, _)) => (*file, node.span),
            None => (e.file, e.range),
        };
        let evidence = if state.item.is_some() {
            format!("; the runtime said: {}", e.quote)
        } else {
            String::new()
        };
        let where_set = match &state.item {
            Some((_, _, key)) => format!("the `{key}` entry shown here"),
            None => "the container's `command`/`args`".to_string(),
        };
        let help = match (&e.program, e.not_executable) {
            (Some(p), true) => format!(
                "Make `{p}` executable in the image (`RUN chmod +x {p}` in the Dockerfile), or run it through its interpreter (`command: [\"sh\", \"{p}\"]`)."
            ),
            (Some(p), false) if p.contains('/') => format!(
                "Check the path in {where_set} against the image (`docker run --rm --entrypoint sh <image> -c 'ls -l {p}'`). If the file is a script, check its `#!` line: the interpreter must exist in the image (no bash in alpine) and the file must not have Windows line endings."
            ),
            (Some(p), false) => format!(
                "Check {where_set}: `command` replaces the image's ENTRYPOINT entirely. Find the program's real path (`docker run --rm --entrypoint sh <image> -c 'command -v {p}'`), install it in the image, or drop `command` to use the image's own."
            ),
            (None, _) => format!(
                "Run `kubectl logs {} -c {} --previous` to see which program the shell could not run, then check {where_set} against the image.",
                observed.pod.name.unwrap_or("<pod>"),
                state.container
            ),
        };
        Diagnostic {
            file,
            range,
            message: format!(
                "{} cannot start: {what}{evidence}",
                observed.pod.container_label(&state.container)
            ),
            why: "The process never starts, so Kubernetes retries it with growing back-off and the pod stays unavailable.".into(),
            help: Some(help),
            object: Some(observed.pod.reference()),
            container: Some(state.container.clone()),
            severity: state.healthy_now.then_some(Severity::Info),
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, state: &Missing<'a>) -> Option<Fix> {
        let (file, node, key) = state.item.as_ref()?;
        let program = state.evidence.program.as_deref()?;
        if state.evidence.not_executable || node.as_str() != Some(program) {
            return None;
        }
        let name = program.rsplit('/').next().unwrap_or(program);
        let placeholder = format!("<path-of-{name}-in-the-image>");
        let style = node.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
        Some(Fix::new(
            format!(
                "Replace `{program}` in `{key}` with the path of a program that exists in {}",
                state
                    .image
                    .as_deref()
                    .map_or("the image".to_string(), |i| format!("image {i}"))
            ),
            Applicability::DisplayOnly,
            vec![Edit::replace(
                *file,
                node.span,
                render_scalar(&placeholder, style),
            )],
        ))
    }
}

/// The `command` (then `args`) item that names `program`: equal to it, or a shell line that
/// runs it.
fn naming_item<'a>(container: &'a Node, program: &str) -> Option<(&'a Node, String)> {
    let base = program.rsplit('/').next().unwrap_or(program);
    for key in ["command", "args"] {
        let items = container.get(key).map(Node::items).unwrap_or_default();
        if let Some(item) = items.iter().find(|i| i.as_str() == Some(program)) {
            return Some((item, key.to_string()));
        }
        if program.is_empty() {
            continue;
        }
        let runs = |text: &str| {
            text.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
                .any(|word| {
                    word == program || (!base.is_empty() && word.rsplit('/').next() == Some(base))
                })
        };
        if let Some(item) = items.iter().find(|i| i.as_str().is_some_and(runs)) {
            return Some((item, key.to_string()));
        }
    }
    None
}
