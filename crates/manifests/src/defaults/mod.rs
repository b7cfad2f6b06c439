//! The defaults the API server writes into custom resources, applied to objects read from
//! manifests so that `gantry plan -f` sees them as a cluster would store them.
//!
//! The API server defaults a custom resource from its CRD's structural schema: a property with
//! a `default` that is absent (or `null` where the schema is not `nullable`) in an object that
//! exists gets a copy of the default, in every item of every list; the object is then walked
//! further, so the defaults inside a defaulted value apply as well. On create it sets
//! `metadata.generation` to 1. [`apply`] does the same from a tree of the defaulted paths.
//!
//! The trees come from two places: the Gateway API kinds from the table in [`gateway_api`]
//! (the CRDs themselves are not part of gantry; a test walks every `default:` of the published
//! CRDs against it), gantry's own kinds from the schemas gantry generates (see [`own`]).

mod gateway_api;
mod own;

use serde_norway::{Mapping, Value};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The defaulting-relevant part of a structural schema: where the defaults are.
#[derive(Debug, Default)]
pub(crate) struct Node {
    default: Option<Value>,
    nullable: bool,
    properties: BTreeMap<String, Node>,
    items: Option<Box<Node>>,
    additional_properties: Option<Box<Node>>,
}

impl Node {
    fn is_empty(&self) -> bool {
        self.default.is_none()
            && self.properties.is_empty()
            && self.items.is_none()
            && self.additional_properties.is_none()
    }

    /// The node at `path` (`spec.rules[].matches[].path.type`: `[]` steps into list items),
    /// made on the way.
    fn at_path(&mut self, path: &str) -> &mut Node {
        let mut node = self;
        for segment in path.split('.') {
            let (name, lists) = match segment.find("[]") {
                Some(at) => (&segment[..at], segment[at..].len() / 2),
                None => (segment, 0),
            };
            node = node.properties.entry(name.to_owned()).or_default();
            for _ in 0..lists {
                node = node.items.get_or_insert_with(Box::default);
            }
        }
        node
    }
}

/// Schema trees by (group, kind, version); `None` for the version means every version (the
/// Gateway API kinds declare the same defaults in every version).
type Trees = BTreeMap<(String, String, Option<String>), Node>;

static TREES: LazyLock<Trees> = LazyLock::new(|| {
    let mut trees = Trees::new();
    for (group, kind, entries) in gateway_api::defaults() {
        let root = trees
            .entry((group.to_owned(), kind.to_owned(), None))
            .or_default();
        for (path, default) in entries {
            let value = serde_norway::from_str::<Value>(&default).unwrap_or_else(|error| {
                panic!("the default of {kind} {path} in the table is not JSON: {error}")
            });
            root.at_path(&path).default = Some(value);
        }
    }
    trees.extend(own::trees());
    trees
});

/// Applies the API server's defaults for `group`/`version` `kind` to `object` (a whole object,
/// `metadata` included). Returns whether the kind is a custom resource gantry knows the schema
/// of; other kinds are left as they are.
pub fn apply(group: &str, version: &str, kind: &str, object: &mut Value) -> bool {
    let (group, kind) = (group.to_owned(), kind.to_owned());
    let tree = TREES
        .get(&(group.clone(), kind.clone(), Some(version.to_owned())))
        .or_else(|| TREES.get(&(group, kind, None)));
    let Some(tree) = tree else {
        return false;
    };
    default_value(tree, object);
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_mapping_mut) {
        set_generation(metadata);
    }
    true
}

/// A created object's first generation (the API server counts spec changes from 1).
fn set_generation(metadata: &mut Mapping) {
    match metadata.get("generation") {
        None | Some(Value::Null) => {
            metadata.insert(Value::from("generation"), Value::from(1));
        }
        Some(_) => {}
    }
}

/// Kubernetes' structural defaulting: fill absent (or non-nullable `null`) defaulted properties
/// of every object that exists, then descend into what is there, defaults included.
fn default_value(node: &Node, value: &mut Value) {
    match value {
        Value::Mapping(map) => {
            for (name, property) in &node.properties {
                let Some(default) = &property.default else {
                    continue;
                };
                let missing = match map.get(name.as_str()) {
                    None => true,
                    Some(Value::Null) => !property.nullable,
                    Some(_) => false,
                };
                if missing {
                    map.insert(Value::from(name.as_str()), default.clone());
                }
            }
            for (key, child) in map.iter_mut() {
                let property = key.as_str().and_then(|k| node.properties.get(k));
                if let Some(child_node) = property.or(node.additional_properties.as_deref()) {
                    default_value(child_node, child);
                }
            }
        }
        Value::Sequence(items) => {
            if let Some(item_node) = &node.items {
                items
                    .iter_mut()
                    .for_each(|item| default_value(item_node, item));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
