//! Listeners of a load balancer, with their rules, attributes, certificates and tags.

use super::{attribute_map, elb_tags};
use crate::client::Clients;
use crate::convert::actions::from_sdk_action;
use crate::convert::conditions::from_sdk_condition;
use crate::convert::protocol;
use crate::convert::transforms::from_sdk_transform;
use crate::error::{Operation, Result, items, send};
use aws_sdk_elasticloadbalancingv2::types::Listener;
use gantry_model::{
    Action, LoadBalancerType, MutualAuthentication, Protocol, RuleCondition, Tags, Transform,
};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub struct ActualListener {
    pub arn: String,
    pub port: i32,
    pub protocol: Option<Protocol>,
    pub default_actions: Vec<Action>,
    /// The default certificate.
    pub default_certificate: Option<String>,
    /// Every certificate on the listener (DescribeListenerCertificates), default included.
    pub certificates: Vec<String>,
    pub ssl_policy: Option<String>,
    pub alpn_policy: Vec<String>,
    pub mutual_authentication: Option<MutualAuthentication>,
    pub attributes: BTreeMap<String, String>,
    pub tags: Tags,
    /// Non-default rules, by priority.
    pub rules: Vec<ActualRule>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActualRule {
    pub arn: String,
    pub priority: u32,
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<Action>,
    pub transforms: Vec<Transform>,
    pub tags: Tags,
}

pub async fn list(
    aws: &Clients,
    load_balancer_arn: &str,
    kind: LoadBalancerType,
) -> Result<Vec<ActualListener>> {
    let request = aws.elbv2.describe_listeners();
    let request = request
        .load_balancer_arn(load_balancer_arn)
        .into_paginator();
    let pages = request.send().collect().await;
    let op = Operation::DescribeListeners;
    let found = items(op, load_balancer_arn, pages, |p| p.listeners)?;
    let mut listeners: Vec<ActualListener> = found.into_iter().map(actual).collect();
    for l in &mut listeners {
        l.attributes = attributes(aws, &l.arn).await?;
        if l.protocol.is_some_and(Protocol::is_secure) {
            l.certificates = certificates(aws, &l.arn).await?;
        }
        if kind == LoadBalancerType::Application {
            l.rules = rules(aws, &l.arn).await?;
        }
    }
    let arns: Vec<String> = listeners
        .iter()
        .flat_map(|l| std::iter::once(l.arn.clone()).chain(l.rules.iter().map(|r| r.arn.clone())))
        .collect();
    let mut tags = elb_tags(aws, &arns).await?;
    for l in &mut listeners {
        l.tags = tags.remove(&l.arn).unwrap_or_default();
        for r in &mut l.rules {
            r.tags = tags.remove(&r.arn).unwrap_or_default();
        }
    }
    listeners.sort_by_key(|l| l.port);
    Ok(listeners)
}

fn actual(l: Listener) -> ActualListener {
    ActualListener {
        arn: l.listener_arn.unwrap_or_default(),
        port: l.port.unwrap_or_default(),
        protocol: protocol(l.protocol.as_ref()),
        default_actions: l
            .default_actions
            .iter()
            .flatten()
            .filter_map(from_sdk_action)
            .collect(),
        default_certificate: l
            .certificates
            .iter()
            .flatten()
            .find(|c| c.is_default != Some(false))
            .and_then(|c| c.certificate_arn.clone()),
        certificates: Vec::new(),
        ssl_policy: l.ssl_policy,
        alpn_policy: l.alpn_policy.unwrap_or_default(),
        mutual_authentication: l.mutual_authentication.and_then(|m| {
            Some(MutualAuthentication {
                mode: m.mode?,
                trust_store_arn: m.trust_store_arn,
                ignore_client_certificate_expiry: m.ignore_client_certificate_expiry,
                advertise_trust_store_ca_names: m
                    .advertise_trust_store_ca_names
                    .map(|a| a.as_str().to_string()),
            })
        }),
        attributes: BTreeMap::new(),
        tags: Tags::default(),
        rules: Vec::new(),
    }
}

/// The listener's attributes, remembered for a while (`remembered.rs`).
async fn attributes(aws: &Clients, arn: &str) -> Result<BTreeMap<String, String>> {
    if let Some(known) = aws.remembered_listener_attributes.get(arn) {
        return Ok(known);
    }
    let request = aws.elbv2.describe_listener_attributes().listener_arn(arn);
    let resp = send(Operation::DescribeListenerAttributes, arn, request.send()).await?;
    let read = attribute_map!(resp.attributes);
    aws.remembered_listener_attributes
        .put([(arn.to_string(), read.clone())]);
    Ok(read)
}

/// Every certificate on the listener `arn`, sorted.
pub(crate) async fn certificates(aws: &Clients, arn: &str) -> Result<Vec<String>> {
    let request = aws.elbv2.describe_listener_certificates().listener_arn(arn);
    let pages = request.into_paginator().send().collect().await;
    let op = Operation::DescribeListenerCertificates;
    let found = items(op, arn, pages, |p| p.certificates)?;
    let mut out: Vec<String> = found
        .into_iter()
        .filter_map(|c| c.certificate_arn)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Rules of a listener except its default rule (that one is the listener's default actions).
pub async fn rules(aws: &Clients, listener_arn: &str) -> Result<Vec<ActualRule>> {
    // The API's largest page: one call covers a listener at the default rules quota.
    let request = aws
        .elbv2
        .describe_rules()
        .listener_arn(listener_arn)
        .page_size(400);
    let pages = request.into_paginator().send().collect().await;
    let found = items(Operation::DescribeRules, listener_arn, pages, |p| p.rules)?;
    let mut out = Vec::new();
    for r in found {
        let Some(priority) = r.priority.as_deref().and_then(|p| p.parse::<u32>().ok()) else {
            continue; // "default"
        };
        if r.is_default == Some(true) {
            continue;
        }
        out.push(ActualRule {
            arn: r.rule_arn.unwrap_or_default(),
            priority,
            conditions: r
                .conditions
                .iter()
                .flatten()
                .filter_map(from_sdk_condition)
                .collect(),
            actions: r
                .actions
                .iter()
                .flatten()
                .filter_map(from_sdk_action)
                .collect(),
            transforms: r
                .transforms
                .iter()
                .flatten()
                .map(from_sdk_transform)
                .collect(),
            tags: Tags::default(),
        });
    }
    out.sort_by_key(|r| r.priority);
    Ok(out)
}
