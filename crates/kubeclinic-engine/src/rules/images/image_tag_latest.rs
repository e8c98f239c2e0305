use super::reference::{repository_placeholder, ImageReference};
use super::{images_where, placeholder_fix, ImageUse, PIN_PLACEHOLDER};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Finds containers whose image is pinned to the moving tag `latest` (without a digest),
    /// and to the other moving tags the `movingTags` option lists (`main`, `stable`...).
    ///
    /// ## Why is this bad?
    /// `latest` names whatever was pushed last: two nodes can run different code under the
    /// same manifest, a restart can silently upgrade, and a rollback has nothing to go back
    /// to. Kubernetes also pulls `:latest` on every start (`imagePullPolicy: Always`), so a
    /// registry outage stops restarts.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: dashboard
    /// spec:
    ///   selector:
    ///     matchLabels: {app: dashboard}
    ///   template:
    ///     metadata:
    ///       labels: {app: dashboard}
    ///     spec:
    ///       containers:
    ///         - name: dashboard
    ///           image: dashboard:latest
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: dashboard
    /// spec:
    ///   selector:
    ///     matchLabels: {app: dashboard}
    ///   template:
    ///     metadata:
    ///       labels: {app: dashboard}
    ///     spec:
    ///       containers:
    ///         - name: dashboard
    ///           image: dashboard:1.4.2
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the fix marks the tag to pin with `<pin-a-version>`; which version is
    /// yours to say.
    pub struct ImageTagLatest {
        id: "image-tag-latest",
        category: Images,
        severity: Warning,
        fix: Always,
        reads: Manifests,
        options: [
            "movingTags" => "Other tags your registries move like `latest` (`main`, `stable`, `edge`): reported the same way.",
        ],
    }
}

impl Rule for ImageTagLatest {
    type State<'a> = ImageUse<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ImageUse<'a>> {
        let moving = ws.checker.option("image-tag-latest", "movingTags");
        images_where(ws, |r| {
            r.tag
                .is_some_and(|t| t == "latest" || moving.iter().any(|m| m == t))
                && r.digest.is_none()
                && repository_placeholder(r.repository).is_none()
        })
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ImageUse<'a>) -> Diagnostic {
        state.finding(
            ws,
            format!("The {} runs `{}`, a moving tag", state.label(ws), state.image),
            "Pods started at different times can run different code, and there is no earlier version to roll back to.",
            None,
        )
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ImageUse<'a>) -> Option<Fix> {
        let reference = ImageReference::parse(state.image);
        let start = reference.tag_start?;
        let tag = reference.tag?;
        Some(placeholder_fix(
            ws,
            state,
            TextRange::new(start, start + tag.len()),
            PIN_PLACEHOLDER,
            "Pin the image to a released version (or a digest)".into(),
        ))
    }
}
