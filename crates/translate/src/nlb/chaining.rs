//! Gateway chaining: an L4 route whose backendRef is an ALB Gateway. The NLB target group has
//! type `alb` and one target, that Gateway's load balancer.

use crate::LbKind;
use crate::attach::listeners;
use crate::config::target_group;
use crate::context::Context;
use crate::load_balancer::LOAD_BALANCER_ID;
use crate::refs::Unresolved;
use crate::routes::Route;
use crate::status::reasons::Reason;
use gantry_api::gateway::Gateway;
use gantry_api::wire::ALB_CONTROLLER_NAME;
use gantry_model::ArnRef;
use gantry_snapshot::{ObjectKey, Snapshot};

/// The load balancer of the ALB Gateway `key`, which a route forwards to on `port`.
///
/// The ARN is the one the ALB's controller wrote as the message of the Gateway's
/// `Programmed=True` condition (the LBC contract); until then it is the ALB stack's planned
/// load balancer, which the deployer resolves once that stack exists (hence `dependsOn`).
pub fn alb_target(
    snapshot: &Snapshot,
    key: &ObjectKey,
    gateway: &Gateway,
    port: i32,
) -> Result<ArnRef, Unresolved> {
    let class_name = &gateway.spec.gateway_class_name;
    let Some(class) = snapshot
        .gateway_classes
        .get(&ObjectKey::cluster(class_name.clone()))
    else {
        return Err(Unresolved {
            reason: Reason::BackendNotFound,
            message: format!(
                "Gateway {key} has GatewayClass {class_name}, which does not exist; a Gateway backend must be an ALB Gateway (controllerName {ALB_CONTROLLER_NAME})"
            ),
        });
    };
    if class.spec.controller_name != ALB_CONTROLLER_NAME {
        return Err(Unresolved {
            reason: Reason::InvalidKind,
            message: format!(
                "Gateway {key} is not an ALB Gateway: its GatewayClass {class_name} has controllerName {}; an NLB can only forward to a Gateway whose class has controllerName {ALB_CONTROLLER_NAME}",
                class.spec.controller_name
            ),
        });
    }
    let ports = alb_listener_ports(gateway);
    if !ports.contains(&port) {
        let list = if ports.is_empty() {
            "it has no valid listener".to_string()
        } else {
            format!(
                "its listener ports are {}",
                ports
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(Unresolved {
            reason: Reason::BackendNotFound,
            message: format!(
                "ALB Gateway {key} has no listener on port {port} ({list}); the backendRef port must be one of them"
            ),
        });
    }
    match programmed_arn(gateway) {
        None => Ok(ArnRef::Planned(format!("{key}/{LOAD_BALANCER_ID}"))),
        Some(arn) if is_alb_arn(arn) => Ok(ArnRef::Existing(arn.to_string())),
        Some(arn) => Err(Unresolved {
            reason: Reason::BackendNotFound,
            message: format!(
                "Gateway {key} reports load balancer {arn}, which is not an application load balancer"
            ),
        }),
    }
}

/// Target groups of type `alb` take neither attributes (AWS refuses them) nor another target
/// type, so target_groups leaves those out; say so when the Gateway's TargetGroupConfiguration
/// sets them for this route.
pub fn report_ignored_props(ctx: &mut Context<'_>, route: &Route, gateway: &ObjectKey) {
    let found = ctx
        .snapshot
        .target_group_configurations
        .iter()
        .filter(|(k, _)| k.namespace == gateway.namespace)
        .find(|(_, tgc)| {
            tgc.spec
                .target_reference
                .as_ref()
                .is_some_and(|r| r.name == gateway.name && r.kind.as_deref() == Some("Gateway"))
        });
    let Some((tgc_key, tgc)) = found else { return };
    let props = target_group::props_for_route(&tgc.spec, route);
    let mut ignored = Vec::new();
    if props
        .target_group_attributes
        .as_ref()
        .is_some_and(|a| !a.is_empty())
    {
        ignored.push(
            "targetGroupAttributes (AWS does not allow attributes on target groups of type alb)",
        );
    }
    if props.target_type.is_some() {
        ignored.push("targetType (a target group whose target is an ALB has type alb)");
    }
    if !ignored.is_empty() {
        let message = format!(
            "TargetGroupConfiguration {tgc_key}: for {} → Gateway {gateway}, {} left out",
            route.display(),
            ignored.join(" and ")
        );
        ctx.found.problem(message);
    }
}

/// Ports of the listeners an ALB would build for this Gateway (valid ones only).
fn alb_listener_ports(gateway: &Gateway) -> Vec<i32> {
    let mut ports: Vec<i32> = listeners::validate(LbKind::Alb, &gateway.spec.listeners)
        .iter()
        .filter(|l| l.problem.is_none())
        .map(|l| l.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The message of a `Programmed=True` condition when it looks like an ARN.
fn programmed_arn(gateway: &Gateway) -> Option<&str> {
    gateway
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Programmed" && c.status == "True")
        .map(|c| c.message.trim())
        .filter(|m| m.starts_with("arn:"))
}

/// `arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>`.
fn is_alb_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    parts.len() == 6
        && parts[2] == "elasticloadbalancing"
        && parts[5].starts_with("loadbalancer/app/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_application_load_balancer_arns_are_alb_arns() {
        let cases = [
            (
                "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/k8s-x/50dc6c495c0c9188",
                true,
            ),
            (
                "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:loadbalancer/app/a/b",
                true,
            ),
            (
                "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/net/k8s-x/50dc6c495c0c9188",
                false,
            ),
            (
                "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/x/y",
                false,
            ),
            (
                "arn:aws:ec2:us-west-2:123456789012:loadbalancer/app/x/y",
                false,
            ),
            ("arn:aws:elasticloadbalancing", false),
        ];
        for (arn, want) in cases {
            assert_eq!(is_alb_arn(arn), want, "{arn}");
        }
    }
}
