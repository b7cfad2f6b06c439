//! One Gateway: configuration, listeners, attachment, the load balancer build, and statuses.

mod statuses;

use crate::attach::{self, Attachment, Listener, Outcome};
use crate::certificates::{self, ListenerCertificates};
use crate::classes::Class;
use crate::config::{load_balancer, target_group};
use crate::frontend::{self, ListenerValidation};
use crate::listener_sets;
use crate::refs::Unresolved;
use crate::routes::{Route, RouteKind};
use crate::status::reasons::*;
use crate::status::{Condition, GatewayStatus, ListenerSetStatus};
use crate::{LbKind, Problem, Settings, Translation, alb, nlb};
use gantry_api::crds::{LoadBalancerConfigurationSpec, TargetGroupConfigurationSpec};
use gantry_api::gateway::{Gateway, GatewayListeners};
use gantry_model::Stack;
use gantry_snapshot::{ObjectKey, Snapshot};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the ALB and NLB builders need about one Gateway.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    pub settings: &'a Settings,
    pub key: &'a ObjectKey,
    /// `namespace/name` of the Gateway: the stack id.
    pub stack: String,
    pub gateway: &'a Gateway,
    pub lb: LbKind,
    pub config: LoadBalancerConfigurationSpec,
    pub default_tgc: Option<TargetGroupConfigurationSpec>,
    pub listeners: Vec<Listener>,
    pub attachments: Vec<Attachment<'a>>,
    pub reports: BTreeMap<(RouteKind, ObjectKey), RouteReport>,
    /// Target groups already built in this Gateway, by (route, backend, listener protocol):
    /// every rule and match of a route that names the same backend shares one. Values index
    /// `built_target_groups`.
    pub target_group_cache: BTreeMap<TargetGroupCacheKey<'a>, Result<usize, String>>,
    pub built_target_groups: Vec<BuiltTargetGroup>,
    /// Listener-level problems found while building (index → reason, message).
    pub listener_problems: BTreeMap<usize, (Reason, String)>,
    /// The certificates of each Gateway listener's `tls.certificateRefs`, by listener index.
    pub listener_certificates: Vec<ListenerCertificates>,
    /// The client certificate validation (`spec.tls.frontend`) of each Gateway listener, by
    /// listener index; None where none applies.
    pub frontend: Vec<Option<ListenerValidation>>,
    /// The ListenerSets naming this Gateway (allowed or not), in precedence order; their
    /// listeners follow the Gateway's own in `listeners` (`Listener::origin`).
    pub listener_sets: Vec<listener_sets::SetEntry<'a>>,
    pub problems: Vec<Problem>,
    /// Configuration fields not applied, and why: also in the Gateway's status.
    pub ignored: Vec<String>,
}

/// (route, backend namespace, group, kind, name, port, listener protocol). The route is
/// named by its address, which is cheaper to compare than its kind and key and as unique: the
/// routes outlive the context, and the cache is only looked up, never iterated.
pub type TargetGroupCacheKey<'a> = (
    usize,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    Option<i32>,
    gantry_model::Protocol,
);

/// A target group built for this Gateway. It moves into the stack when a rule first uses it;
/// its id stays here for the rules after.
pub struct BuiltTargetGroup {
    pub id: String,
    /// Kept here for the rules after the move: the target groups of one forward action
    /// share them.
    pub protocol_version: Option<gantry_model::ProtocolVersion>,
    pub ip_address_type: gantry_model::TargetIpAddressType,
    pub target_group: Option<gantry_model::TargetGroup>,
}

impl BuiltTargetGroup {
    pub fn new(tg: gantry_model::TargetGroup) -> Self {
        BuiltTargetGroup {
            id: tg.id.clone(),
            protocol_version: tg.protocol_version,
            ip_address_type: tg.ip_address_type,
            target_group: Some(tg),
        }
    }
}

/// What building found wrong with one route on this Gateway.
#[derive(Clone, Debug, Default)]
pub struct RouteReport {
    /// The route is refused on this Gateway as a whole.
    pub rejected: Option<(Reason, String)>,
    /// backendRefs that did not resolve.
    pub unresolved: Vec<Unresolved>,
    /// Rules or rule matches left out — (rule, match, why) — and how many load balancer
    /// rules or listeners the route did produce: together they decide between
    /// `PartiallyInvalid` (some programmed) and `Accepted=False` (none).
    pub dropped: Vec<(usize, Option<usize>, String)>,
    pub programmed: usize,
}

impl<'a> Context<'a> {
    pub fn stack_id(&self) -> String {
        self.stack.clone()
    }

    pub fn report(&mut self, route: &Route) -> &mut RouteReport {
        self.reports
            .entry((route.kind, route.key.clone()))
            .or_default()
    }

    /// Records that one match of a rule cannot be programmed.
    pub fn drop_match(&mut self, route: &Route, rule: usize, m: Option<usize>, why: String) {
        let report = self.report(route);
        if !report
            .dropped
            .iter()
            .any(|(r, x, w)| *r == rule && *x == m && *w == why)
        {
            report.dropped.push((rule, m, why));
        }
    }

    pub fn unresolved(&mut self, route: &Route, u: Unresolved) {
        let report = self.report(route);
        if !report.unresolved.contains(&u) {
            report.unresolved.push(u);
        }
    }

    /// Records that a whole rule cannot be programmed.
    pub fn drop_rule(&mut self, route: &Route, rule: usize, why: String) {
        self.drop_match(route, rule, None, why)
    }

    pub fn reject(&mut self, route: &Route, reason: Reason, message: String) {
        let report = self.report(route);
        if report.rejected.is_none() {
            report.rejected = Some((reason, message));
        }
    }

    /// Attached (route, listener index, hostnames) triples, in attachment order.
    pub fn attached(&self) -> Vec<(&'a Route, usize, Vec<String>)> {
        let mut out = Vec::new();
        for a in &self.attachments {
            if let Outcome::Attached(ls) = &a.outcome {
                for (i, hosts) in ls {
                    out.push((a.route, *i, hosts.clone()));
                }
            }
        }
        out
    }

    /// The hostnames to discover a secure listener's certificates by in ACM
    /// (docs/certificates.md): those of the Gateway listeners `listeners` and of the routes attached to them,
    /// sorted and de-duplicated. Empty when nothing restricts the hostname.
    pub fn certificate_hostnames(&self, listeners: &[usize]) -> Vec<String> {
        let mut out: BTreeSet<String> = listeners
            .iter()
            .filter_map(|&li| self.listeners[li].hostname.clone())
            .collect();
        for (_, li, hosts) in self.attached() {
            if listeners.contains(&li) {
                out.extend(hosts);
            }
        }
        out.remove("");
        out.into_iter().collect()
    }

    /// Whether Gateway listener `li` can carry traffic: valid, and not refused for want of
    /// any valid certificateRef.
    pub fn serves(&self, li: usize) -> bool {
        self.listeners[li].is_valid() && !self.listener_certificates[li].none_valid()
    }

    /// The Secret certificates of the serving listeners `listeners`, in listener then
    /// reference order, without repeats; and whether any of them has certificateRefs at all.
    pub fn secret_certificates(
        &self,
        listeners: &[usize],
    ) -> (Vec<gantry_model::SecretCertificate>, bool) {
        let mut out = Vec::new();
        let mut any_refs = false;
        for &li in listeners {
            let lc = &self.listener_certificates[li];
            any_refs |= lc.refs > 0;
            for c in &lc.certificates {
                if !out.contains(c) {
                    out.push(c.clone());
                }
            }
        }
        (out, any_refs)
    }

    pub fn problem(&mut self, message: String) {
        self.problems.push(Problem {
            object: format!("Gateway {}", self.key),
            message,
        });
    }
}

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
        out.problems.push(Problem {
            object: format!("Gateway {key}"),
            message: message.clone(),
        });
        out.statuses.gateways.insert(
            key.clone(),
            GatewayStatus {
                conditions: vec![
                    Condition::new(ACCEPTED, false, reason, message).at(generation),
                    Condition::new(
                        PROGRAMMED,
                        false,
                        Reason::Invalid,
                        "Gateway is not accepted",
                    )
                    .at(generation),
                ],
                listeners: vec![],
                addresses: vec![],
                attached_listener_sets: None,
            },
        );
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
    if let Some(message) = unsupported_address(gateway) {
        return refuse(out, Reason::UnsupportedAddress, message);
    }
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
    let mut ctx = Context {
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
        reports: BTreeMap::new(),
        target_group_cache: BTreeMap::new(),
        built_target_groups: Vec::new(),
        listener_problems: BTreeMap::new(),
        listener_certificates,
        frontend,
        listener_sets: sets,
        problems: Vec::new(),
        ignored: Vec::new(),
    };
    crate::config::merging_mode_on_gateway(&mut ctx, gateway_config.as_ref());
    crate::config::unmatched_listener_configurations(&mut ctx);
    for lc in ctx.listener_certificates.clone() {
        for (_, message) in lc.problems {
            ctx.problem(message);
        }
    }
    for v in ctx.frontend.clone().into_iter().flatten() {
        for (_, message) in v.problems {
            ctx.problem(message);
        }
    }
    let stack: Option<Stack> = match class.lb {
        LbKind::Alb => alb::build(&mut ctx),
        LbKind::Nlb => nlb::build(&mut ctx),
    };
    statuses::write(&ctx, generation, out);
    out.problems.append(&mut ctx.problems);
    if let Some(stack) = stack {
        out.stacks.push(stack);
    }
}

/// GatewaySpecAddress.value: "When a value is unspecified, an implementation SHOULD
/// automatically assign an address matching the requested type if possible." AWS assigns a
/// load balancer its IP addresses and its DNS name, so entries of type IPAddress (the default)
/// or Hostname without a value are what gantry does anyway; a requested value is not.
fn unsupported_address(gateway: &Gateway) -> Option<String> {
    let a = gateway.spec.addresses.iter().flatten().find(|a| {
        let kind = a.r#type.as_deref().unwrap_or("IPAddress");
        a.value.as_deref().is_some_and(|v| !v.is_empty())
            || !matches!(kind, "IPAddress" | "Hostname")
    })?;
    let kind = a.r#type.as_deref().unwrap_or("IPAddress");
    Some(match a.value.as_deref().filter(|v| !v.is_empty()) {
        Some(v) => format!(
            "spec.addresses {kind} {v} is not supported: AWS assigns load balancer addresses (leave value empty, or use LoadBalancerConfiguration loadBalancerSubnets for static IPs)"
        ),
        None => format!(
            "spec.addresses type {kind} is not supported: AWS assigns IPAddress and Hostname addresses only"
        ),
    })
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

/// Attributes of an ELB listener, from its listener configuration.
pub fn listener_attributes(
    cfg: Option<&gantry_api::crds::ListenerConfiguration>,
) -> Vec<gantry_model::Attribute> {
    cfg.into_iter()
        .flat_map(|c| c.listener_attributes.iter().flatten())
        .map(|a| gantry_model::Attribute {
            key: a.key.clone(),
            value: a.value.clone(),
        })
        .collect()
}

/// Tags of the ELB listener on `port`: the load balancer's user tags and the tracking tags.
pub fn listener_tags(ctx: &Context<'_>, port: i32) -> gantry_model::Tags {
    crate::tags::build(
        ctx.settings,
        ctx.lb,
        &ctx.stack_id(),
        port.to_string(),
        ctx.config.tags.as_ref(),
    )
}
