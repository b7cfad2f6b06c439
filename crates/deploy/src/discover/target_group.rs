//! Target groups owned by a stack.

use super::{attribute_map, tagged};
use crate::client::Clients;
use crate::convert::protocol;
use crate::error::{ErrorClass, Operation, Result, items, send};
use aws_sdk_elasticloadbalancingv2::types::TargetGroup;
use gantry_model::{HealthCheck, Matcher, Protocol, Tags};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct ActualTargetGroup {
    pub arn: String,
    pub name: String,
    pub protocol: Option<Protocol>,
    pub protocol_version: Option<String>,
    pub port: Option<i32>,
    pub target_type: String,
    pub ip_address_type: String,
    pub vpc_id: String,
    pub health_check: Option<HealthCheck>,
    pub target_control_port: Option<i32>,
    pub load_balancer_arns: Vec<String>,
    pub tags: Tags,
}

pub async fn list(
    aws: &Clients,
    vpc: Option<&str>,
    keep: impl Fn(&Tags) -> bool,
) -> Result<Vec<ActualTargetGroup>> {
    let mut found = Vec::new();
    let listed = match aws.remembered_target_groups.get() {
        Some(listed) => listed,
        None => {
            let started = aws.remembered_target_groups.started();
            let request = aws.elbv2.describe_target_groups().into_paginator().send();
            let pages = request.collect().await;
            let listed = items(Operation::DescribeTargetGroups, "*", pages, |p| {
                p.target_groups
            })?;
            aws.remembered_target_groups.put(started, listed)
        }
    };
    for tg in listed.iter() {
        if vpc.is_some_and(|v| tg.vpc_id.as_deref().is_some_and(|t| t != v)) {
            continue;
        }
        let health_check = protocol(tg.health_check_protocol.as_ref()).map(|p| HealthCheck {
            protocol: p,
            port: tg.health_check_port.clone().unwrap_or_default(),
            path: tg.health_check_path.clone(),
            interval_seconds: tg.health_check_interval_seconds.unwrap_or_default(),
            timeout_seconds: tg.health_check_timeout_seconds.unwrap_or_default(),
            healthy_threshold_count: tg.healthy_threshold_count.unwrap_or_default(),
            unhealthy_threshold_count: tg.unhealthy_threshold_count.unwrap_or_default(),
            matcher: tg.matcher.as_ref().map(|m| Matcher {
                http_code: m.http_code.clone(),
                grpc_code: m.grpc_code.clone(),
            }),
        });
        found.push(ActualTargetGroup {
            arn: tg.target_group_arn.clone().unwrap_or_default(),
            name: tg.target_group_name.clone().unwrap_or_default(),
            protocol: protocol(tg.protocol.as_ref()),
            protocol_version: tg.protocol_version.clone(),
            port: tg.port,
            target_type: tg
                .target_type
                .as_ref()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            ip_address_type: tg
                .ip_address_type
                .as_ref()
                .map(|t| t.as_str().to_string())
                .unwrap_or_else(|| "ipv4".to_string()),
            vpc_id: tg.vpc_id.clone().unwrap_or_default(),
            health_check,
            target_control_port: tg.target_control_port,
            load_balancer_arns: tg.load_balancer_arns.clone().unwrap_or_default(),
            tags: Tags::default(),
        });
    }
    tagged(aws, found, |tg| (&tg.arn, &mut tg.tags), keep).await
}

pub async fn attributes(aws: &Clients, arn: &str) -> Result<BTreeMap<String, String>> {
    let request = aws.elbv2.describe_target_group_attributes();
    let op = Operation::DescribeTargetGroupAttributes;
    let resp = send(op, arn, request.target_group_arn(arn).send()).await?;
    Ok(attribute_map!(resp.attributes))
}

/// Registered target ids, in the order AWS lists them.
pub async fn targets(aws: &Clients, arn: &str) -> Result<Vec<(String, Option<i32>)>> {
    let request = aws.elbv2.describe_target_health().target_group_arn(arn);
    let resp = send(Operation::DescribeTargetHealth, arn, request.send()).await?;
    Ok(resp
        .target_health_descriptions
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| d.target.and_then(|t| Some((t.id?, t.port))))
        .collect())
}

/// The target group named `name` (with its ARN), if there is one: a name AWS does not know is
/// None, not an error.
pub async fn by_name(aws: &Clients, name: &str) -> Result<Option<TargetGroup>> {
    let request = aws.elbv2.describe_target_groups().names(name);
    match send(Operation::DescribeTargetGroups, name, request.send()).await {
        Ok(out) => Ok(out
            .target_groups
            .unwrap_or_default()
            .into_iter()
            .find(|t| t.target_group_arn.is_some())),
        Err(e) if e.class() == ErrorClass::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
