//! Pods refused by admission or security settings, and the Pod Security Standards controls
//! judged on every pod template of the set.
//!
//! What the Pod Security rules share lives here: which templates they judge, how a container
//! is named, the securityContext a container inherits from its pod, what the namespace's
//! `pod-security.kubernetes.io/enforce` label makes of a finding, and the list edits their
//! fixes make.

pub mod apparmor_unconfined;
pub mod automount_service_account_token;
pub mod capabilities_not_dropped;
pub mod dangerous_capabilities;
pub mod host_namespace;
pub mod host_path;
pub mod host_port;
pub mod pod_security_admission_violation;
pub mod privilege_escalation;
pub mod privileged;
pub mod proc_mount;
pub mod run_as_root;
pub mod seccomp_unconfined;
pub mod selinux_options;
pub mod unsafe_sysctls;
pub mod writable_root_fs;

use crate::diagnostic::{Applicability, Edit, FileId, Fix, Related, Severity};
use crate::model::{Container, ContainerKind, K8sObject, PodTemplate, Workspace};
use crate::rule::RuleEntry;
use crate::settings::Profile;
use crate::text::TextRange;
use crate::yaml::{render_scalar, Node, NodeKind, ScalarStyle, ScalarValue};

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<pod_security_admission_violation::PodSecurityAdmissionViolation>(),
    RuleEntry::of::<privileged::Privileged>(),
    RuleEntry::of::<host_namespace::HostNamespace>(),
    RuleEntry::of::<host_path::HostPath>(),
    RuleEntry::of::<host_port::HostPort>(),
    RuleEntry::of::<dangerous_capabilities::DangerousCapabilities>(),
    RuleEntry::of::<proc_mount::ProcMount>(),
    RuleEntry::of::<unsafe_sysctls::UnsafeSysctls>(),
    RuleEntry::of::<apparmor_unconfined::ApparmorUnconfined>(),
    RuleEntry::of::<seccomp_unconfined::SeccompUnconfined>(),
    RuleEntry::of::<selinux_options::SelinuxOptions>(),
    RuleEntry::of::<privilege_escalation::PrivilegeEscalation>(),
    RuleEntry::of::<run_as_root::RunAsRoot>(),
    RuleEntry::of::<writable_root_fs::WritableRootFs>(),
    RuleEntry::of::<capabilities_not_dropped::CapabilitiesNotDropped>(),
    RuleEntry::of::<automount_service_account_token::AutomountServiceAccountToken>(),
];

/// A level of the Pod Security Standards, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// The label Pod Security Admission reads on a Namespace.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// A Namespace of the set whose `enforce` label names a level.
#[derive(Clone, Copy, Debug)]
pub struct Enforced<'a> {
    pub namespace: &'a str,
    pub level: Level,
    pub file: FileId,
    /// The label's value.
    pub label: &'a Node,
}

/// What the namespace of a pod template makes of a check of the level `check`.
#[derive(Clone, Copy, Debug)]
pub struct Admission<'a> {
    pub check: Level,
    /// The namespace's own `enforce` label, when the set holds the Namespace and it has one.
    pub enforced: Option<Enforced<'a>>,
    /// The pods are a DaemonSet's: an agent of each node.
    pub node_agent: bool,
}

impl<'a> Admission<'a> {
    /// `None` when the template's namespace enforces a looser level than `check`: whoever
    /// labelled it chose to admit such pods, which is what the findings would advise.
    pub fn of(ws: &Workspace<'a>, template: usize, check: Level) -> Option<Self> {
        let object = ws.object_of(&ws.templates[template]);
        let enforced = enforced_in(ws, object);
        if enforced.is_some_and(|e| e.level < check) {
            return None;
        }
        Some(Self {
            check,
            enforced,
            node_agent: object.kind == "DaemonSet",
        })
    }

    /// True when the namespace enforces this check: the API server refuses the pod.
    pub fn refused(&self) -> bool {
        self.enforced.is_some()
    }

    /// Error when the namespace refuses the pod; information for a node agent (a DaemonSet,
    /// whose job is often the node itself: logs, metrics, storage, networking), which belongs
    /// in a namespace labelled `privileged`; else the rule's own severity.
    pub fn severity(&self) -> Option<Severity> {
        if self.refused() {
            Some(Severity::Error)
        } else if self.node_agent {
            Some(Severity::Info)
        } else {
            None
        }
    }

    /// As [`Admission::severity`], for what no node agent needs either (the container
    /// runtime's socket).
    pub fn severity_for_any_workload(&self) -> Option<Severity> {
        self.refused().then_some(Severity::Error)
    }

    /// Appended to a finding's message when the namespace refuses the pod.
    pub fn suffix(&self) -> String {
        match &self.enforced {
            Some(e) => format!(
                ", which namespace {} refuses (it enforces Pod Security `{}`)",
                e.namespace,
                e.level.as_str()
            ),
            None => String::new(),
        }
    }

    /// The sentence of `why` that says what Pod Security Admission does with the pod.
    pub fn consequence(&self, object: &K8sObject) -> String {
        match (&self.enforced, object.kind.as_str()) {
            (Some(_), "Pod") => {
                "The API server refuses the pod: it is never created.".to_string()
            }
            (Some(_), _) => format!(
                "The API server refuses every pod {} makes: it runs none of them.",
                object.display()
            ),
            (None, _) if self.check == Level::Baseline => "A namespace that enforces the `baseline` (or `restricted`) Pod Security level refuses the pod.".to_string(),
            (None, _) => {
                "A namespace that enforces the `restricted` Pod Security level refuses the pod."
                    .to_string()
            }
        }
    }

    /// The namespace's label, as a secondary label.
    pub fn related(&self) -> Vec<Related> {
        self.enforced
            .iter()
            .map(|e| Related {
                file: e.file,
                range: e.label.span,
                message: format!(
                    "namespace {} enforces Pod Security `{}`",
                    e.namespace,
                    e.level.as_str()
                ),
            })
            .collect()
    }
}

/// The `enforce` label of the Namespace `object` goes to, when the set holds it.
fn enforced_in<'a>(ws: &Workspace<'a>, object: &K8sObject<'a>) -> Option<Enforced<'a>> {
    let namespace = object.effective_namespace()?;
    ws.objects_of_kind("Namespace").find_map(|ns| {
        if ns.name.as_deref() != Some(namespace) {
            return None;
        }
        let label = ns.node.path(&["metadata", "labels", ENFORCE_LABEL])?;
        Some(Enforced {
            namespace: label_text(ns)?,
            level: Level::parse(label.as_str()?)?,
            file: ns.file,
            label,
        })
    })
}

fn label_text<'a>(ns: &K8sObject<'a>) -> Option<&'a str> {
    ns.node.path(&["metadata", "name"]).and_then(Node::as_str)
}

/// The pod templates the Pod Security rules judge: those of manifests. A live object
/// (`kubectl get -o yaml`) was admitted already, and its pods come from a template the set
/// may hold; its findings belong there.
pub fn judged<'w, 'a>(
    ws: &'w Workspace<'a>,
) -> impl Iterator<Item = (usize, &'w PodTemplate<'a>)> + 'w {
    ws.templates
        .iter()
        .enumerate()
        .filter(|(_, t)| !ws.object_of(t).is_live())
}

/// The containers of the judged templates, with their indexes in [`Workspace::containers`].
pub fn judged_containers<'w, 'a>(
    ws: &'w Workspace<'a>,
) -> impl Iterator<Item = (usize, &'w Container<'a>)> + 'w {
    ws.containers
        .iter()
        .enumerate()
        .filter(|(_, c)| !ws.objects[c.object].is_live())
}

/// True when the checks that only a strict profile makes (a missing hardening setting) run.
pub fn strict(ws: &Workspace) -> bool {
    ws.checker.settings().profile == Profile::Strict
}

/// A Windows pod (`spec.os.name: windows`): the Linux-only settings do not apply to it, and
/// the API server refuses most of them.
pub fn is_windows(template: &PodTemplate) -> bool {
    template.spec.path(&["os", "name"]).and_then(Node::as_str) == Some("windows")
}

/// `Container web of Deployment shop`, `Init container migrate of Job schema`.
pub fn container_label(ws: &Workspace, c: &Container) -> String {
    let kind = match c.kind {
        ContainerKind::Init => "Init container",
        ContainerKind::Regular => "Container",
        ContainerKind::Ephemeral => "Ephemeral container",
    };
    format!(
        "{kind} {} of {}",
        c.name.unwrap_or("(no name)"),
        ws.objects[c.object].display()
    )
}

/// `Pod web`, `the pods of Deployment shop`: whom a pod-wide setting is for.
pub fn pods_of(object: &K8sObject) -> String {
    if object.kind == "Pod" {
        object.display()
    } else {
        format!("the pods of {}", object.display())
    }
}

/// A boolean as the API server reads it; `None` for anything else.
pub fn flag(node: &Node) -> Option<bool> {
    match node.as_scalar()?.value() {
        ScalarValue::Bool(b) => Some(b),
        _ => None,
    }
}

/// The value of a key, unless it is null (`runAsUser: ~` sets nothing).
pub fn set<'a>(node: Option<&'a Node>, key: &str) -> Option<&'a Node> {
    node?
        .get(key)
        .filter(|n| n.as_scalar().is_none_or(|s| !s.is_null()))
}

/// Where a setting was read: the container's securityContext, or its pod's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Container,
    Pod,
}

/// The `field` of the securityContext that applies to container `c` (for the fields a pod's
/// securityContext gives its containers: `runAsUser`, `runAsNonRoot`, `seccompProfile`...): the
/// container's own, else its pod's.
pub fn inherited<'a>(
    ws: &Workspace<'a>,
    c: &Container<'a>,
    field: &str,
) -> Option<(&'a Node, Scope)> {
    set(c.node.get("securityContext"), field)
        .map(|n| (n, Scope::Container))
        .or_else(|| {
            let pod = ws.templates[c.template].spec.get("securityContext");
            set(pod, field).map(|n| (n, Scope::Pod))
        })
}

/// Where to point for a container that lacks a setting: its `securityContext` key, else its
/// name.
pub fn container_anchor(c: &Container) -> TextRange {
    c.node
        .entry("securityContext")
        .map(|e| e.key.span)
        .or_else(|| c.node.get("name").map(|n| n.span))
        .unwrap_or(c.node.span)
}

/// The `metadata` of a pod template (its annotations), found as the mapping beside its `spec`.
pub fn template_metadata<'a>(ws: &Workspace<'a>, template: &PodTemplate<'a>) -> Option<&'a Node> {
    fn search<'a>(node: &'a Node, spec: &Node, depth: usize) -> Option<&'a Node> {
        if node.get("spec").is_some_and(|s| std::ptr::eq(s, spec)) {
            return Some(node);
        }
        if depth == 0 {
            return None;
        }
        node.entries()
            .iter()
            .find_map(|e| search(&e.value, spec, depth - 1))
    }
    search(ws.object_of(template).node, template.spec, 6)?.get("metadata")
}

/// Who a confinement profile (`seccompProfile`, `appArmorProfile`, or its legacy annotation)
/// was set for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setter {
    /// The pod's securityContext.
    Pod,
    /// A container's securityContext, by index in [`Workspace::containers`].
    Container(usize),
    /// A pod-wide annotation of the template.
    PodAnnotation,
    /// An annotation naming a container.
    ContainerAnnotation(usize),
}

/// A profile of a pod template that turns the confinement off.
#[derive(Clone, Copy, Debug)]
pub struct Unconfined<'a> {
    pub template: usize,
    pub setter: Setter,
    /// The `type` value, or the annotation's value.
    pub value: &'a Node,
    /// The annotation's key, for an annotation.
    pub key: Option<&'a str>,
}

/// Every `<field>.type: Unconfined` (pod and containers) of the judged templates, and every
/// annotation `<prefix><container>: unconfined` (or `pod_key: unconfined`) on their metadata.
pub fn unconfined<'a>(
    ws: &Workspace<'a>,
    field: &str,
    prefix: &str,
    pod_key: Option<&str>,
) -> Vec<Unconfined<'a>> {
    let mut out = Vec::new();
    let is_unconfined = |n: &&Node| n.as_str() == Some("Unconfined");
    for (template, t) in judged(ws) {
        let pod = t.spec.path(&["securityContext", field, "type"]);
        if let Some(value) = pod.filter(is_unconfined) {
            out.push(Unconfined {
                template,
                setter: Setter::Pod,
                value,
                key: None,
            });
        }
        for index in t.containers.clone() {
            let c = &ws.containers[index];
            let own = c.node.path(&["securityContext", field, "type"]);
            if let Some(value) = own.filter(is_unconfined) {
                out.push(Unconfined {
                    template,
                    setter: Setter::Container(index),
                    value,
                    key: None,
                });
            }
        }
        let annotations = template_metadata(ws, t)
            .and_then(|m| m.get("annotations"))
            .map(Node::entries)
            .unwrap_or_default();
        for entry in annotations {
            let (Some(key), Some("unconfined")) = (entry.key.as_str(), entry.value.as_str()) else {
                continue;
            };
            let setter = if Some(key) == pod_key {
                Setter::PodAnnotation
            } else if let Some(name) = key.strip_prefix(prefix) {
                // An annotation for a container the pod does not have changes nothing.
                match t
                    .containers
                    .clone()
                    .find(|&i| ws.containers[i].name == Some(name))
                {
                    Some(index) => Setter::ContainerAnnotation(index),
                    None => continue,
                }
            } else {
                continue;
            };
            out.push(Unconfined {
                template,
                setter,
                value: &entry.value,
                key: Some(key),
            });
        }
    }
    out
}

/// The object, the container's name and the message for an unconfined profile: `Container
/// web of Deployment shop runs without seccomp (seccompProfile.type: Unconfined)`.
pub fn confinement_message<'w, 'a>(
    ws: &'w Workspace<'a>,
    found: &Unconfined<'a>,
    what: &str,
    field: &str,
) -> (&'w K8sObject<'a>, Option<String>, String) {
    let object = ws.object_of(&ws.templates[found.template]);
    let key = found.key.unwrap_or_default();
    match found.setter {
        Setter::Pod => (
            object,
            None,
            format!(
                "{} runs its containers without {what} (securityContext.{field}.type: Unconfined)",
                object.display()
            ),
        ),
        Setter::PodAnnotation => (
            object,
            None,
            format!(
                "{} runs its containers without {what} (annotation {key}: unconfined)",
                object.display()
            ),
        ),
        Setter::Container(index) | Setter::ContainerAnnotation(index) => {
            let c = &ws.containers[index];
            let how = match found.setter {
                Setter::Container(_) => format!("{field}.type: Unconfined"),
                _ => format!("annotation {key}: unconfined"),
            };
            (
                object,
                c.name.map(String::from),
                format!("{} runs without {what} ({how})", container_label(ws, c)),
            )
        }
    }
}

/// Asks for the runtime's default profile where an unconfined one was set: `RuntimeDefault`
/// in a field, `annotation_value` in an annotation.
pub fn confinement_fix(
    ws: &Workspace,
    found: &Unconfined,
    what: &str,
    annotation_value: &str,
) -> Option<Fix> {
    let object = ws.object_of(&ws.templates[found.template]);
    let (value, whom) = match found.setter {
        Setter::Pod => ("RuntimeDefault", pods_of(object)),
        Setter::PodAnnotation => (annotation_value, pods_of(object)),
        Setter::Container(index) | Setter::ContainerAnnotation(index) => (
            if found.key.is_some() {
                annotation_value
            } else {
                "RuntimeDefault"
            },
            format!(
                "container {} of {}",
                ws.containers[index].name.unwrap_or("(no name)"),
                object.display()
            ),
        ),
    };
    let style = found
        .value
        .as_scalar()
        .map_or(ScalarStyle::Plain, |s| s.style);
    Some(Fix::new(
        format!("Use the runtime's default {what} profile for {whom} ({value})"),
        Applicability::Unsafe,
        vec![Edit::replace(
            object.file,
            found.value.span,
            render_scalar(value, style),
        )],
    ))
}

/// A container that is `privileged: true`: it has every capability whatever else it sets.
pub fn privileged_flag<'a>(c: &Container<'a>) -> Option<&'a Node> {
    set(c.node.get("securityContext"), "privileged").filter(|n| flag(n) == Some(true))
}

/// A capability name as the runtime reads it: `cap_sys_admin` and `SYS_ADMIN` are one.
pub fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("CAP_").unwrap_or(&upper).to_string()
}

/// The capabilities a container adds, normalized, with their nodes.
pub fn added_capabilities<'a>(c: &Container<'a>) -> Vec<(String, &'a Node)> {
    c.node
        .path(&["securityContext", "capabilities", "add"])
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| Some((capability(item.as_str()?), item)))
        .collect()
}

fn line_end(ws: &Workspace, file: FileId, at: usize) -> usize {
    let index = ws.lines(file);
    index.line_range(index.line_of(at), ws.text(file)).end
}

/// The last byte of a node, for the line it ends on.
fn last_byte(node: &Node) -> usize {
    node.span.end.saturating_sub(1).max(node.span.start)
}

/// The column of the `-` of a block sequence item, when the item starts its own line.
fn dash_column(ws: &Workspace, file: FileId, item: &Node) -> Option<usize> {
    let index = ws.lines(file);
    let start = index.line_start(index.line_of(item.span.start));
    let prefix = ws.text(file).get(start..item.span.start)?;
    let dash = prefix.find('-')?;
    let only_dash = prefix[..dash].trim().is_empty() && prefix[dash + 1..].trim().is_empty();
    only_dash.then_some(dash)
}

/// True when the text after `at` on its line is blank or a comment.
fn rest_of_line_free(ws: &Workspace, file: FileId, at: usize) -> bool {
    let text = ws.text(file);
    let rest = text.get(at..line_end(ws, file, at)).unwrap_or("").trim();
    rest.is_empty() || rest.starts_with('#')
}

/// Deletes item `index` of the sequence `seq`: its lines in a block sequence, the item and
/// one comma in a flow one. `None` when the layout is not one of those (an alias, items
/// sharing a line).
pub fn remove_item(ws: &Workspace, file: FileId, seq: &Node, index: usize) -> Option<Edit> {
    if matches!(seq.kind, NodeKind::Alias(_)) {
        return None;
    }
    let items = seq.items();
    let item = items.get(index)?;
    let text = ws.text(file);
    if seq.flow {
        let between = |a: usize, b: usize| {
            text.get(a..b)
                .is_some_and(|t| t.trim() == "," || t.trim().is_empty())
        };
        let range = if let Some(next) = items.get(index + 1) {
            between(item.span.end, next.span.start)
                .then(|| TextRange::new(item.span.start, next.span.start))?
        } else if let Some(prev) = index.checked_sub(1).and_then(|i| items.get(i)) {
            between(prev.span.end, item.span.start)
                .then(|| TextRange::new(prev.span.end, item.span.end))?
        } else {
            item.span
        };
        return Some(Edit::delete(file, range));
    }
    dash_column(ws, file, item)?;
    let end = line_end(ws, file, last_byte(item));
    if !rest_of_line_free(ws, file, item.span.end.min(end)) {
        return None;
    }
    let lines = ws.lines(file);
    let start = lines.line_start(lines.line_of(item.span.start));
    // With its line break, so no blank line is left behind.
    let end = if text.as_bytes().get(end) == Some(&b'\r') {
        end + 2
    } else {
        end + 1
    };
    Some(Edit::delete(
        file,
        TextRange::new(start, end.min(text.len())),
    ))
}

/// Adds the plain scalar `item` at the end of the sequence `seq`, laid out like its items.
pub fn append_item(ws: &Workspace, file: FileId, seq: &Node, item: &str) -> Option<Edit> {
    if matches!(seq.kind, NodeKind::Alias(_)) {
        return None;
    }
    let items = seq.items();
    if seq.flow {
        return Some(match items.last() {
            Some(last) => Edit::insert(file, last.span.end, format!(", {item}")),
            None => Edit::insert(file, seq.span.end.checked_sub(1)?, item.to_string()),
        });
    }
    let last = items.last()?;
    let column = dash_column(ws, file, last)?;
    Some(crate::patch::insert_lines(
        ws,
        file,
        last_byte(last),
        column,
        &[format!("- {item}")],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::model::{Parsed, SourceFile};

    fn edited(text: &str, edit: impl Fn(&Workspace, &Node) -> Option<Edit>) -> Option<String> {
        let files = [SourceFile::new("t.yaml", text)];
        let parsed = Parsed::new(&files);
        let ws = Workspace::new(&parsed);
        let seq = ws.containers[0]
            .node
            .path(&["securityContext", "capabilities", "add"])?;
        let e = edit(&ws, seq)?;
        Some(apply_edits(text, std::iter::once(&e)))
    }

    const BLOCK: &str = "kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          add:\n            - NET_ADMIN # tunnels\n            - SYS_TIME\n";

    #[test]
    fn block_items_go_with_their_line() {
        let out = edited(BLOCK, |ws, seq| remove_item(ws, 0, seq, 0)).unwrap();
        assert!(
            out.ends_with("          add:\n            - SYS_TIME\n"),
            "{out}"
        );
        let out = edited(BLOCK, |ws, seq| remove_item(ws, 0, seq, 1)).unwrap();
        assert!(
            out.ends_with("            - NET_ADMIN # tunnels\n"),
            "{out}"
        );
        let out = edited(BLOCK, |ws, seq| append_item(ws, 0, seq, "ALL")).unwrap();
        assert!(
            out.ends_with("            - SYS_TIME\n            - ALL\n"),
            "{out}"
        );
    }

    #[test]
    fn flow_items_go_with_one_comma() {
        let text = "kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities: {add: [\"SYS_PTRACE\", NET_ADMIN, SYS_TIME]}\n";
        let at = |i| edited(text, |ws, seq| remove_item(ws, 0, seq, i)).unwrap();
        assert!(at(0).contains("{add: [NET_ADMIN, SYS_TIME]}"));
        assert!(at(1).contains("{add: [\"SYS_PTRACE\", SYS_TIME]}"));
        assert!(at(2).contains("{add: [\"SYS_PTRACE\", NET_ADMIN]}"));
        let one = text.replace("[\"SYS_PTRACE\", NET_ADMIN, SYS_TIME]", "[NET_ADMIN]");
        let out = edited(&one, |ws, seq| remove_item(ws, 0, seq, 0)).unwrap();
        assert!(out.contains("{add: []}"));
        let out = edited(&out, |ws, seq| append_item(ws, 0, seq, "ALL")).unwrap();
        assert!(out.contains("{add: [ALL]}"));
    }

    fn findings(profile: Profile, text: &str) -> Vec<(&'static str, Severity, String)> {
        let checker = crate::settings::Checker::new(crate::settings::Settings {
            profile,
            ..Default::default()
        })
        .unwrap();
        let report = checker.check(&[SourceFile::new("t.yaml", text)]);
        report
            .findings
            .into_iter()
            .filter(|f| RULES.iter().any(|r| r.meta.id == f.rule))
            .map(|f| (f.rule, f.severity, f.message))
            .collect()
    }

    const PLAIN: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n    - name: app\n      image: ghcr.io/example/web:1.0.0\n";

    #[test]
    fn missing_hardening_is_reported_only_under_the_strict_profile() {
        assert!(findings(Profile::Recommended, PLAIN).is_empty());
        let strict = findings(Profile::Strict, PLAIN);
        let rules: Vec<&str> = strict.iter().map(|(r, ..)| *r).collect();
        assert_eq!(
            rules,
            [
                "automount-service-account-token",
                "capabilities-not-dropped",
                "privilege-escalation",
                "run-as-root",
                "writable-root-fs"
            ]
        );
        assert!(strict.iter().all(|(_, s, _)| *s == Severity::Info));
        assert!(
            strict[2].1 == Severity::Info
                && strict[2]
                    .2
                    .contains("does not set allowPrivilegeEscalation: false"),
            "{strict:?}"
        );
    }

    #[test]
    fn a_privileged_container_is_reported_once() {
        let text = PLAIN.replace(
            "      image: ghcr.io/example/web:1.0.0\n",
            "      image: ghcr.io/example/web:1.0.0\n      securityContext:\n        privileged: true\n        allowPrivilegeEscalation: true\n        capabilities: {add: [SYS_ADMIN]}\n",
        );
        for profile in [Profile::Recommended, Profile::Strict] {
            let found = findings(profile, &text);
            let rules: Vec<&str> = found.iter().map(|(r, ..)| *r).collect();
            assert!(
                rules.contains(&"privileged")
                    && !rules.contains(&"dangerous-capabilities")
                    && !rules.contains(&"privilege-escalation")
                    && !rules.contains(&"capabilities-not-dropped"),
                "{found:?}"
            );
        }
    }

    #[test]
    fn windows_pods_are_not_asked_for_linux_settings() {
        let text = PLAIN.replace("spec:\n", "spec:\n  os: {name: windows}\n");
        let rules: Vec<&str> = findings(Profile::Strict, &text)
            .into_iter()
            .map(|(r, ..)| r)
            .collect();
        assert_eq!(rules, ["automount-service-account-token"]);
    }

    #[test]
    fn odd_shapes_do_not_panic() {
        for spec in [
            "spec: {}",
            "spec: ~",
            "spec:\n  securityContext: []\n  containers: [{name: a, securityContext: ~}]",
            "spec:\n  containers: [{name: a, securityContext: {capabilities: {add: ALL, drop: ~}}}]",
            "spec:\n  volumes: [{name: v, hostPath: ~}, {hostPath: {path: [x]}}]\n  containers: [{ports: [{hostPort: ~}, {hostPort: \"80\"}]}]",
            "spec:\n  securityContext: {sysctls: [{name: [x]}, ~, {name: vm.swappiness}]}\n  containers: [{name: a}]",
            "spec:\n  securityContext: &sc {runAsUser: 0, seLinuxOptions: {type: spc_t}}\n  containers: [{name: a, securityContext: *sc}]",
        ] {
            let text = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\n{spec}\n");
            for profile in [Profile::Recommended, Profile::Strict] {
                let files = [SourceFile::new("t.yaml", text.as_str())];
                let checker = crate::settings::Checker::new(crate::settings::Settings {
                    profile,
                    ..Default::default()
                })
                .unwrap();
                let _ = checker.fix(&files, crate::diagnostic::Applicability::Unsafe);
            }
        }
    }

    #[test]
    fn capability_names_are_read_as_the_runtime_reads_them() {
        assert_eq!(capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(capability("NET_RAW"), "NET_RAW");
    }
}
