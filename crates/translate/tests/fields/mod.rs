//! The field walk shared by the "nothing ignored" tests: every leaf field of a CRD's served
//! versions, a value for each that differs from its default, and the README tables the walks
//! generate.

#![allow(dead_code, reason = "each test binary uses part of this module")]

pub mod plan;

use serde_json::{Value, json};

/// Values for fields whose generic sample would not be meaningful (ARNs, IDs, selectors).
pub type Special = fn(&str) -> Option<Value>;

/// A value for a leaf that differs from its default: the last enum value (the first is
/// usually the default), `true`, a number above the minimum, a non-empty string, list or map.
pub fn sample(path: &str, schema: &Value, special: Special) -> Value {
    if let Some(v) = special(path) {
        return v;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.last().cloned().unwrap_or(Value::Null);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("boolean") => json!(true),
        Some("integer") | Some("number") => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(1);
            json!(min.max(1) + 1)
        }
        Some("array") => {
            let item = schema.get("items").cloned().unwrap_or(Value::Null);
            json!([sample(&format!("{path}[]"), &item, special)])
        }
        Some("object") => json!({"sample-key": "sample-value"}),
        _ => json!("sample"),
    }
}

/// Leaf fields under `schema` (objects with properties are walked, arrays of objects too).
pub fn leaves(path: &str, schema: &Value, out: &mut Vec<(String, Value)>) {
    let (schema, path) = match schema.get("type").and_then(Value::as_str) {
        Some("array") if schema["items"].get("properties").is_some() => {
            (&schema["items"], format!("{path}[]"))
        }
        _ => (schema, path.to_string()),
    };
    match schema.get("properties").and_then(Value::as_object) {
        Some(props) => {
            for (name, field) in props {
                leaves(&format!("{path}.{name}"), field, out);
            }
        }
        None => out.push((path, schema.clone())),
    }
}

/// The spec setting the leaf `path` (of schema `schema`) to its [`sample`], with the required
/// siblings on the way filled in.
pub fn spec_with(root: &Value, path: &str, schema: &Value, special: Special) -> Value {
    let value = sample(path, schema, special);
    let segments: Vec<&str> = path.trim_start_matches("spec.").split('.').collect();
    let mut spec = json!({});
    set(
        &mut spec,
        &root["properties"]["spec"],
        "spec",
        &segments,
        value,
        special,
    );
    spec
}

fn set(
    target: &mut Value,
    schema: &Value,
    path: &str,
    segments: &[&str],
    value: Value,
    special: Special,
) {
    let (first, rest) = (segments[0], &segments[1..]);
    let (name, in_list) = match first.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (first, false),
    };
    let field_schema = &schema["properties"][name];
    let here = format!("{path}.{first}");
    if rest.is_empty() {
        target[name] = value;
        return;
    }
    let inner_schema = if in_list {
        &field_schema["items"]
    } else {
        field_schema
    };
    let mut inner = json!({});
    for required in inner_schema["required"].as_array().into_iter().flatten() {
        let r = required.as_str().unwrap();
        let rpath = format!("{here}.{r}");
        inner[r] = sample(&rpath, &inner_schema["properties"][r], special);
    }
    set(&mut inner, inner_schema, &here, rest, value, special);
    target[name] = if in_list { json!([inner]) } else { inner };
}

/// Whether `messages` name the field at `path`: its own name, or its parent's for a leaf
/// whose name says little alone (`wafV2.webACL`, `shieldConfiguration.enabled`).
pub fn names(messages: &str, path: &str) -> bool {
    let mut segments = path.rsplit('.').map(|s| s.trim_end_matches("[]"));
    let leaf = segments.next().unwrap_or_default();
    let parent = segments.next().unwrap_or_default();
    messages.contains(leaf) || (parent != "spec" && messages.contains(parent))
}

/// (version, openAPIV3Schema) of every served version of the CRD of `kind` gantry installs.
fn schema_versions(kind: &str) -> Vec<(String, Value)> {
    let crd = gantry_api::crds::crds()
        .into_iter()
        .find(|c| c.spec.names.kind == kind)
        .expect("the CRD is installed");
    crd.spec
        .versions
        .iter()
        .map(|v| {
            let schema = serde_json::to_value(v.schema.as_ref().unwrap()).unwrap();
            (v.name.clone(), schema["openAPIV3Schema"].clone())
        })
        .collect()
}

/// What a walk of `kind` sets, one at a time: every leaf of every served version (v1 and
/// v1beta1, each with over 30 fields), each once (the same field of another version is
/// skipped), as (path, schema, the version's openAPIV3Schema).
pub fn walked_fields(kind: &str) -> Vec<(String, Value, Value)> {
    let versions = schema_versions(kind);
    assert!(
        versions.len() >= 2,
        "{kind}: v1 and v1beta1 are both served"
    );
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (version, root) in versions {
        let mut fields = Vec::new();
        leaves("spec", &root["properties"]["spec"], &mut fields);
        assert!(
            fields.len() > 30,
            "{kind} {version}: {} fields",
            fields.len()
        );
        for (path, schema) in fields {
            if seen.insert(path.clone()) {
                out.push((path, schema, root.clone()));
            }
        }
    }
    out
}

/// The README's table between `<!-- {marker}: generated by … -->` and `<!-- end of {marker}
/// -->` is this walk's result (`GANTRY_BLESS=1` rewrites it).
pub fn check_readme_table(marker: &str, test: &str, header: &str, rows: &str) {
    let start = format!("<!-- {marker}: generated by crates/translate/tests/{test}.rs -->\n");
    let end = format!("<!-- end of {marker} -->");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let table = format!("{start}\n{header}\n{rows}\n{end}");
    let (Some(a), Some(b)) = (readme.find(&start), readme.find(&end)) else {
        panic!("README.md has no generated field table ({start})");
    };
    let current = &readme[a..b + end.len()];
    if std::env::var_os("GANTRY_BLESS").is_some() {
        std::fs::write(&path, readme.replace(current, &table)).unwrap();
        return;
    }
    assert!(
        current == table,
        "README.md's {marker} table is stale; GANTRY_BLESS=1 cargo test -p gantry-translate --test {test} rewrites it"
    );
}

/// Fails, listing them, when some walked fields neither changed a plan nor were named.
pub fn assert_none_silent(silent: &[String]) {
    assert!(
        silent.is_empty(),
        "these fields change no plan and no Gateway status names them:\n{}",
        silent.join("\n")
    );
}
