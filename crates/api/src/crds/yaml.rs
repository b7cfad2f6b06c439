//! A small block-style YAML writer for JSON values.
//!
//! Why not a YAML library: the API server and kubectl read YAML 1.1, where plain `on`, `off`,
//! `yes` or `no` are booleans, and the YAML 1.2 serializers available quote none of them. The
//! `on`/`off` enum of `advertiseTrustStoreCaNames` would turn into `[true, false]`. This writer
//! leaves a string plain only when it is unambiguous under both versions and double-quotes
//! everything else (a JSON string literal is a valid YAML double-quoted scalar).

use serde_json::{Map, Number, Value};

/// `value` as one YAML document (without the `---` marker), ending in a newline.
pub(super) fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &Map<String, Value>, indent: usize) {
    for (key, value) in map {
        out.push_str(&" ".repeat(indent));
        out.push_str(&string(key));
        out.push(':');
        write_nested(out, value, indent);
    }
}

fn write_seq(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        match item {
            // The first entry of a mapping item shares the line with the dash.
            Value::Object(map) if !map.is_empty() => {
                let mut block = String::new();
                write_map(&mut block, map, indent + 2);
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(&block[indent + 2..]);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push_str(&" ".repeat(indent));
                out.push_str("-\n");
                write_seq(out, inner, indent + 2);
            }
            scalar => {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:`. Sequences under a key are not indented further, as kubectl and
/// controller-gen write them.
fn write_nested(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, indent);
        }
        scalar => {
            out.push(' ');
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
}

/// A scalar, or an empty collection, on one line.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// Whole floats are written as integers: the schema's `minimum`/`maximum` are `f64` in
/// k8s-openapi, but are integers in every CRD here, and `604800` reads better than `604800.0`.
fn number(n: &Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => format!("{f:.0}"),
        _ => n.to_string(),
    }
}

fn string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("a string always serializes")
    }
}

/// Plain scalars are limited to a conservative alphabet (no `:`, `#`, brackets or `"`) and
/// must start with a letter, `_` or `/`, which rules out numbers, timestamps, indicators and
/// comments; the YAML 1.1 words for booleans and null are quoted too.
fn is_plain_safe(s: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '/')
        && !s.ends_with(' ')
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    ' ' | '_' | '.' | '/' | '-' | '(' | ')' | ',' | ';' | '\'' | '`' | '=' | '+'
                )
        })
        && !KEYWORDS.contains(&s.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_booleans_and_null_words_are_quoted() {
        for word in [
            "on", "off", "On", "OFF", "yes", "No", "y", "true", "null", "~",
        ] {
            assert_eq!(string(word), format!("\"{word}\""), "{word}");
        }
    }

    #[test]
    fn numbers_dates_indicators_and_specials_are_quoted() {
        for s in [
            "",
            "1",
            "0x1f",
            "2024-01-01",
            "#{query}",
            "- x",
            "a: b",
            "x #y",
            "*",
            ".inf",
        ] {
            assert!(string(s).starts_with('"'), "{s:?} must be quoted");
        }
    }

    #[test]
    fn identifiers_and_prose_stay_plain() {
        for s in [
            "ipv4",
            "text/plain",
            "HTTP1Only",
            "Service",
            "The Kubernetes Service name",
        ] {
            assert_eq!(string(s), s);
        }
    }

    #[test]
    fn documents_have_block_layout() {
        let value = json!({
            "a": {"b": [1, {"c": "on", "d": []}], "e": {}},
            "f": 604800.0,
            "g": "line\nbreak",
        });
        let expected =
            "a:\n  b:\n  - 1\n  - c: \"on\"\n    d: []\n  e: {}\nf: 604800\ng: \"line\\nbreak\"\n";
        assert_eq!(to_yaml(&value), expected);
    }
}
