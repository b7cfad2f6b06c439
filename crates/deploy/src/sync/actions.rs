//! The target group ids of planned actions, replaced by the ARNs the run created or found.

use crate::error::{Error, Result};
use crate::run::Run;
use gantry_model::{Action, ArnRef};
use std::collections::BTreeMap;

/// `actions` with every planned target group id replaced by its ARN in `tg_arns`.
pub fn resolve_actions(
    run: &Run<'_>,
    actions: &[Action],
    tg_arns: &BTreeMap<String, String>,
) -> Result<Vec<Action>> {
    let mut out = actions.to_vec();
    for a in &mut out {
        for t in a
            .forward_config
            .iter_mut()
            .flat_map(|f| f.target_groups.iter_mut())
        {
            if let ArnRef::Planned(id) = &t.target_group_arn {
                let arn = tg_arns.get(id).ok_or_else(|| Error::UnresolvedReference {
                    gateway: run.owner.gateway.clone(),
                    reference: id.clone(),
                })?;
                t.target_group_arn = ArnRef::Existing(arn.clone());
            }
        }
    }
    Ok(out)
}
