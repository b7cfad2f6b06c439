//! Target groups: create, modify health check / attributes / tags, replace when a field fixed
//! at creation changes (the new group is created first, rules and listeners are repointed,
//! the old one is deleted in the post pass), register the ALB of a chained NLB.

use super::attributes::{self, Attributed};
use super::tags;
use crate::convert::{tags_to_elb, to_sdk_protocol};
use crate::diff::target_group::{health_check_changed, replacement_name, replacement_reason};
use crate::discover::target_group::ActualTargetGroup;
use crate::discover::{load_balancer, target_group as discover};
use crate::error::{Error, ErrorClass, Operation, Result};
use crate::ownership::Owner;
use crate::report::ResourceKind;
use crate::run::{Run, placeholder};
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, TargetDescription, TargetGroupIpAddressTypeEnum, TargetTypeEnum,
};
use gantry_model::{ArnRef, LoadBalancerType, Stack, TargetGroup, TargetIpAddressType, TargetType};
use std::collections::BTreeMap;
use std::time::Duration;

/// Sets a target group's health check on a create or a modify call alike: two SDK builder
/// types with the same setters.
macro_rules! with_health_check {
    ($call:expr, $target_group:expr) => {{
        let tg: &TargetGroup = $target_group;
        let hc = &tg.health_check;
        $call
            .health_check_protocol(to_sdk_protocol(hc.protocol))
            .health_check_port(&hc.port)
            .set_health_check_path(hc.path.clone())
            .health_check_interval_seconds(hc.interval_seconds)
            .health_check_timeout_seconds(hc.timeout_seconds)
            .healthy_threshold_count(hc.healthy_threshold_count)
            .unhealthy_threshold_count(hc.unhealthy_threshold_count)
            .set_matcher(matcher(tg))
    }};
}

pub struct TargetGroups {
    /// Resource id → ARN of every wanted target group.
    pub arns: BTreeMap<String, String>,
    /// Owned target groups that are no longer wanted or were replaced.
    pub stale: Vec<ActualTargetGroup>,
}

pub async fn apply(
    run: &mut Run<'_>,
    stack: Option<&Stack>,
    mut actual: Vec<ActualTargetGroup>,
    vpc: Option<&str>,
) -> Result<TargetGroups> {
    let owner = run.owner.clone();
    if let Some(tg) = actual.iter().find(|t| owner.resource_id(&t.tags).is_none()) {
        return Err(Error::MissingResourceTag {
            gateway: owner.gateway.clone(),
            arn: tg.arn.clone(),
        });
    }
    let mut arns = BTreeMap::new();
    let mut stale = Vec::new();
    let mut tag_updates = Vec::new();
    for desired in stack.map_or(&[][..], |s| &s.target_groups[..]) {
        let mut candidates: Vec<ActualTargetGroup> = Vec::new();
        let mut rest = Vec::new();
        for tg in actual {
            if owner.resource_id(&tg.tags) == Some(desired.id.as_str()) {
                candidates.push(tg);
            } else {
                rest.push(tg);
            }
        }
        actual = rest;
        if candidates.is_empty()
            && let Some(i) = adoptable_by_name(&actual, desired, stack, &owner)
        {
            candidates.push(actual.remove(i));
        }
        let vpc_id = vpc.unwrap_or_default();
        let keep = candidates
            .iter()
            .position(|c| replacement_reason(c, desired, vpc_id).is_none());
        let current = keep.map(|i| candidates.remove(i));
        let arn = match current {
            Some(tg) => {
                modify(run, &tg, desired).await?;
                let kind = ResourceKind::TargetGroup;
                if let Some(changes) = tags::changes(run, kind, &tg.name, &tg.tags, &desired.tags) {
                    tag_updates.push((tg.arn.clone(), changes));
                }
                tg.arn
            }
            None => {
                let old = candidates.first();
                let name = old.map_or(desired.name.clone(), |o| {
                    replacement_name(&desired.name, &o.name)
                });
                let arn = create(run, desired, &name, vpc).await?;
                if let Some(o) = old {
                    let why = replacement_reason(o, desired, vpc_id).unwrap_or_default();
                    run.replaced(ResourceKind::TargetGroup, &o.name, &why);
                }
                arn
            }
        };
        arns.insert(desired.id.clone(), arn);
        stale.extend(candidates);
    }
    tags::apply_elb(run, tag_updates).await?;
    stale.extend(actual);
    Ok(TargetGroups { arns, stale })
}

/// A target group of this stack with the desired name but another resource id, which no other
/// desired target group claims: the same target group under an id the AWS Load Balancer
/// Controller spelled differently (gantry gives gRPC and HTTP/2 groups an id of their own; the
/// name, hashed from the same fields, is the same). Adopted in place — its resource tag is
/// rewritten — rather than deleted and re-created under the same name.
fn adoptable_by_name(
    actual: &[ActualTargetGroup],
    desired: &TargetGroup,
    stack: Option<&Stack>,
    owner: &Owner,
) -> Option<usize> {
    let claimed = |id: &str| stack.is_some_and(|s| s.target_groups.iter().any(|t| t.id == id));
    actual.iter().position(|t| {
        t.name == desired.name && owner.resource_id(&t.tags).is_some_and(|id| !claimed(id))
    })
}

async fn create(
    run: &mut Run<'_>,
    tg: &TargetGroup,
    name: &str,
    vpc: Option<&str>,
) -> Result<String> {
    let call = with_health_check!(
        run.aws
            .elbv2
            .create_target_group()
            .name(name)
            .protocol(to_sdk_protocol(tg.protocol))
            .set_protocol_version(tg.protocol_version.map(|v| v.as_str().to_string()))
            .port(tg.port)
            .set_vpc_id(vpc.map(str::to_string))
            .target_type(TargetTypeEnum::from(tg.target_type.as_str()))
            .ip_address_type(match tg.ip_address_type {
                TargetIpAddressType::Ipv4 => TargetGroupIpAddressTypeEnum::Ipv4,
                TargetIpAddressType::Ipv6 => TargetGroupIpAddressTypeEnum::Ipv6,
            })
            .health_check_enabled(true),
        tg
    )
    .set_target_control_port(tg.target_control_port)
    .set_tags(Some(tags_to_elb(&tg.tags)))
    .send();
    let out = run.send(Operation::CreateTargetGroup, name, call).await?;
    run.created(ResourceKind::TargetGroup, name, "");
    let created = out.and_then(|o| o.target_groups?.into_iter().next()?.target_group_arn);
    let arn = run.arn_of_created(created, &tg.tags, name);
    if !tg.attributes.is_empty() {
        attributes::set(run, Attributed::TargetGroup(&arn), name, &tg.attributes).await?;
    }
    Ok(arn)
}

fn matcher(tg: &TargetGroup) -> Option<Matcher> {
    tg.health_check.matcher.as_ref().map(|m| {
        Matcher::builder()
            .set_http_code(m.http_code.clone())
            .set_grpc_code(m.grpc_code.clone())
            .build()
    })
}

async fn modify(
    run: &mut Run<'_>,
    actual: &ActualTargetGroup,
    desired: &TargetGroup,
) -> Result<()> {
    let hc = &desired.health_check;
    if health_check_changed(actual.health_check.as_ref(), hc) {
        let call = with_health_check!(
            run.aws
                .elbv2
                .modify_target_group()
                .target_group_arn(&actual.arn),
            desired
        )
        .send();
        let name = actual.name.as_str();
        run.send(Operation::ModifyTargetGroup, name, call).await?;
        run.modified(ResourceKind::TargetGroup, name, "health check");
    }
    // AWS forbids attributes on alb-type groups; they can't differ.
    if !desired.attributes.is_empty() && desired.target_type != TargetType::Alb {
        let current = discover::attributes(run.aws, &actual.arn).await?;
        let (kind, name) = (ResourceKind::TargetGroup, actual.name.as_str());
        if let Some(changes) = attributes::changes(run, kind, name, &current, &desired.attributes) {
            attributes::set(run, Attributed::TargetGroup(&actual.arn), name, &changes).await?;
        }
    }
    Ok(())
}

/// Registers the chained ALB as the only target of each `alb`-type target group.
pub async fn register_chained(
    run: &mut Run<'_>,
    stack: &Stack,
    arns: &BTreeMap<String, String>,
) -> Result<()> {
    for tg in stack
        .target_groups
        .iter()
        .filter(|t| t.target_type == TargetType::Alb)
    {
        let Some(reference) = &tg.backend.load_balancer else {
            continue;
        };
        let Some(tg_arn) = arns.get(&tg.id) else {
            continue;
        };
        let alb = match reference {
            ArnRef::Existing(arn) => arn.clone(),
            ArnRef::Planned(id) => chained_alb(run, id).await?,
            // Translation names load balancers by ARN or stack id only.
            ArnRef::TargetGroupName(name) => {
                return Err(Error::UnresolvedReference {
                    gateway: run.owner.gateway.clone(),
                    reference: name.clone(),
                });
            }
        };
        let current = if run.dry_run() && tg_arn.starts_with('(') {
            Vec::new()
        } else {
            discover::targets(run.aws, tg_arn).await?
        };
        if current.first().map(|(id, _)| id) == Some(&alb) && current.len() == 1 {
            continue;
        }
        let call = run
            .aws
            .elbv2
            .register_targets()
            .target_group_arn(tg_arn)
            .targets(TargetDescription::builder().id(&alb).port(tg.port).build())
            .send();
        run.send(Operation::RegisterTargets, &tg.name, call).await?;
        run.created(ResourceKind::Target, &tg.name, &alb);
        let others: Vec<TargetDescription> = current
            .iter()
            .filter(|(id, _)| *id != alb)
            .map(|(id, port)| TargetDescription::builder().id(id).set_port(*port).build())
            .collect();
        if !others.is_empty() {
            let call = run
                .aws
                .elbv2
                .deregister_targets()
                .target_group_arn(tg_arn)
                .set_targets(Some(others))
                .send();
            run.send(Operation::DeregisterTargets, &tg.name, call)
                .await?;
            run.deleted(ResourceKind::Target, &tg.name, "stale targets");
        }
    }
    Ok(())
}

/// The ARN of the ALB planned as `<namespace>/<name>/<resource id>`, found by its tags.
async fn chained_alb(run: &Run<'_>, planned: &str) -> Result<String> {
    let (gateway, resource) = planned
        .rsplit_once('/')
        .unwrap_or((planned, "LoadBalancer"));
    let alb_owner = Owner::new(&run.owner.cluster, gateway, LoadBalancerType::Application);
    let found = load_balancer::list(run.aws, None, |t| {
        alb_owner.owns(t) && alb_owner.resource_id(t) == Some(resource)
    })
    .await?;
    match found.into_iter().next() {
        Some(lb) => Ok(lb.arn),
        None if run.dry_run() => Ok(placeholder(planned)),
        None => Err(Error::DependencyNotReady {
            gateway: run.owner.gateway.clone(),
            dependency: gateway.to_string(),
        }),
    }
}

/// Deletes a target group in the post pass; a load balancer deleted just before may still hold
/// it for a moment (`ResourceInUse`).
pub async fn delete(run: &mut Run<'_>, tg: &ActualTargetGroup) -> Result<()> {
    let mut waited = Duration::ZERO;
    loop {
        let call = run
            .aws
            .elbv2
            .delete_target_group()
            .target_group_arn(&tg.arn)
            .send();
        let result = run.send(Operation::DeleteTargetGroup, &tg.name, call).await;
        match result {
            Ok(_) => break,
            Err(e) if e.class() == ErrorClass::NotFound => break,
            Err(e) if e.code() == Some("ResourceInUse") && waited < Duration::from_secs(30) => {
                tokio::time::sleep(Duration::from_secs(2)).await;
                waited += Duration::from_secs(2);
            }
            Err(e) => return Err(e),
        }
    }
    run.deleted(ResourceKind::TargetGroup, &tg.name, "");
    Ok(())
}
