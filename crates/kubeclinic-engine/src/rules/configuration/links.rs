//! What the pod templates of the set name (ConfigMaps, Secrets, claims, ServiceAccounts, image
//! pull secrets) and whether the set has it: the manifest-only side of the configuration and
//! storage rules.
//!
//! A name the set provides is fine. A name the set lacks while the same namespace holds an
//! object of that kind with a near name is a broken link (`ref-missing-*`): a typo. Any other
//! name the set lacks is only unknown (an object applied from elsewhere, a file left out), and
//! one finding for the whole set lists them (`referenced-objects-not-in-set`).

use std::collections::HashMap;

use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Related};
use crate::model::{K8sObject, Workspace};
use crate::provides::Provided;
use crate::similarity::nearest;
use crate::text::TextRange;
use crate::yaml::Node;

use super::{problems, references, replace_scalar, Problem};

/// A place in a pod template that names an object.
#[derive(Clone, Debug)]
pub struct Link<'a> {
    pub template: usize,
    /// `ConfigMap`, `Secret`, `PersistentVolumeClaim` or `ServiceAccount`.
    pub kind: &'static str,
    /// The name's scalar.
    pub name: &'a Node,
    /// The keys it reads (`configMapKeyRef.key`, `items[].key`).
    pub keys: Vec<&'a Node>,
    /// `env DB_PASSWORD of container api`, `volume data`, `serviceAccountName`.
    pub via: String,
    /// Reads the object into a volume (else into the environment, or no container at all).
    pub volume: bool,
    pub container: Option<&'a str>,
    /// An `imagePullSecrets` entry.
    pub pull_secret: bool,
}

impl<'a> Link<'a> {
    pub fn name(&self) -> &'a str {
        self.name.as_str().unwrap_or_default()
    }
}

/// Names every namespace has without anyone applying them.
fn built_in(kind: &str, name: &str) -> bool {
    matches!(
        (kind, name),
        ("ServiceAccount", "default") | ("ConfigMap", "kube-root-ca.crt")
    )
}

/// A name left for a template engine or a pipeline to fill in (`{{ .Values.x }}`, `${NAME}`,
/// `<secret-name>`): not a name the set could hold.
pub fn unrendered(name: &str) -> bool {
    name.contains(['$', '{', '}', '<', '>', '%']) || name.contains(char::is_whitespace)
}

/// Every name the pod templates of the set must find, in input order. Optional references,
/// built-in names and unrendered templates are left out, and so are live objects (`kubectl get
/// -o yaml`): the cluster already ran them, so what they name is there or reported by kubelet.
pub fn read<'a>(ws: &Workspace<'a>) -> Vec<Link<'a>> {
    let mut out = Vec::new();
    for (template, t) in ws.templates.iter().enumerate() {
        if ws.objects[t.object].is_live() {
            continue;
        }
        for r in references(ws, template) {
            if r.optional {
                continue;
            }
            out.push(Link {
                template,
                kind: r.source.kind(),
                name: r.name,
                keys: r.keys,
                via: r.via,
                volume: r.volume.is_some(),
                container: r.container,
                pull_secret: false,
            });
        }
    }
    for r in ws.references() {
        if ws.objects[ws.templates[r.template].object].is_live() {
            continue;
        }
        // A StatefulSet's claim template replaces the pod volume of the same name.
        let volume = r.via.strip_prefix("volume ");
        let claim_template = |v: &str| {
            ws.objects[ws.templates[r.template].object]
                .node
                .path(&["spec", "volumeClaimTemplates"])
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|c| c.path(&["metadata", "name"]).and_then(Node::as_str) == Some(v))
        };
        if r.kind == "PersistentVolumeClaim" && volume.is_some_and(claim_template) {
            continue;
        }
        out.push(Link {
            template: r.template,
            kind: r.kind,
            name: r.name,
            keys: Vec::new(),
            via: r.via.clone(),
            volume: r.kind == "PersistentVolumeClaim",
            container: None,
            pull_secret: r.via == "imagePullSecrets",
        });
    }
    // Template by template, as written.
    out.sort_by_key(|l| l.template);
    out.retain(|l| {
        l.name
            .as_str()
            .is_some_and(|n| !n.is_empty() && !built_in(l.kind, n) && !unrendered(n))
    });
    out
}

/// What the set holds for a link.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// These objects of the set make it (indexes into [`Workspace::provided`]).
    Provided(Vec<usize>),
    /// The namespace holds other objects of the kind in the set, not this one.
    Missing,
    /// The set holds nothing of the kind in that namespace.
    Absent,
}

/// The objects a kustomization of the set generates (`configMapGenerator`, `secretGenerator`):
/// their names get a hash suffix and the references are rewritten to it, so a reference to
/// the generator's name is met.
fn generated<'a>(ws: &Workspace<'a>) -> Vec<(&'static str, &'a str)> {
    let mut out = Vec::new();
    for root in ws
        .parsed
        .documents
        .iter()
        .flatten()
        .filter_map(|d| d.root.as_ref())
    {
        for (field, kind) in [
            ("configMapGenerator", "ConfigMap"),
            ("secretGenerator", "Secret"),
        ] {
            for generator in root.get(field).map(Node::items).unwrap_or_default() {
                if let Some(name) = generator.get("name").and_then(Node::as_str) {
                    out.push((kind, name));
                }
            }
        }
    }
    out
}

/// The set's objects, and what each link finds among them.
pub struct Graph<'w, 'a> {
    ws: &'w Workspace<'a>,
    /// [`Workspace::provided`] by kind and name, and by kind.
    by_name: HashMap<(&'w str, &'w str), Vec<usize>>,
    by_kind: HashMap<&'w str, Vec<usize>>,
    /// Custom resources that may make objects (see [`Graph::made_by_operator`]).
    operators: Vec<&'w K8sObject<'a>>,
    /// [`Graph::operators`] indexes by the operator's own name, and by every name a field of
    /// its `spec` gives to what it makes (see [`names_made`]).
    operators_by_name: HashMap<&'w str, Vec<usize>>,
    operators_by_field: HashMap<&'w str, Vec<usize>>,
    generated: Vec<(&'static str, &'a str)>,
    /// Kubelet's `not found` errors in the pasted events, for the runtime rules to explain;
    /// read on first use.
    problems: std::cell::OnceCell<Vec<Problem>>,
}

impl<'w, 'a> Graph<'w, 'a> {
    pub fn new(ws: &'w Workspace<'a>) -> Self {
        let mut by_name: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in ws.provided().iter().enumerate() {
            by_name
                .entry((p.kind, p.name.as_str()))
                .or_default()
                .push(i);
            by_kind.entry(p.kind).or_default().push(i);
        }
        // Those whose products are known (a Certificate) make exactly what `provided` says;
        // those that run pods themselves only read objects.
        let known: std::collections::HashSet<usize> = ws.provided().iter().map(|p| p.by).collect();
        let operators = ws
            .objects
            .iter()
            .enumerate()
            .filter(|(i, o)| {
                !known.contains(i)
                    && o.is_custom_resource()
                    && !o.node.get("spec").is_some_and(|spec| runs_pods(spec, 0))
            })
            .map(|(_, o)| o)
            .collect::<Vec<_>>();
        let mut operators_by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut operators_by_field: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, o) in operators.iter().enumerate() {
            if let Some(name) = o.name.as_deref() {
                operators_by_name.entry(name).or_default().push(i);
            }
            let mut made = Vec::new();
            if let Some(spec) = o.node.get("spec") {
                names_made(spec, false, 0, &mut made);
            }
            made.sort_unstable();
            made.dedup();
            for name in made {
                operators_by_field.entry(name).or_default().push(i);
            }
        }
        Self {
            ws,
            by_name,
            by_kind,
            operators,
            operators_by_name,
            operators_by_field,
            generated: generated(ws),
            problems: std::cell::OnceCell::new(),
        }
    }

    pub fn workload(&self, link: &Link) -> &'w K8sObject<'a> {
        self.ws.object_of(&self.ws.templates[link.template])
    }

    /// The objects of the set that make `kind`s and share the workload's effective namespace.
    fn same_namespace(&self, kind: &str, workload: &K8sObject) -> Vec<(usize, &'w Provided)> {
        let ns = workload.effective_namespace();
        let provided = self.ws.provided();
        self.by_kind
            .get(kind)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| (i, &provided[i]))
            .filter(|(_, p)| self.ws.objects[p.by].effective_namespace() == ns)
            .collect()
    }

    pub fn find(&self, link: &Link) -> Found {
        let workload = self.workload(link);
        let name = link.name();
        let provided: Vec<usize> = self
            .by_name
            .get(&(link.kind, name))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(|&i| self.ws.objects[self.ws.provided()[i].by].may_share_namespace(workload))
            .collect();
        if !provided.is_empty() {
            return Found::Provided(provided);
        }
        if self
            .generated
            .iter()
            .any(|(kind, generated)| *kind == link.kind && *generated == name)
            || self.made_by_operator(name, workload)
        {
            return Found::Provided(Vec::new());
        }
        if !self.same_namespace(link.kind, workload).is_empty() {
            Found::Missing
        } else {
            Found::Absent
        }
    }

    /// True when a custom resource of the set may make the object: operators name what they
    /// make after their resource (a KafkaUser `shop` makes Secret `shop`, a postgres Cluster
    /// `orders` makes `orders-app`) or after a field of it (`writeConnectionSecretToRef`,
    /// `connectionStringSecretName`).
    fn made_by_operator(&self, name: &str, workload: &K8sObject) -> bool {
        // The operator's name is the whole name, or a part of it before a `-`.
        let prefixes = name
            .match_indices('-')
            .map(|(at, _)| &name[..at])
            .chain([name]);
        let candidates = prefixes
            .filter_map(|prefix| self.operators_by_name.get(prefix))
            .chain(self.operators_by_field.get(name))
            .flatten();
        candidates
            .into_iter()
            .any(|&i| self.operators[i].may_share_namespace(workload))
    }

    /// The object of the namespace whose name looks like a misspelling of the link's.
    pub fn near(&self, link: &Link) -> Option<usize> {
        let beside = self.same_namespace(link.kind, self.workload(link));
        let near = nearest(link.name(), beside.iter().map(|(_, p)| p.name.as_str()))?;
        beside.iter().find(|(_, p)| p.name == near).map(|(i, _)| *i)
    }

    /// The keys the objects hold, `None` when one of them does not say: a controller that
    /// fills it (`dataFrom`, a ServiceAccount token), or an empty object something else fills.
    pub fn keys(&self, provided: &[usize]) -> Option<Vec<&'w str>> {
        if provided.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for &i in provided {
            let p = &self.ws.provided()[i];
            let maker = &self.ws.objects[p.by];
            let keys = p.keys.as_ref()?;
            let filled_by_controller = maker
                .node
                .get("type")
                .and_then(Node::as_str)
                .is_some_and(|t| t == "kubernetes.io/service-account-token");
            if keys.is_empty() || filled_by_controller {
                return None;
            }
            out.extend(keys.iter().map(String::as_str));
        }
        Some(out)
    }

    /// Where the kubelet said it could not find the object (or its `key`): the runtime rule's
    /// finding there explains the manifest's.
    pub fn reported(&self, link: &Link, key: Option<&str>) -> Vec<(FileId, TextRange)> {
        let ns = self.workload(link).effective_namespace();
        self.problems
            .get_or_init(|| problems(self.ws))
            .iter()
            .filter(|p| {
                p.missing.source.kind() == link.kind
                    && p.missing.name.as_deref() == Some(link.name())
                    && p.missing.key.as_deref() == key
                    && match (p.namespace(), ns) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            })
            .map(|p| (p.file, p.range))
            .collect()
    }

    /// A secondary label on the object that makes `provided`: its name, or the field of the
    /// controller's object that names what it makes.
    pub fn label_provider(&self, provided: usize, message: String) -> Related {
        let p = &self.ws.provided()[provided];
        let maker = &self.ws.objects[p.by];
        let range = [
            &["spec", "target", "name"][..],
            &["spec", "template", "metadata", "name"],
            &["spec", "secretName"],
        ]
        .iter()
        .filter(|_| maker.kind != p.kind)
        .filter_map(|path| maker.node.path(path))
        .find(|n| n.as_str() == Some(p.name.as_str()))
        .map_or_else(|| maker.anchor_range(), |n| n.span);
        Related {
            file: maker.file,
            range,
            message,
        }
    }

    /// `ConfigMap web-config`, or `Secret db (made by ExternalSecret db-sync)`.
    pub fn describe_provider(&self, provided: usize) -> String {
        let p = &self.ws.provided()[provided];
        let maker = &self.ws.objects[p.by];
        if maker.kind == p.kind {
            format!("{} {}", p.kind, p.name)
        } else {
            format!("{} {} (made by {})", p.kind, p.name, maker.display())
        }
    }

    /// The node of key `key` in a ConfigMap's or Secret's own maps, for a secondary label.
    pub fn key_node(&self, provided: &[usize], key: &str) -> Option<(FileId, &'w Node)> {
        provided.iter().find_map(|&i| {
            let maker = &self.ws.objects[self.ws.provided()[i].by];
            ["data", "binaryData", "stringData"]
                .iter()
                .filter_map(|f| maker.node.get(f))
                .flat_map(|m| m.entries())
                .find(|e| e.key.as_str() == Some(key))
                .map(|e| (maker.file, &e.key))
        })
    }
}

/// The values of the fields that name what an operator writes: `secretName`,
/// `connectionStringSecretName`, `writeConnectionSecretToRef.name`.
fn names_made<'n>(node: &'n Node, in_ref: bool, depth: usize, out: &mut Vec<&'n str>) {
    if depth > 12 {
        return;
    }
    for e in node.entries() {
        let key = e.key.as_str().unwrap_or_default().to_ascii_lowercase();
        if key.ends_with("secretname") || (in_ref && key == "name") {
            out.extend(e.value.as_str());
        }
        names_made(&e.value, key.starts_with("write"), depth + 1, out);
        for item in e.value.items() {
            names_made(item, false, depth + 1, out);
        }
    }
}

/// True when a resource holds containers: it runs pods, and reads what they name.
fn runs_pods(node: &Node, depth: usize) -> bool {
    depth <= 12
        && (node.get("containers").is_some()
            || node
                .entries()
                .iter()
                .any(|e| runs_pods(&e.value, depth + 1))
            || node.items().iter().any(|i| runs_pods(i, depth + 1)))
}

/// One object a template names and the set lacks while the namespace has one with a near
/// name, with every place of the template that names it.
pub struct Broken<'a> {
    /// The places of one template that name it, the first one first.
    pub places: Vec<Link<'a>>,
    /// The object of the namespace with the near name (index into [`Workspace::provided`]).
    pub near: usize,
    /// Kubelet's reports of the same object.
    pub reported: Vec<(FileId, TextRange)>,
}

impl<'a> Broken<'a> {
    pub fn first(&self) -> &Link<'a> {
        &self.places[0]
    }
}

/// The broken links the `keep` filter picks, one per template and object. A name with no near
/// one in the namespace is most likely an object applied from elsewhere (another folder, a
/// file left out): [`unknown`] lists it.
pub fn broken<'a>(ws: &Workspace<'a>, keep: impl Fn(&Link) -> bool) -> Vec<Broken<'a>> {
    let graph = Graph::new(ws);
    let mut out: Vec<Broken<'a>> = Vec::new();
    for link in ws.links().iter().filter(|l| keep(l)).cloned() {
        if graph.find(&link) != Found::Missing {
            continue;
        }
        if let Some(b) = out.iter_mut().find(|b| {
            b.first().template == link.template
                && b.first().kind == link.kind
                && b.first().name() == link.name()
        }) {
            b.places.push(link);
            continue;
        }
        let Some(near) = graph.near(&link) else {
            continue;
        };
        out.push(Broken {
            near,
            reported: graph.reported(&link, None),
            places: vec![link],
        });
    }
    out
}

/// The links to objects the set does not hold and no rule judges: of a kind the namespace
/// has none of in the set, or without a near name; minus what kubelet reported missing.
pub fn unknown<'a>(ws: &Workspace<'a>) -> Vec<Link<'a>> {
    let graph = Graph::new(ws);
    ws.links()
        .iter()
        .filter(|l| match graph.find(l) {
            Found::Absent => true,
            Found::Missing => graph.near(l).is_none(),
            Found::Provided(_) => false,
        })
        .filter(|l| graph.reported(l, None).is_empty())
        .cloned()
        .collect()
}

/// `a, b and c`, at most `limit` of them (`a, b and 3 more`).
pub fn listing(items: &[String], limit: usize) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        _ if items.len() <= limit => format!(
            "{} and {}",
            items[..items.len() - 1].join(", "),
            items[items.len() - 1]
        ),
        _ => format!(
            "{} and {} more",
            items[..limit].join(", "),
            items.len() - limit
        ),
    }
}

/// Secondary labels on the other places of the template that name the object.
pub fn also_named(ws: &Workspace, b: &Broken) -> Vec<Related> {
    let graph = Graph::new(ws);
    let mut out: Vec<Related> = b
        .places
        .iter()
        .skip(1)
        .map(|l| Related {
            file: graph.workload(l).file,
            range: l.name.span,
            message: format!("also named here ({})", l.via),
        })
        .collect();
    out.insert(
        0,
        graph.label_provider(
            b.near,
            format!("{}, the near name", graph.describe_provider(b.near)),
        ),
    );
    out
}

/// The edits that name `to` instead at every place of `b`.
pub fn rename(ws: &Workspace, b: &Broken, to: &str) -> Vec<Edit> {
    b.places
        .iter()
        .map(|l| {
            let file = ws.object_of(&ws.templates[l.template]).file;
            replace_scalar(file, l.name, to)
        })
        .collect()
}

/// How a rule words a broken link of its kind.
pub struct Wording {
    /// `reads`, `mounts`, `runs as`, `pulls images with`.
    pub verb: &'static str,
    /// Name the places (`volume config`) in the message.
    pub show_via: bool,
    /// What happens in the cluster.
    pub why: String,
    /// Appended to the help (`optional: true` for what the app may start without).
    pub also: &'static str,
}

/// `Deployment web reads ConfigMap web-confg (volume config), which is not in the set: did you
/// mean web-config?`
pub fn broken_diagnostic(ws: &Workspace, b: &Broken, wording: Wording) -> Diagnostic {
    let link = b.first();
    let workload = ws.object_of(&ws.templates[link.template]);
    let (kind, name) = (link.kind, link.name());
    let via = if wording.show_via {
        let vias: Vec<&str> = b.places.iter().map(|l| l.via.as_str()).collect();
        format!(" ({})", vias.join(", "))
    } else {
        String::new()
    };
    let near = ws.provided()[b.near].name.as_str();
    Diagnostic {
        file: workload.file,
        range: link.name.span,
        message: format!(
            "{} {} {kind} {name}{via}, which is not in the set: did you mean {near}?",
            workload.display(),
            wording.verb
        ),
        why: wording.why,
        help: Some(format!(
            "Name {kind} {near} as its `metadata.name` spells it, or add {kind} {name} to the set.{}",
            wording.also
        )),
        object: Some(workload.reference()),
        container: link.container.map(String::from),
        severity: None,
    }
}

/// The fix to the near name, at every place that names the object.
pub fn broken_fix(ws: &Workspace, b: &Broken) -> Option<Fix> {
    let near = ws.provided()[b.near].name.as_str();
    let link = b.first();
    Some(Fix::new(
        format!("Name {} {near} instead of {}", link.kind, link.name()),
        Applicability::Unsafe,
        rename(ws, b, near),
    ))
}

/// The `why` of a ConfigMap or Secret a pod cannot read: a volume stops the whole pod.
pub fn unreadable_why(b: &Broken) -> String {
    if b.places.iter().any(|l| l.volume) {
        super::CANNOT_MOUNT.into()
    } else {
        super::CANNOT_BUILD_ENV.into()
    }
}
