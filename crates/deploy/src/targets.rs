//! Targets and backend security group rules: make a target group hold exactly the given
//! targets, and the workers' security group admit the load balancer, with the fewest calls.
//!
//! * [`Deployer::sync_targets`]: one `DescribeTargetHealth`, then `RegisterTargets` /
//!   `DeregisterTargets` for the difference only, [`TARGETS_PER_CALL`] at a time. Registering
//!   goes first, so a target group whose every target is replaced (a rolling restart) is never
//!   empty in between. Targets AWS shows as `draining` are already leaving: they count as not
//!   registered, so they are not deregistered again on every sync.
//! * [`Deployer::sync_backend_rules`]: ingress rules from the load balancer's security group
//!   (or from the groups and address blocks a TargetGroupBinding's `networking` names) on a
//!   worker (node or pod) security group. Rules gantry adds carry the description
//!   [`rule_marker`]; a rule without it is never revoked, and an equal rule someone else added
//!   is left as it is and counts as present.

use crate::deployer::Deployer;
use crate::discover::security_group::{filter, list};
use crate::discover::target_group;
use crate::error::{Error, Operation, Result};
use crate::ownership::{BACKEND_SG_VALUE, CLUSTER, CLUSTER_RESOURCE, Owner};
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, UserIdGroupPair};
use aws_sdk_elasticloadbalancingv2::types::{
    TargetDescription, TargetHealthDescription, TargetHealthStateEnum,
};
use gantry_model::{SecurityGroupRef, Stack, Target, TargetHealth};
use std::collections::{BTreeMap, BTreeSet};

/// Targets per `RegisterTargets` / `DeregisterTargets` call. The API documents no lower bound;
/// this is the chunk size of the AWS Load Balancer Controller, known to be accepted.
pub const TARGETS_PER_CALL: usize = 200;

/// What [`Deployer::sync_targets`] changed (in a dry run: would change).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetChanges {
    /// Sorted.
    pub registered: Vec<Target>,
    /// Sorted; `port` is None when AWS listed the target without one.
    pub deregistered: Vec<(String, Option<i32>)>,
    /// `RegisterTargets` + `DeregisterTargets` calls made (or planned, in a dry run).
    pub calls: u64,
    pub dry_run: bool,
    /// The health of the targets registered before the sync (draining ones left out),
    /// sorted: what the pod readiness gates read, at no extra call.
    pub health: Vec<TargetHealth>,
}

impl TargetChanges {
    pub fn is_empty(&self) -> bool {
        self.registered.is_empty() && self.deregistered.is_empty()
    }
}

/// The targets of one target group of a stack after [`Deployer::sync_stack_targets`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupTargets {
    /// Resource id within the stack.
    pub id: String,
    pub name: String,
    /// None in a dry run when the target group does not exist yet.
    pub arn: Option<String>,
    pub changes: TargetChanges,
}

/// One ingress permission on a worker security group: `ip_protocol` (`tcp` / `udp`) on one
/// port or all of them, from a security group or an address block.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BackendRule {
    pub ip_protocol: String,
    /// None: every port (0–65535).
    pub port: Option<i32>,
    pub source: RuleSource,
}

/// Where a [`BackendRule`] lets traffic in from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleSource {
    /// A security group id (a load balancer's).
    Group(String),
    /// An IPv4 CIDR block.
    Ipv4(String),
    /// An IPv6 CIDR block.
    Ipv6(String),
}

impl RuleSource {
    /// A group id, or a CIDR block (IPv6 when it has a colon).
    pub fn parse(peer: &str) -> RuleSource {
        if peer.starts_with("sg-") {
            RuleSource::Group(peer.to_string())
        } else if peer.contains(':') {
            RuleSource::Ipv6(peer.to_string())
        } else {
            RuleSource::Ipv4(peer.to_string())
        }
    }
}

impl std::fmt::Display for BackendRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            RuleSource::Group(s) | RuleSource::Ipv4(s) | RuleSource::Ipv6(s) => s,
        };
        match self.port {
            Some(p) => write!(f, "{}/{p} from {source}", self.ip_protocol),
            None => write!(f, "{}/all from {source}", self.ip_protocol),
        }
    }
}

/// The port range of a rule for every port, as EC2 takes and lists it.
const ALL_PORTS: (i32, i32) = (0, 65535);

/// What [`Deployer::sync_backend_rules`] changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleChanges {
    pub added: Vec<BackendRule>,
    pub removed: Vec<BackendRule>,
    pub calls: u64,
}

/// Description of the rules gantry adds to worker security groups: what makes them gantry's.
/// Per cluster, so that two clusters sharing a worker group don't remove each other's rules.
pub fn rule_marker(cluster: &str) -> String {
    format!("managed-by=gantry cluster={cluster}")
}

/// Tag key marking the security groups of a cluster's nodes and pods (value `owned` or
/// `shared`), as EKS and the AWS Load Balancer Controller use it.
pub fn worker_tag_key(cluster: &str) -> String {
    format!("kubernetes.io/cluster/{cluster}")
}

impl Deployer {
    /// Registers and deregisters so that the target group `tg_arn` holds exactly `desired`.
    /// Nothing to change costs one `DescribeTargetHealth` and no other call.
    pub async fn sync_targets(&self, tg_arn: &str, desired: &[Target]) -> Result<TargetChanges> {
        let aws = self.clients();
        let resp = aws
            .elbv2
            .describe_target_health()
            .target_group_arn(tg_arn)
            .send()
            .await
            .map_err(|e| Error::call(Operation::DescribeTargetHealth, tg_arn, e))?;
        let listed = resp.target_health_descriptions.unwrap_or_default();
        let health = health(&listed);
        let current = registered(listed);
        let (register, deregister) = difference(&current, desired);
        let mut changes = TargetChanges {
            registered: register.clone(),
            deregistered: deregister.iter().map(|t| (*t).clone()).collect(),
            dry_run: self.settings().dry_run,
            health,
            ..TargetChanges::default()
        };
        for chunk in register.chunks(TARGETS_PER_CALL) {
            changes.calls += 1;
            if changes.dry_run {
                continue;
            }
            aws.elbv2
                .register_targets()
                .target_group_arn(tg_arn)
                .set_targets(Some(
                    chunk
                        .iter()
                        .map(|t| TargetDescription::builder().id(&t.id).port(t.port).build())
                        .collect(),
                ))
                .send()
                .await
                .map_err(|e| Error::call(Operation::RegisterTargets, tg_arn, e))?;
            self.after_mutation(Operation::RegisterTargets).await;
        }
        for chunk in deregister.chunks(TARGETS_PER_CALL) {
            changes.calls += 1;
            if changes.dry_run {
                continue;
            }
            aws.elbv2
                .deregister_targets()
                .target_group_arn(tg_arn)
                .set_targets(Some(descriptions(chunk)))
                .send()
                .await
                .map_err(|e| Error::call(Operation::DeregisterTargets, tg_arn, e))?;
            self.after_mutation(Operation::DeregisterTargets).await;
        }
        Ok(changes)
    }

    /// The ARN of the target group named `name` (what a TargetGroupBinding may give instead
    /// of `targetGroupARN`); None when no target group has that name.
    pub async fn target_group_arn_by_name(&self, name: &str) -> Result<Option<String>> {
        let resp = self
            .clients()
            .elbv2
            .describe_target_groups()
            .names(name)
            .send()
            .await
            .map_err(|e| Error::call(Operation::DescribeTargetGroups, name, e));
        match resp {
            Ok(resp) => Ok(resp
                .target_groups
                .unwrap_or_default()
                .into_iter()
                .find_map(|tg| tg.target_group_arn)),
            Err(e) if e.class() == crate::ErrorClass::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// ARNs of the target groups of `stack` that exist, by resource id, found by the stack's
    /// ownership tags.
    pub async fn target_group_arns(&self, stack: &Stack) -> Result<BTreeMap<String, String>> {
        let owner = Owner::new(
            &self.settings().cluster_name,
            &stack.gateway,
            stack.load_balancer.kind,
        );
        let found = target_group::list(self.clients(), self.settings().vpc_id.as_deref(), |t| {
            owner.owns(t)
        })
        .await?;
        let wanted: BTreeSet<&str> = stack.target_groups.iter().map(|t| t.id.as_str()).collect();
        Ok(found
            .into_iter()
            .filter_map(|tg| {
                let id = owner.resource_id(&tg.tags)?;
                wanted.contains(id).then(|| (id.to_string(), tg.arn))
            })
            .collect())
    }

    /// The id of a load balancer security group of `stack` (the shared backend group or the
    /// stack's managed group), found by tags; None when it does not exist (yet). User-given
    /// groups are not looked up: their rules are their owner's business.
    pub async fn security_group_id(
        &self,
        stack: &Stack,
        group: &SecurityGroupRef,
    ) -> Result<Option<String>> {
        let cluster = self.settings().cluster_name.as_str();
        let mut filters = vec![filter(&format!("tag:{CLUSTER}"), &[cluster])];
        let owner = Owner::new(cluster, &stack.gateway, stack.load_balancer.kind);
        match group {
            SecurityGroupRef::SharedBackend => filters.push(filter(
                &format!("tag:{CLUSTER_RESOURCE}"),
                &[BACKEND_SG_VALUE],
            )),
            SecurityGroupRef::Managed(_) => {
                filters.push(filter(
                    &format!("tag:{}", owner.stack_key()),
                    &[&stack.gateway],
                ));
                if let Some(sg) = &stack.security_group {
                    let key = format!("tag:{}", owner.resource_key());
                    filters.push(filter(&key, &[&sg.id]));
                }
            }
            SecurityGroupRef::Given(_) => return Ok(None),
        }
        if let Some(v) = &self.settings().vpc_id {
            filters.push(filter("vpc-id", &[v]));
        }
        Ok(list(self.clients(), filters)
            .await?
            .into_iter()
            .next()
            .map(|g| g.id))
    }

    /// Syncs the targets of the target groups of `stack` named in `desired` (by resource id),
    /// after [`Deployer::apply`]: finds their ARNs by tags, then [`Deployer::sync_targets`]
    /// each. In a dry run a target group not created yet reports all its targets as planned.
    pub async fn sync_stack_targets(
        &self,
        stack: &Stack,
        desired: &BTreeMap<String, Vec<Target>>,
    ) -> Result<Vec<GroupTargets>> {
        let arns = self.target_group_arns(stack).await?;
        let mut out = Vec::new();
        for tg in &stack.target_groups {
            let Some(want) = desired.get(&tg.id) else {
                continue;
            };
            let arn = arns.get(&tg.id).cloned();
            let changes = match &arn {
                Some(arn) => self.sync_targets(arn, want).await?,
                None if self.settings().dry_run => {
                    let mut registered = want.clone();
                    registered.sort();
                    registered.dedup();
                    TargetChanges {
                        calls: registered.len().div_ceil(TARGETS_PER_CALL) as u64,
                        registered,
                        dry_run: true,
                        ..TargetChanges::default()
                    }
                }
                None => {
                    return Err(Error::UnresolvedReference {
                        gateway: stack.gateway.clone(),
                        reference: tg.id.clone(),
                    });
                }
            };
            out.push(GroupTargets {
                id: tg.id.clone(),
                name: tg.name.clone(),
                arn,
                changes,
            });
        }
        Ok(out)
    }

    /// Adds the rules letting `source` (a load balancer group of `stack`) reach `ports`
    /// (`(ip_protocol, port)`) to every worker group of the cluster. Add-only: a caller that
    /// sees one stack can't know which rules other stacks still need; removal takes the
    /// cluster-wide set ([`Deployer::sync_backend_rules`] with `prune`).
    pub async fn open_backend_ports(
        &self,
        stack: &Stack,
        source: &SecurityGroupRef,
        ports: &[(String, i32)],
    ) -> Result<Vec<(String, RuleChanges)>> {
        if ports.is_empty() {
            return Ok(Vec::new());
        }
        let Some(source_group) = self.security_group_id(stack, source).await? else {
            return Ok(Vec::new());
        };
        let rules: Vec<BackendRule> = ports
            .iter()
            .map(|(ip_protocol, port)| BackendRule {
                ip_protocol: ip_protocol.clone(),
                port: Some(*port),
                source: RuleSource::Group(source_group.clone()),
            })
            .collect();
        let mut out = Vec::new();
        for group in self.worker_security_groups().await? {
            let changes = self.sync_backend_rules(&group, &rules, false).await?;
            out.push((group, changes));
        }
        Ok(out)
    }

    /// Revokes gantry's rules sourced from `source_group` on every worker group: before that
    /// load balancer group is deleted, since EC2 refuses to delete a group other groups' rules
    /// refer to (`DependencyViolation`).
    pub async fn close_backend_ports(
        &self,
        source_group: &str,
    ) -> Result<Vec<(String, RuleChanges)>> {
        let mut out = Vec::new();
        for group in self.worker_security_groups().await? {
            let (_, ours) = self.group_rules(&group).await?;
            let changes = RuleChanges {
                removed: ours
                    .into_iter()
                    .filter(|r| r.source == RuleSource::Group(source_group.to_string()))
                    .collect(),
                ..RuleChanges::default()
            };
            out.push((group.clone(), self.change_rules(&group, changes).await?));
        }
        Ok(out)
    }

    /// Security groups of the cluster's workers in the VPC: those tagged
    /// `kubernetes.io/cluster/<cluster>`.
    pub async fn worker_security_groups(&self) -> Result<Vec<String>> {
        let key = worker_tag_key(&self.settings().cluster_name);
        let mut filters = vec![filter("tag-key", &[&key])];
        if let Some(v) = &self.settings().vpc_id {
            filters.push(filter("vpc-id", &[v]));
        }
        let mut ids: Vec<String> = list(self.clients(), filters)
            .await?
            .into_iter()
            .map(|g| g.id)
            .collect();
        ids.sort();
        Ok(ids)
    }

    /// Makes the rules on `group_id` that carry [`rule_marker`] equal `desired`: adds what is
    /// missing in one call and, when `prune`, revokes marked rules not desired in one call.
    /// `desired` must then be every rule the cluster needs on this group (all bindings), as
    /// rules are shared between target groups with the same port. Rules without the marker
    /// are never revoked.
    pub async fn sync_backend_rules(
        &self,
        group_id: &str,
        desired: &[BackendRule],
        prune: bool,
    ) -> Result<RuleChanges> {
        let (present, ours) = self.group_rules(group_id).await?;
        let wanted: BTreeSet<BackendRule> = desired.iter().cloned().collect();
        let changes = RuleChanges {
            added: wanted.difference(&present).cloned().collect(),
            removed: if prune {
                ours.difference(&wanted).cloned().collect()
            } else {
                Vec::new()
            },
            calls: 0,
        };
        self.change_rules(group_id, changes).await
    }

    /// Authorizes `changes.added` (described with the marker) and revokes `changes.removed`,
    /// one call each at most; counts the calls.
    async fn change_rules(&self, group_id: &str, mut changes: RuleChanges) -> Result<RuleChanges> {
        let aws = self.clients();
        let marker = rule_marker(&self.settings().cluster_name);
        let dry_run = self.settings().dry_run;
        if !changes.added.is_empty() {
            changes.calls += 1;
            if !dry_run {
                aws.ec2
                    .authorize_security_group_ingress()
                    .group_id(group_id)
                    .set_ip_permissions(Some(ip_permissions(&changes.added, &marker)))
                    .send()
                    .await
                    .map_err(|e| {
                        Error::call(Operation::AuthorizeSecurityGroupIngress, group_id, e)
                    })?;
                self.after_mutation(Operation::AuthorizeSecurityGroupIngress)
                    .await;
            }
        }
        if !changes.removed.is_empty() {
            changes.calls += 1;
            if !dry_run {
                aws.ec2
                    .revoke_security_group_ingress()
                    .group_id(group_id)
                    // With the description, as described: the rule exactly as it is.
                    .set_ip_permissions(Some(ip_permissions(&changes.removed, &marker)))
                    .send()
                    .await
                    .map_err(|e| Error::call(Operation::RevokeSecurityGroupIngress, group_id, e))?;
                self.after_mutation(Operation::RevokeSecurityGroupIngress)
                    .await;
            }
        }
        Ok(changes)
    }

    /// Every rule on `group_id` of one port or of all ports, and those of them that are
    /// gantry's (described with [`rule_marker`]).
    async fn group_rules(
        &self,
        group_id: &str,
    ) -> Result<(BTreeSet<BackendRule>, BTreeSet<BackendRule>)> {
        let marker = rule_marker(&self.settings().cluster_name);
        let resp = self
            .clients()
            .ec2
            .describe_security_groups()
            .group_ids(group_id)
            .send()
            .await
            .map_err(|e| Error::call(Operation::DescribeSecurityGroups, group_id, e))?;
        let mut present = BTreeSet::new();
        let mut ours = BTreeSet::new();
        let permissions = resp
            .security_groups
            .unwrap_or_default()
            .into_iter()
            .flat_map(|g| g.ip_permissions.unwrap_or_default());
        for p in permissions {
            let (Some(protocol), Some(from), Some(to)) = (p.ip_protocol, p.from_port, p.to_port)
            else {
                continue;
            };
            let port = match (from, to) {
                _ if from == to => Some(from),
                range if range == ALL_PORTS => None,
                _ => continue,
            };
            let groups = p
                .user_id_group_pairs
                .unwrap_or_default()
                .into_iter()
                .filter_map(|g| Some((RuleSource::Group(g.group_id?), g.description)));
            let v4 = p
                .ip_ranges
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| Some((RuleSource::Ipv4(r.cidr_ip?), r.description)));
            let v6 = p
                .ipv6_ranges
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| Some((RuleSource::Ipv6(r.cidr_ipv6?), r.description)));
            for (source, description) in groups.chain(v4).chain(v6) {
                let rule = BackendRule {
                    ip_protocol: protocol.clone(),
                    port,
                    source,
                };
                if description.as_deref() == Some(marker.as_str()) {
                    ours.insert(rule.clone());
                }
                present.insert(rule);
            }
        }
        Ok((present, ours))
    }

    async fn after_mutation(&self, op: Operation) {
        if let Some(hook) = &self.settings().after_mutation {
            (hook.0)(op).await;
        }
    }
}

/// A target as AWS lists it: `(id, port)`; the port is None when AWS gave none.
type Listed = (String, Option<i32>);

/// Registered targets, without those AWS already drains.
fn registered(descriptions: Vec<TargetHealthDescription>) -> BTreeSet<Listed> {
    descriptions
        .into_iter()
        .filter(|d| {
            d.target_health.as_ref().and_then(|h| h.state.as_ref())
                != Some(&TargetHealthStateEnum::Draining)
        })
        .filter_map(|d| d.target.and_then(|t| Some((t.id?, t.port))))
        .collect()
}

/// The health of the listed targets that have a port and are not draining, sorted.
fn health(descriptions: &[TargetHealthDescription]) -> Vec<TargetHealth> {
    let mut out: Vec<TargetHealth> = descriptions
        .iter()
        .filter_map(|d| {
            let target = d.target.as_ref()?;
            let health = d.target_health.as_ref();
            let state = health.and_then(|h| h.state.as_ref())?;
            if *state == TargetHealthStateEnum::Draining {
                return None;
            }
            Some(TargetHealth {
                target: Target {
                    id: target.id.clone()?,
                    port: target.port?,
                },
                state: state.as_str().to_string(),
                reason: health
                    .and_then(|h| h.reason.as_ref())
                    .map(|r| r.as_str().to_string()),
                description: health.and_then(|h| h.description.clone()),
            })
        })
        .collect();
    out.sort();
    out
}

/// What to register and deregister, sorted. An (id, port) pair is one target: a port change
/// registers the new pair and deregisters the old one.
fn difference<'a>(
    current: &'a BTreeSet<Listed>,
    desired: &[Target],
) -> (Vec<Target>, Vec<&'a Listed>) {
    let wanted: BTreeSet<&Target> = desired.iter().collect();
    let register = wanted
        .iter()
        .filter(|t| !current.contains(&(t.id.clone(), Some(t.port))))
        .map(|t| (*t).clone())
        .collect();
    let deregister = current
        .iter()
        .filter(|(id, port)| {
            port.is_none_or(|port| {
                !wanted.contains(&Target {
                    id: id.clone(),
                    port,
                })
            })
        })
        .collect();
    (register, deregister)
}

fn descriptions(targets: &[&Listed]) -> Vec<TargetDescription> {
    targets
        .iter()
        .map(|(id, port)| TargetDescription::builder().id(id).set_port(*port).build())
        .collect()
}

fn ip_permissions(rules: &[BackendRule], description: &str) -> Vec<IpPermission> {
    rules
        .iter()
        .map(|r| {
            let (from, to) = r.port.map_or(ALL_PORTS, |p| (p, p));
            let permission = IpPermission::builder()
                .ip_protocol(&r.ip_protocol)
                .from_port(from)
                .to_port(to);
            match &r.source {
                RuleSource::Group(g) => permission.user_id_group_pairs(
                    UserIdGroupPair::builder()
                        .group_id(g)
                        .description(description)
                        .build(),
                ),
                RuleSource::Ipv4(c) => permission.ip_ranges(
                    IpRange::builder()
                        .cidr_ip(c)
                        .description(description)
                        .build(),
                ),
                RuleSource::Ipv6(c) => permission.ipv6_ranges(
                    Ipv6Range::builder()
                        .cidr_ipv6(c)
                        .description(description)
                        .build(),
                ),
            }
            .build()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_elasticloadbalancingv2::types::{TargetHealth, TargetHealthReasonEnum};

    fn listed(id: &str, port: i32, state: TargetHealthStateEnum) -> TargetHealthDescription {
        TargetHealthDescription::builder()
            .target(TargetDescription::builder().id(id).port(port).build())
            .target_health(TargetHealth::builder().state(state).build())
            .build()
    }

    fn target(id: &str, port: i32) -> Target {
        Target {
            id: id.into(),
            port,
        }
    }

    /// Guards against deregistering a draining target again on every sync (a call per sync
    /// for as long as the deregistration delay lasts).
    #[test]
    fn draining_targets_count_as_gone() {
        let current = registered(vec![
            listed("10.0.0.1", 80, TargetHealthStateEnum::Healthy),
            listed("10.0.0.2", 80, TargetHealthStateEnum::Draining),
            listed("10.0.0.3", 80, TargetHealthStateEnum::Unused),
        ]);
        let (register, deregister) = difference(&current, &[target("10.0.0.1", 80)]);
        assert!(register.is_empty());
        assert_eq!(deregister, [&("10.0.0.3".to_string(), Some(80))]);
        // A draining target wanted again is registered again.
        let (register, _) = difference(&current, &[target("10.0.0.2", 80)]);
        assert_eq!(register, [target("10.0.0.2", 80)]);
    }

    #[test]
    fn health_keeps_state_and_reason_and_leaves_draining_out() {
        let unhealthy = TargetHealthDescription::builder()
            .target(TargetDescription::builder().id("10.0.0.4").port(80).build())
            .target_health(
                TargetHealth::builder()
                    .state(TargetHealthStateEnum::Unhealthy)
                    .reason(TargetHealthReasonEnum::ResponseCodeMismatch)
                    .description("Health checks failed with these codes: [503]")
                    .build(),
            )
            .build();
        let got = health(&[
            listed("10.0.0.2", 80, TargetHealthStateEnum::Draining),
            unhealthy,
            listed("10.0.0.1", 80, TargetHealthStateEnum::Healthy),
        ]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].target, target("10.0.0.1", 80));
        assert!(got[0].is_healthy());
        assert_eq!(got[1].state, "unhealthy");
        assert_eq!(
            got[1].reason.as_deref(),
            Some("Target.ResponseCodeMismatch")
        );
        assert!(!got[1].is_healthy());
    }

    #[test]
    fn a_port_change_registers_the_new_pair_and_deregisters_the_old() {
        let current = registered(vec![listed("i-1", 30080, TargetHealthStateEnum::Healthy)]);
        let (register, deregister) = difference(&current, &[target("i-1", 30081)]);
        assert_eq!(register, [target("i-1", 30081)]);
        assert_eq!(deregister, [&("i-1".to_string(), Some(30080))]);
    }
}
