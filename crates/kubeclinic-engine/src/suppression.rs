//! Findings a person chose not to see, in the manifests themselves:
//!
//! - the annotation `kubeclinic.io/ignore: rule-a,rule-b` (or `all`) on an object or on its
//!   pod template;
//! - `kubeclinic.io/ignore.<container>: rule-a` for one container of that object;
//! - a YAML comment `# kubeclinic: ignore[rule-a, rule-b]` on the finding's line or alone on
//!   the line above it.
//!
//! Suppressed findings are kept, with the reason, so they can be counted and listed.

use serde::Serialize;

use crate::diagnostic::{FileId, Finding};
use crate::model::Workspace;
use crate::text::TextRange;
use crate::yaml::Node;

pub const ANNOTATION: &str = "kubeclinic.io/ignore";
const COMMENT: &str = "kubeclinic: ignore[";

/// A finding that was not shown, and what asked for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suppressed {
    pub finding: Finding,
    /// `annotation kubeclinic.io/ignore on Deployment web`, `comment on line 12`.
    pub by: String,
}

/// One place that silences rules.
struct Scope {
    file: FileId,
    /// The bytes the scope covers: an object, a container, or one line.
    range: TextRange,
    /// `None` for every rule.
    rules: Option<Vec<String>>,
    /// For the per-container annotation: the container's name, which runtime findings carry.
    container: Option<String>,
    by: String,
}

impl Scope {
    fn covers(&self, f: &Finding) -> bool {
        let rule = self
            .rules
            .as_ref()
            .is_none_or(|rules| rules.iter().any(|r| r == f.rule));
        let place = f.file == self.file && self.range.contains_range(f.range);
        let container = match &self.container {
            Some(name) => place || f.container.as_deref() == Some(name.as_str()),
            None => place,
        };
        rule && container
    }
}

/// Splits `findings` into those shown and those suppressed.
pub fn apply(ws: &Workspace, findings: Vec<Finding>) -> (Vec<Finding>, Vec<Suppressed>) {
    let scopes = scopes(ws);
    if scopes.is_empty() {
        return (findings, Vec::new());
    }
    let mut shown = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        match scopes.iter().find(|s| s.covers(&finding)) {
            Some(scope) => suppressed.push(Suppressed {
                by: scope.by.clone(),
                finding,
            }),
            None => shown.push(finding),
        }
    }
    (shown, suppressed)
}

fn scopes(ws: &Workspace) -> Vec<Scope> {
    let mut out = Vec::new();
    for (index, object) in ws.objects.iter().enumerate() {
        let mut annotated = |annotations: Option<&Node>| {
            for (key, value, _) in annotations.map(Node::string_map).unwrap_or_default() {
                let rules = rule_list(value);
                if key == ANNOTATION {
                    out.push(Scope {
                        file: object.file,
                        range: object.node.span,
                        rules,
                        container: None,
                        by: format!("annotation {ANNOTATION} on {}", object.display()),
                    });
                } else if let Some(name) = key
                    .strip_prefix(ANNOTATION)
                    .and_then(|k| k.strip_prefix('.'))
                {
                    let range = ws
                        .containers
                        .iter()
                        .find(|c| c.object == index && c.name == Some(name))
                        .map_or(TextRange::empty(object.node.span.start), |c| c.node.span);
                    out.push(Scope {
                        file: object.file,
                        range,
                        rules,
                        container: Some(name.to_string()),
                        by: format!("annotation {key} on {}", object.display()),
                    });
                }
            }
        };
        annotated(object.node.path(&["metadata", "annotations"]));
        for template in ["spec.template", "spec.jobTemplate.spec.template"] {
            let path: Vec<&str> = template
                .split('.')
                .chain(["metadata", "annotations"])
                .collect();
            annotated(object.node.path(&path));
        }
    }
    for file in 0..ws.file_count() {
        comment_scopes(ws.text(file), file, &mut out);
    }
    out
}

/// `rule-a, rule-b` -> those ids; `all` (or nothing) -> every rule.
fn rule_list(value: &str) -> Option<Vec<String>> {
    let rules: Vec<String> = value
        .split([',', ' '])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(String::from)
        .collect();
    (!rules.is_empty() && !rules.iter().any(|r| r == "all")).then_some(rules)
}

/// `# kubeclinic: ignore[rule-a]` at the end of a line covers that line; alone on its line,
/// the next line.
fn comment_scopes(text: &str, file: FileId, out: &mut Vec<Scope>) {
    if !text.contains(COMMENT) {
        return;
    }
    let mut start = 0;
    let mut pending: Option<(Option<Vec<String>>, usize)> = None;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        let range = TextRange::new(start, start + line.trim_end_matches(['\n', '\r']).len());
        start += line.len();
        if let Some((rules, at)) = pending.take() {
            if !line.trim().is_empty() {
                out.push(Scope {
                    file,
                    range,
                    rules,
                    container: None,
                    by: format!("comment on line {at}"),
                });
            } else {
                pending = Some((rules, at));
                continue;
            }
        }
        let Some(at) = line.find('#') else { continue };
        let comment = line[at + 1..].trim();
        let Some(list) = comment
            .strip_prefix(COMMENT)
            .and_then(|rest| rest.split_once(']'))
            .map(|(list, _)| list)
        else {
            continue;
        };
        let rules = rule_list(list);
        if line[..at].trim().is_empty() {
            pending = Some((rules, number + 1));
        } else {
            out.push(Scope {
                file,
                range,
                rules,
                container: None,
                by: format!("comment on line {}", number + 1),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::{Checker, Settings};
    use crate::SourceFile;

    fn deployment(annotations: &str, image_line: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n{annotations}spec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n        - name: web\n{image_line}"
        )
    }

    /// Only the tag rules run: the others (no probes, no requests) would add findings these
    /// tests are not about.
    fn check(text: &str) -> crate::Report {
        Checker::new(Settings {
            select: vec!["image-tag-latest".into(), "image-tag-missing".into()],
            ..Settings::default()
        })
        .unwrap()
        .check(&[SourceFile::new("x.yaml", text)])
    }

    #[test]
    fn an_annotation_silences_the_rules_it_names() {
        let bare = check(&deployment("", "          image: nginx:latest\n"));
        assert_eq!(bare.findings.len(), 1);
        let silenced = check(&deployment(
            "  annotations:\n    kubeclinic.io/ignore: image-tag-latest\n",
            "          image: nginx:latest\n",
        ));
        assert!(silenced.findings.is_empty());
        assert_eq!(silenced.suppressed.len(), 1);
        assert!(silenced.suppressed[0].by.contains("Deployment web"));
        let other = check(&deployment(
            "  annotations:\n    kubeclinic.io/ignore: oom-killed\n",
            "          image: nginx:latest\n",
        ));
        assert_eq!(other.findings.len(), 1);
    }

    #[test]
    fn a_container_annotation_silences_that_container_only() {
        let text = deployment(
            "  annotations:\n    kubeclinic.io/ignore.web: all\n",
            "          image: nginx:latest\n        - name: side\n          image: busybox:latest\n",
        );
        let report = check(&text);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].container.as_deref(), Some("side"));
        assert_eq!(report.suppressed.len(), 1);
    }

    #[test]
    fn comments_silence_their_line_or_the_next() {
        let trailing = check(&deployment(
            "",
            "          image: nginx:latest # kubeclinic: ignore[image-tag-latest]\n",
        ));
        assert!(trailing.findings.is_empty());
        assert_eq!(trailing.suppressed[0].by, "comment on line 14");
        let above = check(&deployment(
            "",
            "          # kubeclinic: ignore[image-tag-latest] pinned by the mirror\n          image: nginx:latest\n",
        ));
        assert!(above.findings.is_empty());
        let wrong = check(&deployment(
            "",
            "          image: nginx:latest # kubeclinic: ignore[image-tag-missing]\n",
        ));
        assert_eq!(wrong.findings.len(), 1);
    }
}
