//! Listener rules: executes the plan of [`crate::diff::rule`], then brings the tags of the
//! rules that stayed up to date.

use super::actions::resolve_actions;
use super::tags;
use crate::convert::actions::to_sdk_action;
use crate::convert::conditions::to_sdk_condition;
use crate::convert::tags_to_elb;
use crate::convert::transforms::to_sdk_transform;
use crate::diff::content::RuleContent;
use crate::diff::rule::{ExistingRule, PriorityMode, RuleCall, RuleRef, WantedRule, plan};
use crate::diff::tags::tag_changes;
use crate::discover::{elb_tags, listener::ActualRule, listener::rules as describe_rules};
use crate::error::{Error, ErrorClass, Operation, Result};
use crate::heap_step::heap_step;
use crate::report::ResourceKind;
use crate::run::{Run, placeholder};
use aws_sdk_elasticloadbalancingv2::types::{
    Action as SdkAction, RuleCondition as SdkCondition, RulePriorityPair,
    RuleTransform as SdkTransform,
};
use gantry_model::Rule;
use std::collections::BTreeMap;

pub async fn apply(
    run: &mut Run<'_>,
    listener_arn: &str,
    port: i32,
    mut actual: Vec<ActualRule>,
    desired: &[Rule],
    tg_arns: &BTreeMap<String, String>,
) -> Result<()> {
    let mut wanted = Vec::new();
    for r in desired {
        wanted.push(WantedRule {
            priority: r.priority,
            content: RuleContent::new(
                r.conditions.clone(),
                resolve_actions(run, &r.actions, tg_arns)?,
                r.transforms.clone(),
            ),
        });
    }
    loop {
        let existing: Vec<ExistingRule> = actual
            .iter()
            .map(|r| ExistingRule {
                arn: r.arn.clone(),
                priority: r.priority,
                content: RuleContent::new(
                    r.conditions.clone(),
                    r.actions.clone(),
                    r.transforms.clone(),
                ),
            })
            .collect();
        let mode = run.priority_mode();
        let plan = plan(&existing, &wanted, mode);
        match heap_step(|| execute(run, listener_arn, port, &plan.calls, desired, &wanted)).await {
            Ok(()) => {
                let resource_key = run.owner.resource_key();
                let updates = plan
                    .kept
                    .iter()
                    .filter_map(|(arn, j)| {
                        let current = actual.iter().find(|r| &r.arn == arn)?;
                        let c = tag_changes(
                            &current.tags,
                            &desired[*j].tags,
                            &[resource_key],
                            &run.settings.external_managed_tags,
                        );
                        (!c.is_empty()).then(|| (arn.clone(), c))
                    })
                    .collect();
                return tags::apply_elb(run, updates).await;
            }
            // The endpoint checks priorities before the call, not after: re-read and plan
            // the strict way (each call was atomic, so the listener is in a safe state).
            Err(Error::Call {
                op: Operation::SetRulePriorities,
                code: Some(code),
                ..
            }) if mode == PriorityMode::Atomic && code == "PriorityInUse" => {
                tracing::info!("SetRulePriorities refused a reorder; moving rules the strict way");
                run.use_strict_priorities();
                actual = describe_rules(run.aws, listener_arn).await?;
                let arns: Vec<String> = actual.iter().map(|r| r.arn.clone()).collect();
                let mut t = elb_tags(run.aws, &arns).await?;
                for r in &mut actual {
                    r.tags = t.remove(&r.arn).unwrap_or_default();
                }
            }
            Err(e) => return Err(e),
        }
    }
}

async fn execute(
    run: &mut Run<'_>,
    listener_arn: &str,
    port: i32,
    calls: &[RuleCall],
    desired: &[Rule],
    wanted: &[WantedRule],
) -> Result<()> {
    let mut created: BTreeMap<usize, String> = BTreeMap::new();
    let arn_of = |r: &RuleRef, created: &BTreeMap<usize, String>| match r {
        RuleRef::Existing(a) => a.clone(),
        RuleRef::Created(j) => created
            .get(j)
            .cloned()
            .unwrap_or_else(|| placeholder(&format!("rule {j}"))),
    };
    for call in calls {
        match call {
            RuleCall::SetPriorities(list) => {
                let pairs: Vec<RulePriorityPair> = list
                    .iter()
                    .map(|(r, p)| {
                        RulePriorityPair::builder()
                            .rule_arn(arn_of(r, &created))
                            .priority(*p as i32)
                            .build()
                    })
                    .collect();
                let what = format!("{port}: {} rules", pairs.len());
                let send = run
                    .aws
                    .elbv2
                    .set_rule_priorities()
                    .set_rule_priorities(Some(pairs))
                    .send();
                run.send(Operation::SetRulePriorities, &what, send).await?;
                for (_, p) in list {
                    run.modified(ResourceKind::Rule, &format!("{port}:{p}"), "priority");
                }
            }
            RuleCall::Modify { arn, wanted: j } => {
                let content = &wanted[*j].content;
                let label = format!("{port}:{}", wanted[*j].priority);
                let (conditions, actions, transforms) = to_sdk(content);
                let send = run
                    .aws
                    .elbv2
                    .modify_rule()
                    .rule_arn(arn)
                    .set_conditions(Some(conditions))
                    .set_actions(Some(actions))
                    .set_reset_transforms(transforms.is_none().then_some(true))
                    .set_transforms(transforms)
                    .send();
                run.send(Operation::ModifyRule, &label, send).await?;
                run.modified(ResourceKind::Rule, &label, "conditions, actions");
            }
            RuleCall::Create {
                wanted: j,
                priority,
            } => {
                let content = &wanted[*j].content;
                let label = format!("{port}:{priority}");
                let (conditions, actions, transforms) = to_sdk(content);
                let send = run
                    .aws
                    .elbv2
                    .create_rule()
                    .listener_arn(listener_arn)
                    .priority(*priority as i32)
                    .set_conditions(Some(conditions))
                    .set_actions(Some(actions))
                    .set_transforms(transforms)
                    .set_tags(Some(tags_to_elb(&desired[*j].tags)))
                    .send();
                let out = run.send(Operation::CreateRule, &label, send).await?;
                if let Some(arn) = out.and_then(|o| o.rules?.into_iter().next()?.rule_arn) {
                    // Created with these tags: no DescribeTags for it next time.
                    run.aws
                        .remembered_tags
                        .put([(arn.clone(), desired[*j].tags.clone())]);
                    created.insert(*j, arn);
                }
                run.created(ResourceKind::Rule, &label, "");
            }
            RuleCall::Delete { arn } => {
                let send = run.aws.elbv2.delete_rule().rule_arn(arn).send();
                let label = format!("{port}: {arn}");
                match run.send(Operation::DeleteRule, &label, send).await {
                    Err(e) if e.class() != ErrorClass::NotFound => return Err(e),
                    _ => {}
                }
                run.deleted(ResourceKind::Rule, &format!("{port}"), arn);
            }
        }
    }
    Ok(())
}

/// `content` as the SDK takes it: conditions, actions, and transforms (None when it has none).
fn to_sdk(content: &RuleContent) -> (Vec<SdkCondition>, Vec<SdkAction>, Option<Vec<SdkTransform>>) {
    let conditions = content.conditions.iter().map(to_sdk_condition).collect();
    let actions = content.actions.iter().map(to_sdk_action).collect();
    let transforms = (!content.transforms.is_empty())
        .then(|| content.transforms.iter().map(to_sdk_transform).collect());
    (conditions, actions, transforms)
}
