//! CEL, the expression language of CRD validation rules (`x-kubernetes-validations`) and of
//! ValidatingAdmissionPolicies, behind one call the engine makes per check.
//!
//! The engine gathers every expression the set asks to evaluate into [`CelJob`]s, hands them
//! to the [`CelEvaluator`] of its [`Checker`](crate::Checker) in one batch, and reads the
//! [`CelOutcome`]s. Jobs and outcomes are plain data (serde), so an evaluator can live in
//! another module: the web page loads its CEL module only when a paste holds CEL, and answers
//! the batch through JSON. With the `cel` feature the engine has its own evaluator,
//! [`KubeCel`], built on `kube-cel` (the Kubernetes CEL libraries on the `cel` crate).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Evaluates CEL jobs. An implementation answers every job of the batch, in order.
pub trait CelEvaluator: Send + Sync {
    fn evaluate(&self, batch: &CelBatch) -> Vec<CelOutcome>;
}

/// The jobs of one check, with the JSON values they read (objects, schemas, parameters) kept
/// once and named by index: a policy reads the same object as every other policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CelBatch {
    pub values: Vec<Value>,
    pub jobs: Vec<CelJob>,
}

/// An index into [`CelBatch::values`].
pub type ValueRef = usize;

/// One thing to evaluate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "camelCase")]
pub enum CelJob {
    Schema(SchemaJob),
    Policy(Box<PolicyJob>),
    /// Strings against the `pattern`s of a CRD's schema (regular expressions as the API
    /// server reads them: RE2 syntax, matched anywhere in the string).
    Patterns {
        checks: Vec<PatternCheck>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PatternCheck {
    pub pattern: String,
    pub value: String,
}

/// A CRD version's `openAPIV3Schema` (its `x-kubernetes-validations`) against one custom
/// resource, as created (no old object). With no object, the rules are only compiled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaJob {
    pub schema: ValueRef,
    pub object: Option<ValueRef>,
    pub api_version: String,
    pub api_group: String,
    pub kind: String,
}

/// One ValidatingAdmissionPolicy against one object being created. With no object, the
/// expressions are only compiled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyJob {
    /// The policy has a `paramKind`, so its expressions may name `params`.
    #[serde(default)]
    pub has_param_kind: bool,
    pub object: Option<ValueRef>,
    pub params: Option<ValueRef>,
    pub namespace_object: Option<ValueRef>,
    pub request: AdmissionRequest,
    pub match_conditions: Vec<NamedExpression>,
    pub variables: Vec<NamedExpression>,
    pub validations: Vec<Validation>,
}

/// The `request` variable: what the API server is asked to do.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdmissionRequest {
    pub operation: String,
    pub name: String,
    pub namespace: String,
    pub group: String,
    pub version: String,
    pub kind: String,
    pub resource: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedExpression {
    pub name: String,
    pub expression: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    pub expression: String,
    pub message: Option<String>,
    pub message_expression: Option<String>,
}

/// The answer to one job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "camelCase")]
pub enum CelOutcome {
    Schema {
        failures: Vec<SchemaFailure>,
    },
    Policy(PolicyOutcome),
    /// Per check: whether the value matches; `None` when the pattern does not compile.
    Patterns {
        matches: Vec<Option<bool>>,
    },
}

/// A rule of the schema that did not pass.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaFailure {
    /// The rule's expression as written.
    pub rule: String,
    pub message: String,
    /// Where in the object: `spec.replicas`, `spec.items[2]`; empty for the root.
    pub field_path: String,
    pub kind: FailureKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FailureKind {
    /// The rule evaluated to false: the API server refuses the object.
    Failed,
    /// The expression does not compile: the API server refuses the CRD or policy.
    Compile,
    /// The rule raised an error (a missing field, a wrong type): refused as well.
    Evaluation,
    /// The rule uses a function this evaluator lacks: not judged.
    Unsupported,
    /// The expression read a field the object does not set. The API server fills defaults
    /// (and mutating admission adds fields) before it validates, so this is not judged.
    Unset,
    /// The rule's estimated cost exceeds the API server's budget for one rule, which
    /// refuses the CRD (an estimate: the server's own may differ).
    Cost,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyOutcome {
    /// Expressions that do not compile.
    pub compile_errors: Vec<PolicyCompileError>,
    /// The `matchConditions` entry that was false: the policy does not apply.
    pub unmatched_by: Option<String>,
    /// A `matchConditions` entry that raised an error, with the error.
    pub match_error: Option<(String, String)>,
    /// The match condition's error is a field the object does not set (see
    /// [`FailureKind::Unset`]).
    #[serde(default)]
    pub match_unset: bool,
    pub failures: Vec<PolicyFailure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyCompileError {
    pub place: ExpressionPlace,
    pub message: String,
}

/// Which expression of a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", content = "index", rename_all = "camelCase")]
pub enum ExpressionPlace {
    MatchCondition(usize),
    Variable(usize),
    Validation(usize),
    MessageExpression(usize),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyFailure {
    /// Index into the job's validations.
    pub validation: usize,
    pub message: String,
    /// `Failed`, `Evaluation` (an error instead of false) or `Unsupported`.
    pub kind: FailureKind,
}

#[cfg(feature = "cel")]
pub use kube::KubeCel;

#[cfg(feature = "cel")]
mod kube {
    use std::collections::HashMap;

    use kube_cel::cel::{Context, Program, Value as CelValue};
    use kube_cel::{ErrorKind, KubeCelExt, RootContext, Validator};

    use super::*;

    /// The engine's own CEL evaluator: `kube-cel`, with every Kubernetes library it has
    /// (lists, strings, regex, URLs, IP and CIDR, quantity, semver, format).
    #[derive(Clone, Copy, Debug, Default)]
    pub struct KubeCel;

    impl CelEvaluator for KubeCel {
        fn evaluate(&self, batch: &CelBatch) -> Vec<CelOutcome> {
            // One context with the functions, one compiled program per expression and one
            // CEL value per object, for the whole batch: a policy is evaluated against every
            // object it matches.
            let mut base = Context::default();
            base.register_all();
            let mut programs = Programs::default();
            let mut schemas = Schemas::default();
            let values = Values::new(&batch.values);
            batch
                .jobs
                .iter()
                .map(|job| match job {
                    CelJob::Schema(job) => CelOutcome::Schema {
                        failures: schema(job, &values, &mut schemas),
                    },
                    CelJob::Policy(job) => {
                        CelOutcome::Policy(policy(job, &values, &base, &mut programs))
                    }
                    CelJob::Patterns { checks } => CelOutcome::Patterns {
                        matches: patterns(checks),
                    },
                })
                .collect()
        }
    }

    fn patterns(checks: &[PatternCheck]) -> Vec<Option<bool>> {
        let mut compiled: HashMap<&str, Option<regex::Regex>> = HashMap::new();
        checks
            .iter()
            .map(|c| {
                let re = compiled
                    .entry(c.pattern.as_str())
                    .or_insert_with(|| regex::Regex::new(&c.pattern).ok());
                re.as_ref().map(|re| re.is_match(&c.value))
            })
            .collect()
    }

    /// One validator (it registers every function) and each distinct schema compiled once,
    /// for the whole batch.
    #[derive(Default)]
    struct Schemas {
        validator: Option<Validator>,
        compiled: HashMap<ValueRef, kube_cel::CompiledSchema>,
    }

    /// The batch's values, each turned into a CEL value on first use.
    struct Values<'b> {
        json: &'b [Value],
        cel: Vec<std::cell::OnceCell<CelValue>>,
    }

    impl<'b> Values<'b> {
        fn new(json: &'b [Value]) -> Self {
            Self {
                json,
                cel: (0..json.len())
                    .map(|_| std::cell::OnceCell::new())
                    .collect(),
            }
        }

        fn json(&self, index: ValueRef) -> &'b Value {
            self.json.get(index).unwrap_or(&Value::Null)
        }

        fn cel(&self, index: Option<ValueRef>) -> CelValue {
            let Some(cell) = index.and_then(|i| self.cel.get(i)) else {
                return CelValue::Null;
            };
            cell.get_or_init(|| {
                kube_cel::cel::to_value(self.json(index.unwrap_or_default()))
                    .unwrap_or(CelValue::Null)
            })
            .clone()
        }
    }

    fn schema(job: &SchemaJob, values: &Values, schemas: &mut Schemas) -> Vec<SchemaFailure> {
        let schema = values.json(job.schema);
        let compiled = schemas
            .compiled
            .entry(job.schema)
            .or_insert_with(|| kube_cel::compile_schema(schema));
        let Some(object) = job.object.map(|i| values.json(i)) else {
            return compiled_errors(compiled);
        };
        let mut out = Vec::new();
        let root = RootContext {
            api_version: job.api_version.clone(),
            api_group: job.api_group.clone(),
            kind: job.kind.clone(),
        };
        // The API server fills the schema's defaults before it validates.
        let defaulted = kube_cel::apply_defaults(schema, object);
        let validator = schemas.validator.get_or_insert_with(Validator::new);
        let Err(errors) =
            validator.validate_compiled_with_context(compiled, &defaulted, None, Some(&root))
        else {
            return out;
        };
        for e in errors.into_vec() {
            let kind = match e.kind {
                ErrorKind::ValidationFailure => FailureKind::Failed,
                // Already said once per rule, from the compiled schema.
                ErrorKind::CompilationFailure | ErrorKind::InvalidRule => continue,
                ErrorKind::UnsupportedReference => FailureKind::Unsupported,
                _ => FailureKind::Evaluation,
            };
            out.push(SchemaFailure {
                rule: e.rule,
                message: e.message,
                field_path: e.field_path,
                kind,
            });
        }
        out
    }

    /// The variables a CRD rule may name.
    const CRD_VARIABLES: [&str; 5] = ["self", "oldSelf", "apiVersion", "apiGroup", "kind"];

    /// The API server's limit on one CRD rule's estimated cost.
    const STATIC_COST_LIMIT: u64 = 10_000_000;

    /// The variables an admission policy's expressions may name (`params` first: it is
    /// declared only with a paramKind).
    const POLICY_VARIABLES: [&str; 7] = [
        "params",
        "object",
        "oldObject",
        "request",
        "namespaceObject",
        "authorizer",
        "variables",
    ];

    /// The first variable `program` names that is neither declared nor bound by a macro of
    /// `text` (`all(c, ...)`, `map(x, ...)`).
    fn undeclared(program: &Program, text: &str, declared: &[&str]) -> Option<String> {
        let references = program.references();
        references
            .variables()
            .into_iter()
            .find(|name| !declared.contains(name) && !bound_by_macro(text, name))
            .map(str::to_string)
    }

    /// True when `name` is the variable of a comprehension in `text`: `all(name,`,
    /// `exists(name,`, `exists_one(name,`, `map(name,`, `filter(name,`.
    fn bound_by_macro(text: &str, name: &str) -> bool {
        ["all", "exists", "exists_one", "map", "filter"]
            .iter()
            .any(|m| {
                text.match_indices(&format!("{m}(")).any(|(at, found)| {
                    let before = text[..at].chars().next_back();
                    let rest = text[at + found.len()..].trim_start();
                    before == Some('.')
                        && rest
                            .strip_prefix(name)
                            .is_some_and(|r| r.trim_start().starts_with(','))
                })
            })
    }

    /// The variables of admission policies, which a CRD rule cannot name.
    const ADMISSION_ONLY: [&str; 7] = [
        "object",
        "oldObject",
        "request",
        "params",
        "namespaceObject",
        "authorizer",
        "variables",
    ];

    /// Every rule of the schema that does not compile, with where it is.
    fn compiled_errors(compiled: &kube_cel::CompiledSchema) -> Vec<SchemaFailure> {
        fn walk(node: &kube_cel::CompiledSchema, path: &str, out: &mut Vec<SchemaFailure>) {
            for v in &node.validations {
                if let Ok(compiled) = v {
                    // Names a CRD rule cannot use (`object`, `request`) and rules too costly
                    // to run: the API server refuses the CRD for either.
                    let rule = &compiled.rule.rule;
                    let references = compiled.program.references();
                    let named: Vec<&str> = references.variables();
                    let others = undeclared(&compiled.program, rule, &CRD_VARIABLES)
                        .filter(|name| !ADMISSION_ONLY.contains(&name.as_str()));
                    if let Some(name) = others {
                        out.push(SchemaFailure {
                            rule: rule.clone(),
                            message: format!("undeclared reference to '{name}'"),
                            field_path: path.to_string(),
                            kind: FailureKind::Compile,
                        });
                    }
                    for admission in ADMISSION_ONLY.iter().filter(|v| named.contains(v)) {
                        out.push(SchemaFailure {
                            rule: rule.clone(),
                            message: format!("undeclared reference to '{admission}': a CRD rule has `self` (and `oldSelf`), not the admission variables"),
                            field_path: path.to_string(),
                            kind: FailureKind::Compile,
                        });
                    }
                    for w in kube_cel::estimate_rule_cost(rule, node) {
                        // The API server refuses a CRD rule whose estimate is over its static
                        // limit of 10,000,000 (kube-cel warns from the runtime per-call one).
                        let estimate = w
                            .message
                            .strip_prefix("estimated cost ")
                            .and_then(|m| m.split_whitespace().next())
                            .and_then(|n| n.parse::<u64>().ok());
                        if w.kind == kube_cel::WarningKind::CostExceeded
                            && estimate.is_some_and(|n| n > STATIC_COST_LIMIT)
                        {
                            out.push(SchemaFailure {
                                rule: rule.clone(),
                                message: format!(
                                    "estimated {}, limit {STATIC_COST_LIMIT}",
                                    estimate.unwrap_or_default()
                                ),
                                field_path: path.to_string(),
                                kind: FailureKind::Cost,
                            });
                        }
                    }
                }
                if let Err(e) = v {
                    let rule = match e {
                        kube_cel::CompilationError::Parse { rule, .. }
                        | kube_cel::CompilationError::MessageExpressionParse { rule, .. } => {
                            rule.clone()
                        }
                        _ => String::new(),
                    };
                    out.push(SchemaFailure {
                        rule,
                        message: cause(e),
                        field_path: path.to_string(),
                        kind: FailureKind::Compile,
                    });
                }
            }
            let mut names: Vec<&String> = node.properties.keys().collect();
            names.sort();
            for name in names {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                walk(&node.properties[name], &child, out);
            }
            if let Some(items) = &node.items {
                walk(items, &format!("{path}[*]"), out);
            }
            if let Some(values) = &node.additional_properties {
                walk(values, &format!("{path}[*]"), out);
            }
            for part in &node.all_of {
                walk(part, path, out);
            }
        }
        let mut out = Vec::new();
        walk(compiled, "", &mut out);
        out
    }

    /// The parser's own words, without the rule the finding already shows.
    fn cause(e: &dyn std::error::Error) -> String {
        match e.source() {
            Some(inner) => inner.to_string(),
            None => e.to_string(),
        }
    }

    /// Policy expressions compiled once per batch: the program, or why it does not compile.
    /// Keyed by the text and whether `params` is declared.
    #[derive(Default)]
    struct Programs {
        compiled: HashMap<(String, bool), Result<std::rc::Rc<Program>, String>>,
    }

    impl Programs {
        fn get(
            &mut self,
            text: &str,
            has_param_kind: bool,
        ) -> Result<std::rc::Rc<Program>, String> {
            self.compiled
                .entry((text.to_string(), has_param_kind))
                .or_insert_with(|| {
                    // `params` is declared only for a policy with a paramKind.
                    let declared: &[&str] = if has_param_kind {
                        &POLICY_VARIABLES
                    } else {
                        &POLICY_VARIABLES[1..]
                    };
                    let program = Program::compile(text).map_err(|e| e.to_string())?;
                    match undeclared(&program, text, declared) {
                        Some(name) => Err(format!("undeclared reference to '{name}'")),
                        None => Ok(std::rc::Rc::new(program)),
                    }
                })
                .clone()
        }
    }

    fn policy(
        job: &PolicyJob,
        values: &Values,
        base: &Context,
        programs: &mut Programs,
    ) -> PolicyOutcome {
        let mut out = PolicyOutcome::default();
        let mut compile =
            |place: ExpressionPlace, text: &str, out: &mut PolicyOutcome| match programs
                .get(text, job.has_param_kind)
            {
                Ok(p) => Some(p),
                Err(message) => {
                    out.compile_errors
                        .push(PolicyCompileError { place, message });
                    None
                }
            };
        let conditions: Vec<_> = job
            .match_conditions
            .iter()
            .enumerate()
            .map(|(i, c)| compile(ExpressionPlace::MatchCondition(i), &c.expression, &mut out))
            .collect();
        let variables: Vec<_> = job
            .variables
            .iter()
            .enumerate()
            .map(|(i, v)| compile(ExpressionPlace::Variable(i), &v.expression, &mut out))
            .collect();
        let validations: Vec<_> = job
            .validations
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let program = compile(ExpressionPlace::Validation(i), &v.expression, &mut out);
                let message = v
                    .message_expression
                    .as_deref()
                    .and_then(|m| compile(ExpressionPlace::MessageExpression(i), m, &mut out));
                (program, message)
            })
            .collect();
        if job.object.is_none() {
            return out;
        }
        let mut ctx = base.new_inner_scope();
        ctx.add_variable_from_value("object", values.cel(job.object));
        ctx.add_variable_from_value("oldObject", CelValue::Null);
        ctx.add_variable_from_value("params", values.cel(job.params));
        ctx.add_variable_from_value("namespaceObject", values.cel(job.namespace_object));
        let r = &job.request;
        let request = serde_json::json!({
            "operation": r.operation,
            "name": r.name,
            "namespace": r.namespace,
            "dryRun": false,
            "kind": {"group": r.group, "version": r.version, "kind": r.kind},
            "resource": {"group": r.group, "version": r.version, "resource": r.resource},
            "requestKind": {"group": r.group, "version": r.version, "kind": r.kind},
            "requestResource": {"group": r.group, "version": r.version, "resource": r.resource},
            "userInfo": {"username": "", "uid": "", "groups": []},
        });
        let request = kube_cel::cel::to_value(&request).unwrap_or(CelValue::Null);
        ctx.add_variable_from_value("request", request);
        for (condition, program) in job.match_conditions.iter().zip(&conditions) {
            let Some(program) = program else { continue };
            match program.execute(&ctx) {
                Ok(CelValue::Bool(true)) => {}
                Ok(CelValue::Bool(false)) => {
                    out.unmatched_by = Some(condition.name.clone());
                    return out;
                }
                Ok(other) => {
                    out.match_error = Some((condition.name.clone(), not_bool(&other)));
                    return out;
                }
                Err(e) => {
                    out.match_unset = matches!(e, kube_cel::cel::ExecutionError::NoSuchKey(_));
                    out.match_error = Some((condition.name.clone(), e.to_string()));
                    return out;
                }
            }
        }
        // `variables.<name>`: each may read the ones before it.
        let mut bound: HashMap<String, CelValue> = HashMap::new();
        ctx.add_variable_from_value("variables", CelValue::from(bound.clone()));
        for (variable, program) in job.variables.iter().zip(&variables) {
            let Some(program) = program else { continue };
            if let Ok(value) = program.execute(&ctx) {
                bound.insert(variable.name.clone(), value);
                ctx.add_variable_from_value("variables", CelValue::from(bound.clone()));
            }
        }
        for (index, ((program, message), validation)) in
            validations.iter().zip(&job.validations).enumerate()
        {
            let Some(program) = program else { continue };
            let (message, kind) = match program.execute(&ctx) {
                Ok(CelValue::Bool(true)) => continue,
                Ok(CelValue::Bool(false)) => {
                    let dynamic = message.as_ref().and_then(|m| match m.execute(&ctx) {
                        Ok(CelValue::String(s)) if !s.trim().is_empty() => {
                            Some(s.as_str().to_string())
                        }
                        _ => None,
                    });
                    let text = dynamic
                        .or_else(|| validation.message.clone().filter(|m| !m.is_empty()))
                        .unwrap_or_else(|| format!("failed expression: {}", validation.expression));
                    (text, FailureKind::Failed)
                }
                Ok(other) => (not_bool(&other), FailureKind::Evaluation),
                Err(kube_cel::cel::ExecutionError::NoSuchKey(name)) => (
                    format!("it reads `{name}`, which the object does not set"),
                    FailureKind::Unset,
                ),
                Err(kube_cel::cel::ExecutionError::UndeclaredReference(name)) => (
                    format!("`{name}` is not known to this CEL evaluator"),
                    FailureKind::Unsupported,
                ),
                Err(e) => (
                    format!(
                        "expression '{}' resulted in error: {e}",
                        validation.expression
                    ),
                    FailureKind::Evaluation,
                ),
            };
            out.failures.push(PolicyFailure {
                validation: index,
                message,
                kind,
            });
        }
        out
    }

    fn not_bool(value: &CelValue) -> String {
        format!(
            "the expression returned {:?}, not a boolean",
            value.type_of()
        )
    }
}

#[cfg(all(test, feature = "cel"))]
mod tests {
    use super::*;

    #[test]
    fn a_crd_rule_fails_with_its_message_and_path() {
        let schema = serde_json::json!({
            "type": "object",
            "properties": {"spec": {
                "type": "object",
                "properties": {"replicas": {"type": "integer"}, "minReplicas": {"type": "integer"}},
                "x-kubernetes-validations": [
                    {"rule": "self.minReplicas <= self.replicas", "message": "minReplicas must not exceed replicas"}
                ]
            }}
        });
        let job = |object: ValueRef| {
            CelJob::Schema(SchemaJob {
                schema: 0,
                object: Some(object),
                api_version: "acme.dev/v1".into(),
                api_group: "acme.dev".into(),
                kind: "Pool".into(),
            })
        };
        let pool =
            |replicas: i64| serde_json::json!({"spec": {"replicas": replicas, "minReplicas": 3}});
        let out = KubeCel.evaluate(&CelBatch {
            values: vec![schema, pool(2), pool(5)],
            jobs: vec![job(1), job(2)],
        });
        let CelOutcome::Schema { failures } = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].field_path, "spec");
        assert_eq!(failures[0].message, "minReplicas must not exceed replicas");
        assert_eq!(failures[0].kind, FailureKind::Failed);
        assert_eq!(out[1], CelOutcome::Schema { failures: vec![] });
    }

    #[test]
    fn a_policy_expression_naming_an_undeclared_variable_does_not_compile() {
        let compile = |expression: &str, has_param_kind: bool| {
            let job = PolicyJob {
                has_param_kind,
                object: None,
                params: None,
                namespace_object: None,
                request: AdmissionRequest::default(),
                match_conditions: vec![],
                variables: vec![],
                validations: vec![Validation {
                    expression: expression.into(),
                    message: None,
                    message_expression: None,
                }],
            };
            let batch = CelBatch {
                values: vec![],
                jobs: vec![CelJob::Policy(Box::new(job))],
            };
            match KubeCel.evaluate(&batch).remove(0) {
                CelOutcome::Policy(outcome) => outcome.compile_errors,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(
            compile("self.spec.replicas < 5", false)[0].message,
            "undeclared reference to 'self'"
        );
        assert_eq!(
            compile("object.spec.replicas <= params.max", false)[0].message,
            "undeclared reference to 'params'"
        );
        assert_eq!(compile("object.spec.replicas <= params.max", true), vec![]);
        assert_eq!(
            compile("object.spec.containers.all(c, c.image != '')", false),
            vec![]
        );
    }

    #[test]
    fn a_crd_rule_naming_what_only_policies_have_does_not_compile() {
        let schema = |rule: &str| {
            serde_json::json!({
                "type": "object",
                "properties": {"spec": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "maxItems": 10, "items": {"type": "string", "maxLength": 64}}},
                    "x-kubernetes-validations": [{"rule": rule}]
                }}
            })
        };
        let compile = |rule: &str| {
            let job = CelJob::Schema(SchemaJob {
                schema: 0,
                object: None,
                api_version: "acme.dev/v1".into(),
                api_group: "acme.dev".into(),
                kind: "Pool".into(),
            });
            let batch = CelBatch {
                values: vec![schema(rule)],
                jobs: vec![job],
            };
            match KubeCel.evaluate(&batch).remove(0) {
                CelOutcome::Schema { failures } => failures,
                other => panic!("{other:?}"),
            }
        };
        let failures = compile("object.spec.items.size() > 0");
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].kind, FailureKind::Compile);
        assert_eq!(
            compile("self.items.all(i, i.size() > 0 && i != kind)"),
            vec![]
        );
        assert_eq!(
            compile("self.items.exists_one(x, x == 'a') || self.items.map(y, y + 'z').size() > 0"),
            vec![]
        );
    }

    #[test]
    fn a_policy_reads_params_variables_and_message_expressions() {
        let job = PolicyJob {
            has_param_kind: true,
            object: Some(0),
            params: Some(1),
            namespace_object: None,
            request: AdmissionRequest {
                operation: "CREATE".into(),
                ..AdmissionRequest::default()
            },
            match_conditions: vec![NamedExpression {
                name: "creating".into(),
                expression: "request.operation == 'CREATE'".into(),
            }],
            variables: vec![NamedExpression {
                name: "replicas".into(),
                expression: "object.spec.replicas".into(),
            }],
            validations: vec![
                Validation {
                    expression: "variables.replicas <= params.maxReplicas".into(),
                    message: None,
                    message_expression: Some(
                        "'at most ' + string(params.maxReplicas) + ' replicas'".into(),
                    ),
                },
                Validation {
                    expression: "object.spec.replicas >".into(),
                    message: None,
                    message_expression: None,
                },
            ],
        };
        let out = KubeCel.evaluate(&CelBatch {
            values: vec![
                serde_json::json!({"spec": {"replicas": 7}}),
                serde_json::json!({"maxReplicas": 5}),
            ],
            jobs: vec![CelJob::Policy(Box::new(job))],
        });
        let CelOutcome::Policy(outcome) = &out[0] else {
            panic!("{out:?}")
        };
        assert_eq!(outcome.failures.len(), 1, "{outcome:?}");
        assert_eq!(outcome.failures[0].message, "at most 5 replicas");
        assert_eq!(outcome.compile_errors.len(), 1);
        assert_eq!(
            outcome.compile_errors[0].place,
            ExpressionPlace::Validation(1)
        );
    }
}
