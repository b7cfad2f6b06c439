//! An immutable view of the cluster state that translation reads.
//!
//! The same type is filled from manifests (`gantry plan -f`) and, in the controller, from
//! reflector stores. Objects are shared (`Arc`), never deep-cloned; maps are ordered so that
//! everything derived from a snapshot is deterministic.
#![forbid(unsafe_code)]

mod key;

pub use key::ObjectKey;

use gantry_api::crds::{
    ListenerRuleConfiguration, LoadBalancerConfiguration, TargetGroupBinding,
    TargetGroupConfiguration,
};
use gantry_api::gateway::{
    Gateway, GatewayClass, GrpcRoute, HttpRoute, ListenerSet, ReferenceGrant, TcpRoute, TlsRoute,
    UdpRoute,
};
use gantry_api::k8s::{ConfigMap, EndpointSlice, Namespace, Node, Pod, Secret, Service};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Objects of one kind, keyed by namespace/name (namespace empty for cluster-scoped kinds).
pub type Objects<K> = BTreeMap<ObjectKey, Arc<K>>;

/// Cluster state as translation sees it.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub gateway_classes: Objects<GatewayClass>,
    pub gateways: Objects<Gateway>,
    pub listener_sets: Objects<ListenerSet>,
    pub http_routes: Objects<HttpRoute>,
    pub grpc_routes: Objects<GrpcRoute>,
    pub tcp_routes: Objects<TcpRoute>,
    pub udp_routes: Objects<UdpRoute>,
    pub tls_routes: Objects<TlsRoute>,
    pub reference_grants: Objects<ReferenceGrant>,
    pub namespaces: Objects<Namespace>,
    pub services: Objects<Service>,
    pub endpoint_slices: Objects<EndpointSlice>,
    pub nodes: Objects<Node>,
    /// Pods with a target-health readiness gate (the controller caches no others); read by
    /// target computation only.
    pub pods: Objects<Pod>,
    pub secrets: Objects<Secret>,
    pub config_maps: Objects<ConfigMap>,
    pub load_balancer_configurations: Objects<LoadBalancerConfiguration>,
    pub target_group_configurations: Objects<TargetGroupConfiguration>,
    pub listener_rule_configurations: Objects<ListenerRuleConfiguration>,
    pub target_group_bindings: Objects<TargetGroupBinding>,
}

impl Snapshot {
    /// Number of objects of every kind together.
    pub fn len(&self) -> usize {
        self.gateway_classes.len()
            + self.gateways.len()
            + self.listener_sets.len()
            + self.http_routes.len()
            + self.grpc_routes.len()
            + self.tcp_routes.len()
            + self.udp_routes.len()
            + self.tls_routes.len()
            + self.reference_grants.len()
            + self.namespaces.len()
            + self.services.len()
            + self.endpoint_slices.len()
            + self.nodes.len()
            + self.pods.len()
            + self.secrets.len()
            + self.config_maps.len()
            + self.load_balancer_configurations.len()
            + self.target_group_configurations.len()
            + self.listener_rule_configurations.len()
            + self.target_group_bindings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
