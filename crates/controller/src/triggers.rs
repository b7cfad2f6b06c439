//! Which Gateways a change can affect (docs/status-conditions.md). Plain functions over a [`View`] of the
//! cluster, so that each rule is unit-tested without a watch.

use gantry_api::gateway::{Gateway, GatewayListenersAllowedRoutesNamespacesFrom as From};
use gantry_gateway::routes::{Filter, Route, RouteKind, all_routes};
use gantry_snapshot::{ObjectKey, Snapshot};
use gantry_translate::secrets::{
    gateway_certificate_secrets, listener_set_certificate_secrets, rule_configuration_secret_names,
};
use std::collections::BTreeSet;

pub use crate::route_parents::{ParentRefParts, Parents, route_parents};

/// Something changed in the cluster, reduced to what finding its Gateways needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// A Gateway's spec changed, or it came or went: itself, and the NLB Gateways chained
    /// to it.
    Gateway(ObjectKey),
    /// Only a Gateway's status changed (the ALB ARN chained NLBs read): the NLBs.
    GatewayStatus(ObjectKey),
    GatewayClass(String),
    /// A route changed: the Gateways (and ListenerSets) of its spec parentRefs and of its
    /// `status.parents` (so that detaching also reconciles the Gateway it left).
    Route(Parents),
    /// A ListenerSet's spec changed, or it came or went: the Gateway its parentRef names
    /// (None: not a Gateway). The mapper adds the Gateway it named before.
    ListenerSet {
        key: ObjectKey,
        parent: Option<ObjectKey>,
    },
    Service(ObjectKey),
    /// A ReferenceGrant's `from` entries: (kind, namespace).
    ReferenceGrant(Vec<(String, String)>),
    Namespace(String),
    LoadBalancerConfiguration(ObjectKey),
    /// A TargetGroupConfiguration and its `targetReference` (kind, name), if any.
    TargetGroupConfiguration {
        key: ObjectKey,
        target: Option<(String, String)>,
    },
    ListenerRuleConfiguration(ObjectKey),
    /// A referenced Secret's data changed, or it came or went.
    Secret(ObjectKey),
    /// A ConfigMap a Gateway names as client-certificate CA changed, or it came or went.
    ConfigMap(ObjectKey),
    /// The targets of TargetGroupBindings moved; no Gateway reads them.
    Targets(TargetsChange),
}

/// What the binding controller is told about; mapped to bindings in `mapper.rs`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TargetsChange {
    Binding(ObjectKey),
    /// An EndpointSlice of the Service (namespace, name) changed.
    Endpoints(ObjectKey),
    /// A Node changed in a way instance targets see.
    Node,
    /// A pod with readiness gates changed: the bindings its gates name.
    Pod(Vec<ObjectKey>),
}

/// What the trigger rules read: the Gateways, classes and LB configurations of a snapshot, and
/// the routes converted at most once per batch of changes — only when a rule looks into
/// routes: a route's own change names its Gateways, and converting every route of a large
/// cluster for each batch of status echoes was most of the controller's peak memory.
pub struct View<'s> {
    snapshot: &'s Snapshot,
    /// Where the routes are decoded from when a rule needs them; None: the snapshot's own.
    stores: Option<&'s crate::stores::Stores>,
    routes: std::cell::OnceCell<Vec<Route>>,
    /// The TCP, UDP and TLS routes alone: chaining reads only these, after every Gateway
    /// status change.
    l4_routes: std::cell::OnceCell<Vec<Route>>,
}

impl<'s> View<'s> {
    /// Over `snapshot` and its routes.
    pub fn new(snapshot: &'s Snapshot) -> Self {
        View {
            snapshot,
            stores: None,
            routes: std::cell::OnceCell::new(),
            l4_routes: std::cell::OnceCell::new(),
        }
    }

    /// Over `snapshot` (without routes: `Stores::trigger_snapshot`), the routes decoded from
    /// `stores` on first use.
    pub fn with_stores(snapshot: &'s Snapshot, stores: &'s crate::stores::Stores) -> Self {
        View {
            stores: Some(stores),
            ..View::new(snapshot)
        }
    }

    /// The routes of the snapshot, or of the caches: only the TCP, UDP and TLS ones if
    /// `l4_only`.
    fn convert(&self, l4_only: bool) -> Vec<Route> {
        let mut routes = match self.stores {
            Some(stores) => {
                let mut routes = Snapshot::default();
                let filter = crate::stores::RouteFilter {
                    l4_only,
                    keep: &|_, _| true,
                };
                stores.add_routes(&mut routes, filter);
                routes
            }
            None => Snapshot {
                http_routes: self.snapshot.http_routes.clone(),
                grpc_routes: self.snapshot.grpc_routes.clone(),
                tcp_routes: self.snapshot.tcp_routes.clone(),
                udp_routes: self.snapshot.udp_routes.clone(),
                tls_routes: self.snapshot.tls_routes.clone(),
                ..Snapshot::default()
            },
        };
        if l4_only {
            routes.http_routes.clear();
            routes.grpc_routes.clear();
        }
        all_routes(&routes)
    }

    /// The TCP, UDP and TLS routes, converted on first use.
    fn l4_routes(&self) -> &[Route] {
        self.l4_routes.get_or_init(|| self.convert(true))
    }

    /// Every route, converted on first use.
    fn routes(&self) -> &[Route] {
        self.routes.get_or_init(|| self.convert(false))
    }

    /// The Gateways `change` can affect.
    pub fn gateways_for(&self, change: &Change) -> BTreeSet<ObjectKey> {
        match change {
            Change::Gateway(key) => {
                let mut out = self.chained_to(key);
                out.insert(key.clone());
                out
            }
            Change::GatewayStatus(key) => self.chained_to(key),
            Change::GatewayClass(name) => self.of_class(name),
            Change::Route(parents) => {
                let mut out = parents.gateways.clone();
                out.extend(
                    parents
                        .listener_sets
                        .iter()
                        .filter_map(|s| self.listener_set_parent(s)),
                );
                out
            }
            Change::ListenerSet { parent, .. } => parent.iter().cloned().collect(),
            Change::Service(key) => self.using_service(key),
            Change::ReferenceGrant(from) => self.granted(from),
            Change::Namespace(name) => self.namespace_sensitive(name),
            Change::LoadBalancerConfiguration(key) => self.using_lb_config(key),
            Change::TargetGroupConfiguration { key, target } => match target {
                Some((kind, name)) if kind == "Gateway" => {
                    self.chained_to(&ObjectKey::new(&key.namespace, name))
                }
                Some((_, name)) => self.using_service(&ObjectKey::new(&key.namespace, name)),
                None => self.using_default_tg_config(key),
            },
            Change::ListenerRuleConfiguration(key) => self.using_rule_config(key),
            Change::Secret(key) => self.using_secret(key),
            Change::ConfigMap(key) => {
                gantry_translate::frontend::gateways_using_config_map(self.snapshot, key)
            }
            Change::Targets(_) => BTreeSet::new(),
        }
    }

    fn parents_of<'a>(&'a self, routes: impl Iterator<Item = &'a Route>) -> BTreeSet<ObjectKey> {
        routes.flat_map(|r| self.route_gateways(r)).collect()
    }

    /// The Gateway the ListenerSet `set` names as parent, if it exists in the snapshot.
    fn listener_set_parent(&self, set: &ObjectKey) -> Option<ObjectKey> {
        let s = self.snapshot.listener_sets.get(set)?;
        gantry_gateway::listener_sets::parent_of(set, s)
    }

    /// The Gateways a route's spec names as parents, directly or through a ListenerSet.
    fn route_gateways<'a>(&'a self, route: &'a Route) -> impl Iterator<Item = ObjectKey> + 'a {
        route.parent_refs.iter().filter_map(|p| {
            if p.group != gantry_api::gateway::GROUP {
                return None;
            }
            let key = ObjectKey::new(&p.namespace, &p.name);
            match p.kind.as_str() {
                "Gateway" => Some(key),
                "ListenerSet" => self.listener_set_parent(&key),
                _ => None,
            }
        })
    }

    /// The Gateways of the ListenerSets of `namespace`.
    fn listener_set_gateways_in(&self, namespace: &str) -> BTreeSet<ObjectKey> {
        self.snapshot
            .listener_sets
            .iter()
            .filter(|(k, _)| k.namespace == namespace)
            .filter_map(|(k, s)| gantry_gateway::listener_sets::parent_of(k, s))
            .collect()
    }

    fn of_class(&self, class: &str) -> BTreeSet<ObjectKey> {
        self.snapshot
            .gateways
            .iter()
            .filter(|(_, g)| g.spec.gateway_class_name == class)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// NLB Gateways whose routes forward to the Gateway `alb`.
    pub fn chained_to(&self, alb: &ObjectKey) -> BTreeSet<ObjectKey> {
        self.parents_of(self.l4_routes().iter().filter(|r| {
            !r.kind.is_l7()
                && backends(r).any(|b| {
                    b.kind == "Gateway" && b.namespace == alb.namespace && b.name == alb.name
                })
        }))
    }

    fn using_service(&self, service: &ObjectKey) -> BTreeSet<ObjectKey> {
        self.parents_of(self.routes().iter().filter(|r| {
            backends(r).any(|b| {
                b.kind == "Service"
                    && b.group.is_empty()
                    && b.namespace == service.namespace
                    && b.name == service.name
            })
        }))
    }

    fn granted(&self, from: &[(String, String)]) -> BTreeSet<ObjectKey> {
        let mut out = self.parents_of(self.routes().iter().filter(|r| {
            from.iter()
                .any(|(kind, ns)| kind == r.kind.as_str() && *ns == r.key.namespace)
        }));
        for (kind, ns) in from {
            // A ListenerSet's certificateRefs are granted `from` kind ListenerSet.
            if kind == "ListenerSet" {
                out.extend(self.listener_set_gateways_in(ns));
            }
            if kind == "Gateway" {
                out.extend(
                    self.snapshot
                        .gateways
                        .keys()
                        .filter(|k| k.namespace == *ns)
                        .cloned(),
                );
            }
        }
        out
    }

    /// A namespace's labels matter to listeners that select namespaces by label, for the
    /// routes in that namespace.
    fn namespace_sensitive(&self, namespace: &str) -> BTreeSet<ObjectKey> {
        let mut out: BTreeSet<ObjectKey> = self
            .snapshot
            .gateways
            .iter()
            .filter(|(_, g)| selects_namespaces(g))
            .map(|(k, _)| k.clone())
            .collect();
        out.retain(|gw| {
            self.routes()
                .iter()
                .any(|r| r.key.namespace == namespace && self.route_gateways(r).any(|p| p == *gw))
        });
        // Gateways choosing the ListenerSets they allow by namespace label.
        out.extend(
            self.listener_set_gateways_in(namespace)
                .into_iter()
                .filter(|gw| {
                    self.snapshot
                        .gateways
                        .get(gw)
                        .is_some_and(|g| selects_listener_set_namespaces(g))
                }),
        );
        out
    }

    fn using_lb_config(&self, config: &ObjectKey) -> BTreeSet<ObjectKey> {
        let classes: BTreeSet<&str> = self
            .snapshot
            .gateway_classes
            .iter()
            .filter(|(_, c)| {
                c.spec.parameters_ref.as_ref().is_some_and(|p| {
                    p.kind == "LoadBalancerConfiguration"
                        && p.name == config.name
                        && p.namespace.as_deref() == Some(config.namespace.as_str())
                })
            })
            .map(|(k, _)| k.name.as_str())
            .collect();
        self.snapshot
            .gateways
            .iter()
            .filter(|(k, g)| {
                classes.contains(g.spec.gateway_class_name.as_str())
                    || (k.namespace == config.namespace
                        && g.spec
                            .infrastructure
                            .as_ref()
                            .and_then(|i| i.parameters_ref.as_ref())
                            .is_some_and(|p| {
                                p.kind == "LoadBalancerConfiguration" && p.name == config.name
                            }))
            })
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// A TargetGroupConfiguration without targetReference is a default, named by
    /// LoadBalancerConfigurations of its namespace.
    fn using_default_tg_config(&self, config: &ObjectKey) -> BTreeSet<ObjectKey> {
        self.snapshot
            .load_balancer_configurations
            .iter()
            .filter(|(k, l)| {
                k.namespace == config.namespace
                    && l.spec
                        .default_target_group_configuration
                        .as_ref()
                        .is_some_and(|d| d.name == config.name)
            })
            .flat_map(|(k, _)| self.using_lb_config(k))
            .collect()
    }

    /// The Gateways whose listeners name the Secret in `tls.certificateRefs`, and those whose
    /// routes use a ListenerRuleConfiguration that names it.
    fn using_secret(&self, secret: &ObjectKey) -> BTreeSet<ObjectKey> {
        let mut out: BTreeSet<ObjectKey> = self
            .snapshot
            .gateways
            .iter()
            .filter(|(k, g)| gateway_certificate_secrets(k, g).any(|s| s == *secret))
            .map(|(k, _)| k.clone())
            .collect();
        out.extend(
            self.snapshot
                .listener_sets
                .iter()
                .filter(|(k, s)| listener_set_certificate_secrets(k, s).contains(secret))
                .filter_map(|(k, s)| gantry_gateway::listener_sets::parent_of(k, s)),
        );
        out.extend(
            self.snapshot
                .listener_rule_configurations
                .iter()
                .filter(|(k, l)| {
                    k.namespace == secret.namespace
                        && rule_configuration_secret_names(l).any(|n| n == secret.name)
                })
                .flat_map(|(k, _)| self.using_rule_config(k)),
        );
        out
    }

    fn using_rule_config(&self, config: &ObjectKey) -> BTreeSet<ObjectKey> {
        self.parents_of(self.routes().iter().filter(|r| {
            r.key.namespace == config.namespace
                && r.rules.iter().flat_map(|rule| &rule.filters).any(|f| {
                    matches!(f, Filter::ExtensionRef { kind, name, .. }
                        if kind == "ListenerRuleConfiguration" && *name == config.name)
                })
        }))
    }
}

fn backends(route: &Route) -> impl Iterator<Item = &gantry_gateway::routes::BackendRef> {
    route.rules.iter().flat_map(|r| &r.backend_refs)
}

/// Whether a Gateway allows ListenerSets by namespace label.
fn selects_listener_set_namespaces(gateway: &Gateway) -> bool {
    gateway
        .spec
        .allowed_listeners
        .as_ref()
        .and_then(|a| a.namespaces.as_ref())
        .and_then(|n| n.from.as_ref())
        .is_some_and(|f| {
            matches!(
                f,
                gantry_api::gateway::GatewayAllowedListenersNamespacesFrom::Selector
            )
        })
}

fn selects_namespaces(gateway: &Gateway) -> bool {
    gateway.spec.listeners.iter().any(|l| {
        l.allowed_routes
            .as_ref()
            .and_then(|a| a.namespaces.as_ref())
            .and_then(|n| n.from.as_ref())
            .is_some_and(|f| matches!(f, From::Selector))
    })
}

/// Route kinds by name, for ReferenceGrant `from` entries.
pub fn is_route_kind(kind: &str) -> bool {
    RouteKind::parse(kind).is_some()
}

#[cfg(test)]
#[path = "triggers_tests.rs"]
mod tests;
