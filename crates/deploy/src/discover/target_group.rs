//! Target groups owned by a stack.

use super::{attribute_map, elb_tags};
use crate::client::Clients;
use crate::convert::protocol;
use crate::error::{Error, Operation, Result};
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
    let mut pages = aws.elbv2.describe_target_groups().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| Error::call(Operation::DescribeTargetGroups, "*", e))?;
        for tg in page.target_groups.unwrap_or_default() {
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
                arn: tg.target_group_arn.unwrap_or_default(),
                name: tg.target_group_name.unwrap_or_default(),
                protocol: protocol(tg.protocol.as_ref()),
                protocol_version: tg.protocol_version,
                port: tg.port,
                target_type: tg
                    .target_type
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_default(),
                ip_address_type: tg
                    .ip_address_type
                    .map(|t| t.as_str().to_string())
                    .unwrap_or_else(|| "ipv4".to_string()),
                vpc_id: tg.vpc_id.unwrap_or_default(),
                health_check,
                target_control_port: tg.target_control_port,
                load_balancer_arns: tg.load_balancer_arns.unwrap_or_default(),
                tags: Tags::default(),
            });
        }
    }
    let arns: Vec<String> = found.iter().map(|t| t.arn.clone()).collect();
    let mut tags = elb_tags(aws, &arns).await?;
    found.retain_mut(|tg| {
        tg.tags = tags.remove(&tg.arn).unwrap_or_default();
        keep(&tg.tags)
    });
    Ok(found)
}

pub async fn attributes(aws: &Clients, arn: &str) -> Result<BTreeMap<String, String>> {
    let resp = aws
        .elbv2
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| Error::call(Operation::DescribeTargetGroupAttributes, arn, e))?;
    Ok(attribute_map(
        resp.attributes
            .iter()
            .flatten()
            .map(|a| (a.key.as_deref(), a.value.as_deref())),
    ))
}

/// Registered target ids, in the order AWS lists them.
pub async fn targets(aws: &Clients, arn: &str) -> Result<Vec<(String, Option<i32>)>> {
    let resp = aws
        .elbv2
        .describe_target_health()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| Error::call(Operation::DescribeTargetHealth, arn, e))?;
    Ok(resp
        .target_health_descriptions
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| d.target.and_then(|t| Some((t.id?, t.port))))
        .collect())
}
