//! Custom resources checked against the `openAPIV3Schema` of their CustomResourceDefinition,
//! when the set holds it: unknown fields (unless `x-kubernetes-preserve-unknown-fields` or
//! `additionalProperties` lets them in), types (with `x-kubernetes-int-or-string`), required
//! fields and enums, reported as the built-in kinds' problems are, and the schema's limits
//! (`minimum`, `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`, `format` and
//! `pattern`). A custom resource
//! whose CRD is not in the set is not judged.

use std::borrow::Cow;

use super::shape::{found, join, Issue, Problem, Seg};
use crate::model::{K8sObject, Workspace};
use crate::similarity::nearest;
use crate::text::TextRange;
use crate::yaml::{Node, NodeKind, ScalarStyle, ScalarValue};

/// The schema of each served version of each CRD in the set.
pub struct Crds<'a> {
    versions: Vec<CrdVersion<'a>>,
}

/// A served version of a CRD of the set.
#[derive(Clone, Copy)]
pub struct CrdVersion<'a> {
    /// The CRD's object index.
    pub crd: usize,
    pub group: &'a str,
    pub kind: &'a str,
    pub version: &'a str,
    /// Its `openAPIV3Schema`.
    pub schema: &'a Node,
}

impl<'a> Crds<'a> {
    pub fn read(ws: &Workspace<'a>) -> Self {
        let mut versions = Vec::new();
        for &index in ws.indexes_of_kind("CustomResourceDefinition") {
            let crd = &ws.objects[index];
            if !crd.api_version.starts_with("apiextensions.k8s.io/") {
                continue;
            }
            let spec = crd.node.get("spec");
            let text = |path: &[&str]| spec.and_then(|s| s.path(path)).and_then(Node::as_str);
            let (Some(group), Some(kind)) = (text(&["group"]), text(&["names", "kind"])) else {
                continue;
            };
            // v1beta1 (removed in 1.22) kept one schema for every version.
            let shared = spec.and_then(|s| s.path(&["validation", "openAPIV3Schema"]));
            let listed = spec
                .and_then(|s| s.get("versions"))
                .map(Node::items)
                .unwrap_or_default();
            let served = |version, schema| CrdVersion {
                crd: index,
                group,
                kind,
                version,
                schema,
            };
            for version in listed {
                let Some(name) = version.get("name").and_then(Node::as_str) else {
                    continue;
                };
                if version.get("served").and_then(Node::as_bool) == Some(false) {
                    continue;
                }
                let schema = version.path(&["schema", "openAPIV3Schema"]).or(shared);
                if let Some(schema) = schema {
                    versions.push(served(name, schema));
                }
            }
            if let (Some(name), Some(schema)) = (text(&["version"]), shared) {
                versions.push(served(name, schema));
            }
        }
        Self { versions }
    }

    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// Every served version of every CRD of the set.
    pub fn versions(&self) -> impl Iterator<Item = &CrdVersion<'a>> + '_ {
        self.versions.iter()
    }

    /// Whether a CRD of the set defines `kind` in the group of `api_version` (any version).
    pub fn defines(&self, api_version: &str, kind: &str) -> bool {
        let group = api_version.split_once('/').map_or("", |(g, _)| g);
        self.versions
            .iter()
            .any(|v| v.group == group && v.kind == kind)
    }

    /// The schema of `object`'s apiVersion and kind, if a CRD in the set defines it.
    fn schema_of(&self, object: &K8sObject<'a>) -> Option<&'a Node> {
        let (group, version) = object.api_version.split_once('/')?;
        self.versions
            .iter()
            .find(|v| v.group == group && v.kind == object.kind && v.version == version)
            .map(|v| v.schema)
    }

    /// A CRD of the set has the object's group but not its version or kind: the apiVersion
    /// or kind the CRD serves instead (`apiVersion: backup.acme.dev/v1`, `kind: BackupSchedule`).
    fn served_instead(&self, object: &K8sObject<'a>) -> Option<(&'static str, String)> {
        let (group, version) = object.api_version.split_once('/')?;
        let of_group: Vec<_> = self.versions.iter().filter(|v| v.group == group).collect();
        if let Some(v) = of_group.iter().find(|v| v.kind == object.kind) {
            return Some(("apiVersion", format!("apiVersion: {group}/{}", v.version)));
        }
        let kinds: Vec<&str> = of_group
            .iter()
            .filter(|v| v.version == version)
            .map(|v| v.kind)
            .collect();
        let kind = kinds
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&object.kind))
            .copied()
            .or_else(|| nearest(&object.kind, kinds.iter().copied()))?;
        Some(("kind", format!("kind: {kind}")))
    }

    /// Checks the custom resource `ws.objects[index]`; nothing when its CRD is not in the set.
    pub fn check(&self, ws: &Workspace<'a>, index: usize, out: &mut Vec<Issue>) {
        let object = &ws.objects[index];
        let Some(schema) = self.schema_of(object) else {
            if let Some((key, suggestion)) = self.served_instead(object) {
                out.push(Issue {
                    object: index,
                    file: object.file,
                    range: object.node.get(key).map_or(object.node.span, |n| n.span),
                    path: String::new(),
                    field: object.kind.clone(),
                    def: Cow::Borrowed(""),
                    problem: Problem::UnknownKind {
                        suggestion: Some(suggestion),
                    },
                    placeholder: false,
                });
            }
            return;
        };
        let mut patterns = Vec::new();
        let mut walker = Walker {
            object: index,
            kind: &object.kind,
            file: object.file,
            out,
            patterns: &mut patterns,
        };
        walker.value(
            object.node,
            schema,
            &mut Vec::new(),
            object.anchor_range(),
            true,
        );
        check_patterns(ws, patterns, out);
    }
}

struct Walker<'w> {
    object: usize,
    kind: &'w str,
    file: crate::diagnostic::FileId,
    out: &'w mut Vec<Issue>,
    /// Strings with a `pattern` to match, as issues to report if they do not, with the
    /// pattern: regular expressions are the CEL evaluator's to run.
    patterns: &'w mut Vec<(Issue, String)>,
}

/// Reports the strings that do not match their schema's `pattern`, asking the checker's CEL
/// evaluator (which has the regular expressions) in one batch. Without an evaluator the
/// patterns are not judged.
fn check_patterns(ws: &Workspace, patterns: Vec<(Issue, String)>, out: &mut Vec<Issue>) {
    use crate::cel::{CelJob, CelOutcome, PatternCheck};
    let Some(cel) = ws.checker.cel().filter(|_| !patterns.is_empty()) else {
        return;
    };
    let checks = patterns
        .iter()
        .map(|(issue, pattern)| {
            let Problem::Limit { value, .. } = &issue.problem else {
                unreachable!("a pattern's issue is a limit")
            };
            PatternCheck {
                pattern: pattern.clone(),
                value: value.clone(),
            }
        })
        .collect();
    let answer = cel.evaluate(&crate::cel::CelBatch {
        values: Vec::new(),
        jobs: vec![CelJob::Patterns { checks }],
    });
    let Some(CelOutcome::Patterns { matches }) = answer.into_iter().next() else {
        return;
    };
    for ((mut issue, pattern), matched) in patterns.into_iter().zip(matches) {
        // A pattern the evaluator cannot compile is not held against the value.
        if matched == Some(false) {
            if let Problem::Limit { value, limit } = &mut issue.problem {
                *value = format!("`{value}`");
                *limit = format!("matching the pattern `{pattern}`");
            }
            out.push(issue);
        }
    }
}

fn flag(schema: &Node, name: &str) -> bool {
    schema.get(name).and_then(Node::as_bool) == Some(true)
}

/// What a schema's `type` asks for, in words.
fn expected(schema: &Node) -> Option<&'static str> {
    if flag(schema, "x-kubernetes-int-or-string") {
        return None;
    }
    Some(match schema.get("type").and_then(Node::as_str)? {
        "object" => "an object",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "true or false",
        _ => return None,
    })
}

impl Walker<'_> {
    /// `[spec, replicas]` of kind `Widget` -> `Widget.spec`: the object a field is in.
    fn def(&self, path: &[Seg]) -> Cow<'static, str> {
        let parent = join(&path[..path.len().saturating_sub(1)]);
        if parent.is_empty() {
            Cow::Owned(self.kind.to_string())
        } else {
            Cow::Owned(format!("{}.{parent}", self.kind))
        }
    }

    fn push(&mut self, range: TextRange, path: &[Seg], field: &str, problem: Problem) {
        let issue = self.issue(range, path, field, problem);
        self.out.push(issue);
    }

    fn issue(&self, range: TextRange, path: &[Seg], field: &str, problem: Problem) -> Issue {
        Issue {
            placeholder: false,
            object: self.object,
            file: self.file,
            range,
            path: join(path),
            field: field.to_string(),
            def: self.def(path),
            problem,
        }
    }

    /// `node` against `schema`; `key` is where the value was named, for a missing field.
    fn value<'n>(
        &mut self,
        node: &'n Node,
        schema: &'n Node,
        path: &mut Vec<Seg<'n>>,
        key: TextRange,
        top: bool,
    ) {
        let node = node.resolved();
        let field = match path.last() {
            Some(Seg::Key(k)) => k.to_string(),
            Some(Seg::Index(i)) => format!("[{i}]"),
            None => String::new(),
        };
        if let NodeKind::Scalar(s) = &node.kind {
            if s.is_null() {
                // The API server drops a null it does not allow, or takes it as absent.
                return;
            }
        }
        if let Some(expected) = expected(schema) {
            if let Some(problem) = wrong_type(node, expected) {
                self.push(node.span, path, &field, problem);
                return;
            }
        } else if flag(schema, "x-kubernetes-int-or-string") {
            if let Some(problem) = not_int_or_string(node) {
                self.push(node.span, path, &field, problem);
                return;
            }
        }
        if let (Some(allowed), NodeKind::Scalar(s)) = (schema.get("enum"), &node.kind) {
            let allowed: Vec<String> = allowed
                .items()
                .iter()
                .filter_map(|v| match &v.resolved().kind {
                    NodeKind::Scalar(a) => Some(a.text.clone()),
                    _ => None,
                })
                .collect();
            if !allowed.is_empty() && !allowed.contains(&s.text) {
                let fix = allowed
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(&s.text))
                    .cloned()
                    .map(Cow::Owned);
                let problem = Problem::Enum {
                    value: s.text.clone(),
                    allowed: Cow::Owned(allowed),
                    fix,
                };
                self.push(node.span, path, &field, problem);
            }
        }
        if let NodeKind::Scalar(s) = &node.kind {
            if matches!(s.value(), ScalarValue::Str(_)) {
                if let Some(format) = schema.get("format").and_then(Node::as_str) {
                    if let Some(wanted) = super::formats::mismatch(format, &s.text) {
                        let problem = Problem::Limit {
                            value: format!("`{}`", s.text),
                            limit: format!("in the `{format}` format, {wanted}"),
                        };
                        self.push(node.span, path, &field, problem);
                    }
                }
                if let Some(pattern) = schema.get("pattern").and_then(Node::as_str) {
                    let problem = Problem::Limit {
                        value: s.text.clone(),
                        limit: String::new(),
                    };
                    let issue = self.issue(node.span, path, &field, problem);
                    self.patterns.push((issue, pattern.to_string()));
                }
            }
        }
        if let Some(limit) = limit(node, schema) {
            let value = match &node.kind {
                NodeKind::Scalar(s) if matches!(s.value(), ScalarValue::Str(_)) => {
                    format!("`{}` ({} characters)", s.text, s.text.chars().count())
                }
                NodeKind::Scalar(s) => format!("`{}`", s.text),
                _ => format!("{} items long", node.items().len()),
            };
            self.push(node.span, path, &field, Problem::Limit { value, limit });
        }
        match &node.kind {
            NodeKind::Mapping(_) => self.object(node, schema, path, key, top),
            NodeKind::Sequence(_) => {
                if let Some(items) = schema.get("items") {
                    for (i, item) in node.items().iter().enumerate() {
                        path.push(Seg::Index(i));
                        self.value(item, items, path, item.span, false);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn object<'n>(
        &mut self,
        node: &'n Node,
        schema: &'n Node,
        path: &mut Vec<Seg<'n>>,
        key: TextRange,
        top: bool,
    ) {
        let properties = schema.get("properties");
        let additional = schema.get("additionalProperties");
        let open = flag(schema, "x-kubernetes-preserve-unknown-fields")
            || additional.and_then(Node::as_bool) == Some(true)
            // No `properties` and no `additionalProperties`: a schema that says nothing of
            // this object's fields prunes nothing worth a finding.
            || (properties.is_none() && additional.is_none());
        let embedded = flag(schema, "x-kubernetes-embedded-resource");
        let names: Vec<&str> = properties
            .map(|p| p.entries().iter().filter_map(|e| e.key.as_str()).collect())
            .unwrap_or_default();
        for entry in node.entries() {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            // The API server's own fields; `status` is the controller's.
            let own = matches!(name, "apiVersion" | "kind" | "metadata");
            if (top || embedded) && own || top && name == "status" || name == "<<" {
                continue;
            }
            path.push(Seg::Key(name));
            if let Some(field) = properties.and_then(|p| p.get(name)) {
                self.value(&entry.value, field, path, entry.key.span, false);
            } else if let Some(each) = additional.filter(|a| a.is_mapping()) {
                self.value(&entry.value, each, path, entry.key.span, false);
            } else if !open {
                let suggestion = names
                    .iter()
                    .find(|n| n.eq_ignore_ascii_case(name))
                    .copied()
                    .or_else(|| nearest(name, names.iter().copied()))
                    .map(|s| Cow::Owned(s.to_string()));
                let problem = Problem::Unknown {
                    suggestion,
                    belongs: None,
                    versions: None,
                };
                self.push(entry.key.span, path, name, problem);
            }
            path.pop();
        }
        for required in schema.get("required").map(Node::items).unwrap_or_default() {
            let Some(required) = required.as_str() else {
                continue;
            };
            if top && matches!(required, "apiVersion" | "kind" | "metadata") {
                continue;
            }
            let absent = node
                .get(required)
                .is_none_or(|v| matches!(&v.resolved().kind, NodeKind::Scalar(s) if s.is_null()));
            if absent {
                path.push(Seg::Key(required));
                self.push(key, path, required, Problem::Missing);
                path.pop();
            }
        }
    }
}

/// The problem of a value that is not of the schema's type, with the text that is right when
/// it is clear (a number or a boolean quoted, or one that must be quoted).
fn wrong_type(node: &Node, expected: &'static str) -> Option<Problem> {
    let fits = match (&node.kind, expected) {
        (NodeKind::Mapping(_), "an object") | (NodeKind::Sequence(_), "a list") => true,
        (NodeKind::Scalar(s), _) => match (s.value(), expected) {
            (ScalarValue::Str(_), "a string")
            | (ScalarValue::Int(_), "an integer" | "a number")
            | (ScalarValue::Float(_), "a number")
            | (ScalarValue::Bool(_), "true or false") => true,
            // `3.0` is the integer 3 in JSON.
            (ScalarValue::Float(f), "an integer") => f.fract() == 0.0,
            _ => false,
        },
        _ => false,
    };
    if fits {
        return None;
    }
    let fix = match &node.kind {
        NodeKind::Scalar(s) if expected == "a string" => {
            Some(serde_json::to_string(&s.text).unwrap_or_else(|_| s.text.clone()))
        }
        NodeKind::Scalar(s) if s.style != ScalarStyle::Plain => {
            let unquoted = crate::yaml::resolve_plain(&s.text);
            let right = matches!(
                (unquoted, expected),
                (ScalarValue::Int(_), "an integer" | "a number")
                    | (ScalarValue::Float(_), "a number")
                    | (ScalarValue::Bool(_), "true or false")
            );
            right.then(|| s.text.clone())
        }
        _ => None,
    };
    Some(Problem::WrongType {
        expected: expected.to_string(),
        found: found(node),
        fix,
    })
}

/// The first of the schema's limits that `node` breaks, in words.
fn limit(node: &Node, schema: &Node) -> Option<String> {
    let number = |key: &str| {
        schema.get(key).and_then(|n| match n.as_scalar()?.value() {
            ScalarValue::Int(i) => Some(i as f64),
            ScalarValue::Float(f) => Some(f),
            _ => None,
        })
    };
    let shown = |f: f64| {
        if f.fract() == 0.0 && f.abs() < 1e15 {
            format!("{}", f as i64)
        } else {
            format!("{f}")
        }
    };
    // A length or a count against the schema's (min, max) keys.
    let sized = |size: f64, (min, max): (&str, &str), unit: &str| {
        if let Some(min) = number(min).filter(|min| size < *min) {
            return Some(format!("at least {} {unit}", shown(min)));
        }
        number(max)
            .filter(|max| size > *max)
            .map(|max| format!("at most {} {unit}", shown(max)))
    };
    match &node.kind {
        NodeKind::Scalar(s) => match s.value() {
            ScalarValue::Int(_) | ScalarValue::Float(_) => {
                let value = match s.value() {
                    ScalarValue::Int(i) => i as f64,
                    ScalarValue::Float(f) => f,
                    _ => return None,
                };
                let exclusive = |key: &str| flag(schema, key);
                if let Some(min) = number("minimum") {
                    if value < min || exclusive("exclusiveMinimum") && value == min {
                        let than = if exclusive("exclusiveMinimum") {
                            "above"
                        } else {
                            "at least"
                        };
                        return Some(format!("{than} {}", shown(min)));
                    }
                }
                if let Some(max) = number("maximum") {
                    if value > max || exclusive("exclusiveMaximum") && value == max {
                        let than = if exclusive("exclusiveMaximum") {
                            "below"
                        } else {
                            "at most"
                        };
                        return Some(format!("{than} {}", shown(max)));
                    }
                }
                None
            }
            ScalarValue::Str(text) => sized(
                text.chars().count() as f64,
                ("minLength", "maxLength"),
                "characters long",
            ),
            _ => None,
        },
        NodeKind::Sequence(_) => sized(
            node.items().len() as f64,
            ("minItems", "maxItems"),
            "items long",
        ),
        _ => None,
    }
}

fn not_int_or_string(node: &Node) -> Option<Problem> {
    let fits = matches!(&node.kind, NodeKind::Scalar(s)
        if matches!(s.value(), ScalarValue::Int(_) | ScalarValue::Str(_)));
    (!fits).then(|| Problem::WrongType {
        expected: "a number or a name".to_string(),
        found: found(node),
        fix: None,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::api::shape::Problem;
    use crate::SourceFile;

    const SET: &str =
        include_str!("../../../../../tests/fixtures/custom-resources/backup-schedule.yaml");

    fn issues() -> Vec<(String, String, Problem)> {
        let files = [SourceFile::new("backup.yaml", SET)];
        let parsed = crate::model::Parsed::new(&files);
        let ws = crate::model::Workspace::new(&parsed);
        ws.shape_issues()
            .iter()
            .map(|issue| {
                let name = ws.objects[issue.object].name.clone().unwrap_or_default();
                (name, issue.path.clone(), issue.problem.clone())
            })
            .collect()
    }

    #[test]
    fn a_custom_resource_is_checked_against_its_crd_in_the_set() {
        let issues = issues();
        let served = |name: &str| {
            issues
                .iter()
                .find(|(n, ..)| n == name)
                .map(|(.., p)| p.clone())
        };
        assert_eq!(
            served("ledger-weekly"),
            Some(Problem::UnknownKind {
                suggestion: Some("apiVersion: backup.acme.dev/v1".into())
            })
        );
        assert_eq!(
            served("ledger-monthly"),
            Some(Problem::UnknownKind {
                suggestion: Some("kind: BackupSchedule".into())
            })
        );
        let issues: Vec<_> = issues
            .into_iter()
            .filter(|(n, ..)| n != "ledger-weekly" && n != "ledger-monthly")
            .collect();
        assert!(
            issues.iter().all(|(name, ..)| name == "ledger-hourly"),
            "only the bad schedule: {issues:#?}"
        );
        let at = |path: &str| {
            issues
                .iter()
                .find(|(_, p, _)| p == path)
                .map(|(.., problem)| problem.clone())
                .unwrap_or_else(|| panic!("nothing at {path}: {issues:#?}"))
        };
        assert!(matches!(at("spec.retension"),
            Problem::Unknown { suggestion: Some(s), .. } if s == "retention"));
        assert!(matches!(at("spec.mode"),
            Problem::Enum { fix: Some(f), .. } if f == "Full"));
        assert!(matches!(at("spec.suspend"),
            Problem::WrongType { fix: Some(f), .. } if f == "false"));
        assert!(matches!(
            at("spec.port"),
            Problem::WrongType { fix: None, .. }
        ));
        assert!(matches!(at("spec.labels.tier"),
            Problem::WrongType { fix: Some(f), .. } if f == "\"1\""));
        assert_eq!(at("spec.schedule"), Problem::Missing);
        assert_eq!(at("spec.targets[0].name"), Problem::Missing);
        assert_eq!(issues.len(), 7, "{issues:#?}");
    }
}
