//! Every built-in object checked against the API's schema once per check: unknown fields,
//! wrong types, missing required fields, values outside an enum, quantities that do not
//! parse, kinds the API does not have. The rules of this category each report one sort.

use std::borrow::Cow;

use crate::diagnostic::FileId;
use crate::model::{K8sObject, Workspace};
use crate::rules::images::reference::is_placeholder;
use crate::schema::{schema, short_def, Schema, Type};
use crate::settings::KubeVersion;
use crate::similarity::nearest;
use crate::text::TextRange;
use crate::yaml::{Node, NodeKind, ScalarStyle, ScalarValue};

#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// No such field here. `suggestion`: the field meant (`imagePullSecrets`); `belongs`: where
    /// it belongs instead (`spec.template.spec`), when it is a field of another level;
    /// `versions`: the versions that have it, when the target version does not.
    Unknown {
        suggestion: Option<Cow<'static, str>>,
        belongs: Option<String>,
        versions: Option<(KubeVersion, KubeVersion)>,
    },
    /// The value is of the wrong type; `fix` is the text that is right, when it is clear.
    WrongType {
        expected: String,
        found: &'static str,
        fix: Option<String>,
    },
    Missing,
    Enum {
        value: String,
        allowed: Cow<'static, [String]>,
        fix: Option<Cow<'static, str>>,
    },
    Quantity {
        value: String,
        fix: Option<String>,
    },
    /// A value outside a limit of a CRD's schema; `limit` is what the value must be: `at
    /// least 1`, `below 1`, `at most 63 characters long`, `at most 5 items long`.
    Limit {
        value: String,
        limit: String,
    },
    /// The apiVersion does not serve the kind; `suggestion`: an apiVersion or kind that does.
    UnknownKind {
        suggestion: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub struct Issue {
    pub object: usize,
    pub file: FileId,
    /// The key of an unknown field, the value of a wrong one, the parent key of a missing one.
    pub range: TextRange,
    /// `spec.template.spec.containers[0].imagePullPolicy`.
    pub path: String,
    pub field: String,
    /// The definition the field is (or should be) in: `Container`, or a custom resource's kind.
    pub def: Cow<'static, str>,
    pub problem: Problem,
    /// The value is a placeholder a pipeline was meant to replace (`PORT`, `${SIZE}`).
    pub placeholder: bool,
}

/// Checks every built-in object of the set.
pub fn read(ws: &Workspace) -> Vec<Issue> {
    let s = schema();
    let target = ws
        .checker
        .kubernetes_version()
        .clamp(s.oldest(), s.newest());
    let mut out = Vec::new();
    // Custom resources have their own schemas: their CRDs', when the set holds them.
    let crds = ws.crds();
    for (index, object) in ws.objects.iter().enumerate() {
        if object.is_live() {
            // A live object was accepted already.
            continue;
        }
        if object.is_custom_resource() {
            if !crds.is_empty() {
                crds.check(ws, index, &mut out);
            }
            continue;
        }
        if super::versions::retired(&object.api_version, &object.kind).is_some() {
            // deprecated-api says what to move to; its fields are the old version's.
            continue;
        }
        let served = s
            .kind_versions(&object.api_version, &object.kind)
            .is_none_or(|(from, to)| from <= target && target <= to);
        let def = match s.kind(&object.api_version, &object.kind) {
            Some(def) if served => def,
            _ => {
                if let Some(issue) = unknown_kind(s, index, object, target) {
                    out.push(issue);
                }
                continue;
            }
        };
        let mut walker = Walker {
            s,
            target,
            object: index,
            file: object.file,
            out: &mut out,
        };
        walker.object(
            object.node,
            def,
            &mut Vec::new(),
            object.anchor_range(),
            &mut vec![def],
        );
    }
    out
}

/// A built-in group with a kind or version it does not serve (`apps/v1` `Deploymnet`,
/// `apps/v1beta3`); retired versions are `deprecated-api`'s.
fn unknown_kind(
    s: &'static Schema,
    index: usize,
    o: &K8sObject,
    target: KubeVersion,
) -> Option<Issue> {
    if super::versions::retired(&o.api_version, &o.kind).is_some() {
        return None;
    }
    let group = o.api_version.split_once('/').map_or("", |(g, _)| g);
    // Only groups the API serves: `audit.k8s.io` policies, kubeadm and kubelet configuration
    // files and kubeconfigs (`v1` `Config`) are files, not objects.
    if !s.serves_group(group) || (o.api_version == "v1" && o.kind == "Config") {
        return None;
    }
    let served = |api: &str| {
        s.kind_versions(api, &o.kind)
            .is_none_or(|(from, to)| from <= target && target <= to)
    };
    let mut versions: Vec<&str> = s
        .api_versions_of(&o.kind)
        .filter(|api| *api != o.api_version && served(api))
        .collect();
    versions.sort_unstable();
    let suggestion = if !versions.is_empty() {
        // The kind exists: the version is wrong. Prefer the same group's version.
        versions
            .iter()
            .find(|v| v.split_once('/').map_or("", |(g, _)| g) == group)
            .or_else(|| versions.first())
            .map(|v| format!("apiVersion: {v}"))
    } else {
        let kinds: Vec<&str> = s.kinds_of(&o.api_version).collect();
        let case = kinds
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&o.kind))
            .copied();
        case.or_else(|| nearest(&o.kind, kinds.iter().copied()))
            .map(|k| format!("kind: {k}"))
    };
    if versions.is_empty() && suggestion.is_none() && s.kinds_of(&o.api_version).next().is_none() {
        // An apiVersion the table does not know at all, and no kind to offer: a group too new
        // or too exotic to judge.
        if !group.is_empty() && group.contains('.') {
            return None;
        }
    }
    let range = o
        .node
        .get(if versions.is_empty() {
            "kind"
        } else {
            "apiVersion"
        })
        .map_or(o.node.span, |n| n.span);
    Some(Issue {
        object: index,
        file: o.file,
        range,
        path: String::new(),
        field: o.kind.clone(),
        def: Cow::Borrowed(""),
        problem: Problem::UnknownKind { suggestion },
        placeholder: false,
    })
}

struct Walker<'w> {
    s: &'static Schema,
    target: KubeVersion,
    object: usize,
    file: FileId,
    out: &'w mut Vec<Issue>,
}

impl Walker<'_> {
    fn push(
        &mut self,
        range: TextRange,
        path: &[Seg],
        field: &str,
        def: &'static str,
        problem: Problem,
    ) {
        self.push_at(range, path, field, def, problem, false);
    }

    fn push_at(
        &mut self,
        range: TextRange,
        path: &[Seg],
        field: &str,
        def: &'static str,
        problem: Problem,
        placeholder: bool,
    ) {
        self.out.push(Issue {
            placeholder,
            object: self.object,
            file: self.file,
            range,
            path: join(path),
            field: field.to_string(),
            def: Cow::Borrowed(short_def(def)),
            problem,
        });
    }

    /// `node` should be an object of `def`; `key` is where it was named (for a missing field).
    fn object<'n>(
        &mut self,
        node: &'n Node,
        def: &'static str,
        path: &mut Vec<Seg<'n>>,
        key: TextRange,
        ancestors: &mut Vec<&'static str>,
    ) {
        let node = node.resolved();
        let top = path.is_empty();
        for entry in node.entries() {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            if top && name == "status" || name == "<<" {
                continue;
            }
            path.push(Seg::Key(name));
            match self.s.field(def, name) {
                None => {
                    let problem = self.unknown(def, name, ancestors);
                    self.push(entry.key.span, path, name, def, problem);
                }
                Some(field) => {
                    if let Some((from, to)) = field.versions {
                        if self.target < from || self.target > to {
                            self.push(
                                entry.key.span,
                                path,
                                name,
                                def,
                                Problem::Unknown {
                                    suggestion: None,
                                    belongs: None,
                                    versions: Some((from, to)),
                                },
                            );
                            path.pop();
                            continue;
                        }
                    }
                    self.value(
                        &entry.value,
                        &field.ty,
                        field.enum_values,
                        path,
                        name,
                        def,
                        entry.key.span,
                        ancestors,
                    );
                }
            }
            path.pop();
        }
        for required in self.s.required(def, self.target) {
            if required == "apiVersion" || required == "kind" {
                continue;
            }
            // An empty value (`containerPort:`) is null, which the API server takes as absent.
            let absent = node
                .get(required)
                .is_none_or(|v| matches!(&v.resolved().kind, NodeKind::Scalar(s) if s.is_null()));
            if absent && node.is_mapping() {
                path.push(Seg::Key(required));
                self.push(key, path, required, def, Problem::Missing);
                path.pop();
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn value<'n>(
        &mut self,
        node: &'n Node,
        ty: &Type<'static>,
        enum_values: Option<&'static [String]>,
        path: &mut Vec<Seg<'n>>,
        name: &str,
        def: &'static str,
        key: TextRange,
        ancestors: &mut Vec<&'static str>,
    ) {
        let node = node.resolved();
        let null = matches!(&node.kind, NodeKind::Scalar(s) if s.is_null());
        if null {
            return;
        }
        let wrong = |expected: &Type, fix: Option<String>| Problem::WrongType {
            expected: expected.describe(),
            found: found(node),
            fix,
        };
        match ty {
            Type::Any => {}
            Type::Object(inner) => {
                if node.is_mapping() {
                    ancestors.push(inner);
                    self.object(node, inner, path, key, ancestors);
                    ancestors.pop();
                } else {
                    self.push(node.span, path, name, def, wrong(ty, None));
                }
            }
            Type::Array(item) => {
                if let NodeKind::Sequence(items) = &node.kind {
                    for (i, item_node) in items.iter().enumerate() {
                        path.push(Seg::Index(i));
                        self.value(
                            item_node,
                            item,
                            enum_values,
                            path,
                            name,
                            def,
                            item_node.span,
                            ancestors,
                        );
                        path.pop();
                    }
                } else {
                    // `args: --verbose` for `args: ["--verbose"]`.
                    let fix = match (&**item, node.as_scalar()) {
                        (Type::String, Some(s)) if !node.flow => {
                            Some(format!("[{}]", source_scalar(s)))
                        }
                        _ => None,
                    };
                    self.push(node.span, path, name, def, wrong(ty, fix));
                }
            }
            Type::Map(value_ty) => {
                if node.is_mapping() {
                    for entry in node.entries() {
                        let Some(k) = entry.key.as_str() else {
                            continue;
                        };
                        path.push(Seg::Key(k));
                        let field = format!("{name}[{k}]");
                        self.value(
                            &entry.value,
                            value_ty,
                            None,
                            path,
                            &field,
                            def,
                            entry.key.span,
                            ancestors,
                        );
                        path.pop();
                    }
                } else {
                    self.push(node.span, path, name, def, wrong(ty, None));
                }
            }
            scalar_ty => {
                let Some(scalar) = node.as_scalar() else {
                    self.push(node.span, path, name, def, wrong(ty, None));
                    return;
                };
                // Most values are plain strings: read them without building a copy.
                if scalar.is_surely_string() && matches!(scalar_ty, Type::String | Type::Time) {
                    if let Some(problem) = enum_problem(&scalar.text, enum_values) {
                        self.push(node.span, path, name, def, problem);
                    }
                    return;
                }
                let value = scalar.value();
                let quoted = scalar.style != ScalarStyle::Plain;
                let problem = match (scalar_ty, &value) {
                    (Type::String | Type::Time, ScalarValue::Str(text)) => {
                        enum_problem(text, enum_values)
                    }
                    (Type::String | Type::Time, _) => {
                        Some(wrong(ty, Some(format!("\"{}\"", scalar.text))))
                    }
                    (Type::Integer, ScalarValue::Int(_)) => None,
                    (Type::Number, ScalarValue::Int(_) | ScalarValue::Float(_)) => None,
                    (Type::Boolean, ScalarValue::Bool(_)) => None,
                    (Type::Integer | Type::Number, ScalarValue::Str(text)) => {
                        let numeric = match scalar_ty {
                            Type::Integer => text.trim().parse::<i64>().is_ok(),
                            _ => text.trim().parse::<f64>().is_ok(),
                        };
                        Some(wrong(
                            ty,
                            (quoted && numeric).then(|| text.trim().to_string()),
                        ))
                    }
                    (Type::Boolean, ScalarValue::Str(text)) => {
                        let fix = matches!(text.as_str(), "true" | "false").then(|| text.clone());
                        Some(wrong(ty, fix.filter(|_| quoted)))
                    }
                    (Type::Integer | Type::Number | Type::Boolean, _) => Some(wrong(ty, None)),
                    (Type::IntOrString, ScalarValue::Int(_)) => None,
                    (Type::IntOrString, ScalarValue::Str(text)) => {
                        // A port given as a quoted number is a port name, and a name needs a
                        // letter.
                        let port = name.to_ascii_lowercase().contains("port");
                        (port && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())).then(
                            || Problem::WrongType {
                                expected: "a port number, or the name of a port".into(),
                                found: "a quoted number",
                                fix: Some(text.clone()),
                            },
                        )
                    }
                    (Type::IntOrString, _) => Some(wrong(ty, None)),
                    (Type::Quantity, ScalarValue::Int(i)) if *i >= 0 => None,
                    (Type::Quantity, ScalarValue::Float(f)) if *f >= 0.0 => None,
                    (Type::Quantity, ScalarValue::Str(text)) => crate::quantity::parse(text)
                        .is_none()
                        .then(|| Problem::Quantity {
                            value: text.clone(),
                            fix: quantity_fix(text),
                        }),
                    (Type::Quantity, _) => Some(wrong(ty, None)),
                    _ => None,
                };
                if let Some(problem) = problem {
                    let placeholder = matches!(&value, ScalarValue::Str(t) if is_placeholder(t));
                    self.push_at(node.span, path, name, def, problem, placeholder);
                }
            }
        }
    }

    /// Why a field is not here: a typo of one that is, a field of another level, or nothing
    /// known.
    fn unknown(&self, def: &'static str, name: &str, ancestors: &[&'static str]) -> Problem {
        let names: Vec<&'static str> = self.s.field_names(def).collect();
        let suggestion = names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(name))
            .copied()
            .or_else(|| nearest(name, names.iter().copied()));
        let belongs = if suggestion.is_some() {
            None
        } else {
            self.elsewhere(def, name, ancestors)
        };
        Problem::Unknown {
            suggestion: suggestion.map(Cow::Borrowed),
            belongs,
            versions: None,
        }
    }

    /// Where a field of another level belongs: an enclosing object (`spec` under `metadata`),
    /// or an object nested below this one (`containers` in a DeploymentSpec belongs under
    /// `template.spec`).
    fn elsewhere(
        &self,
        def: &'static str,
        name: &str,
        ancestors: &[&'static str],
    ) -> Option<String> {
        for ancestor in ancestors.iter().rev().skip(1) {
            if self.s.field(ancestor, name).is_some() {
                return Some(format!(
                    "a field of {}, one level up or more: check its indentation",
                    short_def(ancestor)
                ));
            }
        }
        // Breadth-first through this object's nested objects, three levels deep.
        let mut frontier: Vec<(&'static str, String)> = vec![(def, String::new())];
        for _ in 0..3 {
            let mut next = Vec::new();
            for (d, at) in &frontier {
                for field in self.s.field_names(d) {
                    let Some(f) = self.s.field(d, field) else {
                        continue;
                    };
                    let inner = match f.ty {
                        Type::Object(inner) => inner,
                        _ => continue,
                    };
                    let here = if at.is_empty() {
                        field.to_string()
                    } else {
                        format!("{at}.{field}")
                    };
                    if self.s.field(inner, name).is_some() {
                        return Some(format!("a field of {}, under `{here}`", short_def(inner)));
                    }
                    next.push((inner, here));
                }
            }
            frontier = next;
        }
        None
    }
}

fn enum_problem(text: &str, allowed: Option<&'static [String]>) -> Option<Problem> {
    let allowed = allowed?;
    if allowed.iter().any(|a| a == text) {
        return None;
    }
    let fix = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(text.trim()))
        .map(String::as_str);
    Some(Problem::Enum {
        value: text.to_string(),
        allowed: Cow::Borrowed(allowed),
        fix: fix.map(Cow::Borrowed),
    })
}

/// `512mb` -> `512Mi`, `2GB` -> `2Gi`, `0.5cores` -> `500m`, `100K` -> `100Ki`.
fn quantity_fix(text: &str) -> Option<String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let binary = |suffix: &str| Some(format!("{number}{suffix}"));
    match unit.as_str() {
        "kb" | "kib" | "k" if t.ends_with(['K', 'B', 'b']) => binary("Ki"),
        "mb" | "mib" | "mi" => binary("Mi"),
        "gb" | "gib" | "gi" => binary("Gi"),
        "tb" | "tib" | "ti" => binary("Ti"),
        "core" | "cores" | "cpu" | "cpus" | "vcpu" | "vcpus" => {
            if value >= 1.0 && value.fract() == 0.0 {
                Some(number.to_string())
            } else {
                Some(format!("{}m", (value * 1000.0).round() as i64))
            }
        }
        _ => None,
    }
}

/// What a node holds, for messages.
pub(super) fn found(node: &Node) -> &'static str {
    match &node.kind {
        NodeKind::Mapping(_) => "an object",
        NodeKind::Sequence(_) => "a list",
        NodeKind::Scalar(s) => match s.value() {
            ScalarValue::Null => "null",
            ScalarValue::Bool(_) => "a boolean",
            ScalarValue::Int(_) => "an integer",
            ScalarValue::Float(_) => "a number",
            ScalarValue::Str(_) if s.style != ScalarStyle::Plain => "a quoted string",
            ScalarValue::Str(_) => "a string",
        },
        _ => "something else",
    }
}

/// The scalar as it should appear inside a flow list.
fn source_scalar(s: &crate::yaml::Scalar) -> String {
    serde_json::to_string(&s.text).unwrap_or_else(|_| s.text.clone())
}

/// One step of a path: a key, or an index in a list.
#[derive(Clone, Copy)]
pub(super) enum Seg<'n> {
    Key(&'n str),
    Index(usize),
}

/// `[spec, containers, 0, image]` -> `spec.containers[0].image`.
pub(super) fn join(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}
