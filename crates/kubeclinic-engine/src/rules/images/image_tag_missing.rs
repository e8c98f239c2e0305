use super::reference::{repository_placeholder, ImageReference};
use super::{images_where, placeholder_fix, ImageUse, PIN_PLACEHOLDER};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Finds container images with neither a tag nor a digest, such as `image: redis`.
    ///
    /// ## Why is this bad?
    /// An image without a tag means `:latest`: whatever was pushed last runs, pods started on
    /// different days differ, and a rollback has nothing to return to.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: cache
    /// spec:
    ///   containers:
    ///     - name: redis
    ///       image: redis
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: cache
    /// spec:
    ///   containers:
    ///     - name: redis
    ///       image: redis:7.2.4
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the fix adds `:<pin-a-version>` for you to fill in. If kustomize's
    /// `images:` or your deploy tool sets the tag, the finding does not apply to the
    /// rendered output; check that output instead.
    pub struct ImageTagMissing {
        id: "image-tag-missing",
        category: Images,
        severity: Warning,
        fix: Always,
        reads: Manifests,
    }
}

impl Rule for ImageTagMissing {
    type State<'a> = ImageUse<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ImageUse<'a>> {
        images_where(ws, |r| {
            r.tag.is_none()
                && r.digest.is_none()
                && !r.repository.is_empty()
                && repository_placeholder(r.repository).is_none()
        })
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ImageUse<'a>) -> Diagnostic {
        state.finding(
            ws,
            format!(
                "The {} runs `{}` with no tag, which means `:latest`",
                state.label(ws),
                state.image
            ),
            "Whatever was pushed last runs: pods started on different days can differ, and there is nothing to roll back to.",
            None,
        )
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ImageUse<'a>) -> Option<Fix> {
        let end = ImageReference::parse(state.image).repository.len();
        Some(placeholder_fix(
            ws,
            state,
            TextRange::empty(end),
            &format!(":{PIN_PLACEHOLDER}"),
            "Pin the image to a released version (or a digest)".into(),
        ))
    }
}
