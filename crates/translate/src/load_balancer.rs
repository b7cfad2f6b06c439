//! The load balancer and its managed security group, from the merged LoadBalancerConfiguration.

use crate::context::Context;
use crate::{LbKind, names, tags};
use gantry_api::crds::{IpAddressType as CfgIpType, Scheme as CfgScheme, SubnetConfiguration};
use gantry_model::{
    Addons, ArnRef, IngressRule, IngressSource, IpAddressType, LoadBalancer, LoadBalancerType,
    ManagedSecurityGroup, Protocol, Scheme, SecurityGroupRef, SubnetMapping, SubnetSelection,
};

pub const LOAD_BALANCER_ID: &str = "LoadBalancer";
pub const SECURITY_GROUP_ID: &str = "ManagedLBSecurityGroup";

pub fn build(ctx: &mut Context<'_>) -> (LoadBalancer, Option<ManagedSecurityGroup>) {
    let cfg = ctx.config.clone();
    let stack = ctx.stack_id();
    let scheme = match cfg.scheme {
        Some(CfgScheme::Internal) => Scheme::Internal,
        Some(CfgScheme::InternetFacing) => Scheme::InternetFacing,
        None => ctx.settings.default_scheme,
    };
    let ip_address_type = match cfg.ip_address_type {
        None | Some(CfgIpType::Ipv4) => IpAddressType::Ipv4,
        Some(CfgIpType::Dualstack) => IpAddressType::Dualstack,
        Some(CfgIpType::DualstackWithoutPublicIpv4) if ctx.lb == LbKind::Alb => {
            IpAddressType::DualstackWithoutPublicIpv4
        }
        Some(CfgIpType::DualstackWithoutPublicIpv4) => {
            ctx.found.ignored("LoadBalancerConfiguration ipAddressType dualstack-without-public-ipv4 is only available on ALBs; using dualstack".to_string());
            IpAddressType::Dualstack
        }
    };
    let uid = ctx.gateway.metadata.uid.clone().unwrap_or_default();
    let name = cfg.load_balancer_name.clone().unwrap_or_else(|| {
        names::load_balancer(
            &ctx.settings.cluster_name,
            &ctx.key.namespace,
            &ctx.key.name,
            &uid,
            scheme.as_str(),
        )
    });
    for message in tags::rejected_keys(ctx.settings, cfg.tags.as_ref()) {
        ctx.found
            .ignored(format!("LoadBalancerConfiguration: {message}"));
    }
    let subnets = subnets(ctx, scheme, ip_address_type);
    let disable_sg = ctx.lb == LbKind::Nlb && cfg.disable_security_group == Some(true);
    let mut security_groups = Vec::new();
    let mut managed = None;
    let given_groups = cfg.security_groups.as_ref().is_some_and(|s| !s.is_empty());
    if cfg.manage_backend_security_group_rules.is_some() && (disable_sg || !given_groups) {
        ctx.found.ignored(
            "LoadBalancerConfiguration manageBackendSecurityGroupRules applies only with securityGroups (a managed security group always gets the backend rules); ignored"
                .to_string(),
        );
    }
    if disable_sg && given_groups {
        ctx.found.ignored(
            "LoadBalancerConfiguration securityGroups: disableSecurityGroup is set; ignored"
                .to_string(),
        );
    }
    if cfg.disable_security_group == Some(true) && ctx.lb == LbKind::Alb {
        ctx.found.ignored(
            "LoadBalancerConfiguration disableSecurityGroup applies to NLBs only; ignored"
                .to_string(),
        );
    }
    if !disable_sg {
        match cfg.security_groups.as_ref().filter(|s| !s.is_empty()) {
            Some(given) => {
                security_groups.extend(given.iter().cloned().map(SecurityGroupRef::Given));
                if cfg.manage_backend_security_group_rules == Some(true)
                    && ctx.settings.backend_security_group
                {
                    security_groups.push(SecurityGroupRef::SharedBackend);
                }
            }
            None => {
                security_groups.push(SecurityGroupRef::Managed(ArnRef::Planned(format!(
                    "{stack}/{SECURITY_GROUP_ID}"
                ))));
                if ctx.settings.backend_security_group {
                    security_groups.push(SecurityGroupRef::SharedBackend);
                }
                managed = Some(security_group(ctx, ip_address_type, &uid));
            }
        }
    }
    // Fields of the other load balancer type.
    let other_type = [
        (
            ctx.lb == LbKind::Nlb && cfg.customer_owned_ipv4_pool.is_some(),
            "customerOwnedIpv4Pool",
            "ALBs",
        ),
        (
            ctx.lb == LbKind::Nlb && cfg.ipv4_ipam_pool_id.is_some(),
            "ipv4IPAMPoolId",
            "ALBs",
        ),
        (
            ctx.lb == LbKind::Alb
                && cfg
                    .enforce_security_group_inbound_rules_on_private_link_traffic
                    .is_some(),
            "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic",
            "NLBs with security groups",
        ),
    ];
    for (_, field, kind) in other_type.iter().filter(|(set, _, _)| *set) {
        ctx.found.ignored(format!(
            "LoadBalancerConfiguration {field} applies to {kind} only; ignored"
        ));
    }
    let lb = LoadBalancer {
        id: LOAD_BALANCER_ID.to_string(),
        name,
        kind: match ctx.lb {
            LbKind::Alb => LoadBalancerType::Application,
            LbKind::Nlb => LoadBalancerType::Network,
        },
        scheme,
        ip_address_type,
        subnets,
        security_groups,
        attributes: crate::config::attributes(cfg.load_balancer_attributes.as_ref()),
        customer_owned_ipv4_pool: cfg
            .customer_owned_ipv4_pool
            .clone()
            .filter(|_| ctx.lb == LbKind::Alb),
        ipv4_ipam_pool_id: cfg
            .ipv4_ipam_pool_id
            .clone()
            .filter(|_| ctx.lb == LbKind::Alb),
        enforce_security_group_inbound_rules_on_private_link_traffic: cfg
            .enforce_security_group_inbound_rules_on_private_link_traffic
            .clone()
            .filter(|_| ctx.lb == LbKind::Nlb && !disable_sg),
        minimum_capacity_units: cfg
            .minimum_load_balancer_capacity
            .as_ref()
            .map(|m| m.capacity_units),
        addons: addons(ctx),
        tags: tags::build(ctx, LOAD_BALANCER_ID, cfg.tags.as_ref()),
    };
    (lb, managed)
}

/// WAFv2 and Shield Advanced. Like the AWS Load Balancer Controller, only for ALBs; an empty
/// `webACL` and `enabled: false` mean none, as if unset.
fn addons(ctx: &mut Context<'_>) -> Addons {
    let web_acl_arn = ctx
        .config
        .waf_v2
        .as_ref()
        .map(|w| w.web_acl.trim().to_string())
        .filter(|a| !a.is_empty());
    let shield_advanced = ctx
        .config
        .shield_configuration
        .as_ref()
        .and_then(|s| s.enabled)
        == Some(true);
    if ctx.lb == LbKind::Alb {
        return Addons {
            web_acl_arn,
            shield_advanced,
        };
    }
    if web_acl_arn.is_some() {
        ctx.found.ignored(
            "LoadBalancerConfiguration: wafV2 is not supported on an NLB (web ACLs protect ALBs only); ignored"
                .to_string(),
        );
    }
    if shield_advanced {
        ctx.found.ignored(
            "LoadBalancerConfiguration: shieldConfiguration is not supported on an NLB (gantry protects ALBs only); ignored"
                .to_string(),
        );
    }
    Addons::default()
}

fn subnets(ctx: &mut Context<'_>, scheme: Scheme, ip: IpAddressType) -> SubnetSelection {
    let cfg = &ctx.config;
    if let Some(list) = cfg.load_balancer_subnets.as_ref().filter(|l| !l.is_empty()) {
        let mut problems = Vec::new();
        let with_id = list.iter().filter(|s| s.identifier.is_some()).count();
        if with_id != 0 && with_id != list.len() {
            problems.push(
                "loadBalancerSubnets: either specify all subnet identifiers or none".to_string(),
            );
        }
        // Whether the subnets set `field`: on every one, or (a problem when only some do) not.
        let mut all_or_none = |field: &str, is_set: fn(&SubnetConfiguration) -> bool| {
            let n = list.iter().filter(|s| is_set(s)).count();
            if n != 0 && n != list.len() {
                problems.push(format!(
                    "loadBalancerSubnets: {field} must be set on every subnet or on none"
                ));
                false
            } else {
                n != 0
            }
        };
        let eips = all_or_none("eipAllocation", |s| s.eip_allocation.is_some());
        let privs = all_or_none("privateIPv4Allocation", |s| {
            s.private_ipv4_allocation.is_some()
        });
        let v6 = all_or_none("ipv6Allocation", |s| s.ipv6_allocation.is_some());
        let nat = all_or_none("sourceNatIPv6Prefix", |s| {
            s.source_nat_ipv6_prefix.is_some()
        });
        let nlb = ctx.lb == LbKind::Nlb;
        if (eips || privs || v6 || nat) && !nlb {
            problems.push(
                "loadBalancerSubnets: address allocations only apply to NLBs and are ignored"
                    .to_string(),
            );
        }
        if eips && nlb && scheme != Scheme::InternetFacing {
            problems.push(
                "loadBalancerSubnets: eipAllocation needs scheme internet-facing and is ignored"
                    .to_string(),
            );
        }
        if privs && nlb && scheme != Scheme::Internal {
            problems.push(
                "loadBalancerSubnets: privateIPv4Allocation needs scheme internal and is ignored"
                    .to_string(),
            );
        }
        if v6 && nlb && ip == IpAddressType::Ipv4 {
            problems.push(
                "loadBalancerSubnets: ipv6Allocation needs ipAddressType dualstack and is ignored"
                    .to_string(),
            );
        }
        let mappings = list
            .iter()
            .filter_map(|s| {
                Some(SubnetMapping {
                    subnet: s.identifier.clone()?,
                    allocation_id: s
                        .eip_allocation
                        .clone()
                        .filter(|_| nlb && scheme == Scheme::InternetFacing),
                    private_ipv4_address: s
                        .private_ipv4_allocation
                        .clone()
                        .filter(|_| nlb && scheme == Scheme::Internal),
                    ipv6_address: s
                        .ipv6_allocation
                        .clone()
                        .filter(|_| nlb && ip != IpAddressType::Ipv4),
                    source_nat_ipv6_prefix: s.source_nat_ipv6_prefix.clone().filter(|_| nlb),
                })
            })
            .collect::<Vec<_>>();
        if with_id == 0 {
            let set: Vec<&str> = [
                (eips, "eipAllocation"),
                (privs, "privateIPv4Allocation"),
                (v6, "ipv6Allocation"),
                (nat, "sourceNatIPv6Prefix"),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, f)| *f)
            .collect();
            problems.push(format!(
                "loadBalancerSubnets: entries without identifier name no subnet; ignored with their {} (subnets are discovered)",
                if set.is_empty() { "settings".to_string() } else { set.join(", ") }
            ));
        }
        for p in problems {
            ctx.found.ignored(format!("LoadBalancerConfiguration {p}"));
        }
        if !mappings.is_empty() {
            return SubnetSelection::Explicit(mappings);
        }
    }
    if let Some(sel) = ctx
        .config
        .load_balancer_subnets_selector
        .as_ref()
        .filter(|s| !s.is_empty())
    {
        return SubnetSelection::Selector(sel.clone());
    }
    SubnetSelection::Discover
}

fn security_group(ctx: &Context<'_>, ip: IpAddressType, uid: &str) -> ManagedSecurityGroup {
    let cfg = &ctx.config;
    let dual = ip != IpAddressType::Ipv4;
    let ranges: Vec<String> = match cfg.source_ranges.as_ref().filter(|r| !r.is_empty()) {
        Some(r) => r.clone(),
        None if dual => vec!["0.0.0.0/0".into(), "::/0".into()],
        None => vec!["0.0.0.0/0".into()],
    };
    let mut ingress: Vec<IngressRule> = Vec::new();
    for l in ctx.listeners.iter().filter(|l| l.is_valid()) {
        let proto = if Protocol::parse(&l.protocol) == Some(Protocol::Udp) {
            "udp"
        } else {
            "tcp"
        };
        for r in &ranges {
            let source = if r.contains(':') {
                if !dual {
                    continue;
                }
                IngressSource::CidrIpv6(r.clone())
            } else {
                IngressSource::CidrIpv4(r.clone())
            };
            ingress.push(IngressRule {
                ip_protocol: proto.to_string(),
                from_port: l.port,
                to_port: l.port,
                source,
            });
        }
        for p in cfg.security_group_prefixes.iter().flatten() {
            ingress.push(IngressRule {
                ip_protocol: proto.to_string(),
                from_port: l.port,
                to_port: l.port,
                source: IngressSource::PrefixListId(p.clone()),
            });
        }
    }
    if cfg.enable_icmp == Some(true) {
        for r in &ranges {
            if r.contains(':') {
                if dual {
                    ingress.push(IngressRule {
                        ip_protocol: "icmpv6".into(),
                        from_port: 2,
                        to_port: 0,
                        source: IngressSource::CidrIpv6(r.clone()),
                    });
                }
            } else {
                ingress.push(IngressRule {
                    ip_protocol: "icmp".into(),
                    from_port: 3,
                    to_port: 4,
                    source: IngressSource::CidrIpv4(r.clone()),
                });
            }
        }
    }
    ingress.sort();
    ingress.dedup();
    ManagedSecurityGroup {
        id: SECURITY_GROUP_ID.to_string(),
        group_name: names::security_group(
            &ctx.settings.cluster_name,
            &ctx.key.namespace,
            &ctx.key.name,
            uid,
        ),
        description: "[k8s] Managed SecurityGroup for LoadBalancer".to_string(),
        ingress,
        tags: tags::build(ctx, SECURITY_GROUP_ID, cfg.tags.as_ref()),
    }
}
