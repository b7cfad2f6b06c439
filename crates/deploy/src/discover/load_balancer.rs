//! Load balancers owned by a stack.

use super::{attribute_map, tagged};
use crate::client::Clients;
use crate::error::{Operation, Result, items, send};
use gantry_model::{LoadBalancerType, Scheme, Tags};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq)]
pub struct ActualLoadBalancer {
    pub arn: String,
    pub name: String,
    pub kind: Option<LoadBalancerType>,
    pub scheme: Option<Scheme>,
    pub ip_address_type: String,
    pub vpc_id: String,
    pub dns_name: String,
    pub state: String,
    pub subnets: BTreeSet<String>,
    pub security_groups: BTreeSet<String>,
    pub tags: Tags,
}

/// Every load balancer (in `vpc`, when given) whose tags pass `keep`.
pub async fn list(
    aws: &Clients,
    vpc: Option<&str>,
    keep: impl Fn(&Tags) -> bool,
) -> Result<Vec<ActualLoadBalancer>> {
    let mut found = Vec::new();
    let request = aws.elbv2.describe_load_balancers().into_paginator().send();
    let pages = request.collect().await;
    let listed = items(Operation::DescribeLoadBalancers, "*", pages, |p| {
        p.load_balancers
    })?;
    for lb in listed {
        if vpc.is_some_and(|v| lb.vpc_id.as_deref() != Some(v)) {
            continue;
        }
        found.push(ActualLoadBalancer {
            arn: lb.load_balancer_arn.unwrap_or_default(),
            name: lb.load_balancer_name.unwrap_or_default(),
            kind: lb.r#type.as_ref().and_then(|t| match t.as_str() {
                "application" => Some(LoadBalancerType::Application),
                "network" => Some(LoadBalancerType::Network),
                _ => None,
            }),
            scheme: lb.scheme.as_ref().and_then(|s| match s.as_str() {
                "internal" => Some(Scheme::Internal),
                "internet-facing" => Some(Scheme::InternetFacing),
                _ => None,
            }),
            ip_address_type: lb
                .ip_address_type
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            vpc_id: lb.vpc_id.unwrap_or_default(),
            dns_name: lb.dns_name.unwrap_or_default(),
            state: lb
                .state
                .and_then(|s| s.code)
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            subnets: lb
                .availability_zones
                .unwrap_or_default()
                .into_iter()
                .filter_map(|z| z.subnet_id)
                .collect(),
            security_groups: lb.security_groups.unwrap_or_default().into_iter().collect(),
            tags: Tags::default(),
        });
    }
    tagged(aws, found, |lb| (&lb.arn, &mut lb.tags), keep).await
}

pub async fn attributes(aws: &Clients, arn: &str) -> Result<BTreeMap<String, String>> {
    let request = aws.elbv2.describe_load_balancer_attributes();
    let op = Operation::DescribeLoadBalancerAttributes;
    let resp = send(op, arn, request.load_balancer_arn(arn).send()).await?;
    Ok(attribute_map!(resp.attributes))
}
