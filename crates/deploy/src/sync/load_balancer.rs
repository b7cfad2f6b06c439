//! The load balancer: create; modify subnets, security groups, IP address type, attributes and
//! tags in place; replace when the type or scheme changes (and say so).

use super::attributes::{self, Attributed};
use super::tags;
use crate::convert::tags_to_elb;
use crate::diff::load_balancer::{changes, replacement_reason};
use crate::discover::load_balancer::{self as discovered, ActualLoadBalancer};
use crate::discover::subnet::Resolved;
use crate::error::{ErrorClass, Operation, Result};
use crate::report::ResourceKind;
use crate::run::Run;
use aws_sdk_elasticloadbalancingv2::types::{
    EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum, IpAddressType, IpamPools,
    LoadBalancerSchemeEnum, LoadBalancerTypeEnum, SubnetMapping,
};
use gantry_model::{LoadBalancer, LoadBalancerType, Stack};

/// The load balancer listeners go on.
#[derive(Clone, Debug)]
pub struct Current {
    pub arn: String,
    pub dns_name: String,
    pub kind: LoadBalancerType,
    /// False when just created (or only planned, in a dry run): it has no listeners yet.
    pub existed: bool,
}

pub struct LoadBalancers {
    pub current: Option<Current>,
    /// Owned load balancers of the stack that are not wanted.
    pub stale: Vec<ActualLoadBalancer>,
}

pub async fn apply(
    run: &mut Run<'_>,
    stack: Option<&Stack>,
    mut actual: Vec<ActualLoadBalancer>,
    resolved: Option<&Resolved>,
    security_groups: &[String],
) -> Result<LoadBalancers> {
    let (Some(stack), Some(resolved)) = (stack, resolved) else {
        return Ok(LoadBalancers {
            current: None,
            stale: actual,
        });
    };
    let desired = &stack.load_balancer;
    let owner = run.owner.clone();
    let ours = |lb: &ActualLoadBalancer| owner.resource_id(&lb.tags) == Some(desired.id.as_str());
    // Prefer the one with the wanted name, then any that can be kept.
    let keep = actual
        .iter()
        .position(|lb| {
            ours(lb) && lb.name == desired.name && replacement_reason(lb, desired).is_none()
        })
        .or_else(|| {
            actual
                .iter()
                .position(|lb| ours(lb) && replacement_reason(lb, desired).is_none())
        });
    let subnets: Vec<String> = resolved.subnets.iter().map(|s| s.id.clone()).collect();
    if let Some(i) = keep {
        let lb = actual.remove(i);
        modify(run, &lb, desired, resolved, &subnets, security_groups).await?;
        return Ok(LoadBalancers {
            current: Some(Current {
                arn: lb.arn,
                dns_name: lb.dns_name,
                kind: desired.kind,
                existed: true,
            }),
            stale: actual,
        });
    }
    // Type or scheme changed: the old one goes first, since its name and target groups would
    // collide with the new one's. The address changes either way.
    let (replaced, rest): (Vec<_>, Vec<_>) = actual.into_iter().partition(|lb| ours(lb));
    for old in &replaced {
        let why = replacement_reason(old, desired).unwrap_or_default();
        tracing::warn!(gateway = %owner.gateway, load_balancer = %old.name, "replacing: {why}");
        delete(run, old).await?;
        run.replaced(ResourceKind::LoadBalancer, &old.name, &why);
    }
    let current = create(run, desired, resolved, &subnets, security_groups).await?;
    Ok(LoadBalancers {
        current: Some(current),
        stale: rest,
    })
}

fn mappings(resolved: &Resolved, subnets: &[String]) -> Vec<SubnetMapping> {
    subnets
        .iter()
        .map(|id| {
            let m = resolved.mappings.get(id);
            SubnetMapping::builder()
                .subnet_id(id)
                .set_allocation_id(m.and_then(|m| m.allocation_id.clone()))
                .set_private_ipv4_address(m.and_then(|m| m.private_ipv4_address.clone()))
                .set_ipv6_address(m.and_then(|m| m.ipv6_address.clone()))
                .set_source_nat_ipv6_prefix(m.and_then(|m| m.source_nat_ipv6_prefix.clone()))
                .build()
        })
        .collect()
}

async fn create(
    run: &mut Run<'_>,
    desired: &LoadBalancer,
    resolved: &Resolved,
    subnets: &[String],
    security_groups: &[String],
) -> Result<Current> {
    let name = desired.name.as_str();
    let call = run
        .aws
        .elbv2
        .create_load_balancer()
        .name(name)
        .r#type(LoadBalancerTypeEnum::from(desired.kind.as_str()))
        .scheme(LoadBalancerSchemeEnum::from(desired.scheme.as_str()))
        .ip_address_type(IpAddressType::from(desired.ip_address_type.as_str()))
        .set_subnet_mappings(Some(mappings(resolved, subnets)))
        .set_security_groups((!security_groups.is_empty()).then(|| security_groups.to_vec()))
        .set_customer_owned_ipv4_pool(desired.customer_owned_ipv4_pool.clone())
        .set_ipam_pools(
            desired
                .ipv4_ipam_pool_id
                .as_ref()
                .map(|p| IpamPools::builder().ipv4_ipam_pool_id(p).build()),
        )
        .set_tags(Some(tags_to_elb(&desired.tags)))
        .send();
    let out = run.send(Operation::CreateLoadBalancer, name, call).await?;
    run.created(ResourceKind::LoadBalancer, name, "");
    let lb = out.and_then(|o| o.load_balancers?.into_iter().next());
    let created = lb.as_ref().and_then(|l| l.load_balancer_arn.clone());
    let arn = run.arn_of_created(created, &desired.tags, name);
    let dns_name = lb.and_then(|l| l.dns_name).unwrap_or_default();
    if !desired.attributes.is_empty() {
        attributes::set(
            run,
            Attributed::LoadBalancer(&arn),
            name,
            &desired.attributes,
        )
        .await?;
    }
    Ok(Current {
        arn,
        dns_name,
        kind: desired.kind,
        existed: false,
    })
}

async fn modify(
    run: &mut Run<'_>,
    actual: &ActualLoadBalancer,
    desired: &LoadBalancer,
    resolved: &Resolved,
    subnets: &[String],
    security_groups: &[String],
) -> Result<()> {
    let aws = run.aws;
    let (arn, name) = (actual.arn.as_str(), actual.name.as_str());
    let c = changes(actual, desired, subnets, security_groups);
    if let Some(subnets) = &c.subnets {
        let request = aws.elbv2.set_subnets().load_balancer_arn(arn);
        let call = request
            .set_subnet_mappings(Some(mappings(resolved, subnets)))
            .send();
        run.send(Operation::SetSubnets, name, call).await?;
        run.modified(ResourceKind::LoadBalancer, name, "subnets");
    }
    if let Some(groups) = &c.security_groups {
        let call = aws
            .elbv2
            .set_security_groups()
            .load_balancer_arn(arn)
            .set_security_groups(Some(groups.clone()))
            .set_enforce_security_group_inbound_rules_on_private_link_traffic(
                desired
                    .enforce_security_group_inbound_rules_on_private_link_traffic
                    .as_deref()
                    .map(EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum::from),
            )
            .send();
        run.send(Operation::SetSecurityGroups, name, call).await?;
        run.modified(ResourceKind::LoadBalancer, name, "security groups");
    }
    if let Some(ip) = &c.ip_address_type {
        let request = aws.elbv2.set_ip_address_type().load_balancer_arn(arn);
        let call = request
            .ip_address_type(IpAddressType::from(ip.as_str()))
            .send();
        run.send(Operation::SetIpAddressType, name, call).await?;
        run.modified(ResourceKind::LoadBalancer, name, "IP address type");
    }
    if !desired.attributes.is_empty() {
        let current = discovered::attributes(aws, arn).await?;
        let kind = ResourceKind::LoadBalancer;
        if let Some(changed) = attributes::changes(run, kind, name, &current, &desired.attributes) {
            attributes::set(run, Attributed::LoadBalancer(arn), name, &changed).await?;
        }
    }
    let kind = ResourceKind::LoadBalancer;
    if let Some(tag_diff) = tags::changes(run, kind, name, &actual.tags, &desired.tags) {
        tags::apply_elb(run, vec![(arn.to_string(), tag_diff)]).await?;
    }
    Ok(())
}

/// Deletes a load balancer; its listeners and rules go with it.
pub async fn delete(run: &mut Run<'_>, lb: &ActualLoadBalancer) -> Result<()> {
    super::addons::tear_down(run, &lb.arn, &lb.name, &lb.tags).await?;
    let call = run
        .aws
        .elbv2
        .delete_load_balancer()
        .load_balancer_arn(&lb.arn)
        .send();
    let name = lb.name.as_str();
    match run.send(Operation::DeleteLoadBalancer, name, call).await {
        Err(e) if e.class() != ErrorClass::NotFound => return Err(e),
        _ => {}
    }
    run.deleted(ResourceKind::LoadBalancer, name, "");
    Ok(())
}
