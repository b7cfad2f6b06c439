//! Application Load Balancer: listeners per port, rules in Gateway API precedence, target groups.

mod actions;
mod conditions;
mod forward;
mod isolation;
pub mod limits;
mod lrc_ignored;
mod precedence;
mod rewrite;
mod rule_error;

use crate::config::load_balancer::listener_configuration;
use crate::config::{self, CertificateSources, listener_attributes};
use crate::context::Context;
use crate::routes::{Route, RouteKind};
use crate::status::reasons::Reason;
use crate::tags::listener_tags;
use crate::{load_balancer, tags};
use gantry_api::crds::ListenerConfiguration;
use gantry_model::{
    Action, Listener, Protocol, Rule, RuleCondition, RuleSource, Stack, TargetGroup, Transform,
};
use std::collections::{BTreeMap, BTreeSet};

/// An ALB rule before its priority is known; its precedence key is kept apart, so that
/// sorting moves small keys instead of these.
struct Candidate {
    conditions: Vec<RuleCondition>,
    actions: Vec<Action>,
    transforms: Vec<Transform>,
    tags: BTreeMap<String, String>,
    source: RuleSource,
}

/// The routes attached to one port, each with the hostnames it gets there.
type RoutesOnPort<'r> = BTreeMap<(RouteKind, String), (&'r Route, BTreeSet<String>)>;

pub fn build(ctx: &mut Context<'_>) -> Option<Stack> {
    let (load_balancer, security_group) = load_balancer::build(ctx);
    let stack_id = ctx.stack_id();

    // Routes and their hostnames per port and listener; "" is a catch-all hostname.
    let mut per_port: BTreeMap<i32, BTreeMap<usize, RoutesOnPort<'_>>> = BTreeMap::new();
    for (route, li, hosts) in ctx.attached() {
        if !ctx.serves(li) {
            continue;
        }
        let l = &ctx.listeners[li];
        let entry = per_port
            .entry(l.port)
            .or_default()
            .entry(li)
            .or_default()
            .entry((route.kind, route.key.to_string()))
            .or_insert_with(|| (route, BTreeSet::new()));
        if hosts.is_empty() {
            entry.1.insert(String::new());
        } else {
            entry.1.extend(hosts);
        }
    }

    let mut target_groups: BTreeMap<String, TargetGroup> = BTreeMap::new();
    // Which of the context's built target groups were offered to `target_groups`.
    let mut in_stack: Vec<bool> = Vec::new();
    let mut listeners = Vec::new();
    for (port, mut by_listener) in per_port {
        let Some(li) =
            (0..ctx.listeners.len()).find(|&i| ctx.listeners[i].port == port && ctx.serves(i))
        else {
            continue;
        };
        let protocol = Protocol::parse(&ctx.listeners[li].protocol).unwrap_or(Protocol::Http);
        let listener_cfg = listener_configuration(&ctx.config, protocol.as_str(), port).cloned();
        let groups = listener_groups(ctx, port, &mut by_listener);
        // At most one candidate per match (or matchless rule) and hostname.
        let most: usize = groups
            .iter()
            .flat_map(|(_, routes)| routes.values())
            .map(|(route, hosts)| {
                let per_host: usize = route.rules.iter().map(|r| r.matches.len().max(1)).sum();
                per_host * hosts.len()
            })
            .sum();
        let mut candidates: Vec<Candidate> = Vec::with_capacity(most);
        let mut keys: Vec<CandidateKey<'_>> = Vec::with_capacity(most);
        for (group, (_, routes)) in groups.iter().enumerate() {
            for ((_, route_name), (route, hosts)) in routes {
                candidates_of_route(
                    ctx,
                    route,
                    route_name,
                    hosts,
                    group,
                    protocol,
                    &mut candidates,
                    &mut keys,
                    &mut target_groups,
                    &mut in_stack,
                );
            }
        }
        // The candidate's index breaks ties, so the unstable sort orders as a stable one would.
        keys.sort_unstable();
        let isolating = isolation_rules(ctx, &groups);
        let mut slots: Vec<Option<Candidate>> = candidates.into_iter().map(Some).collect();
        let mut ordered: Vec<Candidate> = Vec::with_capacity(keys.len() + groups.len());
        let mut keys = keys.into_iter().peekable();
        for (group, isolation) in isolating.into_iter().enumerate() {
            while let Some((_, _, i)) = keys.next_if(|(g, _, _)| *g == group) {
                ordered.extend(slots[i].take());
            }
            ordered.extend(isolation);
        }
        let rules = ordered
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let priority = i as u32 + 1;
                Rule {
                    priority,
                    conditions: c.conditions,
                    actions: c.actions,
                    transforms: c.transforms,
                    tags: tags::build(ctx, format!("{port}:{priority}"), Some(&c.tags)),
                    source: c.source,
                }
            })
            .collect();
        let Some(listener) = build_listener(ctx, li, port, protocol, listener_cfg.as_ref(), rules)
        else {
            continue;
        };
        listeners.push(listener);
    }
    limits::enforce_rule_quota(ctx, &mut listeners);

    // Only target groups some rule still forwards to.
    let used: BTreeSet<&str> = listeners
        .iter()
        .flat_map(|l| l.rules.iter())
        .flat_map(|r| r.actions.iter())
        .flat_map(|a| a.target_groups())
        .map(|a| a.as_str())
        .collect();
    target_groups.retain(|id, _| used.contains(id.as_str()));

    Some(Stack {
        gateway: stack_id,
        load_balancer,
        security_group,
        listeners,
        target_groups: target_groups.into_values().collect(),
        depends_on: vec![],
    })
}

/// A candidate's place: its listener group (most specific listener hostname first), its
/// Gateway API precedence within the group, and its index.
type CandidateKey<'k> = (usize, precedence::Key<'k>, usize);

/// The valid listeners on `port`, most specific hostname first, each with its routes. A route
/// hostname that a more specific listener's hostname covers is left out of a less specific
/// listener: those requests belong to the more specific listener, so such a rule could never
/// answer (and would only count against the ALB's rule quota).
fn listener_groups<'r>(
    ctx: &Context<'_>,
    port: i32,
    by_listener: &mut BTreeMap<usize, RoutesOnPort<'r>>,
) -> Vec<(usize, RoutesOnPort<'r>)> {
    let mut order: Vec<usize> = (0..ctx.listeners.len())
        .filter(|&i| ctx.listeners[i].port == port && ctx.listeners[i].is_valid())
        .collect();
    order.sort_by_key(|&i| (isolation::rank(ctx.listeners[i].hostname.as_deref()), i));
    let mut more_specific: Vec<&str> = Vec::new();
    let mut groups = Vec::with_capacity(order.len());
    for li in order {
        let mut routes = by_listener.remove(&li).unwrap_or_default();
        for (_, hosts) in routes.values_mut() {
            hosts.retain(|h| !more_specific.iter().any(|m| isolation::covered_by(m, h)));
        }
        routes.retain(|_, (_, hosts)| !hosts.is_empty());
        if let Some(h) = ctx.listeners[li].hostname.as_deref() {
            more_specific.push(h);
        }
        groups.push((li, routes));
    }
    groups
}

/// Per listener group, the 404 rule that closes it: `host-header: <listener hostname>`, when
/// a less specific group has a route hostname that could match the same hosts.
fn isolation_rules(
    ctx: &Context<'_>,
    groups: &[(usize, RoutesOnPort<'_>)],
) -> Vec<Option<Candidate>> {
    groups
        .iter()
        .enumerate()
        .map(|(g, (li, _))| {
            let l = &ctx.listeners[*li];
            let hostname = l.hostname.as_deref()?;
            let later_overlaps = groups[g + 1..]
                .iter()
                .flat_map(|(_, routes)| routes.values())
                .flat_map(|(_, hosts)| hosts)
                .any(|h| isolation::overlaps(hostname, h));
            later_overlaps.then(|| Candidate {
                conditions: vec![RuleCondition::host_header(vec![hostname.to_string()])],
                actions: vec![Action::fixed_response(404, "text/plain", None)],
                transforms: vec![],
                tags: BTreeMap::new(),
                source: RuleSource {
                    route: format!("Gateway {} listener {}", ctx.key, l.name),
                    rule: 0,
                    r#match: None,
                },
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn candidates_of_route<'a, 'k>(
    ctx: &mut Context<'a>,
    route: &'a Route,
    route_name: &'k str,
    hosts: &'k BTreeSet<String>,
    group: usize,
    protocol: Protocol,
    out: &mut Vec<Candidate>,
    keys: &mut Vec<CandidateKey<'k>>,
    target_groups: &mut BTreeMap<String, TargetGroup>,
    in_stack: &mut Vec<bool>,
) {
    let display = route.display();
    let mut programmed = 0;
    for (ri, rule) in route.rules.iter().enumerate() {
        let parts = match actions::build(ctx, route, rule, protocol) {
            Ok(p) => p,
            Err(why) => {
                ctx.found.drop_rule(route, ri, why.to_string());
                continue;
            }
        };
        for &built in &parts.target_groups {
            // Looked up by id once per built target group, not once per rule.
            if in_stack.len() <= built {
                in_stack.resize(built + 1, false);
            }
            if std::mem::replace(&mut in_stack[built], true) {
                continue;
            }
            let tg = &mut ctx.target_groups.built[built];
            if !target_groups.contains_key(&tg.id)
                && let Some(moved) = tg.target_group.take()
            {
                target_groups.insert(tg.id.clone(), moved);
            }
        }
        let first = out.len();
        for k in 0..rule.matches.len().max(1) {
            let (mi, m) = match rule.matches.get(k) {
                Some(m) => (Some(k), Some(m)),
                None => (None, None),
            };
            for host in hosts {
                let mut conditions = match conditions::build(m, host) {
                    Ok(c) => c,
                    Err(why) => {
                        ctx.found.drop_match(route, ri, mi, why.to_string());
                        continue;
                    }
                };
                for (indexes, cidrs) in &parts.source_ip {
                    let applies = match indexes {
                        None => true,
                        Some(list) => mi.is_some_and(|mi| list.iter().any(|i| *i as usize == mi)),
                    };
                    if applies {
                        conditions.push(RuleCondition::source_ip(cidrs.clone()));
                    }
                }
                if let Some(why) = limits::check(&conditions) {
                    ctx.found.drop_match(route, ri, mi, why);
                    continue;
                }
                let transforms = match rewrite::transforms(&parts.rewrite, m) {
                    Ok(t) => t,
                    Err(why) => {
                        ctx.found.drop_match(route, ri, mi, why);
                        continue;
                    }
                };
                programmed += 1;
                keys.push((
                    group,
                    precedence::Key::new(route, route_name, ri, mi, m, host),
                    out.len(),
                ));
                out.push(Candidate {
                    conditions,
                    actions: Vec::new(),
                    transforms,
                    tags: BTreeMap::new(),
                    source: RuleSource {
                        route: display.clone(),
                        rule: ri,
                        r#match: mi,
                    },
                });
            }
        }
        // The rule's candidates share its actions and tags: clones for all but the last.
        if let Some((last, others)) = out[first..].split_last_mut() {
            for c in others {
                c.actions = parts.actions.clone();
                c.tags = parts.tags.clone();
            }
            last.actions = parts.actions;
            last.tags = parts.tags;
        }
    }
    ctx.found.report(route).programmed += programmed;
}

fn build_listener(
    ctx: &mut Context<'_>,
    li: usize,
    port: i32,
    protocol: Protocol,
    cfg: Option<&ListenerConfiguration>,
    rules: Vec<Rule>,
) -> Option<Listener> {
    let mut certificates = CertificateSources::default();
    let mut ssl_policy = None;
    let mut mutual_authentication = None;
    if protocol == Protocol::Https {
        let on_port: Vec<usize> = (0..ctx.listeners.len())
            .filter(|&i| ctx.listeners[i].port == port && ctx.serves(i))
            .collect();
        if let Some(c) = cfg {
            mutual_authentication = c
                .mutual_authentication
                .as_ref()
                .map(crate::frontend::from_config);
        }
        // Client certificate validation of the Gateway (spec.tls.frontend) decides the mode;
        // the port's listeners share one validation (it is per port).
        if let Some(v) = on_port.iter().find_map(|&i| ctx.frontend[i].clone()) {
            match crate::frontend::mutual_authentication(port, &v, cfg) {
                Ok(m) => mutual_authentication = Some(m),
                Err(why) => {
                    for &i in &on_port {
                        let message = format!("Listener {}: {why}", ctx.listeners[i].name);
                        ctx.found.listener_problem(&[i], Reason::Invalid, message);
                    }
                    return None;
                }
            }
        }
        ssl_policy = Some(config::ssl_policy(ctx, cfg));
        let Some(sources) = config::certificate_sources(ctx, cfg, &on_port) else {
            let message = format!(
                "HTTPS listener on port {port} has no certificate and no hostname to discover one in ACM by: set defaultCertificate for HTTPS:{port} in the LoadBalancerConfiguration listenerConfigurations, or give the listener or its routes hostnames"
            );
            ctx.found
                .listener_problem(&[li], Reason::InvalidCertificateRef, message);
            return None;
        };
        certificates = sources;
    }
    Some(Listener {
        id: port.to_string(),
        port,
        protocol,
        default_actions: vec![Action::fixed_response(404, "text/plain", None)],
        certificates: certificates.arns,
        certificate_hostnames: certificates.hostnames,
        certificate_secrets: certificates.secrets,
        ssl_policy,
        alpn_policy: None,
        mutual_authentication,
        attributes: listener_attributes(cfg),
        tags: listener_tags(ctx, port),
        rules,
    })
}
