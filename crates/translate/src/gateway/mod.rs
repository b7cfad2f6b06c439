//! One Gateway: configuration, listeners, attachment, the load balancer build, and statuses.

mod addresses;
mod references;
mod statuses;

use crate::attach::{self, Listener};
use crate::certificates::{self, ListenerCertificates};
use crate::classes::Class;
use crate::config::{load_balancer, target_group};
use crate::context::{Context, Inputs, TargetGroups};
use crate::findings::Findings;
use crate::frontend;
use crate::listener_sets;
use crate::routes::Route;
use crate::status::reasons::*;
use crate::status::{ListenerSetStatus, gateway_refused};
use crate::{LbKind, Settings, Translation, alb, nlb};
use gantry_api::gateway::{Gateway, GatewayListeners};
use gantry_gateway::addresses::AddressProblem;
use gantry_model::Stack;
use gantry_snapshot::{ObjectKey, Snapshot};

pub fn translate<'a>(
    snapshot: &'a Snapshot,
    settings: &'a Settings,
    key: &'a ObjectKey,
    gateway: &'a Gateway,
    class: &Class<'_>,
    routes: &[&'a Route],
    out: &mut Translation,
) {
    let generation = gateway.metadata.generation.unwrap_or(0);
    let sets = if settings.listener_sets {
        listener_sets::for_gateway(snapshot, key, gateway)
    } else {
        Vec::new()
    };
    let refuse = |out: &mut Translation, reason: Reason, message: String| {
        for s in &sets {
            let (reason, why) = match &s.not_allowed {
                Some(why) => (Reason::NotAllowed, why.clone()),
                None => (
                    Reason::ParentNotAccepted,
                    format!("Gateway {key} is not accepted: {message}"),
                ),
            };
            let generation = s.set.metadata.generation.unwrap_or(0);
            out.statuses.listener_sets.insert(
                s.key.clone(),
                ListenerSetStatus {
                    conditions: listener_sets::refused(reason, &why)
                        .into_iter()
                        .map(|c| c.at(generation))
                        .collect(),
                    listeners: vec![],
                },
            );
        }
        let (problem, status) = gateway_refused(key, generation, reason, message);
        out.problems.push(problem);
        out.statuses.gateways.insert(key.clone(), status);
    };
    let class_config = match &class.config {
        Ok(c) => c.clone(),
        Err(m) => {
            let msg = format!("GatewayClass {} is not accepted: {m}", class.name);
            return refuse(out, Reason::Invalid, msg);
        }
    };
    let gateway_config = match load_balancer::for_gateway(snapshot, gateway) {
        Ok(c) => c,
        Err(m) => return refuse(out, Reason::InvalidParameters, m),
    };
    let default_tgc = match target_group::effective_default(
        snapshot,
        class_config.as_ref(),
        gateway_config.as_ref(),
    ) {
        Ok(t) => t,
        Err(m) => return refuse(out, Reason::InvalidParameters, m),
    };
    let unusable_address = match gantry_gateway::addresses::check(gateway) {
        Some(AddressProblem::UnsupportedType(message)) => {
            return refuse(out, Reason::UnsupportedAddress, message);
        }
        Some(AddressProblem::NotUsable(message)) => Some(message),
        None => None,
    };
    let config = load_balancer::merge(
        class_config.as_ref().map(|f| f.spec),
        gateway_config.as_ref().map(|f| f.spec),
    );
    // The Gateway's own listeners, then those of the ListenerSets it allows, in precedence
    // order; `specs` runs parallel to `listeners`.
    let set_specs: Vec<(ObjectKey, Vec<GatewayListeners>)> = sets
        .iter()
        .filter(|s| s.not_allowed.is_none())
        .map(|s| {
            let specs = s.set.spec.listeners.iter();
            (
                s.key.clone(),
                specs.map(listener_sets::as_gateway_listener).collect(),
            )
        })
        .collect();
    let specs: Vec<GatewayListeners> = gateway
        .spec
        .listeners
        .iter()
        .cloned()
        .chain(set_specs.iter().flat_map(|(_, l)| l.iter().cloned()))
        .collect();
    let mut listeners =
        attach::listeners::validate_with_sets(class.lb, &gateway.spec.listeners, &set_specs);
    let listener_certificates = resolve_certificates(snapshot, settings, key, &specs, &listeners);
    // Before attachment: a listener without any valid CA certificate is refused, so no route
    // is served on it without client certificate validation.
    let frontend = frontend::resolve(snapshot, key, gateway, &listeners);
    frontend::refuse_unvalidated(&mut listeners, &frontend);
    let set_keys: Vec<(ObjectKey, Option<String>)> = sets
        .iter()
        .map(|s| (s.key.clone(), s.not_allowed.clone()))
        .collect();
    let attachments = attach::attach(snapshot, key, &listeners, &set_keys, routes);
    let (infrastructure_tags, refused_labels) = crate::tags::infrastructure(settings, gateway);
    let mut ctx = Context {
        input: Inputs {
            snapshot,
            settings,
            key,
            stack: key.to_string(),
            gateway,
            lb: class.lb,
            config,
            default_tgc,
            listeners,
            attachments,
            listener_certificates,
            frontend,
            listener_sets: sets,
            infrastructure_tags,
        },
        found: Findings::new(key),
        target_groups: TargetGroups::default(),
    };
    for message in refused_labels {
        ctx.found.ignored(message);
    }
    crate::config::merging_mode_on_gateway(&mut ctx, gateway_config.as_ref());
    crate::config::unmatched_listener_configurations(&mut ctx);
    for lc in ctx.listener_certificates.clone() {
        for (_, message) in lc.problems {
            ctx.found.problem(message);
        }
    }
    for v in ctx.frontend.clone().into_iter().flatten() {
        for (_, message) in v.ca_certificates.problems {
            ctx.found.problem(message);
        }
    }
    let stack: Option<Stack> = match class.lb {
        LbKind::Alb => alb::build(&mut ctx),
        LbKind::Nlb => nlb::build(&mut ctx),
    };
    references::check_all(&mut ctx);
    statuses::write(&ctx, generation, out);
    out.problems.append(&mut ctx.found.problems);
    match unusable_address {
        // Nothing is deployed for it; what exists in AWS is left as it is.
        Some(message) => addresses::not_programmed(out, key, message),
        None => out.stacks.extend(stack),
    }
}

/// The certificateRefs of every valid listener that terminates TLS (HTTPS, or TLS not in
/// passthrough mode); other listeners get an empty result.
fn resolve_certificates(
    snapshot: &Snapshot,
    settings: &Settings,
    key: &ObjectKey,
    specs: &[GatewayListeners],
    listeners: &[Listener],
) -> Vec<ListenerCertificates> {
    listeners
        .iter()
        .zip(specs)
        .map(|(l, spec)| {
            let terminates = l.protocol == "HTTPS" || (l.protocol == "TLS" && !l.passthrough);
            let (owner, kind) = match &l.origin {
                Some(set) => (set, "ListenerSet"),
                None => (key, "Gateway"),
            };
            if terminates && l.is_valid() {
                certificates::resolve_listener(snapshot, owner, kind, spec, settings.now)
            } else {
                ListenerCertificates::default()
            }
        })
        .collect()
}
