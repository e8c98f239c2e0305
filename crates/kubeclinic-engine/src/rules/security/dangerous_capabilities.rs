use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::Node;

use super::{
    added_capabilities, container_label, judged_containers, privileged_flag, remove_item,
    Admission, Level,
};

declare_rule! {
    /// ## What it does
    /// Finds capabilities a container adds (`securityContext.capabilities.add`) beyond what the
    /// Pod Security Standards' `baseline` level allows (AUDIT_WRITE, CHOWN, DAC_OVERRIDE,
    /// FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID,
    /// SYS_CHROOT), one finding per capability, with or without the `CAP_` prefix. `ALL` and
    /// `SYS_ADMIN` are named as the worst. A privileged container has them all anyway:
    /// `privileged` reports it instead.
    ///
    /// ## Why is this bad?
    /// Each of these lets the process do what a container should not: `SYS_ADMIN` mounts file
    /// systems and opens most known container escapes, `NET_ADMIN` rewrites the network,
    /// `SYS_PTRACE` reads other processes' memory, `SYS_MODULE` loads code into the node's
    /// kernel. A namespace that enforces the `baseline` (or `restricted`) Pod Security level
    /// refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: vpn
    /// spec:
    ///   selector:
    ///     matchLabels: {app: vpn}
    ///   template:
    ///     metadata:
    ///       labels: {app: vpn}
    ///     spec:
    ///       containers:
    ///         - name: tunnel
    ///           image: ghcr.io/example/tunnel:0.9.4
    ///           securityContext:
    ///             capabilities:
    ///               add:
    ///                 - NET_BIND_SERVICE
    ///                 - SYS_ADMIN
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: vpn
    /// spec:
    ///   selector:
    ///     matchLabels: {app: vpn}
    ///   template:
    ///     metadata:
    ///       labels: {app: vpn}
    ///     spec:
    ///       containers:
    ///         - name: tunnel
    ///           image: ghcr.io/example/tunnel:0.9.4
    ///           securityContext:
    ///             capabilities:
    ///               add:
    ///                 - NET_BIND_SERVICE
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix removes the capability from `add`; a process that uses it (to set up a
    /// tunnel, to trace, to set the clock) then fails with `operation not permitted`. Run such
    /// a node agent in a namespace that enforces the `privileged` level instead.
    pub struct DangerousCapabilities {
        id: "dangerous-capabilities",
        category: Security,
        severity: Warning,
        fix: Sometimes,
        reads: Manifests,
        explained_by: ["privileged"],
    }
}

/// What the `baseline` level lets a container add.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// What a capability lets a process do, for the ones people add most.
fn power(capability: &str) -> Option<&'static str> {
    Some(match capability {
        "ALL" => "do all the node's root can do, short of using its devices",
        "SYS_ADMIN" => "mount file systems, create namespaces and make most of the kernel's administration calls: it is the capability behind most container escapes",
        "NET_ADMIN" => "change interfaces, routes and firewall rules (the node's own with hostNetwork)",
        "NET_RAW" => "craft any packet: spoof addresses and answer other pods' ARP and DNS queries",
        "SYS_PTRACE" => "trace other processes and read or change their memory",
        "SYS_MODULE" => "load modules into the node's kernel",
        "SYS_TIME" => "set the node's clock",
        "SYS_RAWIO" => "reach devices and the node's memory directly",
        "SYS_BOOT" => "reboot the node",
        "DAC_READ_SEARCH" => "read any file whatever its permissions, and open files by handle (a known container escape)",
        "BPF" => "load eBPF programs into the node's kernel",
        "PERFMON" => "watch the node's kernel and other processes with perf",
        "SYS_RESOURCE" => "go past the kernel's resource limits",
        "SYS_NICE" => "raise the priority of its processes over the node's",
        "IPC_LOCK" => "lock memory so the kernel never reclaims it",
        "MAC_ADMIN" | "MAC_OVERRIDE" => "change or bypass AppArmor and SELinux",
        "LINUX_IMMUTABLE" => "change immutable and append-only files",
        "SYSLOG" => "read and clear the kernel's log",
        _ => return None,
    })
}

pub struct Added<'a> {
    container: usize,
    capability: String,
    index: usize,
    item: &'a Node,
    admission: Admission<'a>,
}

impl Rule for DangerousCapabilities {
    type State<'a> = Added<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Added<'a>> {
        let mut out = Vec::new();
        for (index, c) in judged_containers(ws) {
            let added = added_capabilities(c);
            if added.is_empty() {
                continue;
            }
            let Some(admission) = Admission::of(ws, c.template, Level::Baseline) else {
                continue;
            };
            let seq = c.node.path(&["securityContext", "capabilities", "add"]);
            for (capability, item) in added {
                if BASELINE_CAPABILITIES.contains(&capability.as_str()) {
                    continue;
                }
                let position = seq
                    .map(Node::items)
                    .unwrap_or_default()
                    .iter()
                    .position(|i| std::ptr::eq(i, item))
                    .unwrap_or(usize::MAX);
                out.push(Added {
                    container: index,
                    capability,
                    index: position,
                    item,
                    admission,
                });
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, a: &Added<'a>) -> Diagnostic {
        let c = &ws.containers[a.container];
        let object = &ws.objects[c.object];
        let written = a.item.as_str().unwrap_or(&a.capability);
        let worst = match a.capability.as_str() {
            "ALL" => ", the worst there is: all of them",
            "SYS_ADMIN" => ", the worst single one",
            _ => "",
        };
        let power = power(&a.capability)
            .map(|p| format!("{} lets the process {p}. ", a.capability))
            .unwrap_or_else(|| {
                format!(
                    "{} is not one of the capabilities the `baseline` level lets a container add. ",
                    a.capability
                )
            });
        Diagnostic {
            file: object.file,
            range: a.item.span,
            message: format!(
                "{} adds capability {written}{worst}{}",
                container_label(ws, c),
                a.admission.suffix()
            ),
            why: format!("{power}{}", a.admission.consequence(object)),
            help: Some(format!(
                "Remove {} unless the process cannot work without it; the `baseline` level lets a container add only {}. A node agent that truly needs it belongs in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`.",
                a.capability,
                BASELINE_CAPABILITIES.join(", ")
            )),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: a.admission.severity(),
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, a: &Added<'a>) -> Vec<Related> {
        a.admission.related()
    }

    /// `privileged: true` of the container: `privileged`'s finding there explains this one.
    fn evidence<'a>(ws: &Workspace<'a>, a: &Added<'a>) -> Vec<(FileId, TextRange)> {
        let c = &ws.containers[a.container];
        privileged_flag(c)
            .map(|n| (ws.objects[c.object].file, n.span))
            .into_iter()
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, a: &Added<'a>) -> Option<Fix> {
        let c = &ws.containers[a.container];
        let object = &ws.objects[c.object];
        let seq = c.node.path(&["securityContext", "capabilities", "add"])?;
        let edit = remove_item(ws, object.file, seq, a.index)?;
        Some(Fix::new(
            format!(
                "Remove capability {} from container {} of {}",
                a.capability,
                c.name.unwrap_or("(no name)"),
                object.display()
            ),
            Applicability::Unsafe,
            vec![edit],
        ))
    }
}
