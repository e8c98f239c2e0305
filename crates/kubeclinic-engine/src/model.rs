//! The set of inputs as Kubernetes sees it: objects, pod templates and containers, each tied
//! to the bytes it came from.

use std::collections::HashMap;

use crate::diagnostic::{FileId, ObjectRef};
use crate::rules::images::pull_failure::PullFailure;
use crate::runtime::events::Event;
use crate::runtime::pod::PodView;
use crate::runtime::{self, LogLine, Observed, Runtime};
use crate::text::{LineIndex, TextRange};
use crate::yaml::{self, Document, Node};

/// One input: a file for the CLI, a pane for the app.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// Parsed inputs; [`Workspace`] borrows from it.
pub struct Parsed<'a> {
    pub files: &'a [SourceFile],
    pub documents: Vec<Vec<Document>>,
    /// What the cluster said, from the parts of each input that are not manifests.
    pub runtime: Vec<Runtime>,
    pub lines: Vec<LineIndex>,
}

impl<'a> Parsed<'a> {
    pub fn new(files: &'a [SourceFile]) -> Self {
        let (documents, runtime) = files.iter().map(|f| read_within_limit(&f.text)).unzip();
        Self {
            files,
            documents,
            runtime,
            lines: files.iter().map(|f| LineIndex::new(&f.text)).collect(),
        }
    }
}

impl Parsed<'_> {
    /// The Helm template (`# Source: chart/templates/x.yaml`) the document holding byte
    /// `offset` of input `file` was rendered from, if any.
    pub fn helm_source_at(&self, file: FileId, offset: usize) -> Option<String> {
        let documents = &self.documents[file];
        let after = documents.partition_point(|d| d.range.start <= offset);
        // Runtime text between manifests belongs to no document; an error at the very end
        // of a document still does.
        let document = documents[..after]
            .last()
            .filter(|d| offset <= d.range.end)?;
        let text = &self.files[file].text;
        helm_source(text.get(document.range.start..document.range.end)?)
    }
}

fn read_within_limit(text: &str) -> (Vec<Document>, Runtime) {
    if text.len() <= crate::MAX_INPUT_BYTES {
        let mut runtime = runtime::read(text);
        let documents: Vec<Document> = runtime
            .manifest_ranges()
            .flat_map(|range| yaml::parse_region(text, range))
            .collect();
        // `kubectl get events -o yaml|json`: Event objects are events like any row.
        let before = runtime.events.len();
        for root in documents.iter().filter_map(|d| d.root.as_ref()) {
            let items = match root.get("items") {
                Some(items) => items.items(),
                None => std::slice::from_ref(root),
            };
            runtime
                .events
                .extend(items.iter().filter_map(runtime::event_objects::read));
        }
        if runtime.events.len() > before {
            runtime.group_pod_events();
        }
        return (documents, runtime);
    }
    let document = Document {
        range: TextRange::new(0, text.len()),
        root: None,
        error: Some(yaml::SyntaxError {
            at: 0,
            message: format!(
                "the input is {} MiB; Kubeclinic reads at most {} MiB at once: split it into several inputs",
                text.len() / (1024 * 1024),
                crate::MAX_INPUT_BYTES / (1024 * 1024)
            ),
        }),
    };
    (vec![document], Runtime::default())
}

#[derive(Debug)]
pub struct K8sObject<'a> {
    pub file: FileId,
    pub node: &'a Node,
    pub api_version: String,
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// Helm's `# Source: chart/templates/x.yaml` comment above the object, if any.
    pub helm_source: Option<String>,
    /// For an object without a namespace, the one namespace all the others of its input
    /// name, if they agree.
    pub implied_namespace: Option<String>,
}

impl<'a> K8sObject<'a> {
    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            source: self.helm_source.clone(),
        }
    }

    /// Where to point when the whole object is meant: its name, else its kind.
    pub fn anchor_range(&self) -> TextRange {
        self.node
            .path(&["metadata", "name"])
            .or_else(|| self.node.get("kind"))
            .map_or(self.node.span, |n| n.span)
    }

    /// An object of an API group that Kubernetes does not ship (`monitoring.coreos.com/v1`):
    /// an operator may turn it into pods.
    pub fn is_custom_resource(&self) -> bool {
        match self.api_version.split_once('/') {
            Some((group, _)) => group.contains('.') && !group.ends_with(".k8s.io"),
            None => false,
        }
    }

    /// The keys of a ConfigMap's or Secret's `data`, `binaryData` and `stringData`.
    pub fn data_keys(&self) -> Vec<&'a str> {
        ["data", "binaryData", "stringData"]
            .iter()
            .filter_map(|field| self.node.get(field))
            .flat_map(|map| map.entries().iter().filter_map(|e| e.key.as_str()))
            .collect()
    }

    /// The namespace the object goes to: its own, else the one every other namespaced object
    /// of its input names (applied together, they go to one place), else none known.
    pub fn effective_namespace(&self) -> Option<&str> {
        self.namespace
            .as_deref()
            .or(self.implied_namespace.as_deref())
    }

    /// A live object from `kubectl get -o yaml|json`: it has a status the cluster wrote
    /// (`status: {}` from `kubectl create --dry-run -o yaml` is no such status).
    pub fn is_live(&self) -> bool {
        self.node
            .get("status")
            .is_some_and(|s| !s.entries().is_empty())
    }

    /// `kind/name` as kubectl writes it.
    pub fn display(&self) -> String {
        format!(
            "{} {}",
            self.kind,
            self.name.as_deref().unwrap_or("<unnamed>")
        )
    }

    /// True when both objects could live in the same namespace. An object without a
    /// namespace goes wherever it is applied, so it can meet any other.
    pub fn may_share_namespace(&self, other: &K8sObject) -> bool {
        match (self.effective_namespace(), other.effective_namespace()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// A pod template: a Pod itself, or the `template` of a workload.
#[derive(Debug)]
pub struct PodTemplate<'a> {
    pub object: usize,
    /// Indexes of this template's containers in [`Workspace::containers`].
    pub containers: std::ops::Range<usize>,
    pub labels: Option<&'a Node>,
    pub spec: &'a Node,
}

impl<'a> PodTemplate<'a> {
    pub fn label_pairs(&self) -> Vec<(&'a str, &'a str)> {
        self.labels
            .map(|l| l.string_map().into_iter().map(|(k, v, _)| (k, v)).collect())
            .unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

#[derive(Debug)]
pub struct Container<'a> {
    pub object: usize,
    pub template: usize,
    pub kind: ContainerKind,
    pub name: Option<&'a str>,
    pub node: &'a Node,
}

/// Pod template indexes by label key, then value.
type LabelIndex<'a> = HashMap<&'a str, HashMap<&'a str, Vec<usize>>>;

/// Everything the rules look at.
pub struct Workspace<'a> {
    pub parsed: &'a Parsed<'a>,
    pub objects: Vec<K8sObject<'a>>,
    pub templates: Vec<PodTemplate<'a>>,
    pub containers: Vec<Container<'a>>,
    /// Object indexes by kind, in input order.
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// Object indexes by kind and name, in input order, so [`Workspace::find`] does not scan.
    by_name: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// Pods as `kubectl describe pod` showed them.
    pub pods: Vec<ObservedPod<'a>>,
    /// Every event of the set, gathered on first use and shared by the rules.
    events: std::cell::OnceCell<Vec<EventAt<'a>>>,
    /// The settings the check runs with.
    pub checker: &'a crate::settings::Checker,
    /// Every image pull failure, read once for all the image rules.
    pull_failures: std::cell::OnceCell<Vec<PullFailure>>,
    /// The Secrets and ConfigMaps the set makes, directly or through a controller.
    provided: std::cell::OnceCell<Vec<crate::provides::Provided>>,
    /// Claims, ServiceAccounts and pull secrets the pod templates refer to.
    references: std::cell::OnceCell<Vec<crate::provides::Referenced<'a>>>,
    /// Every built-in object checked against the API's schema.
    shape_issues: std::cell::OnceCell<Vec<crate::rules::api::shape::Issue>>,
    crds: std::cell::OnceCell<crate::rules::api::custom_schema::Crds<'a>>,
    /// Every CEL expression of the set's CRDs and admission policies, evaluated once.
    cel: std::cell::OnceCell<crate::rules::api::cel_facts::CelFacts<'a>>,
    /// Every name the pod templates must find (ConfigMaps, Secrets, claims, accounts).
    links: std::cell::OnceCell<Vec<crate::rules::configuration::links::Link<'a>>>,
    /// The autoscalers of the set and the workloads they scale.
    autoscalers: std::cell::OnceCell<Vec<crate::rules::workloads::Autoscaler<'a>>>,
    /// Each pod template's labels, for the selectors of every rule.
    template_labels: std::cell::OnceCell<Vec<crate::labels::Labels<'a>>>,
    /// Pod templates by `key=value` label, in template order, so a selector does not try
    /// every template.
    templates_by_label: std::cell::OnceCell<LabelIndex<'a>>,
    /// The pod templates that can share an object's namespace, by that namespace (`None`:
    /// anywhere), filled as selectors ask.
    templates_near: std::cell::RefCell<HashMap<Option<String>, std::rc::Rc<[usize]>>>,
    /// The `labels` maps of every custom resource, by object index.
    custom_labels: std::cell::OnceCell<Vec<(usize, Vec<crate::labels::Labels<'a>>)>>,
}

/// A described pod and the input it came from.
pub struct ObservedPod<'a> {
    pub file: FileId,
    pub pod: PodView<'a>,
}

/// An event with where it was read and the described pod it belongs to, if any.
#[derive(Clone, Copy)]
pub struct EventAt<'a> {
    pub file: FileId,
    pub event: &'a Event,
    /// Index into [`Workspace::pods`].
    pub pod: Option<usize>,
    /// The described object (any kind) whose Events section held it.
    pub observed: Option<&'a Observed>,
}

impl<'a> Workspace<'a> {
    /// The workspace under the default settings.
    pub fn new(parsed: &'a Parsed<'a>) -> Self {
        Self::with_checker(parsed, crate::settings::default_checker())
    }

    pub fn with_checker(parsed: &'a Parsed<'a>, checker: &'a crate::settings::Checker) -> Self {
        let mut objects = Vec::new();
        for (file, documents) in parsed.documents.iter().enumerate() {
            let text = &parsed.files[file].text;
            for document in documents {
                let Some(root) = &document.root else { continue };
                let helm_source = helm_source(&text[document.range.start..document.range.end]);
                collect_objects(file, root, helm_source, &mut objects);
            }
        }
        // One namespace rule: an object without one goes where the rest of its input goes,
        // when the rest agree on one (cluster-scoped kinds name none and do not vote).
        // Per input: the one namespace its objects name, `None` once two disagree.
        let mut agreed: HashMap<FileId, Option<String>> = HashMap::new();
        for o in &objects {
            if let Some(ns) = &o.namespace {
                agreed
                    .entry(o.file)
                    .and_modify(|a| {
                        if a.as_ref() != Some(ns) {
                            *a = None;
                        }
                    })
                    .or_insert_with(|| Some(ns.clone()));
            }
        }
        for o in objects.iter_mut().filter(|o| o.namespace.is_none()) {
            o.implied_namespace = agreed.get(&o.file).cloned().flatten();
        }
        let mut templates = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            if let Some((labels, spec)) = pod_template_of(object) {
                templates.push(PodTemplate {
                    object: index,
                    containers: 0..0,
                    labels,
                    spec,
                });
            }
        }
        let mut containers = Vec::new();
        for (index, template) in templates.iter_mut().enumerate() {
            let first = containers.len();
            for (key, kind) in [
                ("initContainers", ContainerKind::Init),
                ("containers", ContainerKind::Regular),
                ("ephemeralContainers", ContainerKind::Ephemeral),
            ] {
                for node in template.spec.get(key).map(Node::items).unwrap_or_default() {
                    containers.push(Container {
                        object: template.object,
                        template: index,
                        kind,
                        name: node.get("name").and_then(Node::as_str),
                        node,
                    });
                }
            }
            template.containers = first..containers.len();
        }
        let mut by_kind: HashMap<&'a str, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<(&'a str, &'a str), Vec<usize>> = HashMap::new();
        for (index, object) in objects.iter().enumerate() {
            let kind: &'a str = object
                .node
                .get("kind")
                .and_then(Node::as_str)
                .unwrap_or_default();
            by_kind.entry(kind).or_default().push(index);
            // As `K8sObject::name` reads it: the name, else the generateName.
            let metadata = object.node.get("metadata");
            let name = ["name", "generateName"]
                .iter()
                .find_map(|key| metadata.and_then(|m| m.get(key)).and_then(Node::as_str));
            if let Some(name) = name {
                by_name.entry((kind, name)).or_default().push(index);
            }
        }
        let mut pods: Vec<ObservedPod<'a>> = parsed
            .runtime
            .iter()
            .enumerate()
            .flat_map(|(file, runtime)| {
                runtime
                    .observed
                    .iter()
                    .filter(|o| o.kind == "Pod")
                    .map(move |o| ObservedPod {
                        file,
                        pod: PodView {
                            partial: o.partial,
                            ..PodView::from_describe(&o.describe)
                        },
                    })
            })
            .collect();
        // `kubectl get pod -o yaml|json` output: the status says what the cluster saw.
        pods.extend(objects.iter().filter(|o| o.kind == "Pod").filter_map(|o| {
            Some(ObservedPod {
                file: o.file,
                pod: PodView::from_manifest(o.node)?,
            })
        }));
        // A cut of that output without its kind (the `status:` block, or what `jq` picked),
        // named by the `kubectl get pod` command above it.
        for (file, documents) in parsed.documents.iter().enumerate() {
            for document in documents {
                let Some(mut pod) = document.root.as_ref().and_then(PodView::from_fragment) else {
                    continue;
                };
                let text: &'a str = &parsed.files[file].text;
                let command = parsed.runtime[file]
                    .regions
                    .iter()
                    .rfind(|r| {
                        r.kind == runtime::regions::RegionKind::Command
                            && r.range.end <= document.range.start
                    })
                    .and_then(|r| runtime::get_pod_target(&text[r.range.start..r.range.end]));
                if let (None, Some((name, namespace))) = (pod.name, command) {
                    pod.name = Some(name);
                    pod.namespace = pod.namespace.or(namespace);
                }
                pods.push(ObservedPod { file, pod });
            }
        }
        let mut ws = Self {
            parsed,
            objects,
            templates,
            containers,
            by_kind,
            by_name,
            pods,
            events: std::cell::OnceCell::new(),
            checker,
            pull_failures: std::cell::OnceCell::new(),
            shape_issues: std::cell::OnceCell::new(),
            crds: std::cell::OnceCell::new(),
            cel: std::cell::OnceCell::new(),
            links: std::cell::OnceCell::new(),
            autoscalers: std::cell::OnceCell::new(),
            template_labels: std::cell::OnceCell::new(),
            templates_by_label: std::cell::OnceCell::new(),
            templates_near: std::cell::RefCell::default(),
            custom_labels: std::cell::OnceCell::new(),
            provided: std::cell::OnceCell::new(),
            references: std::cell::OnceCell::new(),
        };
        ws.name_fragment_containers();
        ws
    }

    /// A pod row or a few describe fields show a container without its name: once the pod is
    /// tied to a template of the set, the container is the template's container with the same
    /// image, or its only one, so findings and fixes name it.
    fn name_fragment_containers(&mut self) {
        let mut names: Vec<(usize, usize, String)> = Vec::new();
        for (p, observed) in self.pods.iter().enumerate() {
            if !observed.pod.containers.iter().any(|c| c.name.is_empty()) {
                continue;
            }
            let Some(template) = self.owner_template(&observed.pod) else {
                continue;
            };
            for (c, container) in observed.pod.containers.iter().enumerate() {
                if !container.name.is_empty() {
                    continue;
                }
                let wanted = if container.init {
                    ContainerKind::Init
                } else {
                    ContainerKind::Regular
                };
                let candidates: Vec<&Container> = self
                    .containers_of(template)
                    .filter(|m| m.kind == wanted && m.name.is_some())
                    .collect();
                let image = container.image.as_ref().map(|(i, _)| i.as_str());
                let by_image = |same: &dyn Fn(&str, &str) -> bool| -> Vec<&Container> {
                    candidates
                        .iter()
                        .copied()
                        .filter(|m| {
                            let written = m.node.get("image").and_then(Node::as_str);
                            matches!((image, written), (Some(a), Some(b)) if same(a, b))
                        })
                        .collect()
                };
                let exact = by_image(&|a, b| a == b);
                let repository = by_image(&|a, b| image_repository(a) == image_repository(b));
                let pick = [exact, repository, candidates]
                    .into_iter()
                    .find(|list| list.len() == 1)
                    .and_then(|list| list[0].name);
                if let Some(name) = pick {
                    names.push((p, c, name.to_string()));
                }
            }
        }
        for (p, c, name) in names {
            self.pods[p].pod.containers[c].name = name;
        }
    }

    /// Every event in the set: describe Events sections, `kubectl get events` tables and
    /// Event objects. Gathered once per check.
    pub fn events(&self) -> &[EventAt<'a>] {
        self.events.get_or_init(|| self.gather_events())
    }

    /// Every image pull failure of the set, one per (pod, container, cause).
    pub fn pull_failures(&self) -> &[PullFailure] {
        self.pull_failures
            .get_or_init(|| crate::rules::images::pull_failure::failures(self))
    }

    /// The Secrets and ConfigMaps the set makes: its own, and those a SealedSecret, an
    /// ExternalSecret or a cert-manager Certificate of the set makes.
    pub fn provided(&self) -> &[crate::provides::Provided] {
        self.provided.get_or_init(|| crate::provides::read(self))
    }

    /// The claims, ServiceAccounts and image pull secrets the pod templates refer to.
    /// Every name the pod templates of the set must find, read once for the rules that join
    /// templates to ConfigMaps, Secrets, claims and ServiceAccounts.
    pub fn links(&self) -> &[crate::rules::configuration::links::Link<'a>] {
        self.links
            .get_or_init(|| crate::rules::configuration::links::read(self))
    }

    /// The HorizontalPodAutoscalers of the set (not live) with the workloads they scale.
    pub fn autoscalers(&self) -> &[crate::rules::workloads::Autoscaler<'a>] {
        self.autoscalers
            .get_or_init(|| crate::rules::workloads::read_autoscalers(self))
    }

    /// The labels of the pod template `template`, read once for every selector.
    pub fn template_labels(&self, template: usize) -> &crate::labels::Labels<'a> {
        &self.template_labels.get_or_init(|| {
            self.templates
                .iter()
                .map(|t| t.label_pairs().into_iter().collect())
                .collect()
        })[template]
    }

    /// The pod templates holding the label `key: value`, in template order.
    pub fn templates_with_label(&self, key: &str, value: &str) -> &[usize] {
        self.label_values(key)
            .and_then(|values| values.get(value))
            .map_or(&[], Vec::as_slice)
    }

    /// Every value the pod templates give label `key`, each with its templates in order.
    pub fn label_values(&self, key: &str) -> Option<&HashMap<&'a str, Vec<usize>>> {
        let index = self.templates_by_label.get_or_init(|| {
            let mut index: LabelIndex<'a> = HashMap::new();
            for t in 0..self.templates.len() {
                for (&k, &v) in self.template_labels(t) {
                    index.entry(k).or_default().entry(v).or_default().push(t);
                }
            }
            index
        });
        index.get(key)
    }

    /// The pod templates (in order) that can share `near`'s namespace (see
    /// [`K8sObject::may_share_namespace`]).
    pub fn templates_near(&self, near: &K8sObject) -> std::rc::Rc<[usize]> {
        let namespace = near.effective_namespace().map(str::to_string);
        self.templates_near
            .borrow_mut()
            .entry(namespace)
            .or_insert_with(|| {
                (0..self.templates.len())
                    .filter(|&t| self.object_of(&self.templates[t]).may_share_namespace(near))
                    .collect()
            })
            .clone()
    }

    /// Every `labels` map inside each custom resource of the set (see
    /// [`crate::labels::label_maps`]), read once for every selector.
    pub fn custom_resource_labels(&self) -> &[(usize, Vec<crate::labels::Labels<'a>>)] {
        self.custom_labels.get_or_init(|| {
            self.objects
                .iter()
                .enumerate()
                .filter(|(_, o)| o.is_custom_resource())
                .map(|(i, o)| (i, crate::labels::label_maps(o.node, 0)))
                .collect()
        })
    }

    pub fn references(&self) -> &[crate::provides::Referenced<'a>] {
        self.references
            .get_or_init(|| crate::provides::references(self))
    }

    /// The schemas of the set's CustomResourceDefinitions, read once.
    pub fn crds(&self) -> &crate::rules::api::custom_schema::Crds<'a> {
        self.crds
            .get_or_init(|| crate::rules::api::custom_schema::Crds::read(self))
    }

    /// The set's CRD validation rules and admission policies, evaluated once.
    pub fn cel(&self) -> &crate::rules::api::cel_facts::CelFacts<'a> {
        self.cel
            .get_or_init(|| crate::rules::api::cel_facts::CelFacts::read(self))
    }

    /// What the API's schema says of every built-in object of the set.
    pub fn shape_issues(&self) -> &[crate::rules::api::shape::Issue] {
        self.shape_issues
            .get_or_init(|| crate::rules::api::shape::read(self))
    }

    fn gather_events(&self) -> Vec<EventAt<'a>> {
        let mut out = Vec::new();
        for (file, runtime) in self.parsed.runtime.iter().enumerate() {
            for observed in &runtime.observed {
                let pod = self.pods.iter().position(|p| {
                    p.file == file
                        && std::ptr::eq(p.pod.events.as_ptr(), observed.describe.events.as_ptr())
                });
                for event in &observed.describe.events {
                    out.push(EventAt {
                        file,
                        event,
                        pod,
                        observed: Some(observed),
                    });
                }
            }
            for event in &runtime.events {
                let pod = event
                    .object_name()
                    .and_then(|name| self.pods.iter().position(|p| p.pod.name == Some(name)));
                out.push(EventAt {
                    file,
                    event,
                    pod,
                    observed: None,
                });
            }
        }
        out
    }

    /// Log lines of every input.
    pub fn logs(&self) -> impl Iterator<Item = (FileId, &'a LogLine)> + '_ {
        let parsed: &'a Parsed<'a> = self.parsed;
        parsed
            .runtime
            .iter()
            .enumerate()
            .flat_map(|(file, r)| r.logs.iter().map(move |l| (file, l)))
    }

    /// The pod template a running pod was made from: by `Controlled By`, then by name prefix,
    /// then by labels, within a namespace both can share.
    pub fn owner_template(&self, pod: &PodView) -> Option<usize> {
        // A live object (`kubectl get -o yaml`, with a status) is the pod itself, not its source.
        let same_namespace = |t: &PodTemplate| {
            let object = &self.objects[t.object];
            object.node.get("status").is_none()
                && match (pod.namespace, &object.namespace) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        };
        let named = |kind: &str, name: &str| {
            self.templates.iter().position(|t| {
                let o = &self.objects[t.object];
                o.kind == kind && o.name.as_deref() == Some(name) && same_namespace(t)
            })
        };
        if let Some((kind, name)) = pod.controlled_by.as_deref().and_then(|c| c.split_once('/')) {
            let found = match kind {
                "ReplicaSet" => {
                    named("ReplicaSet", name).or_else(|| named("Deployment", strip_suffix(name)))
                }
                "Job" => named("Job", name).or_else(|| named("CronJob", strip_suffix(name))),
                other => named(other, name),
            };
            if found.is_some() {
                return found;
            }
        }
        if let Some(pod_name) = pod.name {
            let by_prefix = self
                .templates
                .iter()
                .enumerate()
                .filter(|(_, t)| same_namespace(t))
                .filter_map(|(i, t)| {
                    let name = self.objects[t.object].name.as_deref()?;
                    (pod_name == name || pod_name.starts_with(&format!("{name}-")))
                        .then_some((name.len(), i))
                })
                .max();
            if let Some((_, i)) = by_prefix {
                return Some(i);
            }
        }
        let by_labels = self.templates.iter().position(|t| {
            let labels = t.label_pairs();
            same_namespace(t) && !labels.is_empty() && labels.iter().all(|l| pod.labels.contains(l))
        });
        if by_labels.is_some() || pod.name.is_some() || pod.controlled_by.is_some() {
            return by_labels;
        }
        // A fragment that names no pod (a few describe fields, bare event rows): the template
        // whose container has its image or its container's name, else the set's only one.
        let workloads: Vec<usize> = (0..self.templates.len())
            .filter(|&t| same_namespace(&self.templates[t]))
            .collect();
        let only = |pick: &dyn Fn(&Container) -> bool| -> Option<usize> {
            let found: Vec<usize> = workloads
                .iter()
                .copied()
                .filter(|&t| self.containers_of(t).any(pick))
                .collect();
            (found.len() == 1).then(|| found[0])
        };
        let images: Vec<&str> = pod
            .containers
            .iter()
            .filter_map(|c| c.image.as_ref().map(|(i, _)| i.as_str()))
            .collect();
        fn written<'n>(c: &Container<'n>) -> Option<&'n str> {
            c.node.get("image").and_then(Node::as_str)
        }
        let names: Vec<&str> = pod
            .containers
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| !n.is_empty())
            .collect();
        if !images.is_empty() {
            let by_image =
                only(&|c| written(c).is_some_and(|w| images.contains(&w))).or_else(|| {
                    only(&|c| {
                        written(c).is_some_and(|w| {
                            images
                                .iter()
                                .any(|i| image_repository(i) == image_repository(w))
                        })
                    })
                });
            if by_image.is_some() {
                return by_image;
            }
        }
        if !names.is_empty() {
            return only(&|c| c.name.is_some_and(|n| names.contains(&n)));
        }
        // An image no template runs belongs to a workload the set does not hold.
        (images.is_empty() && workloads.len() == 1).then(|| workloads[0])
    }

    /// The manifest's container that a running pod's container `name` came from.
    pub fn manifest_container(&self, pod: &PodView, name: &str) -> Option<(usize, &'a Node)> {
        let template = self.owner_template(pod)?;
        self.containers_of(template)
            .find(|c| c.name == Some(name))
            .map(|c| (template, c.node))
    }

    pub fn file_count(&self) -> usize {
        self.parsed.files.len()
    }

    pub fn text(&self, file: FileId) -> &'a str {
        &self.parsed.files[file].text
    }

    pub fn source(&self, file: FileId, range: TextRange) -> &'a str {
        &self.text(file)[range.start..range.end]
    }

    pub fn lines(&self, file: FileId) -> &'a LineIndex {
        &self.parsed.lines[file]
    }

    pub fn object_of(&self, template: &PodTemplate) -> &K8sObject<'a> {
        &self.objects[template.object]
    }

    pub fn containers_of(&self, template: usize) -> impl Iterator<Item = &Container<'a>> {
        self.containers[self.templates[template].containers.clone()].iter()
    }

    pub fn objects_of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'s K8sObject<'a>> {
        self.indexes_of_kind(kind).iter().map(|&i| &self.objects[i])
    }

    /// The set's one object of `kind`, when it holds exactly one: the object a paste that
    /// names none is about.
    pub fn only_of_kind<'s>(&'s self, kind: &str) -> Option<&'s K8sObject<'a>> {
        match self.indexes_of_kind(kind) {
            [one] => Some(&self.objects[*one]),
            _ => None,
        }
    }

    pub fn indexes_of_kind(&self, kind: &str) -> &[usize] {
        self.by_kind.get(kind).map_or(&[], Vec::as_slice)
    }

    /// The object of `kind` named `name` that can share `near`'s namespace.
    pub fn find(&self, kind: &str, name: &str, near: &K8sObject) -> Option<usize> {
        self.by_name
            .get(&(kind, name))
            .into_iter()
            .flatten()
            .copied()
            .find(|&i| self.objects[i].may_share_namespace(near))
    }
}

/// `registry.local/web:1.4@sha256:...` -> `registry.local/web`: an image without its tag and
/// digest.
fn image_repository(image: &str) -> &str {
    let image = image.split_once('@').map_or(image, |(name, _)| name);
    match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => image,
    }
}

/// `web-7d4b9c8f6` -> `web`, `klines-28934520` -> `klines`.
fn strip_suffix(name: &str) -> &str {
    name.rsplit_once('-').map_or(name, |(head, _)| head)
}

fn collect_objects<'a>(
    file: FileId,
    node: &'a Node,
    helm_source: Option<String>,
    out: &mut Vec<K8sObject<'a>>,
) {
    let kind = node.get("kind").and_then(Node::as_str);
    let api_version = node.get("apiVersion").and_then(Node::as_str);
    let (Some(kind), Some(api_version)) = (kind, api_version) else {
        return;
    };
    if kind.ends_with("List") {
        if let Some(items) = node.get("items") {
            for item in items.items() {
                collect_objects(file, item, helm_source.clone(), out);
            }
            return;
        }
    }
    let metadata = node.get("metadata");
    let field = |key| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Node::as_str)
            .map(String::from)
    };
    out.push(K8sObject {
        file,
        node,
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: field("name").or_else(|| field("generateName")),
        namespace: field("namespace"),
        helm_source,
        implied_namespace: None,
    });
}

fn pod_template_of<'a>(object: &K8sObject<'a>) -> Option<(Option<&'a Node>, &'a Node)> {
    let node = object.node;
    let template = match object.kind.as_str() {
        "Pod" => return Some((node.path(&["metadata", "labels"]), node.get("spec")?)),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => node.path(&["spec", "template"])?,
        "CronJob" => node.path(&["spec", "jobTemplate", "spec", "template"])?,
        "PodTemplate" => node.get("template")?,
        // Any other kind whose template holds containers makes pods too: Argo Rollouts,
        // OpenShift DeploymentConfigs, Knative Services, operators' CronJob-like kinds.
        _ => ["template", "jobTemplate.spec.template"]
            .iter()
            .filter_map(|path| {
                let keys: Vec<&str> = std::iter::once("spec").chain(path.split('.')).collect();
                node.path(&keys)
            })
            .find(|t| {
                t.path(&["spec", "containers"])
                    .is_some_and(|c| !c.items().is_empty())
            })?,
    };
    Some((
        template.path(&["metadata", "labels"]),
        template.get("spec")?,
    ))
}

fn helm_source(document: &str) -> Option<String> {
    document
        .lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#') || l.starts_with("---"))
        .find_map(|l| l.strip_prefix("# Source:").map(|s| s.trim().to_string()))
}
