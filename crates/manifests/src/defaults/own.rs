//! The defaults of gantry's own CRDs, read from the schemas gantry generates for them, so that
//! what `gantry crds` installs and what `gantry plan -f` applies cannot differ.

use super::{Node, Trees};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool,
};

/// A tree per (group, kind, version) of every CRD gantry generates.
pub(super) fn trees() -> Trees {
    let mut trees = Trees::new();
    for crd in gantry_api::crds::crds() {
        for version in &crd.spec.versions {
            let Some(schema) = version
                .schema
                .as_ref()
                .and_then(|s| s.open_api_v3_schema.as_ref())
            else {
                continue;
            };
            let key = (
                crd.spec.group.clone(),
                crd.spec.names.kind.clone(),
                Some(version.name.clone()),
            );
            trees.insert(key, node_of(schema));
        }
    }
    trees
}

/// The defaults of `schema` and its subschemas; branches without any are left out.
fn node_of(schema: &JSONSchemaProps) -> Node {
    let mut node = Node {
        default: schema.default.as_ref().map(|json| {
            serde_norway::to_value(&json.0).expect("a JSON value is also a YAML value")
        }),
        nullable: schema.nullable.unwrap_or(false),
        ..Node::default()
    };
    for (name, property) in schema.properties.iter().flatten() {
        let child = node_of(property);
        if !child.is_empty() {
            node.properties.insert(name.clone(), child);
        }
    }
    if let Some(JSONSchemaPropsOrArray::Schema(items)) = &schema.items {
        node.items = Some(Box::new(node_of(items))).filter(|n| !n.is_empty());
    }
    if let Some(JSONSchemaPropsOrBool::Schema(values)) = &schema.additional_properties {
        node.additional_properties = Some(Box::new(node_of(values))).filter(|n| !n.is_empty());
    }
    node
}
