//! ConfigMaps, Secrets and the keys pods read from them.
//!
//! The runtime rules (`missing-configmap` and its kin) share one reading of kubelet's errors
//! (`configmap "x" not found`, `couldn't find key password in Secret default/db`, `configmap
//! references non-existent config key: app.conf`) and one walk over what a pod template reads
//! ([`references`]), so that an object missing in the cluster is one finding and its fix edits
//! every place that names it. The manifest rules (`ref-missing-*`,
//! `referenced-objects-not-in-set`) hold the same walk against what the set provides
//! ([`links`]) and give way to the runtime finding of the same object. The secret rules read
//! values: names that say secret and placeholders ([`sensitive`]), and `data` as the API server
//! decodes it.

pub mod links;
pub mod missing_configmap;
pub mod missing_configmap_key;
pub mod missing_secret;
pub mod missing_secret_key;
pub mod placeholder_secret_value;
pub mod plaintext_secret_env;
pub mod ref_missing_configmap;
pub mod ref_missing_key;
pub mod ref_missing_pull_secret;
pub mod ref_missing_secret;
pub mod ref_missing_serviceaccount;
pub mod referenced_objects_not_in_set;
pub mod secret_data_not_base64;
pub mod secret_in_configmap;
pub mod sensitive;

use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Severity};
use crate::model::{K8sObject, Workspace};
use crate::patch::{set_paths, Value};
use crate::rule::RuleEntry;
use crate::rules::evidence::{capitalize, message_range, quoted_after, template_of, Subject};
use crate::runtime::Observed;
use crate::similarity::nearest;
use crate::text::TextRange;
use crate::yaml::{render_scalar, Node, ScalarStyle};

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<missing_configmap::MissingConfigmap>(),
    RuleEntry::of::<missing_secret::MissingSecret>(),
    RuleEntry::of::<missing_configmap_key::MissingConfigmapKey>(),
    RuleEntry::of::<missing_secret_key::MissingSecretKey>(),
    RuleEntry::of::<ref_missing_configmap::RefMissingConfigmap>(),
    RuleEntry::of::<ref_missing_secret::RefMissingSecret>(),
    RuleEntry::of::<ref_missing_key::RefMissingKey>(),
    RuleEntry::of::<ref_missing_serviceaccount::RefMissingServiceaccount>(),
    RuleEntry::of::<ref_missing_pull_secret::RefMissingPullSecret>(),
    RuleEntry::of::<referenced_objects_not_in_set::ReferencedObjectsNotInSet>(),
    RuleEntry::of::<plaintext_secret_env::PlaintextSecretEnv>(),
    RuleEntry::of::<placeholder_secret_value::PlaceholderSecretValue>(),
    RuleEntry::of::<secret_in_configmap::SecretInConfigmap>(),
    RuleEntry::of::<secret_data_not_base64::SecretDataNotBase64>(),
];

/// What a pod does when a ConfigMap or Secret it reads into a volume is missing.
pub const CANNOT_MOUNT: &str = "The kubelet cannot mount the volume: the pod stays in ContainerCreating and none of its containers start.";
/// ... when one it reads into the environment is missing, or lacks the key.
pub const CANNOT_BUILD_ENV: &str = "The kubelet cannot build the container's environment: it stays in CreateContainerConfigError and never starts.";
/// ... when a volume's `items` name a key the object lacks.
pub const CANNOT_WRITE_FILES: &str = "The kubelet cannot write the volume's files: the pod stays in ContainerCreating and none of its containers start.";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    ConfigMap,
    Secret,
}

impl Source {
    pub fn kind(self) -> &'static str {
        match self {
            Source::ConfigMap => "ConfigMap",
            Source::Secret => "Secret",
        }
    }
}

/// Something kubelet could not read: a whole object, or one key of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Missing {
    pub source: Source,
    /// Unknown for `configmap references non-existent config key` until the volume names it.
    pub name: Option<String>,
    /// From `in Secret default/db`.
    pub namespace: Option<String>,
    /// `None`: the whole object is missing.
    pub key: Option<String>,
    /// The volume kubelet was mounting (`FailedMount`), else it was building the environment.
    pub volume: Option<String>,
}

/// What an event message says is missing. A projected volume may name several objects.
pub fn read_missing(message: &str) -> Vec<Missing> {
    let volume = quoted_after(message, "for volume ").map(String::from);
    let mut out = Vec::new();
    for (source, words) in [
        (Source::ConfigMap, ["configmap \"", "configmaps \""]),
        (Source::Secret, ["secret \"", "secrets \""]),
    ] {
        for word in words {
            let mut from = 0;
            while let Some(found) = message[from..].find(word) {
                let at = from + found;
                from = at + word.len();
                let boundary = message[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'));
                let Some((name, rest)) = message[from..].split_once('"') else {
                    continue;
                };
                if boundary && rest.starts_with(" not found") && !name.is_empty() {
                    out.push(Missing {
                        source,
                        name: Some(name.to_string()),
                        namespace: None,
                        key: None,
                        volume: volume.clone(),
                    });
                }
            }
        }
    }
    for (source, label) in [
        (Source::ConfigMap, " in ConfigMap "),
        (Source::Secret, " in Secret "),
    ] {
        let Some(rest) = message
            .find("couldn't find key ")
            .map(|at| &message[at + "couldn't find key ".len()..])
        else {
            continue;
        };
        let Some((key, object)) = rest.split_once(label) else {
            continue;
        };
        let object = object.split_whitespace().next().unwrap_or("");
        let object = object.trim_end_matches(['.', ',', '"']);
        let (namespace, name) = match object.split_once('/') {
            Some((ns, name)) => (Some(ns.to_string()), name),
            None => (None, object),
        };
        out.push(Missing {
            source,
            name: Some(name.to_string()),
            namespace,
            key: Some(key.trim().to_string()),
            volume: None,
        });
    }
    for (source, marker) in [
        (Source::ConfigMap, "references non-existent config key: "),
        (Source::Secret, "references non-existent secret key: "),
    ] {
        if let Some(at) = message.find(marker) {
            let key = message[at + marker.len()..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches(['.', ',', '"']);
            if !key.is_empty() {
                out.push(Missing {
                    source,
                    name: None,
                    namespace: None,
                    key: Some(key.to_string()),
                    volume: volume.clone(),
                });
            }
        }
    }
    out
}

/// One thing a pod could not read, as the cluster reported it.
#[derive(Clone, Debug)]
pub struct Problem {
    pub missing: Missing,
    pub subject: Subject,
    pub file: FileId,
    pub range: TextRange,
    /// The container waiting in `CreateContainerConfigError`, from the pod's describe.
    pub container: Option<String>,
    /// The pod runs and is ready now: the event is history.
    pub history: bool,
}

impl Problem {
    pub fn namespace(&self) -> Option<&str> {
        self.missing
            .namespace
            .as_deref()
            .or(self.subject.namespace.as_deref())
    }

    /// `ConfigMap shop/app-config`, or `the Secret of volume tls` when kubelet did not name it.
    fn qualified(&self) -> String {
        let kind = self.missing.source.kind();
        match (&self.missing.name, self.namespace(), &self.missing.volume) {
            (Some(name), Some(ns), _) => format!("{kind} {ns}/{name}"),
            (Some(name), None, _) => format!("{kind} {name}"),
            (None, _, Some(volume)) => format!("the {kind} of volume {volume}"),
            (None, _, None) => format!("a {kind}"),
        }
    }
}

/// Every problem in the set's events, one per pod and missing thing (the latest event).
pub fn problems(ws: &Workspace) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    for at in ws.events() {
        if !at.event.is_warning() {
            continue;
        }
        let found = read_missing(&at.event.message);
        if found.is_empty() {
            continue;
        }
        // Ingresses and cert-manager objects also say `secret "x" not found`: only a pod's
        // events mean a pod cannot start.
        let Some(subject) = Subject::at(ws, at).filter(|s| s.kind == "Pod") else {
            continue;
        };
        let container = at.pod.and_then(|i| {
            ws.pods[i]
                .pod
                .containers
                .iter()
                .find(|c| {
                    c.state
                        .as_ref()
                        .is_some_and(|s| s.reason.as_deref() == Some("CreateContainerConfigError"))
                })
                .map(|c| c.name.clone())
        });
        for mut missing in found {
            if missing.name.is_none() {
                missing.name = volume_source_name(ws, at.observed, &subject, &missing);
            }
            let problem = Problem {
                history: subject.recovered(ws),
                container: if missing.volume.is_none() {
                    container.clone()
                } else {
                    None
                },
                missing,
                subject: subject.clone(),
                file: at.file,
                range: message_range(ws, at.file, at.event),
            };
            match out
                .iter_mut()
                .find(|p| p.subject.same(&problem.subject) && p.missing == problem.missing)
            {
                Some(previous) => *previous = problem,
                None => out.push(problem),
            }
        }
    }
    out
}

/// The ConfigMap or Secret behind volume `missing.volume`: from the pod's describe (`Volumes:`),
/// else from the pod template in the set.
fn volume_source_name(
    ws: &Workspace,
    observed: Option<&Observed>,
    subject: &Subject,
    missing: &Missing,
) -> Option<String> {
    let volume = missing.volume.as_deref()?;
    let field = match missing.source {
        Source::ConfigMap => "Name",
        Source::Secret => "SecretName",
    };
    if let Some(found) = observed
        .and_then(|o| o.describe.child(&["Volumes", volume], field))
        .map(|f| f.value.clone())
        .filter(|v| !v.is_empty())
    {
        return Some(found);
    }
    let template = template_of(ws, subject, None)?;
    references(ws, template)
        .into_iter()
        .find(|r| r.source == missing.source && r.volume == Some(volume))
        .and_then(|r| r.name.as_str().map(String::from))
}

/// A place in a pod template that names a ConfigMap or Secret.
#[derive(Clone, Debug)]
pub struct Reference<'a> {
    pub source: Source,
    /// The name's scalar.
    pub name: &'a Node,
    /// The keys it reads (`configMapKeyRef.key`, `items[].key`); none for `envFrom` or a whole
    /// volume.
    pub keys: Vec<&'a Node>,
    pub optional: bool,
    /// `env DB_PASSWORD of container app`, `envFrom of container app`, `volume cfg`.
    pub via: String,
    pub volume: Option<&'a str>,
    pub container: Option<&'a str>,
}

/// Every ConfigMap and Secret a pod template reads, in its containers and its volumes.
pub fn references<'a>(ws: &Workspace<'a>, template: usize) -> Vec<Reference<'a>> {
    let mut out = Vec::new();
    for container in ws.containers_of(template) {
        let name = container.name;
        let of = name.map_or(String::new(), |n| format!(" of container {n}"));
        for env in container
            .node
            .get("env")
            .map(Node::items)
            .unwrap_or_default()
        {
            let var = env.get("name").and_then(Node::as_str).unwrap_or("?");
            for (source, field) in [
                (Source::ConfigMap, "configMapKeyRef"),
                (Source::Secret, "secretKeyRef"),
            ] {
                let Some(selector) = env.path(&["valueFrom", field]) else {
                    continue;
                };
                let Some(name_node) = selector.get("name") else {
                    continue;
                };
                out.push(Reference {
                    source,
                    name: name_node,
                    keys: selector.get("key").into_iter().collect(),
                    optional: is_true(selector.get("optional")),
                    via: format!("env {var}{of}"),
                    volume: None,
                    container: name,
                });
            }
        }
        for from in container
            .node
            .get("envFrom")
            .map(Node::items)
            .unwrap_or_default()
        {
            for (source, field) in [
                (Source::ConfigMap, "configMapRef"),
                (Source::Secret, "secretRef"),
            ] {
                let Some(selector) = from.get(field) else {
                    continue;
                };
                let Some(name_node) = selector.get("name") else {
                    continue;
                };
                out.push(Reference {
                    source,
                    name: name_node,
                    keys: Vec::new(),
                    optional: is_true(selector.get("optional")),
                    via: format!("envFrom{of}"),
                    volume: None,
                    container: name,
                });
            }
        }
    }
    let spec = ws.templates[template].spec;
    for volume in spec.get("volumes").map(Node::items).unwrap_or_default() {
        let volume_name = volume.get("name").and_then(Node::as_str);
        let via = format!("volume {}", volume_name.unwrap_or("?"));
        let mut sources: Vec<(Source, &Node, &str)> = Vec::new();
        if let Some(cm) = volume.get("configMap") {
            sources.push((Source::ConfigMap, cm, "name"));
        }
        if let Some(secret) = volume.get("secret") {
            sources.push((Source::Secret, secret, "secretName"));
        }
        for projected in volume
            .path(&["projected", "sources"])
            .map(Node::items)
            .unwrap_or_default()
        {
            if let Some(cm) = projected.get("configMap") {
                sources.push((Source::ConfigMap, cm, "name"));
            }
            if let Some(secret) = projected.get("secret") {
                sources.push((Source::Secret, secret, "name"));
            }
        }
        for (source, node, field) in sources {
            let Some(name_node) = node.get(field) else {
                continue;
            };
            out.push(Reference {
                source,
                name: name_node,
                keys: node
                    .get("items")
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|item| item.get("key"))
                    .collect(),
                optional: is_true(node.get("optional")),
                via: via.clone(),
                volume: volume_name,
                container: None,
            });
        }
    }
    out
}

fn is_true(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str) == Some("true")
}

fn same_namespace(object: &K8sObject, namespace: Option<&str>) -> bool {
    match (object.namespace.as_deref(), namespace) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// The ConfigMaps or Secrets of the set that can live in `namespace`.
fn objects_of<'w, 'a>(
    ws: &'w Workspace<'a>,
    source: Source,
    namespace: Option<&'w str>,
) -> impl Iterator<Item = &'w K8sObject<'a>> + 'w {
    ws.objects_of_kind(source.kind())
        .filter(move |o| same_namespace(o, namespace))
}

/// A missing object, or another template that names it.
pub enum ObjectState<'a> {
    /// What the cluster said about a pod.
    Reported(Problem),
    /// A template of the set (not the reported pod's) that names the object the cluster
    /// reported missing.
    AlsoNamed {
        template: usize,
        reference: Reference<'a>,
        problem: Problem,
    },
}

impl ObjectState<'_> {
    fn problem(&self) -> &Problem {
        match self {
            ObjectState::Reported(p) | ObjectState::AlsoNamed { problem: p, .. } => p,
        }
    }
}

/// Missing objects of `source` as reported, then the other templates that name them.
pub fn detect_objects<'a>(ws: &Workspace<'a>, source: Source) -> Vec<ObjectState<'a>> {
    let reported: Vec<Problem> = problems(ws)
        .into_iter()
        .filter(|p| p.missing.source == source && p.missing.key.is_none())
        .collect();
    let owners: Vec<usize> = reported
        .iter()
        .filter_map(|p| template_of(ws, &p.subject, None))
        .collect();
    let mut out: Vec<ObjectState> = Vec::new();
    for problem in &reported {
        if problem.history {
            continue;
        }
        let Some(name) = problem.missing.name.as_deref() else {
            continue;
        };
        if objects_of(ws, source, problem.namespace()).any(|o| o.name.as_deref() == Some(name)) {
            continue;
        }
        for (template, t) in ws.templates.iter().enumerate() {
            if owners.contains(&template)
                || !same_namespace(&ws.objects[t.object], problem.namespace())
            {
                continue;
            }
            let named = references(ws, template)
                .into_iter()
                .find(|r| r.source == source && r.name.as_str() == Some(name) && !r.optional);
            let already = out.iter().any(|s| {
                matches!(s, ObjectState::AlsoNamed { template: t2, problem: p, .. }
                    if *t2 == template && p.missing.name.as_deref() == Some(name))
            });
            if let (Some(reference), false) = (named, already) {
                out.push(ObjectState::AlsoNamed {
                    template,
                    reference,
                    problem: problem.clone(),
                });
            }
        }
    }
    let mut all: Vec<ObjectState> = reported.into_iter().map(ObjectState::Reported).collect();
    all.extend(out);
    all
}

pub fn object_diagnostic(ws: &Workspace, state: &ObjectState) -> Diagnostic {
    let problem = state.problem();
    let source = problem.missing.source;
    let kind = source.kind();
    let name = problem.missing.name.as_deref().unwrap_or("<unknown>");
    let namespace = problem
        .namespace()
        .map(|ns| format!(" in namespace {ns}"))
        .unwrap_or_default();
    let help = object_help(ws, problem);
    match state {
        ObjectState::Reported(problem) => {
            let template = template_of(ws, &problem.subject, None);
            let readers: Vec<String> = template
                .map(|t| {
                    references(ws, t)
                        .into_iter()
                        .filter(|r| r.source == source && r.name.as_str() == Some(name))
                        .map(|r| r.via)
                        .collect()
                })
                .unwrap_or_default();
            let read_by = if readers.is_empty() {
                String::new()
            } else {
                format!(" (read by {})", readers.join(", "))
            };
            let (what, why) = match &problem.missing.volume {
                Some(volume) => (
                    format!("{} mount volume {volume}", verb(problem)),
                    CANNOT_MOUNT,
                ),
                None => (
                    match &problem.container {
                        Some(c) => format!("{} start container {c}", verb(problem)),
                        None => format!("{} start", verb(problem)),
                    },
                    CANNOT_BUILD_ENV,
                ),
            };
            Diagnostic {
                file: problem.file,
                range: problem.range,
                message: format!(
                    "{} {what}: {kind} {name}{namespace} {}{read_by}",
                    capitalize(&problem.subject.label()),
                    if problem.history {
                        "did not exist then"
                    } else {
                        "does not exist"
                    }
                ),
                why: if problem.history {
                    "It runs now; the next restart or rollout fails the same way if the object is deleted again.".into()
                } else {
                    why.into()
                },
                help: Some(help),
                object: Some(problem.subject.reference()),
                container: problem.container.clone(),
                severity: problem.history.then_some(Severity::Info),
            }
        }
        ObjectState::AlsoNamed {
            template,
            reference,
            problem,
        } => {
            let object = ws.object_of(&ws.templates[*template]);
            Diagnostic {
                file: object.file,
                range: reference.name.span,
                message: format!(
                    "{} reads {kind} {name} ({}), which the cluster reported missing{namespace} for {}",
                    object.display(),
                    reference.via,
                    problem.subject.label()
                ),
                why: format!("Its pods will fail the same way as soon as they are created or restarted: the {kind} is not there."),
                help: Some(help),
                object: Some(object.reference()),
                container: reference.container.map(String::from),
                severity: Some(Severity::Warning),
            }
        }
    }
}

fn object_help(ws: &Workspace, problem: &Problem) -> String {
    let source = problem.missing.source;
    let kind = source.kind();
    let name = problem.missing.name.as_deref().unwrap_or("<name>");
    let ns = problem.namespace().unwrap_or("<namespace>");
    // Made by a controller from an object of the set: that object did not do its work.
    let made = ws.provided().iter().find(|p| {
        p.kind == kind
            && p.name == name
            && ws.objects[p.by].kind != kind
            && same_namespace(&ws.objects[p.by], problem.namespace())
    });
    if let Some(made) = made {
        let maker = &ws.objects[made.by];
        let maker_name = maker.name.as_deref().unwrap_or("<name>");
        let ns = maker.namespace.as_deref().unwrap_or(ns);
        let check = match maker.kind.as_str() {
            "ExternalSecret" => format!("check it synced (`kubectl describe externalsecret {maker_name} -n {ns}`: its Ready condition and events say why not; a missing SecretStore or a wrong remote key are the usual causes) and that the External Secrets operator runs"),
            "SealedSecret" => format!("check the controller could unseal it (`kubectl describe sealedsecret {maker_name} -n {ns}`): a SealedSecret sealed for another cluster, namespace or name cannot be"),
            _ => format!("check cert-manager issued it (`kubectl describe certificate {maker_name} -n {ns}`, then its CertificateRequest, Order and Challenge)"),
        };
        return format!(
            "{kind} {name} is made by {} of your manifests ({}), and was not made yet: {check}.",
            maker.display(),
            ws.parsed.files[maker.file].path
        );
    }
    if let Some(object) =
        objects_of(ws, source, problem.namespace()).find(|o| o.name.as_deref() == Some(name))
    {
        return format!(
            "{kind} {name} is in your manifests ({}) but not in the cluster: apply it to namespace {ns} (`kubectl apply -f {}`), before or with the workload.",
            ws.parsed.files[object.file].path,
            ws.parsed.files[object.file].path
        );
    }
    let candidates: Vec<&str> = objects_of(ws, source, problem.namespace())
        .filter_map(|o| o.name.as_deref())
        .collect();
    if let Some(near) = nearest(name, candidates.iter().copied()) {
        return format!("The set has {kind} {near}: the name {name} looks misspelled.");
    }
    let create = match source {
        Source::ConfigMap => {
            format!("`kubectl create configmap {name} -n {ns} --from-file=<file>`")
        }
        Source::Secret => {
            format!("`kubectl create secret generic {name} -n {ns} --from-literal=<key>=<value>`")
        }
    };
    format!(
        "Check the name and namespace (`kubectl get {} -n {ns}`); create it ({create}) or correct the reference. If the app can start without it, mark the reference `optional: true`.",
        kind.to_ascii_lowercase()
    )
}

pub fn object_fix(ws: &Workspace, state: &ObjectState) -> Option<Fix> {
    let problem = state.problem();
    if problem.history {
        return None;
    }
    let source = problem.missing.source;
    let name = problem.missing.name.as_deref()?;
    let (template, references) = match state {
        ObjectState::Reported(problem) => {
            let template = template_of(ws, &problem.subject, None)?;
            (template, references(ws, template))
        }
        ObjectState::AlsoNamed {
            template,
            reference,
            ..
        } => (*template, vec![reference.clone()]),
    };
    let object = ws.object_of(&ws.templates[template]);
    let candidates: Vec<&str> = objects_of(ws, source, problem.namespace())
        .filter_map(|o| o.name.as_deref())
        .collect();
    if candidates.contains(&name) {
        return None;
    }
    let near = nearest(name, candidates.iter().copied())?;
    let edits: Vec<Edit> = references
        .iter()
        .filter(|r| r.source == source && r.name.as_str() == Some(name))
        .map(|r| replace_scalar(object.file, r.name, near))
        .collect();
    if edits.is_empty() {
        return None;
    }
    Some(Fix::new(
        format!(
            "Read {} {near} (in your manifests) instead of {name} in {}",
            source.kind(),
            object.display()
        ),
        Applicability::Unsafe,
        edits,
    ))
}

/// `cannot`, or `could not` for a pod that runs now.
fn verb(problem: &Problem) -> &'static str {
    if problem.history {
        "could not"
    } else {
        "cannot"
    }
}

/// The node's bytes without the line break a block scalar (`|`, `>`) ends with: what a
/// finding points at.
pub fn content_range(ws: &Workspace, file: FileId, node: &Node) -> TextRange {
    let text = ws.text(file);
    let end = node.span.start + text[node.span.start..node.span.end].trim_end().len();
    TextRange::new(node.span.start, end)
}

fn replace_scalar(file: FileId, node: &Node, text: &str) -> Edit {
    let style = node.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
    Edit::replace(file, node.span, render_scalar(text, style))
}

/// Missing keys of `source`, one per pod and key.
pub fn detect_keys(ws: &Workspace, source: Source) -> Vec<Problem> {
    problems(ws)
        .into_iter()
        .filter(|p| p.missing.source == source && p.missing.key.is_some())
        .collect()
}

/// The keys an object of the set holds: `data`, `binaryData`, `stringData`.
fn key_object<'w, 'a>(ws: &'w Workspace<'a>, problem: &'w Problem) -> Option<&'w K8sObject<'a>> {
    let name = problem.missing.name.as_deref()?;
    objects_of(ws, problem.missing.source, problem.namespace())
        .find(|o| o.name.as_deref() == Some(name))
}

/// The template's references that read the missing key.
fn key_readers<'a>(
    ws: &Workspace<'a>,
    problem: &Problem,
) -> Option<(usize, Vec<(Reference<'a>, &'a Node)>)> {
    let template = template_of(ws, &problem.subject, None)?;
    let name = problem.missing.name.as_deref()?;
    let key = problem.missing.key.as_deref()?;
    let found = references(ws, template)
        .into_iter()
        .filter(|r| r.source == problem.missing.source && r.name.as_str() == Some(name))
        .flat_map(|r| {
            r.keys
                .iter()
                .filter(|k| k.as_str() == Some(key))
                .map(|k| (r.clone(), *k))
                .collect::<Vec<_>>()
        })
        .collect();
    Some((template, found))
}

pub fn key_diagnostic(ws: &Workspace, problem: &Problem) -> Diagnostic {
    let source = problem.missing.source;
    let key = problem.missing.key.as_deref().unwrap_or("?");
    let name = problem.qualified();
    let readers: Vec<String> = key_readers(ws, problem)
        .map(|(_, found)| found.into_iter().map(|(r, _)| r.via).collect())
        .unwrap_or_default();
    let read_by = if readers.is_empty() {
        String::new()
    } else {
        format!(" (read by {})", readers.join(", "))
    };
    let who = match (&problem.missing.volume, &problem.container) {
        (Some(volume), _) => format!("{} mount volume {volume}", verb(problem)),
        (None, Some(container)) => format!("{} start container {container}", verb(problem)),
        (None, None) => format!("{} start", verb(problem)),
    };
    let object = key_object(ws, problem);
    let has = object
        .map(K8sObject::data_keys)
        .filter(|k| !k.is_empty())
        .map(|k| format!(" (it has {})", k.join(", ")))
        .unwrap_or_default();
    let near = object.and_then(|o| nearest(key, o.data_keys()));
    let mut help = match (source, object) {
        _ if near.is_some() => format!(
            "{name} has key {}: the key {key} the pod reads looks misspelled.",
            near.unwrap_or_default()
        ),
        (Source::ConfigMap, Some(_)) => format!(
            "Add key {key} to {name} in your manifests, or correct the key the pod reads{has}."
        ),
        (Source::ConfigMap, None) => format!(
            "See the keys it has (`kubectl describe configmap {} -n {}`): add {key}, or correct the key the pod reads.",
            problem.missing.name.as_deref().unwrap_or("<name>"),
            problem.namespace().unwrap_or("<namespace>")
        ),
        (Source::Secret, _) => {
            let bare = problem.missing.name.as_deref().unwrap_or("<name>");
            let ns = problem.namespace().unwrap_or("<namespace>");
            format!(
                "Add the key to the Secret: `kubectl patch secret {bare} -n {ns} --type merge -p '{{\"stringData\":{{\"{key}\":\"<value>\"}}}}'` (or recreate it with `kubectl create secret generic {bare} -n {ns} --from-literal={key}=<value>` and its other keys), or correct the key the pod reads{has}."
            )
        }
    };
    if let (None, Some(volume)) = (&problem.missing.name, &problem.missing.volume) {
        help.insert_str(
            0,
            &format!(
                "The pod's volume {volume} names the {} (`kubectl get {} {} -o yaml`). ",
                source.kind(),
                problem.subject.kind.to_ascii_lowercase(),
                problem.subject.name.as_deref().unwrap_or("<pod>")
            ),
        );
    }
    help.push_str(" If the app can start without it, set `optional: true` on the reference.");
    Diagnostic {
        file: problem.file,
        range: problem.range,
        message: format!(
            "{} {who}: {name} has no key {key}{read_by}",
            capitalize(&problem.subject.label())
        ),
        why: if problem.history {
            "It runs now; the next restart fails the same way if the key goes missing again.".into()
        } else if problem.missing.volume.is_some() {
            CANNOT_WRITE_FILES.into()
        } else {
            CANNOT_BUILD_ENV.into()
        },
        help: Some(help),
        object: Some(problem.subject.reference()),
        container: problem.container.clone(),
        severity: problem.history.then_some(Severity::Info),
    }
}

pub fn key_fix(ws: &Workspace, problem: &Problem) -> Option<Fix> {
    if problem.history {
        return None;
    }
    let object = key_object(ws, problem)?;
    let key = problem.missing.key.as_deref()?;
    let keys = object.data_keys();
    if keys.contains(&key) {
        return None;
    }
    if let Some(near) = nearest(key, keys.iter().copied()) {
        let (template, readers) = key_readers(ws, problem)?;
        let workload = ws.object_of(&ws.templates[template]);
        let edits: Vec<Edit> = readers
            .iter()
            .map(|(_, node)| replace_scalar(workload.file, node, near))
            .collect();
        if edits.is_empty() {
            return None;
        }
        return Some(Fix::new(
            format!(
                "Read key {near} (the one {} {} has) instead of {key} in {}",
                problem.missing.source.kind(),
                object.name.as_deref().unwrap_or("?"),
                workload.display()
            ),
            Applicability::Unsafe,
            edits,
        ));
    }
    if problem.missing.source != Source::ConfigMap {
        return None;
    }
    let edits = set_paths(
        ws,
        object.file,
        object.node,
        &[(vec!["data", key], Value::Scalar("<value>".into()))],
    );
    if edits.is_empty() {
        return None;
    }
    Some(Fix::new(
        format!("Add key {key} to {}", object.display()),
        Applicability::DisplayOnly,
        edits,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_errors_read_as_missing_objects_and_keys() {
        let m = read_missing("Error: configmap \"app-config\" not found");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].source, Source::ConfigMap);
        assert_eq!(m[0].name.as_deref(), Some("app-config"));
        let m = read_missing(
            "MountVolume.SetUp failed for volume \"creds\" : secret \"db-secret\" not found",
        );
        assert_eq!(m[0].source, Source::Secret);
        assert_eq!(m[0].volume.as_deref(), Some("creds"));
        let m = read_missing("Error: secrets \"my-password\" not found");
        assert_eq!(m[0].name.as_deref(), Some("my-password"));
        let m = read_missing("Error: couldn't find key password in Secret default/db");
        assert_eq!(m[0].key.as_deref(), Some("password"));
        assert_eq!(m[0].namespace.as_deref(), Some("default"));
        assert_eq!(m[0].name.as_deref(), Some("db"));
        let m = read_missing("MountVolume.SetUp failed for volume \"config\" : configmap references non-existent config key: redis-config");
        assert_eq!(m[0].key.as_deref(), Some("redis-config"));
        assert_eq!(m[0].name, None);
        let m = read_missing(
            "MountVolume.SetUp failed for volume \"init-config\" : references non-existent secret key: initconfig",
        );
        assert_eq!(m[0].source, Source::Secret);
        assert!(read_missing("MountVolume.SetUp failed for volume \"kube-api-access-x\" : object \"shop\"/\"kube-root-ca.crt\" not registered").is_empty());
    }
}
