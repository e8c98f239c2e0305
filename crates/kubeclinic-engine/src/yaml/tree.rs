//! The span-keeping YAML tree: every key and value knows its bytes in the person's text.

use std::rc::Rc;

use crate::text::TextRange;

use super::scalar::{resolve_plain, ScalarValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The scalar's text after YAML unescaping and folding.
    pub text: String,
    pub style: ScalarStyle,
    /// A local or core tag such as `!!str`, written as the person wrote it resolved (`tag:yaml.org,2002:str`).
    pub tag: Option<String>,
}

impl Scalar {
    pub fn is_null(&self) -> bool {
        self.style == ScalarStyle::Plain
            && self.tag.is_none()
            && matches!(self.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
    }

    /// True when the value is surely a string, decided without building it: quoted, or a
    /// plain scalar that cannot be a number, boolean or null.
    pub fn is_surely_string(&self) -> bool {
        if self.style != ScalarStyle::Plain {
            return self.tag.is_none();
        }
        let Some(first) = self.text.bytes().next() else {
            return false;
        };
        !(first.is_ascii_digit()
            || matches!(first, b'-' | b'+' | b'.' | b'~')
            || self.text.len() <= 5
            || self.tag.is_some())
    }

    /// The value as the Kubernetes API server reads it (YAML 1.1 rules, as go-yaml v2 does).
    pub fn value(&self) -> ScalarValue {
        match (&self.tag, self.style) {
            (Some(tag), _) if tag.ends_with(":str") => ScalarValue::Str(self.text.clone()),
            (_, ScalarStyle::Plain) => resolve_plain(&self.text),
            _ => ScalarValue::Str(self.text.clone()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Mapping(Vec<Entry>),
    Sequence(Vec<Node>),
    /// `*name`: shares the anchored node instead of copying it, so alias bombs stay small.
    Alias(Rc<Node>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: TextRange,
    pub kind: NodeKind,
    /// True for `{...}` / `[...]` collections.
    pub flow: bool,
}

impl Node {
    /// Follows aliases to the node they name.
    #[inline]
    pub fn resolved(&self) -> &Node {
        let mut node = self;
        while let NodeKind::Alias(target) = &node.kind {
            node = target;
        }
        node
    }

    #[inline]
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.resolved().kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's text when it is a scalar that is not null.
    pub fn as_str(&self) -> Option<&str> {
        let scalar = self.as_scalar()?;
        (!scalar.is_null()).then_some(scalar.text.as_str())
    }

    /// A boolean scalar's value (`true`, also YAML 1.1's `yes` and `on`, as Kubernetes reads them).
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_scalar()?.value() {
            crate::yaml::ScalarValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.as_scalar()?.value() {
            ScalarValue::Int(i) => Some(i),
            _ => None,
        }
    }

    #[inline]
    pub fn entries(&self) -> &[Entry] {
        match &self.resolved().kind {
            NodeKind::Mapping(entries) => entries,
            _ => &[],
        }
    }

    #[inline]
    pub fn items(&self) -> &[Node] {
        match &self.resolved().kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    pub fn is_mapping(&self) -> bool {
        matches!(self.resolved().kind, NodeKind::Mapping(_))
    }

    /// The entry for `key`, looking through `<<` merge keys as Kubernetes' YAML reader does.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        let entries = self.entries();
        // One pass, comparing the key's text directly: this runs for every field every rule
        // asks about.
        let mut merges = false;
        for e in entries {
            if let NodeKind::Scalar(k) = &e.key.resolved().kind {
                if k.text == key && !k.is_null() {
                    return Some(e);
                }
                merges |= k.text == "<<";
            }
        }
        if !merges {
            return None;
        }
        entries
            .iter()
            .filter(|e| e.key.as_str() == Some("<<"))
            .find_map(|merge| {
                let value = merge.value.resolved();
                match &value.kind {
                    NodeKind::Sequence(items) => items.iter().find_map(|m| m.entry(key)),
                    _ => value.entry(key),
                }
            })
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Walks a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// `key: value` pairs of a string map such as `labels`, with the entry for spans.
    pub fn string_map(&self) -> Vec<(&str, &str, &Entry)> {
        self.entries()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?, e.value.as_scalar()?.text.as_str(), e)))
            .collect()
    }
}

/// Renders `labels`-style maps as `k=v, k=v` the way kubectl does.
pub fn format_labels<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}
