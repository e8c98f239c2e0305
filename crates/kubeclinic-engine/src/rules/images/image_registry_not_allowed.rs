use super::pull_failure::registry_of;
use super::{images_where, ImageUse};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::Workspace;
use crate::rule::Rule;
use crate::rules::images::reference::is_placeholder;

declare_rule! {
    /// ## What it does
    /// With the `allowedRegistries` setting (`registry.corp.example`, `ghcr.io/acme`), finds
    /// container images from anywhere else, Docker Hub's short names (`nginx`, `redis:7`)
    /// included. Without the setting it finds nothing.
    ///
    /// ## Why is this bad?
    /// An air-gapped or policy-bound cluster cannot pull them, or an admission policy
    /// (Kyverno, Gatekeeper, the cloud's image policy) refuses the pod; either way it never
    /// starts.
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
    ///       image: redis:7.2.4
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
    ///       image: registry.corp.example/mirror/redis:7.2.4
    /// ```
    ///
    /// ## Fix safety
    /// No fix: where the image is mirrored is yours to say.
    pub struct ImageRegistryNotAllowed {
        id: "image-registry-not-allowed",
        category: Images,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

impl Rule for ImageRegistryNotAllowed {
    type State<'a> = ImageUse<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<ImageUse<'a>> {
        let allowed = &ws.checker.settings().allowed_registries;
        if allowed.is_empty() {
            return Vec::new();
        }
        images_where(ws, |r| {
            !is_placeholder(r.repository) && !allowed_image(r.repository, allowed)
        })
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &ImageUse<'a>) -> Diagnostic {
        let allowed = ws.checker.settings().allowed_registries.join(", ");
        state.finding(
            ws,
            format!(
                "The {} runs `{}` from {}, which is not an allowed registry ({allowed})",
                state.label(ws),
                state.image,
                registry_of(state.image)
            ),
            "A cluster that may only pull from these registries cannot start the pod, or an admission policy refuses it.",
            Some("Mirror the image into an allowed registry and use that name, or add the registry to `allowedRegistries` if it is trusted."),
        )
    }
}

/// `registry.example.com` allows everything under it; `ghcr.io/acme` only that path.
/// `docker.io` allows Docker Hub's short names.
pub fn allowed_image(repository: &str, allowed: &[String]) -> bool {
    let registry = registry_of(repository);
    let full = if repository.starts_with(registry) {
        repository.to_string()
    } else {
        format!("{registry}/{repository}")
    };
    allowed.iter().any(|a| {
        let a = a.trim().trim_end_matches('/');
        full == a || full.starts_with(&format!("{a}/"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Checker, Settings};
    use crate::SourceFile;

    #[test]
    fn registries_and_paths_are_allowed_by_prefix() {
        let allowed = vec![
            "registry.example.com".to_string(),
            "ghcr.io/acme".to_string(),
        ];
        assert!(allowed_image("registry.example.com/team/api", &allowed));
        assert!(allowed_image("ghcr.io/acme/api", &allowed));
        assert!(!allowed_image("ghcr.io/other/api", &allowed));
        assert!(!allowed_image("nginx", &allowed));
        assert!(allowed_image("nginx", &["docker.io".to_string()]));
    }

    #[test]
    fn only_with_the_setting() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: cache\nspec:\n  containers:\n    - name: redis\n      image: redis:7.2.4\n";
        let files = [SourceFile::new("x.yaml", text)];
        let with = |allowed: Vec<String>| {
            Checker::new(Settings {
                allowed_registries: allowed,
                ..Settings::default()
            })
            .unwrap()
            .check(&files)
            .findings
            .iter()
            .filter(|f| f.rule == "image-registry-not-allowed")
            .count()
        };
        assert_eq!(with(Vec::new()), 0);
        assert_eq!(with(vec!["registry.example.com".into()]), 1);
        assert_eq!(with(vec!["docker.io".into()]), 0);
    }
}
