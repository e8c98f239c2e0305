use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Severity};
use crate::model::{ContainerKind, Workspace};
use crate::patch::{set_paths, Value};
use crate::rule::Rule;
use crate::rules::evidence::{
    capitalize, created_since, message_range, quoted_after, template_of, Subject,
};
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Finds pods refused by Pod Security Admission: a controller's `FailedCreate` (`Error
    /// creating: pods "web-7d4b9c8f6-x8x2q" is forbidden: violates PodSecurity
    /// "restricted:latest": allowPrivilegeEscalation != false (container "app" must set
    /// securityContext.allowPrivilegeEscalation=false), ...`) or kubectl's own error or warning
    /// (`Warning: would violate PodSecurity ...`). It reads each violation, and when the
    /// workload is in the set it sets what the `restricted` level asks of each named container:
    /// `allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]`, `runAsNonRoot: true`,
    /// `seccompProfile.type: RuntimeDefault`.
    ///
    /// ## Why is this bad?
    /// The API server refuses every pod the controller creates: the Deployment, Job or
    /// StatefulSet runs none of its replicas, and `kubectl get pods` shows nothing.
    ///
    /// ## Example
    /// ```text
    /// Name:           web-7d4b9c8f6
    /// Namespace:      shop
    /// Selector:       app=web,pod-template-hash=7d4b9c8f6
    /// Controlled By:  Deployment/web
    /// Replicas:       0 current / 2 desired
    /// Pods Status:    0 Running / 0 Waiting / 0 Succeeded / 0 Failed
    /// Events:
    ///   Type     Reason        Age                From                   Message
    ///   ----     ------        ----               ----                   -------
    ///   Warning  FailedCreate  20s (x14 over 1m)  replicaset-controller  Error creating: pods "web-7d4b9c8f6-x8x2q" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:           web-7d4b9c8f6
    /// Namespace:      shop
    /// Selector:       app=web,pod-template-hash=7d4b9c8f6
    /// Controlled By:  Deployment/web
    /// Replicas:       2 current / 2 desired
    /// Pods Status:    2 Running / 0 Waiting / 0 Succeeded / 0 Failed
    /// Events:
    ///   Type    Reason            Age   From                   Message
    ///   ----    ------            ----  ----                   -------
    ///   Normal  SuccessfulCreate  1m    replicaset-controller  Created pod: web-7d4b9c8f6-x8x2q
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the settings change what the container may do. `runAsNonRoot: true` makes the
    /// kubelet refuse an image that runs as root (`container has runAsNonRoot and image will run
    /// as root`): the image needs a numeric non-root `USER`, or set `runAsUser`. Dropping all
    /// capabilities stops a process that binds ports below 1024 or changes file owners.
    /// Privileged mode, host namespaces, hostPath volumes and added capabilities get no edit:
    /// such a workload belongs in a namespace with a looser level, which only you can decide.
    pub struct PodSecurityAdmissionViolation {
        id: "pod-security-admission-violation",
        category: Security,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

/// One check of a Pod Security level that the pod fails.
#[derive(Clone, Debug, PartialEq)]
pub struct Check<'m> {
    /// `allowPrivilegeEscalation != false`, `unrestricted capabilities`, `hostPath volumes`.
    pub title: &'m str,
    /// The parenthesis: `container "app" must set securityContext.allowPrivilegeEscalation=false`.
    pub detail: &'m str,
    pub containers: Vec<&'m str>,
}

/// A `violates PodSecurity "restricted:latest": ...` message.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation<'m> {
    /// `restricted:latest`.
    pub level: &'m str,
    /// `would violate`: the namespace warns or audits, the pod was admitted.
    pub warning: bool,
    pub checks: Vec<Check<'m>>,
}

pub fn read_violation(message: &str) -> Option<Violation<'_>> {
    let marker = "PodSecurity \"";
    let at = message.find(marker)?;
    let before = message[..at].trim_end();
    if !before.ends_with("violates") && !before.ends_with("violate") {
        return None;
    }
    let warning = before.ends_with("would violate");
    let rest = &message[at + marker.len()..];
    let (level, rest) = rest.split_once('"')?;
    let list = rest.trim_start_matches(':').trim();
    let mut checks = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut open = None;
    let bytes = list.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some(o) = open.take() {
                        let title = list[start..o].trim().trim_start_matches(',').trim();
                        let detail = &list[o + 1..i];
                        checks.push(Check {
                            title,
                            detail,
                            containers: containers_in(detail),
                        });
                        start = i + 1;
                    }
                }
            }
            _ => {}
        }
    }
    (!checks.is_empty()).then_some(Violation {
        level,
        warning,
        checks,
    })
}

/// `pod or containers "a", "b" must set ...` -> `a`, `b`.
fn containers_in(detail: &str) -> Vec<&str> {
    let Some(at) = detail.find("container") else {
        return Vec::new();
    };
    let names = &detail[at..];
    let names = names.split(" must").next().unwrap_or(names);
    names.split('"').skip(1).step_by(2).collect()
}

/// The securityContext setting that satisfies a check, when there is one the fix may make.
fn setting(title: &str) -> Option<(Vec<&'static str>, Value, &'static str)> {
    Some(match title {
        "allowPrivilegeEscalation != false" => (
            vec!["securityContext", "allowPrivilegeEscalation"],
            Value::Literal("false".into()),
            "allowPrivilegeEscalation: false",
        ),
        "unrestricted capabilities" => (
            vec!["securityContext", "capabilities", "drop"],
            Value::Block(vec!["- ALL".into()]),
            "capabilities.drop: [ALL]",
        ),
        "runAsNonRoot != true" => (
            vec!["securityContext", "runAsNonRoot"],
            Value::Literal("true".into()),
            "runAsNonRoot: true",
        ),
        "seccompProfile" => (
            vec!["securityContext", "seccompProfile", "type"],
            Value::Scalar("RuntimeDefault".into()),
            "seccompProfile.type: RuntimeDefault",
        ),
        _ => return None,
    })
}

pub struct Refused<'a> {
    subject: Option<Subject>,
    /// The pod named in the message.
    pod: Option<String>,
    file: FileId,
    range: TextRange,
    text: &'a str,
    /// A later `SuccessfulCreate` in the same describe.
    history: bool,
}

impl Rule for PodSecurityAdmissionViolation {
    type State<'a> = Refused<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Refused<'a>> {
        let mut out: Vec<Refused> = Vec::new();
        let events = ws.events();
        for (i, at) in events.iter().enumerate() {
            let message = at.event.message.as_str();
            if read_violation(message).is_none() {
                continue;
            }
            let history = created_since(events, i);
            let pod = quoted_after(message, "pods ");
            push(
                &mut out,
                Refused {
                    // kubectl's own error, pasted without the command's object: the pod it names.
                    subject: Subject::at(ws, at)
                        .or_else(|| pod.map(|p| Subject::pod_named(p, None))),
                    pod: pod.map(String::from),
                    file: at.file,
                    range: message_range(ws, at.file, at.event),
                    text: message,
                    history,
                },
            );
        }
        for (file, line) in ws.logs() {
            if read_violation(&line.text).is_none() {
                continue;
            }
            let pod = quoted_after(&line.text, "pods ");
            push(
                &mut out,
                Refused {
                    subject: pod.map(|p| Subject::pod_named(p, None)),
                    pod: pod.map(String::from),
                    file,
                    range: line.line,
                    text: &line.text,
                    history: false,
                },
            );
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Refused<'a>) -> Diagnostic {
        let violation = read_violation(state.text).expect("detected");
        let checks: Vec<String> = violation
            .checks
            .iter()
            .map(|c| {
                if c.containers.is_empty() {
                    format!("{} ({})", c.title, c.detail)
                } else {
                    format!("{} ({})", c.title, c.containers.join(", "))
                }
            })
            .collect();
        let namespace = state
            .subject
            .as_ref()
            .and_then(|s| s.namespace.as_deref())
            .map(|ns| format!(" of namespace {ns}"))
            .unwrap_or_default();
        let bare_pod = state.subject.as_ref().is_none_or(|s| s.kind == "Pod");
        let who = match (&state.subject, violation.warning) {
            (_, true) => "Pods are admitted with a warning: they would violate".to_string(),
            (Some(s), false) if s.kind != "Pod" => format!(
                "{} {} create pods: they violate",
                s.label(),
                if state.history { "could not" } else { "cannot" }
            ),
            (Some(s), false) => format!("{} was refused: it violates", capitalize(&s.label())),
            (None, false) => "A pod was refused: it violates".to_string(),
        };
        let mut help = Vec::new();
        if violation.checks.iter().any(|c| setting(c.title).is_some()) {
            help.push("Set the securityContext the level asks for on each container named (the fix does it when the workload is in the set).".to_string());
        }
        let manual: Vec<&str> = violation
            .checks
            .iter()
            .filter(|c| setting(c.title).is_none())
            .map(|c| c.title)
            .collect();
        if !manual.is_empty() {
            let looser = if violation.level.starts_with("baseline") {
                "`privileged`"
            } else {
                "`baseline` or `privileged`"
            };
            help.push(format!(
                "{} get no edit here: remove them if the workload does not need them; if it does, it belongs in a namespace whose `pod-security.kubernetes.io/enforce` label is {looser}, rather than loosening this one.",
                capitalize(&manual.join(", "))
            ));
        }
        if template_for(ws, state).is_none() {
            help.push(format!(
                "`kubectl label --dry-run=server --overwrite ns {} pod-security.kubernetes.io/enforce={}` lists the running pods the level would refuse too.",
                state
                    .subject
                    .as_ref()
                    .and_then(|s| s.namespace.as_deref())
                    .unwrap_or("<namespace>"),
                violation.level.split(':').next().unwrap_or("restricted")
            ));
        }
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!(
                "{who} PodSecurity \"{}\"{namespace}: {}",
                violation.level,
                checks.join(", ")
            ),
            why: if violation.warning {
                "The namespace only warns or audits this level today; once it enforces it, these pods are refused.".into()
            } else if state.history {
                "It created pods since; the next pod it makes is checked again.".into()
            } else if bare_pod {
                "Pod Security Admission refused the pod: it was never created, so nothing runs."
                    .into()
            } else {
                "Pod Security Admission refuses every pod it makes: the workload runs none of its replicas, and there is no pod to describe.".into()
            },
            help: Some(help.join(" ")),
            object: state.subject.as_ref().map(Subject::reference),
            container: None,
            severity: if state.history {
                Some(Severity::Info)
            } else if violation.warning {
                Some(Severity::Warning)
            } else {
                None
            },
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Refused<'a>) -> Option<Fix> {
        if state.history {
            return None;
        }
        let violation = read_violation(state.text)?;
        let template = template_for(ws, state)?;
        let object = ws.object_of(&ws.templates[template]);
        let mut edits = Vec::new();
        let mut changed: Vec<&str> = Vec::new();
        let mut settings_named: Vec<&str> = Vec::new();
        for container in ws.containers_of(template) {
            let Some(name) = container.name else { continue };
            if container.kind == ContainerKind::Ephemeral {
                continue;
            }
            let settings: Vec<(Vec<&str>, Value, &str)> = violation
                .checks
                .iter()
                .filter(|c| c.containers.contains(&name))
                .filter_map(|c| setting(c.title))
                .collect();
            let paths: Vec<(Vec<&str>, Value)> = settings
                .iter()
                .map(|(p, v, _)| (p.clone(), v.clone()))
                .collect();
            let found = set_paths(ws, object.file, container.node, &paths);
            if found.is_empty() {
                continue;
            }
            edits.extend(found);
            changed.push(name);
            for (_, _, label) in settings {
                if !settings_named.contains(&label) {
                    settings_named.push(label);
                }
            }
        }
        if edits.is_empty() {
            return None;
        }
        let root = if settings_named.contains(&"runAsNonRoot: true") {
            " (the image must run as a non-root user)"
        } else {
            ""
        };
        Some(Fix::new(
            format!(
                "Set {} on container{} {} in {}{root}",
                settings_named.join(", "),
                if changed.len() > 1 { "s" } else { "" },
                changed.join(", "),
                object.display()
            ),
            Applicability::Unsafe,
            edits,
        ))
    }
}

fn push<'a>(out: &mut Vec<Refused<'a>>, state: Refused<'a>) {
    let same = |r: &Refused| match (&r.subject, &state.subject) {
        (Some(a), Some(b)) => a.same(b),
        (None, None) => r.text == state.text,
        _ => false,
    };
    match out.iter_mut().find(|r| same(r)) {
        Some(previous) => *previous = state,
        None => out.push(state),
    }
}

/// The pod template of the refused pods: by the controller or pod named, else the one
/// template of the set that has every container the message names.
fn template_for(ws: &Workspace, state: &Refused) -> Option<usize> {
    if let Some(subject) = &state.subject {
        if let Some(found) = template_of(ws, subject, state.pod.as_deref()) {
            return Some(found);
        }
    }
    let violation = read_violation(state.text)?;
    let mut named: Vec<&str> = violation
        .checks
        .iter()
        .flat_map(|c| c.containers.iter().copied())
        .collect();
    named.sort_unstable();
    named.dedup();
    if named.is_empty() {
        return None;
    }
    let mut matching = (0..ws.templates.len()).filter(|&t| {
        let names: Vec<&str> = ws.containers_of(t).filter_map(|c| c.name).collect();
        named.iter().all(|n| names.contains(n))
    });
    let first = matching.next()?;
    matching.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations_are_read_one_by_one() {
        let v = read_violation("Error creating: pods \"cloudflare-operator-controller-manager-6c69d7595-fvqr5\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"kube-rbac-proxy\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (containers \"kube-rbac-proxy\", \"manager\" must set securityContext.capabilities.drop=[\"ALL\"]), seccompProfile (pod or containers \"kube-rbac-proxy\", \"manager\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")").unwrap();
        assert_eq!(v.level, "restricted:latest");
        assert!(!v.warning);
        assert_eq!(v.checks.len(), 3);
        assert_eq!(v.checks[0].containers, vec!["kube-rbac-proxy"]);
        assert_eq!(v.checks[1].title, "unrestricted capabilities");
        assert_eq!(v.checks[2].containers, vec!["kube-rbac-proxy", "manager"]);
        let v = read_violation("Warning: would violate PodSecurity \"baseline:v1.29\": privileged (container \"agent\" must not set securityContext.privileged=true), host namespaces (hostNetwork=true), hostPath volumes (volume \"proc\")").unwrap();
        assert!(v.warning);
        assert_eq!(v.checks[1].title, "host namespaces");
        assert!(v.checks[1].containers.is_empty());
    }
}
