//! `TargetGroupBinding` (`elbv2.k8s.aws/v1beta1`): registers the endpoints of a Service port in an
//! existing target group.
//!
//! The kind belongs to the AWS Load Balancer Controller; gantry writes bindings for the target
//! groups it creates and keeps the schema field-compatible with that controller's, so the two
//! can read each other's objects and either CRD can be installed.

use super::target_group_configuration::{TargetGroupIpAddressType, TargetType};
use super::wire_enum::wire_enum;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which target group receives the endpoints of which Service port.
#[allow(
    clippy::duplicated_attributes,
    reason = "each printcolumn(...) repeats keys such as type_ = \"string\""
)]
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "elbv2.k8s.aws",
    version = "v1beta1",
    kind = "TargetGroupBinding",
    namespaced,
    status = "TargetGroupBindingStatus",
    derive = "PartialEq",
    doc = "TargetGroupBinding is the Schema for the TargetGroupBinding API",
    printcolumn(
        name = "SERVICE-NAME",
        type_ = "string",
        description = "The Kubernetes Service's name",
        json_path = ".spec.serviceRef.name"
    ),
    printcolumn(
        name = "SERVICE-PORT",
        type_ = "string",
        description = "The Kubernetes Service's port",
        json_path = ".spec.serviceRef.port"
    ),
    printcolumn(
        name = "TARGET-TYPE",
        type_ = "string",
        description = "The AWS TargetGroup's TargetType",
        json_path = ".spec.targetType"
    ),
    printcolumn(
        name = "ARN",
        type_ = "string",
        description = "The AWS TargetGroup's Amazon Resource Name",
        json_path = ".spec.targetGroupARN",
        priority = 1
    ),
    printcolumn(
        name = "NAME",
        type_ = "string",
        description = "The AWS TargetGroup's Name",
        json_path = ".spec.targetGroupName",
        priority = 2
    ),
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingSpec {
    /// ARN of the target group. Optional on the wire because the AWS Load Balancer Controller
    /// also accepts `targetGroupName`; gantry always sets the ARN.
    #[serde(rename = "targetGroupARN", skip_serializing_if = "Option::is_none")]
    pub target_group_arn: Option<String>,
    /// Name of the target group, the alternative to its ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_group_name: Option<String>,
    /// How endpoints are registered; inferred from the target group when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_type: Option<TargetType>,
    /// The Service port whose endpoints become targets.
    pub service_ref: ServiceReference,
    /// Security group rules letting the load balancer reach the targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub networking: Option<TargetGroupBindingNetworking>,
    /// Instance targets: only nodes matching this selector are registered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::atomic_label_selector")]
    pub node_selector: Option<LabelSelector>,
    /// IP address type of the target group; inferred when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<TargetGroupIpAddressType>,
    /// VPC of the target group; inferred when unset.
    #[serde(rename = "vpcID", skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    /// The target group is shared by several clusters: leave targets this one does not own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multi_cluster_target_group: Option<bool>,
    /// Protocol of the target group; inferred when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_group_protocol: Option<TargetGroupProtocol>,
    /// IAM role to assume for a target group in another account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iam_role_arn_to_assume: Option<String>,
    /// External ID used when assuming `iamRoleArnToAssume`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assume_role_external_id: Option<String>,
}

/// Written by the binding's controller.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingStatus {
    /// `metadata.generation` the controller has acted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// A Service port.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct ServiceReference {
    /// Name of the Service, in the binding's namespace.
    pub name: String,
    /// Port number or name of the Service port.
    pub port: IntOrString,
}

/// Networking setup for the load balancer to reach the targets.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct TargetGroupBindingNetworking {
    /// Allowed traffic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Vec<NetworkingIngressRule>>,
}

/// Traffic from some peers to some ports of the targets.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct NetworkingIngressRule {
    /// Peers allowed in.
    pub from: Vec<NetworkingPeer>,
    /// Target ports they may reach; all TCP ports when empty.
    pub ports: Vec<NetworkingPort>,
}

/// A source of traffic: set exactly one of the two.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkingPeer {
    /// A CIDR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
    /// A security group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_group: Option<SecurityGroup>,
}

/// A CIDR peer (IPv4 or IPv6).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct IpBlock {
    /// The CIDR.
    pub cidr: String,
}

/// A security group peer.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct SecurityGroup {
    /// EC2 security group ID.
    #[serde(rename = "groupID")]
    pub group_id: String,
}

/// A port of the targets.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct NetworkingPort {
    /// `TCP` when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<NetworkingProtocol>,
    /// Port number, or a pod port name for ip targets; all ports when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<IntOrString>,
}

wire_enum! {
    /// Protocol of a networking rule.
    pub enum NetworkingProtocol {
        Tcp = "TCP",
        Udp = "UDP",
    }
}

wire_enum! {
    /// Protocol of a bound target group; unlike TargetGroupConfiguration's it includes the QUIC
    /// protocols, which a target group takes from its listener.
    pub enum TargetGroupProtocol {
        Http = "HTTP",
        Https = "HTTPS",
        Tcp = "TCP",
        Tls = "TLS",
        Udp = "UDP",
        TcpUdp = "TCP_UDP",
        Quic = "QUIC",
        TcpQuic = "TCP_QUIC",
    }
}
