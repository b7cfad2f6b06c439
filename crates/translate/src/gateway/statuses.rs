//! The statuses one Gateway's translation writes: its routes' parents, its listeners and its
//! own conditions.

use crate::Translation;
use crate::attach::{Listener, Outcome};
use crate::certificates::ListenerCertificates;
use crate::context::Context;
use crate::findings::{RouteId, RouteReport};
use crate::frontend::ListenerValidation;
use crate::listener_sets;
use crate::status::ListenerSetStatus;
use crate::status::reasons::*;
use crate::status::{Condition, GatewayStatus, ListenerStatus, RouteParentStatus, RouteStatus};
use gantry_api::gateway::GatewayAllowedListenersNamespacesFrom as AllowedFrom;

pub(super) fn write(ctx: &Context<'_>, generation: i64, out: &mut Translation) {
    let controller = ctx.lb.controller_name();
    let mut attached_counts = vec![0i32; ctx.listeners.len()];
    for a in &ctx.attachments {
        let report = ctx.found.reports.get(&RouteId::of(a.route));
        let route_generation = a.route.generation;
        let mut conditions = Vec::new();
        let accepted = match &a.outcome {
            Outcome::Rejected { reason, message } => {
                Condition::new(ACCEPTED, false, *reason, message.clone())
            }
            Outcome::Attached(ls) => {
                let accepted = match report {
                    Some(RouteReport {
                        rejected: Some((reason, message)),
                        ..
                    }) => Condition::new(ACCEPTED, false, *reason, message.clone()),
                    Some(r) if r.programmed == 0 && !r.dropped.is_empty() => Condition::new(
                        ACCEPTED,
                        false,
                        Reason::UnsupportedValue,
                        format!("No rule can be programmed: {}", dropped_message(r)),
                    ),
                    _ => Condition::new(ACCEPTED, true, Reason::Accepted, "Route is accepted"),
                };
                if accepted.is_true() {
                    for (i, _) in ls {
                        attached_counts[*i] += 1;
                    }
                }
                accepted
            }
        };
        let unchecked = report
            .filter(|_| !ctx.settings.target_group_names_checked)
            .map(|r| &r.target_group_names)
            .filter(|names| !names.is_empty());
        let resolved = match report.map(|r| r.unresolved.as_slice()).unwrap_or_default() {
            [] if let Some(names) = unchecked => Condition::unknown(
                RESOLVED_REFS,
                Reason::Pending,
                format!(
                    "Target group(s) {} (backendRef kind TargetGroupName) not confirmed: their names are looked up in AWS when the Gateway is applied; no other reference is unresolved",
                    names
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            [] => Condition::new(
                RESOLVED_REFS,
                true,
                Reason::ResolvedRefs,
                "All references are resolved",
            ),
            list => Condition::new(
                RESOLVED_REFS,
                false,
                list[0].reason,
                list.iter()
                    .map(|u| u.message.as_str())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        let accepted_true = accepted.is_true();
        conditions.push(accepted.at(route_generation));
        conditions.push(resolved.at(route_generation));
        if let Some(r) = report.filter(|r| accepted_true && !r.dropped.is_empty()) {
            conditions.push(
                Condition::new(
                    PARTIALLY_INVALID,
                    true,
                    Reason::UnsupportedValue,
                    format!("Dropped Rule(s): {}", dropped_message(r)),
                )
                .at(route_generation),
            );
        }
        out.statuses
            .routes
            .entry((a.route.kind, a.route.key.clone()))
            .or_insert_with(|| RouteStatus { parents: vec![] })
            .parents
            .push(RouteParentStatus {
                parent_ref: a.route.parent_refs[a.parent].original.clone(),
                controller_name: controller,
                conditions,
            });
    }

    let mut all: Vec<ListenerStatus> = ctx
        .listeners
        .iter()
        .enumerate()
        .map(|(i, l)| ListenerStatus {
            name: l.name.clone(),
            supported_kinds: l.kinds.clone(),
            attached_routes: attached_counts[i],
            conditions: listener_conditions(
                l,
                &ctx.listener_certificates[i],
                ctx.frontend[i].as_ref(),
                ctx.found.listener_problems.get(&i),
            )
            .into_iter()
            .map(|c| c.at(generation))
            .collect(),
        })
        .collect();
    // The Gateway's own listeners come first; those of its ListenerSets follow, and are
    // reported on the ListenerSets.
    let own_count = ctx
        .listeners
        .iter()
        .take_while(|l| l.origin.is_none())
        .count();
    let set_listeners = all.split_off(own_count);
    let listeners = all;
    let accepted = crate::status::gateway_accepted(&ctx.listeners[..own_count]);
    let attached = write_listener_sets(ctx, accepted.is_true(), &set_listeners, out);
    let programmed = if accepted.is_true() {
        Condition::unknown(
            PROGRAMMED,
            Reason::Pending,
            "Waiting for load balancer to be active.",
        )
    } else {
        Condition::new(
            PROGRAMMED,
            false,
            Reason::Invalid,
            "Gateway is not accepted",
        )
    };
    out.statuses.gateways.insert(
        ctx.key.clone(),
        GatewayStatus {
            conditions: [accepted, programmed]
                .into_iter()
                .chain(crate::frontend::insecure_condition(ctx.gateway))
                .chain(configuration_applied(ctx))
                .map(|c| c.at(generation))
                .collect(),
            listeners,
            addresses: vec![],
            attached_listener_sets: attached,
        },
    );
}

/// gantry's `gateway.k8s.aws/ConfigurationApplied=False`, naming every configuration field
/// not applied; absent when all are.
fn configuration_applied(ctx: &Context<'_>) -> Option<Condition> {
    (!ctx.found.ignored.is_empty()).then(|| {
        Condition::new(
            CONFIGURATION_APPLIED,
            false,
            Reason::UnsupportedValue,
            format!("Not applied: {}", ctx.found.ignored.join("; ")),
        )
    })
}

/// The statuses of the ListenerSets naming the Gateway (`set_listeners`: the statuses of
/// their listeners, in `ctx.listeners` order); how many are attached, when the Gateway takes
/// ListenerSets or is named by one.
fn write_listener_sets(
    ctx: &Context<'_>,
    gateway_accepted: bool,
    set_listeners: &[ListenerStatus],
    out: &mut Translation,
) -> Option<i32> {
    let own_count = ctx.listeners.len() - set_listeners.len();
    let mut attached = 0;
    for s in &ctx.listener_sets {
        let generation = s.set.metadata.generation.unwrap_or(0);
        let mine: Vec<usize> = (own_count..ctx.listeners.len())
            .filter(|&i| ctx.listeners[i].origin.as_ref() == Some(&s.key))
            .collect();
        let (conditions, listeners) = match &s.not_allowed {
            Some(why) => (listener_sets::refused(Reason::NotAllowed, why), vec![]),
            None if !gateway_accepted => (
                listener_sets::refused(
                    Reason::ParentNotAccepted,
                    &format!("Gateway {} is not accepted", ctx.key),
                ),
                vec![],
            ),
            None => {
                let names = |valid: bool| -> Vec<&str> {
                    mine.iter()
                        .map(|&i| &ctx.listeners[i])
                        .filter(|l| l.is_valid() == valid)
                        .map(|l| l.name.as_str())
                        .collect()
                };
                let conditions = listener_sets::conditions(&names(true), &names(false));
                if conditions[0].is_true() {
                    attached += 1;
                }
                let listeners = mine
                    .iter()
                    .map(|&i| {
                        let mut st = set_listeners[i - own_count].clone();
                        for c in &mut st.conditions {
                            c.observed_generation = generation;
                        }
                        st
                    })
                    .collect();
                (conditions, listeners)
            }
        };
        out.statuses.listener_sets.insert(
            s.key.clone(),
            ListenerSetStatus {
                conditions: conditions.into_iter().map(|c| c.at(generation)).collect(),
                listeners,
            },
        );
    }
    let allows = ctx
        .gateway
        .spec
        .allowed_listeners
        .as_ref()
        .and_then(|a| a.namespaces.as_ref())
        .and_then(|n| n.from.as_ref())
        .is_some_and(|f| *f != AllowedFrom::None);
    (ctx.settings.listener_sets && (allows || !ctx.listener_sets.is_empty())).then_some(attached)
}

fn dropped_message(r: &RouteReport) -> String {
    r.dropped
        .iter()
        .map(|d| match d.r#match {
            Some(m) => format!("rule {} match {m}: {}", d.rule, d.why),
            None => format!("rule {}: {}", d.rule, d.why),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn listener_conditions(
    l: &Listener,
    certificates: &ListenerCertificates,
    frontend: Option<&ListenerValidation>,
    build_problem: Option<&(Reason, String)>,
) -> Vec<Condition> {
    // Invalid certificateRefs first, then invalid caCertificateRefs: they are what the user
    // must fix. The reason is the first problem's.
    let joined = (!certificates.problems.is_empty()).then(|| certificates.joined_problems());
    let all: Vec<(Reason, String)> = certificates
        .problems
        .iter()
        .chain(
            frontend
                .map(|v| v.ca_certificates.problems.as_slice())
                .unwrap_or_default(),
        )
        .cloned()
        .collect();
    let all_joined = crate::refs::joined(&all);
    let refs = match all.first() {
        Some((reason, _)) => Some((*reason, all_joined.as_str())),
        None => build_problem
            .filter(|(reason, _)| *reason == Reason::InvalidCertificateRef)
            .map(|(reason, message)| (*reason, message.as_str())),
    };
    let no_certificate = certificates.none_valid().then(|| {
        format!(
            "Listener {} has no valid certificateRef: {}",
            l.name,
            joined.clone().unwrap_or_default()
        )
    });
    let not_programmed = no_certificate.or_else(|| build_problem.map(|(_, m)| m.clone()));
    crate::status::listener_conditions(l, refs, || match not_programmed {
        Some(message) => Condition::new(PROGRAMMED, false, Reason::Invalid, message),
        None => Condition::unknown(
            PROGRAMMED,
            Reason::Pending,
            "Listener is pending to be programmed",
        ),
    })
}
