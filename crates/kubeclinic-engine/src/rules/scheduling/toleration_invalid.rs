use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds tolerations the API server refuses: `operator: Exists` with a `value`, and
    /// `tolerationSeconds` with an effect other than `NoExecute`.
    ///
    /// ## Why is this bad?
    /// The pod (or the workload's template) is refused (`spec.tolerations[0].operator: Invalid
    /// value: "Exists": value must be empty when operator is Exists`, or `effect must be
    /// 'NoExecute' when tolerationSeconds is set`): no pod is created.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: trainer
    /// spec:
    ///   tolerations:
    ///     - key: nvidia.com/gpu
    ///       operator: Exists
    ///       value: "true"
    ///       effect: NoSchedule
    ///   containers:
    ///     - name: trainer
    ///       image: ghcr.io/example/trainer:0.9.1
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: trainer
    /// spec:
    ///   tolerations:
    ///     - key: nvidia.com/gpu
    ///       operator: Exists
    ///       effect: NoSchedule
    ///   containers:
    ///     - name: trainer
    ///       image: ghcr.io/example/trainer:0.9.1
    /// ```
    ///
    /// ## Fix safety
    /// Safe for `Exists` with a value: `Exists` ignores values, so removing it keeps what the
    /// toleration means. `tolerationSeconds` on another effect gets no fix: decide whether the
    /// effect or the seconds are wrong.
    pub struct TolerationInvalid {
        id: "toleration-invalid",
        category: Scheduling,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Invalid<'a> {
    template: usize,
    toleration: &'a Node,
    /// The `value` entry to remove (key to value), for `Exists`.
    value: Option<TextRange>,
    at: &'a Node,
    problem: &'static str,
}

impl Rule for TolerationInvalid {
    type State<'a> = Invalid<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Invalid<'a>> {
        let mut out = Vec::new();
        for (index, t) in ws.templates.iter().enumerate() {
            if ws.object_of(t).is_live() {
                continue;
            }
            for toleration in t
                .spec
                .get("tolerations")
                .map(Node::items)
                .unwrap_or_default()
            {
                let operator = toleration.get("operator").and_then(Node::as_str);
                if operator == Some("Exists") {
                    if let Some(entry) = toleration.entry("value") {
                        let empty = entry
                            .value
                            .as_scalar()
                            .is_some_and(|s| s.text.is_empty() || s.is_null());
                        if !empty {
                            out.push(Invalid {
                                template: index,
                                toleration,
                                value: Some(TextRange::new(
                                    entry.key.span.start,
                                    entry.value.span.end,
                                )),
                                at: &entry.value,
                                problem: "value must be empty when operator is Exists",
                            });
                        }
                    }
                }
                if let Some(seconds) = toleration.get("tolerationSeconds") {
                    let effect = toleration.get("effect").and_then(Node::as_str);
                    if !seconds.as_scalar().is_some_and(|s| s.is_null())
                        && effect != Some("NoExecute")
                    {
                        out.push(Invalid {
                            template: index,
                            toleration,
                            value: None,
                            at: seconds,
                            problem: "effect must be 'NoExecute' when tolerationSeconds is set",
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, i: &Invalid<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[i.template]);
        let key = i
            .toleration
            .get("key")
            .and_then(Node::as_str)
            .unwrap_or("(every taint)");
        Diagnostic {
            file: object.file,
            range: i.at.span,
            message: format!(
                "{} tolerates {key} in a way the API server refuses: {}",
                object.display(),
                i.problem
            ),
            why: "The API server refuses the pod template: no pod of it is created.".into(),
            help: Some(if i.value.is_some() {
                "Remove `value` (Exists matches every value of the key), or use `operator: Equal` with the value.".into()
            } else {
                "Use `effect: NoExecute` with tolerationSeconds (how long the pod stays on a node that gets the taint), or remove tolerationSeconds.".into()
            }),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, i: &Invalid<'a>) -> Option<Fix> {
        let range = i.value?;
        let object = ws.object_of(&ws.templates[i.template]);
        if i.toleration.flow {
            return None;
        }
        let range = crate::patch::whole_lines(ws, object.file, range.start, range.end);
        // Only when the entry is on lines of its own (not the `- key:` line of the item).
        let text = ws.source(object.file, range);
        if text.trim_start().starts_with('-') || text.lines().count() != 1 {
            return None;
        }
        Some(Fix::new(
            "Remove the value (Exists ignores it)",
            Applicability::Safe,
            vec![Edit::delete(object.file, range)],
        ))
    }
}
