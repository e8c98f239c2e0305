use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId, Related};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::{Node, NodeKind};

declare_rule! {
    /// ## What it does
    /// Finds a key written twice in the same mapping (two `env` blocks, `resources` given
    /// twice after a merge of two snippets), and points at the first one too.
    ///
    /// ## Why is this bad?
    /// `kubectl` refuses the whole input (`mapping key "env" already defined at line 12`);
    /// tools that accept it keep only one of the two, silently.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// data:
    ///   LOG_LEVEL: info
    ///   LOG_LEVEL: debug
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// data:
    ///   LOG_LEVEL: debug
    /// ```
    ///
    /// ## Fix safety
    /// No fix: which of the two you meant is yours to say.
    pub struct DuplicateKey {
        id: "duplicate-key",
        category: Syntax,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct Duplicate {
    file: FileId,
    key: String,
    first: TextRange,
    again: TextRange,
}

impl Rule for DuplicateKey {
    type State<'a> = Duplicate;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<Duplicate> {
        let mut out = Vec::new();
        for (file, documents) in ws.parsed.documents.iter().enumerate() {
            for root in documents.iter().filter_map(|d| d.root.as_ref()) {
                walk(file, root, &mut out);
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, d: &Duplicate) -> Diagnostic {
        let first_line = ws.lines(d.file).line_of(d.first.start) + 1;
        Diagnostic {
            file: d.file,
            range: d.again,
            message: format!("`{}` is given twice in this mapping (first on line {first_line})", d.key),
            why: format!("kubectl refuses the whole input (`mapping key \"{}\" already defined at line {first_line}`); tools that accept it keep one of the two without saying which.", d.key),
            help: Some("Keep one of them, merging what both hold if you meant both.".into()),
            object: None,
            container: None,
            severity: None,
        }
    }

    fn related<'a>(_ws: &Workspace<'a>, d: &Duplicate) -> Vec<Related> {
        vec![Related {
            file: d.file,
            range: d.first,
            message: format!("`{}` first given here", d.key),
        }]
    }
}

fn walk(file: FileId, node: &Node, out: &mut Vec<Duplicate>) {
    match &node.kind {
        NodeKind::Mapping(entries) => {
            for (i, entry) in entries.iter().enumerate() {
                let Some(key) = entry.key.as_str() else {
                    continue;
                };
                if key == "<<" {
                    continue;
                }
                if let Some(first) = entries[..i].iter().find(|e| e.key.as_str() == Some(key)) {
                    out.push(Duplicate {
                        file,
                        key: key.to_string(),
                        first: first.key.span,
                        again: entry.key.span,
                    });
                }
                walk(file, &entry.value, out);
            }
        }
        NodeKind::Sequence(items) => {
            for item in items {
                walk(file, item, out);
            }
        }
        _ => {}
    }
}
