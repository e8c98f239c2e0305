use super::{ingress_backends, IngressBackend};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix, Related};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds Ingress backends naming a Service that the set does not hold, while it holds other
    /// Services of that namespace, and offers the closest name. With no name close, the
    /// finding is information: the Service may well be applied from elsewhere.
    ///
    /// ## Why is this bad?
    /// The ingress controller has nowhere to send the route: requests get `503 Service
    /// Temporarily Unavailable` (or a `404` from the default backend), and `kubectl describe
    /// ingress` shows `<error: endpoints "x" not found>`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector: {app: storefront}
    ///   ports:
    ///     - port: 80
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///     - host: shop.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: store-front
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: storefront
    /// spec:
    ///   selector: {app: storefront}
    ///   ports:
    ///     - port: 80
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec:
    ///   ingressClassName: nginx
    ///   rules:
    ///     - host: shop.example.org
    ///       http:
    ///         paths:
    ///           - path: /
    ///             pathType: Prefix
    ///             backend:
    ///               service:
    ///                 name: storefront
    ///                 port:
    ///                   number: 80
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix points the backend at the Service whose name is closest; check it is the
    /// one the route is for. No fix when no name comes close.
    pub struct IngressBackendMissing {
        id: "ingress-backend-missing",
        category: Networking,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct Missing<'a> {
    backend: IngressBackend<'a>,
    name: &'a str,
    /// The Service most likely meant.
    closest: Option<usize>,
}

impl Rule for IngressBackendMissing {
    type State<'a> = Missing<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Missing<'a>> {
        let mut out = Vec::new();
        for backend in ingress_backends(ws) {
            let ingress = &ws.objects[backend.ingress];
            let Some(name) = backend.service.as_str() else {
                continue;
            };
            let Some(closest) = super::missing_service(ws, name, ingress) else {
                continue;
            };
            out.push(Missing {
                backend,
                name,
                closest,
            });
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Diagnostic {
        let ingress = &ws.objects[m.backend.ingress];
        let namespace = ingress
            .effective_namespace()
            .map(|ns| format!(" in namespace {ns}"))
            .unwrap_or_default();
        let mut message = format!(
            "Ingress {} sends {} to Service {}, which the set does not define{namespace}",
            ingress.name.as_deref().unwrap_or("<unnamed>"),
            m.backend.route,
            m.name
        );
        message.push_str(&super::meant_suffix(
            m.closest.and_then(|c| ws.objects[c].name.as_deref()),
        ));
        Diagnostic {
            file: ingress.file,
            range: m.backend.service.span,
            message,
            why: "The ingress controller has no Service to send these requests to: clients get 503 (or the default backend's 404), and `kubectl describe ingress` shows `endpoints not found`.".into(),
            help: Some("Name the Service exactly as its `metadata.name` says, or add the Service (in the Ingress's namespace: an Ingress cannot send to another namespace).".into()),
            object: Some(ingress.reference()),
            container: None,
            severity: super::meant_severity(m.closest),
        }
    }

    fn related<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Vec<Related> {
        m.closest
            .map(|c| super::meant_label(&ws.objects[c], "Service"))
            .into_iter()
            .collect()
    }

    fn fix<'a>(ws: &Workspace<'a>, m: &Missing<'a>) -> Option<Fix> {
        let name = ws.objects[m.closest?].name.as_deref()?;
        super::rename_fix(
            format!("Send {} to Service {name}", m.backend.route),
            ws.objects[m.backend.ingress].file,
            m.backend.service,
            name,
        )
    }
}
