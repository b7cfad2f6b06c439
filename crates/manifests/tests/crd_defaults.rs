//! Every `default:` in the schemas of the Gateway API CRDs (standard and experimental channel,
//! every version) and of gantry's own CRDs is applied by gantry's defaulting, as the API server
//! applies it.
//!
//! The Gateway API CRDs are not part of the repository: they are read from
//! `$GANTRY_SHARED_DIR/crds`, by default `<repository>/../shared/crds`. Without them the test
//! fails: it must not pass by checking nothing.

use serde::Deserialize;
use serde_norway::{Mapping, Value};
use std::fmt;
use std::path::PathBuf;

const CRD_FILES: [&str; 2] = ["gateway-api-standard.yaml", "gateway-api-experimental.yaml"];

#[test]
fn every_gateway_api_schema_default_is_applied() {
    let dir = shared_dir().join("crds");
    let mut failures = Vec::new();
    for file in CRD_FILES {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "cannot read the Gateway API CRDs at {} ({error}); set GANTRY_SHARED_DIR to the \
                 directory holding crds/{file}",
                path.display()
            )
        });
        failures.extend(
            without_first_generation(&text)
                .into_iter()
                .map(|f| format!("{file}: {f}")),
        );
        let defaults = schema_defaults(&text);
        assert!(
            defaults.len() > 100,
            "{file}: only {} defaults found; is it the Gateway API CRD bundle?",
            defaults.len()
        );
        failures.extend(
            unapplied(&defaults)
                .into_iter()
                .map(|f| format!("{file}: {f}")),
        );
    }
    assert!(
        failures.is_empty(),
        "schema defaults gantry does not apply:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_default_of_gantrys_own_crds_is_applied() {
    let defaults = schema_defaults(&gantry_api::crds::crd_yaml());
    for kind in ["TargetGroupConfiguration", "ListenerRuleConfiguration"] {
        assert!(
            defaults.iter().any(|d| d.kind == kind),
            "{kind} declares defaults in its schema"
        );
    }
    let failures = unapplied(&defaults);
    assert!(
        failures.is_empty(),
        "schema defaults gantry does not apply:\n{}",
        failures.join("\n")
    );
}

/// Every version of every CRD in `text` whose objects do not get `metadata.generation: 1`.
fn without_first_generation(text: &str) -> Vec<String> {
    let mut failures = Vec::new();
    for CrdVersion {
        api_version, kind, ..
    } in crd_versions(text)
    {
        let mut object: Value = serde_norway::from_str(&format!(
            "{{apiVersion: {api_version}, kind: {kind}, metadata: {{name: x}}}}"
        ))
        .expect("a minimal object parses");
        let known = gantry_manifests::apply_defaults(&api_version, &kind, &mut object);
        if !known || object["metadata"]["generation"].as_u64() != Some(1) {
            failures.push(format!("{kind} {api_version}: no metadata.generation 1"));
        }
    }
    failures
}

/// One version of one CRD.
struct CrdVersion {
    /// `<group>/<version>`.
    api_version: String,
    kind: String,
    /// The CRD's entry for the version (its schema among it).
    version: Value,
}

/// Every version of every CRD in a multi-document YAML text.
fn crd_versions(text: &str) -> Vec<CrdVersion> {
    let mut out = Vec::new();
    for document in serde_norway::Deserializer::from_str(text) {
        let crd = Value::deserialize(document).expect("the CRD file is YAML");
        if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            continue;
        }
        let group = crd["spec"]["group"]
            .as_str()
            .expect("a CRD names its group");
        let kind = crd["spec"]["names"]["kind"]
            .as_str()
            .expect("a CRD names its kind");
        for version in crd["spec"]["versions"].as_sequence().expect("versions") {
            let name = version["name"].as_str().expect("a version has a name");
            out.push(CrdVersion {
                api_version: format!("{group}/{name}"),
                kind: kind.to_owned(),
                version: version.clone(),
            });
        }
    }
    out
}

/// `$GANTRY_SHARED_DIR`, or the `shared` directory beside the repository.
fn shared_dir() -> PathBuf {
    match std::env::var_os("GANTRY_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// One step of a schema path.
#[derive(Clone, Debug)]
enum Step {
    Property(String),
    /// Into the (first) item of a list.
    Items,
    /// Into the value of a map's key `x`.
    AdditionalProperties,
}

/// A `default:` of one version of one CRD.
struct SchemaDefault {
    api_version: String,
    kind: String,
    path: Vec<Step>,
    default: Value,
    nullable: bool,
}

impl fmt::Display for SchemaDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.kind, self.api_version)?;
        for (index, step) in self.path.iter().enumerate() {
            match step {
                Step::Property(name) if index == 0 => write!(f, "{name}")?,
                Step::Property(name) => write!(f, ".{name}")?,
                Step::Items => write!(f, "[]")?,
                Step::AdditionalProperties => write!(f, "{{}}")?,
            }
        }
        Ok(())
    }
}

/// Every default in the CRDs of a multi-document YAML text, per served version.
fn schema_defaults(text: &str) -> Vec<SchemaDefault> {
    let mut out = Vec::new();
    for crd in crd_versions(text) {
        let mut found = Vec::new();
        collect(
            &crd.version["schema"]["openAPIV3Schema"],
            &mut Vec::new(),
            &mut found,
        );
        out.extend(
            found
                .into_iter()
                .map(|(path, default, nullable)| SchemaDefault {
                    api_version: crd.api_version.clone(),
                    kind: crd.kind.clone(),
                    path,
                    default,
                    nullable,
                }),
        );
    }
    out
}

fn collect(schema: &Value, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Value, bool)>) {
    if let Some(default) = schema.get("default") {
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        out.push((path.clone(), default.clone(), nullable));
    }
    if let Some(properties) = schema.get("properties").and_then(Value::as_mapping) {
        for (name, property) in properties {
            let name = name.as_str().expect("property names are strings");
            path.push(Step::Property(name.to_owned()));
            collect(property, path, out);
            path.pop();
        }
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_mapping()) {
        path.push(Step::Items);
        collect(items, path, out);
        path.pop();
    }
    if let Some(values) = schema
        .get("additionalProperties")
        .filter(|v| v.is_mapping())
    {
        path.push(Step::AdditionalProperties);
        collect(values, path, out);
        path.pop();
    }
    // Structural schemas allow no defaults under these; any found is reported at this path.
    for keyword in ["allOf", "anyOf", "oneOf"] {
        for branch in schema
            .get(keyword)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            collect(branch, path, out);
        }
    }
}

/// What is wrong with each default: for the field absent and for it `null`, in an object of
/// the kind where the field's parent exists, the field must afterwards hold the default.
fn unapplied(defaults: &[SchemaDefault]) -> Vec<String> {
    let mut failures = Vec::new();
    for default in defaults {
        let Some((Step::Property(field), parent)) = default.path.split_last() else {
            failures.push(format!("{default}: not a property's default"));
            continue;
        };
        let expected_for_null = if default.nullable {
            Value::Null
        } else {
            default.default.clone()
        };
        let cases = [
            ("absent", Mapping::new(), &default.default),
            (
                "null",
                Mapping::from_iter([(Value::from(field.as_str()), Value::Null)]),
                &expected_for_null,
            ),
        ];
        for (case, parent_fields, expected) in cases {
            let mut object = object_with(default, parent, parent_fields);
            if !gantry_manifests::apply_defaults(&default.api_version, &default.kind, &mut object) {
                failures.push(format!("{default}: gantry has no defaults for the kind"));
                break;
            }
            let found = value_at(&object, &default.path);
            if !found.is_some_and(|found| holds(found, expected)) {
                failures.push(format!(
                    "{default} ({case}): expected {}, found {}",
                    json(expected),
                    found.map_or("nothing".to_owned(), json)
                ));
            }
        }
    }
    failures
}

/// A minimal object of the default's kind in which `parent` exists, holding `parent_fields`.
fn object_with(default: &SchemaDefault, parent: &[Step], parent_fields: Mapping) -> Value {
    let mut root = Mapping::new();
    root.insert("apiVersion".into(), default.api_version.as_str().into());
    root.insert("kind".into(), default.kind.as_str().into());
    let metadata = Mapping::from_iter([("name".into(), "defaults".into())]);
    root.insert("metadata".into(), Value::Mapping(metadata));
    if parent.is_empty() {
        root.extend(parent_fields);
        return Value::Mapping(root);
    }
    let Value::Mapping(below) = nested(parent, Value::Mapping(parent_fields)) else {
        unreachable!("a path from the root starts with a property");
    };
    root.extend(below);
    Value::Mapping(root)
}

/// `leaf` wrapped in the objects and lists of `path`.
fn nested(path: &[Step], leaf: Value) -> Value {
    let Some((first, rest)) = path.split_first() else {
        return leaf;
    };
    let inner = nested(rest, leaf);
    match first {
        Step::Property(name) => Value::Mapping(Mapping::from_iter([(name.as_str().into(), inner)])),
        Step::Items => Value::Sequence(vec![inner]),
        Step::AdditionalProperties => Value::Mapping(Mapping::from_iter([("x".into(), inner)])),
    }
}

/// Whether `found` is `expected` or, for objects, `expected` with more fields: a defaulted
/// object also gets the defaults declared inside it (those are checked on their own).
fn holds(found: &Value, expected: &Value) -> bool {
    match (found, expected) {
        (Value::Mapping(found), Value::Mapping(expected)) => expected
            .iter()
            .all(|(key, value)| found.get(key).is_some_and(|f| holds(f, value))),
        (Value::Sequence(found), Value::Sequence(expected)) => {
            found.len() == expected.len() && found.iter().zip(expected).all(|(f, e)| holds(f, e))
        }
        _ => found == expected,
    }
}

fn value_at<'a>(object: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(object, |value, step| match step {
        Step::Property(name) => value.get(name.as_str()),
        Step::Items => value.get(0),
        Step::AdditionalProperties => value.get("x"),
    })
}

fn json(value: &Value) -> String {
    serde_norway::to_string(value)
        .map(|text| text.trim_end().replace('\n', " "))
        .unwrap_or_else(|error| format!("<{error}>"))
}
