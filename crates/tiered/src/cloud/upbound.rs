//! The Upbound families (`elbv2.aws[.m].upbound.io/v1beta1`, `ec2.aws[.m].upbound.io/v1beta1`):
//! per Gateway an LB with its own SecurityGroup, SecurityGroupIngressRules admitting the
//! class's `clientCIDRs` on each listener port, and (with `targetSecurityGroups`) rules
//! admitting the LB's group into the targets' groups; per port an LBTargetGroup and an
//! LBListener.
//!
//! Cross-resource references use the provider's `*Ref` fields, so Crossplane resolves them
//! itself: `loadBalancerArnRef`, `defaultAction[].targetGroupArnRef`, `securityGroupRefs`,
//! `securityGroupIdRef`, `referencedSecurityGroupIdRef`. Two values are still copied from
//! status by gantry, as no reference field exists for them: the target group's ARN in the
//! TargetGroupBinding, and the security group's ID where it must sit next to the class's own
//! `securityGroups` (a resolved reference would replace that list) or in the binding's
//! `networking`.

use crate::cloud::parts::{self, Cloud, Ctx, Port, SecurityGroupAwaited};
use crate::family::CloudKind;
use crate::names;
use crate::observed;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub(crate) fn build(ctx: &Ctx<'_>, ports: &[Port]) -> Cloud {
    let config = ctx.gw.config;
    let (cluster, uid) = (ctx.cluster, ctx.uid);
    let tags = json!(ctx.tags);
    let sg_key = ctx.key(&["lb"]);
    let sg_name = ctx.describe(CloudKind::SecurityGroup, &sg_key);
    let sg_id = ctx
        .ours(CloudKind::SecurityGroup, &sg_key)
        .and_then(observed::id);
    let sg_ref = || json!({"name": sg_key.name});
    let mut objects = vec![ctx.object(
        CloudKind::SecurityGroup,
        &sg_key,
        json!({
            "region": config.region,
            "name": names::aws(ctx.gw.key, &[cluster, uid, "sg", &config.vpc_id]),
            "description": format!("gantry: load balancer of Gateway {}", ctx.gw.key),
            "vpcId": config.vpc_id,
            "tags": tags,
        }),
        vec![],
    )];

    let lb_key = ctx.key(&[]);
    let lb_type = config.lb_type.crossplane_value();
    let subnet_mapping: Vec<Value> = config
        .subnet_mappings
        .iter()
        .map(|m| {
            let mut v = Map::new();
            v.insert("subnetId".into(), m.subnet_id.clone().into());
            let optional = [
                ("allocationId", &m.allocation_id),
                ("privateIpv4Address", &m.private_ipv4_address),
                ("ipv6Address", &m.ipv6_address),
            ];
            for (k, value) in optional {
                if let Some(value) = value {
                    v.insert(k.into(), value.clone().into());
                }
            }
            Value::Object(v)
        })
        .collect();
    let mut lb = json!({
        "region": config.region,
        "name": names::aws(ctx.gw.key, &[cluster, uid, "lb", &config.scheme, lb_type]),
        "loadBalancerType": lb_type,
        "internal": config.scheme == "internal",
        "subnetMapping": subnet_mapping,
        "tags": tags,
    });
    let mut lb_waiting = Vec::new();
    if config.security_groups.is_empty() {
        lb["securityGroupRefs"] = json!([sg_ref()]);
    } else {
        // A resolved reference replaces `securityGroups`: with groups of its own the class
        // gets the list with gantry's group's ID added once the provider reports it.
        let own = parts::reference(sg_id, &format!("ID of {sg_name}"), &mut lb_waiting);
        let mut groups = config.security_groups.clone();
        groups.push(own);
        lb["securityGroups"] = json!(groups);
    }
    objects.push(ctx.object(CloudKind::LoadBalancer, &lb_key, lb, lb_waiting));

    let rule = |parts: &[&str], description: String, fields: Value| {
        let mut v = json!({
            "region": config.region,
            "securityGroupIdRef": sg_ref(),
            "description": description,
            "tags": tags,
        });
        if let (Some(v), Some(fields)) = (v.as_object_mut(), fields.as_object()) {
            v.extend(fields.clone());
        }
        ctx.object(
            CloudKind::SecurityGroupIngressRule,
            &ctx.key(parts),
            v,
            vec![],
        )
    };
    for p in ports {
        let port = p.port.to_string();
        for protocol in ip_protocols(&p.protocol) {
            for (i, cidr) in config.client_cidrs.iter().enumerate() {
                let family = if cidr.contains(':') {
                    "cidrIpv6"
                } else {
                    "cidrIpv4"
                };
                let mut fields =
                    json!({"ipProtocol": protocol, "fromPort": p.port, "toPort": p.port});
                fields[family] = cidr.clone().into();
                let description = format!("gantry: clients of Gateway {} port {port}", ctx.gw.key);
                objects.push(rule(
                    &["lb", &port, protocol, &i.to_string()],
                    description,
                    fields,
                ));
            }
        }
    }
    // Every port of the targets' groups from the load balancer's group: the pods listen on
    // the Service's targetPort and health-check port, which the in-cluster controller picks.
    let target_protocols: Vec<&str> = {
        let mut all: Vec<&str> = ports
            .iter()
            .flat_map(|p| ip_protocols(&p.protocol).iter().copied())
            .collect();
        all.sort();
        all.dedup();
        all
    };
    for (j, group) in config.target_security_groups.iter().enumerate() {
        for protocol in &target_protocols {
            let mut fields = json!({"ipProtocol": protocol, "fromPort": 0, "toPort": 65535,
                "referencedSecurityGroupIdRef": sg_ref()});
            fields["securityGroupId"] = group.clone().into();
            let description = format!(
                "gantry: load balancer of Gateway {} to its targets",
                ctx.gw.key
            );
            let key = ctx.key(&["targets", &j.to_string(), protocol]);
            let mut v = json!({"region": config.region, "description": description, "tags": tags});
            if let (Some(v), Some(fields)) = (v.as_object_mut(), fields.as_object()) {
                v.extend(fields.clone());
            }
            objects.push(ctx.object(CloudKind::SecurityGroupIngressRule, &key, v, vec![]));
        }
    }
    objects.extend(egress(ctx, &target_protocols));

    let mut out = Cloud {
        objects,
        lb: ctx.describe(CloudKind::LoadBalancer, &lb_key),
        not_ready: vec![],
        dns_name: ctx
            .ours(CloudKind::LoadBalancer, &lb_key)
            .and_then(observed::dns_name)
            .map(str::to_string),
        listener_ready: BTreeMap::new(),
        listener_names: BTreeMap::new(),
    };
    for p in ports {
        let port = p.port.to_string();
        let key = ctx.key(&[&port]);
        let tg = json!({
            "region": config.region,
            "name": names::aws(ctx.gw.key, &[cluster, uid, "tg", &port, &p.protocol, &config.vpc_id]),
            "port": p.port,
            "protocol": p.protocol,
            "targetType": "ip",
            "vpcId": config.vpc_id,
            "healthCheck": match ctx.family() {
                // v1beta1 of the cluster-scoped group keeps Terraform's block as a list.
                crate::family::Family::UpboundCluster => json!([health_check(config, &p.protocol)]),
                _ => health_check(config, &p.protocol),
            },
            "tags": tags,
        });
        out.objects
            .push(ctx.object(CloudKind::TargetGroup, &key, tg, vec![]));
        let mut listener = json!({
            "region": config.region,
            "port": p.port,
            "protocol": p.protocol,
            "loadBalancerArnRef": {"name": lb_key.name},
            "defaultAction": [{"type": "forward", "targetGroupArnRef": {"name": key.name}}],
            "tags": tags,
        });
        let mut waiting = Vec::new();
        if let Some(cert) = &p.certificate {
            let arn = parts::reference(
                cert.as_ref().ok().map(String::as_str),
                &cert
                    .as_ref()
                    .err()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                &mut waiting,
            );
            listener["certificateArn"] = arn.into();
        }
        out.push_listener(ctx, p.port, &key, listener, waiting);
        let admit_from = config
            .target_security_groups
            .is_empty()
            .then(|| sg_id.ok_or_else(|| SecurityGroupAwaited(sg_name.clone())));
        let tg_arn = ctx.arn(CloudKind::TargetGroup, &key);
        let tg_name = ctx.describe(CloudKind::TargetGroup, &key);
        out.objects
            .push(parts::binding(ctx, p, tg_arn, &tg_name, admit_from));
    }
    out
}

/// Egress from the load balancer's group to its targets: Upbound's `SecurityGroup` (Terraform's
/// `aws_security_group`) revokes AWS's default allow-all egress rule when it creates the
/// group, so without these the load balancer could not reach the in-cluster gateway's pods.
/// Every port, as for the targets' ingress: the pods' port and health-check port are the
/// in-cluster controller's choice. To each of `targetSecurityGroups`, else to `targetCIDRs`.
fn egress(ctx: &Ctx<'_>, protocols: &[&str]) -> Vec<crate::Planned> {
    let config = ctx.gw.config;
    let destinations: Vec<(&str, &String)> = if config.target_security_groups.is_empty() {
        let family = |c: &String| {
            if c.contains(':') {
                "cidrIpv6"
            } else {
                "cidrIpv4"
            }
        };
        config.target_cidrs.iter().map(|c| (family(c), c)).collect()
    } else {
        let groups = config.target_security_groups.iter();
        groups.map(|g| ("referencedSecurityGroupId", g)).collect()
    };
    let mut out = Vec::new();
    for (j, (field, destination)) in destinations.into_iter().enumerate() {
        for protocol in protocols {
            let mut v = json!({
                "region": config.region,
                "securityGroupIdRef": {"name": ctx.key(&["lb"]).name},
                "ipProtocol": protocol,
                "fromPort": 0,
                "toPort": 65535,
                "description": format!("gantry: load balancer of Gateway {} to its targets", ctx.gw.key),
                "tags": ctx.tags,
            });
            v[field] = destination.clone().into();
            let key = ctx.key(&["lb", "egress", &j.to_string(), protocol]);
            out.push(ctx.object(CloudKind::SecurityGroupEgressRule, &key, v, vec![]));
        }
    }
    out
}

/// The EC2 IP protocols a load balancer protocol carries.
fn ip_protocols(protocol: &str) -> &'static [&'static str] {
    match protocol {
        "UDP" => &["udp"],
        "TCP_UDP" => &["tcp", "udp"],
        _ => &["tcp"],
    }
}

/// Health checks go to the in-cluster gateway's readiness endpoint (Istio: `:15021
/// /healthz/ready`), since its traffic port answers 404 to a request for no known host.
fn health_check(config: &crate::config::ClassConfig, protocol: &str) -> Value {
    let http_like = matches!(protocol, "HTTP" | "HTTPS");
    if config.health_check_port == "traffic-port" {
        let mut check = json!({
            "port": "traffic-port",
            "protocol": if http_like { protocol } else { "TCP" },
        });
        if http_like {
            check["path"] = config.health_check_path.clone().into();
        }
        check
    } else {
        json!({
            "port": config.health_check_port,
            "protocol": "HTTP",
            "path": config.health_check_path,
        })
    }
}
