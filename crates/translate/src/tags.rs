//! Tags on AWS resources: user tags, then default tags, then the tracking tags that prove
//! ownership (which always win).

use crate::context::Inputs;
use crate::{LbKind, Settings};
use gantry_api::wire::tags;
use gantry_model::Tags;
use std::collections::BTreeMap;

pub fn stack_key(lb: LbKind) -> &'static str {
    match lb {
        LbKind::Alb => tags::ALB_STACK,
        LbKind::Nlb => tags::NLB_STACK,
    }
}

pub fn resource_key(lb: LbKind) -> &'static str {
    match lb {
        LbKind::Alb => tags::ALB_RESOURCE,
        LbKind::Nlb => tags::NLB_RESOURCE,
    }
}

/// Tags of one resource of a stack. User tags whose keys are managed externally or collide
/// with tracking keys are dropped (callers report them).
pub fn build(
    settings: &Settings,
    lb: LbKind,
    stack: &str,
    resource_id: impl Into<String>,
    user: Option<&BTreeMap<String, String>>,
) -> Tags {
    let mut out = Tags::default();
    for (k, v) in user.into_iter().flatten() {
        if !settings.external_managed_tags.contains(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in &settings.default_tags {
        out.insert(k.clone(), v.clone());
    }
    out.insert(tags::CLUSTER, settings.cluster_name.clone());
    out.insert(stack_key(lb), stack);
    out.insert(resource_key(lb), resource_id);
    out
}

/// User tag keys gantry refuses, with why.
pub fn rejected_keys(settings: &Settings, user: Option<&BTreeMap<String, String>>) -> Vec<String> {
    user.into_iter()
        .flatten()
        .filter_map(|(k, _)| {
            if settings.external_managed_tags.contains(k) {
                Some(format!(
                    "tag key {k} is managed externally and cannot be set"
                ))
            } else if k == tags::CLUSTER || k.starts_with("gateway.k8s.aws.") {
                Some(format!(
                    "tag key {k} is reserved for gantry's ownership tags"
                ))
            } else {
                None
            }
        })
        .collect()
}

/// Tags of the ELB listener on `port`: the load balancer's user tags and the tracking tags.
pub fn listener_tags(ctx: &Inputs<'_>, port: i32) -> gantry_model::Tags {
    build(
        ctx.settings,
        ctx.lb,
        &ctx.stack_id(),
        port.to_string(),
        ctx.config.tags.as_ref(),
    )
}
