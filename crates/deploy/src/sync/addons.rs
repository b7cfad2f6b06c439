//! Load balancer addons: the WAFv2 web ACL association and the Shield Advanced protection.
//!
//! As the AWS Load Balancer Controller does (it keeps Gateway annotations
//! `gateway.k8s.aws.addon.{wafv2,shield}`), gantry remembers which addons it turned on, here
//! in tags on the load balancer ([`WAFV2_MARK`], [`SHIELD_MARK`]):
//!
//! - wanted: the mark is written with the load balancer's other tags *before* the addon is
//!   turned on (a failed run cannot orphan it); one read (`GetWebACLForResource`,
//!   `DescribeProtection`) and a mutating call only when AWS differs;
//! - not wanted and marked: read, remove what is there (only a protection gantry named), then
//!   drop the mark;
//! - not wanted and never marked: no call at all — associations and protections made by
//!   others (Firewall Manager, a console user) are left alone.

use crate::diff::tags::TagChanges;
use crate::error::{Error, Operation, Result, send};
use crate::report::ResourceKind;
use crate::run::Run;
use aws_sdk_shield::error::ProvideErrorMetadata;
use gantry_model::{Addons, LoadBalancerType, Tags};

/// Tag on a load balancer gantry associated a web ACL with.
pub const WAFV2_MARK: &str = "gateway.k8s.aws.addon/wafv2";
/// Tag on a load balancer gantry created a Shield protection for.
pub const SHIELD_MARK: &str = "gateway.k8s.aws.addon/shield";
/// Name of the protections gantry creates; only protections so named are deleted (they also
/// carry the cluster tag, which the IAM policy requires to delete one).
pub const PROTECTION_NAME: &str = "managed by gantry";

/// The marks the desired load balancer tags carry: those of wanted addons, and those of
/// addons still on one of `current` (owned load balancers' tags) until they are removed.
pub fn mark(tags: &mut Tags, addons: &Addons, current: &[&Tags]) {
    let had = |key: &str| current.iter().any(|t| t.get(key).is_some());
    if addons.web_acl_arn.is_some() || had(WAFV2_MARK) {
        tags.insert(WAFV2_MARK, "true");
    }
    if addons.shield_advanced || had(SHIELD_MARK) {
        tags.insert(SHIELD_MARK, "true");
    }
}

/// Makes the load balancer `arn` (just synced with the `tags` of [`mark`]) carry the addons.
pub async fn apply(
    run: &mut Run<'_>,
    arn: &str,
    name: &str,
    kind: LoadBalancerType,
    existed: bool,
    addons: &Addons,
    tags: &Tags,
) -> Result<()> {
    if kind != LoadBalancerType::Application {
        return Ok(());
    }
    // A load balancer only planned (dry run) has no ARN to read addons of.
    let planned = run.dry_run() && !existed;
    let mut unmark = Vec::new();
    match &addons.web_acl_arn {
        Some(wanted) => {
            let current = match planned {
                true => None,
                false => web_acl(run, arn).await?,
            };
            if current.as_deref() != Some(wanted.as_str()) {
                associate(run, arn, name, wanted).await?;
            }
        }
        None if tags.get(WAFV2_MARK).is_some() => {
            if !planned && web_acl(run, arn).await?.is_some() {
                disassociate(run, arn, name).await?;
            }
            unmark.push(WAFV2_MARK.to_string());
        }
        None => {}
    }
    if addons.shield_advanced {
        let current = match planned {
            true => None,
            false => protection(run, arn).await?,
        };
        if current.is_none() {
            create_protection(run, arn, name).await?;
        }
    } else if tags.get(SHIELD_MARK).is_some() {
        if !planned {
            remove_protection(run, arn, name).await?;
        }
        unmark.push(SHIELD_MARK.to_string());
    }
    if !unmark.is_empty() && !planned {
        let change = TagChanges {
            set: Tags::default(),
            remove: unmark,
        };
        super::tags::apply_elb(run, vec![(arn.to_string(), change)]).await?;
    }
    Ok(())
}

/// Before a marked load balancer is deleted: what gantry turned on goes first, so that no
/// protection outlives it.
pub async fn tear_down(run: &mut Run<'_>, arn: &str, name: &str, tags: &Tags) -> Result<()> {
    if tags.get(WAFV2_MARK).is_some() && web_acl(run, arn).await?.is_some() {
        disassociate(run, arn, name).await?;
    }
    if tags.get(SHIELD_MARK).is_some() {
        remove_protection(run, arn, name).await?;
    }
    Ok(())
}

/// The web ACL associated with `arn`, if any.
async fn web_acl(run: &Run<'_>, arn: &str) -> Result<Option<String>> {
    let request = run.aws.wafv2.get_web_acl_for_resource().resource_arn(arn);
    let out = send(Operation::GetWebACLForResource, arn, request.send()).await?;
    Ok(out.web_acl.map(|w| w.arn))
}

async fn associate(run: &mut Run<'_>, arn: &str, name: &str, web_acl: &str) -> Result<()> {
    let call = run
        .aws
        .wafv2
        .associate_web_acl()
        .resource_arn(arn)
        .web_acl_arn(web_acl)
        .send();
    let gateway = run.owner.gateway.clone();
    run.mutate(Operation::AssociateWebACL, name, async {
        call.await.map_err(|e| {
            if e.code() == Some("WAFNonexistentItemException") {
                Error::WebAclNotFound {
                    gateway,
                    web_acl: web_acl.to_string(),
                }
            } else {
                Error::call(Operation::AssociateWebACL, name, e)
            }
        })
    })
    .await?;
    run.modified(ResourceKind::WebAclAssociation, name, web_acl);
    Ok(())
}

async fn disassociate(run: &mut Run<'_>, arn: &str, name: &str) -> Result<()> {
    let call = run
        .aws
        .wafv2
        .disassociate_web_acl()
        .resource_arn(arn)
        .send();
    run.send(Operation::DisassociateWebACL, name, call).await?;
    run.deleted(ResourceKind::WebAclAssociation, name, "");
    Ok(())
}

/// The protection of `arn` as `(id, name)`, if any.
async fn protection(run: &Run<'_>, arn: &str) -> Result<Option<(String, String)>> {
    match run
        .aws
        .shield
        .describe_protection()
        .resource_arn(arn)
        .send()
        .await
    {
        Ok(out) => Ok(out
            .protection
            .map(|p| (p.id.unwrap_or_default(), p.name.unwrap_or_default()))),
        Err(e) if e.code() == Some("ResourceNotFoundException") => Ok(None),
        Err(e) => Err(Error::call(Operation::DescribeProtection, arn, e)),
    }
}

async fn create_protection(run: &mut Run<'_>, arn: &str, name: &str) -> Result<()> {
    // Tagged for the cluster: the IAM policy allows creating and deleting only such.
    let tag = aws_sdk_shield::types::Tag::builder()
        .key(crate::ownership::CLUSTER)
        .value(&run.settings.cluster_name)
        .build();
    let call = run
        .aws
        .shield
        .create_protection()
        .name(PROTECTION_NAME)
        .resource_arn(arn)
        .tags(tag)
        .send();
    run.send(Operation::CreateProtection, name, call).await?;
    run.created(ResourceKind::ShieldProtection, name, "");
    Ok(())
}

/// Deletes the protection of `arn` when it is one gantry may delete.
async fn remove_protection(run: &mut Run<'_>, arn: &str, name: &str) -> Result<()> {
    let Some((id, protection_name)) = protection(run, arn).await? else {
        return Ok(());
    };
    if protection_name != PROTECTION_NAME {
        tracing::info!(load_balancer = name, protection = %protection_name, "leaving a Shield protection gantry did not create");
        return Ok(());
    }
    let call = run.aws.shield.delete_protection().protection_id(&id).send();
    run.send(Operation::DeleteProtection, name, call).await?;
    run.deleted(ResourceKind::ShieldProtection, name, "");
    Ok(())
}
