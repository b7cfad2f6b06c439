//! `TargetGroupConfiguration` (`gateway.k8s.aws/v1`): target group settings for the backends of
//! a Service or a Gateway, by default and per route.

use super::Attribute;
use super::wire_enum::wire_enum;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Target group settings. Without `targetReference` the configuration is only usable as a
/// LoadBalancerConfiguration's `defaultTargetGroupConfiguration`.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "gateway.k8s.aws",
    version = "v1",
    kind = "TargetGroupConfiguration",
    namespaced,
    status = "TargetGroupConfigurationStatus",
    derive = "PartialEq",
    doc = "TargetGroupConfiguration is the Schema for defining TargetGroups with an AWS ELB Gateway",
    printcolumn(
        name = "SERVICE-NAME",
        type_ = "string",
        description = "The Kubernetes Service's name",
        json_path = ".spec.targetReference.name"
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupConfigurationSpec {
    /// The Service (or, for chaining, Gateway) in this namespace these settings attach to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_reference: Option<TargetReference>,
    /// Props for every route using the backend, unless a route configuration overrides them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_configuration: Option<TargetGroupProps>,
    /// Per-route overrides, merged over `defaultConfiguration`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_configurations: Option<Vec<RouteConfiguration>>,
}

/// The status of a TargetGroupConfiguration.
pub type TargetGroupConfigurationStatus = super::ConfigurationStatus;

/// The object a TargetGroupConfiguration attaches to. `group` and `kind` stay `Option` so that
/// an omitted value (the API server fills in the default) is told apart from an explicit one.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct TargetReference {
    /// API group of the referent; empty means core.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = ""))]
    pub group: Option<String>,
    /// Kind of the referent: `Service` (also when unset) or `Gateway`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "Service"))]
    pub kind: Option<String>,
    /// Name of the referent, in the configuration's namespace.
    pub name: String,
}

/// Props for the routes matching `routeIdentifier`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RouteConfiguration {
    /// Which routes this entry applies to.
    pub route_identifier: RouteIdentifier,
    /// Props merged over the default configuration for those routes.
    pub target_group_props: TargetGroupProps,
}

/// Route selector; unset parts match any value, but `kind` is needed to match anything.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct RouteIdentifier {
    /// Route kind, e.g. `HTTPRoute`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Route namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Route name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Settings of one target group.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupProps {
    /// Name of the target group; generated when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_group_name: Option<String>,
    /// IP address type of the target group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<TargetGroupIpAddressType>,
    /// Health check settings; replaced as a whole when props are merged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_config: Option<HealthCheckConfiguration>,
    /// Instance targets: only nodes matching this selector are registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::atomic_label_selector")]
    pub node_selector: Option<LabelSelector>,
    /// Target group attributes, passed through to AWS verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_group_attributes: Option<Vec<Attribute>>,
    /// `instance` or `ip`; a change replaces the target group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<TargetType>,
    /// Protocol of the target group; inferred when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// Protocol version of ALB target groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<ProtocolVersion>,
    /// ALB target optimizer control port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_control_port: Option<i32>,
    /// Leave targets this cluster does not own registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_multi_cluster: Option<bool>,
    /// AWS tags of the target group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// Health check settings of a target group.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckConfiguration {
    /// Consecutive successes before a target is healthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthy_threshold_count: Option<i32>,
    /// Seconds between health checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_interval: Option<i32>,
    /// Path of HTTP(S) health checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_path: Option<String>,
    /// A port number, `traffic-port`, or the name of a Service port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_port: Option<String>,
    /// Protocol of the health checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_protocol: Option<HealthCheckProtocol>,
    /// Seconds without a response that fail a health check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_check_timeout: Option<i32>,
    /// Consecutive failures before a target is unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unhealthy_threshold_count: Option<i32>,
    /// Response codes counted as success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matcher: Option<HealthCheckMatcher>,
}

/// Success codes of a health check; set one of the two.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckMatcher {
    /// HTTP codes, e.g. `200-399`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_code: Option<String>,
    /// gRPC codes, e.g. `12`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_code: Option<String>,
}

wire_enum! {
    /// IP address type of a target group.
    pub enum TargetGroupIpAddressType {
        Ipv4 = "ipv4",
        Ipv6 = "ipv6",
    }
}

wire_enum! {
    /// How targets are registered: node ports of instances, or pod IPs.
    pub enum TargetType {
        Instance = "instance",
        Ip = "ip",
    }
}

wire_enum! {
    /// Protocol of a target group.
    pub enum Protocol {
        Http = "HTTP",
        Https = "HTTPS",
        Tcp = "TCP",
        Tls = "TLS",
        Udp = "UDP",
        TcpUdp = "TCP_UDP",
    }
}

wire_enum! {
    /// Protocol version of an ALB target group.
    pub enum ProtocolVersion {
        Http1 = "HTTP1",
        Http2 = "HTTP2",
        Grpc = "GRPC",
    }
}

wire_enum! {
    /// Protocol of target group health checks.
    pub enum HealthCheckProtocol {
        Http = "HTTP",
        Https = "HTTPS",
        Tcp = "TCP",
    }
}
