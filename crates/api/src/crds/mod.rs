//! The CustomResourceDefinitions gantry owns.
//!
//! * `gateway.k8s.aws`: [`LoadBalancerConfiguration`], [`TargetGroupConfiguration`] and
//!   [`ListenerRuleConfiguration`], schema-compatible with the AWS Load Balancer Controller's.
//!   They are served as `v1` (storage) and `v1beta1` (deprecated, same schema); the Rust types
//!   are the `v1` ones and read `v1beta1` objects unchanged.
//! * `elbv2.k8s.aws`: [`TargetGroupBinding`] `v1beta1`, field-compatible with the AWS Load
//!   Balancer Controller's.
//!
//! [`crds`] and [`crd_yaml`] give the installable definitions.

mod generate;
mod listener_rule_configuration;
mod load_balancer_configuration;
mod target_group_binding;
mod target_group_configuration;
mod wire_enum;
mod yaml;

pub use generate::{crd_yaml, crds};
pub use listener_rule_configuration::*;
pub use load_balancer_configuration::*;
pub use target_group_binding::*;
pub use target_group_configuration::*;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A key/value attribute passed through to AWS verbatim: load balancer, listener and target
/// group attributes all have this shape.
#[derive(
    Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema,
)]
pub struct Attribute {
    /// Attribute key, e.g. `idle_timeout.timeout_seconds`.
    pub key: String,
    /// Attribute value, always a string.
    pub value: String,
}

// The status of both LoadBalancerConfiguration and TargetGroupConfiguration. Its doc comment is
// the schema description the CRDs print.
/// Declared for compatibility; the AWS Load Balancer Controller never writes it either.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationStatus {
    /// Generation of the configuration attached to the GatewayClass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_gateway_class_configuration_generation: Option<i64>,
    /// Generation of the configuration attached to the Gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_gateway_configuration_generation: Option<i64>,
}

/// Schema of an optional `LabelSelector` field, with the merge markers of Kubernetes' own
/// schema that k8s-openapi's lacks: server-side apply replaces the selector and its lists as a
/// whole instead of merging two owners' selectors into one neither wrote.
fn atomic_label_selector(generator: &mut SchemaGenerator) -> Schema {
    let mut schema = generator.subschema_for::<LabelSelector>();
    let atomic = || Value::from("atomic");
    schema.insert("x-kubernetes-map-type".into(), atomic());
    if let Some(Value::Object(expressions)) = schema
        .get_mut("properties")
        .and_then(|p| p.get_mut("matchExpressions"))
    {
        expressions.insert("x-kubernetes-list-type".into(), atomic());
        if let Some(Value::Object(values)) = expressions
            .get_mut("items")
            .and_then(|i| i.get_mut("properties"))
            .and_then(|p| p.get_mut("values"))
        {
            values.insert("x-kubernetes-list-type".into(), atomic());
        }
    }
    schema
}
