//! Metadata of planned objects: labels, annotations and ownerReferences.

use crate::config::ClassConfig;
use crate::names;
use gantry_api::gateway::{Gateway, GatewayInfrastructure};
use gantry_snapshot::ObjectKey;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A user Gateway of a tiered class with a usable configuration.
pub(crate) struct UserGateway<'a> {
    pub key: &'a ObjectKey,
    pub gateway: &'a Gateway,
    pub config: &'a ClassConfig,
    /// The value of [`names::SOURCE_ANNOTATION`] on everything made for this Gateway.
    pub source: String,
    pub generation: i64,
}

impl UserGateway<'_> {
    pub fn shadow_name(&self) -> String {
        names::shadow(&self.key.name, &self.config.suffix)
    }

    pub fn owner(&self) -> Owner {
        Owner {
            api_version: format!("{}/v1", gantry_api::gateway::GROUP),
            kind: "Gateway".to_string(),
            key: self.key.clone(),
            uid: self.gateway.metadata.uid.clone(),
        }
    }

    /// The Gateway's `spec.infrastructure` labels (Gateway API: they "SHOULD be applied to any
    /// resources created in response to this Gateway"), then the labels naming this Gateway
    /// and the managed-by label, which win: they are how gantry finds its objects.
    pub fn labels(&self) -> Map<String, Value> {
        let mut labels = self.infrastructure(|i| i.labels.as_ref());
        labels.extend(managed_labels());
        labels.insert(
            names::GATEWAY_NAMESPACE_LABEL.into(),
            self.key.namespace.clone().into(),
        );
        labels.insert(
            names::GATEWAY_NAME_LABEL.into(),
            names::label_value(&self.key.name).into(),
        );
        labels
    }

    /// The Gateway's `spec.infrastructure` annotations, then the annotations naming the source
    /// object (which win).
    pub fn annotations(&self, generation: Option<i64>) -> Map<String, Value> {
        let mut annotations = self.infrastructure(|i| i.annotations.as_ref());
        annotations.extend(source_annotations(&self.source, generation));
        annotations
    }

    fn infrastructure(
        &self,
        field: impl Fn(&GatewayInfrastructure) -> Option<&BTreeMap<String, String>>,
    ) -> Map<String, Value> {
        let infrastructure = self.gateway.spec.infrastructure.as_ref();
        infrastructure
            .and_then(field)
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect()
    }
}

/// An owner of a planned object.
pub(crate) struct Owner {
    pub api_version: String,
    pub kind: String,
    pub key: ObjectKey,
    /// Unknown for objects read from manifests: the reference is then pending.
    pub uid: Option<String>,
}

pub(crate) fn managed_labels() -> Map<String, Value> {
    let mut labels = Map::new();
    labels.insert(names::MANAGED_BY.0.into(), names::MANAGED_BY.1.into());
    labels
}

/// `metadata` of a planned object. Missing owner uids become placeholders and are recorded
/// in `waiting_for`: the API server refuses an ownerReference without one.
pub(crate) fn metadata(
    name: &str,
    namespace: Option<&str>,
    labels: Map<String, Value>,
    annotations: Map<String, Value>,
    owners: &[Owner],
    waiting_for: &mut Vec<String>,
) -> Value {
    let mut meta = json!({ "name": name });
    if let Some(ns) = namespace {
        meta["namespace"] = ns.into();
    }
    meta["labels"] = Value::Object(labels);
    if !annotations.is_empty() {
        meta["annotations"] = Value::Object(annotations);
    }
    if !owners.is_empty() {
        let refs: Vec<Value> = owners
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let uid = match &o.uid {
                    Some(uid) => uid.clone(),
                    None => {
                        let what = format!("uid of {} {}", o.kind, o.key);
                        waiting_for.push(what.clone());
                        names::pending(&what)
                    }
                };
                let mut r = json!({
                    "apiVersion": o.api_version,
                    "kind": o.kind,
                    "name": o.key.name,
                    "uid": uid,
                });
                // At most one owner may be the controller.
                if i == 0 {
                    r["controller"] = true.into();
                }
                r
            })
            .collect();
        meta["ownerReferences"] = Value::Array(refs);
    }
    meta
}

/// Annotations naming the source object (and its generation, for shadows).
pub(crate) fn source_annotations(source: &str, generation: Option<i64>) -> Map<String, Value> {
    let mut a = Map::new();
    a.insert(names::SOURCE_ANNOTATION.into(), source.into());
    if let Some(g) = generation {
        a.insert(
            names::SOURCE_GENERATION_ANNOTATION.into(),
            g.to_string().into(),
        );
    }
    a
}
