use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::model::Workspace;
use crate::quantity;
use crate::rule::Rule;
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Finds containers that request more of a resource than their limit allows
    /// (`requests.memory: 2Gi` with `limits.memory: 1Gi`).
    ///
    /// ## Why is this bad?
    /// The API server refuses the pod (`Invalid value: "2Gi": must be less than or equal to
    /// memory limit of 1Gi`): a workload's pods are never created, and the ReplicaSet's
    /// events are the only trace.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: indexer
    /// spec:
    ///   containers:
    ///     - name: indexer
    ///       image: ghcr.io/example/indexer:1.2.0
    ///       resources:
    ///         requests:
    ///           memory: 2Gi
    ///         limits:
    ///           memory: 1Gi
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: indexer
    /// spec:
    ///   containers:
    ///     - name: indexer
    ///       image: ghcr.io/example/indexer:1.2.0
    ///       resources:
    ///         requests:
    ///           memory: 1Gi
    ///         limits:
    ///           memory: 1Gi
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix lowers the request to the limit; the scheduler then reserves less, so
    /// check the limit is the amount the container needs (raise it instead if it is not).
    pub struct RequestsExceedLimits {
        id: "requests-exceed-limits",
        category: Workloads,
        severity: Error,
        fix: Always,
        reads: Manifests,
    }
}

pub struct Over<'a> {
    container: usize,
    resource: &'a str,
    request: &'a Node,
    limit: &'a Node,
}

impl Rule for RequestsExceedLimits {
    type State<'a> = Over<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Over<'a>> {
        let mut out = Vec::new();
        for (index, c) in ws.containers.iter().enumerate() {
            if ws.objects[c.object].is_live() {
                continue;
            }
            let (Some(requests), Some(limits)) = (
                c.node.path(&["resources", "requests"]),
                c.node.path(&["resources", "limits"]),
            ) else {
                continue;
            };
            for entry in requests.entries() {
                let Some(resource) = entry.key.as_str() else {
                    continue;
                };
                let Some(limit) = limits.get(resource) else {
                    continue;
                };
                let amount = |n: &Node| n.as_scalar().and_then(|s| quantity::parse(&s.text));
                if let (Some(r), Some(l)) = (amount(&entry.value), amount(limit)) {
                    if r > l * (1.0 + 1e-9) {
                        out.push(Over {
                            container: index,
                            resource,
                            request: &entry.value,
                            limit,
                        });
                    }
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, o: &Over<'a>) -> Diagnostic {
        let c = &ws.containers[o.container];
        let object = &ws.objects[c.object];
        let text = |n: &Node| n.as_scalar().map_or(String::new(), |s| s.text.clone());
        Diagnostic {
            file: object.file,
            range: o.request.span,
            message: format!(
                "Container {} of {} requests {} {} but is limited to {}",
                c.name.unwrap_or("(no name)"),
                object.display(),
                text(o.request),
                o.resource,
                text(o.limit)
            ),
            why: format!("The API server refuses the pod (`must be less than or equal to {} limit`): none of its pods are created.", o.resource),
            help: Some({
                let (r, l) = (text(o.request), text(o.limit));
                let mixed = r.ends_with('i') != l.ends_with('i');
                let units = if mixed {
                    " Mind the units: `Mi` and `Gi` count powers of 1024, `M` and `G` powers of 1000, so `64Mi` is more than `64M`."
                } else {
                    ""
                };
                format!("Lower the request to at most the limit, or raise the limit to what the container needs.{units}")
            }),
            object: Some(object.reference()),
            container: c.name.map(String::from),
            severity: None,
        }
    }

    fn related<'a>(ws: &Workspace<'a>, o: &Over<'a>) -> Vec<Related> {
        let object = &ws.objects[ws.containers[o.container].object];
        vec![Related {
            file: object.file,
            range: o.limit.span,
            message: format!("the {} limit", o.resource),
        }]
    }

    fn fix<'a>(ws: &Workspace<'a>, o: &Over<'a>) -> Option<Fix> {
        let object = &ws.objects[ws.containers[o.container].object];
        let limit = o.limit.as_scalar()?;
        let like = o.request.as_scalar()?.style;
        let value = crate::yaml::render_scalar(&limit.text, like);
        Some(Fix::new(
            format!("Request {} {} (the limit)", limit.text, o.resource),
            Applicability::Unsafe,
            vec![Edit::replace(object.file, o.request.span, value)],
        ))
    }
}
