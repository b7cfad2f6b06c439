//! Every kind the controller watches and how its changes are reduced (the API accesses they
//! need are listed in crate::access).

use crate::stores::Writers;
use crate::triggers::{Change, TargetsChange};
use crate::watch::{KindWatch, WatchContext, keep_all, spawn};
use gantry_api::crds::{
    ListenerRuleConfiguration, LoadBalancerConfiguration, TargetGroupBinding,
    TargetGroupConfiguration,
};
use gantry_api::gateway::{
    Gateway, GatewayClass, GrpcRoute, HttpRoute, ListenerSet, ReferenceGrant, TcpRoute, TlsRoute,
    UdpRoute,
};
use gantry_api::k8s::{EndpointSlice, Namespace, Node, Pod, Resource, Service};
use gantry_snapshot::ObjectKey;
use k8s_openapi::api::core::v1::{PodSpec, PodStatus};
use kube::api::Api;
use kube::core::NamespaceResourceScope;
use std::hash::{DefaultHasher, Hash, Hasher};
use tokio::task::JoinHandle;

fn scoped<K>(ctx: &WatchContext) -> Api<K>
where
    K: Resource<Scope = NamespaceResourceScope, DynamicType = ()>,
{
    match ctx.namespace.as_deref() {
        Some(ns) => Api::namespaced(ctx.client.clone(), ns),
        None => Api::all(ctx.client.clone()),
    }
}

fn hash(v: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// Spec changes and deletion; status writes (ours included) are not changes.
fn generation<K: Resource>(obj: &K) -> (u64, u64) {
    let m = obj.meta();
    (hash((m.generation, m.deletion_timestamp.is_some())), 0)
}

/// The watch of an optional kind (its CRD may be missing), cached whole: the base the
/// watches below set `change` and `fingerprint` on.
fn whole<K>(api: Api<K>) -> KindWatch<K> {
    KindWatch {
        api,
        optional: true,
        keep: None,
        trim: keep_all,
        change: |_, _| None,
        fingerprint: None,
    }
}

pub fn gateway_classes(ctx: &WatchContext) -> KindWatch<GatewayClass> {
    KindWatch {
        change: |o, _| {
            Some(Change::GatewayClass(
                o.metadata.name.clone().unwrap_or_default(),
            ))
        },
        fingerprint: Some(generation::<GatewayClass>),
        ..whole(Api::all(ctx.client.clone()))
    }
}

pub fn gateways(ctx: &WatchContext) -> KindWatch<Gateway> {
    KindWatch {
        // A status-only change matters to chained NLBs, not to the Gateway itself.
        change: |o, spec| {
            let key = ObjectKey::of(&o.metadata);
            Some(if spec {
                Change::Gateway(key)
            } else {
                Change::GatewayStatus(key)
            })
        },
        // The Programmed message carries the ALB ARN that chained NLBs read.
        fingerprint: Some(|o| {
            let programmed = o
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Programmed"))
                .map(|c| (c.status.clone(), c.message.clone()));
            (generation(o).0, hash(programmed))
        }),
        ..whole(scoped(ctx))
    }
}

macro_rules! route_watch {
    ($fn:ident, $kind:ty) => {
        pub fn $fn(ctx: &WatchContext) -> KindWatch<$kind> {
            KindWatch {
                change: |o, _| Some(crate::route_change!(o)),
                // Parents in status count: a status written by the Gateway a route left
                // still names it.
                fingerprint: Some(|o| (hash((generation(o), crate::route_change!(o))), 0)),
                ..whole(scoped(ctx))
            }
        }
    };
}

route_watch!(http_routes, HttpRoute);
route_watch!(grpc_routes, GrpcRoute);
route_watch!(tcp_routes, TcpRoute);
route_watch!(udp_routes, UdpRoute);
route_watch!(tls_routes, TlsRoute);

/// ListenerSets (only with the `GatewayListenerSet` gate): a change reconciles the Gateway its
/// parentRef names.
pub fn listener_sets(ctx: &WatchContext) -> KindWatch<ListenerSet> {
    KindWatch {
        change: |o, _| {
            let key = ObjectKey::of(&o.metadata);
            Some(Change::ListenerSet {
                parent: gantry_gateway::listener_sets::parent_of(&key, o),
                key,
            })
        },
        // Spec changes and deletion; our status writes are not changes.
        fingerprint: Some(generation::<ListenerSet>),
        ..whole(scoped(ctx))
    }
}

pub fn reference_grants(ctx: &WatchContext) -> KindWatch<ReferenceGrant> {
    KindWatch {
        change: |o, _| {
            Some(Change::ReferenceGrant(
                o.spec
                    .from
                    .iter()
                    .map(|f| (f.kind.clone(), f.namespace.clone()))
                    .collect(),
            ))
        },
        fingerprint: None,
        ..whole(scoped(ctx))
    }
}

pub fn namespaces(ctx: &WatchContext) -> KindWatch<Namespace> {
    KindWatch {
        api: Api::all(ctx.client.clone()),
        optional: false,
        keep: None,
        // Only the labels are read (listener namespace selectors).
        trim: |o| {
            o.spec = None;
            o.status = None;
        },
        change: |o, _| {
            Some(Change::Namespace(
                o.metadata.name.clone().unwrap_or_default(),
            ))
        },
        // Only labels matter (listener namespace selectors).
        fingerprint: Some(|o| (hash(&o.metadata.labels), 0)),
    }
}

pub fn services(ctx: &WatchContext) -> KindWatch<Service> {
    KindWatch {
        api: scoped(ctx),
        optional: false,
        keep: None,
        // The spec (type, ports) is read; the status (load balancer ingress) never.
        trim: |o| o.status = None,
        change: |o, _| Some(Change::Service(ObjectKey::of(&o.metadata))),
        // Translation reads the spec (ports, type); status and endpoints churn is noise.
        fingerprint: Some(|o| (hash(serde_json::to_string(&o.spec).unwrap_or_default()), 0)),
    }
}

pub fn load_balancer_configurations(ctx: &WatchContext) -> KindWatch<LoadBalancerConfiguration> {
    KindWatch {
        change: |o, _| {
            Some(Change::LoadBalancerConfiguration(ObjectKey::of(
                &o.metadata,
            )))
        },
        fingerprint: Some(generation::<LoadBalancerConfiguration>),
        ..whole(scoped(ctx))
    }
}

pub fn target_group_configurations(ctx: &WatchContext) -> KindWatch<TargetGroupConfiguration> {
    KindWatch {
        change: |o, _| {
            Some(Change::TargetGroupConfiguration {
                key: ObjectKey::of(&o.metadata),
                target: o.spec.target_reference.as_ref().map(|t| {
                    (
                        t.kind.clone().unwrap_or_else(|| "Service".to_string()),
                        t.name.clone(),
                    )
                }),
            })
        },
        fingerprint: Some(generation::<TargetGroupConfiguration>),
        ..whole(scoped(ctx))
    }
}

pub fn listener_rule_configurations(ctx: &WatchContext) -> KindWatch<ListenerRuleConfiguration> {
    KindWatch {
        change: |o, _| {
            Some(Change::ListenerRuleConfiguration(ObjectKey::of(
                &o.metadata,
            )))
        },
        // Its status (accepted) is read by translation.
        fingerprint: None,
        ..whole(scoped(ctx))
    }
}

pub fn endpoint_slices(ctx: &WatchContext) -> KindWatch<EndpointSlice> {
    KindWatch {
        api: scoped(ctx),
        optional: false,
        keep: None,
        trim: crate::trim::endpoint_slice,
        change: |o, _| {
            let service = o
                .metadata
                .labels
                .as_ref()?
                .get(gantry_targets::SERVICE_NAME_LABEL)?;
            let ns = o.metadata.namespace.as_deref().unwrap_or_default();
            Some(Change::Targets(TargetsChange::Endpoints(ObjectKey::new(
                ns, service,
            ))))
        },
        // Every update of a slice is an endpoint change; there is no status.
        fingerprint: None,
    }
}

pub fn nodes(ctx: &WatchContext) -> KindWatch<Node> {
    KindWatch {
        api: Api::all(ctx.client.clone()),
        optional: false,
        keep: None,
        // Only labels, providerID and the Ready condition are read: the rest of the status
        // (images, heartbeats, capacity) is most of a Node and churns.
        trim: |o| {
            if let Some(s) = o.status.as_mut() {
                let ready = s
                    .conditions
                    .take()
                    .map(|c| c.into_iter().filter(|c| c.type_ == "Ready").collect());
                *s = Default::default();
                s.conditions = ready;
            }
        },
        change: |_, _| Some(Change::Targets(TargetsChange::Node)),
        // Heartbeats move lastHeartbeatTime every few seconds; only what instance targets read
        // counts.
        fingerprint: Some(|o| {
            let ready = o
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                .map(|c| c.status.clone());
            let provider = o.spec.as_ref().and_then(|s| s.provider_id.clone());
            (hash((&o.metadata.labels, provider, ready)), 0)
        }),
    }
}

pub fn target_group_bindings(ctx: &WatchContext) -> KindWatch<TargetGroupBinding> {
    KindWatch {
        change: |o, _| {
            Some(Change::Targets(TargetsChange::Binding(ObjectKey::of(
                &o.metadata,
            ))))
        },
        // Spec changes and deletion; our finalizer writes are not changes.
        fingerprint: Some(generation::<TargetGroupBinding>),
        ..whole(scoped(ctx))
    }
}

/// Pods listing a `target-health.elbv2.k8s.aws/<binding>` readiness gate; no other pod is
/// cached (gates can't be added to a running pod, so a pod never becomes gated later).
pub fn pods(ctx: &WatchContext) -> KindWatch<Pod> {
    KindWatch {
        api: scoped(ctx),
        optional: false,
        keep: Some(gantry_targets::has_target_health_gate),
        // Only the readiness gates and the conditions are read.
        trim: |o| {
            let meta = &mut o.metadata;
            meta.labels = None;
            meta.annotations = None;
            meta.owner_references = None;
            let gates = o.spec.take().and_then(|s| s.readiness_gates);
            o.spec = Some(PodSpec {
                readiness_gates: gates,
                ..PodSpec::default()
            });
            let conditions = o.status.take().and_then(|s| s.conditions);
            o.status = Some(PodStatus {
                conditions,
                ..PodStatus::default()
            });
        },
        change: |o, _| {
            let ns = o.metadata.namespace.as_deref().unwrap_or_default();
            Some(Change::Targets(TargetsChange::Pod(
                gantry_targets::gated_bindings(o)
                    .into_iter()
                    .map(|b| ObjectKey::new(ns, b))
                    .collect(),
            )))
        },
        // What the binding acts on: containers turning ready (register the target) and the
        // pod going. Our own gate writes, and the Ready they cause, are not changes.
        fingerprint: Some(|o| {
            let containers_ready = gantry_targets::pod_condition(o, "ContainersReady");
            (
                hash((containers_ready, o.metadata.deletion_timestamp.is_some())),
                0,
            )
        }),
    }
}

/// A route of any kind, as the status writer needs it.
pub trait RouteObject {
    /// Gateways and ListenerSets named by the route's spec parentRefs and by its
    /// `status.parents`.
    fn parents(&self) -> crate::triggers::Parents;
}

macro_rules! route_object {
    ($($kind:ty),*) => {$(
        impl RouteObject for $kind {
            fn parents(&self) -> crate::triggers::Parents {
                match crate::route_change!(self) {
                    Change::Route(parents) => parents,
                    _ => unreachable!("route_change! makes a Change::Route"),
                }
            }
        }
    )*};
}

route_object!(HttpRoute, GrpcRoute, TcpRoute, UdpRoute, TlsRoute);

/// Number of watches [`spawn_all`] starts: one per kind, ListenerSets only with
/// `listener_sets` (the `GatewayListenerSet` gate).
pub fn watches(listener_sets: bool) -> usize {
    17 + usize::from(listener_sets)
}

/// Starts the watch of each kind named, into the writer of the same name.
macro_rules! spawn_each {
    ($ctx:expr, $writers:expr, [$($kind:ident),* $(,)?]) => {
        vec![$(spawn($ctx, $writers.$kind, $kind($ctx))),*]
    };
}

/// Starts every watch; that of ListenerSets only when `with_sets` (the
/// `GatewayListenerSet` gate) is on.
pub fn spawn_all(ctx: &WatchContext, w: Writers, with_sets: bool) -> Vec<JoinHandle<()>> {
    let mut all = spawn_each!(
        ctx,
        w,
        [
            gateway_classes,
            gateways,
            http_routes,
            grpc_routes,
            tcp_routes,
            udp_routes,
            tls_routes,
            reference_grants,
            namespaces,
            services,
            load_balancer_configurations,
            target_group_configurations,
            listener_rule_configurations,
            endpoint_slices,
            nodes,
            target_group_bindings,
            pods
        ]
    );
    if with_sets {
        all.push(spawn(ctx, w.listener_sets, listener_sets(ctx)));
    }
    debug_assert_eq!(all.len(), watches(with_sets));
    all
}
