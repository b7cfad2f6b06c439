//! The cloud tier of one Gateway: a Crossplane LoadBalancer, a TargetGroup and a Listener per
//! listener port, and a TargetGroupBinding per port that registers the shadow gateway's pods
//! (ip targets) in the target group.

use crate::meta::{self, UserGateway};
use crate::names;
use crate::observed::{self, CROSSPLANE_API_VERSION, CloudKind};
use crate::{Inputs, Planned};
use gantry_api::crds::{ServiceReference, TargetGroupBindingSpec, TargetType};
use gantry_api::k8s::IntOrString;
use gantry_api::wire::tags::CLUSTER;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One load balancer port: the protocol of its Listener and TargetGroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Port {
    pub port: i32,
    pub protocol: String,
}

/// The planned cloud objects and what their status says.
pub(crate) struct Cloud {
    pub objects: Vec<Planned>,
    /// The LoadBalancer is `Ready=True`.
    pub lb_ready: bool,
    pub dns_name: Option<String>,
    /// Per port: the Crossplane Listener is `Ready=True`.
    pub listener_ready: BTreeMap<i32, bool>,
}

pub(crate) fn build(inputs: &Inputs<'_>, gw: &UserGateway<'_>, ports: &[Port]) -> Cloud {
    let config = gw.config;
    let cluster = inputs.settings.cluster_name.as_str();
    // Manifests have no uid; the namespace/name keeps the AWS names deterministic then.
    let fallback_uid = gw.key.to_string();
    let uid = gw.gateway.metadata.uid.as_deref().unwrap_or(&fallback_uid);
    let ours = |kind: CloudKind, name: &str| inputs.observed.ours(kind, name, &gw.source);
    let mut tags: BTreeMap<String, String> = config.tags.clone();
    // Tracking tags win over the configured ones: they are how the resources are found.
    tags.insert(CLUSTER.to_string(), cluster.to_string());
    tags.insert(names::STACK_TAG.to_string(), gw.key.to_string());
    let tags: Vec<Value> = tags
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    let mut out = Cloud {
        objects: Vec::new(),
        lb_ready: false,
        dns_name: None,
        listener_ready: BTreeMap::new(),
    };

    let lb_name = names::load_balancer(gw.key);
    let lb_type = config.lb_type.crossplane_value();
    let mut for_provider = json!({
        "region": config.region,
        "name": names::aws(gw.key, &[cluster, uid, "lb", &config.scheme, lb_type]),
        "loadBalancerType": lb_type,
        "scheme": config.scheme,
        "subnetMappings": config.subnet_mappings,
        "tags": tags,
    });
    if !config.security_groups.is_empty() {
        for_provider["securityGroups"] = json!(config.security_groups);
    }
    out.objects.push(crossplane(
        gw,
        CloudKind::LoadBalancer,
        &lb_name,
        for_provider,
        vec![],
    ));
    let lb = ours(CloudKind::LoadBalancer, &lb_name);
    out.lb_ready = lb.is_some_and(observed::ready);
    out.dns_name = lb.and_then(observed::dns_name).map(str::to_string);
    let lb_arn = lb.and_then(|o| observed::arn(CloudKind::LoadBalancer, o));

    for p in ports {
        let name = names::port_resource(gw.key, p.port);
        let port_text = p.port.to_string();
        let mut tg = json!({
            "region": config.region,
            "name": names::aws(gw.key, &[cluster, uid, "tg", &port_text, &p.protocol, &config.vpc_id]),
            "port": p.port,
            "protocol": p.protocol,
            "targetType": "ip",
            "vpcID": config.vpc_id,
            "tags": tags,
        });
        health_check(&mut tg, config, &p.protocol);
        out.objects
            .push(crossplane(gw, CloudKind::TargetGroup, &name, tg, vec![]));
        let tg_arn = ours(CloudKind::TargetGroup, &name)
            .and_then(|o| observed::arn(CloudKind::TargetGroup, o));

        let mut waiting = Vec::new();
        let lb_ref = reference(lb_arn, CloudKind::LoadBalancer, &lb_name, &mut waiting);
        let tg_ref = reference(tg_arn, CloudKind::TargetGroup, &name, &mut waiting);
        let mut listener = json!({
            "region": config.region,
            "port": p.port,
            "protocol": p.protocol,
            "loadBalancerArn": lb_ref,
            "defaultActions": [{"actionType": "forward", "targetGroupArn": tg_ref}],
        });
        if let Some(cert) = config
            .certificate_arn
            .as_ref()
            .filter(|_| matches!(p.protocol.as_str(), "HTTPS" | "TLS"))
        {
            listener["certificates"] = json!([{ "certificateARN": cert }]);
        }
        out.objects.push(crossplane(
            gw,
            CloudKind::Listener,
            &name,
            listener,
            waiting,
        ));
        out.listener_ready.insert(
            p.port,
            ours(CloudKind::Listener, &name).is_some_and(observed::ready),
        );

        out.objects.push(binding(gw, p.port, tg_arn, &name));
    }
    out
}

/// The ARN, or a pending placeholder recorded in `waiting`.
fn reference(arn: Option<&str>, kind: CloudKind, name: &str, waiting: &mut Vec<String>) -> String {
    match arn {
        Some(arn) => arn.to_string(),
        None => {
            let what = format!("{} {name}", kind.as_str());
            waiting.push(format!("ARN of {what}"));
            names::pending(&what)
        }
    }
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

fn crossplane(
    gw: &UserGateway<'_>,
    kind: CloudKind,
    name: &str,
    for_provider: Value,
    mut waiting_for: Vec<String>,
) -> Planned {
    let metadata = meta::metadata(
        name,
        None,
        gw.labels(),
        meta::source_annotations(&gw.source, None),
        // Cluster-scoped: a namespaced owner would be an unresolvable reference.
        &[],
        &mut waiting_for,
    );
    let mut spec = json!({ "forProvider": for_provider });
    if let Some(pc) = &gw.config.provider_config {
        spec["providerConfigRef"] = json!({ "name": pc });
    }
    Planned {
        waiting_for,
        object: json!({
            "apiVersion": CROSSPLANE_API_VERSION,
            "kind": kind.as_str(),
            "metadata": metadata,
            "spec": spec,
        }),
    }
}

fn binding(gw: &UserGateway<'_>, port: i32, tg_arn: Option<&str>, tg_name: &str) -> Planned {
    let mut waiting_for = Vec::new();
    let arn = reference(tg_arn, CloudKind::TargetGroup, tg_name, &mut waiting_for);
    let spec = TargetGroupBindingSpec {
        target_group_arn: Some(arn),
        target_group_name: None,
        target_type: Some(TargetType::Ip),
        service_ref: ServiceReference {
            // The in-cluster controller names the Service after the shadow Gateway (with
            // Istio, through the class's default `gateway.istio.io/name-override`).
            name: gw.shadow_name(),
            port: IntOrString::Int(port),
        },
        networking: None,
        node_selector: None,
        ip_address_type: None,
        vpc_id: None,
        multi_cluster_target_group: None,
        target_group_protocol: None,
        iam_role_arn_to_assume: None,
        assume_role_external_id: None,
    };
    let metadata = meta::metadata(
        &names::binding(gw.key, port),
        Some(&gw.key.namespace),
        gw.labels(),
        meta::source_annotations(&gw.source, None),
        &[gw.owner()],
        &mut waiting_for,
    );
    Planned {
        waiting_for,
        object: json!({
            "apiVersion": format!("{}/v1beta1", gantry_api::wire::ELBV2_GROUP),
            "kind": "TargetGroupBinding",
            "metadata": metadata,
            "spec": serde_json::to_value(&spec).expect("a TargetGroupBindingSpec always serializes"),
        }),
    }
}
