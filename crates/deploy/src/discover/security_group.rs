//! Security groups, found with EC2 tag filters.

use crate::client::Clients;
use crate::convert::tags_from_ec2;
use crate::error::{Operation, Result, items};
use aws_sdk_ec2::types::{Filter, IpPermission, SecurityGroup};
use gantry_model::{IngressRule, IngressSource, Tags};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq)]
pub struct ActualSecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    pub ingress: BTreeSet<IngressRule>,
    pub tags: Tags,
}

pub fn filter(name: &str, values: &[&str]) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.iter().map(|v| v.to_string()).collect()))
        .build()
}

/// Security groups matching all `filters` (EC2 filter syntax, e.g. `tag:Name`, `vpc-id`).
pub async fn list(aws: &Clients, filters: Vec<Filter>) -> Result<Vec<ActualSecurityGroup>> {
    let request = aws
        .ec2
        .describe_security_groups()
        .set_filters(Some(filters));
    let pages = request.into_paginator().send().collect().await;
    let groups = items(Operation::DescribeSecurityGroups, "*", pages, |p| {
        p.security_groups
    })?;
    Ok(groups.into_iter().map(actual).collect())
}

fn actual(sg: SecurityGroup) -> ActualSecurityGroup {
    ActualSecurityGroup {
        id: sg.group_id.unwrap_or_default(),
        name: sg.group_name.unwrap_or_default(),
        vpc_id: sg.vpc_id.unwrap_or_default(),
        ingress: sg
            .ip_permissions
            .iter()
            .flatten()
            .flat_map(flatten)
            .collect(),
        tags: tags_from_ec2(sg.tags.as_deref().unwrap_or_default()),
    }
}

/// One model rule per source of an EC2 permission.
fn flatten(p: &IpPermission) -> Vec<IngressRule> {
    let rule = |source| IngressRule {
        ip_protocol: p.ip_protocol.clone().unwrap_or_default(),
        from_port: p.from_port.unwrap_or(-1),
        to_port: p.to_port.unwrap_or(-1),
        source,
    };
    let mut out = Vec::new();
    for r in p.ip_ranges.iter().flatten() {
        out.extend(r.cidr_ip.clone().map(|c| rule(IngressSource::CidrIpv4(c))));
    }
    for r in p.ipv6_ranges.iter().flatten() {
        out.extend(
            r.cidr_ipv6
                .clone()
                .map(|c| rule(IngressSource::CidrIpv6(c))),
        );
    }
    for r in p.prefix_list_ids.iter().flatten() {
        out.extend(
            r.prefix_list_id
                .clone()
                .map(|c| rule(IngressSource::PrefixListId(c))),
        );
    }
    out
}
