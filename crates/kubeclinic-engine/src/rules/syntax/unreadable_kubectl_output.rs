use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::runtime::pod::PodView;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Says which lines of pasted `kubectl describe` output or `kubectl get events` tables could
    /// not be read (a line cut in half, a column lost when copying), so you know what the
    /// diagnosis did not see. The rest of the paste is still read. When nothing in an input was
    /// read as a manifest or as kubectl output (only sentences, or output it does not know),
    /// it says so, so that an empty diagnosis is never taken for a clean bill of health.
    ///
    /// ## Why is this bad?
    /// A diagnosis is only as good as what it reads: an event row that lost its columns can be
    /// the one that explains the failure.
    ///
    /// ## Example
    /// ```text
    /// LAST SEEN   TYPE      REASON             OBJECT        MESSAGE
    /// 2m          Warning   FailedScheduling   pod/web-1     0/3 nodes are available: 3 Insufficient cpu.
    /// 2m Warnin
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// LAST SEEN   TYPE     REASON      OBJECT      MESSAGE
    /// 2m          Normal   Scheduled   pod/web-1   Successfully assigned default/web-1 to node-1
    /// ```
    ///
    /// ## Fix safety
    /// No fix: copy the output again, or paste the part that was cut.
    pub struct UnreadableKubectlOutput {
        id: "unreadable-kubectl-output",
        category: Syntax,
        severity: Info,
        fix: None,
        reads: Runtime,
        profile: Minimal,
    }
}

pub struct Unread {
    file: FileId,
    first: TextRange,
    reason: String,
    count: usize,
    /// Nothing of the input was understood.
    nothing: bool,
    /// A YAML document without `apiVersion` and `kind` that is no cut of kubectl output.
    no_kind: bool,
}

impl Rule for UnreadableKubectlOutput {
    type State<'a> = Unread;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unread> {
        let mut out: Vec<Unread> = Vec::new();
        for (file, runtime) in ws.parsed.runtime.iter().enumerate() {
            for region in &runtime.regions {
                let lines: Vec<&(TextRange, String)> = runtime
                    .unread
                    .iter()
                    .filter(|(r, _)| region.range.contains_range(*r))
                    .collect();
                if let Some((first, reason)) = lines.first() {
                    out.push(Unread {
                        file,
                        first: *first,
                        reason: reason.clone(),
                        count: lines.len(),
                        nothing: false,
                        no_kind: false,
                    });
                }
            }
            let reading = runtime.reading;
            let objects = ws.objects.iter().any(|o| o.file == file);
            let text = ws.text(file);
            let first_line = text
                .split_inclusive('\n')
                .scan(0, |at, l| {
                    let start = *at;
                    *at += l.len();
                    Some((start, l))
                })
                // YAML's own comments and document markers say nothing either way.
                .find(|(_, l)| {
                    let t = l.trim();
                    !(t.is_empty()
                        || t == "---"
                        || t == "..."
                        || (t.starts_with('#') && !t.starts_with("##")))
                })
                .map(|(start, l)| TextRange::new(start, start + l.trim_end().len()));
            if let (0, Some(first_line), false) = (reading.understood(), first_line, objects) {
                let first = runtime
                    .prose
                    .first()
                    .copied()
                    .or_else(|| runtime.unread.first().map(|(r, _)| *r))
                    .unwrap_or(first_line);
                out.push(Unread {
                    file,
                    first,
                    reason: reading.describe(),
                    count: runtime.prose.len(),
                    nothing: true,
                    no_kind: false,
                });
            }
        }
        // One finding per input for its documents without a kind, at the first of them: a
        // paste of a million `a: 1` documents gets one answer, not a million.
        for (file, documents) in ws.parsed.documents.iter().enumerate() {
            let mut kindless = documents
                .iter()
                .filter_map(|d| d.root.as_ref())
                .filter(|root| {
                    let shaped = root.is_mapping() || !root.items().is_empty();
                    shaped
                        && root.get("kind").is_none()
                        && root.get("apiVersion").is_none()
                        && PodView::from_fragment(root).is_none()
                });
            let Some(root) = kindless.next() else {
                continue;
            };
            let first = root.entries().first().map_or(root.span, |e| e.key.span);
            out.push(Unread {
                file,
                first,
                reason: String::new(),
                count: 1 + kindless.count(),
                nothing: false,
                no_kind: true,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Unread) -> Diagnostic {
        if state.no_kind {
            return Diagnostic {
                file: state.file,
                range: state.first,
                message: match state.count {
                    0 | 1 => "This YAML has no `apiVersion` and `kind`, so it was not read as a Kubernetes object: nothing in it was checked".to_string(),
                    n => format!("This YAML has no `apiVersion` and `kind`, nor have {} other documents of this input, so they were not read as Kubernetes objects: nothing in them was checked", n - 1),
                },
                why: "Kubernetes needs both to know what an object is, and so does Kubeclinic. Chart values and other configuration files are not objects either.".into(),
                help: Some("Paste whole objects (`kubectl get <kind> <name> -o yaml`, or the rendered `helm template` output), or add the object's `apiVersion` and `kind`.".into()),
                object: None,
                container: None,
                severity: None,
            };
        }
        if state.nothing {
            let lines = ws.lines(state.file);
            let prose = &ws.parsed.runtime[state.file].prose;
            let shown: Vec<String> = prose
                .iter()
                .take(8)
                .map(|r| (lines.line_of(r.start) + 1).to_string())
                .collect();
            let more = if prose.len() > shown.len() {
                ", ..."
            } else {
                ""
            };
            let which = if shown.is_empty() {
                String::new()
            } else {
                format!(" (line {}{more})", shown.join(", "))
            };
            return Diagnostic {
                file: state.file,
                range: state.first,
                message: format!(
                    "Nothing here was read as a manifest or as kubectl output: {}{which}; this is not a clean bill of health",
                    if state.reason.is_empty() { "no line was recognised" } else { &state.reason }
                ),
                why: "Kubeclinic diagnoses manifests, `kubectl describe`, `kubectl get events` and `kubectl get pods` output, kubectl's errors and log lines. Text it does not recognise tells it nothing, so no finding here means nothing was checked.".into(),
                help: Some("Paste what the cluster printed (`kubectl describe pod <name>`, `kubectl get events`, `kubectl logs <pod> --previous`) or the manifests; sentences around them are fine.".into()),
                object: None,
                container: None,
                severity: None,
            };
        }
        let others = match state.count {
            1 => String::new(),
            n => format!(" (and {} more line(s) in this block)", n - 1),
        };
        Diagnostic {
            file: state.file,
            range: state.first,
            message: format!("This line could not be read: {}{others}", state.reason),
            why: "What it says was left out of the diagnosis.".into(),
            help: Some("Copy the command's output again in full; lines cut in the middle or with lost columns cannot be read.".into()),
            object: None,
            container: None,
            severity: None,
        }
    }
}
