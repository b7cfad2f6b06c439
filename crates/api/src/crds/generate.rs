//! Installable CRDs built from the Rust types.
//!
//! kube's derive gives one version per CRD, with a schema that differs from controller-gen's in
//! ways that matter on a cluster. [`crds`] closes those gaps (see [`align_schema`]) and adds the
//! deprecated `v1beta1` version to the `gateway.k8s.aws` kinds.

use super::yaml::to_yaml;
use super::{
    ListenerRuleConfiguration, LoadBalancerConfiguration, TargetGroupBinding,
    TargetGroupConfiguration,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps,
};
use kube::core::CustomResourceExt;
use kube::core::crd::merge_crds;
use serde_json::{Map, Value, json};

/// The served-and-stored version of the `gateway.k8s.aws` kinds.
const STORAGE_VERSION: &str = "v1";
/// The older version of the `gateway.k8s.aws` kinds, still served with the same schema so that
/// existing manifests keep applying.
const DEPRECATED_VERSION: &str = "v1beta1";

/// All CRDs gantry owns, in a fixed order.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        with_deprecated_version(aligned(LoadBalancerConfiguration::crd())),
        with_deprecated_version(aligned(TargetGroupConfiguration::crd())),
        with_deprecated_version(aligned(ListenerRuleConfiguration::crd())),
        aligned(TargetGroupBinding::crd()),
    ]
}

/// [`crds`] as multi-document YAML, ready for `kubectl apply -f -`.
pub fn crd_yaml() -> String {
    crds()
        .iter()
        .map(|crd| {
            let value = serde_json::to_value(crd)
                .expect("a CustomResourceDefinition is plain data and always serializes");
            format!("---\n{}", to_yaml(&value))
        })
        .collect()
}

/// Adds [`DEPRECATED_VERSION`] as a copy of the single, storage version of `crd`.
///
/// A copy rather than a second derive: the two versions must stay field-for-field identical,
/// and objects of both are read into the same Rust types.
fn with_deprecated_version(crd: CustomResourceDefinition) -> CustomResourceDefinition {
    let mut deprecated = crd.clone();
    let version = &mut deprecated.spec.versions[0];
    debug_assert_eq!(version.name, STORAGE_VERSION);
    version.name = DEPRECATED_VERSION.into();
    version.storage = false;
    version.deprecated = Some(true);
    version.deprecation_warning = Some(format!(
        "{group}/{DEPRECATED_VERSION} {kind} is deprecated; use {group}/{STORAGE_VERSION} instead",
        group = crd.spec.group,
        kind = crd.spec.names.kind,
    ));
    merge_crds(vec![crd, deprecated], STORAGE_VERSION)
        .expect("both halves come from one derive, so group, kind and scope agree")
}

/// Applies [`align_schema`] to every version of `crd` and names its list kind.
fn aligned(mut crd: CustomResourceDefinition) -> CustomResourceDefinition {
    let names = &mut crd.spec.names;
    names.list_kind = Some(format!("{}List", names.kind));
    for version in &mut crd.spec.versions {
        let Some(schema) = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
        else {
            continue;
        };
        let mut value = serde_json::to_value(&*schema).expect("JSONSchemaProps serializes");
        align_schema(&mut value);
        *schema = serde_json::from_value::<JSONSchemaProps>(value)
            .expect("dropping keywords and adding plain ones keeps a valid schema");
    }
    crd
}

/// Makes a derived schema behave like the controller-gen one it stands in for.
///
/// * `nullable: true` and `null` enum members (what schemars makes of `Option`) go. Without them
///   the API server prunes explicit `null`s, so CRD defaults still apply to them as with the
///   reference CRDs; the Rust side reads absent and `null` alike as `None`.
/// * `title` (the Rust type name) goes: it is noise in `kubectl explain`.
/// * int-or-string fields get controller-gen's `anyOf: [integer, string]`, so clients that read
///   the schema (not just the API server) see both types.
/// * `apiVersion`, `kind` and `metadata` are declared at the root, as controller-gen does.
fn align_schema(root: &mut Value) {
    visit_schemas(root, &mut |schema| {
        schema.remove("nullable");
        schema.remove("title");
        if let Some(Value::Array(values)) = schema.get_mut("enum") {
            values.retain(|v| !v.is_null());
        }
        if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
            schema
                .entry("anyOf")
                .or_insert_with(|| json!([{ "type": "integer" }, { "type": "string" }]));
        }
    });
    if let Some(properties) = root.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            "apiVersion".into(),
            json!({
                "description": "APIVersion defines the versioned schema of this representation of an object.",
                "type": "string",
            }),
        );
        properties.insert(
            "kind".into(),
            json!({
                "description": "Kind is a string value representing the REST resource this object represents.",
                "type": "string",
            }),
        );
        properties.insert("metadata".into(), json!({ "type": "object" }));
    }
}

/// Calls `f` on `schema` and on each of its subschemas, but not on values such as defaults.
fn visit_schemas(schema: &mut Value, f: &mut impl FnMut(&mut Map<String, Value>)) {
    let Some(map) = schema.as_object_mut() else {
        return;
    };
    f(map);
    for (keyword, sub) in map.iter_mut() {
        match keyword.as_str() {
            "properties" => sub
                .as_object_mut()
                .into_iter()
                .flat_map(|props| props.values_mut())
                .for_each(|s| visit_schemas(s, f)),
            "items" | "additionalProperties" => visit_schemas(sub, f),
            "anyOf" | "allOf" | "oneOf" => sub
                .as_array_mut()
                .into_iter()
                .flatten()
                .for_each(|s| visit_schemas(s, f)),
            _ => {}
        }
    }
}
