//! Why kubelet could not pull a container's image, or could not run it: read from kubelet's
//! events (`Failed to pull image "x": ...`), container states (`kubectl describe pod`,
//! `kubectl get pod -o yaml`) and log lines (`exec /app: exec format error`).
//!
//! The image rules share this one reading so that every failure gets exactly one cause, and so
//! one finding: a pod seen in a describe and in a `kubectl get events` table, or a Docker Hub
//! "pull access denied" next to an explicit 401, is one problem, not two.

use super::reference::ImageReference;
use super::ImageUse;
use crate::diagnostic::{Diagnostic, FileId, ObjectRef, Related, Severity};
use crate::model::{K8sObject, Workspace};
use crate::runtime::pod::{ContainerStateView, PodView};
use crate::text::TextRange;
use crate::yaml::Node;

/// Why the registry could not be reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The registry's name does not resolve (`no such host`).
    Dns,
    /// Packets go nowhere: `i/o timeout`, `TLS handshake timeout`, `no route to host`.
    Timeout,
    /// Something answers at that address but nothing listens on the port.
    Refused,
    /// `x509: certificate signed by unknown authority`.
    UntrustedCertificate,
    /// `http: server gave HTTP response to HTTPS client`.
    PlainHttp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The registry refused the credentials, or none were sent.
    Auth,
    /// The repository or tag does not exist.
    NotFound,
    /// Docker Hub's "pull access denied ... repository does not exist or may require ...": a
    /// wrong name or a private repository. [`failures`] resolves it to `Auth` or `NotFound`.
    DeniedOrMissing,
    Unreachable(Reach),
    RateLimit,
    /// The image reference cannot be parsed (`InvalidImageName`).
    InvalidName,
    /// The image has no variant for the node's CPU (`exec format error`, `no matching manifest`).
    Platform,
    /// `imagePullPolicy: Never` and the node does not have the image (`ErrImageNeverPull`).
    NeverPulled,
}

/// One failure of one container (or image, when the container is not known) of one pod.
#[derive(Clone, Debug)]
pub struct PullFailure {
    pub cause: Cause,
    /// Docker Hub's ambiguous answer was read as this cause.
    pub ambiguous: bool,
    pub file: FileId,
    /// The bytes that prove it: the `Failed` event, the state's message or reason, the log line.
    pub range: TextRange,
    /// The phrase that names the cause, as the cluster wrote it (`401 Unauthorized`).
    pub evidence: String,
    /// The whole error text, for details such as the host or the platform.
    pub text: String,
    pub image: Option<String>,
    pub pod: Option<String>,
    pub namespace: Option<String>,
    /// Index into [`Workspace::pods`] when the pod was described.
    pub pod_index: Option<usize>,
    /// `ReplicaSet/web-7d4b9c8f6`, from a describe or the pod's ownerReferences.
    pub controlled_by: Option<String>,
    pub container: Option<String>,
    pub node: Option<String>,
    /// The container runs now, or the image was pulled after all: the failure is history.
    pub recovered: bool,
    /// Pull secrets the pod names that kubelet could not find
    /// (`Unable to retrieve some image pull secrets (regcred)`).
    pub missing_secrets: Vec<String>,
    /// How specific the evidence is; the most specific one is kept.
    rank: u8,
}

impl PullFailure {
    /// The finding at the evidence, about the pod and container. Old failures of pods that run
    /// now are information, not problems.
    pub fn diagnostic(&self, message: String, why: String, help: String) -> Diagnostic {
        Diagnostic {
            file: self.file,
            range: self.range,
            message,
            why,
            help: Some(help),
            object: self.object(),
            container: self.container.clone(),
            severity: self.recovered.then_some(Severity::Info),
        }
    }

    /// The manifest's `image` of the failed container, while it still names the image that
    /// failed: once it names another, this failure says nothing about it.
    pub fn manifest_image<'a>(&self, ws: &Workspace<'a>) -> Option<ImageUse<'a>> {
        if self.recovered {
            return None;
        }
        let index = manifest_container(ws, self)?;
        let node = ws.containers[index].node.get("image")?;
        let image = node.as_str()?;
        if self
            .image
            .as_deref()
            .is_some_and(|failed| !same_image(failed, image))
        {
            return None;
        }
        Some(ImageUse {
            container: index,
            node,
            image,
        })
    }

    /// The manifest's `image` line of the failed container, as a secondary label.
    pub fn related(&self, ws: &Workspace) -> Vec<Related> {
        let Some(used) = self.manifest_image(ws) else {
            return Vec::new();
        };
        let container = &ws.containers[used.container];
        let object = &ws.objects[container.object];
        vec![Related {
            file: object.file,
            range: used.node.span,
            message: format!(
                "the image of container {} in {}",
                container.name.unwrap_or("(no name)"),
                object.display()
            ),
        }]
    }

    /// The pod as findings name it.
    pub fn object(&self) -> Option<ObjectRef> {
        self.pod.as_ref().map(|name| ObjectRef {
            kind: "Pod".into(),
            namespace: self.namespace.clone(),
            name: Some(name.clone()),
            source: None,
        })
    }

    /// "container web of pod web-1", "pod web-1" (container unknown), "container web".
    pub fn subject(&self) -> String {
        match (
            &self.container.as_ref().filter(|c| !c.is_empty()),
            &self.pod,
        ) {
            (Some(c), Some(pod)) => format!("container {c} of pod {pod}"),
            (None, Some(pod)) => format!("pod {pod}"),
            (Some(c), None) => format!("container {c}"),
            (None, None) => "a container".to_string(),
        }
    }

    /// "`shop/api:2.3.1`" or "its image", for sentences.
    pub fn image_label(&self) -> String {
        self.image
            .as_ref()
            .map_or_else(|| "its image".to_string(), |i| format!("`{i}`"))
    }

    /// The registry that was asked: from the error text (`lookup HOST`, `https://HOST/v2/`),
    /// else from the image.
    pub fn registry(&self) -> String {
        if let Some(host) = host_in_text(&self.text) {
            return host;
        }
        self.image
            .as_deref()
            .map_or("the registry", registry_of)
            .to_string()
    }
}

/// The failures whose cause is `wanted`.
pub fn failures_where(ws: &Workspace, wanted: impl Fn(Cause) -> bool) -> Vec<PullFailure> {
    ws.pull_failures()
        .iter()
        .filter(|f| wanted(f.cause))
        .cloned()
        .collect()
}

/// The consequence of a failed pull, or why an old one is only history.
pub fn pull_why(f: &PullFailure) -> String {
    if f.recovered {
        "The image was pulled later (or the container runs now), so this is history; the same failure will return on a node that has not cached the image.".into()
    } else {
        "The container never starts: the pod stays in ErrImagePull/ImagePullBackOff while kubelet retries with growing back-off.".into()
    }
}

/// Every image failure in the set, one per (pod, container, cause). Read once per check, as
/// [`Workspace::pull_failures`].
pub fn failures(ws: &Workspace) -> Vec<PullFailure> {
    let mut reading = Reading::default();
    reading.read_events(ws);
    reading.read_described_pods(ws);
    reading.read_logs(ws);
    reading.finish(ws)
}

/// Finds the phrase that names why an image could not be pulled or run, with its byte range
/// in `text`.
pub fn classify(text: &str) -> Option<(Cause, TextRange)> {
    use Cause::*;
    use Reach::*;
    let lower = text.to_ascii_lowercase();
    let find = |needle: &str| {
        lower
            .find(needle)
            .map(|at| TextRange::new(at, at + needle.len()))
    };
    const BEFORE_DENIED: &[(&str, Cause)] = &[
        ("is not present with pull policy of never", NeverPulled),
        ("errimageneverpull", NeverPulled),
        ("toomanyrequests", RateLimit),
        ("429 too many requests", RateLimit),
        ("pull rate limit", RateLimit),
        ("exec format error", Platform),
        ("no matching manifest for", Platform),
        ("no match for platform in manifest", Platform),
        ("invalid reference format", InvalidName),
        ("couldn't parse image", InvalidName),
        ("failed to apply default image tag", InvalidName),
        ("invalidimagename", InvalidName),
        (
            "server gave http response to https client",
            Unreachable(PlainHttp),
        ),
        ("x509: certificate", Unreachable(UntrustedCertificate)),
        ("x509:", Unreachable(UntrustedCertificate)),
        ("tls handshake timeout", Unreachable(Timeout)),
        ("no such host", Unreachable(Dns)),
        ("server misbehaving", Unreachable(Dns)),
        ("connection refused", Unreachable(Refused)),
        ("i/o timeout", Unreachable(Timeout)),
        ("client.timeout exceeded", Unreachable(Timeout)),
        ("network is unreachable", Unreachable(Timeout)),
        ("no route to host", Unreachable(Timeout)),
        ("connection reset by peer", Unreachable(Timeout)),
        (
            "request canceled while waiting for connection",
            Unreachable(Timeout),
        ),
    ];
    const AFTER_DENIED: &[(&str, Cause)] = &[
        ("no basic auth credentials", Auth),
        ("401 unauthorized", Auth),
        ("403 forbidden", Auth),
        ("authentication required", Auth),
        ("authorization failed", Auth),
        ("failed to authorize", Auth),
        ("denied: requested access to the resource is denied", Auth),
        ("denied: denied", Auth),
        ("pull access denied", Auth),
        ("unauthorized", Auth),
        ("forbidden", Auth),
        ("manifest unknown", NotFound),
        ("name unknown", NotFound),
        ("not found", NotFound),
    ];
    for (needle, cause) in BEFORE_DENIED {
        if let Some(range) = find(needle) {
            return Some((*cause, range));
        }
    }
    // Docker Hub says this both for a name that does not exist and for a private repository.
    if let Some(range) = find("pull access denied") {
        let end = [
            "may require 'docker login'",
            "may require authorization",
            "repository does not exist",
        ]
        .iter()
        .find_map(|tail| find(tail))
        .filter(|tail| tail.start > range.start);
        if let Some(end) = end {
            return Some((DeniedOrMissing, TextRange::new(range.start, end.end)));
        }
    }
    AFTER_DENIED
        .iter()
        .find_map(|(needle, cause)| find(needle).map(|range| (*cause, range)))
}

/// The phrase at `range` extended to the end of its clause, as the cluster wrote it. A short
/// line that is all about the cause (`exec /app: exec format error`) is quoted whole.
fn evidence_of(text: &str, range: TextRange) -> String {
    let trimmed = text.trim();
    if trimmed.len() <= 100 && trimmed.to_ascii_lowercase().ends_with("exec format error") {
        return trimmed.to_string();
    }
    if text[range.start..range.end].contains(", ") {
        // Already a whole sentence (Docker Hub's "pull access denied ..., repository ...").
        return text[range.start..range.end].to_string();
    }
    let rest = &text[range.end..];
    let end = [". ", ", ", "; ", "\""]
        .iter()
        .filter_map(|stop| rest.find(stop))
        .min()
        .unwrap_or(rest.len());
    let mut out = text[range.start..range.end + end]
        .trim_end_matches('.')
        .to_string();
    if out.len() > 100 {
        let mut cut = 100;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Kubelet's messages about getting an image. Other events (probes, mounts) say `connection
/// refused` or `not found` about other things.
fn is_image_message(message: &str) -> bool {
    [
        "Failed to pull image",
        "Failed to apply default image tag",
        "Failed to inspect image",
        "Back-off pulling image",
        "Error: InvalidImageName",
        "Error: ErrImagePull",
        "Error: ImagePullBackOff",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
        || crate::runtime::messages::recognise(message)
            .is_some_and(|r| r.family == crate::runtime::messages::Family::Pull)
}

/// A cheap test for the texts that can name a platform problem.
fn mentions_platform(text: &str) -> bool {
    text.contains("format error") || text.contains("manifest")
}

/// The first quoted image in a kubelet message: `Failed to pull image "x": ...`,
/// `Failed to apply default image tag "x": ...`, `Container image "x" already present`.
fn quoted_image(message: &str) -> Option<&str> {
    let at = message
        .find("image \"")
        .map(|i| i + "image \"".len())
        .or_else(|| {
            message
                .find("image tag \"")
                .map(|i| i + "image tag \"".len())
        })?;
    let rest = &message[at..];
    rest.find('"').map(|end| &rest[..end])
}

/// `nginx`, `docker.io/library/nginx:latest` and `index.docker.io/library/nginx` are one image.
pub fn same_image(a: &str, b: &str) -> bool {
    normalized(a) == normalized(b)
}

fn normalized(image: &str) -> String {
    let registry = registry_part(image);
    let rest = registry.map_or(image, |r| &image[r.len() + 1..]);
    let host = match registry {
        None | Some("docker.io" | "index.docker.io" | "registry-1.docker.io") => "docker.io",
        Some(other) => other,
    };
    let mut path = rest.to_string();
    if host == "docker.io" && !path.contains('/') {
        path = format!("library/{path}");
    }
    let reference = ImageReference::parse(&path);
    if reference.tag.is_none() && reference.digest.is_none() {
        path.push_str(":latest");
    }
    format!("{host}/{path}")
}

/// The registry part of an image: the first segment when it has a dot, a port or is
/// `localhost`.
fn registry_part(image: &str) -> Option<&str> {
    let (first, _) = image.split_once('/')?;
    (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
}

/// `ghcr.io/acme/app:1` -> `ghcr.io`; `nginx` -> `docker.io`.
pub fn registry_of(image: &str) -> &str {
    registry_part(image).unwrap_or("docker.io")
}

pub fn is_docker_hub(image: &str) -> bool {
    matches!(
        registry_of(image),
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

/// The host an error text names: `lookup HOST on ...`, `https://HOST/v2/...`.
fn host_in_text(text: &str) -> Option<String> {
    let clean = |host: &str| {
        let host = host.trim_end_matches([':', '.', ',', '"', '\\']);
        (!host.is_empty()).then(|| host.to_string())
    };
    if let Some(at) = text.find("lookup ") {
        let host = text[at + "lookup ".len()..].split([' ', ':']).next()?;
        return clean(host);
    }
    let at = text
        .find("https://")
        .map(|i| i + "https://".len())
        .or_else(|| text.find("http://").map(|i| i + "http://".len()))?;
    let host = text[at..].split(['/', '"', ' ', '\\']).next()?;
    clean(host)
}

const PULL_REASONS: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "ImageInspectError",
];

/// What one container is doing now, as far as the input says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Now {
    Running,
    WaitingOnImage,
    Other,
}

#[derive(Default)]
struct Reading {
    found: Vec<PullFailure>,
    /// (pod, image) pairs kubelet pulled or found present.
    pulled: Vec<(String, String)>,
    /// (pod, container, what it does now).
    now: Vec<(String, String, Now)>,
    /// (pod, secret) pairs kubelet could not retrieve.
    missing_secrets: Vec<(String, String)>,
    /// (pod, node) from describes, Scheduled events and pod specs.
    nodes: Vec<(String, String)>,
    /// (pod, namespace) from Scheduled events (`Successfully assigned shop/web-1 to node-1`).
    namespaces: Vec<(String, String)>,
    healthy: Vec<String>,
}

impl Reading {
    fn read_events(&mut self, ws: &Workspace) {
        for at in ws.events() {
            if at.observed.is_some_and(|o| o.kind != "Pod") {
                continue;
            }
            let event = at.event;
            let view = at.pod.map(|i| &ws.pods[i].pod);
            let pod = view
                .and_then(|p| p.name)
                .or_else(|| pod_object_name(event.object.as_deref()));
            // An event about another kind of object is not a pull; one about no object at all
            // (a row or message pasted without its pod) still is.
            if pod.is_none() && event.object.is_some() {
                continue;
            }
            let message = event.message.as_str();
            if let Some((who, node)) = pod.and_then(|pod| {
                message
                    .strip_prefix("Successfully assigned ")
                    .and_then(|rest| rest.rsplit_once(" to "))
                    .map(|(who, node)| (who, (pod, node)))
            }) {
                let (pod, node) = node;
                self.nodes.push((pod.to_string(), node.trim().to_string()));
                if let Some((namespace, _)) = who.split_once('/') {
                    self.namespaces
                        .push((pod.to_string(), namespace.to_string()));
                }
                continue;
            }
            if message.starts_with("Successfully assigned ") {
                continue;
            }
            if message.starts_with("Successfully pulled image")
                || message.contains("already present on machine")
            {
                if let (Some(image), Some(pod)) = (quoted_image(message), pod) {
                    self.pulled.push((pod.to_string(), image.to_string()));
                }
                continue;
            }
            if let Some(list) = message
                .strip_prefix("Unable to retrieve some image pull secrets (")
                .and_then(|rest| rest.split_once(')'))
                .map(|(list, _)| list)
            {
                for secret in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    self.missing_secrets
                        .push((pod.unwrap_or_default().to_string(), secret.to_string()));
                }
                continue;
            }
            if !is_image_message(message) && !mentions_platform(message) {
                continue;
            }
            let Some((cause, range)) = classify(message)
                .filter(|(cause, _)| is_image_message(message) || *cause == Cause::Platform)
            else {
                continue;
            };
            let image = quoted_image(message).map(String::from);
            let container = view.and_then(|v| {
                let image = image.as_deref()?;
                v.containers
                    .iter()
                    .find(|c| c.image.as_ref().is_some_and(|(i, _)| same_image(i, image)))
                    .map(|c| c.name.clone())
            });
            let rank = if message.starts_with("Failed to") {
                4
            } else if message.starts_with("Error: ") {
                1
            } else {
                2
            };
            self.found.push(PullFailure {
                cause,
                ambiguous: false,
                file: at.file,
                range: message_range(ws, at.file, event.line, message),
                evidence: evidence_of(message, range),
                text: message.to_string(),
                image,
                pod: pod.map(String::from),
                namespace: view
                    .and_then(|v| v.namespace)
                    .map(String::from)
                    .or_else(|| event.namespace.clone()),
                pod_index: at.pod,
                controlled_by: view.and_then(|v| v.controlled_by.clone()),
                container,
                node: None,
                recovered: false,
                missing_secrets: Vec::new(),
                rank,
            });
        }
    }

    fn read_described_pods(&mut self, ws: &Workspace) {
        for (index, observed) in ws.pods.iter().enumerate() {
            let view = &observed.pod;
            // A pod row or loose describe fields may not name the pod.
            let pod = view.name.unwrap_or_default();
            if view.is_healthy() {
                self.healthy.push(pod.to_string());
            }
            if let Some(node) = node_of_described(ws, observed.file, view) {
                self.nodes.push((pod.to_string(), node));
            }
            for c in &view.containers {
                let now = match &c.state {
                    Some(s) if s.state == "Running" => Now::Running,
                    Some(s)
                        if s.state == "Waiting"
                            && s.reason
                                .as_deref()
                                .is_some_and(|r| PULL_REASONS.contains(&r)) =>
                    {
                        Now::WaitingOnImage
                    }
                    _ => Now::Other,
                };
                self.now.push((pod.to_string(), c.name.clone(), now));
                let states = [(&c.state, true), (&c.last_state, false)];
                for (state, current) in states {
                    let Some(state) = state else { continue };
                    let Some((cause, evidence, text, rank)) = state_cause(state, current) else {
                        continue;
                    };
                    self.found.push(PullFailure {
                        cause,
                        ambiguous: false,
                        file: observed.file,
                        range: state.range,
                        evidence,
                        text,
                        image: c.image.as_ref().map(|(i, _)| i.clone()),
                        pod: view.name.map(String::from),
                        namespace: view.namespace.map(String::from),
                        pod_index: Some(index),
                        controlled_by: view.controlled_by.clone(),
                        container: Some(c.name.clone()),
                        node: None,
                        recovered: false,
                        missing_secrets: Vec::new(),
                        rank,
                    });
                }
            }
        }
    }

    /// `exec /usr/local/bin/python: exec format error` in `kubectl logs`.
    fn read_logs(&mut self, ws: &Workspace) {
        for (file, line) in ws.logs() {
            // Most lines are the application's own; skip them before the full reading.
            if !mentions_platform(&line.text) {
                continue;
            }
            let Some((Cause::Platform, range)) = classify(&line.text) else {
                continue;
            };
            let named = line.pod.as_deref();
            let in_file: Vec<usize> = (0..ws.pods.len())
                .filter(|&i| ws.pods[i].file == file)
                .collect();
            let pod_index = match named {
                Some(name) => ws.pods.iter().position(|p| p.pod.name == Some(name)),
                None if in_file.len() == 1 => Some(in_file[0]),
                None => None,
            };
            let view = pod_index.map(|i| &ws.pods[i].pod);
            let regular: Vec<&str> = view
                .map(|v| {
                    v.containers
                        .iter()
                        .filter(|c| !c.init)
                        .map(|c| c.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let container = line
                .container
                .clone()
                .or_else(|| (regular.len() == 1).then(|| regular[0].to_string()));
            let image = view.and_then(|v| {
                let name = container.as_deref()?;
                v.container(name)?.image.as_ref().map(|(i, _)| i.clone())
            });
            self.found.push(PullFailure {
                cause: Cause::Platform,
                ambiguous: false,
                file,
                range: line.line,
                evidence: evidence_of(&line.text, range),
                text: line.text.clone(),
                image,
                pod: view.and_then(|v| v.name).or(named).map(String::from),
                namespace: view.and_then(|v| v.namespace).map(String::from),
                pod_index,
                controlled_by: view.and_then(|v| v.controlled_by.clone()),
                container,
                node: None,
                recovered: false,
                missing_secrets: Vec::new(),
                rank: 3,
            });
        }
    }

    fn finish(mut self, ws: &Workspace) -> Vec<PullFailure> {
        let mut out: Vec<PullFailure> = Vec::new();
        for mut failure in std::mem::take(&mut self.found) {
            let pod = failure.pod.clone().unwrap_or_default();
            failure.node = self
                .nodes
                .iter()
                .find(|(p, _)| *p == pod)
                .map(|(_, n)| n.clone());
            failure.missing_secrets = self
                .missing_secrets
                .iter()
                .filter(|(p, _)| *p == pod)
                .map(|(_, s)| s.clone())
                .collect();
            if failure.namespace.is_none() {
                failure.namespace = self
                    .namespaces
                    .iter()
                    .find(|(p, _)| *p == pod)
                    .map(|(_, n)| n.clone())
                    .or_else(|| {
                        let template = owner_template(ws, &failure)?;
                        ws.object_of(&ws.templates[template]).namespace.clone()
                    });
            }
            if failure.container.is_none() {
                // Name the container when the pod's manifest says which one runs that image.
                failure.container = container_by_image(ws, &failure);
            }
            failure.recovered = self.recovered(&failure);
            merge(&mut out, failure);
        }
        // Docker Hub's ambiguous answer: credentials when the pod shows a credentials problem,
        // a wrong name otherwise.
        let refused: Vec<&PullFailure> = out.iter().filter(|f| f.cause == Cause::Auth).collect();
        let resolved: Vec<PullFailure> = out
            .iter()
            .cloned()
            .map(|mut f| {
                if f.cause == Cause::DeniedOrMissing {
                    f.ambiguous = true;
                    let refused_too = refused.iter().any(|a| {
                        a.pod == f.pod
                            && (a.container.is_none()
                                || f.container.is_none()
                                || a.container == f.container)
                    });
                    f.cause = if refused_too || looks_like_credentials(ws, &f) {
                        Cause::Auth
                    } else {
                        Cause::NotFound
                    };
                }
                f
            })
            .collect();
        let mut out = Vec::new();
        for failure in resolved {
            merge(&mut out, failure);
        }
        out
    }

    fn recovered(&self, f: &PullFailure) -> bool {
        let Some(pod) = f.pod.as_deref() else {
            return false;
        };
        if self.healthy.iter().any(|p| p == pod) {
            return true;
        }
        let now = f.container.as_deref().and_then(|c| {
            self.now
                .iter()
                .find(|(p, name, _)| p == pod && name == c)
                .map(|(_, _, now)| *now)
        });
        match now {
            Some(Now::Running) => true,
            Some(Now::WaitingOnImage) => false,
            _ => {
                f.cause != Cause::Platform
                    && f.image.as_deref().is_some_and(|image| {
                        self.pulled
                            .iter()
                            .any(|(p, i)| p == pod && same_image(i, image))
                    })
            }
        }
    }
}

/// Keeps one failure per (pod, container, cause): the most specific evidence, and the
/// container's name and image from whichever source had them.
fn merge(out: &mut Vec<PullFailure>, failure: PullFailure) {
    let same = |a: &PullFailure| {
        a.pod == failure.pod
            && a.cause == failure.cause
            && match (&a.container, &failure.container) {
                (Some(x), Some(y)) => x == y,
                _ => match (&a.image, &failure.image) {
                    (Some(x), Some(y)) => same_image(x, y),
                    _ => true,
                },
            }
    };
    let Some(existing) = out.iter_mut().find(|a| same(a)) else {
        out.push(failure);
        return;
    };
    let container = existing.container.clone().or(failure.container.clone());
    let image = existing.image.clone().or(failure.image.clone());
    let recovered = existing.recovered && failure.recovered;
    let ambiguous = existing.ambiguous && failure.ambiguous;
    if failure.rank > existing.rank {
        *existing = failure;
    }
    existing.container = container;
    existing.image = image;
    existing.recovered = recovered;
    existing.ambiguous = ambiguous;
}

/// The part of an event's row that holds its message: the columns before it prove nothing.
fn message_range(ws: &Workspace, file: FileId, line: TextRange, message: &str) -> TextRange {
    let head: String = message.chars().take(24).collect();
    ws.source(file, line)
        .find(&head)
        .map_or(line, |at| TextRange::new(line.start + at, line.end))
}

/// `pod/web-1` -> `web-1`; other kinds are not pods.
fn pod_object_name(object: Option<&str>) -> Option<&str> {
    let object = object?;
    match object.split_once('/') {
        Some((kind, name)) if kind.eq_ignore_ascii_case("pod") => Some(name),
        Some(_) => None,
        None => Some(object),
    }
}

/// The node a pod runs on: `Node: node-1/10.0.0.5` in its describe, or `spec.nodeName` in its
/// `kubectl get pod -o yaml`.
fn node_of_described(ws: &Workspace, file: FileId, view: &PodView) -> Option<String> {
    let described = ws.parsed.runtime[file]
        .observed
        .iter()
        .filter(|o| o.kind == "Pod" && o.name.as_deref() == view.name)
        .find_map(|o| o.describe.value("Node"))
        .map(|n| n.split('/').next().unwrap_or(n));
    let listed = || {
        ws.objects_of_kind("Pod")
            .filter(|o| o.file == file && o.name.as_deref() == view.name)
            .find_map(|o| o.node.path(&["spec", "nodeName"]).and_then(Node::as_str))
    };
    described
        .or_else(listed)
        .filter(|n| !n.is_empty() && *n != "<none>")
        .map(String::from)
}

/// The cause a container state shows: the message of a state waiting on its image, or
/// `InvalidImageName` itself. Other states (a past one, `CreateContainerConfigError`) only
/// count for `exec format error`, which leaves no other trace.
fn state_cause(state: &ContainerStateView, current: bool) -> Option<(Cause, String, String, u8)> {
    let text = state.message.clone().unwrap_or_default();
    let pulling = current
        && state
            .reason
            .as_deref()
            .is_some_and(|r| PULL_REASONS.contains(&r));
    if let Some((cause, range)) = classify(&text) {
        if pulling || cause == Cause::Platform {
            return Some((cause, evidence_of(&text, range), text, 3));
        }
    }
    (current && state.reason.as_deref() == Some("InvalidImageName"))
        .then(|| (Cause::InvalidName, "InvalidImageName".to_string(), text, 1))
}

/// The manifest's container that runs the failed image, when the pod's template is in the set.
fn container_by_image(ws: &Workspace, f: &PullFailure) -> Option<String> {
    let template = owner_template(ws, f)?;
    let image = f.image.as_deref()?;
    ws.containers_of(template)
        .find(|c| {
            c.node
                .get("image")
                .and_then(Node::as_str)
                .is_some_and(|i| same_image(i, image))
        })
        .and_then(|c| c.name.map(String::from))
}

/// The pod template the failing pod was made from.
pub fn owner_template(ws: &Workspace, f: &PullFailure) -> Option<usize> {
    if let Some(index) = f.pod_index {
        return ws.owner_template(&ws.pods[index].pod);
    }
    let view = PodView::named(
        f.pod.as_deref(),
        f.namespace.as_deref(),
        f.controlled_by.clone(),
    );
    f.pod.as_ref()?;
    ws.owner_template(&view)
}

/// The manifest's container (index into [`Workspace::containers`]) of the failure, by name,
/// else by image.
pub fn manifest_container(ws: &Workspace, f: &PullFailure) -> Option<usize> {
    let Some(template) = owner_template(ws, f) else {
        // The paste does not say which pod failed: the one container of the set that uses
        // the image is the one meant.
        if f.pod.is_some() {
            return None;
        }
        let image = f.image.as_deref()?;
        let mut using = (0..ws.containers.len()).filter(|&i| {
            let c = &ws.containers[i];
            ws.objects[c.object].node.get("status").is_none()
                && c.node
                    .get("image")
                    .and_then(Node::as_str)
                    .is_some_and(|m| same_image(m, image))
        });
        return match (using.next(), using.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        };
    };
    let range = ws.templates[template].containers.clone();
    let by_name = f
        .container
        .as_deref()
        .and_then(|name| range.clone().find(|&i| ws.containers[i].name == Some(name)));
    by_name.or_else(|| {
        let image = f.image.as_deref()?;
        range.clone().find(|&i| {
            ws.containers[i]
                .node
                .get("image")
                .and_then(Node::as_str)
                .is_some_and(|m| same_image(m, image))
        })
    })
}

/// Secrets of type `kubernetes.io/dockerconfigjson` (or the older `dockercfg`) that can live
/// in `near`'s namespace.
pub fn registry_secrets<'a>(ws: &'a Workspace, near: &K8sObject) -> Vec<&'a str> {
    ws.objects_of_kind("Secret")
        .filter(|s| {
            matches!(
                s.node.get("type").and_then(Node::as_str),
                Some("kubernetes.io/dockerconfigjson" | "kubernetes.io/dockercfg")
            ) && s.may_share_namespace(near)
        })
        .filter_map(|s| s.name.as_deref())
        .collect()
}

/// Whether Docker Hub's ambiguous denial is about credentials: kubelet could not find a pull
/// secret the pod names, or the set holds a registry Secret that the pod template does not use.
fn looks_like_credentials(ws: &Workspace, f: &PullFailure) -> bool {
    if !f.missing_secrets.is_empty() {
        return true;
    }
    let Some(container) = manifest_container(ws, f) else {
        return false;
    };
    let template = &ws.templates[ws.containers[container].template];
    template.spec.get("imagePullSecrets").is_none()
        && !registry_secrets(ws, ws.object_of(template)).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cause(text: &str) -> Option<Cause> {
        classify(text).map(|(c, _)| c)
    }

    #[test]
    fn causes_are_read_from_docker_and_containerd_wording() {
        use Cause::*;
        use Reach::*;
        let cases = [
            ("Failed to pull image \"ghcr.io/acme/api:1.4.0\": failed to pull and unpack image \"ghcr.io/acme/api:1.4.0\": failed to resolve reference \"ghcr.io/acme/api:1.4.0\": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fapi%3Apull&service=ghcr.io: 401 Unauthorized", Auth),
            ("Failed to pull image \"octarinesec/guardrails-enforcer:20.7\": rpc error: code = Unknown desc = Error response from daemon: unauthorized: authentication required", Auth),
            ("Failed to pull image \"dashboard:latest\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for dashboard, repository does not exist or may require 'docker login': denied: requested access to the resource is denied", DeniedOrMissing),
            ("Failed to pull image \"ghcr.io/alexsjones/sympozium/apiserver:v0.0.29\": rpc error: code = NotFound desc = failed to pull and unpack image \"ghcr.io/alexsjones/sympozium/apiserver:v0.0.29\": failed to resolve reference \"ghcr.io/alexsjones/sympozium/apiserver:v0.0.29\": ghcr.io/alexsjones/sympozium/apiserver:v0.0.29: not found", NotFound),
            ("Failed to pull image \"nginx:1.255\": rpc error: code = Unknown desc = Error response from daemon: manifest for nginx:1.255 not found: manifest unknown: manifest unknown", NotFound),
            ("Failed to pull image \"busybox\": rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/library/busybox:latest\": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/library/busybox/manifests/sha256:50aa: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit", RateLimit),
            ("Failed to pull image \"registry:5000/hello-app:1.0\": rpc error: code = Unknown desc = failed to pull and unpack image \"registry:5000/hello-app:1.0\": failed to resolve reference \"registry:5000/hello-app:1.0\": failed to do request: Head https://registry:5000/v2/hello-app/manifests/1.0: http: server gave HTTP response to HTTPS client", Unreachable(PlainHttp)),
            ("Failed to pull image \"selenium/hub\": rpc error: code = Unknown desc = Error response from daemon: Get \"https://registry-1.docker.io/v2/\": x509: certificate signed by unknown authority", Unreachable(UntrustedCertificate)),
            ("Failed to pull image \"docker.io/redis:latest\": rpc error: code = DeadlineExceeded desc = failed to pull and unpack image \"docker.io/library/redis:latest\": failed to resolve reference \"docker.io/library/redis:latest\": failed to authorize: failed to fetch anonymous token: Get \"https://auth.docker.io/token?scope=repository%3Alibrary%2Fredis%3Apull&service=registry.docker.io\": dial tcp 108.160.165.48:443: i/o timeout", Unreachable(Timeout)),
            ("Failed to pull image \"ghcr.io/codefactoryhu/manifest:0.1.5\": rpc error: code = NotFound desc = failed to pull and unpack image \"ghcr.io/codefactoryhu/manifest:0.1.5\": no match for platform in manifest: not found", Platform),
            ("Failed to apply default image tag \"docker.pkg.github.com/CodeForPhilly/chime/penn-chime:1.1.0-rc.1\": couldn't parse image reference \"docker.pkg.github.com/CodeForPhilly/chime/penn-chime:1.1.0-rc.1\": invalid reference format: repository name must be lowercase", InvalidName),
            ("exec /usr/local/bin/python: exec format error", Platform),
        ];
        for (text, expected) in cases {
            assert_eq!(cause(text), Some(expected), "{text}");
        }
        assert_eq!(cause("Back-off pulling image \"web:2\""), None);
        assert_eq!(cause("Error: ErrImagePull"), None);
    }

    /// `(rule, severity, message)` of every image finding for `text`.
    fn image_findings(text: &str) -> Vec<(&'static str, Severity, String)> {
        let report = crate::check(&[crate::SourceFile::new("paste.txt", text)]);
        report
            .findings
            .into_iter()
            .filter(|f| f.rule.starts_with("image-") || f.rule == "invalid-image-name")
            .filter(|f| !f.rule.starts_with("image-tag-"))
            .map(|f| (f.rule, f.severity, f.message))
            .collect()
    }

    const DESCRIBE_HEAD: &str = "Name:         web-7d4b9c8f6-abcde\nNamespace:    shop\nNode:         node-1/10.0.0.5\nControlled By:  ReplicaSet/web-7d4b9c8f6\nContainers:\n  web:\n    Image:          ghcr.io/acme/web:1.2.0\n";

    #[test]
    fn a_pull_that_worked_later_is_information() {
        let text = format!(
            "{DESCRIBE_HEAD}    State:          Running\n    Ready:          True\n    Restart Count:  0\nQoS Class:        BestEffort\nEvents:\n  Type     Reason   Age                From     Message\n  ----     ------   ----               ----     -------\n  Warning  Failed   9m (x3 over 10m)   kubelet  Failed to pull image \"ghcr.io/acme/web:1.2.0\": failed to pull and unpack image \"ghcr.io/acme/web:1.2.0\": failed to resolve reference \"ghcr.io/acme/web:1.2.0\": failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%3Aacme%2Fweb%3Apull&service=ghcr.io: 401 Unauthorized\n  Normal   Pulled   2m                 kubelet  Successfully pulled image \"ghcr.io/acme/web:1.2.0\" in 1.1s (1.1s including waiting)\n"
        );
        let found = image_findings(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "image-pull-auth");
        assert_eq!(found[0].1, Severity::Info);
    }

    #[test]
    fn a_describe_and_an_events_table_of_one_pod_make_one_finding() {
        let failed = "Failed to pull image \"ghcr.io/acme/web:1.2.0\": rpc error: code = NotFound desc = failed to pull and unpack image \"ghcr.io/acme/web:1.2.0\": failed to resolve reference \"ghcr.io/acme/web:1.2.0\": ghcr.io/acme/web:1.2.0: not found";
        let text = format!(
            "{DESCRIBE_HEAD}    State:          Waiting\n      Reason:       ErrImagePull\n    Ready:          False\n    Restart Count:  0\nQoS Class:        BestEffort\nEvents:\n  Type     Reason  Age  From     Message\n  ----     ------  ---  ----     -------\n  Warning  Failed  1m   kubelet  {failed}\n\n$ kubectl get events -n shop\nLAST SEEN   TYPE      REASON   OBJECT                      MESSAGE\n1m          Warning   Failed   pod/web-7d4b9c8f6-abcde     {failed}\n1m          Warning   Failed   pod/web-7d4b9c8f6-abcde     Error: ErrImagePull\n"
        );
        let found = image_findings(&text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "image-not-found");
        assert!(found[0]
            .2
            .contains("container web of pod web-7d4b9c8f6-abcde"));
    }

    #[test]
    fn docker_hub_denial_is_credentials_when_the_pull_secret_is_missing() {
        let text = "LAST SEEN   TYPE      REASON                            OBJECT              MESSAGE\n2m          Warning   FailedToRetrieveImagePullSecret   pod/api-5f9c-x2x7   Unable to retrieve some image pull secrets (dockerhub-creds); attempting to pull the image may not succeed.\n2m          Warning   Failed                            pod/api-5f9c-x2x7   Failed to pull image \"acme/api:2.0.1\": rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/acme/api:2.0.1\": failed to resolve reference \"docker.io/acme/api:2.0.1\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed\n";
        let found = image_findings(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "image-pull-auth");
    }

    #[test]
    fn docker_hub_denial_beside_an_explicit_refusal_is_one_credentials_problem() {
        let text = "LAST SEEN   TYPE      REASON   OBJECT                                           MESSAGE\n9m37s       Warning   Failed   pod/octarine-guardrails-enforcer-5888cf98bf-xzklp   Failed to pull image \"octarinesec/guardrails-enforcer:20.7\": rpc error: code = Unknown desc = Error response from daemon: unauthorized: authentication required\n8m22s       Warning   Failed   pod/octarine-guardrails-enforcer-5888cf98bf-xzklp   Failed to pull image \"octarinesec/guardrails-enforcer:20.7\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for octarinesec/guardrails-enforcer, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n";
        let found = image_findings(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "image-pull-auth");
    }

    #[test]
    fn pods_from_get_pod_yaml_are_read_by_their_status() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web-1\n  namespace: shop\nspec:\n  containers:\n  - name: web\n    image: nginx:1.255\nstatus:\n  phase: Pending\n  containerStatuses:\n  - name: web\n    image: nginx:1.255\n    ready: false\n    restartCount: 0\n    state:\n      waiting:\n        reason: ErrImagePull\n        message: 'rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:1.255\": failed to resolve reference \"docker.io/library/nginx:1.255\": docker.io/library/nginx:1.255: not found'\n";
        let found = image_findings(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "image-not-found");
    }

    #[test]
    fn invalid_image_name_needs_no_event() {
        let text = "Name:         job-1\nNamespace:    ci\nNode:         node-1/10.0.0.5\nContainers:\n  step:\n    Image:          registry.example.com/ci/${STEP_IMAGE}:1.0\n    State:          Waiting\n      Reason:       InvalidImageName\n    Ready:          False\nQoS Class:        BestEffort\nEvents:           <none>\n";
        let found = image_findings(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].0, "invalid-image-name");
        assert!(
            found[0].2.contains("`${STEP_IMAGE}` is a placeholder"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn a_missing_platform_in_the_manifest_list_is_an_architecture_problem() {
        let text = "LAST SEEN   TYPE      REASON   OBJECT                   MESSAGE\n30s         Warning   Failed   pod/ml-worker-7c9d-5kq   Failed to pull image \"acme/ml-worker:0.3.0\": rpc error: code = Unknown desc = Error response from daemon: no matching manifest for linux/amd64 in the manifest list entries\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ml-worker\nspec:\n  selector:\n    matchLabels: {app: ml-worker}\n  template:\n    metadata:\n      labels: {app: ml-worker}\n    spec:\n      containers:\n        - name: worker\n          image: acme/ml-worker:0.3.0\n";
        let report = crate::check(&[crate::SourceFile::new("paste.txt", text)]);
        let arch: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule == "image-arch-mismatch")
            .collect();
        assert_eq!(arch.len(), 1, "{:#?}", report.findings);
        let fix = arch[0].fix.as_ref().expect("a nodeSelector fix");
        assert!(
            fix.edits[0].content.contains("kubernetes.io/arch: arm64"),
            "{fix:?}"
        );
        assert!(report.findings.iter().all(|f| f.rule != "image-not-found"));
    }

    #[test]
    fn probe_and_mount_events_are_not_image_failures() {
        let text = format!(
            "{DESCRIBE_HEAD}    State:          Waiting\n      Reason:       CreateContainerConfigError\n    Ready:          False\nQoS Class:        BestEffort\nEvents:\n  Type     Reason       Age  From     Message\n  ----     ------       ---  ----     -------\n  Warning  FailedMount  1m   kubelet  MountVolume.SetUp failed for volume \"config\" : secret \"web-config\" not found\n  Warning  Unhealthy    1m   kubelet  Readiness probe failed: Get \"http://10.0.0.7:8080/healthz\": dial tcp 10.0.0.7:8080: connect: connection refused\n  Warning  Failed       1m   kubelet  Error: secret \"web-config\" not found\n"
        );
        assert_eq!(image_findings(&text), vec![]);
    }

    #[test]
    fn evidence_is_the_clause_that_names_the_cause() {
        let text = "Error response from daemon: toomanyrequests: You have reached your pull rate limit. You may increase the limit";
        let (_, range) = classify(text).unwrap();
        assert_eq!(
            evidence_of(text, range),
            "toomanyrequests: You have reached your pull rate limit"
        );
    }

    #[test]
    fn images_are_compared_as_registries_resolve_them() {
        assert!(same_image("nginx", "docker.io/library/nginx:latest"));
        assert!(same_image("acme/api:1", "index.docker.io/acme/api:1"));
        assert!(!same_image("acme/api:1", "ghcr.io/acme/api:1"));
        assert_eq!(registry_of("registry:5000/hello-app:1.0"), "registry:5000");
        assert_eq!(registry_of("dashboard:latest"), "docker.io");
        assert_eq!(
            quoted_image("Failed to pull image \"web:2\": boom"),
            Some("web:2")
        );
        assert_eq!(
            host_in_text("Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.0.0.2:53: no such host").as_deref(),
            Some("registry-1.docker.io")
        );
    }
}
