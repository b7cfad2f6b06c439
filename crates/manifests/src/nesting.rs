//! A linear pre-check for deeply nested flow collections (`[[[[…` or `{a: {a: …`).
//!
//! The YAML deserializer refuses more than 128 levels, but only after the parser has read the
//! whole document, and the parser (libyaml) spends time proportional to the nesting depth on
//! every token inside flow collections: 100,000 `{a: ` take minutes. This scan finds such input
//! first. It only counts brackets that certainly open a flow collection, so it never refuses a
//! document the parser would accept: a flow depth over [`MAX_DEPTH`] fails there too.

/// The deserializer's limit: 128 nested sequences and mappings, the outermost one included.
pub(crate) const MAX_DEPTH: usize = 128;

/// 1-based line (relative to `text`) where flow collections nest deeper than [`MAX_DEPTH`].
pub(crate) fn too_deep(text: &str) -> Option<usize> {
    let mut scan = Scan::default();
    for (index, line) in text.split('\n').enumerate() {
        if scan.line(line.as_bytes()) {
            return Some(index + 1);
        }
    }
    None
}

#[derive(Default)]
struct Scan {
    /// Open flow collections; 0 in block context.
    depth: usize,
    quote: Option<u8>,
    /// Indentation of the line that started a block scalar whose content lines are skipped.
    block_scalar: Option<usize>,
}

impl Scan {
    /// Scans one line; true when the depth limit is passed on it.
    fn line(&mut self, line: &[u8]) -> bool {
        let indent = line.iter().take_while(|b| **b == b' ').count();
        if let Some(parent) = self.block_scalar {
            let blank = line.iter().all(|b| b.is_ascii_whitespace());
            if blank || indent > parent {
                return false;
            }
            self.block_scalar = None;
        }
        if self.depth == 0 && self.quote.is_none() && line.first() == Some(&b'%') {
            return false; // a directive
        }
        // Whether a node may start here: brackets and quotes only open something there.
        let mut node_start = true;
        let mut previous = b' ';
        let mut i = 0;
        while i < line.len() {
            let c = line[i];
            if let Some(quote) = self.quote {
                match c {
                    b'\\' if quote == b'"' => i += 1,
                    b'\'' if quote == b'\'' && line.get(i + 1) == Some(&b'\'') => i += 1,
                    _ if c == quote => {
                        self.quote = None;
                        node_start = false;
                    }
                    _ => {}
                }
            } else if c == b'#' && (previous == b' ' || previous == b'\t' || i == 0) {
                break; // comment
            } else if c == b' ' || c == b'\t' || c == b'\r' {
                // separation keeps `node_start` as it is
            } else if self.depth > 0 {
                match c {
                    b'[' | b'{' => {
                        self.depth += 1;
                        if self.depth > MAX_DEPTH {
                            return true;
                        }
                        node_start = true;
                    }
                    b']' | b'}' => {
                        self.depth -= 1;
                        node_start = false;
                    }
                    b',' | b':' | b'?' => node_start = true,
                    b'"' | b'\'' if node_start => self.quote = Some(c),
                    _ => node_start = false,
                }
            } else if node_start {
                match c {
                    b'[' | b'{' => {
                        self.depth = 1;
                        node_start = true;
                    }
                    b'"' | b'\'' => self.quote = Some(c),
                    b'|' | b'>' => {
                        self.block_scalar = Some(indent);
                        return false;
                    }
                    // Indicators followed by a separator start another node.
                    b'-' | b'?' | b':' if is_separator(line.get(i + 1)) => {}
                    // Anchors and tags come before the node they belong to.
                    b'&' | b'!' => {
                        while i + 1 < line.len() && !is_separator(line.get(i + 1)) {
                            i += 1;
                        }
                    }
                    _ => node_start = false,
                }
            } else if c == b':' && is_separator(line.get(i + 1)) {
                node_start = true; // a mapping value follows
            }
            previous = c;
            i += 1;
        }
        false
    }
}

fn is_separator(c: Option<&u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\t' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(prefix: &str, depth: usize) -> String {
        format!("{prefix}{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn counts_flow_nesting_wherever_a_node_starts() {
        assert_eq!(too_deep(&nested("", MAX_DEPTH)), None);
        assert_eq!(too_deep(&nested("", MAX_DEPTH + 1)), Some(1));
        assert_eq!(too_deep(&nested("a:\n  b: ", MAX_DEPTH + 1)), Some(2));
        assert_eq!(too_deep(&nested("- &x !!seq ", MAX_DEPTH + 1)), Some(1));
        assert_eq!(too_deep(&"{a: ".repeat(1000)), Some(1));
        assert_eq!(too_deep(&"[\n".repeat(1000)), Some(MAX_DEPTH + 1));
    }

    #[test]
    fn brackets_inside_scalars_and_comments_do_not_count() {
        let many = "[".repeat(1000);
        for text in [
            format!("a: b{many}"),
            format!("a: b {many}"),
            format!("a: \"{many}\""),
            format!("a: '{many}'"),
            format!("a: [\"{many}\", 'it''s {many}']"),
            format!("a: 1 # {many}"),
            format!("a: |\n  {many}\n  {many}\nb: 1\n"),
            format!("- >-\n\n   {many}\n"),
            format!("a: \"multi\n  line {many}\n  \"\n"),
        ] {
            assert_eq!(too_deep(&text), None, "{text}");
        }
    }

    #[test]
    fn agrees_with_the_deserializer_limit() {
        for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
            let text = nested("", depth);
            let parsed = serde_norway::from_str::<serde_norway::Value>(&text);
            assert_eq!(parsed.is_ok(), too_deep(&text).is_none(), "depth {depth}");
        }
    }
}
