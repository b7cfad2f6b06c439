//! What the converters of every route kind share: object metadata, parentRefs, backendRefs,
//! and the Gateway API spelling of generated enum values.

use super::HeaderMatch;
use gantry_snapshot::ObjectKey;
use serde::Serialize;

pub(super) fn meta_of(meta: &gantry_api::k8s::ObjectMeta) -> (ObjectKey, i64, i128) {
    (
        ObjectKey::of(meta),
        meta.generation.unwrap_or(0),
        meta.creation_timestamp
            .as_ref()
            .map(|t| t.0.as_nanosecond())
            .unwrap_or(i128::MAX),
    )
}

macro_rules! parent_refs {
    ($refs:expr, $ns:expr) => {
        $refs
            .iter()
            .flatten()
            .map(|p| {
                ParentRef::new(
                    $ns,
                    p.group.clone(),
                    p.kind.clone(),
                    p.namespace.clone(),
                    p.name.clone(),
                    p.section_name.clone(),
                    p.port,
                )
            })
            .collect()
    };
}

macro_rules! backend_ref {
    ($b:expr, $ns:expr, $filters:expr) => {
        BackendRef {
            group: $b.group.clone().unwrap_or_default(),
            kind: $b.kind.clone().unwrap_or_else(|| "Service".to_string()),
            namespace: $b.namespace.clone().unwrap_or_else(|| $ns.to_string()),
            name: $b.name.clone(),
            port: $b.port,
            weight: $b.weight.unwrap_or(1),
            filter_types: $filters,
        }
    };
}

/// The backendRefs (`Option<Vec<_>>`) of an HTTPRoute or GRPCRoute rule, each with the types
/// of its filters (their generated types differ; their fields are the same).
macro_rules! filtered_backend_refs {
    ($refs:expr, $ns:expr) => {
        $refs
            .iter()
            .flatten()
            .map(|b| {
                let filters = b
                    .filters
                    .iter()
                    .flatten()
                    .map(|f| super::convert::enum_name(&f.r#type))
                    .collect();
                backend_ref!(b, $ns, filters)
            })
            .collect()
    };
}

/// HTTPHeaderMatch.name: "If multiple entries specify equivalent header names, only the first
/// entry with an equivalent name MUST be considered for a match. Subsequent entries with an
/// equivalent header name MUST be ignored." Header names are case-insensitive.
pub(super) fn first_of_each_header(list: impl Iterator<Item = HeaderMatch>) -> Vec<HeaderMatch> {
    first_of_each(list, |a, b| a.name.eq_ignore_ascii_case(&b.name))
}

pub(super) fn first_of_each<T>(
    list: impl Iterator<Item = T>,
    same: impl Fn(&T, &T) -> bool,
) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in list {
        if !out.iter().any(|kept| same(kept, &item)) {
            out.push(item);
        }
    }
    out
}

/// Gateway API spells some filter types differently from the generated enum variants.
pub(super) fn filter_type_name(variant: &str) -> String {
    match variant {
        "UrlRewrite" => "URLRewrite".to_string(),
        "Cors" => "CORS".to_string(),
        other => other.to_string(),
    }
}

/// The wire name of a generated enum value.
pub(super) fn enum_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
