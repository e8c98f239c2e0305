use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Severity};
use crate::model::Workspace;
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::rules::evidence::{capitalize, message_range, quoted_after, template_of, Subject};
use crate::rules::scheduling::{read_failed_scheduling, Filter};
use crate::runtime::events::Event;
use crate::runtime::Observed;
use crate::similarity::nearest;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds PersistentVolumeClaims that stay `Pending` and the pods waiting for them: the
    /// claim names no StorageClass and the cluster has no default (`no persistent volumes
    /// available for this claim and no storage class is set`), names one that does not exist
    /// (`storageclass.storage.k8s.io "fast" not found`), or its provisioner fails
    /// (`ProvisioningFailed`); the pod shows `pod has unbound immediate PersistentVolumeClaims`.
    /// The claim is reported when it is described, else the pod. `waiting for first consumer to
    /// be created before binding` is normal and not reported. When the claim (or the
    /// StatefulSet's `volumeClaimTemplates`) is in the set, it sets the StorageClass.
    ///
    /// ## Why is this bad?
    /// No volume is created or bound, so every pod that mounts the claim stays `Pending`: a
    /// database or a StatefulSet replica never starts.
    ///
    /// ## Example
    /// ```text
    /// Name:          data-postgres-0
    /// Namespace:     db
    /// StorageClass:  fast
    /// Status:        Pending
    /// Volume:
    /// Labels:        app=postgres
    /// Annotations:   <none>
    /// Finalizers:    [kubernetes.io/pvc-protection]
    /// Capacity:
    /// Access Modes:
    /// VolumeMode:    Filesystem
    /// Used By:       postgres-0
    /// Events:
    ///   Type     Reason              Age                  From                         Message
    ///   ----     ------              ----                 ----                         -------
    ///   Warning  ProvisioningFailed  11s (x39 over 71m)   persistentvolume-controller  storageclass.storage.k8s.io "fast" not found
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:          data-postgres-0
    /// Namespace:     db
    /// StorageClass:  standard-rwo
    /// Status:        Bound
    /// Volume:        pvc-3c1d7e2a-5b8f-4e0a-9d61-7f2c4b9e8a10
    /// Labels:        app=postgres
    /// Annotations:   pv.kubernetes.io/bind-completed: yes
    /// Finalizers:    [kubernetes.io/pvc-protection]
    /// Capacity:      10Gi
    /// Access Modes:  RWO
    /// VolumeMode:    Filesystem
    /// Used By:       postgres-0
    /// Events:        <none>
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe when it names the one StorageClass of the set, or the class whose name is a typo
    /// away: the volume is then provisioned by that class (its speed, its cost, its reclaim
    /// policy). Otherwise the class is left for you to fill in (display-only). A claim's class
    /// cannot change once created: delete the Pending claim and apply it again.
    pub struct UnboundPvc {
        id: "unbound-pvc",
        category: Storage,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

/// Why a claim does not bind.
#[derive(Clone, Debug, PartialEq)]
pub enum Cause {
    /// No StorageClass named and no default class, and no PersistentVolume fits.
    NoClass,
    /// The named StorageClass does not exist.
    ClassNotFound(String),
    /// The provisioner tried and failed.
    Provisioning(String),
    /// The external provisioner never answers.
    WaitingForProvisioner(String),
    /// A static volume does not fit (size, access modes, class).
    Binding(String),
}

impl Cause {
    fn of(event: &Event) -> Option<Self> {
        let message = event.message.as_str();
        if message.contains("no storage class is set") {
            return Some(Cause::NoClass);
        }
        if let Some(class) = quoted_after(message, "storageclass.storage.k8s.io ") {
            if message.contains("not found") {
                return Some(Cause::ClassNotFound(class.to_string()));
            }
        }
        if event.reason == "ProvisioningFailed" {
            return Some(Cause::Provisioning(message.to_string()));
        }
        if event.reason == "ExternalProvisioning" && event.count >= 5 {
            let provisioner = quoted_after(message, "external provisioner ").unwrap_or("?");
            return Some(Cause::WaitingForProvisioner(provisioner.to_string()));
        }
        if event.reason == "FailedBinding" || event.reason == "VolumeMismatch" {
            return Some(Cause::Binding(message.to_string()));
        }
        None
    }
}

pub enum Unbound<'a> {
    Claim {
        subject: Subject,
        file: FileId,
        event: &'a Event,
        cause: Cause,
    },
    /// A pod waiting for claims whose own events are not in the set.
    Pod {
        subject: Subject,
        file: FileId,
        event: &'a Event,
        claims: Vec<String>,
        history: bool,
    },
}

impl Rule for UnboundPvc {
    type State<'a> = Unbound<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unbound<'a>> {
        let events = ws.events();
        let mut out: Vec<Unbound> = Vec::new();
        for at in events {
            let Some(mut subject) = Subject::at(ws, at) else {
                continue;
            };
            if subject.kind != "PersistentVolumeClaim" {
                continue;
            }
            if subject.namespace.is_none() {
                subject.namespace = ws
                    .objects_of_kind("PersistentVolumeClaim")
                    .find(|o| o.name == subject.name)
                    .and_then(|o| o.namespace.clone());
            }
            // A described claim that is Bound now: its old events are history.
            if at
                .observed
                .is_some_and(|o| o.describe.value("Status").is_some_and(|s| s != "Pending"))
            {
                continue;
            }
            let Some(cause) = Cause::of(at.event) else {
                continue;
            };
            let state = Unbound::Claim {
                subject,
                file: at.file,
                event: at.event,
                cause,
            };
            // One finding per claim: the latest telling event.
            match out.iter_mut().find(|u| same_subject(u, &state)) {
                Some(previous) => *previous = state,
                None => out.push(state),
            }
        }
        let reported: Vec<Subject> = out
            .iter()
            .filter_map(|u| match u {
                Unbound::Claim { subject, .. } => Some(subject.clone()),
                Unbound::Pod { .. } => None,
            })
            .collect();
        for at in events {
            let message = at.event.message.as_str();
            if at.event.reason != "FailedScheduling"
                || !(message.contains("unbound immediate PersistentVolumeClaims")
                    || message.contains("didn't find available persistent volumes to bind"))
            {
                continue;
            }
            // Older schedulers wrote the reason alone; newer ones inside `0/3 nodes are
            // available: ...`.
            if read_failed_scheduling(&at.event.message)
                .is_some_and(|r| !r.has(|f| *f == Filter::UnboundClaims))
            {
                continue;
            }
            let Some(subject) = Subject::at(ws, at) else {
                continue;
            };
            let claims = claims_of(ws, at.observed, &subject);
            let explained = reported.iter().any(|claim| {
                let same_ns = match (&claim.namespace, &subject.namespace) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                same_ns
                    && (claims.is_empty()
                        || claim.name.as_ref().is_some_and(|n| claims.contains(n)))
            });
            if explained {
                continue;
            }
            let history = subject.recovered(ws)
                || events.iter().any(|e| {
                    e.event.reason == "Scheduled"
                        && Subject::of(e).is_some_and(|s| s.same(&subject))
                });
            let state = Unbound::Pod {
                subject,
                file: at.file,
                event: at.event,
                claims,
                history,
            };
            match out.iter_mut().find(|u| same_subject(u, &state)) {
                Some(previous) => *previous = state,
                None => out.push(state),
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Unbound<'a>) -> Diagnostic {
        match state {
            Unbound::Claim {
                subject,
                file,
                event,
                cause,
            } => {
                let name = subject.name.as_deref().unwrap_or("(name not shown)");
                let immutable = " A claim's class cannot change once created: delete the Pending claim and apply it again (for a StatefulSet, `volumeClaimTemplates` cannot change either: re-create the StatefulSet with `kubectl delete statefulset <name> --cascade=orphan`).";
                let (what, help, severity) = match cause {
                    Cause::NoClass => (
                        "it names no StorageClass, the cluster has no default class, and no PersistentVolume matches it".to_string(),
                        format!("List the classes (`kubectl get storageclass`) and set `storageClassName` to one, mark one as the default (annotation `storageclass.kubernetes.io/is-default-class: \"true\"`), or create a PersistentVolume matching the claim's size and access modes.{immutable}"),
                        None,
                    ),
                    Cause::ClassNotFound(class) => (
                        format!("its StorageClass {class} does not exist"),
                        format!("List the classes this cluster has (`kubectl get storageclass`; names differ between clouds: gp2/gp3 on EKS, standard-rwo on GKE, managed-csi on AKS) and set `storageClassName` to one of them.{immutable}"),
                        None,
                    ),
                    Cause::Provisioning(message) => (
                        format!("the provisioner failed: {}", first_line(message)),
                        "Look at the CSI driver's controller pods and logs (`kubectl get pods -A | grep csi`), the StorageClass parameters, and the cloud account's disk quotas.".to_string(),
                        None,
                    ),
                    Cause::WaitingForProvisioner(provisioner) => (
                        format!("it has waited {} times for provisioner {provisioner} to create a volume", event.count),
                        format!("Check that the provisioner {provisioner} runs (its controller pods and their logs): the class names it, but nothing answers."),
                        Some(Severity::Warning),
                    ),
                    Cause::Binding(message) => (
                        format!("no volume binds: {}", first_line(message)),
                        "Compare the claim's size, access modes and class with the PersistentVolumes (`kubectl get pv`), or let a StorageClass provision one.".to_string(),
                        None,
                    ),
                };
                let namespace = subject
                    .namespace
                    .as_deref()
                    .map(|ns| format!(" (namespace {ns})"))
                    .unwrap_or_default();
                let used_by = used_by(ws, state)
                    .map(|pods| format!("; pod {pods} waits for it"))
                    .unwrap_or_default();
                Diagnostic {
                    file: *file,
                    range: message_range(ws, *file, event),
                    message: format!("PersistentVolumeClaim {name}{namespace} stays Pending: {what}{used_by}"),
                    why: "No volume is created or bound for it, so every pod that mounts it stays Pending.".into(),
                    help: Some(help),
                    object: Some(subject.reference()),
                    container: None,
                    severity,
                }
            }
            Unbound::Pod {
                subject,
                file,
                event,
                claims,
                history,
            } => {
                let claims_text = if claims.is_empty() {
                    "its PersistentVolumeClaims are".to_string()
                } else if claims.len() == 1 {
                    format!("its PersistentVolumeClaim {} is", claims[0])
                } else {
                    format!("its PersistentVolumeClaims {} are", claims.join(", "))
                };
                let describe = claims.first().map_or("<claim>", String::as_str);
                Diagnostic {
                    file: *file,
                    range: message_range(ws, *file, event),
                    message: format!(
                        "{} {} be scheduled: {claims_text} not bound to a volume",
                        capitalize(&subject.label()),
                        if *history { "could not" } else { "cannot" }
                    ),
                    why: if *history {
                        "It waited until the volume was bound; it is placed now.".into()
                    } else {
                        "The scheduler places a pod only once its immediate-binding claims are bound: it stays Pending.".into()
                    },
                    help: Some(
                        if event
                            .message
                            .contains("didn't find available persistent volumes")
                        {
                            "The claim's class binds on first use (WaitForFirstConsumer) and no eligible node has a free PersistentVolume that fits it: with local volumes, create one on a node or release one (`kubectl get pv`), or compare the claim's size, access modes and class with the volumes.".to_string()
                        } else {
                            format!("`kubectl describe pvc {describe}` says why the claim is Pending: no StorageClass and no default, a class that does not exist, or a provisioner that fails.")
                        },
                    ),
                    object: Some(subject.reference()),
                    container: None,
                    severity: history.then_some(Severity::Info),
                }
            }
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Unbound<'a>) -> Option<Fix> {
        let Unbound::Claim { subject, cause, .. } = state else {
            return None;
        };
        let (file, spec, label) = claim_spec(ws, subject)?;
        let current = spec.get("storageClassName").and_then(Node::as_str);
        let classes: Vec<&str> = ws
            .objects_of_kind("StorageClass")
            .filter_map(|o| o.name.as_deref())
            .collect();
        let (class, sure) = match cause {
            Cause::NoClass => {
                if current.is_some() {
                    return None;
                }
                match classes.as_slice() {
                    [only] => (only.to_string(), true),
                    _ => ("<storage-class>".to_string(), false),
                }
            }
            Cause::ClassNotFound(missing) => {
                if current != Some(missing.as_str()) {
                    return None;
                }
                match nearest(missing, classes.iter().copied()) {
                    Some(near) => (near.to_string(), true),
                    None => ("<storage-class>".to_string(), false),
                }
            }
            _ => return None,
        };
        let edits = set_paths(
            ws,
            file,
            spec,
            &[(vec!["storageClassName"], Value::typed(class.clone()))],
        );
        if edits.is_empty() {
            return None;
        }
        let (title, applicability) = if sure {
            (
                format!("Use StorageClass {class} (in your manifests) for {label}"),
                Applicability::Unsafe,
            )
        } else {
            (
                format!("Name a StorageClass this cluster has for {label}"),
                Applicability::DisplayOnly,
            )
        };
        Some(Fix::new(title, applicability, edits))
    }
}

fn same_subject(a: &Unbound, b: &Unbound) -> bool {
    let subject = |u: &Unbound| match u {
        Unbound::Claim { subject, .. } | Unbound::Pod { subject, .. } => subject.clone(),
    };
    subject(a).same(&subject(b))
}

/// The claims a pod mounts: `ClaimName` in its describe's Volumes, else its template's
/// `persistentVolumeClaim` volumes and StatefulSet claim templates.
fn claims_of(ws: &Workspace, observed: Option<&Observed>, subject: &Subject) -> Vec<String> {
    let mut claims: Vec<String> = observed
        .map(|o| {
            o.describe
                .fields
                .iter()
                .filter(|f| f.key == "ClaimName" && f.path.first().is_some_and(|p| p == "Volumes"))
                .map(|f| f.value.clone())
                .collect()
        })
        .unwrap_or_default();
    if claims.is_empty() {
        if let Some(template) = template_of(ws, subject, None) {
            claims.extend(
                ws.references()
                    .iter()
                    .filter(|r| r.template == template && r.kind == "PersistentVolumeClaim")
                    .filter_map(|r| r.name.as_str())
                    .map(String::from),
            );
            let object = ws.object_of(&ws.templates[template]);
            if let (Some(pod), "StatefulSet") = (subject.name.as_deref(), object.kind.as_str()) {
                claims.extend(
                    object
                        .node
                        .path(&["spec", "volumeClaimTemplates"])
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|t| t.path(&["metadata", "name"]).and_then(Node::as_str))
                        .map(|t| format!("{t}-{pod}")),
                );
            }
        }
    }
    claims
}

/// `postgres-0` from a described claim's `Used By` (`Mounted By` before 1.19).
fn used_by(ws: &Workspace, state: &Unbound) -> Option<String> {
    let Unbound::Claim { subject, .. } = state else {
        return None;
    };
    ws.parsed
        .runtime
        .iter()
        .flat_map(|r| &r.observed)
        .filter(|o| o.kind == "PersistentVolumeClaim" && o.name == subject.name)
        .find_map(|o| {
            o.describe
                .value("Used By")
                .or_else(|| o.describe.value("Mounted By"))
                .map(|v| v.lines().collect::<Vec<_>>().join(", "))
        })
}

/// The claim's `spec` in the set: a PersistentVolumeClaim, or the StatefulSet claim template
/// it was made from (`data-postgres-0` from template `data` of StatefulSet `postgres`).
fn claim_spec<'a>(ws: &Workspace<'a>, subject: &Subject) -> Option<(FileId, &'a Node, String)> {
    let name = subject.name.as_deref()?;
    let same_ns = |ns: &Option<String>| match (ns, &subject.namespace) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    if let Some(claim) = ws
        .objects_of_kind("PersistentVolumeClaim")
        .find(|o| o.name.as_deref() == Some(name) && same_ns(&o.namespace))
    {
        return Some((
            claim.file,
            claim.node.get("spec")?,
            format!("PersistentVolumeClaim {name}"),
        ));
    }
    for set in ws
        .objects_of_kind("StatefulSet")
        .filter(|o| same_ns(&o.namespace))
    {
        let Some(set_name) = set.name.as_deref() else {
            continue;
        };
        for template in set
            .node
            .path(&["spec", "volumeClaimTemplates"])
            .map(Node::items)
            .unwrap_or_default()
        {
            let Some(t) = template.path(&["metadata", "name"]).and_then(Node::as_str) else {
                continue;
            };
            let ordinal = name
                .strip_prefix(&format!("{t}-{set_name}-"))
                .is_some_and(|o| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()));
            if ordinal {
                return Some((
                    set.file,
                    template.get("spec")?,
                    format!("claim template {t} of StatefulSet {set_name}"),
                ));
            }
        }
    }
    None
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message)
}
