//! Network Load Balancer: one listener per port, forwarding to the one backend of the one route
//! it carries; no rules. Backends are Services, or ALB Gateways (Gateway chaining).
//!
//! ```text
//!  attached routes ─oldest first─► claims ─► per port: exactly one backendRef? ─► protocol
//!        │                           │         ─► backend resolves? ─► target group ─► listener
//!        └── refused: Accepted=False ┘         (any "no" leaves the port's listener out)
//! ```
//!
//! The AWS Load Balancer Controller documents "one route per L4 listener, one backendRef per L4
//! route" as validation errors; gantry reports them on the offending route and keeps
//! programming the rest of the Gateway.

mod chaining;
mod claims;
mod listener;

use crate::context::Context;
use crate::load_balancer;
use crate::refs::{self, Resolved, Unresolved};
use crate::routes::{BackendRef, Route, RouteKind};
use crate::status::reasons::Reason;
use crate::target_groups;
use claims::{Candidate, Refusal};
use gantry_model::{
    Action, ArnRef, ForwardConfig, Protocol, Stack, TargetGroup, TargetGroupStickinessConfig,
    TargetGroupTuple, TargetType,
};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// Largest weight of an NLB weighted target group.
const MAX_WEIGHT: i32 = 999;

pub fn build(ctx: &mut Context<'_>) -> Option<Stack> {
    let (load_balancer, security_group) = load_balancer::build(ctx);
    let candidates = candidates(ctx);
    let claims = claims::claim(&candidates, |li| ctx.listeners[li].port);
    for (&ci, refusal) in &claims.refused {
        refuse(ctx, &candidates, candidates[ci].route, *refusal);
    }

    // Per port: the Gateway listeners that carry a route, and those routes, oldest first.
    let mut ports: BTreeMap<i32, (Vec<usize>, BTreeSet<usize>)> = BTreeMap::new();
    for (&li, &ci) in &claims.holders {
        let (listeners, routes) = ports.entry(ctx.listeners[li].port).or_default();
        listeners.push(li);
        routes.insert(ci);
    }
    let mut listeners = Vec::new();
    let mut target_groups: Vec<TargetGroup> = Vec::new();
    let mut depends_on = BTreeSet::new();
    for (port, (gateway_listeners, routes)) in ports {
        let routes: Vec<&Route> = routes.into_iter().map(|ci| candidates[ci].route).collect();
        let Some(built) = build_port(ctx, port, &gateway_listeners, &routes) else {
            continue;
        };
        listeners.push(built.listener);
        depends_on.extend(built.depends_on);
        if let Some(tg) = built.target_group
            && !target_groups.iter().any(|t| t.id == tg.id)
        {
            target_groups.push(tg);
        }
    }
    target_groups.sort_by(|a, b| a.id.cmp(&b.id));
    Some(Stack {
        gateway: ctx.stack_id(),
        load_balancer,
        security_group,
        listeners,
        target_groups,
        depends_on: depends_on.into_iter().collect(),
    })
}

/// Routes attached to valid listeners, oldest first (creation time, then namespace/name).
fn candidates<'a>(ctx: &Context<'a>) -> Vec<Candidate<'a>> {
    let mut by_route: BTreeMap<(i128, String, String, RouteKind), Candidate<'a>> = BTreeMap::new();
    for (route, li, _) in ctx.attached() {
        if !ctx.serves(li) {
            continue;
        }
        let c = by_route
            .entry((
                route.created,
                route.key.namespace.clone(),
                route.key.name.clone(),
                route.kind,
            ))
            .or_insert_with(|| Candidate {
                route,
                listeners: vec![],
            });
        if !c.listeners.contains(&li) {
            c.listeners.push(li);
        }
    }
    by_route.into_values().collect()
}

/// A refused route is not accepted on this Gateway; the plan also notes it on the listener,
/// whose own conditions stay as they are (it is programmed, with the older route).
fn refuse(ctx: &mut Context<'_>, candidates: &[Candidate<'_>], route: &Route, refusal: Refusal) {
    let names: Vec<String> = ctx.listeners.iter().map(|l| l.name.clone()).collect();
    let listener_name = |li: usize| names[li].clone();
    let message = match refusal {
        Refusal::Taken { listener, holder } => format!(
            "Listener {} already carries {}, the oldest route attached to it; an NLB listener forwards to exactly one route, so {} is not programmed",
            listener_name(listener),
            candidates[holder].route.display(),
            route.display()
        ),
        Refusal::PortShared {
            listener,
            other,
            holder,
        } => {
            let held_by = candidates[holder].route;
            let backend = |r: &Route| match claims::single_backend(r) {
                Ok(b) => claims::describe(b),
                Err(n) => format!("{n} backendRefs"),
            };
            format!(
                "Listeners {} and {} share port {}, which becomes one NLB listener forwarding to one target group: {} forwards to {}, but {}, which holds the port, forwards to {}",
                listener_name(listener),
                listener_name(other),
                ctx.listeners[listener].port,
                route.display(),
                backend(route),
                held_by.display(),
                backend(held_by)
            )
        }
    };
    ctx.found
        .reject(route, Reason::NotAllowedByListeners, message.clone());
    ctx.found.problem(message);
}

/// A port's listener and the target group it forwards to (None: one named by a
/// `TargetGroupName` backendRef, made outside gantry).
struct Port {
    listener: gantry_model::Listener,
    target_group: Option<TargetGroup>,
    /// The ALB Gateway (`ns/name`) a chained target group needs.
    depends_on: Option<String>,
}

/// What a port's listener forwards to.
struct Target {
    /// The target group gantry builds; None for a `TargetGroupName` backendRef.
    group: Option<TargetGroup>,
    arn: ArnRef,
    depends_on: Option<String>,
}

fn build_port(
    ctx: &mut Context<'_>,
    port: i32,
    gateway_listeners: &[usize],
    routes: &[&Route],
) -> Option<Port> {
    // Exactly one backendRef per route, with an NLB weight.
    let mut backends: Vec<&BackendRef> = Vec::new();
    for route in routes {
        match backend_of(route) {
            Ok(b) => backends.push(b),
            Err(error) => {
                let message = error.to_string();
                ctx.found
                    .reject(route, Reason::UnsupportedValue, message.clone());
                not_programmed(ctx, gateway_listeners, Reason::UnsupportedValue, &message);
            }
        }
    }
    if backends.len() < routes.len() {
        return None;
    }
    let plan = match listener::plan(ctx, port, gateway_listeners) {
        Ok(p) => p,
        Err(error) => {
            let message = error.to_string();
            not_programmed(ctx, gateway_listeners, Reason::Invalid, &message);
            ctx.found.problem(message);
            return None;
        }
    };
    let target = target_group(ctx, gateway_listeners, routes, &backends, plan.protocol)?;
    if matches!(plan.protocol, Protocol::Quic | Protocol::TcpQuic)
        && let Some(target_group) = &target.group
        && target_group.target_type == TargetType::Instance
    {
        let message = format!(
            "{} listener on port {port} needs targets of type ip, but target group {} has type instance; set targetType: ip in a TargetGroupConfiguration",
            plan.protocol.as_str(),
            target_group.name
        );
        not_programmed(ctx, gateway_listeners, Reason::Invalid, &message);
        ctx.found.problem(message);
        return None;
    }
    // The routes agree on the backend (claims); the oldest one's weight counts.
    let weight = backends[0].weight;
    if weight == 0 {
        let message = format!(
            "the backendRef of {} has weight 0, so the listener would have no traffic to send",
            routes[0].display()
        );
        not_programmed(ctx, gateway_listeners, Reason::Invalid, &message);
        return None;
    }
    let forward = Action::forward(ForwardConfig {
        target_groups: vec![TargetGroupTuple {
            target_group_arn: target.arn,
            // QUIC listeners take no weights.
            weight: (!matches!(plan.protocol, Protocol::Quic | Protocol::TcpQuic))
                .then_some(weight),
        }],
        target_group_stickiness_config: plan
            .config
            .as_ref()
            .and_then(|c| c.target_group_stickiness)
            .map(|enabled| TargetGroupStickinessConfig {
                enabled,
                duration_seconds: None,
            }),
    });
    let listener = listener::build(ctx, port, gateway_listeners, &plan, forward)?;
    Some(Port {
        listener,
        target_group: target.group,
        depends_on: target.depends_on,
    })
}

/// Why a route cannot have an NLB listener.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
enum BackendError {
    /// `has`: "no backendRef" or "<n> backendRefs".
    #[error(
        "{route} has {has}; an NLB listener forwards to exactly one target group, so an L4 route needs exactly one backendRef"
    )]
    NotOne { route: String, has: String },
    #[error("backendRef {backend} of {route} has weight {weight}; NLB weights are 0..{MAX_WEIGHT}")]
    Weight {
        backend: String,
        route: String,
        weight: i32,
    },
}

/// The route's one backendRef, or why it cannot have an NLB listener.
fn backend_of(route: &Route) -> Result<&BackendRef, BackendError> {
    let b = claims::single_backend(route).map_err(|n| BackendError::NotOne {
        route: route.display(),
        has: if n == 0 {
            "no backendRef".to_string()
        } else {
            format!("{n} backendRefs")
        },
    })?;
    if !(0..=MAX_WEIGHT).contains(&b.weight) {
        return Err(BackendError::Weight {
            backend: claims::describe(b),
            route: route.display(),
            weight: b.weight,
        });
    }
    Ok(b)
}

/// Resolves the backend every route on the port names and builds its target group from the
/// oldest route. Every route must resolve it: a UDPRoute without a ReferenceGrant must not get
/// traffic through a TCPRoute's permission.
fn target_group(
    ctx: &mut Context<'_>,
    gateway_listeners: &[usize],
    routes: &[&Route],
    backends: &[&BackendRef],
    protocol: Protocol,
) -> Option<Target> {
    let mut first: Option<(Resolved, Option<ArnRef>)> = None;
    let mut failed = false;
    for (route, backend) in routes.iter().zip(backends) {
        match resolve(ctx, route, backend) {
            Ok(r) => {
                first.get_or_insert(r);
            }
            Err(u) => {
                let message = format!("{}: {}", route.display(), u.message);
                not_programmed(ctx, gateway_listeners, u.reason, &message);
                ctx.found.unresolved(route, u);
                failed = true;
            }
        }
    }
    let (resolved, alb) = first.filter(|_| !failed)?;
    let route = routes[0];
    if let Resolved::TargetGroupName { name } = &resolved {
        // Forwarded to as it is: gantry builds, tags and registers nothing. The deployer looks
        // the name up and checks its protocol against the listener's before any change.
        ctx.found.target_group_name(route, name);
        return Some(Target {
            group: None,
            arn: ArnRef::TargetGroupName(name.clone()),
            depends_on: None,
        });
    }
    let mut tg = match target_groups::build(ctx, route, &resolved, protocol) {
        Ok(tg) => tg,
        Err(error) => {
            let (reason, message) = (error.reason(), error.to_string());
            not_programmed(ctx, gateway_listeners, reason, &message);
            ctx.found.unresolved(route, Unresolved { reason, message });
            return None;
        }
    };
    let mut depends_on = None;
    if let Resolved::Gateway { key, .. } = &resolved {
        tg.backend.load_balancer = alb;
        chaining::report_ignored_props(ctx, route, key);
        depends_on = Some(key.to_string());
    }
    Some(Target {
        arn: ArnRef::Planned(tg.id.clone()),
        group: Some(tg),
        depends_on,
    })
}

/// A backendRef resolved, and for a Gateway backend the ALB it registers.
fn resolve<'a>(
    ctx: &Context<'a>,
    route: &Route,
    backend: &BackendRef,
) -> Result<(Resolved<'a>, Option<ArnRef>), Unresolved> {
    let resolved = refs::resolve(
        ctx.snapshot,
        &ctx.settings.absent_target_groups,
        route,
        backend,
        true,
    )?;
    let alb = match &resolved {
        Resolved::Gateway { gateway, key, port } => {
            Some(chaining::alb_target(ctx.snapshot, key, gateway, *port)?)
        }
        Resolved::Service { .. } | Resolved::TargetGroupName { .. } => None,
    };
    Ok((resolved, alb))
}

/// Marks the Gateway listeners of a port as not programmed (first reason wins).
fn not_programmed(
    ctx: &mut Context<'_>,
    gateway_listeners: &[usize],
    reason: Reason,
    message: &str,
) {
    for &li in gateway_listeners {
        ctx.found
            .listener_problems
            .entry(li)
            .or_insert_with(|| (reason, format!("Listener is not programmed: {message}")));
    }
}
