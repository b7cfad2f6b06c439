//! The kinds gantry reads from manifests, and how each one is decoded and stored.
//!
//! Kind and group come from the Rust types themselves, so the table cannot drift from them; the
//! accepted versions are listed here because manifests in the wild use older versions of the same
//! schema (all of them load into the one Rust type, as the API server converts them).

use crate::locate::{self, Step};
use gantry_api::crds::{
    ListenerRuleConfiguration, LoadBalancerConfiguration, TargetGroupBinding,
    TargetGroupConfiguration,
};
use gantry_api::gateway::{
    Gateway, GatewayClass, GrpcRoute, HttpRoute, ListenerSet, ReferenceGrant, TcpRoute, TlsRoute,
    UdpRoute,
};
use gantry_api::k8s::{ConfigMap, EndpointSlice, Namespace, Node, Resource, Secret, Service};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use serde::de::DeserializeOwned;
use serde_norway::Value;
use std::sync::{Arc, LazyLock};

/// A kind gantry reads: what it is called on the wire and how to decode and store it.
pub(crate) struct Kind {
    pub kind: String,
    pub group: String,
    /// Every version accepted in `apiVersion`.
    pub versions: &'static [&'static str],
    pub namespaced: bool,
    /// Decodes an object and sets its namespace (`None` for cluster-scoped kinds): the loader's
    /// defaulting is the final word, whatever the document said.
    pub decode: fn(Value, Option<String>) -> Result<Store, DecodeError>,
}

impl Kind {
    pub fn accepts(&self, group: &str, version: &str) -> bool {
        self.group == group && self.versions.contains(&version)
    }

    /// The accepted `apiVersion`s, for messages.
    pub fn api_versions(&self) -> String {
        self.versions
            .iter()
            .map(|version| api_version(&self.group, version))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A decoded object, waiting for its key to be checked for duplicates before it is stored.
pub(crate) type Store = Box<dyn FnOnce(&mut Snapshot, ObjectKey)>;

/// Why an object did not decode, with the path of the offending field.
#[derive(Debug)]
pub(crate) struct DecodeError {
    /// Empty when the object itself is wrong (e.g. a missing required top-level field).
    pub path: Vec<Step>,
    /// `serde_path_to_error`'s rendering of the path, e.g. `spec.rules[0].backendRefs[0].port`.
    pub path_text: String,
    pub message: String,
}

/// Every kind gantry reads.
pub(crate) static KINDS: LazyLock<Vec<Kind>> = LazyLock::new(|| {
    // Versions ever published for each Gateway API kind, not only those the current CRDs serve:
    // the schemas are compatible and users keep writing the older ones (`Gateway` v1alpha2 is in
    // the seed examples).
    const V1_BETA1_ALPHA2: &[&str] = &["v1", "v1beta1", "v1alpha2"];
    const V1_ALPHA2: &[&str] = &["v1", "v1alpha2"];
    const AWS_GATEWAY: &[&str] = &["v1", "v1beta1"];
    vec![
        kind::<GatewayClass>(V1_BETA1_ALPHA2),
        kind::<Gateway>(V1_BETA1_ALPHA2),
        kind::<ListenerSet>(&["v1"]),
        kind::<HttpRoute>(V1_BETA1_ALPHA2),
        kind::<GrpcRoute>(V1_ALPHA2),
        kind::<TcpRoute>(V1_ALPHA2),
        kind::<UdpRoute>(V1_ALPHA2),
        kind::<TlsRoute>(&["v1", "v1alpha3", "v1alpha2"]),
        kind::<ReferenceGrant>(V1_BETA1_ALPHA2),
        kind::<Namespace>(&["v1"]),
        kind::<Service>(&["v1"]),
        kind::<Node>(&["v1"]),
        kind::<Secret>(&["v1"]),
        kind::<ConfigMap>(&["v1"]),
        kind::<EndpointSlice>(&["v1"]),
        kind::<LoadBalancerConfiguration>(AWS_GATEWAY),
        kind::<TargetGroupConfiguration>(AWS_GATEWAY),
        kind::<ListenerRuleConfiguration>(AWS_GATEWAY),
        kind::<TargetGroupBinding>(&["v1beta1"]),
    ]
});

/// The kind called `name`, if gantry reads it.
pub(crate) fn find(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|kind| kind.kind == name)
}

/// `apiVersion` text of a group and version (the core group has no prefix).
pub(crate) fn api_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

/// A kind's Rust type: where its objects live in a [`Snapshot`] and which scope it has.
trait Stored: Resource<DynamicType = ()> + DeserializeOwned + 'static {
    fn objects(snapshot: &mut Snapshot) -> &mut Objects<Self>;
}

macro_rules! stored {
    ($($ty:ty => $field:ident,)*) => {
        $(impl Stored for $ty {
            fn objects(snapshot: &mut Snapshot) -> &mut Objects<Self> {
                &mut snapshot.$field
            }
        })*
    };
}

stored! {
    GatewayClass => gateway_classes,
    Gateway => gateways,
    ListenerSet => listener_sets,
    HttpRoute => http_routes,
    GrpcRoute => grpc_routes,
    TcpRoute => tcp_routes,
    UdpRoute => udp_routes,
    TlsRoute => tls_routes,
    ReferenceGrant => reference_grants,
    Namespace => namespaces,
    Service => services,
    EndpointSlice => endpoint_slices,
    Node => nodes,
    Secret => secrets,
    ConfigMap => config_maps,
    LoadBalancerConfiguration => load_balancer_configurations,
    TargetGroupConfiguration => target_group_configurations,
    ListenerRuleConfiguration => listener_rule_configurations,
    TargetGroupBinding => target_group_bindings,
}

/// Whether a kind's scope is namespaced, read from its `Resource::Scope` marker type.
trait Scope {
    const NAMESPACED: bool;
}

impl Scope for k8s_openapi::NamespaceResourceScope {
    const NAMESPACED: bool = true;
}

impl Scope for k8s_openapi::ClusterResourceScope {
    const NAMESPACED: bool = false;
}

fn kind<K>(versions: &'static [&'static str]) -> Kind
where
    K: Stored,
    K::Scope: Scope,
{
    Kind {
        kind: K::kind(&()).into_owned(),
        group: K::group(&()).into_owned(),
        versions,
        namespaced: <K::Scope as Scope>::NAMESPACED,
        decode: decode::<K>,
    }
}

fn decode<K: Stored>(mut value: Value, namespace: Option<String>) -> Result<Store, DecodeError> {
    // TLSRoute v1 requires hostnames; v1alpha2/v1alpha3 objects may omit them, and the shared
    // Rust type would then refuse a manifest the API server accepts.
    if K::kind(&()) == "TLSRoute"
        && let Some(spec) = value.get_mut("spec").and_then(Value::as_mapping_mut)
        && !spec.contains_key("hostnames")
    {
        spec.insert(Value::from("hostnames"), Value::Sequence(vec![]));
    }
    let mut object: K = serde_path_to_error::deserialize(value).map_err(|error| DecodeError {
        path: locate::steps_of(error.path()),
        path_text: error.path().to_string(),
        message: error.inner().to_string(),
    })?;
    object.meta_mut().namespace = namespace;
    Ok(Box::new(move |snapshot: &mut Snapshot, key| {
        K::objects(snapshot).insert(key, Arc::new(object));
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_and_scoped_as_kubernetes_scopes_them() {
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.kind.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
        let cluster_scoped: Vec<&str> = KINDS
            .iter()
            .filter(|k| !k.namespaced)
            .map(|k| k.kind.as_str())
            .collect();
        assert_eq!(cluster_scoped, ["GatewayClass", "Namespace", "Node"]);
    }

    #[test]
    fn wire_names_are_the_ones_users_write() {
        let tls = find("TLSRoute").expect("TLSRoute is read");
        assert_eq!(tls.group, "gateway.networking.k8s.io");
        assert!(tls.accepts("gateway.networking.k8s.io", "v1alpha3"));
        assert!(!tls.accepts("gateway.networking.x-k8s.io", "v1alpha3"));
        let slices = find("EndpointSlice").expect("EndpointSlice is read");
        assert_eq!(slices.api_versions(), "discovery.k8s.io/v1");
        assert_eq!(
            find("Service").expect("Service is read").api_versions(),
            "v1"
        );
        let lbc = find("LoadBalancerConfiguration").expect("read");
        assert_eq!(
            lbc.api_versions(),
            "gateway.k8s.aws/v1, gateway.k8s.aws/v1beta1"
        );
        let tgb = find("TargetGroupBinding").expect("read");
        assert_eq!(tgb.api_versions(), "elbv2.k8s.aws/v1beta1");
        assert!(
            find("HttpRoute").is_none(),
            "kinds are matched by their wire name"
        );
    }
}
