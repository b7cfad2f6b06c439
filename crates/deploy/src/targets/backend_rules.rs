//! Backend security group rules: ingress on the workers' (node or pod) security groups from
//! the load balancer's group, or from what a TargetGroupBinding's `networking` names. Rules
//! gantry adds carry [`rule_marker`]; a rule without it is never revoked.

use crate::deployer::Deployer;
use crate::discover::security_group::{filter, list};
use crate::error::{Operation, Result, send};
use crate::ownership::{BACKEND_SG_VALUE, CLUSTER, CLUSTER_RESOURCE, Owner};
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, UserIdGroupPair};
use gantry_model::{SecurityGroupRef, Stack};
use std::collections::BTreeSet;

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
        let marker = rule_marker(&self.settings().cluster_name);
        let batches = [
            (Operation::AuthorizeSecurityGroupIngress, &changes.added),
            (Operation::RevokeSecurityGroupIngress, &changes.removed),
        ];
        let mut calls = 0;
        for (op, rules) in batches.into_iter().filter(|(_, rules)| !rules.is_empty()) {
            calls += 1;
            if !self.settings().dry_run {
                // With the description: a revoked rule exactly as it was described.
                self.change_ingress(group_id, op, ip_permissions(rules, &marker))
                    .await?;
            }
        }
        changes.calls += calls;
        Ok(changes)
    }

    /// One `AuthorizeSecurityGroupIngress` or `RevokeSecurityGroupIngress` call (`op`).
    async fn change_ingress(
        &self,
        group_id: &str,
        op: Operation,
        permissions: Vec<IpPermission>,
    ) -> Result<()> {
        let ec2 = &self.clients().ec2;
        let permissions = Some(permissions);
        if op == Operation::AuthorizeSecurityGroupIngress {
            let request = ec2.authorize_security_group_ingress().group_id(group_id);
            send(op, group_id, request.set_ip_permissions(permissions).send()).await?;
        } else {
            let request = ec2.revoke_security_group_ingress().group_id(group_id);
            send(op, group_id, request.set_ip_permissions(permissions).send()).await?;
        }
        self.after_mutation(op).await;
        Ok(())
    }

    /// Every rule on `group_id` of one port or of all ports, and those of them that are
    /// gantry's (described with [`rule_marker`]).
    async fn group_rules(
        &self,
        group_id: &str,
    ) -> Result<(BTreeSet<BackendRule>, BTreeSet<BackendRule>)> {
        let marker = rule_marker(&self.settings().cluster_name);
        let request = self
            .clients()
            .ec2
            .describe_security_groups()
            .group_ids(group_id);
        let resp = send(Operation::DescribeSecurityGroups, group_id, request.send()).await?;
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
