//! The reference parts of docs/ are checked against the code they describe:
//! - docs/crd-reference.md is generated from the CRD schemas gantry installs (`gantry crds`):
//!   every field, its type, default and description (`GANTRY_BLESS=1` rewrites it);
//! - docs/configuration.md names every flag of every subcommand;
//! - docs/status-conditions.md explains every condition reason and Event reason gantry writes.

mod offline;

use offline::root;
use serde_json::Value;
use std::fmt::Write;
use std::process::Command;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One table row per field under `schema`, depth first in the schema's (alphabetical) order.
fn fields(out: &mut String, path: &str, schema: &Value) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (name, field) in props {
        let here = format!("{path}.{name}");
        let (kind, inner) = match field.get("type").and_then(Value::as_str) {
            Some("array") => {
                let item = field.get("items").unwrap_or(&Value::Null);
                let item_type = item.get("type").and_then(Value::as_str).unwrap_or("any");
                (format!("[]{item_type}"), Some((format!("{here}[]"), item)))
            }
            Some(t) => (t.to_string(), Some((here.clone(), field))),
            None if field.get("x-kubernetes-int-or-string").is_some() => {
                ("int-or-string".to_string(), None)
            }
            None => ("any".to_string(), Some((here.clone(), field))),
        };
        let mut description = field
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let values = field
            .get("enum")
            .or_else(|| field.get("items").and_then(|i| i.get("enum")));
        if let Some(values) = values.and_then(Value::as_array) {
            let list: Vec<String> = values
                .iter()
                .map(|v| format!("`{}`", v.as_str().unwrap_or("?")))
                .collect();
            let _ = write!(description, " One of: {}.", list.join(", "));
        }
        let default = field
            .get("default")
            .map(|d| format!("`{d}`"))
            .unwrap_or_default();
        let req = if required.contains(&name.as_str()) {
            " (required)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| `{}` | {kind}{req} | {default} | {} |",
            here.trim_start_matches('.'),
            description.trim().replace('|', "\\|")
        );
        if let Some((path, inner)) = inner {
            fields(out, &path, inner);
        }
    }
}

fn crd_reference() -> String {
    let mut out = String::from(
        "# CRD field reference\n\n\
         <!-- generated from the schemas of `gantry crds` by crates/gantry/tests/docs_reference.rs; \
         edit the doc comments in crates/api/src/crds/, then GANTRY_BLESS=1 cargo test -p gantry --test docs_reference -->\n\n\
         Every field of the CustomResourceDefinitions gantry installs, with its type, its default \
         (filled in by the API server) and what it does. What the fields mean together — which \
         configuration applies to which Gateway, how class and Gateway configurations merge — is \
         in [configuration.md](configuration.md#gantrys-crds).\n",
    );
    for crd in gantry_api::crds::crds() {
        let crd = serde_json::to_value(&crd).expect("a CRD serializes");
        let spec = &crd["spec"];
        let kind = spec["names"]["kind"].as_str().unwrap_or("?");
        let versions: Vec<&str> = spec["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v["name"].as_str())
            .collect();
        let storage = spec["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| v["storage"] == Value::Bool(true))
            .expect("a storage version");
        let schema = &storage["schema"]["openAPIV3Schema"];
        let _ = write!(
            out,
            "\n## {kind}\n\n`{}` — versions {}, {} scope. {}\n\n| field | type | default | description |\n|---|---|---|---|\n",
            spec["group"].as_str().unwrap_or("?"),
            versions
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", "),
            spec["scope"].as_str().unwrap_or("?"),
            schema["description"]
                .as_str()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
        for part in ["spec", "status"] {
            if let Some(s) = schema["properties"].get(part) {
                let _ = writeln!(
                    out,
                    "| `{part}` | object | | {} |",
                    s["description"]
                        .as_str()
                        .unwrap_or("")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .replace('|', "\\|")
                );
                fields(&mut out, part, s);
            }
        }
    }
    out
}

#[test]
fn crd_reference_is_generated_from_the_installed_schemas() {
    let path = root().join("docs/crd-reference.md");
    let generated = crd_reference();
    // Would fail if the walk lost the nested fields users set most.
    for field in [
        "spec.listenerConfigurations[].protocolPort",
        "spec.defaultConfiguration.healthCheckConfig.healthCheckPath",
        "spec.actions[].fixedResponseConfig.statusCode",
        "spec.serviceRef.port",
    ] {
        assert!(
            generated.contains(&format!("| `{field}` |")),
            "{field} missing"
        );
    }
    if std::env::var_os("GANTRY_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/crd-reference.md");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/crd-reference.md is not what the CRD schemas say now; run \
         GANTRY_BLESS=1 cargo test -p gantry --test docs_reference and review the diff"
    );
}

fn help(sub: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args([sub, "--help"])
        .output()
        .expect("gantry runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// `--name` flags of a help text (not the `-h`/`--help`/`--version` clap adds).
fn flags(help: &str) -> Vec<String> {
    let mut out: Vec<String> = help
        .split(|c: char| c.is_whitespace() || c == ',' || c == '=' || c == '[' || c == '<')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| {
            w.trim_end_matches(|c: char| !c.is_alphanumeric())
                .to_string()
        })
        .filter(|w| w != "--help" && w != "--version")
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn configuration_doc_names_every_flag_of_every_subcommand() {
    let doc = read("docs/configuration.md");
    let mut missing = Vec::new();
    for sub in ["plan", "apply", "delete", "controller"] {
        let found = flags(&help(sub));
        assert!(found.len() >= 3, "gantry {sub}: {found:?}");
        let section = doc
            .split("\n## ")
            .find(|s| s.starts_with(&format!("`gantry {sub}`")))
            .unwrap_or_else(|| panic!("docs/configuration.md has no `gantry {sub}` section"));
        for flag in found {
            if !section.contains(&format!("`{flag}")) {
                missing.push(format!("gantry {sub} {flag}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/configuration.md: {missing:?}"
    );
}

/// The string literals of one function of a source file: the reason functions return nothing
/// else, so new reasons are found without a list kept by hand.
fn returned_strings(path: &str, from: &str, to: &str) -> Vec<String> {
    let text = read(path);
    let start = text
        .find(from)
        .unwrap_or_else(|| panic!("{path}: {from:?}"));
    let body = &text[start..];
    let body = &body[..body.find(to).unwrap_or(body.len())];
    body.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

#[test]
fn status_doc_explains_every_reason_and_event() {
    let doc = read("docs/status-conditions.md");
    let reasons = returned_strings("crates/gateway/src/reasons.rs", "pub fn as_str", "\n}\n");
    assert!(reasons.len() >= 20, "{reasons:?}");
    let events = returned_strings(
        "crates/controller/src/error.rs",
        "pub fn event_reason",
        "\n    }\n}",
    );
    assert!(
        events.contains(&"FailedDeployModel".to_string()),
        "{events:?}"
    );
    let mut missing = Vec::new();
    for r in reasons
        .iter()
        .chain(&events)
        .chain(std::iter::once(&"SuccessfullyReconciled".to_string()))
    {
        if !doc.contains(&format!("`{r}`")) {
            missing.push(r.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "not explained in docs/status-conditions.md: {missing:?}"
    );
}
