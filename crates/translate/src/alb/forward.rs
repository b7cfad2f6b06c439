//! A rule's backendRefs → its weighted forward action.
//!
//! Gateway API: requests that would go to an invalid backendRef must fail (500), in the
//! proportion of its weight. The ALB cannot answer a share of a rule's requests with a fixed
//! response, so that share is forwarded to a target group of the stack that never holds
//! targets: the ALB answers it 503. A rule whose requests would all go to invalid backendRefs
//! answers a fixed 500.

use super::limits::{MAX_TARGET_GROUPS_PER_FORWARD, MAX_WEIGHT};
use crate::context::{Context, TargetGroupKey};
use crate::routes::{Route, RouteRule};
use crate::{names, refs, tags, target_groups};
use gantry_model::{
    Action, ArnRef, Backend, ForwardConfig, HealthCheck, Protocol, ProtocolVersion, TargetGroup,
    TargetGroupStickinessConfig, TargetGroupTuple, TargetIpAddressType, TargetType,
};
use thiserror::Error;

/// BackendRef.weight: "maximum: 1000000".
const MAX_GATEWAY_API_WEIGHT: i32 = 1_000_000;

/// Why a rule's backendRefs cannot become one ALB forward action.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ForwardError {
    #[error(
        "backendRef {name} has weight {weight}; Gateway API weights are 0..{MAX_GATEWAY_API_WEIGHT}"
    )]
    Weight { name: String, weight: i32 },
    /// `unavailable`: what the count includes besides the backendRefs' target groups.
    #[error(
        "{count} target groups{unavailable}: an ALB rule forwards to at most {MAX_TARGET_GROUPS_PER_FORWARD}"
    )]
    TooManyTargetGroups {
        count: usize,
        unavailable: &'static str,
    },
}

pub fn forward<'a>(
    ctx: &mut Context<'a>,
    route: &'a Route,
    rule: &'a RouteRule,
    listener_protocol: Protocol,
    stickiness: Option<TargetGroupStickinessConfig>,
    target_groups: &mut Vec<usize>,
) -> Result<Action, ForwardError> {
    if let Some(b) = rule
        .backend_refs
        .iter()
        .find(|b| !(0..=MAX_GATEWAY_API_WEIGHT).contains(&b.weight))
    {
        return Err(ForwardError::Weight {
            name: b.name.clone(),
            weight: b.weight,
        });
    }
    let mut tuples: Vec<TargetGroupTuple> = Vec::new();
    // The summed weight of the backendRefs that do not resolve.
    let mut invalid_weight = 0;
    for b in &rule.backend_refs {
        let cache_key = TargetGroupKey::new(route, b, listener_protocol);
        let built = match ctx.target_groups.cache.get(&cache_key) {
            Some(built) => built.clone(),
            None => {
                let resolved = match refs::resolve(
                    ctx.snapshot,
                    &ctx.settings.absent_target_groups,
                    route,
                    b,
                    false,
                ) {
                    Ok(refs::Resolved::TargetGroupName { name }) => {
                        // Forwarded to as it is: gantry builds, tags and registers nothing.
                        ctx.found.target_group_name(route, &name);
                        add_weight(&mut tuples, ArnRef::TargetGroupName(name), b.weight);
                        continue;
                    }
                    Ok(r) => r,
                    Err(u) => {
                        ctx.found.unresolved(route, u);
                        invalid_weight += b.weight;
                        continue;
                    }
                };
                let built = target_groups::build(ctx, route, &resolved, listener_protocol)
                    .map(|tg| ctx.target_groups.push(tg));
                ctx.target_groups.cache.insert(cache_key, built.clone());
                built
            }
        };
        match built {
            Ok(index) => {
                let id = ArnRef::Planned(ctx.target_groups.built[index].id.clone());
                add_weight(&mut tuples, id, b.weight);
                target_groups.push(index);
            }
            Err(error) => {
                let unresolved = refs::Unresolved {
                    reason: error.reason(),
                    message: error.to_string(),
                };
                ctx.found.unresolved(route, unresolved);
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
        // The rule's target groups share one protocol version and IP address type; with only
        // target groups made outside gantry, those of the route's kind.
        let (version, ip) = match target_groups.first() {
            Some(&i) => {
                let first_valid = &ctx.target_groups.built[i];
                (first_valid.protocol_version, first_valid.ip_address_type)
            }
            None if route.kind == crate::routes::RouteKind::Grpc => {
                (Some(ProtocolVersion::Grpc), TargetIpAddressType::Ipv4)
            }
            None => (Some(ProtocolVersion::Http1), TargetIpAddressType::Ipv4),
        };
        let index = unavailable_target_group(ctx, version, ip);
        let id = ArnRef::Planned(ctx.target_groups.built[index].id.clone());
        add_weight(&mut tuples, id, invalid_weight);
        target_groups.push(index);
    }
    if tuples.len() > MAX_TARGET_GROUPS_PER_FORWARD {
        return Err(ForwardError::TooManyTargetGroups {
            count: tuples.len(),
            unavailable: if invalid_weight > 0 {
                " (one answers 503 for the backendRefs that do not resolve)"
            } else {
                ""
            },
        });
    }
    scale_weights(&mut tuples);
    Ok(Action::forward(ForwardConfig {
        target_groups: tuples,
        target_group_stickiness_config: stickiness,
    }))
}

/// backendRefs to the same target group share one tuple, with their weights added.
fn add_weight(tuples: &mut Vec<TargetGroupTuple>, target_group: ArnRef, weight: i32) {
    match tuples
        .iter_mut()
        .find(|t| t.target_group_arn == target_group)
    {
        Some(t) => t.weight = Some(t.weight.unwrap_or(0) + weight),
        None => tuples.push(TargetGroupTuple {
            target_group_arn: target_group,
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
    if let Some(i) = ctx.target_groups.built.iter().position(|b| b.id == id) {
        return i;
    }
    let grpc = version == Some(ProtocolVersion::Grpc);
    let tg = TargetGroup {
        tags: tags::build(ctx, id.as_str(), None),
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
        health_check: HealthCheck::defaults(Protocol::Http, grpc),
        target_control_port: None,
        attributes: Vec::new(),
        backend: Backend::none(80),
        node_selector: None,
    };
    ctx.target_groups.push(tg)
}

/// Gateway API weights go up to 1,000,000 (BackendRef.weight), the ALB's to 999. Weights are
/// first divided by their greatest common divisor, which keeps any split the ALB can express
/// exact (1,000,000 : 500,000 is 2 : 1); if the largest is still above 999, every weight is
/// scaled by 999 / largest and rounded. A non-zero weight never becomes 0: it stays at least
/// 1, so a backend that should get traffic keeps getting some (at most 1/1000 more than its
/// share); zero stays zero. Weights of backendRefs to the same target group were added first.
fn scale_weights(tuples: &mut [TargetGroupTuple]) {
    let max = tuples.iter().filter_map(|t| t.weight).max().unwrap_or(0);
    if max <= MAX_WEIGHT {
        return;
    }
    let divisor = tuples
        .iter()
        .filter_map(|t| t.weight)
        .filter(|w| *w > 0)
        .fold(0, gcd);
    let max = i64::from(max / divisor);
    for t in tuples.iter_mut() {
        if let Some(w) = t.weight.filter(|w| *w > 0) {
            let w = i64::from(w / divisor);
            let scaled = if max <= i64::from(MAX_WEIGHT) {
                w
            } else {
                ((w * i64::from(MAX_WEIGHT) + max / 2) / max).max(1)
            };
            t.weight = Some(scaled as i32);
        }
    }
}

fn gcd(a: i32, b: i32) -> i32 {
    if b == 0 { a } else { gcd(b, a % b) }
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

    fn weights(input: &[i32]) -> Vec<i32> {
        let mut t: Vec<TargetGroupTuple> = input
            .iter()
            .enumerate()
            .map(|(i, w)| TargetGroupTuple {
                target_group_arn: ArnRef::Planned(i.to_string()),
                weight: Some(*w),
            })
            .collect();
        scale_weights(&mut t);
        t.iter().map(|t| t.weight.unwrap()).collect()
    }

    #[test]
    fn spec_weights_up_to_a_million_keep_their_ratio() {
        // Exact when a common divisor brings them within the ALB's range.
        assert_eq!(weights(&[1_000_000, 500_000]), vec![2, 1]);
        assert_eq!(weights(&[1_000_000, 0, 250_000]), vec![4, 0, 1]);
        assert_eq!(weights(&[300_000, 700_000]), vec![3, 7]);
        // Otherwise as close as 0..999 allows; a non-zero weight stays non-zero.
        assert_eq!(weights(&[1_000_000, 1]), vec![999, 1]);
        assert_eq!(weights(&[999_999, 333_334]), vec![999, 333]);
        // Within range: unchanged.
        assert_eq!(weights(&[999, 0, 1]), vec![999, 0, 1]);
    }
}
