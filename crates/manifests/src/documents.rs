//! Splitting a file into its YAML documents before parsing any of them.
//!
//! Each document is parsed on its own so that a syntax error in one cannot hide the ones after
//! it, and so that every document knows the line it starts on. The split follows YAML's own
//! rule: a line starting with `---` or `...` followed by a space, a tab or the end of the line
//! is a document marker wherever it appears (at column 0 it ends any block or quoted scalar), so
//! no marker is ever found "inside" a value.

/// One document of a file, as the bytes it spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawDocument<'a> {
    /// 0-based, counted as YAML counts documents: text before the first `---` only counts when
    /// it holds content, and an explicit `---` always starts a document, even an empty one.
    pub index: usize,
    pub bytes: &'a [u8],
    /// 1-based line of the first byte of `bytes` in the file.
    pub first_line: usize,
    /// 1-based line of the first line holding content (not blank, a comment, a directive or a
    /// bare marker); `None` for an empty document.
    pub content_line: Option<usize>,
}

/// Documents of `bytes` in order. Never fails: what is not YAML fails later, per document.
pub(crate) fn split(bytes: &[u8]) -> Vec<RawDocument<'_>> {
    let mut documents = Vec::new();
    let mut current = Open {
        start: 0,
        first_line: 1,
        explicit: false,
        content_line: None,
    };
    let mut offset = 0;
    for (line_index, raw_line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let line_no = line_index + 1;
        let line = trim_newline(raw_line);
        let next_offset = offset + raw_line.len();
        if let Some(rest) = marker(line, b"---") {
            let keep_start = !current.explicit && current.content_line.is_none();
            let (start, first_line) = if keep_start {
                // Only comments and directives so far: they belong to this document.
                (current.start, current.first_line)
            } else {
                current.close(bytes, offset, &mut documents);
                (offset, line_no)
            };
            current = Open {
                start,
                first_line,
                explicit: true,
                content_line: is_content(rest).then_some(line_no),
            };
        } else if marker(line, b"...").is_some() {
            // `...` ends the document it follows; the next one may start without `---`.
            current.close(bytes, next_offset, &mut documents);
            current = Open {
                start: next_offset,
                first_line: line_no + 1,
                explicit: false,
                content_line: None,
            };
        } else if current.content_line.is_none() && is_content(line) && !line.starts_with(b"%") {
            current.content_line = Some(line_no);
        }
        offset = next_offset;
    }
    current.close(bytes, bytes.len(), &mut documents);
    documents
}

/// 1-based line of byte `offset` in `bytes`.
pub(crate) fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    let end = offset.min(bytes.len());
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count()
}

/// The document being collected.
struct Open {
    start: usize,
    first_line: usize,
    explicit: bool,
    content_line: Option<usize>,
}

impl Open {
    fn close<'a>(&self, bytes: &'a [u8], end: usize, documents: &mut Vec<RawDocument<'a>>) {
        if self.explicit || self.content_line.is_some() {
            documents.push(RawDocument {
                index: documents.len(),
                bytes: &bytes[self.start..end],
                first_line: self.first_line,
                content_line: self.content_line,
            });
        }
    }
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The rest of the line after `marker` when the line is that document marker.
fn marker<'a>(line: &'a [u8], marker: &[u8]) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(marker)?;
    match rest.first() {
        None | Some(b' ' | b'\t') => Some(rest),
        Some(_) => None,
    }
}

/// Whether a line (or the rest of a marker line) holds anything but blanks and a comment.
fn is_content(line: &[u8]) -> bool {
    match line.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r')) {
        None | Some(b'#') => false,
        Some(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (index, text, first_line, content_line) of each document.
    fn docs(text: &str) -> Vec<(usize, &str, usize, Option<usize>)> {
        split(text.as_bytes())
            .into_iter()
            .map(|d| {
                (
                    d.index,
                    std::str::from_utf8(d.bytes).unwrap(),
                    d.first_line,
                    d.content_line,
                )
            })
            .collect()
    }

    #[test]
    fn single_document_without_marker() {
        assert_eq!(docs("a: 1\nb: 2\n"), vec![(0, "a: 1\nb: 2\n", 1, Some(1))]);
    }

    #[test]
    fn empty_input_has_no_documents() {
        assert!(docs("").is_empty());
        assert!(docs("# just a comment\n\n").is_empty());
    }

    #[test]
    fn leading_marker_does_not_make_an_extra_document() {
        assert_eq!(
            docs("# header\n---\na: 1\n"),
            vec![(0, "# header\n---\na: 1\n", 1, Some(3))]
        );
    }

    #[test]
    fn markers_split_and_count_empty_explicit_documents() {
        assert_eq!(
            docs("a: 1\n---\n---   # empty\nb: 2\n--- \n# c\nc: 3"),
            vec![
                (0, "a: 1\n", 1, Some(1)),
                (1, "---\n", 2, None),
                (2, "---   # empty\nb: 2\n", 3, Some(4)),
                (3, "--- \n# c\nc: 3", 5, Some(7)),
            ]
        );
    }

    #[test]
    fn content_on_the_marker_line_counts() {
        assert_eq!(
            docs("--- {a: 1}\n--- !!str x\n"),
            vec![
                (0, "--- {a: 1}\n", 1, Some(1)),
                (1, "--- !!str x\n", 2, Some(2))
            ]
        );
    }

    #[test]
    fn dashes_that_are_not_markers_stay_inside_the_document() {
        let text = "a: ---\nb: |\n  ---\n---x: 1\n  - ---\n";
        assert_eq!(docs(text), vec![(0, text, 1, Some(1))]);
    }

    #[test]
    fn end_marker_closes_a_document() {
        assert_eq!(
            docs("a: 1\n...\nb: 2\n...\n"),
            vec![
                (0, "a: 1\n...\n", 1, Some(1)),
                (1, "b: 2\n...\n", 3, Some(3))
            ]
        );
    }

    #[test]
    fn directives_belong_to_the_next_document() {
        assert_eq!(
            docs("%YAML 1.2\n---\na: 1\n"),
            vec![(0, "%YAML 1.2\n---\na: 1\n", 1, Some(3))]
        );
    }

    #[test]
    fn crlf_line_endings_are_markers_too() {
        assert_eq!(
            docs("a: 1\r\n---\r\nb: 2\r\n"),
            vec![
                (0, "a: 1\r\n", 1, Some(1)),
                (1, "---\r\nb: 2\r\n", 2, Some(3))
            ]
        );
    }

    #[test]
    fn line_of_offset_counts_from_one() {
        assert_eq!(line_of_offset(b"ab\ncd\n", 0), 1);
        assert_eq!(line_of_offset(b"ab\ncd\n", 3), 2);
        assert_eq!(line_of_offset(b"ab\ncd\n", 100), 3);
    }
}
