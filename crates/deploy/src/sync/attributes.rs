//! Attributes of load balancers, listeners and target groups: those that differ from what is
//! wanted (reported as a modification), and the one call that sets them.

use crate::convert::elb_attributes;
use crate::diff::tags::attribute_changes;
use crate::error::{Operation, Result};
use crate::report::ResourceKind;
use crate::run::Run;
use aws_sdk_elasticloadbalancingv2::types::{
    ListenerAttribute, LoadBalancerAttribute, TargetGroupAttribute,
};
use gantry_model::Attribute;
use std::collections::BTreeMap;

/// A resource with ELB attributes, by ARN.
#[derive(Clone, Copy)]
pub(super) enum Attributed<'a> {
    LoadBalancer(&'a str),
    Listener(&'a str),
    TargetGroup(&'a str),
}

/// The attributes of `desired` that the `current` ones of `kind` `name` lack or hold otherwise,
/// reported as a modification of its attributes; None when nothing changes.
pub(super) fn changes(
    run: &mut Run<'_>,
    kind: ResourceKind,
    name: &str,
    current: &BTreeMap<String, String>,
    desired: &[Attribute],
) -> Option<Vec<Attribute>> {
    let changes = attribute_changes(current, desired);
    if changes.is_empty() {
        return None;
    }
    run.modified(kind, name, "attributes");
    Some(changes)
}

/// Sets `attributes` on `on` with one Modify*Attributes call; `name` labels it.
pub(super) async fn set(
    run: &mut Run<'_>,
    on: Attributed<'_>,
    name: &str,
    attributes: &[Attribute],
) -> Result<()> {
    let elbv2 = &run.aws.elbv2;
    match on {
        Attributed::LoadBalancer(arn) => {
            let request = elbv2
                .modify_load_balancer_attributes()
                .load_balancer_arn(arn);
            let list = elb_attributes!(LoadBalancerAttribute, attributes);
            let call = request.set_attributes(Some(list)).send();
            run.send(Operation::ModifyLoadBalancerAttributes, name, call)
                .await?;
        }
        Attributed::Listener(arn) => {
            // What was remembered of them (`remembered.rs`) is stale from here on.
            run.aws.remembered_listener_attributes.forget([arn]);
            let request = elbv2.modify_listener_attributes().listener_arn(arn);
            let list = elb_attributes!(ListenerAttribute, attributes);
            let call = request.set_attributes(Some(list)).send();
            run.send(Operation::ModifyListenerAttributes, name, call)
                .await?;
        }
        Attributed::TargetGroup(arn) => {
            let request = elbv2.modify_target_group_attributes().target_group_arn(arn);
            let list = elb_attributes!(TargetGroupAttribute, attributes);
            let call = request.set_attributes(Some(list)).send();
            run.send(Operation::ModifyTargetGroupAttributes, name, call)
                .await?;
        }
    }
    Ok(())
}
