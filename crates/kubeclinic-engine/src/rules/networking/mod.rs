//! Rules about who can reach whom.

mod connection_errors;
pub mod default_deny_no_dns;
pub mod dns_resolution_failure;
pub mod ingress_backend_missing;
pub mod ingress_class_missing;
pub mod ingress_duplicate_route;
pub mod ingress_port_mismatch;
pub mod ingress_tls_host_mismatch;
pub mod ingress_tls_secret_missing;
pub mod ingress_wildcard_path;
pub mod invalid_port_number;
pub mod localhost_connection;
pub mod localhost_in_env;
mod loopback;
pub mod netpol_peer_selects_nothing;
pub mod netpol_selects_nothing;
pub mod nodeport_out_of_range;
pub mod pod_sandbox_failed;
pub mod service_port_mismatch;
pub mod service_ports_ambiguous;
pub mod service_selects_multiple_workloads;
pub mod service_selects_nothing;
pub mod statefulset_service_missing;
pub mod statefulset_service_not_headless;
pub mod unknown_service_host;

use crate::rule::RuleEntry;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<netpol_selects_nothing::NetpolSelectsNothing>(),
    RuleEntry::of::<netpol_peer_selects_nothing::NetpolPeerSelectsNothing>(),
    RuleEntry::of::<default_deny_no_dns::DefaultDenyNoDns>(),
    RuleEntry::of::<unknown_service_host::UnknownServiceHost>(),
    RuleEntry::of::<statefulset_service_missing::StatefulsetServiceMissing>(),
    RuleEntry::of::<statefulset_service_not_headless::StatefulsetServiceNotHeadless>(),
    RuleEntry::of::<service_ports_ambiguous::ServicePortsAmbiguous>(),
    RuleEntry::of::<nodeport_out_of_range::NodeportOutOfRange>(),
    RuleEntry::of::<invalid_port_number::InvalidPortNumber>(),
    RuleEntry::of::<service_selects_nothing::ServiceSelectsNothing>(),
    RuleEntry::of::<service_port_mismatch::ServicePortMismatch>(),
    RuleEntry::of::<service_selects_multiple_workloads::ServiceSelectsMultipleWorkloads>(),
    RuleEntry::of::<ingress_backend_missing::IngressBackendMissing>(),
    RuleEntry::of::<ingress_port_mismatch::IngressPortMismatch>(),
    RuleEntry::of::<ingress_class_missing::IngressClassMissing>(),
    RuleEntry::of::<ingress_tls_secret_missing::IngressTlsSecretMissing>(),
    RuleEntry::of::<ingress_tls_host_mismatch::IngressTlsHostMismatch>(),
    RuleEntry::of::<ingress_wildcard_path::IngressWildcardPath>(),
    RuleEntry::of::<ingress_duplicate_route::IngressDuplicateRoute>(),
    RuleEntry::of::<localhost_in_env::LocalhostInEnv>(),
    RuleEntry::of::<localhost_connection::LocalhostConnection>(),
    RuleEntry::of::<dns_resolution_failure::DnsResolutionFailure>(),
    RuleEntry::of::<pod_sandbox_failed::PodSandboxFailed>(),
];

use crate::model::{ContainerKind, K8sObject, Workspace};
use crate::yaml::Node;

/// A port a container declares: its number and name, with their nodes.
pub struct DeclaredPort<'a> {
    pub container: usize,
    pub number: Option<i64>,
    pub name: Option<&'a str>,
    pub node: &'a Node,
}

/// The ports the regular (and sidecar) containers of a pod template declare.
pub fn declared_ports<'a>(ws: &Workspace<'a>, template: usize) -> Vec<DeclaredPort<'a>> {
    let range = ws.templates[template].containers.clone();
    let mut out = Vec::new();
    for index in range {
        let c = &ws.containers[index];
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        // An init container serves traffic only as a sidecar (`restartPolicy: Always`).
        if c.kind == ContainerKind::Init
            && c.node.get("restartPolicy").and_then(Node::as_str) != Some("Always")
        {
            continue;
        }
        for port in c.node.get("ports").map(Node::items).unwrap_or_default() {
            out.push(DeclaredPort {
                container: index,
                number: port.get("containerPort").and_then(Node::as_i64),
                name: port.get("name").and_then(Node::as_str),
                node: port,
            });
        }
    }
    out
}

/// True when every serving container of the template declares at least one port, so a
/// number none declares is most likely a mistake rather than a port left undeclared.
pub fn all_containers_declare_ports(ws: &Workspace, template: usize) -> bool {
    ws.containers_of(template)
        .filter(|c| c.kind == ContainerKind::Regular)
        .all(|c| c.node.get("ports").is_some_and(|p| !p.items().is_empty()))
}

/// True when the container names `number` as a number of its own (`:8443`, `--port=8443`,
/// `8443`) in its command or arguments and, with `env`, in its env values: it listens on a
/// port it need not declare.
pub fn names_port(container: &Node, number: i64, env: bool) -> bool {
    let wanted = number.to_string();
    let mut texts: Vec<&str> = ["command", "args"]
        .iter()
        .flat_map(|k| container.get(k).map(Node::items).unwrap_or_default())
        .filter_map(Node::as_str)
        .collect();
    if env {
        texts.extend(
            container
                .get("env")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| e.get("value").and_then(Node::as_scalar))
                .map(|s| s.text.as_str()),
        );
    }
    texts.iter().any(|t| {
        t.split(|c: char| !c.is_ascii_digit())
            .any(|digits| digits == wanted)
    })
}

/// A `port`/`targetPort` value: a number, or a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef<'a> {
    Number(i64),
    Name(&'a str),
}

impl<'a> PortRef<'a> {
    pub fn of(node: &'a Node) -> Option<Self> {
        if let Some(n) = node.as_i64() {
            return Some(PortRef::Number(n));
        }
        let text = node.as_str()?;
        match text.parse::<i64>() {
            Ok(n) => Some(PortRef::Number(n)),
            Err(_) if !text.is_empty() => Some(PortRef::Name(text)),
            Err(_) => None,
        }
    }

    pub fn text(&self) -> String {
        match self {
            PortRef::Number(n) => n.to_string(),
            PortRef::Name(s) => (*s).to_string(),
        }
    }
}

/// The Services of the set named `name` that can share `near`'s namespace, and whether the
/// set holds any Service that can share it at all (when it holds none, the Service may well
/// be defined elsewhere and nothing is judged).
pub fn service_named(ws: &Workspace, name: &str, near: &K8sObject) -> (Option<usize>, bool) {
    let found = ws.find("Service", name, near);
    let any = ws
        .objects_of_kind("Service")
        .any(|s| s.may_share_namespace(near));
    (found, any)
}

/// The name among `candidates` a person most likely meant by `wanted`: a misspelling
/// (`crate::similarity::nearest`), else the only one that shares a word with it.
pub fn closest_name<'c>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'c str> + Clone,
) -> Option<&'c str> {
    if let Some(n) = crate::similarity::nearest(wanted, candidates.clone()) {
        return Some(n);
    }
    let mut similar: Vec<&str> = candidates
        .into_iter()
        .filter(|c| *c != wanted && shares_a_distinctive_word(c, wanted))
        .collect();
    similar.sort_unstable();
    similar.dedup();
    match similar.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

/// Words of names that say what kind of thing it is, not which one: `api-service` and
/// `frontend-service` share one and are still two Services.
const GENERIC_WORDS: &[&str] = &[
    "service",
    "svc",
    "headless",
    "server",
    "app",
    "api",
    "web",
    "http",
    "https",
    "grpc",
    "tls",
    "cert",
    "secret",
    "secrets",
    "config",
    "configmap",
    "data",
    "internal",
    "external",
    "public",
    "private",
    "main",
    "default",
    "deployment",
    "ingress",
    "port",
    "metrics",
];

/// True when the names share a word of more than two letters that is not a generic one
/// (`binance-extractor` and `binance-data-extractor`).
fn shares_a_distinctive_word(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(['-', '_', '.'])
            .map(str::to_ascii_lowercase)
            .filter(|w| w.len() > 2 && !GENERIC_WORDS.contains(&w.as_str()))
            .collect()
    };
    let b = words(b);
    words(a).iter().any(|w| b.contains(w))
}

/// A Service of the set that selects pods (not live, not `ExternalName`): its plain
/// `selector` map, as written and as a label selector; `None` without one.
pub fn service_selector<'a>(
    service: &K8sObject<'a>,
) -> Option<(
    &'a Node,
    k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
)> {
    if service.is_live()
        || service.node.path(&["spec", "type"]).and_then(Node::as_str) == Some("ExternalName")
    {
        return None;
    }
    let node = service.node.path(&["spec", "selector"])?;
    let pairs = node.string_map();
    if pairs.is_empty() {
        return None;
    }
    let selector = k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
        match_labels: Some(
            pairs
                .iter()
                .map(|(k, v, _)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        match_expressions: None,
    };
    Some((node, selector))
}

/// The pod templates a Service of the set selects; `None` when it has no selector
/// ([`service_selector`]) or selects nothing in the set.
pub fn service_targets(ws: &Workspace, service: usize) -> Option<Vec<usize>> {
    let object = &ws.objects[service];
    let (_, selector) = service_selector(object)?;
    let matched = ws.matched(&selector, object);
    (!matched.is_empty()).then_some(matched)
}

/// One backend of an Ingress: the Service it names and the port, as written.
pub struct IngressBackend<'a> {
    pub ingress: usize,
    pub service: &'a Node,
    /// `port.number`, `port.name` or (older APIs) `servicePort`.
    pub port: Option<&'a Node>,
    /// `shop.example.org/api` or `default backend`, for messages.
    pub route: String,
}

/// Every Service backend of every Ingress of the set (not live ones), in both the
/// `networking.k8s.io/v1` shape and the older `serviceName`/`servicePort` one.
pub fn ingress_backends<'a>(ws: &Workspace<'a>) -> Vec<IngressBackend<'a>> {
    let mut out = Vec::new();
    for &index in ws.indexes_of_kind("Ingress") {
        let ingress = &ws.objects[index];
        if ingress.is_live() {
            continue;
        }
        let spec = ingress.node.get("spec");
        let mut push = |backend: &'a Node, route: String| {
            if let Some(service) = backend.get("service") {
                if let Some(name) = service.get("name") {
                    let port = service
                        .get("port")
                        .and_then(|p| p.get("number").or_else(|| p.get("name")));
                    out.push(IngressBackend {
                        ingress: index,
                        service: name,
                        port,
                        route,
                    });
                }
            } else if let Some(name) = backend.get("serviceName") {
                out.push(IngressBackend {
                    ingress: index,
                    service: name,
                    port: backend.get("servicePort"),
                    route,
                });
            }
        };
        for field in ["defaultBackend", "backend"] {
            if let Some(b) = spec.and_then(|s| s.get(field)) {
                push(b, "the default backend".into());
            }
        }
        for rule in spec
            .and_then(|s| s.get("rules"))
            .map(Node::items)
            .unwrap_or_default()
        {
            let host = rule.get("host").and_then(Node::as_str).unwrap_or("*");
            for path in rule
                .path(&["http", "paths"])
                .map(Node::items)
                .unwrap_or_default()
            {
                let p = path.get("path").and_then(Node::as_str).unwrap_or("/");
                if let Some(b) = path.get("backend") {
                    push(b, format!("{host}{p}"));
                }
            }
        }
    }
    out
}

/// A policy whose empty selector covers every pod and that allows nothing in some direction.
pub fn is_default_deny(policy: &k8s_openapi::api::networking::v1::NetworkPolicy) -> bool {
    let Some(spec) = &policy.spec else {
        return false;
    };
    if !spec
        .pod_selector
        .as_ref()
        .is_none_or(crate::labels::selects_everything)
    {
        return false;
    }
    let types = spec
        .policy_types
        .clone()
        .unwrap_or_else(|| vec!["Ingress".into()]);
    let denies_ingress =
        types.iter().any(|t| t == "Ingress") && spec.ingress.as_ref().is_none_or(Vec::is_empty);
    let denies_egress =
        types.iter().any(|t| t == "Egress") && spec.egress.as_ref().is_none_or(Vec::is_empty);
    denies_ingress || denies_egress
}

/// A mapping written in the style of `like`: flow stays flow, block keeps its indentation.
pub fn render_map(ws: &Workspace, file: usize, like: &Node, pairs: &[(&str, &str)]) -> String {
    let entries = pairs.iter().map(|(k, v)| {
        format!(
            "{}: {}",
            crate::yaml::render_scalar(k, crate::yaml::ScalarStyle::Plain),
            crate::yaml::render_scalar(v, crate::yaml::ScalarStyle::Plain)
        )
    });
    if like.flow {
        return format!("{{{}}}", entries.collect::<Vec<_>>().join(", "));
    }
    let lines = ws.lines(file);
    let line_start = lines.line_start(lines.line_of(like.span.start));
    let indent = " ".repeat(like.span.start - line_start);
    entries.collect::<Vec<_>>().join(&format!("\n{indent}"))
}

/// Edits that make `match_labels` select a template with `labels`: values changed in place and
/// keys the template lacks removed, or the whole map rewritten when it shares no key.
pub fn retarget_match_labels(
    ws: &Workspace,
    file: usize,
    match_labels: &Node,
    labels: &crate::labels::Labels,
) -> Vec<crate::diagnostic::Edit> {
    use crate::diagnostic::Edit;
    let entries = match_labels.string_map();
    let shared = entries.iter().any(|(k, _, _)| labels.contains_key(k));
    if shared && !match_labels.flow {
        entries
            .iter()
            .filter_map(|(key, value, entry)| match labels.get(key) {
                Some(want) if want == value => None,
                Some(want) => {
                    let style = entry.value.as_scalar()?.style;
                    Some(Edit::replace(
                        file,
                        entry.value.span,
                        crate::yaml::render_scalar(want, style),
                    ))
                }
                None => Some(Edit::delete(
                    file,
                    crate::patch::whole_lines(ws, file, entry.key.span.start, entry.value.span.end),
                )),
            })
            .collect()
    } else {
        let pairs: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, *v)).collect();
        vec![Edit::replace(
            file,
            match_labels.span,
            render_map(ws, file, match_labels, &pairs),
        )]
    }
}

/// For a Service named `name` that `near` needs: `None` when the set has it, or has no Service
/// that can share `near`'s namespace (nothing to judge); else the Service most likely meant,
/// if any comes close.
pub fn missing_service(ws: &Workspace, name: &str, near: &K8sObject) -> Option<Option<usize>> {
    let (found, any) = service_named(ws, name, near);
    if found.is_some() || !any {
        return None;
    }
    let services: Vec<(usize, &str)> = ws
        .indexes_of_kind("Service")
        .iter()
        .filter(|&&i| ws.objects[i].may_share_namespace(near))
        .filter_map(|&i| Some((i, ws.objects[i].name.as_deref()?)))
        .collect();
    Some(
        closest_name(name, services.iter().map(|(_, n)| *n))
            .and_then(|n| services.iter().find(|(_, s)| *s == n).map(|(i, _)| *i)),
    )
}

/// The end of a message about a missing object: the name meant, or what to check.
pub fn meant_suffix(meant: Option<&str>) -> String {
    match meant {
        Some(name) => format!("; did you mean {name}?"),
        None => "; no name of the set comes close, so make sure it exists in the cluster".into(),
    }
}

/// A missing object's severity: the rule's own when the set shows what was meant, else
/// information (the object may well be applied from elsewhere).
pub fn meant_severity(meant: Option<usize>) -> Option<crate::diagnostic::Severity> {
    meant.is_none().then_some(crate::diagnostic::Severity::Info)
}

/// The secondary label on the object most likely meant.
pub fn meant_label(object: &K8sObject, what: &str) -> crate::diagnostic::Related {
    crate::diagnostic::Related {
        file: object.file,
        range: object.anchor_range(),
        message: format!("the {what} most likely meant, {}", object.display()),
    }
}

/// The unsafe fix that writes `name` over the scalar `node`, in its quoting.
pub fn rename_fix(
    title: String,
    file: crate::diagnostic::FileId,
    node: &Node,
    name: &str,
) -> Option<crate::diagnostic::Fix> {
    Some(crate::diagnostic::Fix::new(
        title,
        crate::diagnostic::Applicability::Unsafe,
        vec![crate::diagnostic::Edit::replace(
            file,
            node.span,
            crate::yaml::render_scalar(name, node.as_scalar()?.style),
        )],
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_close_by_typo_or_by_a_distinctive_word() {
        let names = ["frontend-service", "orders-api"];
        assert_eq!(super::closest_name("api-service", names), None);
        assert_eq!(super::closest_name("orders", names), Some("orders-api"));
        assert_eq!(
            super::closest_name("frontend-servce", names),
            Some("frontend-service")
        );
    }
}
