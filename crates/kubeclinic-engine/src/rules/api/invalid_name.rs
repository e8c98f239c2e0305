use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::images::reference::is_placeholder;
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds names Kubernetes refuses: object names that are not DNS-1123 (`Payment_API`,
    /// `web.`), Service and Namespace names with dots or over 63 characters, container
    /// names with capitals, and label keys and values that break the label syntax (`app: my
    /// app`, a value over 63 characters). Port names are `invalid-port-name`'s.
    ///
    /// ## Why is this bad?
    /// The API server refuses the object (`metadata.name: Invalid value: "Payment_API": a
    /// lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-'
    /// or '.'`), so nothing of it is created.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: Payment_Settings
    /// data:
    ///   CURRENCY: EUR
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: payment-settings
    /// data:
    ///   CURRENCY: EUR
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes the name in lower case with `-` for `_` and spaces; a new name is
    /// a new object, and whatever refers to the old name must follow.
    pub struct InvalidName {
        id: "invalid-name",
        category: Api,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Sort {
    /// DNS-1123 subdomain: most object names.
    Subdomain,
    /// DNS-1123 label: Namespace names, container names.
    Label,
    /// DNS-1035 label: Service names (a letter first).
    ServiceName,
    LabelKey,
    LabelValue,
}

pub struct BadName {
    object: usize,
    file: FileId,
    range: TextRange,
    what: &'static str,
    value: String,
    sort: Sort,
    why: String,
}

impl Rule for InvalidName {
    type State<'a> = BadName;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<BadName> {
        let mut out = Vec::new();
        for (index, o) in ws.objects.iter().enumerate() {
            if o.is_custom_resource() || o.is_live() {
                continue;
            }
            let mut check = |node: &Node, what: &'static str, sort: Sort| {
                out.extend(bad_name(index, o.file, node, what, sort));
            };
            let sort = match o.kind.as_str() {
                // Names with their own rules: RBAC allows `system:` names, CRDs are
                // `<plural>.<group>`, events and leases are named by their owners.
                "Role"
                | "ClusterRole"
                | "RoleBinding"
                | "ClusterRoleBinding"
                | "CustomResourceDefinition"
                | "APIService"
                | "Event"
                | "Node"
                | "Lease" => None,
                "Namespace" => Some(Sort::Label),
                "Service" => Some(Sort::ServiceName),
                _ => Some(Sort::Subdomain),
            };
            if let (Some(sort), Some(name)) = (sort, o.node.path(&["metadata", "name"])) {
                check(name, "name", sort);
            }
            let mut labels = vec![o.node.path(&["metadata", "labels"])];
            for path in [
                &["spec", "template", "metadata", "labels"][..],
                &[
                    "spec",
                    "jobTemplate",
                    "spec",
                    "template",
                    "metadata",
                    "labels",
                ][..],
            ] {
                labels.push(o.node.path(path));
            }
            for map in labels.into_iter().flatten() {
                for entry in map.entries() {
                    check(&entry.key, "label key", Sort::LabelKey);
                    check(&entry.value, "label value", Sort::LabelValue);
                }
            }
        }
        for c in &ws.containers {
            let o = &ws.objects[c.object];
            if o.is_live() {
                continue;
            }
            let mut push = |node: &Node, what: &'static str, sort: Sort| {
                out.extend(bad_name(c.object, o.file, node, what, sort));
            };
            if let Some(name) = c.node.get("name") {
                push(name, "container name", Sort::Label);
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, b: &BadName) -> Diagnostic {
        let o = &ws.objects[b.object];
        Diagnostic {
            file: b.file,
            range: b.range,
            message: format!("`{}` is not a valid {} for {}: {}", b.value, b.what, o.kind, b.why),
            why: format!("The API server refuses the object (`Invalid value: \"{}\"`): nothing of it is created.", b.value),
            help: Some(rules_of(b.sort).into()),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(_ws: &Workspace<'a>, b: &BadName) -> Option<Fix> {
        if matches!(b.sort, Sort::LabelKey | Sort::LabelValue) {
            return None;
        }
        let mut name: String = b
            .value
            .trim()
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c == '_' || c == ' ' { '-' } else { c })
            .collect();
        name = name.trim_matches(['-', '.']).to_string();
        if name == b.value || problem(&name, b.sort).is_some() {
            return None;
        }
        Some(Fix::new(
            format!("Rename to `{name}`"),
            Applicability::Unsafe,
            vec![Edit::replace(b.file, b.range, name)],
        ))
    }
}

/// `node` as a name of `sort`, when it is one the API server refuses (placeholders left
/// for a pipeline are `image-tag-placeholder`'s kind of problem, not this rule's).
fn bad_name(
    object: usize,
    file: FileId,
    node: &Node,
    what: &'static str,
    sort: Sort,
) -> Option<BadName> {
    let value = node.as_str()?;
    let why = problem(value, sort).filter(|_| !is_placeholder(value))?;
    Some(BadName {
        object,
        file,
        range: node.span,
        what,
        value: value.to_string(),
        sort,
        why,
    })
}

fn rules_of(sort: Sort) -> &'static str {
    match sort {
        Sort::Subdomain => "Object names are lower-case letters, digits, `-` and `.`, start and end with a letter or digit, and are at most 253 characters.",
        Sort::Label => "Use lower-case letters, digits and `-`, starting and ending with a letter or digit, at most 63 characters.",
        Sort::ServiceName => "Service names are lower-case letters, digits and `-`, start with a letter, end with a letter or digit, and are at most 63 characters (they become DNS names).",
        Sort::LabelKey => "A label key is an optional DNS prefix and `/`, then a name of at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit.",
        Sort::LabelValue => "A label value is empty, or at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit; quote values YAML would read as numbers.",
    }
}

fn alnum_lower(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// What is wrong with `value` as a name of `sort`, if anything.
fn problem(value: &str, sort: Sort) -> Option<String> {
    let edge = |v: &str, ok: fn(char) -> bool| {
        v.chars().next().is_some_and(ok) && v.chars().last().is_some_and(ok)
    };
    let label = |v: &str| {
        if v.is_empty() {
            return Some("it is empty".to_string());
        }
        if v.len() > 63 {
            return Some(format!("it has {} characters, 63 at most", v.len()));
        }
        if !v.chars().all(|c| alnum_lower(c) || c == '-') {
            return Some("only lower-case letters, digits and `-` are allowed".into());
        }
        (!edge(v, alnum_lower)).then(|| "it must start and end with a letter or digit".into())
    };
    match sort {
        Sort::Label => label(value),
        Sort::ServiceName => label(value).or_else(|| {
            (!value.starts_with(|c: char| c.is_ascii_lowercase()))
                .then(|| "a Service name must start with a letter".into())
        }),
        Sort::Subdomain => {
            if value.len() > 253 {
                return Some(format!("it has {} characters, 253 at most", value.len()));
            }
            value.split('.').find_map(label).map(|why| {
                if value.contains('.') {
                    format!("each dot-separated part counts: {why}")
                } else {
                    why
                }
            })
        }
        Sort::LabelKey => {
            let (prefix, name) = match value.rsplit_once('/') {
                Some((p, n)) => (Some(p), n),
                None => (None, value),
            };
            if let Some(p) = prefix {
                if let Some(why) = problem(p, Sort::Subdomain) {
                    return Some(format!("the prefix `{p}`: {why}"));
                }
            }
            label_value(name, false)
        }
        Sort::LabelValue => label_value(value, true),
    }
}

fn label_value(v: &str, may_be_empty: bool) -> Option<String> {
    let ok = |c: char| c.is_ascii_alphanumeric();
    if v.is_empty() {
        return (!may_be_empty).then(|| "it is empty".into());
    }
    if v.len() > 63 {
        return Some(format!("it has {} characters, 63 at most", v.len()));
    }
    if !v.chars().all(|c| ok(c) || matches!(c, '-' | '_' | '.')) {
        return Some("only letters, digits, `-`, `_` and `.` are allowed".into());
    }
    (!(v.starts_with(ok) && v.ends_with(ok)))
        .then(|| "it must start and end with a letter or digit".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_servers_rules() {
        assert_eq!(problem("web-1", Sort::Subdomain), None);
        assert_eq!(problem("web.example.com", Sort::Subdomain), None);
        assert!(problem("Web", Sort::Subdomain).is_some());
        assert!(problem("web_api", Sort::Label).is_some());
        assert!(problem("1web", Sort::ServiceName).is_some());
        assert_eq!(problem("1web", Sort::Label), None);
        assert_eq!(problem("app.kubernetes.io/name", Sort::LabelKey), None);
        assert!(problem("my app", Sort::LabelValue).is_some());
        assert_eq!(problem("", Sort::LabelValue), None);
        assert_eq!(problem("v1.2_rc", Sort::LabelValue), None);
    }
}
