//! Security groups: the stack's managed frontend group, the cluster's shared backend group,
//! and groups given by id or `Name` tag.

use super::tags;
use crate::convert::tags_to_ec2;
use crate::diff::security_group::ingress_changes;
use crate::discover::load_balancer;
use crate::discover::security_group::{ActualSecurityGroup, filter, list};
use crate::error::{Error, ErrorClass, Operation, Result};
use crate::ownership::{BACKEND_SG_VALUE, CLUSTER, CLUSTER_RESOURCE, owned_by_cluster};
use crate::report::ResourceKind;
use crate::run::{Run, placeholder};
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, TagSpecification,
};
use gantry_model::{IngressRule, IngressSource, SecurityGroupRef, Stack, Tags};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// Security groups for the load balancer, and what may have to go afterwards.
pub struct SecurityGroups {
    /// Ids to attach, in the plan's order.
    pub attach: Vec<String>,
    /// Managed groups of the stack that are no longer wanted.
    stale: Vec<ActualSecurityGroup>,
    /// The stack does not use the shared backend group (or is being deleted).
    backend_unused: bool,
    deleting: bool,
}

pub async fn apply(
    run: &mut Run<'_>,
    stack: Option<&Stack>,
    vpc: Option<&str>,
) -> Result<SecurityGroups> {
    let owner = run.owner.clone();
    // One listing of the cluster's groups finds both the stack's managed groups and the
    // shared backend group (they carry different tags, which one EC2 filter can't OR).
    let mut filters = vec![filter(&format!("tag:{CLUSTER}"), &[&owner.cluster])];
    if let Some(v) = vpc {
        filters.push(filter("vpc-id", &[v]));
    }
    let cluster_groups = list(run.aws, filters).await?;
    let shared_backend = cluster_groups
        .iter()
        .find(|sg| sg.tags.get(CLUSTER_RESOURCE) == Some(BACKEND_SG_VALUE))
        .map(|sg| sg.id.clone());
    let mut managed: Vec<ActualSecurityGroup> = cluster_groups
        .into_iter()
        .filter(|sg| owner.owns(&sg.tags))
        .collect();
    let wanted = stack.and_then(|s| s.security_group.as_ref());
    let refs = stack.map_or(&[][..], |s| &s.load_balancer.security_groups[..]);
    let mut attach = Vec::new();
    let mut managed_id = None;
    if let Some(desired) = wanted {
        let pos = managed
            .iter()
            .position(|sg| owner.resource_id(&sg.tags) == Some(&desired.id));
        let current = pos.map(|i| managed.remove(i));
        managed_id = Some(sync_managed(run, desired, current, vpc).await?);
    }
    for r in refs {
        match r {
            SecurityGroupRef::Managed(reference) => attach.push(managed_id.clone().ok_or_else(
                || Error::UnresolvedReference {
                    gateway: owner.gateway.clone(),
                    reference: reference.to_string(),
                },
            )?),
            SecurityGroupRef::Given(id) if id.starts_with("sg-") => attach.push(id.clone()),
            SecurityGroupRef::Given(name) => {
                let mut f = vec![filter("tag:Name", &[name])];
                if let Some(v) = vpc {
                    f.push(filter("vpc-id", &[v]));
                }
                let found = list(run.aws, f).await?;
                let sg = found.first().ok_or_else(|| Error::ResolveSecurityGroup {
                    gateway: owner.gateway.clone(),
                    reference: name.clone(),
                })?;
                attach.push(sg.id.clone());
            }
            SecurityGroupRef::SharedBackend => match &shared_backend {
                Some(id) => attach.push(id.clone()),
                None => attach.push(create_backend(run, vpc).await?),
            },
        }
    }
    Ok(SecurityGroups {
        attach,
        stale: managed,
        backend_unused: !refs.contains(&SecurityGroupRef::SharedBackend),
        deleting: stack.is_none(),
    })
}

async fn sync_managed(
    run: &mut Run<'_>,
    desired: &gantry_model::ManagedSecurityGroup,
    current: Option<ActualSecurityGroup>,
    vpc: Option<&str>,
) -> Result<String> {
    let aws = run.aws;
    let name = desired.group_name.clone();
    let created = current.is_none();
    let (id, actual_ingress) = match current {
        Some(sg) => {
            let kind = ResourceKind::SecurityGroup;
            if let Some(changes) = tags::changes(run, kind, &name, &sg.tags, &desired.tags) {
                tags::apply_ec2(run, &sg.id, &changes).await?;
            }
            (sg.id, sg.ingress)
        }
        None => {
            let call = aws
                .ec2
                .create_security_group()
                .group_name(&name)
                .description(&desired.description)
                .set_vpc_id(vpc.map(str::to_string))
                .tag_specifications(tag_spec(&desired.tags))
                .send();
            let created = run
                .send(Operation::CreateSecurityGroup, &name, call)
                .await?;
            run.created(ResourceKind::SecurityGroup, &name, "");
            let id = created
                .and_then(|o| o.group_id)
                .unwrap_or_else(|| placeholder(&name));
            (id, Default::default())
        }
    };
    let (add, remove) = ingress_changes(&actual_ingress, &desired.ingress);
    if !add.is_empty() {
        let request = aws.ec2.authorize_security_group_ingress().group_id(&id);
        let call = request.set_ip_permissions(Some(permissions(&add))).send();
        let done = run
            .send(Operation::AuthorizeSecurityGroupIngress, &name, call)
            .await;
        // A retried call whose first attempt went through: the rules are there.
        match done {
            Err(e) if e.code() == Some("InvalidPermission.Duplicate") => {}
            other => {
                other?;
            }
        }
        // A new group's rules are part of its creation.
        if !created {
            run.modified(ResourceKind::SecurityGroup, &name, "ingress");
        }
    }
    if !remove.is_empty() {
        let request = aws.ec2.revoke_security_group_ingress().group_id(&id);
        let call = request
            .set_ip_permissions(Some(permissions(&remove)))
            .send();
        run.send(Operation::RevokeSecurityGroupIngress, &name, call)
            .await?;
        run.modified(ResourceKind::SecurityGroup, &name, "ingress");
    }
    Ok(id)
}

fn tag_spec(tags: &Tags) -> TagSpecification {
    TagSpecification::builder()
        .resource_type(ResourceType::SecurityGroup)
        .set_tags(Some(tags_to_ec2(tags)))
        .build()
}

fn permissions(rules: &[IngressRule]) -> Vec<IpPermission> {
    rules
        .iter()
        .map(|r| {
            let b = IpPermission::builder()
                .ip_protocol(&r.ip_protocol)
                .from_port(r.from_port)
                .to_port(r.to_port);
            match &r.source {
                IngressSource::CidrIpv4(c) => b.ip_ranges(IpRange::builder().cidr_ip(c).build()),
                IngressSource::CidrIpv6(c) => {
                    b.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(c).build())
                }
                IngressSource::PrefixListId(p) => {
                    b.prefix_list_ids(PrefixListId::builder().prefix_list_id(p).build())
                }
            }
            .build()
        })
        .collect()
}

/// Name of the cluster's shared backend group: `k8s-traffic-<cluster>-<hash>`.
pub fn backend_name(cluster: &str) -> String {
    let sanitized: String = cluster
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(232)
        .collect();
    let hash = Sha256::digest(cluster.as_bytes());
    let hex: String = hash.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("k8s-traffic-{sanitized}-{hex}")
}

fn backend_filters(cluster: &str, vpc: Option<&str>) -> Vec<aws_sdk_ec2::types::Filter> {
    let mut f = vec![
        filter(&format!("tag:{CLUSTER}"), &[cluster]),
        filter(&format!("tag:{CLUSTER_RESOURCE}"), &[BACKEND_SG_VALUE]),
    ];
    if let Some(v) = vpc {
        f.push(filter("vpc-id", &[v]));
    }
    f
}

/// Creates the shared backend group of the cluster in the VPC (found missing).
async fn create_backend(run: &mut Run<'_>, vpc: Option<&str>) -> Result<String> {
    let cluster = run.owner.cluster.clone();
    let name = backend_name(&cluster);
    let mut tags = Tags::default();
    tags.insert(CLUSTER, cluster.as_str());
    tags.insert(CLUSTER_RESOURCE, BACKEND_SG_VALUE);
    let call = run
        .aws
        .ec2
        .create_security_group()
        .group_name(&name)
        .description("[k8s] Shared Backend SecurityGroup for LoadBalancer")
        .set_vpc_id(vpc.map(str::to_string))
        .tag_specifications(tag_spec(&tags))
        .send();
    let created = run
        .send(Operation::CreateSecurityGroup, &name, call)
        .await?;
    run.created(ResourceKind::SecurityGroup, &name, "shared backend");
    Ok(created
        .and_then(|o| o.group_id)
        .unwrap_or_else(|| placeholder(&name)))
}

/// Post pass: deletes managed groups no longer wanted, and the shared backend group once no
/// load balancer in the VPC uses it. The latter is only looked at when this stack lets go of
/// it: on delete, or when its load balancer had it (`previous`) and no longer wants it.
pub async fn cleanup(
    run: &mut Run<'_>,
    sgs: SecurityGroups,
    vpc: Option<&str>,
    previous: &std::collections::BTreeSet<String>,
) -> Result<()> {
    for sg in &sgs.stale {
        delete(run, &sg.id, &sg.name).await?;
    }
    if !sgs.backend_unused || run.dry_run() || (!sgs.deleting && previous.is_empty()) {
        return Ok(());
    }
    let cluster = run.owner.cluster.clone();
    let Some(backend) = list(run.aws, backend_filters(&cluster, vpc))
        .await?
        .into_iter()
        .next()
    else {
        return Ok(());
    };
    if !owned_by_cluster(&backend.tags, &cluster)
        || (!sgs.deleting && !previous.contains(&backend.id))
    {
        return Ok(());
    }
    let in_use = load_balancer::list(run.aws, vpc, |_| true)
        .await?
        .iter()
        .any(|lb| lb.security_groups.contains(&backend.id));
    if !in_use {
        delete(run, &backend.id, &backend.name).await?;
    }
    Ok(())
}

/// Deletes a security group, waiting while a just-deleted load balancer's network interfaces
/// still hold it (`DependencyViolation`, up to about two minutes, as LBC does).
async fn delete(run: &mut Run<'_>, id: &str, name: &str) -> Result<()> {
    let mut waited = Duration::ZERO;
    loop {
        let call = run.aws.ec2.delete_security_group().group_id(id).send();
        let result = run.send(Operation::DeleteSecurityGroup, name, call).await;
        match result {
            Ok(_) => break,
            Err(e) if e.class() == ErrorClass::NotFound => break,
            Err(e)
                if e.code() == Some("DependencyViolation") && waited < Duration::from_secs(120) =>
            {
                tokio::time::sleep(Duration::from_secs(5)).await;
                waited += Duration::from_secs(5);
            }
            Err(e) => return Err(e),
        }
    }
    run.deleted(ResourceKind::SecurityGroup, name, "");
    Ok(())
}
