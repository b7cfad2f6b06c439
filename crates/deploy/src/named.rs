//! Target groups named by `TargetGroupName` backendRefs: managed outside Kubernetes, looked up
//! by name before anything changes, and only ever forwarded to — never created, modified,
//! tagged or deleted (they carry no ownership tags, so nothing else here touches them either).

use crate::client::Clients;
use crate::error::{Error, ErrorClass, Operation, Result};
use gantry_model::{ArnRef, Stack};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// `stack` with every [`ArnRef::TargetGroupName`] replaced by the target group's ARN; one
/// `DescribeTargetGroups` per distinct name. Names that match no target group fail the run
/// before any change, all of them named ([`Error::TargetGroupNameNotFound`]).
pub(crate) async fn resolve<'s>(aws: &Clients, stack: &'s Stack) -> Result<Cow<'s, Stack>> {
    let mut names: BTreeMap<String, Option<String>> = BTreeMap::new();
    for r in references(stack) {
        if let ArnRef::TargetGroupName(name) = r {
            names.insert(name.clone(), None);
        }
    }
    if names.is_empty() {
        return Ok(Cow::Borrowed(stack));
    }
    for (name, arn) in names.iter_mut() {
        *arn = lookup(aws, name).await?;
    }
    let missing: Vec<String> = names
        .iter()
        .filter(|(_, arn)| arn.is_none())
        .map(|(n, _)| n.clone())
        .collect();
    if !missing.is_empty() {
        return Err(Error::TargetGroupNameNotFound {
            gateway: stack.gateway.clone(),
            names: missing,
        });
    }
    let mut out = stack.clone();
    for l in &mut out.listeners {
        let actions = l
            .default_actions
            .iter_mut()
            .chain(l.rules.iter_mut().flat_map(|r| r.actions.iter_mut()));
        for a in actions {
            for t in a
                .forward_config
                .iter_mut()
                .flat_map(|f| f.target_groups.iter_mut())
            {
                if let ArnRef::TargetGroupName(name) = &t.target_group_arn
                    && let Some(Some(arn)) = names.get(name)
                {
                    t.target_group_arn = ArnRef::Existing(arn.clone());
                }
            }
        }
    }
    Ok(Cow::Owned(out))
}

fn references(stack: &Stack) -> impl Iterator<Item = &ArnRef> {
    stack.listeners.iter().flat_map(|l| {
        l.default_actions
            .iter()
            .chain(l.rules.iter().flat_map(|r| r.actions.iter()))
            .flat_map(|a| a.target_groups())
    })
}

async fn lookup(aws: &Clients, name: &str) -> Result<Option<String>> {
    let out = aws
        .elbv2
        .describe_target_groups()
        .names(name)
        .send()
        .await
        .map_err(|e| Error::call(Operation::DescribeTargetGroups, name, e));
    match out {
        Ok(o) => Ok(o
            .target_groups
            .unwrap_or_default()
            .into_iter()
            .find_map(|t| t.target_group_arn)),
        Err(e) if e.class() == ErrorClass::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
