//! YAML parser errors, moved from document-relative to file-relative positions.
//!
//! Each document is parsed on its own, so the parser counts lines from the document's first
//! line. Its messages embed positions (`… at line 3 column 5, while parsing a block mapping at
//! line 1 column 1`); the primary one becomes the diagnostic's line and is cut from the
//! message, any other one is shifted to count from the top of the file.

/// File line of the error (when the parser knows it) and the message without the primary
/// position. `text` is what was parsed, starting on file line `first_line`. The line comes from
/// the parser's byte index, counting `\n` only: the parser's own line number also counts lone
/// `\r`s and could name a line past the end of the file.
pub(crate) fn relocate(
    error: &serde_norway::Error,
    text: &str,
    first_line: usize,
) -> (Option<usize>, String) {
    let parsed = text;
    let text = error.to_string();
    let Some(location) = error.location() else {
        return (None, friendlier(text));
    };
    let primary = format!(" at line {} column {}", location.line(), location.column());
    let text = if let Some(at) = text.find(&primary) {
        format!("{}{}", &text[..at], &text[at + primary.len()..])
    } else if location.line() == 1 && location.column() == 1 {
        // The parser prints the very first position as a byte offset, if at all.
        strip_position(&text)
    } else {
        text
    };
    let line =
        first_line + crate::documents::line_of_offset(parsed.as_bytes(), location.index()) - 1;
    (Some(line), friendlier(shift_lines(&text, first_line - 1)))
}

/// Adds `by` to every `line N` that is followed by `column M`.
fn shift_lines(text: &str, by: usize) -> String {
    const LINE: &str = "at line ";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(LINE) {
        let (before, after) = rest.split_at(at + LINE.len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let is_position = after[digits..].starts_with(" column ");
        match after[..digits].parse::<usize>() {
            Ok(line) if is_position => out.push_str(&line.saturating_add(by).to_string()),
            _ => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

fn strip_position(text: &str) -> String {
    const POSITION: &str = " at position ";
    let Some(at) = text.find(POSITION) else {
        return text.to_owned();
    };
    let after = &text[at + POSITION.len()..];
    let digits = after.bytes().take_while(u8::is_ascii_digit).count();
    format!("{}{}", &text[..at], &after[digits..])
}

/// The message for input nested deeper than the deserializer accepts.
pub(crate) const TOO_DEEP: &str =
    "nested too deeply (more than 128 levels of sequences and mappings)";

/// Says what the parser's limits protect against, in the user's terms.
fn friendlier(message: String) -> String {
    if message.starts_with("recursion limit exceeded") {
        TOO_DEEP.to_owned()
    } else if message.starts_with("repetition limit exceeded") {
        "aliases expand to too much data (repetition limit exceeded)".to_owned()
    } else if message.starts_with("deserializing from YAML containing more than one document") {
        // Documents are split before parsing, so this is a node the parser could not attach
        // to the document (e.g. one with two anchors), not a missing `---`.
        "the parser could not read this as one document (two anchors or tags on one node?)"
            .to_owned()
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_norway::Value;

    fn relocated(text: &str, first_line: usize) -> (Option<usize>, String) {
        let error = serde_norway::from_str::<Value>(text).expect_err("invalid YAML");
        relocate(&error, text, first_line)
    }

    #[test]
    fn primary_position_becomes_the_line_and_context_is_shifted() {
        let (line, message) = relocated("a:\n  b: 1\n   c: [\n", 10);
        assert_eq!(line, Some(12));
        assert_eq!(
            message, "mapping values are not allowed in this context",
            "no position is left in a one-position message"
        );
        let (line, message) = relocated("spec:\n  name: x\n  rules:\n  - port: 1\n   bad: [\n", 10);
        assert_eq!(line, Some(14));
        assert_eq!(
            message,
            "did not find expected key, while parsing a block mapping at line 11 column 3"
        );
    }

    /// Found by fuzzing: the parser counts a lone `\r` as a line break; diagnostics do not.
    #[test]
    fn a_lone_carriage_return_does_not_start_a_line() {
        let (line, _) = relocated("a: 1\r\r\r\nb: 2\n   c: [\n", 10);
        assert_eq!(line, Some(12));
    }

    #[test]
    fn parser_limits_are_explained() {
        let (line, message) = relocated(&"[".repeat(1000), 1);
        assert_eq!(line, Some(1));
        assert!(message.starts_with("nested too deeply"), "{message}");
    }

    #[test]
    fn other_numbers_are_left_alone() {
        assert_eq!(
            shift_lines("at line 3 column 4, at line x, at line 7", 10),
            "at line 13 column 4, at line x, at line 7"
        );
    }
}
