use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::Workspace;
use crate::rule::Rule;

declare_rule! {
    /// ## What it does
    /// Finds the same object (kind, namespace and name) twice in one input: a resource
    /// copied into two templates of a chart, a document pasted twice.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` applies both, one after the other: the second replaces the first
    /// without a word, so half of what you wrote never takes effect. Helm refuses to install a
    /// release whose templates render the same resource twice.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// data:
    ///   LOG_LEVEL: info
    /// ---
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// data:
    ///   CACHE_TTL: "300"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// data:
    ///   LOG_LEVEL: info
    ///   CACHE_TTL: "300"
    /// ```
    ///
    /// ## Fix safety
    /// No fix: merging the two is yours to do.
    pub struct DuplicateObject {
        id: "duplicate-object",
        category: Api,
        severity: Warning,
        fix: None,
        reads: Manifests,
    }
}

pub struct Twice {
    first: usize,
    again: usize,
}

impl Rule for DuplicateObject {
    type State<'a> = Twice;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Twice> {
        let mut out = Vec::new();
        let mut seen: HashMap<(usize, &str, &str, Option<&str>, &str), usize> = HashMap::new();
        for (i, o) in ws.objects.iter().enumerate() {
            // Live objects (`kubectl get` output) and events are the cluster's, not the set's.
            if o.is_live() || o.kind == "Event" {
                continue;
            }
            let Some(name) = o.node.path(&["metadata", "name"]).and_then(|n| n.as_str()) else {
                continue;
            };
            let group = o.api_version.split_once('/').map_or("", |(g, _)| g);
            let key = (o.file, o.kind.as_str(), group, o.namespace.as_deref(), name);
            match seen.get(&key) {
                Some(&first) => out.push(Twice { first, again: i }),
                None => {
                    seen.insert(key, i);
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, t: &Twice) -> Diagnostic {
        let o = &ws.objects[t.again];
        let first_line = ws
            .lines(o.file)
            .line_of(ws.objects[t.first].anchor_range().start)
            + 1;
        Diagnostic {
            file: o.file,
            range: o.anchor_range(),
            message: format!("{} is defined twice (first on line {first_line})", o.display()),
            why: "`kubectl apply` applies both in turn, so the second silently replaces the first; Helm refuses a release that renders the same resource twice.".into(),
            help: Some("Merge the two into one object, or give one of them another name.".into()),
            object: Some(o.reference()),
            container: None,
            severity: Some(Severity::Warning),
        }
    }

    fn related<'a>(ws: &Workspace<'a>, t: &Twice) -> Vec<Related> {
        let first = &ws.objects[t.first];
        vec![Related {
            file: first.file,
            range: first.anchor_range(),
            message: format!("{} first defined here", first.display()),
        }]
    }
}
