use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Related};
use crate::labels::{near_miss, Labels};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::yaml::{format_labels, Node};

declare_rule! {
    /// ## What it does
    /// Finds Services whose `selector` matches none of the pod templates that can share their
    /// namespace while one of them comes close (a label with a similar value: `app: orders`
    /// for `app: orders-api`), and names that template, with each label it does not match.
    /// Selectors on labels controllers add (`job-name`, `statefulset.kubernetes.io/pod-name`)
    /// are not judged, nor Services no template comes close to (their pods are elsewhere).
    ///
    /// ## Why is this bad?
    /// The Service gets no endpoints: every connection to it is refused or times out, though
    /// the pods run fine. `kubectl get endpoints` shows `<none>`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders-api}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     app: orders
    ///   ports:
    ///     - port: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     matchLabels: {app: orders-api}
    ///   template:
    ///     metadata:
    ///       labels: {app: orders-api}
    ///     spec:
    ///       containers:
    ///         - name: api
    ///           image: ghcr.io/example/orders:3.0.2
    /// ---
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: orders
    /// spec:
    ///   selector:
    ///     app: orders-api
    ///   ports:
    ///     - port: 80
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix gives the selector the closest template's values for the labels it
    /// misses; check that template is the one the Service is for. No fix when no template
    /// comes close: the finding is then information, for the pods may be defined elsewhere.
    pub struct ServiceSelectsNothing {
        id: "service-selects-nothing",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Unselected<'a> {
    service: usize,
    selector_node: &'a Node,
    closest: Option<usize>,
}

impl Rule for ServiceSelectsNothing {
    type State<'a> = Unselected<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Unselected<'a>> {
        let mut out = Vec::new();
        for &index in ws.indexes_of_kind("Service") {
            let service = &ws.objects[index];
            let Some((selector_node, selector)) = super::service_selector(service) else {
                continue;
            };
            // Labels controllers add to the pods they make (`job-name`, `pod-template-hash`,
            // `statefulset.kubernetes.io/pod-name`...) are not in any template: not judged.
            if selector_node
                .string_map()
                .iter()
                .any(|(k, _, _)| set_by_controller(k))
            {
                continue;
            }
            let selection = ws.select(&selector, service);
            // With no pods of that namespace in the set, the pods may be defined elsewhere.
            if selection.candidates.is_empty()
                || !selection.matched.is_empty()
                || ws.made_by_controller(&selector, service)
            {
                continue;
            }
            // No template comes close: the pods are most likely defined elsewhere (another
            // folder, a chart, an operator), so this is information, not an error.
            let near = near_miss(ws, selector_node, selection.closest);
            out.push(Unselected {
                service: index,
                selector_node,
                closest: selection.closest.filter(|_| near),
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &Unselected<'a>) -> Diagnostic {
        let service = &ws.objects[state.service];
        let wanted = format_labels(
            state
                .selector_node
                .string_map()
                .into_iter()
                .map(|(k, v, _)| (k, v)),
        );
        let mut message = format!(
            "Service {} selects no pods: no pod template has labels {wanted}",
            service.name.as_deref().unwrap_or("(no name given)")
        );
        match state.closest {
            Some(t) => {
                let template = &ws.templates[t];
                message.push_str(&format!(
                    "; the closest, {}, has {}",
                    ws.object_of(template).display(),
                    format_labels(template.label_pairs())
                ));
            }
            None => message.push_str(
                "; none comes close, so make sure its pods are defined elsewhere (another folder, a chart, an operator)",
            ),
        }
        Diagnostic {
            file: service.file,
            range: state.selector_node.span,
            message,
            why: "The Service gets no endpoints: connections to it are refused or time out although its pods run (`kubectl get endpoints` shows `<none>`).".into(),
            help: Some("Make the selector match the labels of the pods the Service is for (the pod template's `metadata.labels`, not the workload's own labels).".into()),
            object: Some(service.reference()),
            container: None,
            severity: state.closest.is_none().then_some(crate::diagnostic::Severity::Info),
        }
    }

    fn related<'a>(ws: &Workspace<'a>, state: &Unselected<'a>) -> Vec<Related> {
        match state.closest {
            Some(t) => crate::labels::closest_labels(
                ws,
                ws.objects[state.service].file,
                state.selector_node,
                t,
            ),
            None => Vec::new(),
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &Unselected<'a>) -> Option<Fix> {
        let template = &ws.templates[state.closest?];
        let labels: Labels = template.label_pairs().into_iter().collect();
        let service = &ws.objects[state.service];
        let mut edits = Vec::new();
        for (key, _, entry) in state.selector_node.string_map() {
            let have = labels.get(key)?;
            if entry.value.as_str() != Some(have) {
                let like = entry.value.as_scalar()?.style;
                edits.push(Edit::replace(
                    service.file,
                    entry.value.span,
                    crate::yaml::render_scalar(have, like),
                ));
            }
        }
        (!edits.is_empty()).then(|| {
            Fix::new(
                format!("Select the pods of {}", ws.object_of(template).display()),
                Applicability::Unsafe,
                edits,
            )
        })
    }
}

/// Labels the API's controllers (and common operators) put on the pods they create.
pub(crate) fn set_by_controller(key: &str) -> bool {
    matches!(
        key,
        "job-name"
            | "controller-uid"
            | "pod-template-hash"
            | "controller-revision-hash"
            | "pod-template-generation"
    ) || [
        "batch.kubernetes.io/",
        "statefulset.kubernetes.io/",
        "apps.kubernetes.io/",
        "leaderworkerset.sigs.k8s.io/",
        "jobset.sigs.k8s.io/",
        "training.kubeflow.org/",
        "ray.io/",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}
