//! Load balancer differences.

use crate::discover::load_balancer::ActualLoadBalancer;
use gantry_model::LoadBalancer;
use std::collections::BTreeSet;

/// Why the existing load balancer must be replaced, if it must: type and scheme are fixed at
/// creation.
pub fn replacement_reason(actual: &ActualLoadBalancer, desired: &LoadBalancer) -> Option<String> {
    if actual.kind != Some(desired.kind) {
        return Some(format!(
            "type changes to {} (was {})",
            desired.kind.as_str(),
            actual.kind.map_or("unknown", |k| k.as_str())
        ));
    }
    if actual.scheme != Some(desired.scheme) {
        return Some(format!(
            "scheme changes to {} (was {})",
            desired.scheme.as_str(),
            actual.scheme.map_or("unknown", |s| s.as_str())
        ));
    }
    None
}

/// What to change in place, each None when that aspect is as desired.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LoadBalancerChanges {
    pub subnets: Option<Vec<String>>,
    pub security_groups: Option<Vec<String>>,
    pub ip_address_type: Option<String>,
}

impl LoadBalancerChanges {
    pub fn is_empty(&self) -> bool {
        self.subnets.is_none() && self.security_groups.is_none() && self.ip_address_type.is_none()
    }
}

pub fn changes(
    actual: &ActualLoadBalancer,
    desired: &LoadBalancer,
    subnets: &[String],
    security_groups: &[String],
) -> LoadBalancerChanges {
    let set = |v: &[String]| v.iter().cloned().collect::<BTreeSet<_>>();
    LoadBalancerChanges {
        subnets: (set(subnets) != actual.subnets).then(|| subnets.to_vec()),
        // An NLB created without security groups can never get any; don't try.
        security_groups: (set(security_groups) != actual.security_groups
            && !(security_groups.is_empty() && actual.security_groups.is_empty()))
        .then(|| security_groups.to_vec()),
        ip_address_type: (actual.ip_address_type != desired.ip_address_type.as_str())
            .then(|| desired.ip_address_type.as_str().to_string()),
    }
}
