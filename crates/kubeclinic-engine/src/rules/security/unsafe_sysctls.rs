use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Related, Severity};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::Node;

use super::{judged, remove_item, Admission, Level};

declare_rule! {
    /// ## What it does
    /// Finds sysctls a pod sets (`securityContext.sysctls`) outside the safe set of the Pod
    /// Security Standards' `baseline` level: `kernel.shm_rmid_forced`,
    /// `net.ipv4.ip_local_port_range`, `net.ipv4.ip_unprivileged_port_start`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range`,
    /// `net.ipv4.ip_local_reserved_ports`, `net.ipv4.tcp_keepalive_time`,
    /// `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl` and
    /// `net.ipv4.tcp_keepalive_probes`. One finding per sysctl; an error for a sysctl that is not
    /// namespaced (`vm.max_map_count`), which no node can allow.
    ///
    /// ## Why is this bad?
    /// The kubelet refuses the pod (`SysctlForbidden`) on every node whose
    /// `--allowed-unsafe-sysctls` does not list the sysctl, and a sysctl that is not namespaced
    /// (`vm.*`, most of `kernel.*` and `fs.*`) would change the whole node, so no node allows it:
    /// the pod never starts. Where a node does allow one, the pod can starve the node's network
    /// or memory for its neighbours. A namespace that enforces the `baseline` (or `restricted`)
    /// Pod Security level refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: gateway
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.ipv4.ip_local_port_range
    ///         value: "1024 65000"
    ///       - name: net.core.somaxconn
    ///         value: "4096"
    ///   containers:
    ///     - name: proxy
    ///       image: ghcr.io/example/gateway:5.1.0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: gateway
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.ipv4.ip_local_port_range
    ///         value: "1024 65000"
    ///   containers:
    ///     - name: proxy
    ///       image: ghcr.io/example/gateway:5.1.0
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix removes the sysctl, so the pod starts with the kernel's default; an app
    /// tuned for the value (a larger accept queue, more memory maps) may then run worse or not
    /// at all. Set node-wide values on the nodes themselves.
    pub struct UnsafeSysctls {
        id: "unsafe-sysctls",
        category: Security,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
    }
}

/// The sysctls the `baseline` level allows.
const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/// `net/ipv4/tcp_syncookies` is `net.ipv4.tcp_syncookies`.
fn canonical(name: &str) -> String {
    if name.contains('/') {
        name.replace('/', ".")
    } else {
        name.to_string()
    }
}

/// True for the sysctls a pod's own namespaces hold (the kubelet's list): the rest would
/// change the whole node, and no node may allow them.
fn namespaced(name: &str) -> bool {
    ["kernel.sem"].contains(&name)
        || ["kernel.shm", "kernel.msg", "fs.mqueue.", "net."]
            .iter()
            .any(|p| name.starts_with(p))
}

pub struct Sysctl<'a> {
    template: usize,
    index: usize,
    name: &'a Node,
    /// `None` for a node-wide sysctl in a namespace that admits it.
    admission: Option<Admission<'a>>,
}

impl Sysctl<'_> {
    fn canonical(&self) -> String {
        canonical(self.name.as_str().unwrap_or(""))
    }
}

impl Rule for UnsafeSysctls {
    type State<'a> = Sysctl<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Sysctl<'a>> {
        let mut out = Vec::new();
        for (template, t) in judged(ws) {
            let items = t
                .spec
                .path(&["securityContext", "sysctls"])
                .map(Node::items)
                .unwrap_or_default();
            for (index, item) in items.iter().enumerate() {
                let Some(name) = item.get("name").filter(|n| n.as_str().is_some()) else {
                    continue;
                };
                let canonical = canonical(name.as_str().unwrap_or(""));
                if SAFE.contains(&canonical.as_str()) {
                    continue;
                }
                // The kubelet refuses a node-wide one whatever the namespace admits.
                let admission = Admission::of(ws, template, Level::Baseline);
                if admission.is_none() && namespaced(&canonical) {
                    continue;
                }
                out.push(Sysctl {
                    template,
                    index,
                    name,
                    admission,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, s: &Sysctl<'a>) -> Diagnostic {
        let object = ws.object_of(&ws.templates[s.template]);
        let name = s.canonical();
        let node_wide = !namespaced(&name);
        let admission = s.admission.unwrap_or(Admission {
            check: Level::Baseline,
            enforced: None,
            node_agent: object.kind == "DaemonSet",
        });
        let (why, help) = if node_wide {
            (
                format!("{name} is not namespaced: it would change the whole node, so the kubelet refuses the pod on every node (SysctlForbidden) and it never starts."),
                format!("Remove {name} from the pod; set it on the nodes instead (the node image, or a DaemonSet in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`)."),
            )
        } else {
            (
                format!(
                    "The kubelet refuses the pod (SysctlForbidden) on every node whose `--allowed-unsafe-sysctls` does not list {name}; where one does, the pod can starve its neighbours. {}",
                    admission.consequence(object)
                ),
                format!("Remove {name} unless the app needs it; if it does, allow it on a dedicated node pool (`--allowed-unsafe-sysctls`), schedule the pod there, and run it in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`."),
            )
        };
        Diagnostic {
            file: object.file,
            range: s.name.span,
            message: format!(
                "{} sets the unsafe sysctl {}{}",
                object.display(),
                s.name.as_str().unwrap_or(""),
                if node_wide {
                    ", which no node can allow".to_string()
                } else {
                    admission.suffix()
                }
            ),
            why,
            help: Some(help),
            object: Some(object.reference()),
            container: None,
            severity: if node_wide {
                Some(Severity::Error)
            } else {
                admission.severity()
            },
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, s: &Sysctl<'a>) -> Vec<Related> {
        s.admission.map(|a| a.related()).unwrap_or_default()
    }

    fn fix<'a>(ws: &Workspace<'a>, s: &Sysctl<'a>) -> Option<Fix> {
        let t = &ws.templates[s.template];
        let object = ws.object_of(t);
        let seq = t.spec.path(&["securityContext", "sysctls"])?;
        let edit = remove_item(ws, object.file, seq, s.index)?;
        Some(Fix::new(
            format!(
                "Remove sysctl {} from {}",
                s.name.as_str().unwrap_or(""),
                object.display()
            ),
            Applicability::Unsafe,
            vec![edit],
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_wide_sysctls_are_told_apart() {
        assert!(namespaced("net.core.somaxconn"));
        assert!(namespaced("kernel.shmmax"));
        assert!(namespaced("fs.mqueue.msg_max"));
        assert!(!namespaced("vm.max_map_count"));
        assert!(!namespaced("kernel.pid_max"));
        assert_eq!(
            canonical("net/ipv4/tcp_syncookies"),
            "net.ipv4.tcp_syncookies"
        );
    }
}
