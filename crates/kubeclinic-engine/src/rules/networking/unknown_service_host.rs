use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::similarity::nearest;
use crate::text::TextRange;
use crate::yaml::{scalar_content_range, Node};

declare_rule! {
    /// ## What it does
    /// Finds Service addresses in container environment values and ConfigMap entries
    /// (`postgres`, `orders.shop`, `orders.shop.svc.cluster.local`, in URLs or `host:port`)
    /// that name a Service the set does not define, when a Service of that namespace has a
    /// name one or two letters away. Namespaces with no Service in the set, and names no
    /// Service comes close to, are not judged: those Services may be defined elsewhere.
    ///
    /// ## Why is this bad?
    /// The name does not resolve: the app logs `getaddrinfo ENOTFOUND`, `no such host` or
    /// `Name or service not known`, retries, and often crash-loops, while the Service it meant
    /// runs fine under its own name.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: postgres
    /// spec:
    ///   selector: {app: postgres}
    ///   ports:
    ///     - port: 5432
    /// ---
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: orders-config
    /// data:
    ///   DATABASE_URL: postgresql://orders@postgress:5432/orders
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: postgres
    /// spec:
    ///   selector: {app: postgres}
    ///   ports:
    ///     - port: 5432
    /// ---
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: orders-config
    /// data:
    ///   DATABASE_URL: postgresql://orders@postgres:5432/orders
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix writes the name of the Service that comes closest; check it is the one
    /// meant. No fix inside escaped or block scalars.
    pub struct UnknownServiceHost {
        id: "unknown-service-host",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["dns-resolution-failure"],
    }
}

pub struct Unknown {
    /// The object whose value names the host.
    object: usize,
    file: FileId,
    /// The host's bytes (the Service part of it).
    range: TextRange,
    /// Whether `range` is exactly the host's text in the source, so the fix can edit it.
    editable: bool,
    written: String,
    service: String,
    namespace: Option<String>,
    /// The Service meant.
    closest: usize,
    via: String,
}

/// A host found in a value: where the Service part starts (byte offset in the value), the
/// Service name, and the namespace when the host names one.
struct Host<'t> {
    offset: usize,
    service: &'t str,
    namespace: Option<&'t str>,
}

fn is_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
}

/// Keys and variable names that hold a host on its own (`DB_HOST`, `redisAddress`).
fn names_a_host(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "host", "hostname", "addr", "address", "server", "endpoint", "service",
    ]
    .iter()
    .any(|s| k.ends_with(s))
}

/// The hosts a value names: in URLs (`scheme://[user@]host[:port]`), as `host:port`, or, for a
/// key that names a host, the whole value. Lists (`a:9092,b:9092`) are read item by item.
fn hosts<'t>(
    value: &'t str,
    key_names_host: bool,
    managed: &dyn Fn(&str) -> bool,
) -> Vec<Host<'t>> {
    let mut out = Vec::new();
    if value.contains(char::is_whitespace) || value.len() > 512 {
        return out;
    }
    let mut start = 0;
    for part in value.split(',') {
        let at = start;
        start += part.len() + 1;
        let (mut host, mut offset, explicit) = match part.find("://") {
            Some(i) => (&part[i + 3..], at + i + 3, true),
            None => (part, at, false),
        };
        if let Some(i) = host.find(['/', '?', '#']) {
            host = &host[..i];
        }
        if let Some(i) = host.rfind('@') {
            host = &host[i + 1..];
            offset += i + 1;
        }
        let has_port = match host.rsplit_once(':') {
            Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                host = h;
                true
            }
            _ => false,
        };
        if !(explicit || has_port || key_names_host) {
            continue;
        }
        let labels: Vec<&str> = host.split('.').collect();
        if !labels.iter().all(|l| is_label(l)) {
            continue;
        }
        let (service, namespace, index) = match labels.as_slice() {
            [svc] => (*svc, None, 0),
            // `svc.ns` only when ns is a namespace of the set (else `example.com`).
            [svc, ns] if managed(ns) => (*svc, Some(*ns), 0),
            [.., svc, ns, "svc"] => (*svc, Some(*ns), labels.len() - 3),
            [.., svc, ns, "svc", "cluster", "local"] => (*svc, Some(*ns), labels.len() - 5),
            _ => continue,
        };
        if matches!(service, "localhost" | "kubernetes") {
            continue;
        }
        let skip: usize = labels[..index].iter().map(|l| l.len() + 1).sum();
        out.push(Host {
            offset: offset + skip,
            service,
            namespace,
        });
    }
    out
}

/// A Service of the set: its index, name and namespace.
type ServiceName<'a> = (usize, &'a str, Option<&'a str>);

impl Rule for UnknownServiceHost {
    type State<'a> = Unknown;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unknown> {
        let services: Vec<(usize, &str, Option<&str>)> = ws
            .indexes_of_kind("Service")
            .iter()
            .filter_map(|&i| {
                let s = &ws.objects[i];
                Some((i, s.name.as_deref()?, s.effective_namespace()))
            })
            .collect();
        if services.is_empty() {
            return Vec::new();
        }
        let namespaces: std::collections::HashSet<&str> =
            services.iter().filter_map(|(_, _, n)| *n).collect();
        let managed = |ns: &str| namespaces.contains(ns);
        // The Services a host in a namespace can name: those of the namespace and those
        // without one; every Service for a host whose namespace is not known.
        let mut by_namespace: std::collections::HashMap<Option<&str>, Vec<&ServiceName>> =
            std::collections::HashMap::new();
        let in_namespace_of = |namespace: Option<&str>| -> Vec<&ServiceName> {
            services
                .iter()
                .filter(|(_, _, n)| match (namespace, n) {
                    (Some(a), Some(b)) => a == *b,
                    _ => true,
                })
                .collect()
        };
        // Every (object, key, value node) to read.
        let mut values: Vec<(usize, String, &Node)> = Vec::new();
        for c in &ws.containers {
            if ws.objects[c.object].is_live() {
                continue;
            }
            for env in c.node.get("env").map(Node::items).unwrap_or_default() {
                if let (Some(name), Some(value)) =
                    (env.get("name").and_then(Node::as_str), env.get("value"))
                {
                    values.push((c.object, name.to_string(), value));
                }
            }
        }
        for &i in ws.indexes_of_kind("ConfigMap") {
            for (key, _, entry) in ws.objects[i]
                .node
                .get("data")
                .map(Node::string_map)
                .unwrap_or_default()
            {
                values.push((i, key.to_string(), &entry.value));
            }
        }
        let mut out = Vec::new();
        for (object, key, node) in values {
            let Some(scalar) = node.as_scalar() else {
                continue;
            };
            let o = &ws.objects[object];
            for host in hosts(&scalar.text, names_a_host(&key), &managed) {
                let namespace = host.namespace.or(o.effective_namespace());
                let in_namespace = by_namespace
                    .entry(namespace)
                    .or_insert_with(|| in_namespace_of(namespace));
                if in_namespace.is_empty()
                    || in_namespace
                        .iter()
                        .any(|(_, name, _)| *name == host.service)
                {
                    continue;
                }
                let Some(near) = nearest(host.service, in_namespace.iter().map(|(_, n, _)| *n))
                else {
                    continue;
                };
                let closest = in_namespace
                    .iter()
                    .find(|(_, n, _)| *n == near)
                    .map(|(i, _, _)| *i);
                let Some(closest) = closest else { continue };
                let content = scalar_content_range(node, ws.text(o.file));
                let (range, editable) = match content {
                    Some(c) => (
                        TextRange::new(
                            c.start + host.offset,
                            c.start + host.offset + host.service.len(),
                        ),
                        true,
                    ),
                    None => (node.span, false),
                };
                out.push(Unknown {
                    object,
                    file: o.file,
                    range,
                    editable,
                    written: host.service.to_string(),
                    service: near.to_string(),
                    namespace: namespace.map(String::from),
                    closest,
                    via: key.clone(),
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, u: &Unknown) -> Diagnostic {
        let o = &ws.objects[u.object];
        let namespace = u
            .namespace
            .as_deref()
            .map(|ns| format!(" in namespace {ns}"))
            .unwrap_or_default();
        Diagnostic {
            file: u.file,
            range: u.range,
            message: format!(
                "{} names Service {} in {}, which the set does not define{namespace}; did you mean {}?",
                o.display(),
                u.written,
                u.via,
                u.service
            ),
            why: "The name does not resolve: the app fails with `no such host`, `ENOTFOUND` or `Name or service not known`, and often crash-loops, while the Service it meant runs under its own name.".into(),
            help: Some(format!("Write the Service's name as its `metadata.name` says: {}.", u.service)),
            object: Some(o.reference()),
            container: None,
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, u: &Unknown) -> Vec<Related> {
        let s = &ws.objects[u.closest];
        vec![Related {
            file: s.file,
            range: s.anchor_range(),
            message: format!("the Service most likely meant, {}", s.display()),
        }]
    }

    fn fix<'a>(_ws: &Workspace<'a>, u: &Unknown) -> Option<Fix> {
        u.editable.then(|| {
            Fix::new(
                format!("Name Service {}", u.service),
                Applicability::Unsafe,
                vec![Edit::replace(u.file, u.range, u.service.clone())],
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::hosts;

    fn read(value: &str, key_names_host: bool) -> Vec<(usize, String, Option<String>)> {
        let managed = |ns: &str| ns == "shop";
        hosts(value, key_names_host, &managed)
            .into_iter()
            .map(|h| {
                (
                    h.offset,
                    h.service.to_string(),
                    h.namespace.map(String::from),
                )
            })
            .collect()
    }

    #[test]
    fn reads_hosts_the_way_clients_do() {
        assert_eq!(
            read("postgresql://app:pw@db:5432/x", false),
            [(20, "db".into(), None)]
        );
        assert_eq!(read("redis:6379", false), [(0, "redis".into(), None)]);
        assert_eq!(read("redis", false), []);
        assert_eq!(read("redis", true), [(0, "redis".into(), None)]);
        assert_eq!(
            read("orders.shop:80", false),
            [(0, "orders".into(), Some("shop".into()))]
        );
        assert_eq!(read("api.example.com:443", false), []);
        assert_eq!(
            read("http://kafka-0.kafka.shop.svc.cluster.local:9092", false),
            [(15, "kafka".into(), Some("shop".into()))]
        );
        assert_eq!(
            read("a:9092,b.shop.svc:9092", false),
            [(0, "a".into(), None), (7, "b".into(), Some("shop".into()))]
        );
        assert_eq!(read("10.0.0.1:80", false), []);
        assert_eq!(read("localhost:80", false), []);
    }
}
