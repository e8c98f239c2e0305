use super::reference::{is_placeholder, repository_placeholder, ImageReference};
use super::{images_where, placeholder_fix, ImageUse, PIN_PLACEHOLDER};
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Finds container images whose tag (or whole name) is a placeholder that a pipeline was
    /// meant to replace: `VERSION_PLACEHOLDER`, `${TAG}`, `<tag>`, `{{ .Values.tag }}`.
    ///
    /// ## Why is this bad?
    /// When the substitution step is skipped (a manual `kubectl apply`, a new pipeline), the
    /// kubelet asks the registry for a tag that does not exist: the pod sits in
    /// `ErrImagePull` / `ImagePullBackOff` and the rollout never finishes.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-m5
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: extractor
    ///               image: yurisa2/petrosa-binance-data-extractor:VERSION_PLACEHOLDER
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: batch/v1
    /// kind: CronJob
    /// metadata:
    ///   name: klines-m5
    /// spec:
    ///   schedule: "*/5 * * * *"
    ///   jobTemplate:
    ///     spec:
    ///       template:
    ///         spec:
    ///           restartPolicy: OnFailure
    ///           containers:
    ///             - name: extractor
    ///               image: yurisa2/petrosa-binance-data-extractor:v1.0.71
    /// ```
    ///
    /// ## Fix safety
    /// Display-only: the fix shows where the version goes (`<pin-a-version>`); only you know
    /// which release to run, so it is never applied automatically.
    pub struct ImageTagPlaceholder {
        id: "image-tag-placeholder",
        category: Images,
        severity: Error,
        fix: Always,
        reads: Manifests,
    }
}

impl Rule for ImageTagPlaceholder {
    type State<'a> = ImageUse<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ImageUse<'a>> {
        images_where(ws, |r| {
            r.tag.is_some_and(is_placeholder) || repository_placeholder(r.repository).is_some()
        })
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ImageUse<'a>) -> Diagnostic {
        let reference = ImageReference::parse(state.image);
        let what = match (
            reference.tag.filter(|t| is_placeholder(t)),
            repository_placeholder(reference.repository),
        ) {
            (Some(tag), _) => format!("its tag `{tag}` is a placeholder that was never replaced"),
            (None, Some(part)) if part != reference.repository => {
                format!("`{part}` in the image name is a placeholder that was never replaced")
            }
            (None, _) => "the image name is a placeholder that was never replaced".to_string(),
        };
        state.finding(
            ws,
            format!("The {} runs image `{}`: {what}", state.label(ws), state.image),
            "The registry has no such tag, so the pod stays in ErrImagePull/ImagePullBackOff and never starts.",
            Some("Have the pipeline substitute the version before applying (check the step that replaces it), or pin the released tag here."),
        )
    }

    fn fix<'a>(ws: &Workspace<'a>, state: &ImageUse<'a>) -> Option<Fix> {
        let reference = ImageReference::parse(state.image);
        let (within, replacement) = match (
            reference.tag.filter(|t| is_placeholder(t)),
            reference.tag_start,
        ) {
            (Some(tag), Some(start)) => (
                TextRange::new(start, start + tag.len()),
                PIN_PLACEHOLDER.to_string(),
            ),
            _ => {
                // Mark the placeholder part of the name for the person to fill in.
                let part =
                    repository_placeholder(reference.repository).unwrap_or(reference.repository);
                if part == reference.repository {
                    // The whole name is to be filled in: say what goes there.
                    (
                        TextRange::new(0, state.image.len()),
                        format!("<image>:{PIN_PLACEHOLDER}"),
                    )
                } else {
                    let start = reference.repository.find(part).unwrap_or(0);
                    let name = part
                        .trim_matches(['$', '{', '}', '<', '>'])
                        .to_ascii_lowercase()
                        .replace('_', "-");
                    (
                        TextRange::new(start, start + part.len()),
                        format!("<{name}>"),
                    )
                }
            }
        };
        Some(placeholder_fix(
            ws,
            state,
            within,
            &replacement,
            "Replace the placeholder with the released version (or a digest)".into(),
        ))
    }
}
