//! Targets and backend security group rules: make a target group hold exactly the given
//! targets (here), and the workers' security group admit the load balancer (`backend_rules`),
//! with the fewest calls.
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

mod backend_rules;

pub use backend_rules::{BackendRule, RuleChanges, RuleSource, rule_marker, worker_tag_key};

use crate::deployer::Deployer;
use crate::discover::target_group;
use crate::error::{Error, Operation, Result, send};
use crate::ownership::Owner;
use aws_sdk_elasticloadbalancingv2::types::{
    TargetDescription, TargetHealthDescription, TargetHealthStateEnum,
};
use gantry_model::{Stack, Target, TargetHealth};
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

impl Deployer {
    /// Registers and deregisters so that the target group `tg_arn` holds exactly `desired`.
    /// Nothing to change costs one `DescribeTargetHealth` and no other call.
    pub async fn sync_targets(&self, tg_arn: &str, desired: &[Target]) -> Result<TargetChanges> {
        let result = self.sync_targets_of(tg_arn, desired).await;
        if result.is_err() {
            // The target group may be gone (deleted by someone else): the next apply lists the
            // target groups afresh instead of trusting the kept listing.
            self.clients().remembered_target_groups.forget();
        }
        result
    }

    async fn sync_targets_of(&self, tg_arn: &str, desired: &[Target]) -> Result<TargetChanges> {
        let request = self.clients().elbv2.describe_target_health();
        let request = request.target_group_arn(tg_arn).send();
        let resp = send(Operation::DescribeTargetHealth, tg_arn, request).await?;
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
        let registers = register.chunks(TARGETS_PER_CALL).map(|chunk| {
            let targets = chunk
                .iter()
                .map(|t| TargetDescription::builder().id(&t.id).port(t.port).build());
            (Operation::RegisterTargets, targets.collect())
        });
        let deregisters = deregister
            .chunks(TARGETS_PER_CALL)
            .map(|chunk| (Operation::DeregisterTargets, descriptions(chunk)));
        for (op, targets) in registers.chain(deregisters) {
            changes.calls += 1;
            if !changes.dry_run {
                self.change_targets(tg_arn, op, targets).await?;
            }
        }
        Ok(changes)
    }

    /// One `RegisterTargets` or `DeregisterTargets` call (`op`) of `targets`.
    async fn change_targets(
        &self,
        tg_arn: &str,
        op: Operation,
        targets: Vec<TargetDescription>,
    ) -> Result<()> {
        let elbv2 = &self.clients().elbv2;
        if op == Operation::RegisterTargets {
            let request = elbv2.register_targets().target_group_arn(tg_arn);
            send(op, tg_arn, request.set_targets(Some(targets)).send()).await?;
        } else {
            let request = elbv2.deregister_targets().target_group_arn(tg_arn);
            send(op, tg_arn, request.set_targets(Some(targets)).send()).await?;
        }
        self.after_mutation(op).await;
        Ok(())
    }

    /// The ARN of the target group named `name` (what a TargetGroupBinding may give instead
    /// of `targetGroupARN`); None when no target group has that name.
    pub async fn target_group_arn_by_name(&self, name: &str) -> Result<Option<String>> {
        let found = target_group::by_name(self.clients(), name).await?;
        Ok(found.and_then(|tg| tg.target_group_arn))
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

    pub(super) async fn after_mutation(&self, op: Operation) {
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
