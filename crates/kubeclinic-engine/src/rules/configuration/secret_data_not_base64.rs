use super::content_range;
use super::links::listing;
use super::sensitive::{decode, encode, printable};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, FileId, Fix};
use crate::model::{K8sObject, Workspace};
use crate::patch::{column_of, insert_lines};
use crate::rule::Rule;
use crate::text::TextRange;
use crate::yaml::{render_scalar, Entry, Node, ScalarValue};

declare_rule! {
    /// ## What it does
    /// Finds values of a Secret's `data` (or a ConfigMap's `binaryData`) that are not valid
    /// base64 as the API server decodes it: standard alphabet, `=` padding required, line
    /// breaks allowed. Most often the value is plain text meant for `stringData` (or a
    /// ConfigMap's `data`); sometimes it is base64 written loosely (no padding, the URL-safe
    /// alphabet, spaces).
    ///
    /// ## Why is this bad?
    /// The API server refuses the whole object (`Secret in version "v1" cannot be handled as a
    /// Secret: illegal base64 data at input byte 9`): it is never stored, and every pod that
    /// reads it waits for it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ledger-db
    /// type: Opaque
    /// data:
    ///   username: bGVkZ2Vy
    ///   password: Tr0ub4dor&3
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ledger-db
    /// type: Opaque
    /// data:
    ///   username: bGVkZ2Vy
    /// stringData:
    ///   password: Tr0ub4dor&3
    /// ```
    ///
    /// ## Fix safety
    /// Safe when the value is base64 of text written loosely: the fix writes the same bytes as
    /// standard, padded base64. Otherwise unsafe: the fix moves the plain-text values under
    /// `stringData` (a ConfigMap's `data`), line by line as written, which stores them as
    /// written; if a value was meant to be base64 of something else, write that instead. No fix
    /// when a flow mapping (`data: {...}`) would have to be split.
    pub struct SecretDataNotBase64 {
        id: "secret-data-not-base64",
        category: Configuration,
        severity: Error,
        fix: Sometimes,
        reads: Manifests,
    }
}

pub struct NotBase64<'a> {
    object: usize,
    /// `data` of a Secret, `binaryData` of a ConfigMap.
    field: &'static str,
    entry: &'a Entry,
    key: &'a str,
    /// Go's `illegal base64 data at input byte N`.
    at: usize,
    /// The same bytes as standard base64, when the value was base64 of text written loosely.
    standard: Option<String>,
}

/// `stringData` for a Secret's `data`, `data` for a ConfigMap's `binaryData`.
fn plain_field(field: &str) -> &'static str {
    if field == "data" {
        "stringData"
    } else {
        "data"
    }
}

/// Base64 of text written loosely (spaces, the URL-safe alphabet, no padding), as standard
/// base64.
fn loose(text: &str) -> Option<String> {
    let mut squashed: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while squashed.ends_with('=') {
        squashed.pop();
    }
    match squashed.len() % 4 {
        1 => return None,
        2 => squashed.push_str("=="),
        3 => squashed.push('='),
        _ => {}
    }
    let bytes = decode(&squashed).ok()?;
    printable(&bytes)?;
    Some(encode(&bytes))
}

/// The entries of `field` that are not base64, with Go's error offset.
fn invalid(object: &K8sObject, field: &str) -> Vec<(usize, usize)> {
    object
        .node
        .get(field)
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e.value.as_scalar().map(|s| s.value()) {
            Some(ScalarValue::Str(text)) => decode(&text).err().map(|err| (i, err.at)),
            _ => None,
        })
        .collect()
}

impl Rule for SecretDataNotBase64 {
    type State<'a> = NotBase64<'a>;

    fn detect<'a>(ws: &Workspace<'a>) -> Vec<NotBase64<'a>> {
        let mut out = Vec::new();
        for (kind, field) in [("Secret", "data"), ("ConfigMap", "binaryData")] {
            for &index in ws.indexes_of_kind(kind) {
                let object = &ws.objects[index];
                let Some(map) = object.node.get(field) else {
                    continue;
                };
                for (i, at) in invalid(object, field) {
                    let entry = &map.entries()[i];
                    let Some(key) = entry.key.as_str().filter(|k| !k.is_empty()) else {
                        continue;
                    };
                    let standard = entry.value.as_scalar().and_then(|s| loose(&s.text));
                    out.push(NotBase64 {
                        object: index,
                        field,
                        entry,
                        key,
                        at,
                        standard,
                    });
                }
            }
        }
        out
    }

    fn finding<'a>(ws: &Workspace<'a>, n: &NotBase64<'a>) -> Diagnostic {
        let object = &ws.objects[n.object];
        let kind = &object.kind;
        let plain = plain_field(n.field);
        let (what, help) = match &n.standard {
            Some(_) => (
                "is base64 written loosely (without padding, with spaces or the URL-safe alphabet)".to_string(),
                "Write it as standard base64 with its `=` padding (`echo -n 'value' | base64 -w0`).".to_string(),
            ),
            None => (
                "is not base64".to_string(),
                format!("Values under `{}` must be base64 (`echo -n 'value' | base64 -w0`); write plain text under `{plain}` instead.", n.field),
            ),
        };
        Diagnostic {
            file: object.file,
            range: content_range(ws, object.file, &n.entry.value),
            message: format!(
                "{} key {} under {} {what}",
                object.display(),
                n.key,
                n.field
            ),
            why: format!("The API server refuses the whole {kind} (`{kind} in version \"v1\" cannot be handled as a {kind}: illegal base64 data at input byte {}`): it is never stored, and pods that read it wait for it.", n.at),
            help: Some(help),
            object: Some(object.reference()),
            container: None,
            severity: None,
        }
    }

    fn fix<'a>(ws: &Workspace<'a>, n: &NotBase64<'a>) -> Option<Fix> {
        let object = &ws.objects[n.object];
        if let Some(standard) = &n.standard {
            let style = n.entry.value.as_scalar()?.style;
            return Some(Fix::new(
                format!("Write key {} as standard base64", n.key),
                Applicability::Safe,
                vec![Edit::replace(
                    object.file,
                    content_range(ws, object.file, &n.entry.value),
                    render_scalar(standard, style),
                )],
            ));
        }
        move_plain_text(ws, object, n.field)
    }
}

/// The lines an entry takes, `[start of its key's line, start of the next line)`, when the
/// entry starts its line.
fn entry_lines(ws: &Workspace, file: FileId, entry: &Entry) -> Option<TextRange> {
    let text = ws.text(file);
    let index = ws.lines(file);
    let start = index.line_start(index.line_of(entry.key.span.start));
    if !text[start..entry.key.span.start].trim().is_empty() {
        return None;
    }
    let last = content_range(ws, file, &entry.value)
        .end
        .max(entry.key.span.end);
    let line = index.line_of(last.saturating_sub(1).max(entry.key.span.start));
    let end = if line + 1 < index.line_count() {
        index.line_start(line + 1)
    } else {
        text.len()
    };
    Some(TextRange::new(start, end))
}

/// The entry's lines, their indentation made relative to its key.
fn relative_lines(ws: &Workspace, file: FileId, entry: &Entry, lines: TextRange) -> Vec<String> {
    let column = column_of(ws, file, entry.key.span.start);
    ws.source(file, lines)
        .trim_end_matches(['\n', '\r'])
        .split('\n')
        .map(|l| {
            let l = l.trim_end_matches('\r');
            let spaces = l.len() - l.trim_start_matches(' ').len();
            l[spaces.min(column)..].to_string()
        })
        .collect()
}

/// Moves every plain-text value of `field` under the plain-text field, keeping each line as
/// written (quotes, comments): the whole map is renamed when all of it is plain text.
fn move_plain_text(ws: &Workspace, object: &K8sObject, field: &str) -> Option<Fix> {
    let file = object.file;
    let plain = plain_field(field);
    let source_entry = object.node.entry(field)?;
    let source = &source_entry.value;
    let entries = source.entries();
    let moved: Vec<&Entry> = invalid(object, field)
        .into_iter()
        .map(|(i, _)| &entries[i])
        .filter(|e| e.value.as_scalar().and_then(|s| loose(&s.text)).is_none())
        .collect();
    let keys: Vec<String> = moved
        .iter()
        .filter_map(|e| e.key.as_str().map(String::from))
        .collect();
    let title = format!(
        "Move {} from {field} to {plain}, as plain text",
        listing(&keys, 5)
    );
    let target = object.node.get(plain);
    if moved.len() == entries.len() && target.is_none() {
        return Some(Fix::new(
            title,
            Applicability::Unsafe,
            vec![Edit::replace(
                file,
                source_entry.key.span,
                render_scalar(plain, source_entry.key.as_scalar()?.style),
            )],
        ));
    }
    if source.flow || moved.is_empty() {
        return None;
    }
    let mut edits = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    for entry in &moved {
        let range = entry_lines(ws, file, entry)?;
        let already = target.and_then(|t| t.get(entry.key.as_str()?)).is_some();
        if !already {
            lines.extend(relative_lines(ws, file, entry, range));
        }
        edits.push(Edit::delete(file, range));
    }
    if moved.len() == entries.len() {
        // Nothing stays: the map's own line goes too.
        let last = entry_lines(ws, file, entries.last()?)?;
        let index = ws.lines(file);
        let start = index.line_start(index.line_of(source_entry.key.span.start));
        edits = vec![Edit::delete(file, TextRange::new(start, last.end))];
    }
    match target {
        Some(t) => {
            if !lines.is_empty() {
                let (first, last) = (t.entries().first()?, t.entries().last()?);
                if t.flow {
                    return None;
                }
                let column = column_of(ws, file, first.key.span.start);
                let after = content_range(ws, file, &last.value)
                    .end
                    .max(last.key.span.end);
                edits.push(insert_lines(ws, file, after, column, &lines));
            }
        }
        None => {
            let column = column_of(ws, file, source_entry.key.span.start);
            let inner = column_of(ws, file, entries.first()?.key.span.start).saturating_sub(column);
            let pad = " ".repeat(inner.max(2));
            let mut block = vec![format!("{plain}:")];
            block.extend(lines.iter().map(|l| format!("{pad}{l}")));
            let last = entries.last()?;
            if moved.iter().any(|e| std::ptr::eq(*e, last)) {
                // The last entry's lines become the new map, in place.
                let range = entry_lines(ws, file, last)?;
                let outer = " ".repeat(column);
                let content: String = block.iter().map(|l| format!("{outer}{l}\n")).collect();
                edits.retain(|e| e.range != range);
                edits.push(Edit::replace(file, range, content));
            } else {
                let after = content_range(ws, file, &last.value)
                    .end
                    .max(last.key.span.end);
                edits.push(insert_lines(ws, file, after, column, &block));
            }
        }
    }
    let title = if lines.is_empty() {
        format!(
            "Remove {} from {field} ({plain} sets {})",
            listing(&keys, 5),
            if keys.len() == 1 { "it" } else { "them" }
        )
    } else {
        title
    };
    Some(Fix::new(title, Applicability::Unsafe, edits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_base64_of_text_is_made_standard() {
        assert_eq!(loose("cGFzc3dvcmQ").as_deref(), Some("cGFzc3dvcmQ="));
        assert_eq!(loose("cGFz c3dv cmQ=").as_deref(), Some("cGFzc3dvcmQ="));
        // Plain words do not decode to text.
        assert_eq!(loose("hunter2"), None);
        assert_eq!(loose("admin"), None);
        assert_eq!(loose("Tr0ub4dor&3"), None);
    }
}
