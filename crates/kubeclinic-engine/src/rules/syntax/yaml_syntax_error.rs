use crate::declare_rule;
use crate::diagnostic::{Diagnostic, FileId};
use crate::model::Workspace;
use crate::rule::Rule;
use crate::text::{floor_char_boundary, TextRange};

declare_rule! {
    /// ## What it does
    /// Reports text that is not valid YAML (or JSON), at the line and column where reading
    /// stopped. The other documents of the input are still checked.
    ///
    /// ## Why is this bad?
    /// `kubectl apply` rejects the whole file, so nothing in it reaches the cluster. Tabs used
    /// for indentation, a missing space after `:`, and unclosed quotes or brackets are the
    /// usual causes.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// data:
    ///   mode: "fast
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: settings
    /// data:
    ///   mode: "fast"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only the author knows what the text was meant to say.
    pub struct YamlSyntaxError {
        id: "yaml-syntax-error",
        category: Syntax,
        severity: Error,
        fix: None,
        reads: Manifests,
    }
}

pub struct BrokenDocument {
    file: FileId,
    at: usize,
    message: String,
    document: usize,
}

impl Rule for YamlSyntaxError {
    type State<'a> = BrokenDocument;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<BrokenDocument> {
        let mut out = Vec::new();
        for (file, documents) in ws.parsed.documents.iter().enumerate() {
            for (document, doc) in documents.iter().enumerate() {
                if let Some(error) = &doc.error {
                    out.push(BrokenDocument {
                        file,
                        at: error.at,
                        message: error.message.clone(),
                        document: document + 1,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, state: &BrokenDocument) -> Diagnostic {
        let text = ws.text(state.file);
        let start = floor_char_boundary(text, state.at.min(text.len()));
        let end = text[start..]
            .chars()
            .next()
            .filter(|c| *c != '\n')
            .map_or(start, |c| start + c.len_utf8());
        let hint = syntax_hint(
            &state.message,
            &text[ws
                .lines(state.file)
                .line_range(ws.lines(state.file).line_of(start), text)
                .start..],
        );
        Diagnostic {
            file: state.file,
            range: TextRange::new(start, end),
            message: format!(
                "Document {} is not valid YAML: {}",
                state.document, state.message
            ),
            why: "kubectl rejects the whole input, so none of its objects reach the cluster."
                .into(),
            help: Some(hint),
            object: None,
            container: None,
            severity: None,
        }
    }
}

fn syntax_hint(message: &str, line_onwards: &str) -> String {
    let line = line_onwards.lines().next().unwrap_or("");
    if line.starts_with('\t')
        || line.trim_start_matches(' ').starts_with('\t')
        || message.contains("tab")
    {
        "YAML indentation must use spaces; replace the tab characters on this line.".into()
    } else if message.contains("quoted") {
        "A quoted string is not closed; add the closing quote.".into()
    } else if message.contains("mapping values are not allowed") {
        "A value contains `: `; quote the value, or check the indentation of this line.".into()
    } else if message.contains("nested") {
        "This is not a Kubernetes object: no manifest nests this deep.".into()
    } else if message.contains("MiB") {
        "Check the inputs one at a time.".into()
    } else {
        "Check the indentation and punctuation at this spot and on the line above.".into()
    }
}
