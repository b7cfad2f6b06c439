//! The reflector caches, and the [`Snapshot`] translation reads, built from them by cloning
//! `Arc`s (never the objects).

use gantry_api::crds::{
    ListenerRuleConfiguration, LoadBalancerConfiguration, TargetGroupConfiguration,
};
use gantry_api::gateway::{
    Gateway, GatewayClass, GrpcRoute, HttpRoute, ReferenceGrant, TcpRoute, TlsRoute, UdpRoute,
};
use gantry_api::k8s::{Namespace, Resource, Service};
use gantry_snapshot::{ObjectKey, Objects, Snapshot};
use kube::runtime::reflector::{self, Store, store::Writer};

macro_rules! stores {
    ($($field:ident: $kind:ty),* $(,)?) => {
        /// One cache per watched kind. A kind whose CRD is not installed has an empty cache.
        #[derive(Clone)]
        pub struct Stores {
            $(pub $field: Store<$kind>,)*
        }

        /// The write halves, handed to the watches.
        pub struct Writers {
            $(pub $field: Writer<$kind>,)*
        }

        impl Stores {
            pub fn new() -> (Stores, Writers) {
                $(let $field = reflector::store();)*
                (
                    Stores { $($field: $field.0,)* },
                    Writers { $($field: $field.1,)* },
                )
            }

            /// Everything translation reads.
            pub fn snapshot(&self) -> Snapshot {
                Snapshot {
                    $($field: objects(&self.$field),)*
                    ..Snapshot::default()
                }
            }
        }
    };
}

stores! {
    gateway_classes: GatewayClass,
    gateways: Gateway,
    http_routes: HttpRoute,
    grpc_routes: GrpcRoute,
    tcp_routes: TcpRoute,
    udp_routes: UdpRoute,
    tls_routes: TlsRoute,
    reference_grants: ReferenceGrant,
    namespaces: Namespace,
    services: Service,
    load_balancer_configurations: LoadBalancerConfiguration,
    target_group_configurations: TargetGroupConfiguration,
    listener_rule_configurations: ListenerRuleConfiguration,
}

impl Stores {
    /// What the trigger rules read: no Services, Namespaces or Secrets, which are the bulk of
    /// a cluster and which no rule looks into.
    pub fn trigger_snapshot(&self) -> Snapshot {
        Snapshot {
            gateway_classes: objects(&self.gateway_classes),
            gateways: objects(&self.gateways),
            http_routes: objects(&self.http_routes),
            grpc_routes: objects(&self.grpc_routes),
            tcp_routes: objects(&self.tcp_routes),
            udp_routes: objects(&self.udp_routes),
            tls_routes: objects(&self.tls_routes),
            load_balancer_configurations: objects(&self.load_balancer_configurations),
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
