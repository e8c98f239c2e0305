//! Byte ranges into the person's text, and the conversion to lines and columns that only the
//! edges (CLI, browser) need.

use serde::Serialize;

/// A half-open byte range `[start, end)` into one input text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TextRange {
    pub start: usize,
    pub end: usize,
}

impl TextRange {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "range {start}..{end} is reversed");
        Self { start, end }
    }

    pub fn empty(at: usize) -> Self {
        Self { start: at, end: at }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub fn shifted(self, by: usize) -> Self {
        Self::new(self.start + by, self.end + by)
    }

    pub fn contains_range(&self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Two ranges overlap when they share a byte, or when both insert at the same spot
    /// (their order would be ambiguous).
    pub fn overlaps(&self, other: TextRange) -> bool {
        if self.is_empty() && other.is_empty() {
            return self.start == other.start;
        }
        self.start < other.end && other.start < self.end
    }
}

/// How columns are counted at an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    /// Unicode scalar values: what a terminal shows (the CLI).
    Utf8Chars,
    /// UTF-16 code units: what a browser's text area counts.
    Utf16,
}

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LineColumn {
    pub line: usize,
    pub column: usize,
}

/// Line starts of one text, for turning byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { line_starts }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of 0-based `line`, without its line terminator.
    pub fn line_range(&self, line: usize, text: &str) -> TextRange {
        let start = self.line_starts[line];
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |next| next - 1);
        if end > start && text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        TextRange::new(start, end.max(start))
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line]
    }

    pub fn position(&self, offset: usize, text: &str, encoding: PositionEncoding) -> LineColumn {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let prefix = &text[self.line_starts[line]..offset];
        let column = match encoding {
            PositionEncoding::Utf8Chars => prefix.chars().count(),
            PositionEncoding::Utf16 => prefix.encode_utf16().count(),
        };
        LineColumn {
            line: line + 1,
            column: column + 1,
        }
    }
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_columns_from_one() {
        let text = "a: 1\nbé: 2\r\nc: 😀x\n";
        let index = LineIndex::new(text);
        let at = |needle: &str, enc| index.position(text.find(needle).unwrap(), text, enc);
        assert_eq!(
            at("a", PositionEncoding::Utf8Chars),
            LineColumn { line: 1, column: 1 }
        );
        assert_eq!(
            at(": 2", PositionEncoding::Utf8Chars),
            LineColumn { line: 2, column: 3 }
        );
        assert_eq!(
            at("x", PositionEncoding::Utf8Chars),
            LineColumn { line: 3, column: 5 }
        );
        assert_eq!(
            at("x", PositionEncoding::Utf16),
            LineColumn { line: 3, column: 6 }
        );
        assert_eq!(index.line_range(1, text), TextRange::new(5, 11));
    }

    #[test]
    fn inserts_at_one_spot_overlap_but_touching_ranges_do_not() {
        assert!(TextRange::empty(3).overlaps(TextRange::empty(3)));
        assert!(!TextRange::new(0, 3).overlaps(TextRange::new(3, 5)));
        assert!(TextRange::new(0, 4).overlaps(TextRange::new(3, 5)));
    }
}
