//! Subnets of a load balancer: given ones, a tag selector, or discovery by role tags.

use super::security_group::filter;
use crate::client::Clients;
use crate::convert::tags_from_ec2;
use crate::error::{Error, Operation, Result, items};
use aws_sdk_ec2::types::Filter;
use gantry_model::{LoadBalancerType, Scheme, SubnetMapping, SubnetSelection, Tags};
use std::collections::BTreeMap;

pub const ROLE_ELB: &str = "kubernetes.io/role/elb";
pub const ROLE_INTERNAL_ELB: &str = "kubernetes.io/role/internal-elb";
const CLUSTER_TAG_PREFIX: &str = "kubernetes.io/cluster/";
/// AWS needs free addresses in each load balancer subnet to scale.
const MIN_FREE_ADDRESSES: i32 = 8;

#[derive(Clone, Debug, PartialEq)]
pub struct Subnet {
    pub id: String,
    pub vpc_id: String,
    pub zone: String,
    pub free_addresses: i32,
    pub tags: Tags,
}

/// The chosen subnets (sorted by id unless given explicitly) with their NLB mappings.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    pub vpc_id: String,
    pub subnets: Vec<Subnet>,
    /// Per-subnet addresses from an explicit list, keyed by subnet id.
    pub mappings: BTreeMap<String, SubnetMapping>,
}

pub struct Query<'a> {
    pub gateway: &'a str,
    pub cluster: &'a str,
    pub vpc: Option<&'a str>,
    pub scheme: Scheme,
    pub kind: LoadBalancerType,
}

pub async fn resolve(
    aws: &Clients,
    selection: &SubnetSelection,
    q: &Query<'_>,
) -> Result<Resolved> {
    let vpc_filter: Vec<Filter> = q.vpc.iter().map(|v| filter("vpc-id", &[v])).collect();
    let err = |message: String| Error::ResolveSubnets {
        gateway: q.gateway.to_string(),
        message,
    };
    let mut mappings = BTreeMap::new();
    let chosen = match selection {
        SubnetSelection::Explicit(list) => {
            let ids: Vec<&str> = list.iter().map(|m| m.subnet.as_str()).collect();
            let (by_id, by_name): (Vec<&str>, Vec<&str>) =
                ids.iter().partition(|s| s.starts_with("subnet-"));
            let mut found = Vec::new();
            if !by_id.is_empty() {
                found.extend(describe(aws, vec![filter("subnet-id", &by_id)]).await?);
            }
            if !by_name.is_empty() {
                let mut f = vpc_filter.clone();
                f.push(filter("tag:Name", &by_name));
                found.extend(describe(aws, f).await?);
            }
            let mut out = Vec::new();
            for m in list {
                let hit = found
                    .iter()
                    .find(|s| s.id == m.subnet || s.tags.get("Name") == Some(&m.subnet))
                    .ok_or_else(|| err(format!("subnet {} not found", m.subnet)))?;
                mappings.insert(hit.id.clone(), m.clone());
                out.push(hit.clone());
            }
            let mut zones: Vec<&str> = out.iter().map(|s| s.zone.as_str()).collect();
            zones.sort();
            if zones.windows(2).any(|w| w[0] == w[1]) {
                return Err(err("multiple subnets in the same availability zone".into()));
            }
            out
        }
        SubnetSelection::Selector(tags) => {
            let mut f = vpc_filter.clone();
            for (k, values) in tags {
                let values: Vec<&str> = values.iter().map(String::as_str).collect();
                f.push(filter(&format!("tag:{k}"), &values));
            }
            one_per_zone(describe(aws, f).await?, q.cluster)
        }
        SubnetSelection::Discover => {
            let role = match q.scheme {
                Scheme::InternetFacing => ROLE_ELB,
                Scheme::Internal => ROLE_INTERNAL_ELB,
            };
            let mut f = vpc_filter.clone();
            f.push(filter(&format!("tag:{role}"), &["1", ""]));
            one_per_zone(describe(aws, f).await?, q.cluster)
        }
    };
    let min = match q.kind {
        LoadBalancerType::Application => 2,
        LoadBalancerType::Network => 1,
    };
    if chosen.len() < min {
        return Err(err(format!(
            "found {} eligible subnets, a {} load balancer needs at least {min}",
            chosen.len(),
            q.kind.as_str()
        )));
    }
    let mut vpcs: Vec<&str> = chosen.iter().map(|s| s.vpc_id.as_str()).collect();
    vpcs.sort();
    vpcs.dedup();
    let vpc_id = match (q.vpc, vpcs.as_slice()) {
        (Some(v), _) => v.to_string(),
        (None, [one]) => one.to_string(),
        (None, many) => {
            return Err(Error::ResolveVpc {
                gateway: q.gateway.to_string(),
                message: format!(
                    "the subnets span several VPCs ({}); pass the VPC id",
                    many.join(", ")
                ),
            });
        }
    };
    Ok(Resolved {
        vpc_id,
        subnets: chosen,
        mappings,
    })
}

async fn describe(aws: &Clients, filters: Vec<Filter>) -> Result<Vec<Subnet>> {
    let request = aws.ec2.describe_subnets().set_filters(Some(filters));
    let pages = request.into_paginator().send().collect().await;
    let subnets = items(Operation::DescribeSubnets, "*", pages, |p| p.subnets)?;
    let subnet = |s: aws_sdk_ec2::types::Subnet| Subnet {
        id: s.subnet_id.unwrap_or_default(),
        vpc_id: s.vpc_id.unwrap_or_default(),
        zone: s.availability_zone.unwrap_or_default(),
        free_addresses: s.available_ip_address_count.unwrap_or(i32::MAX),
        tags: tags_from_ec2(s.tags.as_deref().unwrap_or_default()),
    };
    Ok(subnets.into_iter().map(subnet).collect())
}

/// Eligible subnets, one per availability zone: those tagged for this cluster first, then the
/// lowest id; sorted by id. Subnets tagged only for other clusters, or nearly full, don't count.
pub fn one_per_zone(subnets: Vec<Subnet>, cluster: &str) -> Vec<Subnet> {
    let own_key = format!("{CLUSTER_TAG_PREFIX}{cluster}");
    let tagged_for_us = |s: &Subnet| s.tags.get(&own_key).is_some();
    let tagged_for_others = |s: &Subnet| {
        s.tags
            .0
            .keys()
            .any(|k| k.starts_with(CLUSTER_TAG_PREFIX) && *k != own_key)
    };
    let mut best: BTreeMap<String, Subnet> = BTreeMap::new();
    for s in subnets {
        if (tagged_for_others(&s) && !tagged_for_us(&s)) || s.free_addresses < MIN_FREE_ADDRESSES {
            continue;
        }
        let better = match best.get(&s.zone) {
            None => true,
            Some(cur) => (!tagged_for_us(&s), &s.id) < (!tagged_for_us(cur), &cur.id),
        };
        if better {
            best.insert(s.zone.clone(), s);
        }
    }
    let mut out: Vec<Subnet> = best.into_values().collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, zone: &str, tags: &[(&str, &str)]) -> Subnet {
        Subnet {
            id: id.into(),
            vpc_id: "vpc-1".into(),
            zone: zone.into(),
            free_addresses: 100,
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn one_subnet_per_zone_prefers_cluster_tag_then_lowest_id() {
        let picked = one_per_zone(
            vec![
                subnet("subnet-3", "a", &[]),
                subnet("subnet-2", "a", &[]),
                subnet("subnet-9", "b", &[("kubernetes.io/cluster/demo", "shared")]),
                subnet("subnet-1", "b", &[]),
                subnet("subnet-0", "c", &[("kubernetes.io/cluster/other", "owned")]),
            ],
            "demo",
        );
        let ids: Vec<&str> = picked.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["subnet-2", "subnet-9"]);
    }
}
