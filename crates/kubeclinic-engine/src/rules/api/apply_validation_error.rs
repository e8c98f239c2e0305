use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::evidence::{quoted_after, said};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Reads kubectl's and the API server's schema refusals, as `kubectl apply`, `create` or
    /// Helm print them: `error validating data: ValidationError(Deployment.spec): unknown
    /// field "x" in io.k8s.api.apps.v1.DeploymentSpec`, `invalid type for ...: got "string",
    /// expected "integer"`, `missing required field`, and the server side's `strict decoding
    /// error: unknown field "spec.template.spec.containers[0].resource"`, and names each field
    /// and where it was written.
    ///
    /// ## Why is this bad?
    /// Nothing of the file was applied: the object keeps its old version, or does not exist.
    /// Turning validation off (`--validate=false`) applies it with the misspelt or misplaced
    /// field silently dropped, which is rarely what was meant.
    ///
    /// ## Example
    /// ```text
    /// $ kubectl apply -f worker.yaml
    /// error: error validating "worker.yaml": error validating data: ValidationError(Deployment.spec.template.spec.containers[0]): unknown field "envform" in io.k8s.api.core.v1.Container; if you choose to ignore these errors, turn validation off with --validate=false
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl apply -f worker.yaml
    /// deployment.apps/worker configured
    /// ```
    ///
    /// ## Fix safety
    /// No fix here: the refusal does not hold the manifest. Paste the manifest with it and the
    /// `unknown-field`, `wrong-type` and `missing-required-field` rules point at the line.
    pub struct ApplyValidationError {
        id: "apply-validation-error",
        category: Api,
        severity: Error,
        fix: None,
        reads: Runtime,
    }
}

pub struct Refusal {
    file: FileId,
    range: TextRange,
    /// `worker.yaml`, when kubectl names it.
    source: Option<String>,
    /// `Deployment.spec.template.spec.containers[0] has unknown field "envform"`.
    problems: Vec<String>,
}

/// `got "string", expected "integer"` out of the rest of the refusal.
fn kinds_of(kinds: &str) -> String {
    kinds
        .split([';', ',', ']'])
        .take(2)
        .collect::<Vec<_>>()
        .join(",")
        .trim()
        .to_string()
}

/// The problems a refusal lists, in the words of a person.
pub fn problems(text: &str) -> Vec<String> {
    let text = text.replace("\\\"", "\"");
    let mut out = Vec::new();
    for part in text.split("ValidationError(").skip(1) {
        let Some((path, rest)) = part.split_once("): ") else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(field) = rest
            .strip_prefix("unknown field ")
            .and_then(|r| quoted_after(r, ""))
        {
            out.push(format!("{path} has unknown field \"{field}\""));
        } else if let Some(field) = rest
            .strip_prefix("missing required field ")
            .and_then(|r| quoted_after(r, ""))
        {
            out.push(format!("{path} lacks the required field \"{field}\""));
        } else if let Some(rest) = rest.strip_prefix("invalid type for ") {
            let (field, kinds) = rest.split_once(": ").unwrap_or((rest, ""));
            // `Quantity: got "map"` names a type, not a field.
            let field = field.rsplit('.').next().unwrap_or(field);
            if field.starts_with(|c: char| c.is_ascii_uppercase()) {
                out.push(format!("{path} has the wrong type ({})", kinds_of(kinds)));
                continue;
            }
            out.push(format!(
                "{path}.{field} has the wrong type ({})",
                kinds_of(kinds)
            ));
        }
    }
    if let Some((_, rest)) = text.split_once("strict decoding error: ") {
        for field in rest.split("unknown field ").skip(1) {
            if let Some(name) = quoted_after(field, "") {
                out.push(format!("unknown field \"{name}\""));
            }
        }
    }
    if text.contains("error validating data: [apiVersion not set, kind not set]") {
        out.push("the file has no apiVersion and kind (a kustomization.yaml or values file applied as a manifest?)".into());
    }
    out
}

impl Rule for ApplyValidationError {
    type State<'a> = Refusal;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Refusal> {
        said(ws)
            .into_iter()
            .filter(|s| {
                s.text.contains("error validating data:")
                    || s.text.contains("strict decoding error:")
            })
            .filter_map(|s| {
                let problems = problems(s.text);
                (!problems.is_empty()).then(|| Refusal {
                    file: s.file,
                    range: s.range,
                    source: quoted_after(s.text, "error validating ")
                        .or_else(|| quoted_after(s.text, "error when creating "))
                        .or_else(|| quoted_after(s.text, "error when applying patch "))
                        .map(String::from),
                    problems,
                })
            })
            .collect()
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &Refusal) -> Diagnostic {
        let what = match &state.source {
            Some(file) => format!("The API refused {file}"),
            None => "The API refused the object".to_string(),
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!("{what}: {}", state.problems.join("; ")),
            why: "Nothing of the object was applied; with validation turned off, a misspelt or misplaced field would be silently dropped instead.".into(),
            help: Some("Check each field's spelling and indentation (an unknown field often belongs one level up or down), and quote nothing that must be a number; `kubectl explain <kind>.<path>` lists the fields a level takes. Paste the manifest too to have the line pointed at.".into()),
            object: None,
            container: None,
            severity: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_problem_is_named() {
        let p = problems("error validating data: [ValidationError(Deployment.spec): unknown field \"replica\" in io.k8s.api.apps.v1.DeploymentSpec, ValidationError(Deployment.spec.template.spec.containers[0].ports[0]): invalid type for io.k8s.api.core.v1.ContainerPort.containerPort: got \"string\", expected \"integer\"]");
        assert_eq!(p[0], "Deployment.spec has unknown field \"replica\"");
        assert!(p[1].starts_with(
            "Deployment.spec.template.spec.containers[0].ports[0].containerPort has the wrong type"
        ));
        let s = problems("Job in version \"v1\" cannot be handled as a Job: strict decoding error: unknown field \"spec.template.spec.containers[0].resource\"");
        assert_eq!(
            s,
            vec!["unknown field \"spec.template.spec.containers[0].resource\""]
        );
    }
}
