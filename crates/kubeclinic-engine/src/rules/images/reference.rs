//! Container image references: `[registry[:port]/]path[:tag][@digest]`.

/// Byte offsets are relative to the image string.
#[derive(Debug, PartialEq, Eq)]
pub struct ImageReference<'a> {
    /// Everything before the tag and digest (registry and path).
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    pub tag_start: Option<usize>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageReference<'a> {
    pub fn parse(image: &'a str) -> Self {
        let (name, digest) = match image.split_once('@') {
            Some((name, digest)) => (name, Some(digest)),
            None => (image, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        match name[last_slash..].rfind(':') {
            Some(colon) => {
                let colon = last_slash + colon;
                Self {
                    repository: &name[..colon],
                    tag: Some(&name[colon + 1..]),
                    tag_start: Some(colon + 1),
                    digest,
                }
            }
            None => Self {
                repository: name,
                tag: None,
                tag_start: None,
                digest,
            },
        }
    }
}

/// The part of a repository that is a placeholder: a segment with `$`, `<`, `{` or capitals
/// (`PROJECT_ID`, `REGION-docker.pkg.dev`). Registries only accept lower case repository
/// paths, so capitals there are never a real name.
pub fn repository_placeholder(repository: &str) -> Option<&str> {
    let whole = (repository.starts_with('<') && repository.ends_with('>'))
        || (repository.starts_with('$') && !repository.contains('/'))
        || ["PLACEHOLDER", "CHANGEME", "{{"]
            .iter()
            .any(|w| repository.to_ascii_uppercase().contains(w));
    if whole {
        return Some(repository);
    }
    let is_token_byte =
        |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b"_${}<>".contains(&b);
    let bytes = repository.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !is_token_byte(bytes[start]) {
            start += 1;
            continue;
        }
        let end = start
            + bytes[start..]
                .iter()
                .take_while(|b| is_token_byte(**b))
                .count();
        let token = &repository[start..end];
        // `$VAR`, `<name>`, `{{x}}`, or a capitalised word such as PROJECT_ID or REGION; a
        // single capital (`CodeForPhilly`) is a case mistake, which invalid-image-name names.
        let marked = token.bytes().any(|b| b"${<".contains(&b));
        let shouting = token.bytes().filter(u8::is_ascii_uppercase).count() >= 2;
        if marked || shouting {
            return Some(token);
        }
        start = end;
    }
    None
}

/// A value left for a pipeline to substitute: `VERSION_PLACEHOLDER`, `${TAG}`, `<tag>`,
/// `{{ .Values.tag }}`, `CHANGEME`, `__VERSION__`.
pub fn is_placeholder(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    if [
        "PLACEHOLDER",
        "CHANGEME",
        "CHANGE_ME",
        "REPLACE",
        "TODO",
        "FIXME",
    ]
    .iter()
    .any(|w| upper.contains(w))
    {
        return true;
    }
    if text.contains("${") || text.contains("$(") || text.contains("{{") || text.starts_with('$') {
        return true;
    }
    if text.contains('<') || text.contains('>') {
        return true;
    }
    if text.len() > 4 && text.starts_with("__") && text.ends_with("__") {
        return true;
    }
    // An all-capitals word such as VERSION, IMAGE_TAG or TAG is a variable name, not a
    // release: real tags carry digits, dots or lower case.
    text.len() >= 3
        && text.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        && text.bytes().any(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_last_colon_after_the_last_slash() {
        let r = ImageReference::parse("registry:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.repository, "registry:5000/team/app");
        assert_eq!(r.tag, Some("1.2"));
        assert_eq!(r.tag_start, Some(23));
        assert_eq!(r.digest, Some("sha256:abc"));
        assert_eq!(ImageReference::parse("registry:5000/app").tag, None);
        assert_eq!(ImageReference::parse("nginx").repository, "nginx");
    }

    #[test]
    fn placeholder_repositories_are_found_by_segment() {
        assert_eq!(
            repository_placeholder("REGION_NAME-docker.pkg.dev/PROJECT_ID/repo/app"),
            Some("REGION_NAME")
        );
        assert_eq!(
            repository_placeholder("us-docker.pkg.dev/PROJECT_ID/repo/app"),
            Some("PROJECT_ID")
        );
        assert_eq!(
            repository_placeholder("gcr.io/$PROJECT/app"),
            Some("$PROJECT")
        );
        assert_eq!(
            repository_placeholder("gcr.io/<<PROJECT>>/app"),
            Some("<<PROJECT>>")
        );
        assert_eq!(
            repository_placeholder("<YOUR-CONTAINER>"),
            Some("<YOUR-CONTAINER>")
        );
        assert_eq!(
            repository_placeholder("gcr.io/google-samples/hello-app"),
            None
        );
    }

    #[test]
    fn placeholders_are_told_from_releases() {
        for p in [
            "VERSION_PLACEHOLDER",
            "${TAG}",
            "<tag>",
            "{{ .Values.tag }}",
            "IMAGE_TAG",
            "__VERSION__",
            "changeme",
        ] {
            assert!(is_placeholder(p), "{p}");
        }
        for r in [
            "v1.0.71",
            "1.25-alpine",
            "RELEASE.2023-01-01T00-00-00Z",
            "latest",
            "3.9",
            "stable",
        ] {
            assert!(!is_placeholder(r), "{r}");
        }
    }
}
