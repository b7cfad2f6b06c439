//! A rule's backendRefs → its weighted forward action.
//!
//! Gateway API: requests that would go to an invalid backendRef must fail (500), in the
//! proportion of its weight. The ALB cannot answer a share of a rule's requests with a fixed
//! response, so that share is forwarded to a target group of the stack that never holds
//! targets: the ALB answers it 503. A rule whose requests would all go to invalid backendRefs
//! answers a fixed 500.

use super::actions::refs_unresolved;
use super::limits::{MAX_TARGET_GROUPS_PER_FORWARD, MAX_WEIGHT};
use crate::gateway::{BuiltTargetGroup, Context};
use crate::routes::{Route, RouteRule};
use crate::status::reasons::Reason;
use crate::{names, refs, tags, target_groups};
use gantry_model::{
    Action, ArnRef, Backend, ForwardConfig, HealthCheck, Matcher, Protocol, ProtocolVersion,
    TargetGroup, TargetGroupStickinessConfig, TargetGroupTuple, TargetIpAddressType, TargetType,
};

pub fn forward<'a>(
    ctx: &mut Context<'a>,
    route: &'a Route,
    rule: &'a RouteRule,
    listener_protocol: Protocol,
    stickiness: Option<TargetGroupStickinessConfig>,
    target_groups: &mut Vec<usize>,
) -> Result<Action, String> {
    if let Some(b) = rule
        .backend_refs
        .iter()
        .find(|b| !(0..=MAX_WEIGHT).contains(&b.weight))
    {
        return Err(format!(
            "backendRef {} has weight {}; ALB weights are 0..{MAX_WEIGHT}",
            b.name, b.weight
        ));
    }
    let mut tuples: Vec<TargetGroupTuple> = Vec::new();
    // The summed weight of the backendRefs that do not resolve.
    let mut invalid_weight = 0;
    for b in &rule.backend_refs {
        let cache_key = (
            std::ptr::from_ref(route) as usize,
            b.namespace.as_str(),
            b.group.as_str(),
            b.kind.as_str(),
            b.name.as_str(),
            b.port,
            listener_protocol,
        );
        let built = match ctx.target_group_cache.get(&cache_key) {
            Some(built) => built.clone(),
            None => {
                let resolved = match refs::resolve(ctx.snapshot, route, b, false) {
                    Ok(r) => r,
                    Err(u) => {
                        ctx.unresolved(route, u);
                        invalid_weight += b.weight;
                        continue;
                    }
                };
                let built =
                    target_groups::build(ctx, route, &resolved, listener_protocol).map(|tg| {
                        ctx.built_target_groups.push(BuiltTargetGroup::new(tg));
                        ctx.built_target_groups.len() - 1
                    });
                ctx.target_group_cache.insert(cache_key, built.clone());
                built
            }
        };
        match built {
            Ok(index) => {
                add_weight(&mut tuples, &ctx.built_target_groups[index].id, b.weight);
                target_groups.push(index);
            }
            Err(message) => {
                ctx.unresolved(route, refs_unresolved(Reason::BackendNotFound, message));
                invalid_weight += b.weight;
            }
        }
    }
    // Gateway API: a rule whose requests all go to invalid backendRefs (or that has no
    // backend with weight) answers 500.
    if tuples.iter().all(|t| t.weight == Some(0)) {
        target_groups.clear();
        return Ok(Action::fixed_response(500, "text/plain", None));
    }
    if invalid_weight > 0 {
        let first_valid = &ctx.built_target_groups[target_groups[0]];
        let (version, ip) = (first_valid.protocol_version, first_valid.ip_address_type);
        let index = unavailable_target_group(ctx, version, ip);
        add_weight(
            &mut tuples,
            &ctx.built_target_groups[index].id,
            invalid_weight,
        );
        target_groups.push(index);
    }
    if tuples.len() > MAX_TARGET_GROUPS_PER_FORWARD {
        return Err(format!(
            "{} target groups{}: an ALB rule forwards to at most {MAX_TARGET_GROUPS_PER_FORWARD}",
            tuples.len(),
            if invalid_weight > 0 {
                " (one answers 503 for the backendRefs that do not resolve)"
            } else {
                ""
            }
        ));
    }
    scale_weights(&mut tuples);
    Ok(Action::forward(ForwardConfig {
        target_groups: tuples,
        target_group_stickiness_config: stickiness,
    }))
}

/// backendRefs to the same target group share one tuple, with their weights added.
fn add_weight(tuples: &mut Vec<TargetGroupTuple>, id: &str, weight: i32) {
    match tuples
        .iter_mut()
        .find(|t| t.target_group_arn.as_str() == id)
    {
        Some(t) => t.weight = Some(t.weight.unwrap_or(0) + weight),
        None => tuples.push(TargetGroupTuple {
            target_group_arn: ArnRef::Planned(id.to_string()),
            weight: Some(weight),
        }),
    }
}

/// The index in `built_target_groups` of the stack's target group without targets for
/// `version` and `ip` (a rule's target groups keep to one protocol version and IP address
/// type), built on first use. Like every target group of the stack it carries the ownership
/// tags, and it is deleted once no rule forwards to it.
fn unavailable_target_group(
    ctx: &mut Context<'_>,
    version: Option<ProtocolVersion>,
    ip: TargetIpAddressType,
) -> usize {
    let version_name = version.map_or("", |v| v.as_str());
    let mut id = format!("{}:unavailable", ctx.stack);
    if let Some(v) = version {
        id.push_str(&format!(":{}", v.as_str()));
    }
    if ip == TargetIpAddressType::Ipv6 {
        id.push_str("-ipv6");
    }
    if let Some(i) = ctx.built_target_groups.iter().position(|b| b.id == id) {
        return i;
    }
    let grpc = version == Some(ProtocolVersion::Grpc);
    let tg = TargetGroup {
        tags: tags::build(ctx.settings, ctx.lb, &ctx.stack, id.as_str(), None),
        name: names::unavailable_target_group(
            &ctx.settings.cluster_name,
            &ctx.key.namespace,
            &ctx.key.name,
            version_name,
            ip == TargetIpAddressType::Ipv6,
        ),
        id,
        protocol: Protocol::Http,
        protocol_version: version,
        port: 80,
        target_type: TargetType::Ip,
        ip_address_type: ip,
        health_check: HealthCheck {
            protocol: Protocol::Http,
            port: "traffic-port".to_string(),
            path: Some(if grpc { "/AWS.ALB/healthcheck" } else { "/" }.to_string()),
            interval_seconds: 15,
            timeout_seconds: 5,
            healthy_threshold_count: 3,
            unhealthy_threshold_count: 3,
            matcher: Some(Matcher {
                http_code: (!grpc).then(|| "200-399".to_string()),
                grpc_code: grpc.then(|| "12".to_string()),
            }),
        },
        target_control_port: None,
        attributes: Vec::new(),
        backend: Backend::none(80),
        node_selector: None,
    };
    ctx.built_target_groups.push(BuiltTargetGroup::new(tg));
    ctx.built_target_groups.len() - 1
}

/// backendRefs to the same target group are merged by adding their weights, which can exceed
/// the ALB's maximum; then every weight is scaled down by the same factor (non-zero weights
/// stay at least 1), keeping the split as close as the ALB can express.
fn scale_weights(tuples: &mut [TargetGroupTuple]) {
    let max = tuples.iter().filter_map(|t| t.weight).max().unwrap_or(0);
    if max <= MAX_WEIGHT {
        return;
    }
    for t in tuples.iter_mut() {
        if let Some(w) = t.weight.filter(|w| *w > 0) {
            let scaled =
                (i64::from(w) * i64::from(MAX_WEIGHT) + i64::from(max) / 2) / i64::from(max);
            t.weight = Some((scaled as i32).max(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_weights_above_the_alb_maximum_are_scaled_down() {
        let tuple = |id: &str, w| TargetGroupTuple {
            target_group_arn: ArnRef::Planned(id.into()),
            weight: Some(w),
        };
        let mut t = vec![
            tuple("a", 1000),
            tuple("b", 500),
            tuple("c", 0),
            tuple("d", 1),
        ];
        scale_weights(&mut t);
        let w: Vec<i32> = t.iter().map(|t| t.weight.unwrap()).collect();
        assert_eq!(w, vec![999, 500, 0, 1]);
    }
}
