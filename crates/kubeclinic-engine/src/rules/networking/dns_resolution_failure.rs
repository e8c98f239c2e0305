use k8s_openapi::api::networking::v1::NetworkPolicy;

use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::{self, scalar_content_range, Node};

use super::connection_errors::{lookup_failure, LookupFailure};

declare_rule! {
    /// ## What it does
    /// Reads log lines for host names that did not resolve (`lookup db on 10.96.0.10:53: no
    /// such host`, `getaddrinfo ENOTFOUND`, `UnknownHostException`, `could not translate host
    /// name`). It compares the name with the Services in the set (a typo, a Service in another
    /// namespace) and, for DNS time-outs, with NetworkPolicies that cut egress to DNS.
    ///
    /// ## Why is this bad?
    /// The app cannot reach its dependency at all: requests fail or the pod crash-loops. A
    /// Service is only found by its exact name, and only as `<name>` inside its own namespace
    /// (`<name>.<namespace>` elsewhere). A DNS time-out usually means the pod cannot reach
    /// CoreDNS: an egress NetworkPolicy without port 53 is the classic cause.
    ///
    /// ## Example
    /// ```text
    /// $ kubectl logs worker-7c9d8f6b5-q8w2e
    /// panic: dial tcp: lookup postgress on 10.96.0.10:53: no such host
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// $ kubectl logs worker-7c9d8f6b5-q8w2e
    /// connected to postgres:5432
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: when the set has a Service whose name is close to the failing one, or the same
    /// name in another namespace, the fix rewrites the host in the env values and ConfigMap
    /// values that hold it.
    pub struct DnsResolutionFailure {
        id: "dns-resolution-failure",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

pub struct FailedLookup {
    file: FileId,
    failure: LookupFailure,
    pod: Option<String>,
    /// The Service the name most likely meant, as a DNS name.
    meant: Option<(String, String)>,
    /// A NetworkPolicy that blocks DNS for the pods in the set.
    blocking_policy: Option<String>,
}

impl Rule for DnsResolutionFailure {
    type State<'a> = FailedLookup;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<FailedLookup> {
        let mut out: Vec<FailedLookup> = Vec::new();
        for (file, line) in ws.logs() {
            let Some(failure) = lookup_failure(line) else {
                continue;
            };
            if out
                .iter()
                .any(|f| f.failure.host == failure.host && f.pod == line.pod)
            {
                continue;
            }
            // A resolver that gave up (`Temporary failure in name resolution`) on a name one
            // letter from a Service of the set most likely asked for a name that no one serves.
            let meant = closest_service(ws, &failure.host);
            let blocking_policy = if failure.timeout && meant.is_none() {
                dns_blocking_policy(ws)
            } else {
                None
            };
            out.push(FailedLookup {
                file,
                failure,
                pod: line.pod.clone(),
                meant,
                blocking_policy,
            });
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &FailedLookup) -> Diagnostic {
        let host = &state.failure.host;
        let who = state
            .pod
            .as_ref()
            .map(|p| format!("Pod {p}"))
            .unwrap_or_else(|| "The application".into());
        let (message, help) = if state.failure.timeout && state.meant.is_none() {
            (
                format!("{who} could not resolve {host}: the DNS server did not answer"),
                match &state.blocking_policy {
                    Some(policy) => format!("NetworkPolicy {policy} restricts egress without allowing DNS (UDP and TCP port 53 to kube-dns): add that rule."),
                    None => "Check that CoreDNS runs (`kubectl -n kube-system get pods -l k8s-app=kube-dns`) and that no NetworkPolicy blocks egress to port 53.".into(),
                },
            )
        } else {
            (
                format!("{who} could not resolve {host}: no Service or host has that name"),
                match &state.meant {
                    Some((name, dns)) => format!("Service {name} exists: use {dns}."),
                    None => "Check the Service's exact name and namespace (`kubectl get svc -A | grep <name>`); from another namespace use `<service>.<namespace>`.".into(),
                },
            )
        };
        Diagnostic {
            file: state.file,
            range: state.failure.line,
            message,
            why: "The app cannot reach its dependency by name, so its requests fail or it crash-loops.".into(),
            help: Some(help),
            object: None,
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &FailedLookup) -> Option<Fix> {
        let (name, dns) = state.meant.as_ref()?;
        let edits: Vec<Edit> = written_at(ws, &state.failure.host)
            .into_iter()
            .map(|place| Edit::replace(place.file, place.range, dns.clone()))
            .collect();
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!("Use Service {name} ({dns})"),
                Applicability::Unsafe,
                edits,
            )
        })
    }

    fn related<'a>(ws: &Workspace<'a>, state: &FailedLookup) -> Vec<Related> {
        written_at(ws, &state.failure.host)
            .into_iter()
            .map(|place| Related {
                file: place.file,
                range: place.range,
                message: format!(
                    "{} names {} in {}",
                    place.owner, state.failure.host, place.key
                ),
            })
            .collect()
    }
}

/// Where the manifests of the set write a host: an env value of a container, a ConfigMap's
/// value.
struct Written {
    file: FileId,
    /// The host's bytes inside the value.
    range: TextRange,
    /// `Deployment api`, `ConfigMap api-config`.
    owner: String,
    /// The env variable or the ConfigMap key.
    key: String,
}

fn written_at(ws: &Workspace, host: &str) -> Vec<Written> {
    let mut values: Vec<(usize, &str, &Node)> = Vec::new();
    for container in &ws.containers {
        for env in container
            .node
            .get("env")
            .map(Node::items)
            .unwrap_or_default()
        {
            if let (Some(key), Some(value)) =
                (env.get("name").and_then(Node::as_str), env.get("value"))
            {
                values.push((container.object, key, value));
            }
        }
    }
    for &index in ws.indexes_of_kind("ConfigMap") {
        let data = ws.objects[index].node.get("data");
        for (key, _, entry) in data.map(Node::string_map).unwrap_or_default() {
            values.push((index, key, &entry.value));
        }
    }
    let mut out = Vec::new();
    for (object, key, value) in values {
        let object = &ws.objects[object];
        if object.is_live() {
            continue;
        }
        let Some(text) = value.as_str() else { continue };
        let Some(at) = find_host(text, host) else {
            continue;
        };
        let Some(content) = scalar_content_range(value, ws.text(object.file)) else {
            continue;
        };
        out.push(Written {
            file: object.file,
            range: TextRange::new(content.start + at, content.start + at + host.len()),
            owner: object.display(),
            key: key.to_string(),
        });
    }
    out
}

/// `host` as a whole host name inside `text` (`postgres://u@db:5432` has `db`).
fn find_host(text: &str, host: &str) -> Option<usize> {
    text.match_indices(host).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + host.len()..].chars().next();
        before.is_none_or(|c| matches!(c, '/' | '@' | '=' | ' ' | ','))
            && after.is_none_or(|c| matches!(c, ':' | '/' | ' ' | ',' | '?'))
    })
}

/// The Service the failing name most likely meant: same name in another namespace, or a name
/// one or two edits away.
fn closest_service(ws: &Workspace, host: &str) -> Option<(String, String)> {
    let first = host.split('.').next().unwrap_or(host);
    let namespace_part = host.split('.').nth(1);
    ws.objects_of_kind("Service")
        .filter_map(|s| {
            let name = s.name.as_deref()?;
            let distance = crate::similarity::distance_within(first, name, 2).unwrap_or(usize::MAX);
            let wrong_namespace = distance == 0
                && namespace_part.is_some()
                && namespace_part != s.namespace.as_deref();
            let bare_elsewhere = distance == 0 && namespace_part.is_none() && s.namespace.is_some();
            if !(wrong_namespace || bare_elsewhere || (1..=2).contains(&distance) && name.len() > 3)
            {
                return None;
            }
            let dns = match &s.namespace {
                Some(ns) if wrong_namespace || bare_elsewhere => format!("{name}.{ns}"),
                _ => name.to_string(),
            };
            (dns != host).then(|| (distance, name.to_string(), dns))
        })
        .min()
        .map(|(_, name, dns)| (name, dns))
}

/// A NetworkPolicy with Egress that allows nothing on port 53.
fn dns_blocking_policy(ws: &Workspace) -> Option<String> {
    ws.objects_of_kind("NetworkPolicy").find_map(|o| {
        let policy: NetworkPolicy = yaml::typed(o.node).ok()?;
        let spec = policy.spec?;
        let egress_type = spec
            .policy_types
            .as_ref()
            .is_some_and(|t| t.iter().any(|t| t == "Egress"));
        if !egress_type {
            return None;
        }
        let allows_dns = spec.egress.iter().flatten().any(|rule| {
            rule.ports.as_ref().is_none_or(|ports| {
                ports.iter().any(|p| match &p.port {
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(53)) => {
                        true
                    }
                    Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => {
                        s.contains("dns")
                    }
                    None => true,
                    _ => false,
                })
            })
        });
        (!allows_dns).then(|| o.name.clone().unwrap_or_default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_found_whole() {
        assert_eq!(find_host("postgres://u@db:5432/app", "db"), Some(13));
        assert_eq!(find_host("postgres://u@dbx:5432/app", "db"), None);
        assert_eq!(crate::similarity::edit_distance("postgress", "postgres"), 1);
    }
}
