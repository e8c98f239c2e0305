use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, ObjectRef, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{said, whole_sentence};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reads the API server's refusal to change a field that cannot change once the object
    /// exists: `The Deployment "ledger" is invalid: spec.selector: Invalid value:
    /// v1.LabelSelector{...}: field is immutable` (from `kubectl apply`, or Helm's `cannot
    /// patch "x" with kind Deployment`), a Job's `spec.template`, a Service's `spec.clusterIP`,
    /// a StatefulSet's `volumeClaimTemplates`. When the object's manifest is in the set, the
    /// finding points at the field there too.
    ///
    /// ## Why is this bad?
    /// The update is refused as a whole: the object in the cluster keeps its old spec, and a
    /// Helm release or a GitOps sync that carries the change fails on every attempt.
    ///
    /// ## Example
    /// ```text
    /// $ kubectl apply -f ledger.yaml
    /// The Deployment "ledger" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"ledger", "component":"api"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl delete deployment ledger --cascade=orphan
    /// deployment.apps "ledger" deleted
    /// $ kubectl apply -f ledger.yaml
    /// deployment.apps/ledger created
    /// ```
    ///
    /// ## Fix safety
    /// No fix: either keep the field as the cluster has it, or delete the object and create it
    /// again, which only you can decide.
    pub struct FieldImmutable {
        id: "field-immutable",
        category: Api,
        severity: Error,
        fix: None,
        reads: Both,
    }
}

pub struct Immutable {
    file: FileId,
    range: TextRange,
    kind: Option<String>,
    name: Option<String>,
    /// `spec.selector`.
    field: Option<String>,
}

/// `The Deployment "ledger" is invalid: spec.selector: ...` or
/// `Deployment.apps "ledger" is invalid: ...` -> (Deployment, ledger, spec.selector).
fn read(text: &str) -> (Option<String>, Option<String>, Option<String>) {
    let Some(at) = text.find(" is invalid: ") else {
        return (None, None, None);
    };
    let head = &text[..at];
    let field = text[at + " is invalid: ".len()..]
        .split(": ")
        .next()
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty() && !f.contains(' '));
    let Some(open) = head
        .rfind(" \"")
        // The character before the quote (where the space would be), on a char boundary.
        .or_else(|| {
            head.find('"')
                .map(|i| head[..i].char_indices().next_back().map_or(0, |(j, _)| j))
        })
    else {
        return (None, None, field);
    };
    let name = head[open..].trim().trim_matches('"').to_string();
    let kind = head[..open]
        .split_whitespace()
        .last()
        .map(|k| k.split('.').next().unwrap_or(k).to_string());
    (kind, Some(name).filter(|n| !n.is_empty()), field)
}

impl Rule for FieldImmutable {
    type State<'a> = Immutable;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Immutable> {
        let mut out: Vec<Immutable> = Vec::new();
        for s in said(ws) {
            if !s.text.contains("field is immutable") {
                continue;
            }
            let whole = [0, 3]
                .into_iter()
                .map(|back| whole_sentence(ws, s.file, s.range, back))
                .find(|w| w.contains(" is invalid: "));
            let text = whole.as_deref().unwrap_or(s.text);
            // Helm joins several refusals with ` && `: one finding each.
            for part in text.split(" && ") {
                if !part.contains("field is immutable") {
                    continue;
                }
                let (kind, name, field) = read(part);
                if out
                    .iter()
                    .any(|o| o.kind == kind && o.name == name && o.field == field)
                {
                    continue;
                }
                out.push(Immutable {
                    file: s.file,
                    range: s.range,
                    kind,
                    name,
                    field,
                });
            }
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &Immutable) -> Diagnostic {
        let object = match (&state.kind, &state.name) {
            (Some(k), Some(n)) => format!("{k} {n}"),
            _ => "The object".to_string(),
        };
        let field = state.field.as_deref().unwrap_or("a field");
        let kind = state.kind.as_deref().unwrap_or("");
        let name = state.name.as_deref().unwrap_or("<name>");
        let lower = kind.to_ascii_lowercase();
        let help = match (kind, field) {
            ("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet", "spec.selector") => format!(
                "Keep the selector the cluster has (change only the template's labels, keeping those the selector names), or delete the {kind} and apply it again: `kubectl delete {lower} {name} --cascade=orphan` keeps its pods running until the new one adopts or replaces them. With Helm, the chart's new selector needs the same."
            ),
            ("Job", _) => format!(
                "A Job's pod template cannot change: delete the Job (`kubectl delete job {name}`) and create it again, or give the new run a new name (Helm hooks: `helm.sh/hook-delete-policy: before-hook-creation`)."
            ),
            ("StatefulSet", _) => format!(
                "Only replicas, the template, updateStrategy and a few others may change in a StatefulSet: to change {field}, delete it with `kubectl delete statefulset {name} --cascade=orphan` (its pods and claims stay) and apply it again."
            ),
            _ => format!(
                "{field} is set once, when the {kind} is created: put back the value the cluster has (`kubectl get {lower} {name} -o yaml`), or delete the object and create it again."
            ),
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!("{object} cannot be updated: {field} is immutable and the new manifest changes it"),
            why: "The API server refuses the whole update: the object keeps its old spec, and every apply, Helm upgrade or sync that carries the change fails.".into(),
            help: Some(help),
            object: state.kind.as_ref().map(|k| ObjectRef {
                kind: k.clone(),
                namespace: None,
                name: state.name.clone(),
                source: None,
            }),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, state: &Immutable) -> Vec<Related> {
        let Some(object) = ws
            .objects
            .iter()
            .find(|o| Some(&o.kind) == state.kind.as_ref() && o.name == state.name)
        else {
            return Vec::new();
        };
        let keys: Vec<&str> = state
            .field
            .as_deref()
            .map(|f| f.split('.').collect())
            .unwrap_or_default();
        let node = object
            .node
            .path(&keys)
            .map_or(object.anchor_range(), |n| n.span);
        vec![Related {
            file: object.file,
            range: node,
            message: format!(
                "{} of {} in the set",
                state.field.as_deref().unwrap_or("the field"),
                object.display()
            ),
        }]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_after_a_multibyte_character_is_read_without_a_panic() {
        let (_, name, _) = super::read(
            "The Job 6\u{fffd}\"seed-catalog\" is invalid: spec.template: Invalid value",
        );
        assert!(name.is_some_and(|n| n.contains("seed-catalog")));
    }

    use super::*;

    #[test]
    fn both_wordings_name_the_object() {
        let (k, n, f) = read("The Deployment \"ledger\" is invalid: spec.selector: Invalid value: x: field is immutable");
        assert_eq!(
            (k.as_deref(), n.as_deref(), f.as_deref()),
            (Some("Deployment"), Some("ledger"), Some("spec.selector"))
        );
        let (k, n, _) = read("cannot patch \"billing-api\" with kind Deployment: Deployment.apps \"billing-api\" is invalid: spec.selector: Invalid value");
        assert_eq!(
            (k.as_deref(), n.as_deref()),
            (Some("Deployment"), Some("billing-api"))
        );
    }
}
