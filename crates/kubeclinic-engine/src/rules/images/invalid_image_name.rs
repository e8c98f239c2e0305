use super::placeholder_fix;
use super::pull_failure::{failures_where, Cause, PullFailure};
use super::reference::{is_placeholder, repository_placeholder, ImageReference};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;

declare_rule! {
    /// ## What it does
    /// Finds containers whose image reference kubelet cannot parse (`InvalidImageName`,
    /// `couldn't parse image reference`, `invalid reference format`) and says what is wrong with
    /// it: capital letters in the repository, a placeholder nobody replaced, a space, a URL
    /// scheme, an empty or malformed tag. When the only problem is capital letters and the
    /// workload's manifest is in the set, the fix writes the repository in lower case.
    ///
    /// ## Why is this bad?
    /// Kubelet never asks a registry for a name it cannot parse, and never retries another
    /// one: the pod stays in `InvalidImageName` until the manifest changes.
    ///
    /// ## Example
    /// ```text
    /// Name:         mimodd-7d5f6c8b9-r2t4w
    /// Namespace:    galaxy
    /// Node:         node-2/10.0.0.6
    /// Controlled By:  ReplicaSet/mimodd-7d5f6c8b9
    /// Containers:
    ///   tool:
    ///     Image:          quay.io/biocontainers/MiModD:0.1.9--py36_0
    ///     State:          Waiting
    ///       Reason:       InvalidImageName
    ///     Ready:          False
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type     Reason         Age               From               Message
    ///   ----     ------         ----              ----               -------
    ///   Normal   Scheduled      60s               default-scheduler  Successfully assigned galaxy/mimodd-7d5f6c8b9-r2t4w to node-2
    ///   Warning  InspectFailed  5s (x7 over 60s)  kubelet            Failed to apply default image tag "quay.io/biocontainers/MiModD:0.1.9--py36_0": couldn't parse image reference "quay.io/biocontainers/MiModD:0.1.9--py36_0": invalid reference format: repository name must be lowercase
    ///   Warning  Failed         5s (x7 over 60s)  kubelet            Error: InvalidImageName
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// Name:         mimodd-7d5f6c8b9-r2t4w
    /// Namespace:    galaxy
    /// Node:         node-2/10.0.0.6
    /// Controlled By:  ReplicaSet/mimodd-7d5f6c8b9
    /// Containers:
    ///   tool:
    ///     Image:          quay.io/biocontainers/mimodd:0.1.9--py36_0
    ///     State:          Running
    ///     Ready:          True
    ///     Restart Count:  0
    /// QoS Class:        BestEffort
    /// Events:
    ///   Type    Reason     Age   From               Message
    ///   ----    ------     ----  ----               -------
    ///   Normal  Scheduled  60s   default-scheduler  Successfully assigned galaxy/mimodd-7d5f6c8b9-r2t4w to node-2
    ///   Normal  Pulled     55s   kubelet            Successfully pulled image "quay.io/biocontainers/mimodd:0.1.9--py36_0" in 4.8s (4.8s including waiting)
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: writing the repository in lower case makes kubelet pull a name it has not tried;
    /// registries store repositories in lower case, so it is almost always the image meant, but
    /// check it exists. Placeholders get no fix here (`image-tag-placeholder` shows where the
    /// value goes).
    pub struct InvalidImageName {
        id: "invalid-image-name",
        category: Images,
        severity: Error,
        fix: Sometimes,
        reads: Both,
    }
}

/// What makes an image reference unparsable.
#[derive(Debug, PartialEq, Eq)]
enum Problem<'a> {
    /// A path segment with capitals: `MiModD`.
    Capitals(&'a str),
    /// `${TAG}`, `<tag>`, `PROJECT_ID`.
    Placeholder(&'a str),
    Space,
    Scheme(&'a str),
    EmptyTag,
    BadTag(&'a str),
    BadDigest(&'a str),
    /// `images:ubuntu/24.04`: the first segment reads as a registry with a port.
    BadPort(&'a str),
}

impl Problem<'_> {
    fn describe(&self) -> String {
        match self {
            Problem::Capitals(segment) => {
                format!("repository names must be lower case, and `{segment}` is not")
            }
            Problem::Placeholder(token) => {
                format!("`{token}` is a placeholder that was never replaced")
            }
            Problem::Space => "it contains whitespace".into(),
            Problem::Scheme(scheme) => {
                format!("`{scheme}` is a URL scheme, not part of an image reference")
            }
            Problem::EmptyTag => "the tag after `:` is empty".into(),
            Problem::BadTag(tag) => format!(
                "the tag `{tag}` has characters a tag cannot have (letters, digits, `_`, `.` and `-` only, not first `.` or `-`)"
            ),
            Problem::BadDigest(digest) => {
                format!("the digest `{digest}` is not `sha256:` followed by 64 hex digits")
            }
            Problem::BadPort(registry) => format!(
                "`{registry}` reads as a registry host with a port, and the port is not a number"
            ),
        }
    }
}

fn problem(image: &str) -> Option<Problem<'_>> {
    if image.chars().any(char::is_whitespace) {
        return Some(Problem::Space);
    }
    if let Some(at) = image.find("://") {
        return Some(Problem::Scheme(&image[..at + 3]));
    }
    if let Some((first, _)) = image.split_once('/') {
        if first
            .split_once(':')
            .is_some_and(|(_, port)| !port.bytes().all(|b| b.is_ascii_digit()))
        {
            return Some(Problem::BadPort(first));
        }
    }
    let reference = ImageReference::parse(image);
    if let Some(tag) = reference.tag.filter(|t| is_placeholder(t)) {
        return Some(Problem::Placeholder(tag));
    }
    let path_start = image
        .split_once('/')
        .filter(|(first, _)| first.contains('.') || first.contains(':') || *first == "localhost")
        .map_or(0, |(first, _)| first.len() + 1);
    let path = &reference.repository[path_start.min(reference.repository.len())..];
    let mixed = path.split('/').find(|segment| {
        segment.bytes().any(|b| b.is_ascii_uppercase())
            && segment.bytes().any(|b| b.is_ascii_lowercase())
    });
    if let Some(token) = repository_placeholder(reference.repository) {
        // Capitals inside a mixed-case word are a spelling mistake, not a variable.
        if mixed.is_none_or(|segment| !segment.contains(token)) {
            return Some(Problem::Placeholder(token));
        }
    }
    if let Some(segment) = mixed {
        return Some(Problem::Capitals(segment));
    }
    match reference.tag {
        Some("") => return Some(Problem::EmptyTag),
        Some(tag)
            if tag.len() > 128
                || tag.starts_with(['.', '-'])
                || !tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) =>
        {
            return Some(Problem::BadTag(tag));
        }
        _ => {}
    }
    if let Some(digest) = reference.digest {
        let valid = digest
            .strip_prefix("sha256:")
            .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()));
        if !valid {
            return Some(Problem::BadDigest(digest));
        }
    }
    None
}

/// The image with its repository path in lower case, when capitals are all that is wrong.
fn lower_cased(image: &str) -> Option<String> {
    if !matches!(problem(image), Some(Problem::Capitals(_))) {
        return None;
    }
    let reference = ImageReference::parse(image);
    let lowered = format!(
        "{}{}",
        reference.repository.to_ascii_lowercase(),
        &image[reference.repository.len()..]
    );
    problem(&lowered).is_none().then_some(lowered)
}

impl Rule for InvalidImageName {
    type State<'a> = PullFailure;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<PullFailure> {
        failures_where(ws, |c| c == Cause::InvalidName)
    }

    fn related<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Vec<crate::diagnostic::Related> {
        f.related(ws)
    }

    fn finding<'a>(_ws: &Workspace<'a>, f: &PullFailure) -> Diagnostic {
        let what = f
            .image
            .as_deref()
            .and_then(problem)
            .map_or_else(String::new, |p| format!(": {}", p.describe()));
        let example = f
            .image
            .as_deref()
            .and_then(lower_cased)
            .map_or_else(String::new, |fixed| format!(", such as `{fixed}`"));
        f.diagnostic(
            format!(
                "Image {} of {} is not a valid image reference ({}){what}",
                f.image_label(),
                f.subject(),
                f.evidence
            ),
            if f.recovered {
                "The container runs now, so a later manifest fixed it; this is history.".into()
            } else {
                "Kubelet never pulls a name it cannot parse and never retries another one: the pod stays in InvalidImageName until the manifest changes.".into()
            },
            format!(
                "Write the image as `[registry/]repository[:tag][@sha256:digest]` with a lower-case repository{example}; if a pipeline was meant to substitute part of it, check that step."
            ),
        )
    }

    fn fix<'a>(ws: &Workspace<'a>, f: &PullFailure) -> Option<Fix> {
        let use_ = f.manifest_image(ws)?;
        let lowered = lower_cased(use_.image)?;
        let repository = ImageReference::parse(use_.image).repository;
        let object = ws.objects[ws.containers[use_.container].object].display();
        let mut fix = placeholder_fix(
            ws,
            &use_,
            TextRange::new(0, repository.len()),
            &lowered[..repository.len()],
            format!("Write the repository of {object} in lower case: `{lowered}`"),
        );
        fix.applicability = Applicability::Unsafe;
        Some(fix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_named() {
        assert_eq!(
            problem("quay.io/biocontainers/MiModD:0.1.9--py36_0"),
            Some(Problem::Capitals("MiModD"))
        );
        assert_eq!(
            problem("docker.pkg.github.com/CodeForPhilly/chime/penn-chime:1.1.0-rc.1"),
            Some(Problem::Capitals("CodeForPhilly"))
        );
        assert_eq!(
            problem("us-docker.pkg.dev/PROJECT_ID/repo/app:1.0"),
            Some(Problem::Placeholder("PROJECT_ID"))
        );
        assert_eq!(
            problem("acme/api:${TAG}"),
            Some(Problem::Placeholder("${TAG}"))
        );
        assert_eq!(problem("acme/api: 1.0"), Some(Problem::Space));
        assert_eq!(
            problem("https://ghcr.io/acme/api:1.0"),
            Some(Problem::Scheme("https://"))
        );
        assert_eq!(problem("acme/api:"), Some(Problem::EmptyTag));
        assert_eq!(
            problem("images:ubuntu/24.04"),
            Some(Problem::BadPort("images:ubuntu"))
        );
        assert_eq!(problem("ghcr.io/acme/api:1.0"), None);
        assert_eq!(
            lower_cased("quay.io/biocontainers/MiModD:0.1.9--py36_0").as_deref(),
            Some("quay.io/biocontainers/mimodd:0.1.9--py36_0")
        );
        assert_eq!(
            lower_cased("us-docker.pkg.dev/PROJECT_ID/repo/app:1.0"),
            None
        );
    }
}
