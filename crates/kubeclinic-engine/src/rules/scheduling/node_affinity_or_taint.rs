use super::{
    is_condition_taint, is_control_plane_taint, is_resource, unplaced, Filter, Unplaced,
    Unschedulable,
};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix, Severity};
use crate::model::Workspace;
use crate::patch::{column_of, insert_lines, replace_with_block, set_path, Value};
use crate::rule::Rule;
use crate::rules::evidence::{capitalize, message_range, template_of};
use crate::similarity::nearest;
use crate::yaml::{render_scalar, Node, ScalarStyle};

declare_rule! {
    /// ## What it does
    /// Finds pods the scheduler could not place because of where they may run, not of room:
    /// their nodeSelector or required node affinity matches no node, nodes carry taints they
    /// do not tolerate, required pod (anti-)affinity or topology spread rules cannot be met, or
    /// the nodes are cordoned (`FailedScheduling`: `3 node(s) didn't match Pod's node
    /// affinity/selector`, `1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }`).
    /// It names the selector or affinity from the manifest when it is in the set, corrects a
    /// nodeSelector value that is a typo of a label the described nodes carry, and suggests a
    /// toleration for a taint.
    ///
    /// ## Why is this bad?
    /// The pod stays `Pending` however much capacity the cluster has: no node is eligible.
    ///
    /// ## Example
    /// ```text
    /// Name:         web-7d4b9c8f6-abcde
    /// Namespace:    shop
    /// Node:         <none>
    /// Status:       Pending
    /// Controlled By:  ReplicaSet/web-7d4b9c8f6
    /// Containers:
    ///   web:
    ///     Image:      shop/web:1.4.0
    /// Node-Selectors:  disktype=ssd
    /// QoS Class:      BestEffort
    /// Events:
    ///   Type     Reason            Age                From               Message
    ///   ----     ------            ----               ----               -------
    ///   Warning  FailedScheduling  40s (x3 over 2m)   default-scheduler  0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         web-7d4b9c8f6-abcde
    /// Namespace:    shop
    /// Node:         node-2/10.0.0.6
    /// Status:       Running
    /// Controlled By:  ReplicaSet/web-7d4b9c8f6
    /// Containers:
    ///   web:
    ///     Image:      shop/web:1.4.0
    ///     State:      Running
    ///     Ready:      True
    /// Node-Selectors:  disktype=ssd
    /// QoS Class:      BestEffort
    /// Events:
    ///   Type     Reason     Age   From               Message
    ///   ----     ------     ----  ----               -------
    ///   Normal   Scheduled  2m    default-scheduler  Successfully assigned shop/web-7d4b9c8f6-abcde to node-2
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe when it corrects a nodeSelector value to the near one that the described nodes
    /// carry (`disktype: SSD` -> `ssd`): the pod then runs on those nodes. A toleration is only
    /// suggested (display-only): a taint keeps pods off nodes reserved for something else, and
    /// only you know whether this pod belongs there.
    pub struct NodeAffinityOrTaint {
        id: "node-affinity-or-taint",
        category: Scheduling,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

impl Rule for NodeAffinityOrTaint {
    type State<'a> = Unplaced<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unplaced<'a>> {
        // Room is insufficient-resources' to report, unbound claims unbound-pvc's.
        unplaced(ws, |r| {
            !r.has(is_resource) && !r.has(|f| *f == Filter::UnboundClaims) && r.has(is_placement)
        })
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Unplaced<'a>) -> Diagnostic {
        let reading = &state.reading;
        let template = template_of(ws, &state.subject, None);
        let rules = template
            .and_then(|t| {
                let rules = placement_rules(ws.templates[t].spec);
                let object = ws.object_of(&ws.templates[t]);
                (!rules.is_empty()).then(|| format!("; {} asks for {rules}", object.display()))
            })
            .unwrap_or_default();
        let unmatched = unmatched_labels(ws, template);
        let unmatched = if unmatched.is_empty() {
            String::new()
        } else {
            format!(
                "; no described node has {}",
                unmatched
                    .iter()
                    .map(|u| u.describe())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut help: Vec<String> = Vec::new();
        if reading.has(|f| *f == Filter::Selector) {
            help.push("Compare the nodeSelector / required node affinity with the nodes' labels (`kubectl get nodes --show-labels`): correct the selector, or label the nodes meant for it (`kubectl label node <node> key=value`).".into());
        }
        let taints = taints(reading);
        if taints.iter().any(|(k, _)| is_condition_taint(k)) {
            help.push("Some nodes are tainted because they are NotReady, unreachable, under pressure or cordoned: check `kubectl get nodes` and `kubectl describe node`; a toleration is not the cure.".into());
        }
        if taints.iter().any(|(k, _)| is_control_plane_taint(k)) && !has_other_placement(reading) {
            help.push("Only control-plane nodes are left: add worker nodes, or let workloads run on the control plane (`kubectl taint nodes --all node-role.kubernetes.io/control-plane-`).".into());
        }
        if taints
            .iter()
            .any(|(k, _)| !is_condition_taint(k) && !is_control_plane_taint(k))
            || reading.has(|f| *f == Filter::Taint(None))
        {
            help.push("A taint keeps pods off nodes reserved for something else: add a toleration only if this pod belongs there (`kubectl describe node` shows the taints and their effects).".into());
        }
        if reading.has(|f| *f == Filter::PodAntiAffinity) {
            help.push("Required pod anti-affinity allows one such pod per topology domain (per node with `kubernetes.io/hostname`): with more replicas than eligible nodes the rest stay Pending. Lower the replicas, add nodes, or make it `preferredDuringSchedulingIgnoredDuringExecution`.".into());
        }
        if reading.has(|f| *f == Filter::PodAffinity) {
            help.push("Required pod affinity needs a node already running the pods it names (check their labels and namespace).".into());
        }
        if reading.has(|f| *f == Filter::Cordoned) {
            help.push("Cordoned nodes take no new pods: `kubectl uncordon <node>` once maintenance is over.".into());
        }
        if reading.has(|f| *f == Filter::VolumeZone) {
            help.push("Its PersistentVolume is pinned to a zone or node (`kubectl describe pv`, Node Affinity) where no eligible node is left: add a node there, or use a StorageClass with `volumeBindingMode: WaitForFirstConsumer`.".into());
        }
        if reading.has(|f| *f == Filter::Topology) {
            help.push("A topology spread constraint with `whenUnsatisfiable: DoNotSchedule` cannot be met: check maxSkew and the nodes' topology labels, or use `ScheduleAnyway`.".into());
        }
        if state.history {
            help = vec!["It was placed later; the same rules can stall the next replica.".into()];
        }
        Diagnostic {
            file: state.file,
            range: message_range(ws, state.file, state.event),
            message: format!(
                "{} {} be scheduled: no node may take it; of {}: {}{rules}{unmatched}",
                capitalize(&state.subject.label()),
                if state.history { "could not" } else { "cannot" },
                reading.nodes(),
                reading.summary(),
            ),
            why: if state.history {
                "It waited in Pending until a node became eligible.".into()
            } else {
                "The pod stays Pending however much capacity the cluster has: no node may take it."
                    .into()
            },
            help: Some(help.join(" ")),
            object: Some(state.subject.reference()),
            container: None,
            severity: state.history.then_some(Severity::Info),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Unplaced<'a>) -> Option<Fix> {
        let reading = &state.reading;
        let template = state.template_to_fix(ws)?;
        let object = ws.object_of(&ws.templates[template]);
        if reading.has(|f| *f == Filter::Selector) {
            let fixes: Vec<(Edit, String)> = unmatched_labels(ws, Some(template))
                .into_iter()
                .filter_map(|u| {
                    let near = u.near?;
                    let style = u.node.as_scalar().map_or(ScalarStyle::Plain, |s| s.style);
                    Some((
                        Edit::replace(object.file, u.node.span, render_scalar(&near, style)),
                        format!("{}={near}", u.key),
                    ))
                })
                .collect();
            if fixes.is_empty() {
                return None;
            }
            let labels: Vec<String> = fixes.iter().map(|(_, l)| l.clone()).collect();
            return Some(Fix::new(
                format!(
                    "Select the label the nodes carry in {}: {}",
                    object.display(),
                    labels.join(", ")
                ),
                Applicability::Unsafe,
                fixes.into_iter().map(|(e, _)| e).collect(),
            ));
        }
        if has_other_placement(reading) {
            return None;
        }
        let spec = ws.templates[template].spec;
        let existing = spec.get("tolerations");
        let tolerated = |key: &str| {
            existing.is_some_and(|t| {
                t.items().iter().any(|item| {
                    let k = item.get("key").and_then(Node::as_str);
                    k == Some(key)
                        || (k.is_none()
                            && item.get("operator").and_then(Node::as_str) == Some("Exists"))
                })
            })
        };
        let all = taints(reading);
        // A pod kept off reserved nodes and off the control plane belongs on the reserved ones,
        // if anywhere.
        let reserved = all
            .iter()
            .any(|(k, _)| !is_condition_taint(k) && !is_control_plane_taint(k));
        let mut lines = Vec::new();
        let mut keys = Vec::new();
        for (key, value) in all {
            if is_condition_taint(key)
                || (reserved && is_control_plane_taint(key))
                || tolerated(key)
                || keys.contains(&key)
            {
                continue;
            }
            keys.push(key);
            lines.push(format!("- key: {}", render_scalar(key, ScalarStyle::Plain)));
            if value.is_empty() {
                lines.push("  operator: Exists".into());
            } else {
                lines.push("  operator: Equal".into());
                lines.push(format!(
                    "  value: {}",
                    render_scalar(value, ScalarStyle::Plain)
                ));
            }
            if let Some(effect) = taint_effect(ws, key) {
                lines.push(format!("  effect: {effect}"));
            }
        }
        if lines.is_empty() {
            return None;
        }
        let edit = match existing {
            Some(list) if !list.items().is_empty() => append_items(ws, object.file, list, &lines)?,
            // `tolerations: []` becomes a block under the key.
            Some(list) if list.flow => {
                let key = spec.entry("tolerations")?;
                let column = column_of(ws, object.file, key.key.span.start) + 2;
                replace_with_block(ws, object.file, list, column, &lines)
            }
            _ => set_path(
                ws,
                object.file,
                spec,
                &["tolerations"],
                &Value::Block(lines),
            )?,
        };
        Some(Fix::new(
            format!(
                "Tolerate the taint{} {} in {}, if the pod belongs on those nodes",
                if keys.len() > 1 { "s" } else { "" },
                keys.join(", "),
                object.display()
            ),
            Applicability::DisplayOnly,
            vec![edit],
        ))
    }
}

fn is_placement(filter: &Filter) -> bool {
    matches!(
        filter,
        Filter::Selector
            | Filter::PodAffinity
            | Filter::PodAntiAffinity
            | Filter::Taint(_)
            | Filter::Cordoned
            | Filter::VolumeZone
            | Filter::Topology
    )
}

/// A placement reason other than a taint: the selector or affinity is then the cause, and the
/// control-plane taint every kubeadm cluster shows is noise.
fn has_other_placement(reading: &Unschedulable) -> bool {
    reading.has(|f| is_placement(f) && !matches!(f, Filter::Taint(_)))
}

fn taints<'m>(reading: &Unschedulable<'m>) -> Vec<(&'m str, &'m str)> {
    reading
        .reasons
        .iter()
        .filter_map(|r| match r.filter {
            Filter::Taint(Some(taint)) => Some(taint),
            _ => None,
        })
        .collect()
}

/// The effect of taint `key` on a described node: `NoSchedule` from `Taints: key=value:NoSchedule`.
fn taint_effect(ws: &Workspace, key: &str) -> Option<String> {
    ws.parsed.runtime.iter().find_map(|runtime| {
        runtime
            .observed
            .iter()
            .filter(|o| o.kind == "Node")
            .filter_map(|o| o.describe.top("Taints"))
            .flat_map(|f| f.value.lines())
            .find_map(|taint| {
                let (rest, effect) = taint.trim().rsplit_once(':')?;
                let taint_key = rest.split_once('=').map_or(rest, |(k, _)| k);
                (taint_key == key).then(|| effect.to_string())
            })
    })
}

/// `nodeSelector disktype=ssd`, `required node affinity kubernetes.io/arch In [arm64]`.
fn placement_rules(spec: &Node) -> String {
    let mut out = Vec::new();
    let selector: Vec<String> = spec
        .get("nodeSelector")
        .map(|s| {
            s.string_map()
                .iter()
                .map(|(k, v, _)| format!("{k}={v}"))
                .collect()
        })
        .unwrap_or_default();
    if !selector.is_empty() {
        out.push(format!("nodeSelector {}", selector.join(",")));
    }
    let terms = spec
        .path(&[
            "affinity",
            "nodeAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ])
        .map(Node::items)
        .unwrap_or_default();
    let expressions: Vec<String> = terms
        .iter()
        .flat_map(|t| {
            t.get("matchExpressions")
                .map(Node::items)
                .unwrap_or_default()
        })
        .filter_map(|e| {
            let key = e.get("key").and_then(Node::as_str)?;
            let operator = e.get("operator").and_then(Node::as_str)?;
            let values: Vec<&str> = e
                .get("values")
                .map(|v| v.items().iter().filter_map(Node::as_str).collect())
                .unwrap_or_default();
            Some(if values.is_empty() {
                format!("{key} {operator}")
            } else {
                format!("{key} {operator} [{}]", values.join(", "))
            })
        })
        .collect();
    if !expressions.is_empty() {
        out.push(format!(
            "required node affinity {}",
            expressions.join(" or ")
        ));
    }
    if spec
        .path(&[
            "affinity",
            "podAntiAffinity",
            "requiredDuringSchedulingIgnoredDuringExecution",
        ])
        .is_some()
    {
        out.push("required pod anti-affinity".into());
    }
    out.join(" and ")
}

/// A nodeSelector pair that no described node carries.
struct Unmatched<'a> {
    key: String,
    value: String,
    node: &'a Node,
    /// The values of `key` the nodes do carry.
    seen: Vec<String>,
    /// One of them that looks like a typo of `value`.
    near: Option<String>,
}

impl Unmatched<'_> {
    fn describe(&self) -> String {
        if self.seen.is_empty() {
            format!("label {}={} (none has {})", self.key, self.value, self.key)
        } else {
            format!(
                "label {}={} (they have {})",
                self.key,
                self.value,
                self.seen
                    .iter()
                    .map(|v| format!("{}={v}", self.key))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

/// The nodeSelector pairs of `template` that no `kubectl describe node` in the set carries.
/// Empty when no node is described: then nothing is known.
fn unmatched_labels<'a>(ws: &Workspace<'a>, template: Option<usize>) -> Vec<Unmatched<'a>> {
    let Some(template) = template else {
        return Vec::new();
    };
    let nodes: Vec<Vec<(String, String)>> = ws
        .parsed
        .runtime
        .iter()
        .flat_map(|r| r.observed.iter().filter(|o| o.kind == "Node"))
        .map(|o| {
            o.describe
                .top("Labels")
                .map(|f| {
                    f.value
                        .lines()
                        .filter_map(|l| l.trim().split_once('='))
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    if nodes.is_empty() {
        return Vec::new();
    }
    let Some(selector) = ws.templates[template].spec.get("nodeSelector") else {
        return Vec::new();
    };
    selector
        .string_map()
        .into_iter()
        .filter(|(k, v, _)| {
            !nodes
                .iter()
                .any(|labels| labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|(k, v, entry)| {
            let mut seen: Vec<String> = nodes
                .iter()
                .flatten()
                .filter(|(lk, _)| lk == k)
                .map(|(_, lv)| lv.clone())
                .collect();
            seen.sort();
            seen.dedup();
            let near = nearest(v, seen.iter().map(String::as_str)).map(String::from);
            Unmatched {
                key: k.to_string(),
                value: v.to_string(),
                node: &entry.value,
                seen,
                near,
            }
        })
        .collect()
}

/// Adds items after the last one of a block sequence, at the column of its dashes.
fn append_items(ws: &Workspace, file: FileId, list: &Node, lines: &[String]) -> Option<Edit> {
    let first = list.items().first()?;
    let last = list.items().last()?;
    let line_start = first.span.start - column_of(ws, file, first.span.start);
    let dash = ws.text(file)[line_start..first.span.start].rfind('-')?;
    Some(insert_lines(ws, file, last.span.end, dash, lines))
}
