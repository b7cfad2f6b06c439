//! Kubernetes-side types of gantry.
//!
//! * [`gateway`] — the Gateway API types gantry reads, re-exported once from the `gateway-api`
//!   crate (its experimental channel: a superset of the standard channel's fields).
//! * [`k8s`] — the core Kubernetes types gantry reads.
//! * [`crds`] — the CustomResourceDefinitions gantry owns (`gateway.k8s.aws`, `elbv2.k8s.aws`).
//! * [`wire`] — names that appear on the wire: controller names, tag keys, finalizers.
#![forbid(unsafe_code)]

pub mod crds;
pub mod wire;

/// Gateway API types. One facade, so version choices are made here once.
///
/// TCPRoute and UDPRoute are only published by the `gateway-api` crate as `v1alpha2`; their
/// `v1` schema (Gateway API v1.6) has the same fields, so manifests of either version load into
/// these types.
pub mod gateway {
    pub use gateway_api::experimental::gatewayclasses::*;
    pub use gateway_api::experimental::gateways::*;
    pub use gateway_api::experimental::grpcroutes::*;
    pub use gateway_api::experimental::httproutes::*;
    pub use gateway_api::experimental::listenersets::*;
    pub use gateway_api::experimental::referencegrants::*;
    pub use gateway_api::experimental::tcproutes::*;
    pub use gateway_api::experimental::tlsroutes::*;
    pub use gateway_api::experimental::udproutes::*;

    /// The API group of every Gateway API kind.
    pub const GROUP: &str = "gateway.networking.k8s.io";
}

/// Core Kubernetes types.
pub mod k8s {
    pub use k8s_openapi::ByteString;
    pub use k8s_openapi::api::core::v1::{
        ConfigMap, Namespace, Node, Pod, PodCondition, Secret, Service, ServicePort,
    };
    pub use k8s_openapi::api::discovery::v1::EndpointSlice;
    pub use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
        LabelSelector, LabelSelectorRequirement, ObjectMeta,
    };
    pub use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    pub use kube::core::{CustomResourceExt, Resource, ResourceExt};
}
