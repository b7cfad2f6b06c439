//! The contrib family (`elbv2.aws.crossplane.io/v1alpha1`, the tiered proof of concept's provider): a
//! LoadBalancer, and per port a TargetGroup and a Listener. The provider has no
//! reference fields gantry can use, so `loadBalancerArn` and `targetGroupArn` are filled from
//! the referenced resource's `status.atProvider` once it reports an ARN.

use crate::cloud::parts::{self, Cloud, Ctx, Port};
use crate::family::CloudKind;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub(crate) fn build(ctx: &Ctx<'_>, ports: &[Port]) -> Cloud {
    let config = ctx.gw.config;
    let (cluster, uid) = (ctx.cluster, ctx.uid);
    let tags: Vec<Value> = ctx
        .tags
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    let lb_key = ctx.key(&[]);
    let lb_type = config.lb_type.crossplane_value();
    let mut for_provider = json!({
        "region": config.region,
        "name": crate::names::aws(ctx.gw.key, &[cluster, uid, "lb", &config.scheme, lb_type]),
        "loadBalancerType": lb_type,
        "scheme": config.scheme,
        "subnetMappings": config.subnet_mappings,
        "tags": tags,
    });
    if !config.security_groups.is_empty() {
        for_provider["securityGroups"] = json!(config.security_groups);
    }
    let mut out = Cloud {
        objects: vec![ctx.object(CloudKind::LoadBalancer, &lb_key, for_provider, vec![])],
        lb: ctx.describe(CloudKind::LoadBalancer, &lb_key),
        not_ready: vec![],
        dns_name: ctx
            .ours(CloudKind::LoadBalancer, &lb_key)
            .and_then(crate::observed::dns_name)
            .map(str::to_string),
        listener_ready: BTreeMap::new(),
        listener_names: BTreeMap::new(),
    };
    let lb_arn = ctx.arn(CloudKind::LoadBalancer, &lb_key);

    for p in ports {
        let port_text = p.port.to_string();
        let key = ctx.key(&[&port_text]);
        let mut tg = json!({
            "region": config.region,
            "name": crate::names::aws(ctx.gw.key, &[cluster, uid, "tg", &port_text, &p.protocol, &config.vpc_id]),
            "port": p.port,
            "protocol": p.protocol,
            "targetType": "ip",
            "vpcID": config.vpc_id,
            "tags": tags,
        });
        health_check(&mut tg, config, &p.protocol);
        out.objects
            .push(ctx.object(CloudKind::TargetGroup, &key, tg, vec![]));
        let tg_arn = ctx.arn(CloudKind::TargetGroup, &key);
        let tg_name = ctx.describe(CloudKind::TargetGroup, &key);

        let mut waiting = Vec::new();
        let lb_ref = parts::reference(lb_arn, &format!("ARN of {}", out.lb), &mut waiting);
        let tg_ref = parts::reference(tg_arn, &format!("ARN of {tg_name}"), &mut waiting);
        let mut listener = json!({
            "region": config.region,
            "port": p.port,
            "protocol": p.protocol,
            "loadBalancerArn": lb_ref,
            "defaultActions": [{"actionType": "forward", "targetGroupArn": tg_ref}],
        });
        if let Some(cert) = &p.certificate {
            let awaited = cert.as_ref().err().map(ToString::to_string);
            let arn = parts::reference(
                cert.as_ref().ok().map(String::as_str),
                awaited.as_deref().unwrap_or_default(),
                &mut waiting,
            );
            listener["certificates"] = json!([{ "certificateARN": arn }]);
        }
        out.push_listener(ctx, p.port, &key, listener, waiting);
        out.objects
            .push(parts::binding(ctx, p, tg_arn, &tg_name, None));
    }
    out
}

/// Health checks go to the in-cluster gateway's readiness endpoint (Istio: `:15021
/// /healthz/ready`), since its traffic port answers 404 to a request for no known host.
fn health_check(tg: &mut Value, config: &crate::config::ClassConfig, protocol: &str) {
    let http_like = matches!(protocol, "HTTP" | "HTTPS");
    if config.health_check_port == "traffic-port" {
        tg["healthCheckPort"] = "traffic-port".into();
        tg["healthCheckProtocol"] = (if http_like { protocol } else { "TCP" }).into();
        if http_like {
            tg["healthCheckPath"] = config.health_check_path.clone().into();
        }
    } else {
        tg["healthCheckPort"] = config.health_check_port.clone().into();
        tg["healthCheckProtocol"] = "HTTP".into();
        tg["healthCheckPath"] = config.health_check_path.clone().into();
    }
}
