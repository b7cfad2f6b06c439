//! The `gateway.k8s.aws` CRDs gantry installs must accept and default exactly what the AWS Load
//! Balancer Controller's accept, so manifests move between the two unchanged.
//!
//! This walks the generated `openAPIV3Schema` of every version next to the reference one
//! (`fixtures/lbc-gateway-crds.yaml`, a verbatim copy of the upstream manifest) and compares
//! every validation-relevant keyword. Descriptions are not compared: ours are written here.
//! A difference fails the test unless it is listed, with its reason, in
//! [`INTENDED_DIFFERENCES`]; a listed difference that no longer occurs fails it too.

use gantry_api::crds::crds;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

const REFERENCE: &str = include_str!("fixtures/lbc-gateway-crds.yaml");

const KINDS: [&str; 3] = [
    "LoadBalancerConfiguration",
    "TargetGroupConfiguration",
    "ListenerRuleConfiguration",
];
const VERSIONS: [&str; 2] = ["v1", "v1beta1"];

/// Schema keywords that change what the API server accepts, stores or defaults.
const COMPARED_KEYWORDS: &[&str] = &[
    "type",
    "format",
    "enum",
    "required",
    "default",
    "pattern",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "nullable",
    "anyOf",
    "x-kubernetes-validations",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
];

/// Pseudo-keyword for "this (sub)schema exists".
const PRESENT: &str = "(present)";

/// `(kind, schema path, keyword, why)`; `*` as kind means every kind. Applies to both versions.
const INTENDED_DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    // kube's derive makes `spec` a non-optional field of the root type, and the CRD says so.
    // Every real object has a spec (possibly `{}`); an object without one would be accepted by
    // the API server but could not be read by gantry, so rejecting it up front is the lesser
    // surprise.
    ("*", "", "required", "kube-derive roots always require spec"),
];

/// One schema, flattened: path -> keyword -> value.
type Facts = BTreeMap<String, BTreeMap<String, Value>>;

#[derive(Debug, Clone)]
struct Difference {
    kind: String,
    version: String,
    path: String,
    keyword: String,
    reference: Option<Value>,
    generated: Option<Value>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<Value>| v.as_ref().map_or("<absent>".into(), Value::to_string);
        write!(
            f,
            "{} {} `{}` {}: reference {} / generated {}",
            self.kind,
            self.version,
            self.path,
            self.keyword,
            show(&self.reference),
            show(&self.generated),
        )
    }
}

fn reference_crds() -> Vec<Value> {
    serde_norway::Deserializer::from_str(REFERENCE)
        .map(|doc| Value::deserialize(doc).expect("reference document is YAML"))
        .filter(|doc| !doc.is_null())
        .collect()
}

fn generated_crds() -> Vec<Value> {
    crds()
        .iter()
        .map(|crd| serde_json::to_value(crd).expect("CRD serializes"))
        .collect()
}

fn schema_of<'a>(crds: &'a [Value], kind: &str, version: &str) -> &'a Value {
    let crd = crds
        .iter()
        .find(|crd| crd["spec"]["names"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no CRD for {kind}"));
    let version = crd["spec"]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .find(|v| v["name"] == version)
        .unwrap_or_else(|| panic!("{kind} has no version {version}"));
    &version["schema"]["openAPIV3Schema"]
}

/// Numbers compare by value: k8s-openapi keeps `maximum` as a float, YAML reads an integer.
fn normalized(value: &Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => value.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(normalized).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalized(v)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

fn flatten(schema: &Value, path: &str, facts: &mut Facts) {
    let Some(map) = schema.as_object() else {
        return;
    };
    let entry = facts.entry(path.to_owned()).or_default();
    entry.insert(PRESENT.into(), Value::Bool(true));
    for keyword in COMPARED_KEYWORDS {
        if let Some(value) = map.get(*keyword) {
            let mut value = normalized(value);
            // `required` is a set.
            if *keyword == "required"
                && let Value::Array(items) = &mut value
            {
                items.sort_by_key(Value::to_string);
            }
            entry.insert((*keyword).into(), value);
        }
    }
    if let Some(Value::Object(properties)) = map.get("properties") {
        for (name, sub) in properties {
            let sub_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            flatten(sub, &sub_path, facts);
        }
    }
    if let Some(items) = map.get("items") {
        flatten(items, &format!("{path}[]"), facts);
    }
    if let Some(additional) = map.get("additionalProperties") {
        flatten(additional, &format!("{path}{{}}"), facts);
    }
}

fn facts_of(schema: &Value) -> Facts {
    let mut facts = Facts::new();
    flatten(schema, "", &mut facts);
    facts
}

fn differences(kind: &str, version: &str, reference: &Facts, generated: &Facts) -> Vec<Difference> {
    let paths: BTreeSet<&String> = reference.keys().chain(generated.keys()).collect();
    let mut out = Vec::new();
    for path in paths {
        let empty = BTreeMap::new();
        let r = reference.get(path).unwrap_or(&empty);
        let g = generated.get(path).unwrap_or(&empty);
        let keywords: BTreeSet<&String> = r.keys().chain(g.keys()).collect();
        for keyword in keywords {
            let (rv, gv) = (r.get(keyword), g.get(keyword));
            if rv != gv {
                out.push(Difference {
                    kind: kind.into(),
                    version: version.into(),
                    path: path.clone(),
                    keyword: keyword.clone(),
                    reference: rv.cloned(),
                    generated: gv.cloned(),
                });
            }
        }
    }
    out
}

fn is_intended(d: &Difference, (kind, path, keyword, _): &(&str, &str, &str, &str)) -> bool {
    (*kind == "*" || *kind == d.kind) && *path == d.path && *keyword == d.keyword
}

fn all_differences() -> Vec<Difference> {
    let reference = reference_crds();
    let generated = generated_crds();
    let mut out = Vec::new();
    for kind in KINDS {
        for version in VERSIONS {
            out.extend(differences(
                kind,
                version,
                &facts_of(schema_of(&reference, kind, version)),
                &facts_of(schema_of(&generated, kind, version)),
            ));
        }
    }
    out
}

#[test]
fn generated_schemas_match_the_reference_except_for_intended_differences() {
    let differences = all_differences();
    let unexpected: Vec<String> = differences
        .iter()
        .filter(|d| !INTENDED_DIFFERENCES.iter().any(|i| is_intended(d, i)))
        .map(ToString::to_string)
        .collect();
    assert!(
        unexpected.is_empty(),
        "{} schema differences from the reference (fix the types, or list them in \
         INTENDED_DIFFERENCES with a reason):\n{}",
        unexpected.len(),
        unexpected.join("\n"),
    );
}

#[test]
fn every_intended_difference_still_occurs() {
    let differences = all_differences();
    for intended in INTENDED_DIFFERENCES {
        assert!(
            differences.iter().any(|d| is_intended(d, intended)),
            "stale INTENDED_DIFFERENCES entry {intended:?}: the schemas agree there now"
        );
    }
}

/// The comparison above is only as good as the walk: make sure it reaches the deep corners of
/// both schemas, and that it reports a difference when there is one.
#[test]
fn the_walk_reaches_nested_fields_and_detects_a_change() {
    let reference = reference_crds();
    let schema = schema_of(&reference, "ListenerRuleConfiguration", "v1");
    let facts = facts_of(schema);
    let claim_values = &facts["spec.actions[].jwtValidationConfig.additionalClaims[].values[]"];
    assert_eq!(claim_values["maxLength"], 256);
    assert!(facts.contains_key("spec.tags{}"));

    let mut changed = schema.clone();
    changed["properties"]["spec"]["properties"]["actions"]["maxItems"] = Value::from(3);
    let found = differences("LRC", "v1", &facts, &facts_of(&changed));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path, "spec.actions");
    assert_eq!(found[0].keyword, "maxItems");
}

#[test]
fn crd_level_settings_match_the_reference() {
    let reference = reference_crds();
    let generated = generated_crds();
    for kind in KINDS {
        let find = |crds: &[Value]| {
            crds.iter()
                .find(|crd| crd["spec"]["names"]["kind"] == kind)
                .cloned()
                .expect("kind present")
        };
        let (r, g) = (find(&reference), find(&generated));
        assert_eq!(r["metadata"]["name"], g["metadata"]["name"], "{kind}");
        assert_eq!(r["spec"]["group"], g["spec"]["group"], "{kind}");
        assert_eq!(r["spec"]["names"], g["spec"]["names"], "{kind}");
        assert_eq!(r["spec"]["scope"], g["spec"]["scope"], "{kind}");
        let versions = |crd: &Value| -> Vec<Value> {
            crd["spec"]["versions"]
                .as_array()
                .expect("versions")
                .iter()
                .map(|v| {
                    let mut v = v.clone();
                    v.as_object_mut().expect("version object").remove("schema");
                    v
                })
                .collect()
        };
        assert_eq!(
            versions(&r),
            versions(&g),
            "{kind}: version flags and printer columns"
        );
    }
}
