//! GatewayClasses this controller owns, and their `Accepted` condition.

use crate::config::load_balancer::{self, Found};
use crate::status::reasons::{ACCEPTED, Reason};
use crate::status::{Condition, GatewayClassStatus};
use crate::{LbKind, Settings, Translation};
use gantry_snapshot::Snapshot;
use std::collections::BTreeMap;

/// An owned GatewayClass.
pub struct Class<'s> {
    pub name: &'s str,
    pub lb: LbKind,
    /// The class's LoadBalancerConfiguration, or why it is unusable.
    pub config: Result<Option<Found<'s>>, String>,
}

/// Owned classes by name; records each one's status.
pub fn owned<'s>(
    snapshot: &'s Snapshot,
    settings: &Settings,
    out: &mut Translation,
) -> BTreeMap<&'s str, Class<'s>> {
    let mut classes = BTreeMap::new();
    for (key, class) in &snapshot.gateway_classes {
        let Some(lb) = LbKind::from_controller_name(&class.spec.controller_name)
            .filter(|lb| settings.enabled.contains(lb))
        else {
            continue;
        };
        let config = load_balancer::for_class(snapshot, class);
        let generation = class.metadata.generation.unwrap_or(0);
        let accepted = match &config {
            Ok(_) => Condition::new(ACCEPTED, true, Reason::Accepted, "Accepted"),
            Err(message) => {
                Condition::new(ACCEPTED, false, Reason::InvalidParameters, message.clone())
            }
        };
        out.statuses.gateway_classes.insert(
            key.name.clone(),
            GatewayClassStatus {
                conditions: vec![accepted.at(generation)],
                // Only an accepted class promises features.
                supported_features: if config.is_ok() {
                    crate::features::supported(lb)
                } else {
                    Vec::new()
                },
            },
        );
        if let Err(message) = &config {
            out.problems.push(crate::Problem {
                object: format!("GatewayClass {}", key.name),
                message: message.clone(),
            });
        }
        classes.insert(
            key.name.as_str(),
            Class {
                name: key.name.as_str(),
                lb,
                config,
            },
        );
    }
    classes
}
