//! A pod as `kubectl describe pod` showed it: its containers' states and its events.

use super::describe::{Describe, Field};
use super::events::Event;
use crate::diagnostic::ObjectRef;
use crate::text::TextRange;
use crate::yaml::Node;

/// A container state block: `State: Waiting / Reason: CrashLoopBackOff`, or `Last State:
/// Terminated / Reason: OOMKilled / Exit Code: 137`.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerStateView {
    /// `Waiting`, `Running` or `Terminated`.
    pub state: String,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
    pub message: Option<String>,
    /// The bytes that prove it: the Reason value, else the state line.
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ContainerView {
    pub name: String,
    pub init: bool,
    pub image: Option<(String, TextRange)>,
    pub state: Option<ContainerStateView>,
    pub last_state: Option<ContainerStateView>,
    pub ready: Option<bool>,
    pub restarts: u32,
    /// `(resource, quantity, range)` from Limits / Requests.
    pub limits: Vec<(String, String, TextRange)>,
    pub requests: Vec<(String, String, TextRange)>,
    /// `(name, value, range)` from Environment.
    pub env: Vec<(String, String, TextRange)>,
    /// The Liveness / Readiness / Startup lines (`http-get http://:8080/healthz delay=0s ...`).
    pub probes: Vec<(String, String, TextRange)>,
    /// The container's name line in the describe.
    pub anchor: TextRange,
}

#[derive(Clone, Debug)]
pub struct PodView<'a> {
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
    /// `ReplicaSet/web-7d4b9c8f6` from `Controlled By` (or the first owner reference).
    pub controlled_by: Option<String>,
    /// `Running`, `Pending`, `Failed`...
    pub status: Option<&'a str>,
    /// Pod-level `Reason` (`Evicted`) with its bytes, and `Message`.
    pub reason: Option<(String, TextRange)>,
    pub message: Option<&'a str>,
    pub labels: Vec<(&'a str, &'a str)>,
    pub containers: Vec<ContainerView>,
    pub events: &'a [Event],
    /// The `Name:` line.
    pub anchor: TextRange,
    /// The paste shows only part of the pod (a pod table row, loose describe fields, a status
    /// block without its spec): what it does not show, such as limits, is unknown, not absent.
    pub partial: bool,
}

impl<'a> PodView<'a> {
    /// A pod known only by name, such as one an event table names: no state, no containers.
    pub fn named(
        name: Option<&'a str>,
        namespace: Option<&'a str>,
        controlled_by: Option<String>,
    ) -> Self {
        PodView {
            name,
            namespace,
            controlled_by,
            status: None,
            reason: None,
            message: None,
            labels: Vec::new(),
            containers: Vec::new(),
            events: &[],
            partial: true,
            anchor: TextRange::default(),
        }
    }

    pub fn from_describe(d: &'a Describe) -> Self {
        let mut containers = Vec::new();
        for (section, init) in [("Init Containers", true), ("Containers", false)] {
            for c in d.children(&[section]) {
                containers.push(container(d, section, c, init));
            }
        }
        let labels = d
            .top("Labels")
            .map(|f| {
                f.value
                    .lines()
                    .filter_map(|l| l.trim().split_once('='))
                    .collect()
            })
            .unwrap_or_default();
        PodView {
            name: d.value("Name"),
            namespace: d.value("Namespace"),
            controlled_by: d.value("Controlled By").map(String::from),
            status: d.value("Status"),
            reason: d.top("Reason").map(|f| (f.value.clone(), f.value_range)),
            message: d.value("Message"),
            labels,
            containers,
            events: &d.events,
            partial: false,
            anchor: d.top("Name").map_or(d.range, |f| f.line),
        }
    }

    /// A pod from `kubectl get pod -o yaml|json`: its `status` says what the cluster saw.
    /// `None` when the object has no container statuses.
    pub fn from_manifest(node: &'a Node) -> Option<Self> {
        Self::from_status(Some(node), node.get("status")?, Vec::new())
    }

    /// A pod from a cut of `kubectl get pod -o yaml|json` without its `kind`: the `status:`
    /// block, the status itself (`jq .status`), or container statuses (`jq
    /// '.status.containerStatuses[0]'`). `None` for anything else.
    pub fn from_fragment(root: &'a Node) -> Option<Self> {
        if root.get("kind").is_some() {
            return None;
        }
        if let Some(status) = root.get("status").filter(|s| s.is_mapping()) {
            return Self::from_status(Some(root), status, Vec::new());
        }
        if ["containerStatuses", "initContainerStatuses", "phase"]
            .iter()
            .any(|k| root.get(k).is_some())
        {
            return Self::from_status(None, root, Vec::new());
        }
        let statuses: Vec<&'a Node> = match root.items() {
            [] => vec![root],
            items => items.iter().collect(),
        };
        if !statuses.iter().all(|s| is_container_status(s)) {
            return None;
        }
        Self::from_status(None, root, statuses)
    }

    /// `node` holds the metadata and spec when there are any; `loose` are container statuses
    /// read outside of a `status`.
    fn from_status(node: Option<&'a Node>, status: &'a Node, loose: Vec<&'a Node>) -> Option<Self> {
        let statuses: Vec<&Node> = if loose.is_empty() {
            ["initContainerStatuses", "containerStatuses"]
                .iter()
                .flat_map(|k| status.get(k).map(Node::items).unwrap_or_default())
                .collect()
        } else {
            loose
        };
        if statuses.is_empty() && status.get("reason").is_none() {
            return None;
        }
        let spec_containers: Vec<&Node> = ["initContainers", "containers"]
            .iter()
            .flat_map(|k| {
                node.and_then(|n| n.path(&["spec", k]))
                    .map(Node::items)
                    .unwrap_or_default()
            })
            .collect();
        let containers = statuses
            .iter()
            .map(|cs| {
                let name = cs
                    .get("name")
                    .and_then(Node::as_str)
                    .unwrap_or_default()
                    .to_string();
                let spec = spec_containers
                    .iter()
                    .find(|c| c.get("name").and_then(Node::as_str) == Some(name.as_str()));
                let resources = |section: &str| -> Vec<(String, String, TextRange)> {
                    spec.and_then(|c| c.path(&["resources", section]))
                        .map(|m| {
                            m.string_map()
                                .into_iter()
                                .map(|(k, v, e)| (k.to_string(), v.to_string(), e.value.span))
                                .collect()
                        })
                        .unwrap_or_default()
                };
                ContainerView {
                    init: status
                        .get("initContainerStatuses")
                        .is_some_and(|list| list.items().iter().any(|i| std::ptr::eq(i, *cs))),
                    image: cs
                        .get("image")
                        .and_then(|n| Some((n.as_str()?.to_string(), n.span))),
                    state: manifest_state(cs.get("state")),
                    last_state: manifest_state(cs.get("lastState")),
                    ready: cs
                        .get("ready")
                        .and_then(Node::as_scalar)
                        .map(|s| s.text == "true"),
                    restarts: cs
                        .get("restartCount")
                        .and_then(Node::as_i64)
                        .unwrap_or(0)
                        .max(0) as u32,
                    limits: resources("limits"),
                    requests: resources("requests"),
                    env: spec
                        .and_then(|c| c.get("env"))
                        .map(Node::items)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|e| {
                            let value = e.get("value")?;
                            Some((
                                e.get("name")?.as_str()?.to_string(),
                                value.as_str()?.to_string(),
                                value.span,
                            ))
                        })
                        .collect(),
                    probes: Vec::new(),
                    anchor: cs.get("name").map_or(cs.span, |n| n.span),
                    name,
                }
            })
            .collect();
        let metadata = node.and_then(|n| n.get("metadata"));
        let owner = metadata
            .and_then(|m| m.get("ownerReferences"))
            .and_then(|o| o.items().first());
        Some(PodView {
            name: metadata.and_then(|m| m.get("name")).and_then(Node::as_str),
            namespace: metadata
                .and_then(|m| m.get("namespace"))
                .and_then(Node::as_str),
            controlled_by: owner.and_then(|o| {
                Some(format!(
                    "{}/{}",
                    o.get("kind")?.as_str()?,
                    o.get("name")?.as_str()?
                ))
            }),
            status: status.get("phase").and_then(Node::as_str),
            reason: status
                .get("reason")
                .and_then(|r| Some((r.as_str()?.to_string(), r.span))),
            message: status.get("message").and_then(Node::as_str),
            labels: metadata
                .and_then(|m| m.get("labels"))
                .map(|l| l.string_map().into_iter().map(|(k, v, _)| (k, v)).collect())
                .unwrap_or_default(),
            containers,
            events: &[],
            partial: node.is_none_or(|n| n.get("spec").is_none()),
            anchor: metadata
                .and_then(|m| m.get("name"))
                .map_or(node.unwrap_or(status).span, |n| n.span),
        })
    }

    /// The pod as an object reference for findings.
    pub fn reference(&self) -> ObjectRef {
        ObjectRef {
            kind: "Pod".into(),
            namespace: self.namespace.map(String::from),
            name: self.name.map(String::from),
            source: None,
        }
    }

    /// `pod web-1` as messages name it; `a pod the paste does not name` for a fragment that
    /// shows no name.
    pub fn label(&self) -> String {
        match self.name {
            Some(name) => format!("pod {name}"),
            None => "a pod the paste does not name".into(),
        }
    }

    /// `Container api of pod web-1` to open a message; `The container of pod web-1` when the
    /// paste does not name it (a pod table row).
    pub fn container_label(&self, container: &str) -> String {
        if container.is_empty() {
            format!("The container of {}", self.label())
        } else {
            format!("Container {container} of {}", self.label())
        }
    }

    pub fn container(&self, name: &str) -> Option<&ContainerView> {
        self.containers.iter().find(|c| c.name == name)
    }

    /// Events of this pod whose reason is one of `reasons`.
    pub fn events_with(&self, reasons: &[&str]) -> Vec<&'a Event> {
        let events: &'a [Event] = self.events;
        events
            .iter()
            .filter(|e| reasons.contains(&e.reason.as_str()))
            .collect()
    }

    /// True when every container is running and ready: old warnings are history.
    pub fn is_healthy(&self) -> bool {
        !self.containers.is_empty()
            && self.containers.iter().filter(|c| !c.init).all(|c| {
                c.ready == Some(true) && c.state.as_ref().is_some_and(|s| s.state == "Running")
            })
    }
}

/// `state: {waiting: {reason: CrashLoopBackOff}}` from a pod's status.
fn manifest_state(node: Option<&Node>) -> Option<ContainerStateView> {
    let entry = node?.entries().first()?;
    let state = match entry.key.as_str()? {
        "waiting" => "Waiting",
        "running" => "Running",
        "terminated" => "Terminated",
        _ => return None,
    };
    let detail = &entry.value;
    let reason = detail.get("reason");
    Some(ContainerStateView {
        state: state.to_string(),
        reason: reason.and_then(Node::as_str).map(String::from),
        exit_code: detail
            .get("exitCode")
            .and_then(Node::as_i64)
            .and_then(|c| i32::try_from(c).ok()),
        message: detail
            .get("message")
            .and_then(Node::as_str)
            .map(String::from),
        range: reason.map_or(entry.key.span, |r| r.span),
    })
}

fn container(d: &Describe, section: &str, field: &Field, init: bool) -> ContainerView {
    let name = field.key.clone();
    let path = [section, name.as_str()];
    let value = |key: &str| d.child(&path, key);
    let state = |key: &str| {
        let f = value(key)?;
        let inner = [section, name.as_str(), key];
        let reason = d.child(&inner, "Reason");
        let exit_code = d
            .child(&inner, "Exit Code")
            .and_then(|f| f.value.parse().ok());
        Some(ContainerStateView {
            state: f.value.clone(),
            reason: reason.map(|r| r.value.clone()),
            exit_code,
            message: d.child(&inner, "Message").map(|m| m.value.clone()),
            range: reason.map_or(f.line, |r| r.value_range),
        })
    };
    let list = |key: &str| -> Vec<(String, String, TextRange)> {
        d.children(&[section, name.as_str(), key])
            .into_iter()
            .map(|f| (f.key.clone(), f.value.clone(), f.line))
            .collect()
    };
    ContainerView {
        image: value("Image").map(|f| (f.value.clone(), f.value_range)),
        state: state("State"),
        last_state: state("Last State"),
        ready: value("Ready").map(|f| f.value == "True"),
        restarts: value("Restart Count")
            .and_then(|f| f.value.parse().ok())
            .unwrap_or(0),
        limits: list("Limits"),
        requests: list("Requests"),
        env: list("Environment"),
        probes: ["Liveness", "Readiness", "Startup"]
            .iter()
            .filter_map(|k| value(k).map(|f| (k.to_string(), f.value.clone(), f.line)))
            .collect(),
        anchor: field.line,
        name,
        init,
    }
}

/// A container's status as the API prints it: a name and a state.
fn is_container_status(node: &Node) -> bool {
    node.get("name").and_then(Node::as_str).is_some()
        && (node.get("state").is_some() || node.get("lastState").is_some())
}
