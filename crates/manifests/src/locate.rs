//! Finding the line of a field path in a document's text.
//!
//! Objects are decoded from a parsed [`serde_norway::Value`] (so that a kind can be chosen first
//! and `List` items decode like documents), which has no positions. When decoding fails, the
//! path [`serde_path_to_error`] reports is followed again over the text: at the target node the
//! walk fails on purpose, and the YAML deserializer stamps that failure with the node's position.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_norway::Value;
use std::fmt;

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// Steps of a path reported by `serde_path_to_error`, up to the first one that cannot be
/// followed in the text.
pub(crate) fn steps_of(path: &serde_path_to_error::Path) -> Vec<Step> {
    use serde_path_to_error::Segment;
    let mut steps = Vec::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => steps.push(Step::Index(*index)),
            Segment::Map { key } => steps.push(Step::Key(key.clone())),
            Segment::Enum { variant } => steps.push(Step::Key(variant.clone())),
            Segment::Unknown => break,
        }
    }
    steps
}

/// 1-based line (relative to `text`) of the node at `path`, or of its deepest ancestor present
/// in the text. `None` when the text cannot be parsed at all. Lines end at `\n` only, as in the
/// rest of gantry's diagnostics (and `grep -n`): the parser also breaks lines at a lone `\r`,
/// so its line number is not used, its byte index is.
pub(crate) fn line_of(text: &str, path: &[Step]) -> Option<usize> {
    let deserializer = serde_norway::Deserializer::from_str(text);
    match (Walk { rest: path }).deserialize(deserializer) {
        Ok(()) => None,
        Err(error) => error
            .location()
            .map(|location| crate::documents::line_of_offset(text.as_bytes(), location.index())),
    }
}

/// Walks to the remaining path and fails there, or at the deepest node it could reach.
struct Walk<'p> {
    rest: &'p [Step],
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the node being located")
    }

    // Scalars: either the target or a dead end. The default `visit_*` methods of every other
    // kind fail too, which is what marks the position.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((Step::Key(wanted), rest)) = self.rest.split_first() else {
            return Err(de::Error::custom("located"));
        };
        while let Some(key) = map.next_key::<Value>()? {
            if key_matches(&key, wanted) {
                return map.next_value_seed(Walk { rest });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(de::Error::custom("key not found"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((Step::Index(wanted), rest)) = self.rest.split_first() else {
            return Err(de::Error::custom("located"));
        };
        for _ in 0..*wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Err(de::Error::custom("index not found"));
            }
        }
        match seq.next_element_seed(Walk { rest })? {
            Some(()) | None => Err(de::Error::custom("index not found")),
        }
    }
}

fn key_matches(key: &Value, wanted: &str) -> bool {
    match key {
        Value::String(key) => key == wanted,
        Value::Number(key) => key.to_string() == wanted,
        Value::Bool(key) => key.to_string() == wanted,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Step {
        Step::Key(k.to_owned())
    }

    const TEXT: &str = "\
apiVersion: v1
kind: Thing
spec:
  rules:
  - name: a
  - name: b
    backendRefs:
    - name: svc
      port: x
";

    #[test]
    fn finds_the_line_of_a_nested_field() {
        let path = [
            key("spec"),
            key("rules"),
            Step::Index(1),
            key("backendRefs"),
            Step::Index(0),
            key("port"),
        ];
        assert_eq!(line_of(TEXT, &path), Some(9));
    }

    #[test]
    fn root_and_mapping_targets_are_located_at_their_start() {
        assert_eq!(line_of(TEXT, &[]), Some(1));
        assert_eq!(
            line_of(TEXT, &[key("spec"), key("rules"), Step::Index(1)]),
            Some(6)
        );
    }

    /// Found by fuzzing: YAML breaks lines at a lone carriage return too, so the parser's line
    /// numbers named lines past the end of a file full of `\r`.
    #[test]
    fn a_lone_carriage_return_does_not_start_a_line() {
        let text = "apiVersion: v1\r\r\r\nkind: Thing\nspec:\n  port: x\n";
        assert_eq!(line_of(text, &[key("spec"), key("port")]), Some(4));
    }

    #[test]
    fn missing_steps_fall_back_to_the_deepest_ancestor() {
        assert_eq!(line_of(TEXT, &[key("spec"), key("nope")]), Some(4));
        assert_eq!(
            line_of(TEXT, &[key("spec"), key("rules"), Step::Index(7)]),
            Some(5)
        );
    }
}
