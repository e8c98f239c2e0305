use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix};
use crate::labels::Labels;
use crate::model::{ContainerKind, K8sObject, Workspace};
use crate::rule::Rule;
use crate::yaml::{render_scalar, scalar_content_range, Node, ScalarStyle};

use super::loopback::{find_loopback, LoopbackAddress};

declare_rule! {
    /// ## What it does
    /// Finds connection settings that point a container at `localhost`, `127.0.0.1` or
    /// `[::1]`: env values such as `DATABASE_URL`, and ConfigMap or Secret entries a container
    /// reads as env. When a Service in the set exposes that port, the fix points the address at
    /// the Service's DNS name.
    ///
    /// ## Why is this bad?
    /// Inside a pod, `localhost` is the pod itself, not the machine you tested on. A database
    /// that ran beside the app under Docker Compose now lives in another pod: every connection
    /// is refused and the container crash-loops (`ConnectionRefusedError: [Errno 111] Connect
    /// call failed ('127.0.0.1', 5432)`).
    ///
    /// Addresses are left alone when another container of the same pod (a sidecar such as
    /// cloud-sql-proxy) declares the port or names it in its command or arguments, when the
    /// container's own port is meant, when the pod uses the node's network, and for listen/bind
    /// settings. A sidecar that shows no sign of the port does not excuse the address.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: bot
    /// spec:
    ///   selector:
    ///     matchLabels: {app: bot}
    ///   template:
    ///     metadata:
    ///       labels: {app: bot}
    ///     spec:
    ///       containers:
    ///         - name: bot
    ///           image: coinpilot/bot:1.4.0
    ///           env:
    ///             - name: DATABASE_URL
    ///               value: postgresql+asyncpg://postgres@localhost:5432/coinpilot
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: db
    /// spec:
    ///   selector: {app: db}
    ///   ports:
    ///     - port: 5432
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: bot
    /// spec:
    ///   selector:
    ///     matchLabels: {app: bot}
    ///   template:
    ///     metadata:
    ///       labels: {app: bot}
    ///     spec:
    ///       containers:
    ///         - name: bot
    ///           image: coinpilot/bot:1.4.0
    ///           env:
    ///             - name: DATABASE_URL
    ///               value: postgresql+asyncpg://postgres@db:5432/coinpilot
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: db
    /// spec:
    ///   selector: {app: db}
    ///   ports:
    ///     - port: 5432
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe when a Service exposes the port: the container will connect somewhere else.
    /// Display-only (`<service-name>`) when no Service in the set does: only you know which
    /// Service fronts that port.
    pub struct LocalhostInEnv {
        id: "localhost-in-env",
        category: Networking,
        severity: Warning,
        fix: Always,
        reads: Manifests,
    }
}

pub struct LoopbackSetting<'a> {
    pub(super) container: usize,
    /// The env var (or ConfigMap/Secret key) holding the address.
    pub(super) variable: String,
    /// The ConfigMap or Secret the value comes from, when it is not inline.
    via: Option<usize>,
    file: FileId,
    node: &'a Node,
    value: &'a str,
    pub(super) address: LoopbackAddress,
    pub(super) service: Option<ServiceTarget>,
}

pub(super) struct ServiceTarget {
    pub(super) name: String,
    pub(super) dns: String,
    /// The Service's port, when it differs from the one in the address.
    port: Option<u16>,
}

impl Rule for LocalhostInEnv {
    type State<'a> = LoopbackSetting<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<LoopbackSetting<'a>> {
        // A refused connection in the logs proves it: `localhost-connection` reports it then.
        let refusals = super::localhost_connection::refusals(ws);
        loopback_settings(ws)
            .into_iter()
            .filter(|s| !refusals.iter().any(|r| r.port == s.address.port))
            .collect()
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &LoopbackSetting<'a>) -> Diagnostic {
        let container = &ws.containers[state.container];
        let pod = &ws.objects[container.object];
        let host = &state.value[state.address.host.start..state.address.host.end];
        let port = state
            .address
            .port
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        let place = match state.via {
            Some(o) => format!(
                "{} key {} (read by",
                ws.objects[o].display(),
                state.variable
            ),
            None => format!("{} in the", state.variable),
        };
        let closing = if state.via.is_some() { ")" } else { "" };
        let message = format!(
            "{place} container {} of {}{closing} points at {host}{port}, which inside a pod is the pod itself",
            container.name.unwrap_or("<unnamed>"),
            pod.display(),
        );
        let help = match &state.service {
            Some(s) => format!("Service {} exposes this port: connect to {} instead.", s.name, s.dns),
            None => "Connect to the Service in front of that process (`<service>` in the same namespace, `<service>.<namespace>` elsewhere).".into(),
        };
        Diagnostic {
            file: state.file,
            range: state.node.span,
            message,
            why: "Nothing listens on that port inside this pod, so connections are refused and the container crash-loops.".into(),
            help: Some(help),
            object: Some(pod.reference()),
            container: container.name.map(String::from),
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &LoopbackSetting<'a>) -> Option<Fix> {
        let (host, port, title, applicability) = match &state.service {
            Some(s) => (
                s.dns.clone(),
                s.port,
                format!("Connect to Service {} ({})", s.name, s.dns),
                Applicability::Unsafe,
            ),
            None => (
                "<service-name>".to_string(),
                None,
                "Connect to the Service in front of that process".to_string(),
                Applicability::DisplayOnly,
            ),
        };
        let mut pieces = vec![(state.address.host, host)];
        if let (Some(port), Some(range)) = (port, state.address.port_range) {
            pieces.push((range, port.to_string()));
        }
        let source = ws.text(state.file);
        let edits = match scalar_content_range(state.node, source) {
            Some(content) => pieces
                .into_iter()
                .map(|(range, text)| Edit::replace(state.file, range.shifted(content.start), text))
                .collect(),
            None => {
                let mut value = state.value.to_string();
                for (range, text) in pieces.into_iter().rev() {
                    value.replace_range(range.start..range.end, &text);
                }
                let style = state
                    .node
                    .as_scalar()
                    .map_or(ScalarStyle::Plain, |s| s.style);
                vec![Edit::replace(
                    state.file,
                    state.node.span,
                    render_scalar(&value, style),
                )]
            }
        };
        Some(Fix::new(title, applicability, edits))
    }
}

/// Every env value that points a container at a loopback address nobody in the pod serves.
pub(super) fn loopback_settings<'a>(ws: &Workspace<'a>) -> Vec<LoopbackSetting<'a>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (index, container) in ws.containers.iter().enumerate() {
        let template = &ws.templates[container.template];
        if template
            .spec
            .get("hostNetwork")
            .and_then(Node::as_scalar)
            .is_some_and(|s| s.text == "true")
        {
            continue;
        }
        let pod = &ws.objects[container.object];
        for (variable, node, via) in env_values(ws, pod, container.node) {
            let Some(value) = node.as_str() else { continue };
            if is_listen_setting(&variable) {
                continue;
            }
            let Some(address) = find_loopback(value) else {
                continue;
            };
            if address.bare && !names_a_remote(&variable) {
                continue;
            }
            if may_be_served_in_pod(ws, index, address.port) {
                continue;
            }
            let file = via.map_or(pod.file, |o| ws.objects[o].file);
            if !seen.insert((file, node.span)) {
                continue;
            }
            let service = service_for(ws, index, &variable, address.port);
            out.push(LoopbackSetting {
                container: index,
                variable,
                via,
                file,
                node,
                value,
                address,
                service,
            });
        }
    }
    out
}

/// `(variable, value node, ConfigMap/Secret object)` for every env value the container gets.
fn env_values<'a>(
    ws: &Workspace<'a>,
    pod: &K8sObject<'a>,
    container: &'a Node,
) -> Vec<(String, &'a Node, Option<usize>)> {
    let mut out = Vec::new();
    for env in container.get("env").map(Node::items).unwrap_or_default() {
        let Some(name) = env.get("name").and_then(Node::as_str) else {
            continue;
        };
        if let Some(value) = env.get("value") {
            out.push((name.to_string(), value, None));
            continue;
        }
        for (reference, kind, field) in [
            ("configMapKeyRef", "ConfigMap", "data"),
            ("secretKeyRef", "Secret", "stringData"),
        ] {
            let Some(r) = env.path(&["valueFrom", reference]) else {
                continue;
            };
            let (Some(source), Some(key)) = (
                r.get("name").and_then(Node::as_str),
                r.get("key").and_then(Node::as_str),
            ) else {
                continue;
            };
            if let Some(o) = ws.find(kind, source, pod) {
                if let Some(value) = ws.objects[o].node.path(&[field, key]) {
                    out.push((name.to_string(), value, Some(o)));
                }
            }
        }
    }
    for from in container
        .get("envFrom")
        .map(Node::items)
        .unwrap_or_default()
    {
        let prefix = from.get("prefix").and_then(Node::as_str).unwrap_or("");
        for (reference, kind, field) in [
            ("configMapRef", "ConfigMap", "data"),
            ("secretRef", "Secret", "stringData"),
        ] {
            let Some(source) = from.path(&[reference, "name"]).and_then(Node::as_str) else {
                continue;
            };
            let Some(o) = ws.find(kind, source, pod) else {
                continue;
            };
            let Some(data) = ws.objects[o].node.get(field) else {
                continue;
            };
            for entry in data.entries() {
                if let Some(key) = entry.key.as_str() {
                    out.push((format!("{prefix}{key}"), &entry.value, Some(o)));
                }
            }
        }
    }
    out
}

fn is_listen_setting(variable: &str) -> bool {
    let upper = variable.to_ascii_uppercase();
    ["LISTEN", "BIND", "HEALTH", "METRICS", "PROBE"]
        .iter()
        .any(|w| upper.contains(w))
}

/// `DB_HOST`, `REDIS_ADDR`: a bare host in such a variable is where the app connects.
fn names_a_remote(variable: &str) -> bool {
    let upper = variable.to_ascii_uppercase();
    upper.contains('_')
        && [
            "HOST", "HOSTNAME", "ADDR", "ADDRESS", "SERVER", "SERVERS", "ENDPOINT", "URL", "URI",
            "DSN", "BROKERS",
        ]
        .iter()
        .any(|w| upper.ends_with(&format!("_{w}")))
}

/// True when something in the pod listens on `port`: the container's own port, or a sidecar
/// (another long-running container) that declares the port or names it in its command or
/// arguments (`--port=5432`, `instance=tcp:5432`). A sidecar that shows no sign of the port
/// does not excuse the address; any sidecar excuses an address without a port.
fn may_be_served_in_pod(ws: &Workspace, container: usize, port: Option<u16>) -> bool {
    let this = &ws.containers[container];
    let sidecars = || {
        ws.containers_of(this.template).filter(move |other| {
            !std::ptr::eq(*other, this)
                && match other.kind {
                    ContainerKind::Regular => true,
                    ContainerKind::Init => {
                        other.node.get("restartPolicy").and_then(Node::as_str) == Some("Always")
                    }
                    ContainerKind::Ephemeral => false,
                }
        })
    };
    // An address without a port (`DB_HOST=127.0.0.1`) may mean any sidecar's port.
    let Some(port) = port else {
        return sidecars().next().is_some();
    };
    let declares = |node: &Node| {
        node.get("ports")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|cp| cp.get("containerPort").and_then(Node::as_i64) == Some(i64::from(port)))
    };
    if declares(this.node) {
        return true;
    }
    sidecars()
        .any(|other| declares(other.node) || super::names_port(other.node, i64::from(port), false))
}

/// A Service in the set that exposes `port` and does not front this pod itself.
fn service_for(
    ws: &Workspace,
    container: usize,
    variable: &str,
    port: Option<u16>,
) -> Option<ServiceTarget> {
    let this = &ws.containers[container];
    let pod = &ws.objects[this.object];
    let own_labels: Labels = ws.templates[this.template]
        .label_pairs()
        .into_iter()
        .collect();
    let variable = variable.to_ascii_lowercase();
    let mut best: Option<(bool, ServiceTarget)> = None;
    for service in ws.objects_of_kind("Service") {
        if !service.may_share_namespace(pod) {
            continue;
        }
        let selector = service
            .node
            .path(&["spec", "selector"])
            .map(Node::string_map)
            .unwrap_or_default();
        if !selector.is_empty()
            && selector
                .iter()
                .all(|(k, v, _)| own_labels.get(k) == Some(v))
        {
            continue;
        }
        let name = service.name.clone()?;
        let named = name
            .split(['-', '_'])
            .any(|w| w.len() > 1 && variable.contains(w));
        let ports = service
            .node
            .path(&["spec", "ports"])
            .map(Node::items)
            .unwrap_or_default();
        let exposed = match port {
            Some(p) => ports.iter().find_map(|sp| {
                let service_port = sp.get("port").and_then(Node::as_i64)?;
                let target = sp.get("targetPort").and_then(Node::as_i64);
                if service_port == i64::from(p) {
                    Some(None)
                } else if target == Some(i64::from(p)) {
                    Some(u16::try_from(service_port).ok())
                } else {
                    None
                }
            }),
            None => named.then_some(None),
        };
        let Some(port_rewrite) = exposed else {
            continue;
        };
        let dns = match (&service.namespace, &pod.namespace) {
            (Some(s), Some(p)) if s != p => format!("{name}.{s}"),
            (Some(s), None) => format!("{name}.{s}"),
            _ => name.clone(),
        };
        let candidate = ServiceTarget {
            name,
            dns,
            port: port_rewrite,
        };
        if best
            .as_ref()
            .is_none_or(|(was_named, _)| named && !was_named)
        {
            best = Some((named, candidate));
        }
    }
    best.map(|(_, target)| target)
}
