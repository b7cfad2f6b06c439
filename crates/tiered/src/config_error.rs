//! Why a tiered class's configuration is unusable: the message of its `Accepted=False`
//! (`InvalidParameters`) and of the Gateways' refusal, word for word.

use crate::config_text::MapError;
use gantry_snapshot::ObjectKey;
use thiserror::Error;

/// Why the class's `parametersRef` does not lead to a usable ConfigMap.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ClassConfigError {
    #[error(
        "parametersRef is required: it names the ConfigMap holding the tiered configuration (subnets, vpcID, region, ...)"
    )]
    NoParametersRef,
    #[error(
        "parametersRef must name a core ConfigMap (group \"\", kind ConfigMap), not {group}/{kind}"
    )]
    NotConfigMap { group: String, kind: String },
    #[error("parametersRef.namespace is required for a ConfigMap")]
    NoNamespace,
    #[error("ConfigMap {0} not found")]
    NotFound(ObjectKey),
    #[error("ConfigMap {key}: {error}")]
    Invalid {
        key: ObjectKey,
        #[source]
        error: Box<ConfigError>,
    },
}

/// Why the ConfigMap's data does not parse; the message names the offending key.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ConfigError {
    #[error("unknown key {key}; known keys are {known}")]
    UnknownKey { key: String, known: String },
    #[error("loadBalancerType must be ALB or NLB, not {0}")]
    LoadBalancerType(String),
    #[error("scheme must be internal or internet-facing, not {0}")]
    Scheme(String),
    #[error("set either subnets or subnetMappings, not both")]
    SubnetsAndMappings,
    #[error("subnets (or subnetMappings) is required")]
    NoSubnets,
    #[error("subnetMappings is not a JSON list of subnet mappings: {0}")]
    SubnetMappings(String),
    #[error("subnets lists no subnet")]
    EmptySubnets,
    #[error("region is required (or set the controller's AWS region)")]
    NoRegion,
    #[error("vpcID is required: target groups are created in that VPC")]
    NoVpc,
    #[error(
        "listenerProtocols: {0} is not a Gateway listener protocol (HTTP, HTTPS, TLS, TCP, UDP)"
    )]
    ListenerProtocol(String),
    #[error("listenerProtocols: {from}={to}, but {lb_type} load balancers serve {served}")]
    LoadBalancerProtocol {
        from: String,
        to: String,
        lb_type: &'static str,
        served: String,
    },
    #[error("healthCheckPort must be a port number or traffic-port, not {0}")]
    HealthCheckPort(String),
    #[error("inClusterImplementation must be istio, envoy-gateway or other, not {0}")]
    Implementation(String),
    #[error(
        "shadowServiceSelector is required with inClusterImplementation other: it finds the shadow Gateway's Service"
    )]
    NoShadowServiceSelector,
    #[error("shadowNameSuffix must be lowercase letters, digits, '-' or '.', not {0}")]
    ShadowNameSuffix(String),
    #[error("providerFamily must be one of {known}, not {value}")]
    ProviderFamily { known: String, value: String },
    #[error("{key}: {cidr} is not a CIDR block")]
    NotCidr { key: &'static str, cidr: String },
    #[error(
        "{0} needs an Upbound providerFamily: with crossplane-contrib gantry creates no security group rules"
    )]
    NeedsUpbound(&'static str),
    #[error(transparent)]
    Map(#[from] MapError),
}
