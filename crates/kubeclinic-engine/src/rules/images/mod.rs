//! Rules about which image a container runs.

pub mod image_arch_mismatch;
pub mod image_not_found;
pub mod image_not_present;
pub mod image_pull_auth;
pub mod image_pull_rate_limit;
pub mod image_registry_not_allowed;
pub mod image_registry_unreachable;
pub mod image_tag_latest;
pub mod image_tag_missing;
pub mod image_tag_placeholder;
pub mod invalid_image_name;
pub mod pull_failure;
pub mod reference;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::Workspace;
use crate::rule::RuleEntry;
use crate::text::TextRange;
use crate::yaml::{render_scalar, scalar_content_range, Node, ScalarStyle};

use reference::ImageReference;

pub const RULES: &[RuleEntry] = &[
    RuleEntry::of::<image_tag_placeholder::ImageTagPlaceholder>(),
    RuleEntry::of::<image_tag_latest::ImageTagLatest>(),
    RuleEntry::of::<image_tag_missing::ImageTagMissing>(),
    RuleEntry::of::<image_pull_auth::ImagePullAuth>(),
    RuleEntry::of::<image_not_found::ImageNotFound>(),
    RuleEntry::of::<image_registry_unreachable::ImageRegistryUnreachable>(),
    RuleEntry::of::<image_pull_rate_limit::ImagePullRateLimit>(),
    RuleEntry::of::<invalid_image_name::InvalidImageName>(),
    RuleEntry::of::<image_arch_mismatch::ImageArchMismatch>(),
    RuleEntry::of::<image_not_present::ImageNotPresent>(),
    RuleEntry::of::<image_registry_not_allowed::ImageRegistryNotAllowed>(),
];

/// The placeholder a person replaces with the version they mean to run.
pub const PIN_PLACEHOLDER: &str = "<pin-a-version>";

/// A container's `image` with where it sits in the input.
pub struct ImageUse<'a> {
    pub container: usize,
    pub node: &'a Node,
    pub image: &'a str,
}

impl ImageUse<'_> {
    /// Names the container and its object: "container app of CronJob binance-klines-m5".
    pub fn label(&self, ws: &Workspace) -> String {
        let container = &ws.containers[self.container];
        format!(
            "container {} of {}",
            container.name.unwrap_or("<unnamed>"),
            ws.objects[container.object].display()
        )
    }

    /// A finding at the image, about its container and that container's object.
    pub fn finding(
        &self,
        ws: &Workspace,
        message: String,
        why: &str,
        help: Option<&str>,
    ) -> Diagnostic {
        let container = &ws.containers[self.container];
        Diagnostic {
            file: ws.objects[container.object].file,
            range: self.node.span,
            message,
            why: why.into(),
            help: help.map(String::from),
            object: Some(ws.objects[container.object].reference()),
            container: container.name.map(String::from),
            severity: None,
        }
    }
}

/// Every container image in the set, with the ones where `wanted` holds.
pub fn images_where<'a>(
    ws: &Workspace<'a>,
    wanted: impl Fn(&ImageReference) -> bool,
) -> Vec<ImageUse<'a>> {
    ws.containers
        .iter()
        .enumerate()
        .filter_map(|(index, c)| {
            let node = c.node.get("image")?;
            let image = node.as_str()?;
            wanted(&ImageReference::parse(image)).then_some(ImageUse {
                container: index,
                node,
                image,
            })
        })
        .collect()
}

/// A display-only fix that writes `replacement` over part of the image (`within` is relative
/// to the image string), keeping the quoting of the original.
pub fn placeholder_fix(
    ws: &Workspace,
    image: &ImageUse,
    within: TextRange,
    replacement: &str,
    title: String,
) -> Fix {
    let file = ws.objects[ws.containers[image.container].object].file;
    let source = ws.text(file);
    let edit = match scalar_content_range(image.node, source) {
        Some(content) => Edit::replace(file, within.shifted(content.start), replacement),
        None => {
            let mut value = image.image.to_string();
            value.replace_range(within.start..within.end, replacement);
            let style = image
                .node
                .as_scalar()
                .map_or(ScalarStyle::Plain, |s| s.style);
            Edit::replace(file, image.node.span, render_scalar(&value, style))
        }
    };
    Fix::new(title, Applicability::DisplayOnly, vec![edit])
}
