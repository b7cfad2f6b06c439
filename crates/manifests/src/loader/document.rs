//! One YAML document being loaded, the header every object states about itself, and the
//! paths diagnostics name.

use crate::kinds::Kind;
use crate::locate::{self, Step};
use crate::problem::describe;
use serde_norway::{Mapping, Value};

/// The document being loaded.
pub(super) struct Document<'a> {
    pub(super) file: &'a str,
    pub(super) index: usize,
    /// File line of the first line of `text`.
    pub(super) first_line: usize,
    /// File line where the document's content starts.
    pub(super) line: usize,
    pub(super) text: &'a str,
}

impl Document<'_> {
    /// File line of the node at `path`, falling back to the document's first line.
    pub(super) fn line_at(&self, path: &[Step]) -> usize {
        if path.is_empty() {
            return self.line;
        }
        locate::line_of(self.text, path).map_or(self.line, |line| self.first_line + line - 1)
    }
}

/// What every object states about itself, read before its kind is known.
pub(super) struct Header {
    pub(super) api_version: String,
    pub(super) kind: String,
    pub(super) name: Option<String>,
    /// What `metadata.name` held when it was not a usable string.
    pub(super) name_found: Option<&'static str>,
    pub(super) namespace: Option<String>,
}

impl Header {
    /// The header, or the field that is missing (`None`) or not a string (what it was).
    pub(super) fn read(map: &Mapping) -> Result<Self, (&'static str, Option<&'static str>)> {
        let api_version = required_string(map, "apiVersion")?;
        let kind = required_string(map, "kind")?;
        let metadata = map.get("metadata").and_then(Value::as_mapping);
        let field = |name: &str| metadata.and_then(|m| m.get(name)).filter(|v| !v.is_null());
        let (name, name_found) = match field("name") {
            Some(Value::String(name)) if !name.is_empty() => (Some(name.clone()), None),
            Some(Value::String(_)) | None => (None, None),
            Some(other) => (None, Some(describe(other))),
        };
        let namespace = match field("namespace") {
            Some(Value::String(namespace)) if !namespace.is_empty() => Some(namespace.clone()),
            _ => None,
        };
        Ok(Self {
            api_version,
            kind,
            name,
            name_found,
            namespace,
        })
    }

    /// `Kind namespace/name`, `Kind name` or `Kind`, as far as known.
    pub(super) fn label(&self, namespace: Option<&str>) -> String {
        match (&self.name, namespace) {
            (Some(name), Some(namespace)) => format!("{} {namespace}/{name}", self.kind),
            (Some(name), None) => format!("{} {name}", self.kind),
            (None, Some(namespace)) => format!("{} {namespace}/(no name)", self.kind),
            (None, None) => self.kind.clone(),
        }
    }
}

fn required_string(
    map: &Mapping,
    field: &'static str,
) -> Result<String, (&'static str, Option<&'static str>)> {
    match map.get(field) {
        Some(Value::String(value)) if !value.is_empty() => Ok(value.clone()),
        None | Some(Value::Null) => Err((field, None)),
        Some(Value::String(_)) => Err((field, None)),
        Some(other) => Err((field, Some(describe(other)))),
    }
}

/// Namespaced objects without a namespace go to `default`, as `kubectl apply` puts them;
/// cluster-scoped objects have none, whatever the manifest says (the API server drops it too).
pub(super) fn namespace_of(kind: &Kind, given: Option<&str>) -> Option<String> {
    kind.namespaced
        .then(|| given.unwrap_or("default").to_owned())
}

/// `kind: List` (what `kubectl get -o yaml` prints) and typed lists like `ServiceList`.
pub(super) fn is_list(kind: &str, map: &Mapping) -> bool {
    kind == "List" || (kind.ends_with("List") && map.contains_key("items"))
}

/// A path in the `serde_path_to_error` style: `items[2].spec`.
pub(super) fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Step::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// `prefix` (the item of a `List`) joined with a path inside that item (`.` for the item itself).
pub(super) fn join_path(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path) {
        (true, path) => path.to_owned(),
        (false, ".") => prefix.to_owned(),
        (false, path) if path.starts_with('[') => format!("{prefix}{path}"),
        (false, path) => format!("{prefix}.{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_serde_path_to_error() {
        let path = [
            Step::Key("items".into()),
            Step::Index(2),
            Step::Key("spec".into()),
        ];
        assert_eq!(render(&path), "items[2].spec");
        assert_eq!(join_path("items[2]", "spec.port"), "items[2].spec.port");
        assert_eq!(join_path("items[2]", "."), "items[2]");
        assert_eq!(join_path("", "spec"), "spec");
    }
}
