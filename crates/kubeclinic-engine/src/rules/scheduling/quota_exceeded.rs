use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, FileId, Fix, Severity};
use crate::model::{ContainerKind, Workspace};
use crate::patch::{set_paths, Value};
use crate::quantity;
use crate::rule::Rule;
use crate::rules::evidence::capitalize;
use crate::rules::evidence::{created_since, message_range, quoted_after, template_of, Subject};
use crate::text::TextRange;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds pods the API server refused because of a ResourceQuota, as a controller's
    /// `FailedCreate` event or kubectl's error says it: the quota is full (`exceeded quota:
    /// compute-resources, requested: limits.memory=2Gi, used: limits.memory=7Gi, limited:
    /// limits.memory=8Gi`), or the pod does not declare what the quota counts (`failed quota:
    /// compute-resources: must specify limits.cpu`). When the ResourceQuota is in the set it
    /// raises the hard limit to what is used plus this pod; when the workload is, it shows where
    /// to declare the missing requests and limits.
    ///
    /// ## Why is this bad?
    /// No pod is created at all: the ReplicaSet, Job or StatefulSet retries and fails, so the
    /// workload runs fewer replicas than asked, none if it is new, and `kubectl get pods` shows
    /// nothing to debug.
    ///
    /// ## Example
    /// ```text
    /// Name:           web-7d4b9c8f6
    /// Namespace:      shop
    /// Selector:       app=web,pod-template-hash=7d4b9c8f6
    /// Controlled By:  Deployment/web
    /// Replicas:       0 current / 3 desired
    /// Pods Status:    0 Running / 0 Waiting / 0 Succeeded / 0 Failed
    /// Events:
    ///   Type     Reason        Age                 From                   Message
    ///   ----     ------        ----                ----                   -------
    ///   Warning  FailedCreate  12s (x6 over 54s)   replicaset-controller  Error creating: pods "web-7d4b9c8f6-x8x2q" is forbidden: exceeded quota: compute-resources, requested: limits.memory=2Gi, used: limits.memory=7Gi, limited: limits.memory=8Gi
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:           web-7d4b9c8f6
    /// Namespace:      shop
    /// Selector:       app=web,pod-template-hash=7d4b9c8f6
    /// Controlled By:  Deployment/web
    /// Replicas:       3 current / 3 desired
    /// Pods Status:    3 Running / 0 Waiting / 0 Succeeded / 0 Failed
    /// Events:
    ///   Type    Reason            Age   From                   Message
    ///   ----    ------            ----  ----                   -------
    ///   Normal  SuccessfulCreate  54s   replicaset-controller  Created pod: web-7d4b9c8f6-x8x2q
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe when it raises the ResourceQuota's hard limit to the used amount plus this pod's
    /// request: the namespace may then take more of the cluster than its owners agreed. The
    /// requests and limits a quota requires are only suggested (display-only): their values
    /// are yours to choose.
    pub struct QuotaExceeded {
        id: "quota-exceeded",
        category: Scheduling,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

/// What the quota admission said.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal<'m> {
    Exceeded {
        quota: &'m str,
        requested: Vec<(&'m str, &'m str)>,
        used: Vec<(&'m str, &'m str)>,
        limited: Vec<(&'m str, &'m str)>,
    },
    /// `must specify limits.cpu for: app; limits.memory for: app` (1.2x+) or `must specify
    /// limits.cpu,limits.memory` (older): the resources, and the containers when named.
    MustSpecify {
        quota: &'m str,
        missing: Vec<(&'m str, Vec<&'m str>)>,
    },
}

impl Refusal<'_> {
    fn quota(&self) -> &str {
        match self {
            Refusal::Exceeded { quota, .. } | Refusal::MustSpecify { quota, .. } => quota,
        }
    }
}

pub fn read_refusal(message: &str) -> Option<Refusal<'_>> {
    if let Some(at) = message.find("exceeded quota: ") {
        let rest = &message[at + "exceeded quota: ".len()..];
        let (quota, rest) = rest.split_once(", requested: ")?;
        let (requested, rest) = rest.split_once(", used: ")?;
        let (used, limited) = rest.split_once(", limited: ")?;
        let limited = limited
            .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
            .next()
            .unwrap_or("")
            .trim_end_matches(['.', ',']);
        return Some(Refusal::Exceeded {
            quota: quota.trim(),
            requested: pairs(requested),
            used: pairs(used),
            limited: pairs(limited),
        });
    }
    let at = message.find("ailed quota: ")?;
    let rest = &message[at + "ailed quota: ".len()..];
    let (quota, rest) = rest.split_once(": must specify ")?;
    let rest = rest.lines().next().unwrap_or(rest);
    let mut missing = Vec::new();
    for part in rest.split(';') {
        let part = part.trim().trim_start_matches("must specify ").trim();
        let part = part.trim_end_matches(['.', '"']);
        if part.is_empty() {
            continue;
        }
        match part.split_once(" for: ") {
            Some((resources, containers)) => {
                let containers: Vec<&str> = containers
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect();
                for resource in resources.split(',').map(str::trim) {
                    missing.push((resource, containers.clone()));
                }
            }
            None => missing.extend(part.split(',').map(|r| (r.trim(), Vec::new()))),
        }
    }
    (!missing.is_empty()).then_some(Refusal::MustSpecify {
        quota: quota.trim(),
        missing,
    })
}

fn pairs(text: &str) -> Vec<(&str, &str)> {
    text.split(',')
        .filter_map(|p| p.trim().split_once('='))
        .collect()
}

pub struct Refused<'a> {
    subject: Subject,
    /// The pod the controller tried to create.
    pod: Option<String>,
    file: FileId,
    range: TextRange,
    text: &'a str,
    /// A later `SuccessfulCreate` of the same describe: the quota let pods through since.
    history: bool,
}

impl Rule for QuotaExceeded {
    type State<'a> = Refused<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Refused<'a>> {
        let mut out: Vec<Refused> = Vec::new();
        let events = ws.events();
        for (i, at) in events.iter().enumerate() {
            let message = at.event.message.as_str();
            let Some(refusal) = read_refusal(message) else {
                continue;
            };
            let Some(subject) = Subject::at(ws, at) else {
                continue;
            };
            let history = created_since(events, i);
            push(
                &mut out,
                refusal.quota(),
                Refused {
                    subject,
                    pod: quoted_after(message, "pods ").map(String::from),
                    file: at.file,
                    range: message_range(ws, at.file, at.event),
                    text: message,
                    history,
                },
            );
        }
        // `kubectl apply` / `kubectl run` of a bare pod prints the refusal itself.
        for (file, line) in ws.logs() {
            let Some(refusal) = read_refusal(&line.text) else {
                continue;
            };
            let Some(pod) = quoted_after(&line.text, "pods ") else {
                continue;
            };
            push(
                &mut out,
                refusal.quota(),
                Refused {
                    subject: Subject::pod_named(pod, None),
                    pod: Some(pod.to_string()),
                    file,
                    range: line.line,
                    text: &line.text,
                    history: false,
                },
            );
        }
        out
    }

    fn finding<'a>(_ws: &Workspace<'a>, state: &Refused<'a>) -> Diagnostic {
        let refusal = read_refusal(state.text).expect("detected");
        let who = if state.subject.kind == "Pod" {
            format!("{} was refused", capitalize(&state.subject.label()))
        } else {
            format!(
                "{} {} create pods",
                state.subject.label(),
                if state.history { "could not" } else { "cannot" }
            )
        };
        let (what, help) = match &refusal {
            Refusal::Exceeded {
                quota,
                requested,
                used,
                limited,
            } => {
                let over: Vec<String> = requested
                    .iter()
                    .map(|(r, asked)| {
                        let used = lookup(used, r).unwrap_or("?");
                        let limit = lookup(limited, r).unwrap_or("?");
                        format!("{r}: it asks {asked} with {used} of {limit} used")
                    })
                    .collect();
                (
                    format!("ResourceQuota {quota} is full ({})", over.join("; ")),
                    format!(
                        "See what uses the quota (`kubectl describe quota {quota}{}`): scale down or delete other workloads in the namespace, lower this pod's requests and limits, or raise the quota.",
                        state
                            .subject
                            .namespace
                            .as_deref()
                            .map(|ns| format!(" -n {ns}"))
                            .unwrap_or_default()
                    ),
                )
            }
            Refusal::MustSpecify { quota, missing } => {
                // `limits.cpu, limits.memory (container report)`: resources grouped by the
                // containers that lack them.
                let mut groups: Vec<(&Vec<&str>, Vec<&str>)> = Vec::new();
                for (resource, containers) in missing {
                    match groups.iter_mut().find(|(c, _)| *c == containers) {
                        Some((_, resources)) => resources.push(resource),
                        None => groups.push((containers, vec![resource])),
                    }
                }
                let list: Vec<String> = groups
                    .iter()
                    .map(|(containers, resources)| match containers.len() {
                        0 => resources.join(", "),
                        1 => format!("{} (container {})", resources.join(", "), containers[0]),
                        _ => format!(
                            "{} (containers {})",
                            resources.join(", "),
                            containers.join(", ")
                        ),
                    })
                    .collect();
                (
                    format!(
                        "ResourceQuota {quota} counts resources the pod does not declare: it must specify {}",
                        list.join("; ")
                    ),
                    "Set requests and limits on every container (init containers too), or give the namespace a LimitRange with defaults so pods without them get values.".to_string(),
                )
            }
        };
        Diagnostic {
            file: state.file,
            range: state.range,
            message: format!("{who}: {what}"),
            why: if state.history {
                "It created pods again since; the next scale-up or rollout can hit the quota again."
                    .into()
            } else if state.subject.kind == "Pod" {
                "The API server never created the pod: nothing runs, and there is no pod to describe.".into()
            } else {
                "The API server refuses every pod it creates, so the workload runs fewer replicas than asked, none if it is new.".into()
            },
            help: Some(help),
            object: Some(state.subject.reference()),
            container: None,
            severity: state.history.then_some(Severity::Info),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Refused<'a>) -> Option<Fix> {
        if state.history {
            return None;
        }
        match read_refusal(state.text)? {
            Refusal::Exceeded {
                quota,
                requested,
                used,
                limited,
            } => raise_quota(ws, state, quota, &requested, &used, &limited),
            Refusal::MustSpecify { quota, missing } => declare(ws, state, quota, &missing),
        }
    }
}

fn push<'a>(out: &mut Vec<Refused<'a>>, quota: &str, state: Refused<'a>) {
    let same = |r: &Refused| {
        r.subject.same(&state.subject)
            && read_refusal(r.text).is_some_and(|refusal| refusal.quota() == quota)
    };
    // The first refusal is the one that proves it; whether pods got through since is
    // known from the last.
    match out.iter_mut().find(|r| same(r)) {
        Some(first) => first.history = state.history,
        None => out.push(state),
    }
}

fn lookup<'m>(pairs: &[(&'m str, &'m str)], key: &str) -> Option<&'m str> {
    pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

fn raise_quota(
    ws: &Workspace,
    state: &Refused,
    quota: &str,
    requested: &[(&str, &str)],
    used: &[(&str, &str)],
    limited: &[(&str, &str)],
) -> Option<Fix> {
    let object = ws.objects_of_kind("ResourceQuota").find(|o| {
        o.name.as_deref() == Some(quota)
            && match (&o.namespace, &state.subject.namespace) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    })?;
    let mut settings = Vec::new();
    let mut changes = Vec::new();
    for (resource, asked) in requested {
        let (Some(used_text), Some(limit_text)) =
            (lookup(used, resource), lookup(limited, resource))
        else {
            continue;
        };
        let (Some(asked), Some(used), Some(limit)) = (
            quantity::parse(asked),
            quantity::parse(used_text),
            quantity::parse(limit_text),
        ) else {
            continue;
        };
        let target = used + asked;
        if target <= limit {
            continue;
        }
        let current = object
            .node
            .path(&["spec", "hard", resource])
            .and_then(Node::as_scalar)
            .and_then(|s| quantity::parse(&s.text));
        if current.is_some_and(|c| c >= target) {
            continue;
        }
        let rendered = render(resource, target);
        changes.push(format!(
            "{resource} from {limit_text} to {rendered} ({used_text} used + {} for this pod)",
            lookup(requested, resource).unwrap_or("?")
        ));
        settings.push((vec!["spec", "hard", *resource], Value::typed(rendered)));
    }
    let edits = set_paths(ws, object.file, object.node, &settings);
    if edits.is_empty() {
        return None;
    }
    Some(Fix::new(
        format!("Raise {} in ResourceQuota {quota}", changes.join(" and ")),
        Applicability::Unsafe,
        edits,
    ))
}

/// `limits.cpu` -> `["resources", "limits", "cpu"]`; a bare `cpu` quota counts requests.
fn resource_path(resource: &str) -> Option<[&str; 3]> {
    match resource.split_once('.') {
        Some(("limits", name)) => Some(["resources", "limits", name]),
        Some(("requests", name)) => Some(["resources", "requests", name]),
        None if matches!(resource, "cpu" | "memory" | "ephemeral-storage") => {
            Some(["resources", "requests", resource])
        }
        _ => None,
    }
}

fn declare(
    ws: &Workspace,
    state: &Refused,
    quota: &str,
    missing: &[(&str, Vec<&str>)],
) -> Option<Fix> {
    let template = template_of(ws, &state.subject, state.pod.as_deref())?;
    let object = ws.object_of(&ws.templates[template]);
    let mut edits = Vec::new();
    let mut named = Vec::new();
    for container in ws.containers_of(template) {
        if container.kind == ContainerKind::Ephemeral {
            continue;
        }
        let Some(name) = container.name else { continue };
        let mut settings = Vec::new();
        for (resource, containers) in missing {
            if !containers.is_empty() && !containers.contains(&name) {
                continue;
            }
            let Some(path) = resource_path(resource) else {
                continue;
            };
            if container.node.path(&path).is_some() {
                continue;
            }
            let placeholder = format!("<{}-{}>", path[2], path[1].trim_end_matches('s'));
            settings.push((path.to_vec(), Value::Scalar(placeholder)));
        }
        if settings.is_empty() {
            continue;
        }
        edits.extend(set_paths(ws, object.file, container.node, &settings));
        named.push(name);
    }
    if edits.is_empty() {
        return None;
    }
    Some(Fix::new(
        format!(
            "Declare the requests and limits ResourceQuota {quota} counts on container{} {} in {}",
            if named.len() > 1 { "s" } else { "" },
            named.join(", "),
            object.display()
        ),
        Applicability::DisplayOnly,
        edits,
    ))
}

fn render(resource: &str, value: f64) -> String {
    if resource.ends_with("cpu") {
        let milli = (value * 1000.0).round() as u64;
        if milli.is_multiple_of(1000) {
            format!("{}", milli / 1000)
        } else {
            format!("{milli}m")
        }
    } else if resource.ends_with("memory") || resource.ends_with("storage") {
        quantity::format_bytes(value)
    } else {
        format!("{}", value.round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_in_old_and_new_wording() {
        let r = read_refusal("Error creating: pods \"jenkins-1-dr8p8\" is forbidden: exceeded quota: compute-resources, requested: limits.cpu=2,limits.memory=1Gi, used: limits.cpu=2,limits.memory=1Gi, limited: limits.cpu=2,limits.memory=1Gi").unwrap();
        let Refusal::Exceeded {
            quota,
            requested,
            limited,
            ..
        } = r
        else {
            panic!()
        };
        assert_eq!(quota, "compute-resources");
        assert_eq!(
            requested,
            vec![("limits.cpu", "2"), ("limits.memory", "1Gi")]
        );
        assert_eq!(limited[1], ("limits.memory", "1Gi"));
        let r = read_refusal("Error creating: pods \"nginx-3137573019-\" is forbidden: Failed quota: compute-resources: must specify limits.cpu,limits.memory,requests.cpu,requests.memory").unwrap();
        let Refusal::MustSpecify { missing, .. } = r else {
            panic!()
        };
        assert_eq!(missing.len(), 4);
        assert!(missing[0].1.is_empty());
        let r = read_refusal("pods \"no-limits\" is forbidden: failed quota: team-quota: must specify limits.cpu for: app; limits.memory for: app, sidecar").unwrap();
        let Refusal::MustSpecify { missing, .. } = r else {
            panic!()
        };
        assert_eq!(missing[1], ("limits.memory", vec!["app", "sidecar"]));
    }
}
