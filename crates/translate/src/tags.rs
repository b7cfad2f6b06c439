//! Tags on AWS resources: user tags, then default tags, then the tracking tags that prove
//! ownership (which always win).

use crate::context::Inputs;
use crate::{LbKind, Settings};
use gantry_api::gateway::Gateway;
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

/// Tags of one resource of a Gateway's stack, lowest precedence first: the Gateway's
/// infrastructure labels, the configuration's `user` tags, the default tags, then the tracking
/// tags that prove ownership. User tags whose keys are managed externally or collide with
/// tracking keys are dropped (callers report them).
pub fn build(
    ctx: &Inputs<'_>,
    resource_id: impl Into<String>,
    user: Option<&BTreeMap<String, String>>,
) -> Tags {
    let settings = ctx.settings;
    let mut out = Tags::default();
    for (k, v) in ctx
        .infrastructure_tags
        .iter()
        .chain(user.into_iter().flatten())
    {
        if !settings.external_managed_tags.contains(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in &settings.default_tags {
        out.insert(k.clone(), v.clone());
    }
    out.insert(tags::CLUSTER, settings.cluster_name.clone());
    out.insert(stack_key(ctx.lb), ctx.stack.as_str());
    out.insert(resource_key(ctx.lb), resource_id);
    out
}

/// The longest key AWS takes for a tag.
const MAX_TAG_KEY: usize = 128;

/// Gateway API: `spec.infrastructure.labels` "SHOULD be applied to any resources created in
/// response to this Gateway"; on AWS resources they are tags. The labels that can be tags,
/// and why each other one cannot.
pub fn infrastructure(
    settings: &Settings,
    gateway: &Gateway,
) -> (BTreeMap<String, String>, Vec<String>) {
    let labels = gateway
        .spec
        .infrastructure
        .as_ref()
        .and_then(|i| i.labels.as_ref());
    let mut usable = BTreeMap::new();
    let mut refused = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        let why = if k.len() > MAX_TAG_KEY {
            Some(format!(
                "label key {k} is longer than the {MAX_TAG_KEY} characters of an AWS tag key"
            ))
        } else {
            rejection(settings, k)
        };
        match why {
            Some(why) => refused.push(format!("spec.infrastructure.labels: {why}")),
            None => {
                usable.insert(k.clone(), v.clone());
            }
        }
    }
    (usable, refused)
}

/// User tag keys gantry refuses, with why.
pub fn rejected_keys(settings: &Settings, user: Option<&BTreeMap<String, String>>) -> Vec<String> {
    user.into_iter()
        .flatten()
        .filter_map(|(k, _)| rejection(settings, k))
        .collect()
}

/// Why gantry refuses the tag key `k`, if it does.
fn rejection(settings: &Settings, k: &str) -> Option<String> {
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
}

/// Tags of the ELB listener on `port`: the load balancer's user tags and the tracking tags.
pub fn listener_tags(ctx: &Inputs<'_>, port: i32) -> gantry_model::Tags {
    build(ctx, port.to_string(), ctx.config.tags.as_ref())
}
