//! The plan: tiered classes, then each tiered Gateway (shadow Gateway, cloud tier, statuses),
//! then the shadow routes, the refusal of routes naming a shadow Gateway, and a last check
//! that no planned object would overwrite someone else's.

use crate::config::{self, ClassConfig, ClassConfigError};
use crate::listeners;
use crate::meta::UserGateway;
use crate::names;
use crate::observed::{self, Observed};
use crate::plan_keep;
use crate::shadow::{self, ShadowRoute};
use crate::status::{self, GatewayClassStatus, GatewayStatus, ListenerStatus, RouteParentStatus};
use crate::{Inputs, TieredPlan, TieredSettings, cloud};
use gantry_api::gateway::Gateway;
use gantry_gateway::Problem;
use gantry_gateway::addresses::AddressProblem;
use gantry_gateway::attach::{self, Outcome};
use gantry_gateway::routes::{self, Route, RouteKind};
use gantry_gateway::status::reasons::{ACCEPTED, PROGRAMMED, Reason};
use gantry_gateway::status::{Condition, address_not_usable, gateway_refused};
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::BTreeMap;

/// Plans every Gateway of a tiered class. Pure: same inputs, same plan.
pub fn plan(snapshot: &Snapshot, observed: &Observed, settings: &TieredSettings) -> TieredPlan {
    let inputs = Inputs {
        snapshot,
        observed,
        settings,
    };
    let mut out = TieredPlan::default();
    let classes = classes(&inputs, &mut out);
    let routes = routes::all_routes(snapshot);
    // gantry's own shadow routes are outputs, never inputs.
    let user_routes: Vec<&Route> = routes
        .iter()
        .filter(|r| {
            observed::route_meta(snapshot, r.kind, &r.key)
                .and_then(|m| m.labels.as_ref())
                .and_then(|l| l.get(names::MANAGED_BY.0))
                .is_none_or(|v| v != names::MANAGED_BY.1)
        })
        .collect();
    let mut acc = Routes::default();
    for (key, gw) in &snapshot.gateways {
        if let Some(source) = shadow::shadow_source(gw) {
            acc.shadow_gateways.insert(key.clone(), source.to_string());
        }
        let Some(config) = classes.get(gw.spec.gateway_class_name.as_str()) else {
            continue;
        };
        // Being deleted: nothing is planned, so the controller deletes what was made for it
        // before it lets the Gateway go (finalizer).
        if gw.metadata.deletion_timestamp.is_some() {
            continue;
        }
        plan_gateway(&inputs, key, gw, config, &user_routes, &mut acc, &mut out);
    }
    for ((kind, key, suffix), shadow) in acc.shadows {
        if let Some(p) = shadow::route(snapshot, kind, &key, &suffix, shadow) {
            out.objects.push(p);
        }
    }
    refuse_shadow_parents(
        &user_routes,
        &acc.shadow_gateways,
        &mut acc.statuses,
        &mut out,
    );
    for (route, mut parents) in acc.statuses {
        parents.sort_by_key(|(i, _)| *i);
        out.statuses
            .routes
            .insert(route, parents.into_iter().map(|(_, p)| p).collect());
    }
    plan_keep::keep_held(&inputs, &routes, &mut out);
    plan_keep::claim(&inputs, &mut out);
    out.objects.sort_by_key(|p| plan_keep::kind_rank(p.kind()));
    out.problems.sort();
    out.problems.dedup();
    out
}

/// What the Gateways contribute to routes.
#[derive(Default)]
struct Routes {
    /// Shadow Gateway → its source, planned or found in the snapshot: routes naming one
    /// directly are refused.
    shadow_gateways: BTreeMap<ObjectKey, String>,
    /// (kind, user route, suffix) → its shadow.
    shadows: BTreeMap<(RouteKind, ObjectKey, String), ShadowRoute>,
    /// User route → (parentRef index, gantry's entry).
    statuses: BTreeMap<(RouteKind, ObjectKey), Vec<(usize, RouteParentStatus)>>,
}

/// The tiered classes by name, each with its configuration or why it is unusable.
fn classes<'s>(
    inputs: &Inputs<'s>,
    out: &mut TieredPlan,
) -> BTreeMap<&'s str, Result<ClassConfig, ClassConfigError>> {
    let mut classes = BTreeMap::new();
    for (key, class) in &inputs.snapshot.gateway_classes {
        if class.spec.controller_name != names::CONTROLLER_NAME {
            continue;
        }
        let config = config::for_class(inputs.snapshot, class, inputs.settings.region.as_deref());
        let generation = class.metadata.generation.unwrap_or(0);
        let accepted = match &config {
            Ok(c) => Condition::new(
                ACCEPTED,
                true,
                Reason::Accepted,
                format!("Accepted with the configuration of ConfigMap {}", c.source),
            ),
            Err(m) => {
                out.problems.push(Problem {
                    object: format!("GatewayClass {}", key.name),
                    message: m.to_string(),
                });
                Condition::new(ACCEPTED, false, Reason::InvalidParameters, m.to_string())
            }
        };
        out.statuses.gateway_classes.insert(
            key.name.clone(),
            GatewayClassStatus {
                conditions: vec![accepted.at(generation)],
                // The tiered class does not report Gateway API features (yet).
                supported_features: Vec::new(),
            },
        );
        classes.insert(key.name.as_str(), config);
    }
    classes
}

fn plan_gateway(
    inputs: &Inputs<'_>,
    key: &ObjectKey,
    gateway: &Gateway,
    config: &Result<ClassConfig, ClassConfigError>,
    user_routes: &[&Route],
    acc: &mut Routes,
    out: &mut TieredPlan,
) {
    let snapshot = inputs.snapshot;
    let generation = gateway.metadata.generation.unwrap_or(0);
    let refuse = |out: &mut TieredPlan, reason: Reason, message: String| {
        let (problem, status) = gateway_refused(key, generation, reason, message);
        out.problems.push(problem);
        out.statuses.gateways.insert(key.clone(), status);
        out.held.push(key.clone());
    };
    let config = match config {
        Ok(c) => c,
        Err(m) => {
            let class = &gateway.spec.gateway_class_name;
            return refuse(
                out,
                Reason::Invalid,
                format!("GatewayClass {class} is not accepted: {m}"),
            );
        }
    };
    match gantry_gateway::addresses::check(gateway) {
        Some(AddressProblem::UnsupportedType(message)) => {
            return refuse(out, Reason::UnsupportedAddress, message);
        }
        // Accepted, but nothing is planned for it: its load balancer could not have it.
        Some(AddressProblem::NotUsable(message)) => {
            let (problem, status) = address_not_usable(key, generation, message);
            out.problems.push(problem);
            out.statuses.gateways.insert(key.clone(), status);
            return out.held.push(key.clone());
        }
        None => {}
    }
    let gw = UserGateway {
        key,
        gateway,
        config,
        source: names::source("Gateway", key),
        generation,
    };
    let shadow_key = ObjectKey::new(key.namespace.clone(), gw.shadow_name());
    if let Some(existing) = snapshot.gateways.get(&shadow_key)
        && observed::annotation(&existing.metadata, names::SOURCE_ANNOTATION)
            != Some(gw.source.as_str())
    {
        let message = format!(
            "Gateway {shadow_key} exists and is not gantry's shadow of this Gateway: rename one of them"
        );
        return refuse(out, Reason::Invalid, message);
    }
    acc.shadow_gateways
        .insert(shadow_key.clone(), gw.source.clone());
    let mut listeners = listeners::validate(&gateway.spec.listeners, config);
    let sources = crate::certificates::Sources {
        snapshot,
        gateway: key,
        specs: &gateway.spec.listeners,
        now: inputs.settings.now,
        acm: inputs.observed.acm_certificates(),
        imported: inputs.observed.imported_certificates(),
    };
    let certificates =
        crate::certificates::resolve(&mut listeners, config, &sources, &mut out.needs_acm);
    if !certificates.secrets.is_empty() {
        out.secret_certificates
            .insert(key.clone(), certificates.secrets.clone());
    }
    if !listeners.iter().any(|l| l.is_valid()) {
        return refuse(
            out,
            Reason::ListenersNotValid,
            "No listener is valid".to_string(),
        );
    }
    let own: Vec<&Route> = user_routes
        .iter()
        .copied()
        .filter(|r| r.parent_refs.iter().any(|p| p.targets_gateway(key)))
        .collect();
    // ListenerSets are not read for tiered Gateways.
    let attachments = attach::attach(snapshot, key, &listeners, &[], &own);

    let copied = gateway
        .spec
        .listeners
        .iter()
        .zip(&listeners)
        .filter(|(_, l)| l.is_valid())
        .filter_map(|(spec, _)| serde_json::to_value(spec).ok())
        .collect();
    out.objects.push(shadow::gateway(&gw, copied));
    let ports = listeners::ports(&listeners, config, &certificates.ports);
    let cloud = cloud::build(inputs, &gw, &ports);
    out.objects.extend(cloud.objects);
    out.families.insert(key.clone(), config.family);
    let state = shadow::gateway_state(snapshot, &gw);

    let mut attached_routes = vec![0i32; listeners.len()];
    for a in &attachments {
        let route = a.route;
        let pref = &route.parent_refs[a.parent];
        let entry = match &a.outcome {
            Outcome::Rejected { reason, message } => {
                status::route_refused(route.generation, *reason, message.clone())
            }
            Outcome::Attached(ls) => {
                for (i, _) in ls {
                    attached_routes[*i] += 1;
                }
                let shadow_ref = shadow::shadow_parent_ref(&pref.original, &gw.shadow_name());
                let shadow = acc
                    .shadows
                    .entry((route.kind, route.key.clone(), config.suffix.clone()))
                    .or_insert_with(|| ShadowRoute {
                        parent_refs: vec![],
                        owners: vec![],
                    });
                shadow.parent_refs.push(shadow_ref.clone());
                if route.key.namespace == key.namespace
                    && !shadow.owners.iter().any(|o| &o.key == key)
                {
                    shadow.owners.push(gw.owner());
                }
                route_entry(snapshot, route, &config.suffix, &shadow_ref)
            }
        };
        acc.statuses
            .entry((route.kind, route.key.clone()))
            .or_default()
            .push((
                a.parent,
                RouteParentStatus {
                    parent_ref: pref.original.clone(),
                    conditions: entry,
                },
            ));
    }

    let listener_statuses = listeners
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let lb_listener = cloud
                .listener_names
                .get(&l.port)
                .cloned()
                .unwrap_or_default();
            ListenerStatus {
                name: l.name.clone(),
                supported_kinds: l.kinds.clone(),
                attached_routes: attached_routes[i],
                conditions: listeners::conditions(
                    l,
                    certificates.refs.get(&i),
                    state.listeners.get(&l.name).copied().unwrap_or(false),
                    cloud.listener_ready.get(&l.port).copied().unwrap_or(false),
                    &lb_listener,
                )
                .into_iter()
                .map(|c| c.at(generation))
                .collect(),
            }
        })
        .collect();
    let accepted = if listeners.iter().all(|l| l.is_valid()) {
        Condition::new(ACCEPTED, true, Reason::Accepted, "Gateway is accepted")
    } else {
        Condition::new(
            ACCEPTED,
            true,
            Reason::ListenersNotValid,
            "Some listeners are not valid",
        )
    };
    let lb = &cloud.lb;
    let programmed = match (&state.programmed, cloud.not_ready.is_empty()) {
        (Ok(()), true) => Condition::new(
            PROGRAMMED,
            true,
            Reason::Programmed,
            format!("Shadow Gateway {shadow_key} is Programmed and {lb} is Ready"),
        ),
        (shadow, _) => {
            let shadow = shadow.as_ref().err().map(ToString::to_string);
            let not_ready = (!cloud.not_ready.is_empty()).then(|| cloud.not_ready.join(", "));
            let waiting: Vec<String> = shadow.into_iter().chain(not_ready).collect();
            Condition::unknown(
                PROGRAMMED,
                Reason::Pending,
                format!("Waiting for {}", waiting.join(" and ")),
            )
        }
    };
    out.statuses.gateways.insert(
        key.clone(),
        GatewayStatus {
            conditions: vec![accepted.at(generation), programmed.at(generation)],
            listeners: listener_statuses,
            addresses: cloud.dns_name.into_iter().collect(),
            // ListenerSets are not read for tiered Gateways.
            attached_listener_sets: None,
        },
    );
}

/// gantry's entry for an attached parentRef: the in-cluster controller's conditions for the
/// shadow route's matching parentRef, or pending until it has reported on the current copy.
fn route_entry(
    snapshot: &Snapshot,
    route: &Route,
    suffix: &str,
    shadow_ref: &serde_json::Value,
) -> Vec<status::RouteCondition> {
    let shadow_key = ObjectKey::new(
        route.key.namespace.clone(),
        names::shadow(&route.key.name, suffix),
    );
    let source = names::source(route.kind.as_str(), &route.key);
    let shadow = format!("{} {shadow_key}", route.kind);
    let Some(meta) = observed::route_meta(snapshot, route.kind, &shadow_key) else {
        return status::route_pending(
            route.generation,
            &format!("Waiting for shadow route {shadow} to be created"),
        );
    };
    if observed::annotation(meta, names::SOURCE_ANNOTATION) != Some(source.as_str()) {
        return status::route_refused(
            route.generation,
            Reason::UnsupportedValue,
            format!("{shadow} exists and is not gantry's shadow of this route: rename one of them"),
        );
    }
    if !observed::is_current_shadow(meta, &source, route.generation) {
        return status::route_pending(
            route.generation,
            &format!("Waiting for shadow route {shadow} to be updated"),
        );
    }
    let json = observed::route_json(snapshot, route.kind, &shadow_key);
    let mirrored = status::mirror_route_parent(
        json.as_ref().and_then(|j| j.get("status")),
        meta.generation,
        shadow_ref,
        route.generation,
    );
    mirrored.unwrap_or_else(|| {
        status::route_pending(
            route.generation,
            &format!("Waiting for the in-cluster gateway to report on shadow route {shadow}"),
        )
    })
}

/// A user route naming a shadow Gateway gets `Accepted=False` for that parentRef; nothing
/// is copied for it.
fn refuse_shadow_parents(
    user_routes: &[&Route],
    shadows: &BTreeMap<ObjectKey, String>,
    statuses: &mut BTreeMap<(RouteKind, ObjectKey), Vec<(usize, RouteParentStatus)>>,
    out: &mut TieredPlan,
) {
    for route in user_routes {
        for (i, pref) in route.parent_refs.iter().enumerate() {
            let Some((shadow, source)) = shadows.iter().find(|(k, _)| pref.targets_gateway(k))
            else {
                continue;
            };
            let message = format!(
                "Gateway {shadow} is gantry's in-cluster shadow of {source}: attach the route to {} instead",
                source.trim_start_matches("Gateway ")
            );
            out.problems.push(Problem {
                object: route.display(),
                message: message.clone(),
            });
            statuses
                .entry((route.kind, route.key.clone()))
                .or_default()
                .push((
                    i,
                    RouteParentStatus {
                        parent_ref: pref.original.clone(),
                        conditions: status::route_refused(
                            route.generation,
                            Reason::NotAllowedByListeners,
                            message,
                        ),
                    },
                ));
        }
    }
}
