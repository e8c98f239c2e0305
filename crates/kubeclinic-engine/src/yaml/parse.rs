//! Text -> documents of span-keeping nodes, one document at a time so that a syntax error
//! in one document leaves the others readable.

use std::collections::HashMap;
use std::rc::Rc;

use saphyr_parser::{Event, Parser, ScanError};

use crate::text::TextRange;

use super::tree::{Entry, Node, NodeKind, Scalar, ScalarStyle};

/// Collections nested deeper than this are refused: no Kubernetes object comes close, and a
/// hostile paste must not exhaust the stack of whatever walks the tree.
pub const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub at: usize,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Document {
    /// The document's bytes, from its `---` line (if any) to the next one.
    pub range: TextRange,
    pub root: Option<Node>,
    pub error: Option<SyntaxError>,
}

/// Splits a stream into documents and parses each one.
pub fn parse_stream(text: &str) -> Vec<Document> {
    parse_region(text, TextRange::new(0, text.len()))
}

/// Like [`parse_stream`] for the part `region` of `text`; spans stay relative to `text`.
pub fn parse_region(text: &str, region: TextRange) -> Vec<Document> {
    split_documents(&text[..region.end], region.start)
        .into_iter()
        .map(|range| {
            let (root, error) = parse_document(text, range);
            Document { range, root, error }
        })
        .collect()
}

/// Cuts the text at `---` lines. Chunks holding only comments, directives or blank lines are
/// joined to the following chunk so that a `# Source:` comment stays with its document.
pub fn split_documents(text: &str, from: usize) -> Vec<TextRange> {
    let start = if text[from..].starts_with('\u{feff}') {
        from + 3
    } else {
        from
    };
    let mut cuts = vec![start];
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if offset != start && is_document_start(line) {
            cuts.push(offset);
        }
        offset += line.len();
    }
    let mut ranges: Vec<TextRange> = Vec::new();
    let mut pending_start: Option<usize> = None;
    for (i, &cut) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).copied().unwrap_or(text.len());
        let chunk_start = pending_start.take().unwrap_or(cut);
        let range = TextRange::new(chunk_start, end);
        if i + 1 < cuts.len() && !has_content(&text[cut..end]) {
            pending_start = Some(chunk_start);
            continue;
        }
        ranges.push(range);
    }
    ranges
}

fn is_document_start(line: &str) -> bool {
    let rest = match line.strip_prefix("---") {
        Some(rest) => rest,
        None => return false,
    };
    rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n'])
}

fn has_content(chunk: &str) -> bool {
    chunk.lines().any(|line| {
        let t = line.trim();
        !(t.is_empty() || t.starts_with('#') || t.starts_with('%') || t == "---" || t == "...")
    })
}

/// saphyr counts positions in characters; the engine speaks bytes.
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    cursor_char: usize,
    cursor_byte: usize,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            ascii: text.is_ascii(),
            cursor_char: 0,
            cursor_byte: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        // Marks mostly move forward; walk back the few characters when one does not.
        while self.cursor_char > char_index {
            let Some(c) = self.text[..self.cursor_byte].chars().next_back() else {
                self.cursor_char = 0;
                break;
            };
            self.cursor_byte -= c.len_utf8();
            self.cursor_char -= 1;
        }
        let mut chars = self.text[self.cursor_byte..].chars();
        while self.cursor_char < char_index {
            match chars.next() {
                Some(c) => {
                    self.cursor_byte += c.len_utf8();
                    self.cursor_char += 1;
                }
                None => break,
            }
        }
        self.cursor_byte
    }
}

enum Open {
    Mapping {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<Node>,
    },
    Sequence {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
}

struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Rc<Node>>,
    root: Option<Node>,
}

impl Builder {
    /// Places a finished node into its parent, or makes it the root.
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, Rc::new(node.clone()));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
        }
    }
}

fn parse_document(text: &str, range: TextRange) -> (Option<Node>, Option<SyntaxError>) {
    let chunk = &text[range.start..range.end];
    let mut offsets = CharToByte::new(chunk);
    let mut parser = Parser::new_from_str(chunk);
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
    };
    let error_at = |e: &ScanError, offsets: &mut CharToByte| SyntaxError {
        at: range.start + offsets.byte(e.marker().index()),
        message: if e.info().contains("recursion limit") {
            format!("collections are nested more than {MAX_DEPTH} levels deep")
        } else {
            e.info().to_string()
        },
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = match next {
            Ok(pair) => pair,
            Err(e) => return (builder.root, Some(error_at(&e, &mut offsets))),
        };
        let start = range.start + offsets.byte(span.start.index());
        let end = range.start + offsets.byte(span.end.index());
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                // saphyr can stretch a quoted scalar's span over a trailing comment: end it at
                // its closing quote.
                let end = match style {
                    saphyr_parser::ScalarStyle::SingleQuoted
                    | saphyr_parser::ScalarStyle::DoubleQuoted => {
                        closing_quote(text, start).unwrap_or(end)
                    }
                    _ => end,
                };
                let node = Node {
                    span: TextRange::new(start, end.max(start)),
                    kind: NodeKind::Scalar(Scalar {
                        text: value.into_owned(),
                        style: convert_style(style),
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    }),
                    flow: false,
                };
                builder.push(node, anchor);
            }
            Event::Alias(id) => {
                let Some(target) = builder.anchors.get(&id).cloned() else {
                    let message = "alias names an anchor that is not defined before it".into();
                    return (None, Some(SyntaxError { at: start, message }));
                };
                let node = Node {
                    span: TextRange::new(start, end.max(start)),
                    kind: NodeKind::Alias(target),
                    flow: false,
                };
                builder.push(node, 0);
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                // A block sequence's span starts at its first item; take in the `- ` too.
                let start = if matches!(event, Event::SequenceStart(..))
                    && text.as_bytes().get(start) != Some(&b'[')
                {
                    let before = text[..start].trim_end_matches(' ');
                    if before.ends_with('-') {
                        before.len() - 1
                    } else {
                        start
                    }
                } else {
                    start
                };
                if builder.stack.len() >= MAX_DEPTH {
                    let message =
                        format!("collections are nested more than {MAX_DEPTH} levels deep");
                    return (None, Some(SyntaxError { at: start, message }));
                }
                builder.stack.push(match event {
                    Event::MappingStart(..) => Open::Mapping {
                        start,
                        anchor,
                        entries: Vec::new(),
                        pending_key: None,
                    },
                    _ => Open::Sequence {
                        start,
                        anchor,
                        items: Vec::new(),
                    },
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(open) = builder.stack.pop() else {
                    continue;
                };
                let flow = chunk
                    .as_bytes()
                    .get(open_start(&open) - range.start)
                    .is_some_and(|b| matches!(b, b'{' | b'['));
                let (node_start, anchor, kind, last_end) = match open {
                    Open::Mapping {
                        start,
                        anchor,
                        entries,
                        ..
                    } => {
                        let last = entries.last().map(|e| e.value.span.end.max(e.key.span.end));
                        (start, anchor, NodeKind::Mapping(entries), last)
                    }
                    Open::Sequence {
                        start,
                        anchor,
                        items,
                    } => {
                        let last = items.last().map(|n| n.span.end);
                        (start, anchor, NodeKind::Sequence(items), last)
                    }
                };
                let node_end = if flow {
                    // The closing bracket: past the last item (or the opening one), only
                    // blanks, commas and comments may come before it. The event's own end can
                    // run on over a trailing comment.
                    closing_bracket(text, last_end.unwrap_or(node_start + 1))
                        .unwrap_or(end)
                        .max(node_start)
                } else {
                    last_end.unwrap_or(node_start).max(node_start)
                };
                let node = Node {
                    span: TextRange::new(node_start, node_end),
                    kind,
                    flow,
                };
                builder.push(node, anchor);
            }
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart(_) | Event::DocumentEnd => {}
        }
    }
    (builder.root, None)
}

/// The byte after the `}` or `]` that closes a flow collection whose last item ends at
/// `from`; `None` when anything but blanks, commas and comments comes first.
fn closing_bracket(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'}' | b']' => return Some(i + 1),
            b' ' | b'\t' | b'\r' | b'\n' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            _ => return None,
        }
    }
    None
}

/// The byte after the closing quote of the quoted scalar starting at `start`.
fn closing_quote(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = *bytes.get(start)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn open_start(open: &Open) -> usize {
    match open {
        Open::Mapping { start, .. } | Open::Sequence { start, .. } => *start,
    }
}

fn convert_style(style: saphyr_parser::ScalarStyle) -> ScalarStyle {
    match style {
        saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    }
}

#[cfg(test)]
mod flow_tests {
    use super::parse_stream;

    #[test]
    fn a_flow_collection_ends_at_its_bracket_not_after_its_comment() {
        let text = "a:\n  resources: {} # keep me\n  b: [x, {c: 1} ] # and me\n  d: {e: 'f' , }\n";
        let docs = parse_stream(text);
        let root = docs[0].root.as_ref().unwrap();
        let a = root.get("a").unwrap();
        let span = |key: &str| {
            let n = a.get(key).unwrap();
            &text[n.span.start..n.span.end]
        };
        assert_eq!(span("resources"), "{}");
        assert_eq!(span("b"), "[x, {c: 1} ]");
        assert_eq!(span("d"), "{e: 'f' , }");
    }
}
