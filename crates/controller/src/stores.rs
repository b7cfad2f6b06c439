//! The caches, and the [`Snapshot`]s readers take of them. The small kinds are kube reflector
//! stores (snapshots clone `Arc`s, never the objects); the bulk kinds (routes, Services,
//! EndpointSlices) are compact caches (`crate::compact`) that decode only what a snapshot
//! asks for.

use crate::compact::{Compact, CompactWriter};
use crate::referenced::ConfigMapCache;
use crate::referenced::SecretCache;
use crate::route_parents::RouteIndex;
use gantry_api::crds::{
    ListenerRuleConfiguration, LoadBalancerConfiguration, TargetGroupBinding,
    TargetGroupConfiguration,
};
use gantry_api::gateway::{
    Gateway, GatewayClass, GrpcRoute, HttpRoute, ListenerSet, ReferenceGrant, TcpRoute, TlsRoute,
    UdpRoute,
};
use gantry_api::k8s::{EndpointSlice, Namespace, Node, Pod, Resource, Service};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use kube::runtime::reflector::{self, Store, store::Writer};
use std::collections::BTreeSet;

/// A route cache: each route with its parents decoded.
pub type Routes<K> = Compact<K, RouteIndex>;

/// The EndpointSlice cache: each slice with its `kubernetes.io/service-name` label.
pub type Slices = Compact<EndpointSlice, Option<Box<str>>>;

/// The Service cache: Services are read by key only.
pub type Services = Compact<Service, ()>;

/// Which routes a snapshot takes: the route kinds to look at, and a test of each route's
/// index (told the snapshot being built, which has the ListenerSets).
pub struct RouteFilter<'a> {
    pub l4_only: bool,
    pub keep: &'a dyn Fn(&Snapshot, &RouteIndex) -> bool,
}

macro_rules! stores {
    // `reflected`: kube reflector stores, those translation reads first; `routes`: compact
    // route caches.
    (reflected { $($field:ident: $kind:ty),* $(,)? }
     routes { $($rfield:ident: $rkind:ty, $l4:expr),* $(,)? }) => {
        /// One cache per watched kind. A kind whose CRD is not installed has an empty cache.
        #[derive(Clone)]
        pub struct Stores {
            $(pub $field: Store<$kind>,)*
            $(pub $rfield: Routes<$rkind>,)*
            pub services: Services,
            pub endpoint_slices: Slices,
            /// Only the Secrets objects reference (`crate::referenced`), never all of them.
            pub secrets: SecretCache,
            /// Only the ConfigMaps Gateways name as client-certificate CAs
            /// (`crate::referenced::config_maps`).
            pub config_maps: ConfigMapCache,
        }

        /// The write halves, handed to the watches.
        pub struct Writers {
            $(pub $field: Writer<$kind>,)*
            $(pub $rfield: CompactWriter<$rkind, RouteIndex>,)*
            pub services: CompactWriter<Service, ()>,
            pub endpoint_slices: CompactWriter<EndpointSlice, Option<Box<str>>>,
        }

        impl Writers {
            /// Caches every object of `snapshot` (tests: the reflectors' first list).
            #[cfg(test)]
            pub fn fill(&mut self, snapshot: &Snapshot) {
                use kube::runtime::watcher::Event;
                $(for o in snapshot.$field.values() {
                    self.$field.apply_watcher_event(&Event::Apply(o.as_ref().clone()));
                })*
                $(for o in snapshot.$rfield.values() {
                    self.$rfield.apply_watcher_event(&Event::Apply(o.as_ref().clone()));
                })*
                for o in snapshot.services.values() {
                    self.services.apply_watcher_event(&Event::Apply(o.as_ref().clone()));
                }
                for o in snapshot.endpoint_slices.values() {
                    self.endpoint_slices.apply_watcher_event(&Event::Apply(o.as_ref().clone()));
                }
            }
        }

        impl Stores {
            pub fn new() -> (Stores, Writers) {
                Stores::with_secrets(SecretCache::default())
            }

            /// With `secrets` as the cache of referenced Secrets (shared with the deployer's
            /// certificate source).
            pub fn with_secrets(secrets: SecretCache) -> (Stores, Writers) {
                $(let $field = reflector::store();)*
                $(let $rfield = Compact::new(RouteIndex::of::<$rkind>);)*
                let services = Compact::new(|_: &Service| ());
                let endpoint_slices = Compact::new(service_of_slice);
                (
                    Stores {
                        $($field: $field.0,)*
                        $($rfield: $rfield.0,)*
                        services: services.0,
                        endpoint_slices: endpoint_slices.0,
                        secrets,
                        config_maps: ConfigMapCache::default(),
                    },
                    Writers {
                        $($field: $field.1,)*
                        $($rfield: $rfield.1,)*
                        services: services.1,
                        endpoint_slices: endpoint_slices.1,
                    },
                )
            }

            /// The kinds translation reads that are few: everything but routes, Services and
            /// the targets' kinds.
            pub fn base_snapshot(&self) -> Snapshot {
                Snapshot {
                    gateway_classes: objects(&self.gateway_classes),
                    gateways: objects(&self.gateways),
                    listener_sets: objects(&self.listener_sets),
                    reference_grants: objects(&self.reference_grants),
                    namespaces: objects(&self.namespaces),
                    load_balancer_configurations: objects(&self.load_balancer_configurations),
                    target_group_configurations: objects(&self.target_group_configurations),
                    listener_rule_configurations: objects(&self.listener_rule_configurations),
                    secrets: self.secrets.objects(),
                    config_maps: self.config_maps.objects(),
                    ..Snapshot::default()
                }
            }

            /// Adds to `snapshot` the routes `filter` takes, decoded; the others are never
            /// decoded, not even their keys copied.
            pub fn add_routes(&self, snapshot: &mut Snapshot, filter: RouteFilter<'_>) {
                $(
                    if !filter.l4_only || $l4 {
                        snapshot.$rfield = self.$rfield.select(|_, i| (filter.keep)(snapshot, i));
                    }
                )*
            }

            /// Whether any cached route's index passes `test` (nothing is decoded).
            pub fn any_route(&self, test: impl Fn(&RouteIndex) -> bool) -> bool {
                false $(|| self.$rfield.any(|_, i| test(i)))*
            }
        }
    };
}

stores! {
    reflected {
    gateway_classes: GatewayClass,
    gateways: Gateway,
    // Empty while the GatewayListenerSet gate is off (not watched).
    listener_sets: ListenerSet,
    reference_grants: ReferenceGrant,
    namespaces: Namespace,
    load_balancer_configurations: LoadBalancerConfiguration,
    target_group_configurations: TargetGroupConfiguration,
    listener_rule_configurations: ListenerRuleConfiguration,
    // Targets only (`targets_snapshot`).
    nodes: Node,
    target_group_bindings: TargetGroupBinding,
    pods: Pod,
    }
    routes {
    http_routes: HttpRoute, false,
    grpc_routes: GrpcRoute, false,
    tcp_routes: TcpRoute, true,
    udp_routes: UdpRoute, true,
    tls_routes: TlsRoute, true,
    }
}

/// The Service an EndpointSlice belongs to (its `kubernetes.io/service-name` label).
fn service_of_slice(slice: &EndpointSlice) -> Option<Box<str>> {
    let labels = slice.metadata.labels.as_ref()?;
    Some(
        labels
            .get(gantry_targets::SERVICE_NAME_LABEL)?
            .as_str()
            .into(),
    )
}

impl Stores {
    /// Everything translation reads, every route and Service decoded: for the readers that
    /// need the whole cluster (a Gateway's deletion, the tiered pass).
    pub fn snapshot(&self) -> Snapshot {
        let mut snapshot = self.base_snapshot();
        self.add_routes(
            &mut snapshot,
            RouteFilter {
                l4_only: false,
                keep: &|_, _| true,
            },
        );
        snapshot.services = self.services.all();
        snapshot
    }

    /// Adds the Services `keys` names to `snapshot` (those that exist).
    pub fn add_services(&self, snapshot: &mut Snapshot, keys: &BTreeSet<ObjectKey>) {
        snapshot.services = keys
            .iter()
            .filter_map(|k| Some((k.clone(), self.services.get(k)?)))
            .collect();
    }

    /// What the trigger rules read: no routes (the trigger view decodes them only when a rule
    /// looks into them), Services, Namespaces or Secrets, which are the bulk of a cluster
    /// and which no rule looks into (a Secret's users are found through the
    /// ListenerRuleConfigurations that name it).
    pub fn trigger_snapshot(&self) -> Snapshot {
        Snapshot {
            gateway_classes: objects(&self.gateway_classes),
            gateways: objects(&self.gateways),
            listener_sets: objects(&self.listener_sets),
            load_balancer_configurations: objects(&self.load_balancer_configurations),
            listener_rule_configurations: objects(&self.listener_rule_configurations),
            ..Snapshot::default()
        }
    }

    /// What a GatewayClass's status reads: the classes and their LoadBalancerConfigurations.
    pub fn class_snapshot(&self) -> Snapshot {
        Snapshot {
            gateway_classes: objects(&self.gateway_classes),
            load_balancer_configurations: objects(&self.load_balancer_configurations),
            ..Snapshot::default()
        }
    }

    /// What target computation reads for the Services `services`: those Services, their
    /// EndpointSlices, the Nodes and the gated Pods.
    pub fn targets_snapshot(&self, services: &BTreeSet<ObjectKey>) -> Snapshot {
        let mut snapshot = Snapshot {
            endpoint_slices: self.endpoint_slices.select(|k, service| {
                service
                    .as_deref()
                    .is_some_and(|s| services.contains(&ObjectKey::new(k.namespace.as_str(), s)))
            }),
            nodes: objects(&self.nodes),
            pods: objects(&self.pods),
            ..Snapshot::default()
        };
        self.add_services(&mut snapshot, services);
        snapshot
    }
}

/// The Service a TargetGroupBinding sends to.
pub fn bound_service(binding: &TargetGroupBinding) -> ObjectKey {
    ObjectKey::new(
        binding.metadata.namespace.as_deref().unwrap_or_default(),
        binding.spec.service_ref.name.as_str(),
    )
}

/// Every object of `store`, by key.
pub fn objects<K>(store: &Store<K>) -> Objects<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    store
        .state()
        .into_iter()
        .map(|o| (ObjectKey::of(o.meta()), o))
        .collect()
}
