//! The reflector caches, and the [`Snapshot`] translation reads, built from them by cloning
//! `Arc`s (never the objects).

use crate::kinds::RouteObject;
use crate::referenced::ConfigMapCache;
use crate::referenced::SecretCache;
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

macro_rules! stores {
    // `snapshot`: kinds translation reads (`routes`: the route kinds among them); `other`: kinds
    // cached for other readers.
    (snapshot { $($field:ident: $kind:ty),* $(,)? }
     routes { $($rfield:ident: $rkind:ty),* $(,)? }
     other { $($ofield:ident: $okind:ty),* $(,)? }) => {
        /// One cache per watched kind. A kind whose CRD is not installed has an empty cache.
        #[derive(Clone)]
        pub struct Stores {
            $(pub $field: Store<$kind>,)*
            $(pub $rfield: Store<$rkind>,)*
            $(pub $ofield: Store<$okind>,)*
            /// Only the Secrets objects reference (`crate::referenced`), never all of them.
            pub secrets: SecretCache,
            /// Only the ConfigMaps Gateways name as client-certificate CAs
            /// (`crate::referenced::config_maps`).
            pub config_maps: ConfigMapCache,
        }

        /// The write halves, handed to the watches.
        pub struct Writers {
            $(pub $field: Writer<$kind>,)*
            $(pub $rfield: Writer<$rkind>,)*
            $(pub $ofield: Writer<$okind>,)*
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
                $(let $rfield = reflector::store();)*
                $(let $ofield = reflector::store();)*
                (
                    Stores {
                        $($field: $field.0,)*
                        $($rfield: $rfield.0,)*
                        $($ofield: $ofield.0,)*
                        secrets,
                        config_maps: ConfigMapCache::default(),
                    },
                    Writers {
                        $($field: $field.1,)*
                        $($rfield: $rfield.1,)*
                        $($ofield: $ofield.1,)*
                    },
                )
            }

            /// Everything translation reads.
            pub fn snapshot(&self) -> Snapshot {
                self.snapshot_with_routes(|_, _| true)
            }

            /// Everything translation reads, but only the routes `keep` takes (told the
            /// snapshot without routes, which has the ListenerSets): the routes a reconcile
            /// leaves out are never copied, not even their keys.
            pub fn snapshot_with_routes(
                &self,
                keep: impl Fn(&Snapshot, &dyn RouteObject) -> bool,
            ) -> Snapshot {
                let mut snapshot = Snapshot {
                    $($field: objects(&self.$field),)*
                    secrets: self.secrets.objects(),
                    config_maps: self.config_maps.objects(),
                    ..Snapshot::default()
                };
                $(
                    let routes = self
                        .$rfield
                        .state()
                        .into_iter()
                        .filter(|r| keep(&snapshot, r.as_ref()))
                        .map(|o| (ObjectKey::of(o.meta()), o))
                        .collect();
                    snapshot.$rfield = routes;
                )*
                snapshot
            }
        }
    };
}

stores! {
    snapshot {
    gateway_classes: GatewayClass,
    gateways: Gateway,
    // Empty while the GatewayListenerSet gate is off (not watched).
    listener_sets: ListenerSet,
    reference_grants: ReferenceGrant,
    namespaces: Namespace,
    services: Service,
    load_balancer_configurations: LoadBalancerConfiguration,
    target_group_configurations: TargetGroupConfiguration,
    listener_rule_configurations: ListenerRuleConfiguration,
    }
    routes {
    http_routes: HttpRoute,
    grpc_routes: GrpcRoute,
    tcp_routes: TcpRoute,
    udp_routes: UdpRoute,
    tls_routes: TlsRoute,
    }
    // Targets only (`targets_snapshot`): the bulk of a cluster, which translation never reads.
    other {
    endpoint_slices: EndpointSlice,
    nodes: Node,
    target_group_bindings: TargetGroupBinding,
    pods: Pod,
    }
}

impl Stores {
    /// What the trigger rules read: no Services, Namespaces or Secrets, which are the bulk of
    /// a cluster and which no rule looks into (a Secret's users are found through the
    /// ListenerRuleConfigurations that name it).
    pub fn trigger_snapshot(&self) -> Snapshot {
        Snapshot {
            gateway_classes: objects(&self.gateway_classes),
            gateways: objects(&self.gateways),
            http_routes: objects(&self.http_routes),
            grpc_routes: objects(&self.grpc_routes),
            tcp_routes: objects(&self.tcp_routes),
            udp_routes: objects(&self.udp_routes),
            tls_routes: objects(&self.tls_routes),
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

    /// What target computation reads: Services, EndpointSlices, Nodes and gated Pods only.
    pub fn targets_snapshot(&self) -> Snapshot {
        Snapshot {
            services: objects(&self.services),
            endpoint_slices: objects(&self.endpoint_slices),
            nodes: objects(&self.nodes),
            pods: objects(&self.pods),
            ..Snapshot::default()
        }
    }
}

fn objects<K>(store: &Store<K>) -> Objects<K>
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
