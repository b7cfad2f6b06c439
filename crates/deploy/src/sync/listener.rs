//! Listeners: create, modify (protocol, default actions, certificates, SSL policy, ALPN,
//! mutual TLS, attributes, tags), delete in the post pass; then their rules.

use super::actions::resolve_actions;
use super::attributes::{self, Attributed};
use super::load_balancer::Current;
use super::{rule, tags};
use crate::convert::actions::to_sdk_action;
use crate::convert::{tags_to_elb, to_sdk_protocol};
use crate::diff::listener::changes;
use crate::discover::listener::{self as discover, ActualListener};
use crate::error::{ErrorClass, Operation, Result};
use crate::heap_step::heap_step;
use crate::report::ResourceKind;
use crate::run::Run;
use aws_sdk_elasticloadbalancingv2::types::{
    AdvertiseTrustStoreCaNamesEnum, Certificate, MutualAuthenticationAttributes,
};
use gantry_model::{Listener, Stack};
use std::collections::BTreeMap;

/// Sets what a listener is (port, protocol, default actions, default certificate, TLS
/// policies) on a create or a modify call alike: two SDK builder types with the same setters.
macro_rules! with_settings {
    ($call:expr, $listener:expr) => {{
        let l: &Listener = $listener;
        $call
            .port(l.port)
            .protocol(to_sdk_protocol(l.protocol))
            .set_default_actions(Some(l.default_actions.iter().map(to_sdk_action).collect()))
            .set_certificates(default_certificate(l))
            .set_ssl_policy(l.ssl_policy.clone())
            .set_alpn_policy(l.alpn_policy.clone())
            .set_mutual_authentication(mutual_authentication(l))
    }};
}

/// Syncs every wanted listener of `stack` on `lb`; returns the listeners to delete afterwards.
pub async fn apply(
    run: &mut Run<'_>,
    stack: &Stack,
    lb: &Current,
    tg_arns: &BTreeMap<String, String>,
) -> Result<Vec<ActualListener>> {
    let mut actual = if lb.existed {
        discover::list(run.aws, &lb.arn, lb.kind).await?
    } else {
        Vec::new()
    };
    for a in &actual {
        run.previous_certificates
            .extend(a.certificates.iter().chain(&a.default_certificate).cloned());
    }
    let mut tag_updates = Vec::new();
    for desired in &stack.listeners {
        let desired = resolve(run, desired, tg_arns)?;
        let label = desired.port.to_string();
        let existing = actual
            .iter()
            .position(|a| a.port == desired.port)
            .map(|i| actual.remove(i));
        let (arn, rules) = match existing {
            None => (create(run, &lb.arn, &desired).await?, Vec::new()),
            Some(a) => {
                modify(run, &a, &desired).await?;
                let kind = ResourceKind::Listener;
                if let Some(t) = tags::changes(run, kind, &label, &a.tags, &desired.tags) {
                    tag_updates.push((a.arn.clone(), t));
                }
                (a.arn, a.rules)
            }
        };
        heap_step(|| rule::apply(run, &arn, desired.port, rules, &desired.rules, tg_arns)).await?;
    }
    tags::apply_elb(run, tag_updates).await?;
    Ok(actual)
}

/// The listener with real target group ARNs in its default actions.
fn resolve(run: &Run<'_>, l: &Listener, tg_arns: &BTreeMap<String, String>) -> Result<Listener> {
    let mut l = l.clone();
    l.default_actions = resolve_actions(run, &l.default_actions, tg_arns)?;
    Ok(l)
}

fn default_certificate(l: &Listener) -> Option<Vec<Certificate>> {
    l.certificates.first().map(|c| {
        vec![
            Certificate::builder()
                .certificate_arn(&c.certificate_arn)
                .build(),
        ]
    })
}

fn mutual_authentication(l: &Listener) -> Option<MutualAuthenticationAttributes> {
    l.mutual_authentication.as_ref().map(|m| {
        MutualAuthenticationAttributes::builder()
            .mode(&m.mode)
            .set_trust_store_arn(m.trust_store_arn.clone())
            .set_ignore_client_certificate_expiry(m.ignore_client_certificate_expiry)
            .set_advertise_trust_store_ca_names(
                m.advertise_trust_store_ca_names
                    .as_deref()
                    .map(AdvertiseTrustStoreCaNamesEnum::from),
            )
            .build()
    })
}

async fn create(run: &mut Run<'_>, lb_arn: &str, l: &Listener) -> Result<String> {
    let label = l.port.to_string();
    let call = with_settings!(run.aws.elbv2.create_listener().load_balancer_arn(lb_arn), l)
        .set_tags(Some(tags_to_elb(&l.tags)))
        .send();
    let out = run.send(Operation::CreateListener, &label, call).await?;
    run.created(ResourceKind::Listener, &label, l.protocol.as_str());
    let created = out.and_then(|o| o.listeners?.into_iter().next()?.listener_arn);
    let arn = run.arn_of_created(created.clone(), &l.tags, &format!("listener {label}"));
    let extra: Vec<String> = l
        .certificates
        .iter()
        .skip(1)
        .map(|c| c.certificate_arn.clone())
        .collect();
    certificates(run, &arn, &label, Operation::AddListenerCertificates, extra).await?;
    if !l.attributes.is_empty() {
        attributes::set(run, Attributed::Listener(&arn), &label, &l.attributes).await?;
    }
    // What it was created with is what the next reconcile compares (attributes not asked
    // for are never compared), so it need not read them back.
    if let Some(arn) = created {
        let attributes = l
            .attributes
            .iter()
            .map(|a| (a.key.clone(), a.value.clone()))
            .collect();
        run.aws
            .remembered_listener_attributes
            .put([(arn, attributes)]);
    }
    Ok(arn)
}

async fn modify(run: &mut Run<'_>, a: &ActualListener, l: &Listener) -> Result<()> {
    let label = l.port.to_string();
    let c = changes(a, l);
    if c.modify {
        let call = with_settings!(run.aws.elbv2.modify_listener().listener_arn(&a.arn), l).send();
        run.send(Operation::ModifyListener, &label, call).await?;
        run.modified(ResourceKind::Listener, &label, "settings");
    }
    if !c.add_certificates.is_empty() || !c.remove_certificates.is_empty() {
        certificates(
            run,
            &a.arn,
            &label,
            Operation::AddListenerCertificates,
            c.add_certificates,
        )
        .await?;
        certificates(
            run,
            &a.arn,
            &label,
            Operation::RemoveListenerCertificates,
            c.remove_certificates,
        )
        .await?;
        run.modified(ResourceKind::Listener, &label, "certificates");
    }
    let kind = ResourceKind::Listener;
    if let Some(attrs) = attributes::changes(run, kind, &label, &a.attributes, &l.attributes) {
        attributes::set(run, Attributed::Listener(&a.arn), &label, &attrs).await?;
    }
    Ok(())
}

async fn certificates(
    run: &mut Run<'_>,
    arn: &str,
    label: &str,
    op: Operation,
    list: Vec<String>,
) -> Result<()> {
    if list.is_empty() {
        return Ok(());
    }
    let certs = list
        .iter()
        .map(|c| Certificate::builder().certificate_arn(c).build())
        .collect();
    let elbv2 = &run.aws.elbv2;
    if op == Operation::AddListenerCertificates {
        let request = elbv2.add_listener_certificates().listener_arn(arn);
        run.send(op, label, request.set_certificates(Some(certs)).send())
            .await?;
    } else {
        let request = elbv2.remove_listener_certificates().listener_arn(arn);
        run.send(op, label, request.set_certificates(Some(certs)).send())
            .await?;
    }
    Ok(())
}

/// Deletes a listener no longer wanted; its rules go with it.
pub async fn delete(run: &mut Run<'_>, l: &ActualListener) -> Result<()> {
    let label = l.port.to_string();
    let call = run.aws.elbv2.delete_listener().listener_arn(&l.arn).send();
    match run.send(Operation::DeleteListener, &label, call).await {
        Err(e) if e.class() != ErrorClass::NotFound => return Err(e),
        _ => {}
    }
    run.deleted(ResourceKind::Listener, &label, "");
    Ok(())
}
