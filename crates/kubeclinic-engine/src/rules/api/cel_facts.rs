//! Every CEL expression the set asks to evaluate, evaluated once for the three rules that
//! report on them (`crd-validation-rule`, `admission-policy-violation`,
//! `cel-expression-error`): the `x-kubernetes-validations` of the CRDs in the set against
//! their custom resources, and the ValidatingAdmissionPolicies of the set, through their
//! bindings, against every object they match.

use std::collections::BTreeMap;

use std::collections::HashMap;

use crate::cel::{
    AdmissionRequest, CelBatch, CelJob, CelOutcome, NamedExpression, PolicyJob, SchemaJob,
    Validation, ValueRef,
};
use crate::diagnostic::Severity;
use crate::labels::{selector_matches, Labels};
use crate::model::{K8sObject, Workspace};
use crate::text::TextRange;
use crate::yaml::{to_json, Node, NodeKind};

pub const POLICY: &str = "ValidatingAdmissionPolicy";
pub const BINDING: &str = "ValidatingAdmissionPolicyBinding";

/// What was evaluated, and the answer (`None` when the checker has no CEL evaluator).
pub struct CelFacts<'a> {
    pub evaluated: Vec<(Subject<'a>, Option<CelOutcome>)>,
    /// Policies that apply to objects of the set but could not be evaluated, and why.
    pub not_evaluated: Vec<(usize, Option<usize>, String)>,
}

pub enum Subject<'a> {
    /// A CRD version's rules; `object` is the custom resource, `None` to compile them alone.
    Crd {
        crd: usize,
        schema: &'a Node,
        object: Option<usize>,
    },
    Policy(PolicySubject<'a>),
}

pub struct PolicySubject<'a> {
    pub policy: usize,
    pub binding: Option<usize>,
    /// `None`: the policy's expressions compiled alone.
    pub object: Option<usize>,
    pub params: Option<usize>,
    /// The severity of a failure, from the binding's `validationActions`.
    pub severity: Severity,
    /// `failurePolicy: Fail` (the default): an expression that raises an error refuses the
    /// request as a failed validation does; with `Ignore` the error is let through.
    pub fail_closed: bool,
    /// The namespace's labels were not in the set, so its `namespaceSelector` was taken as
    /// matching.
    pub namespace_assumed: bool,
    /// Where each expression of the policy is written.
    pub expressions: Expressions<'a>,
}

/// The expression nodes of a policy, by kind and index.
#[derive(Clone, Default)]
pub struct Expressions<'a> {
    pub match_conditions: Vec<&'a Node>,
    pub variables: Vec<&'a Node>,
    pub validations: Vec<&'a Node>,
    pub message_expressions: Vec<Option<&'a Node>>,
}

impl<'a> CelFacts<'a> {
    pub fn read(ws: &Workspace<'a>) -> Self {
        let mut subjects = Vec::new();
        let mut jobs = Jobs::default();
        let mut not_evaluated = Vec::new();
        crd_jobs(ws, &mut subjects, &mut jobs);
        policy_jobs(ws, &mut subjects, &mut jobs, &mut not_evaluated);
        let count = jobs.batch.jobs.len();
        let outcomes: Vec<Option<CelOutcome>> = match ws.checker.cel() {
            Some(cel) if count > 0 => {
                let mut answers = cel.evaluate(&jobs.batch).into_iter();
                (0..count).map(|_| answers.next()).collect()
            }
            _ => vec![None; count],
        };
        Self {
            evaluated: subjects.into_iter().zip(outcomes).collect(),
            not_evaluated,
        }
    }
}

/// The batch being gathered, with each node's JSON made once.
#[derive(Default)]
struct Jobs {
    batch: CelBatch,
    made: HashMap<*const Node, Option<ValueRef>>,
}

impl Jobs {
    /// The batch's value of `node` (`None` when it cannot be JSON).
    fn value(&mut self, node: &Node) -> Option<ValueRef> {
        let batch = &mut self.batch;
        *self
            .made
            .entry(std::ptr::from_ref(node))
            .or_insert_with(|| {
                let json = to_json(node)?;
                batch.values.push(json);
                Some(batch.values.len() - 1)
            })
    }

    fn push(&mut self, job: CelJob) {
        self.batch.jobs.push(job);
    }
}

/// True when a schema holds an `x-kubernetes-validations` list anywhere.
fn has_rules(schema: &Node) -> bool {
    let mut stack = vec![schema];
    let mut seen = 0usize;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > crate::yaml::MAX_EXPANDED_NODES {
            return false;
        }
        let node = node.resolved();
        for e in node.entries() {
            if e.key.as_str() == Some("x-kubernetes-validations") && !e.value.items().is_empty() {
                return true;
            }
            stack.push(&e.value);
        }
        stack.extend(node.items());
    }
    false
}

fn crd_jobs<'a>(ws: &Workspace<'a>, subjects: &mut Vec<Subject<'a>>, jobs: &mut Jobs) {
    let crds = ws.crds();
    let with_rules: Vec<_> = crds.versions().filter(|v| has_rules(v.schema)).collect();
    if with_rules.is_empty() {
        return;
    }
    for v in &with_rules {
        let Some(schema) = jobs.value(v.schema) else {
            continue;
        };
        subjects.push(Subject::Crd {
            crd: v.crd,
            schema: v.schema,
            object: None,
        });
        jobs.push(CelJob::Schema(SchemaJob {
            schema,
            object: None,
            api_version: format!("{}/{}", v.group, v.version),
            api_group: v.group.to_string(),
            kind: v.kind.to_string(),
        }));
    }
    for (index, object) in ws.objects.iter().enumerate() {
        if !object.is_custom_resource() {
            continue;
        }
        let Some(v) = with_rules.iter().find(|v| {
            object.kind == v.kind && object.api_version == format!("{}/{}", v.group, v.version)
        }) else {
            continue;
        };
        let (Some(schema), Some(json)) = (jobs.value(v.schema), jobs.value(object.node)) else {
            continue;
        };
        subjects.push(Subject::Crd {
            crd: v.crd,
            schema: v.schema,
            object: Some(index),
        });
        jobs.push(CelJob::Schema(SchemaJob {
            schema,
            object: Some(json),
            api_version: object.api_version.clone(),
            api_group: v.group.to_string(),
            kind: v.kind.to_string(),
        }));
    }
}

/// A policy of the set, read.
struct Policy<'a> {
    index: usize,
    name: &'a str,
    spec: &'a Node,
    param_kind: Option<(&'a str, &'a str)>,
    constraints: Option<Constraints<'a>>,
    conditions: Vec<NamedExpression>,
    variables: Vec<NamedExpression>,
    validations: Vec<Validation>,
    expressions: Expressions<'a>,
}

fn text<'n>(node: &'n Node, key: &str) -> Option<&'n str> {
    node.get(key).and_then(Node::as_str)
}

fn read_policy<'a>(index: usize, object: &K8sObject<'a>) -> Option<Policy<'a>> {
    let spec = object.node.get("spec")?;
    let name = object
        .node
        .path(&["metadata", "name"])
        .and_then(Node::as_str)?;
    let mut expressions = Expressions::default();
    let named = |list: Option<&'a Node>, nodes: &mut Vec<&'a Node>| -> Vec<NamedExpression> {
        let mut out = Vec::new();
        for item in list.map(Node::items).unwrap_or_default() {
            let Some(expr) = item.get("expression") else {
                continue;
            };
            let Some(e) = expr.as_str() else { continue };
            nodes.push(expr);
            out.push(NamedExpression {
                name: text(item, "name").unwrap_or_default().to_string(),
                expression: e.to_string(),
            });
        }
        out
    };
    let conditions = named(
        spec.get("matchConditions"),
        &mut expressions.match_conditions,
    );
    let variables = named(spec.get("variables"), &mut expressions.variables);
    let mut validations = Vec::new();
    for item in spec.get("validations").map(Node::items).unwrap_or_default() {
        let Some(expr) = item.get("expression") else {
            continue;
        };
        let Some(e) = expr.as_str() else { continue };
        expressions.validations.push(expr);
        expressions
            .message_expressions
            .push(item.get("messageExpression"));
        validations.push(Validation {
            expression: e.to_string(),
            message: text(item, "message").map(str::to_string),
            message_expression: text(item, "messageExpression").map(str::to_string),
        });
    }
    let param_kind = spec
        .get("paramKind")
        .and_then(|p| Some((text(p, "apiVersion")?, text(p, "kind")?)));
    Some(Policy {
        index,
        name,
        spec,
        param_kind,
        constraints: spec.get("matchConstraints").map(Constraints::read),
        conditions,
        variables,
        validations,
        expressions,
    })
}

/// `Deployment` -> `deployments`, as resource rules name kinds.
pub fn resource_of(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower == "endpoints" {
        lower
    } else if let Some(stem) = lower
        .strip_suffix('y')
        .filter(|s| !s.ends_with(['a', 'e', 'o', 'u']))
    {
        format!("{stem}ies")
    } else if lower.ends_with('s') || lower.ends_with('x') || lower.ends_with("ch") {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    }
}

fn strings(node: Option<&Node>) -> Vec<&str> {
    node.map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect()
}

type LabelSelector = k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// One `resourceRules` item, read.
struct ResourceRule<'n> {
    groups: Vec<&'n str>,
    versions: Vec<&'n str>,
    resources: Vec<&'n str>,
    operations: Vec<&'n str>,
}

impl<'n> ResourceRule<'n> {
    fn read(rule: &'n Node) -> Self {
        Self {
            groups: strings(rule.get("apiGroups")),
            versions: strings(rule.get("apiVersions")),
            resources: strings(rule.get("resources")),
            operations: strings(rule.get("operations")),
        }
    }

    /// True when it takes in the creation of `resource` in `group`/`version`.
    fn matches(&self, group: &str, version: &str, resource: &str) -> bool {
        let any = |list: &[&str], want: &str| list.iter().any(|x| *x == "*" || *x == want);
        any(&self.groups, group)
            && any(&self.versions, version)
            && any(&self.resources, resource)
            && (self.operations.is_empty() || any(&self.operations, "CREATE"))
    }
}

fn labels_of<'n>(node: &'n Node) -> Labels<'n> {
    node.path(&["metadata", "labels"])
        .map(|l| l.string_map().into_iter().map(|(k, v, _)| (k, v)).collect())
        .unwrap_or_default()
}

/// A policy's `matchConstraints` or a binding's `matchResources`, read once.
struct Constraints<'n> {
    /// `None`: no `resourceRules` (a binding's `matchResources` may leave them out).
    rules: Option<Vec<ResourceRule<'n>>>,
    exclude: Vec<ResourceRule<'n>>,
    object_selector: Option<LabelSelector>,
    namespace_selector: Option<LabelSelector>,
}

impl<'n> Constraints<'n> {
    fn read(node: &'n Node) -> Self {
        let selector = |key: &str| {
            node.get(key)
                .and_then(|n| crate::yaml::typed::<LabelSelector>(n).ok())
                .filter(|s| !crate::labels::selects_everything(s))
        };
        Self {
            rules: node
                .get("resourceRules")
                .map(|r| r.items().iter().map(ResourceRule::read).collect()),
            exclude: node
                .get("excludeResourceRules")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .map(ResourceRule::read)
                .collect(),
            object_selector: selector("objectSelector"),
            namespace_selector: selector("namespaceSelector"),
        }
    }

    /// Whether these constraints take in the object, whose resource name is `resource`. The
    /// second value is true when a namespace selector was taken as matching because the
    /// namespace's labels are not in the set.
    fn matches(&self, ws: &Workspace, object: &K8sObject, resource: &str) -> (bool, bool) {
        let (group, version) = object
            .api_version
            .split_once('/')
            .unwrap_or(("", object.api_version.as_str()));
        let by_rules = self
            .rules
            .as_ref()
            .is_none_or(|rules| rules.iter().any(|r| r.matches(group, version, resource)));
        if !by_rules
            || self
                .exclude
                .iter()
                .any(|r| r.matches(group, version, resource))
        {
            return (false, false);
        }
        if let Some(sel) = &self.object_selector {
            if !selector_matches(sel, &labels_of(object.node)) {
                return (false, false);
            }
        }
        let mut assumed = false;
        if let (Some(sel), Some(ns)) = (&self.namespace_selector, object.effective_namespace()) {
            match ws
                .objects_of_kind("Namespace")
                .find(|n| n.name.as_deref() == Some(ns))
            {
                Some(namespace) => {
                    let mut labels = labels_of(namespace.node);
                    labels.insert("kubernetes.io/metadata.name", ns);
                    if !selector_matches(sel, &labels) {
                        return (false, false);
                    }
                }
                None => assumed = true,
            }
        }
        (true, assumed)
    }
}

fn severity_of(actions: &[&str]) -> Severity {
    if actions.is_empty() || actions.contains(&"Deny") {
        Severity::Error
    } else if actions.contains(&"Warn") {
        Severity::Warning
    } else {
        Severity::Info
    }
}

fn policy_jobs<'a>(
    ws: &Workspace<'a>,
    subjects: &mut Vec<Subject<'a>>,
    jobs: &mut Jobs,
    not_evaluated: &mut Vec<(usize, Option<usize>, String)>,
) {
    let policies: Vec<Policy<'a>> = ws
        .indexes_of_kind(POLICY)
        .iter()
        .filter(|&&i| {
            ws.objects[i]
                .api_version
                .starts_with("admissionregistration.k8s.io/")
        })
        .filter_map(|&i| read_policy(i, &ws.objects[i]))
        .collect();
    if policies.is_empty() {
        return;
    }
    let bindings: Vec<usize> = ws
        .indexes_of_kind(BINDING)
        .iter()
        .copied()
        .filter(|&i| {
            ws.objects[i]
                .api_version
                .starts_with("admissionregistration.k8s.io/")
        })
        .collect();
    let mut resource_names: std::collections::HashMap<&str, String> =
        std::collections::HashMap::new();
    for policy in &policies {
        let subject = |binding, object, params, severity, namespace_assumed| {
            Subject::Policy(PolicySubject {
                policy: policy.index,
                binding,
                object,
                params,
                severity,
                fail_closed: policy.spec.get("failurePolicy").and_then(Node::as_str)
                    != Some("Ignore"),
                namespace_assumed,
                expressions: policy.expressions.clone(),
            })
        };
        let job = |jobs: &mut Jobs, object: Option<&K8sObject<'a>>, params: Option<usize>| {
            let namespace_object = object
                .and_then(K8sObject::effective_namespace)
                .and_then(|ns| {
                    ws.objects_of_kind("Namespace")
                        .find(|n| n.name.as_deref() == Some(ns))
                })
                .and_then(|n| jobs.value(n.node));
            let object_value = object.and_then(|o| jobs.value(o.node));
            let params = params.and_then(|p| jobs.value(ws.objects[p].node));
            CelJob::Policy(Box::new(PolicyJob {
                has_param_kind: policy.param_kind.is_some(),
                object: object_value,
                params,
                namespace_object,
                request: object.map(request_of).unwrap_or_default(),
                match_conditions: policy.conditions.clone(),
                variables: policy.variables.clone(),
                validations: policy.validations.clone(),
            }))
        };
        // Its expressions, compiled once.
        subjects.push(subject(None, None, None, Severity::Error, false));
        let compiled_alone = job(jobs, None, None);
        jobs.push(compiled_alone);

        let mine: Vec<usize> = bindings
            .iter()
            .copied()
            .filter(|&b| {
                ws.objects[b]
                    .node
                    .path(&["spec", "policyName"])
                    .and_then(Node::as_str)
                    == Some(policy.name)
            })
            .collect();
        // Without a binding the cluster enforces nothing; the set is judged as if bound, at
        // warning level, and the finding says so.
        let bound: Vec<Option<usize>> = if mine.is_empty() {
            vec![None]
        } else {
            mine.into_iter().map(Some).collect()
        };
        for binding in bound {
            let bnode = binding.map(|b| ws.objects[b].node);
            let actions: Vec<&str> =
                strings(bnode.and_then(|b| b.path(&["spec", "validationActions"])));
            let severity = match binding {
                Some(_) => severity_of(&actions),
                None => Severity::Warning,
            };
            // Without constraints a policy matches nothing.
            let Some(constraints) = policy.constraints.as_ref() else {
                continue;
            };
            let resources = bnode
                .and_then(|b| b.path(&["spec", "matchResources"]))
                .map(Constraints::read);
            let candidates: Vec<(usize, bool)> = ws
                .objects
                .iter()
                .enumerate()
                .filter(|(_, o)| o.kind != POLICY && o.kind != BINDING && o.name.is_some())
                .filter_map(|(i, o)| {
                    let resource = resource_names
                        .entry(o.kind.as_str())
                        .or_insert_with(|| resource_of(&o.kind));
                    let (yes, assumed) = constraints.matches(ws, o, resource);
                    if !yes {
                        return None;
                    }
                    let (also, assumed_too) = resources
                        .as_ref()
                        .map_or((true, false), |r| r.matches(ws, o, resource));
                    also.then_some((i, assumed || assumed_too))
                })
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let params: Vec<Option<usize>> = match policy.param_kind {
                None => vec![None],
                Some((api_version, kind)) => {
                    let found = params_of(ws, bnode, api_version, kind);
                    if found.is_empty() {
                        let why = match bnode.and_then(|b| b.path(&["spec", "paramRef"])) {
                            Some(r) => format!(
                                "its parameters ({kind}{}) are not in the set",
                                text(r, "name").map(|n| format!(" {n}")).unwrap_or_default()
                            ),
                            None if binding.is_none() => format!(
                                "it takes parameters ({kind}) and no binding in the set names them"
                            ),
                            None => {
                                format!("its binding names no paramRef for its {kind} parameters")
                            }
                        };
                        not_evaluated.push((policy.index, binding, why));
                        continue;
                    }
                    found.into_iter().map(Some).collect()
                }
            };
            for (object, namespace_assumed) in candidates {
                for &p in &params {
                    subjects.push(subject(
                        binding,
                        Some(object),
                        p,
                        severity,
                        namespace_assumed,
                    ));
                    let evaluated = job(jobs, Some(&ws.objects[object]), p);
                    jobs.push(evaluated);
                }
            }
        }
    }
}

/// The parameter objects a binding's `paramRef` names: by name, or by selector.
fn params_of(ws: &Workspace, binding: Option<&Node>, api_version: &str, kind: &str) -> Vec<usize> {
    let Some(reference) = binding.and_then(|b| b.path(&["spec", "paramRef"])) else {
        return Vec::new();
    };
    let name = text(reference, "name");
    let namespace = text(reference, "namespace");
    let selector = reference.get("selector").and_then(|n| {
        crate::yaml::typed::<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>(n).ok()
    });
    ws.indexes_of_kind(kind)
        .iter()
        .copied()
        .filter(|&i| {
            let o = &ws.objects[i];
            o.api_version == api_version
                && namespace.is_none_or(|ns| o.effective_namespace().is_none_or(|mine| mine == ns))
                && match (name, &selector) {
                    (Some(n), _) => o.name.as_deref() == Some(n),
                    (None, Some(sel)) => selector_matches(sel, &labels_of(o.node)),
                    (None, None) => false,
                }
        })
        .collect()
}

fn request_of(object: &K8sObject) -> AdmissionRequest {
    let (group, version) = object
        .api_version
        .split_once('/')
        .unwrap_or(("", object.api_version.as_str()));
    AdmissionRequest {
        operation: "CREATE".into(),
        name: object.name.clone().unwrap_or_default(),
        namespace: object.effective_namespace().unwrap_or_default().to_string(),
        group: group.into(),
        version: version.into(),
        kind: object.kind.clone(),
        resource: resource_of(&object.kind),
    }
}

/// Where to point for a kube-cel field path of `object` (`spec.items[2].name`, `.spec.x`): the
/// deepest part of the path the object has, as one line: a scalar or flow value itself, a
/// block mapping or list by its key (or, for a list item, its first entry).
pub fn field_range(object: &Node, path: &str) -> TextRange {
    let mut node = object;
    let mut key: Option<&Node> = None;
    'walk: for segment in path
        .trim_start_matches('.')
        .split('.')
        .filter(|s| !s.is_empty())
    {
        let (name, indexes) = match segment.find('[') {
            Some(at) => (&segment[..at], &segment[at..]),
            None => (segment, ""),
        };
        let Some(entry) = node.entry(name) else { break };
        node = &entry.value;
        key = Some(&entry.key);
        for index in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            let Some(item) = index
                .parse::<usize>()
                .ok()
                .and_then(|i| node.items().get(i))
            else {
                break 'walk;
            };
            node = item;
            key = None;
        }
    }
    let resolved = node.resolved();
    match (&resolved.kind, key) {
        (NodeKind::Scalar(_), _) => node.span,
        _ if resolved.flow => node.span,
        (_, Some(k)) => k.span,
        (NodeKind::Mapping(entries), None) => entries.first().map_or(node.span, |e| {
            let end = if e.value.as_scalar().is_some() || e.value.flow {
                e.value.span.end
            } else {
                e.key.span.end
            };
            TextRange::new(e.key.span.start, end)
        }),
        _ => node.span,
    }
}

/// The one path of `object` an expression reads (`object.spec.replicas`), if it reads one.
pub fn object_path(expression: &str) -> Option<Vec<&str>> {
    let mut found: BTreeMap<Vec<&str>, ()> = BTreeMap::new();
    let bytes = expression.as_bytes();
    let mut at = 0;
    while let Some(pos) = expression[at..].find("object.") {
        let start = at + pos;
        at = start + "object.".len();
        // `oldObject.`, `namespaceObject.` and `myobject.` are other names.
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let rest = &expression[at..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let mut parts: Vec<&str> = rest[..end].split('.').filter(|s| !s.is_empty()).collect();
        // `object.metadata.name.startsWith(...)`: the last part is a method.
        if rest[end..].starts_with('(') {
            parts.pop();
        }
        if !parts.is_empty() {
            found.insert(parts, ());
        }
    }
    let mut paths = found.into_keys();
    match (paths.next(), paths.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The `rule` node of the schema's `x-kubernetes-validations` item whose rule is `rule`.
pub fn rule_node<'n>(schema: &'n Node, rule: &str) -> Option<&'n Node> {
    let mut stack = vec![schema];
    while let Some(node) = stack.pop() {
        let node = node.resolved();
        for e in node.entries() {
            if e.key.as_str() == Some("x-kubernetes-validations") {
                if let Some(hit) = e
                    .value
                    .items()
                    .iter()
                    .filter_map(|item| item.get("rule"))
                    .find(|r| r.as_str() == Some(rule))
                {
                    return Some(hit);
                }
            }
            stack.push(&e.value);
        }
        stack.extend(node.items());
    }
    None
}

/// Every `x-kubernetes-validations` rule of a schema that reads `oldSelf`: transition rules,
/// which run on updates only.
pub fn transition_rules(schema: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    let mut stack = vec![schema];
    while let Some(node) = stack.pop() {
        let node = node.resolved();
        for e in node.entries() {
            if e.key.as_str() == Some("x-kubernetes-validations") {
                for item in e.value.items() {
                    let optional =
                        item.get("optionalOldSelf").and_then(Node::as_bool) == Some(true);
                    if let Some(rule) = item.get("rule") {
                        if !optional && rule.as_str().is_some_and(reads_old_self) {
                            out.push(rule);
                        }
                    }
                }
            }
            stack.push(&e.value);
        }
        stack.extend(node.items());
    }
    out.sort_by_key(|n| n.span.start);
    out
}

fn reads_old_self(rule: &str) -> bool {
    rule.match_indices("oldSelf").any(|(at, _)| {
        let before = rule[..at].chars().next_back();
        let after = rule[at + "oldSelf".len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expression_reading_one_path_names_it() {
        assert_eq!(
            object_path("object.spec.replicas <= params.maxReplicas"),
            Some(vec!["spec", "replicas"])
        );
        assert_eq!(
            object_path("object.metadata.name.startsWith('prod-')"),
            Some(vec!["metadata", "name"])
        );
        assert_eq!(
            object_path("oldObject.spec.x == object.spec.y"),
            Some(vec!["spec", "y"])
        );
        assert_eq!(object_path("object.spec.a > object.spec.b"), None);
        assert_eq!(object_path("params.x"), None);
    }

    #[test]
    fn resources_are_the_plural_lowercase_kinds() {
        assert_eq!(resource_of("Deployment"), "deployments");
        assert_eq!(resource_of("NetworkPolicy"), "networkpolicies");
        assert_eq!(resource_of("Ingress"), "ingresses");
        assert_eq!(resource_of("Endpoints"), "endpoints");
    }

    #[test]
    fn transition_rules_are_those_reading_old_self() {
        assert!(reads_old_self("self.x == oldSelf.x"));
        assert!(!reads_old_self("self.myoldSelfish == 1"));
    }
}
