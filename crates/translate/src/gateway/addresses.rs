//! A Gateway whose `spec.addresses` asks for a value AWS cannot give (`gantry_gateway::addresses`):
//! translated, but not programmed.

use crate::Translation;
use crate::status::Condition;
use crate::status::reasons::{PROGRAMMED, Reason};
use gantry_snapshot::ObjectKey;

/// The Gateway `key`, translated but with an address it cannot have: not programmed, its
/// listeners neither, the reason named as a problem too.
pub(super) fn not_programmed(out: &mut Translation, key: &ObjectKey, message: String) {
    out.problems.push(crate::Problem {
        object: format!("Gateway {key}"),
        message: message.clone(),
    });
    let Some(status) = out.statuses.gateways.get_mut(key) else {
        return;
    };
    let programmed = |reason, message: &str| Condition::new(PROGRAMMED, false, reason, message);
    for c in status
        .conditions
        .iter_mut()
        .filter(|c| c.kind == PROGRAMMED)
    {
        *c = programmed(Reason::AddressNotUsable, &message).at(c.observed_generation);
    }
    for l in &mut status.listeners {
        for c in l.conditions.iter_mut() {
            if c.kind == PROGRAMMED && c.status != "False" {
                let why = format!("The Gateway is not programmed: {message}");
                *c = programmed(Reason::Pending, &why).at(c.observed_generation);
            }
        }
    }
}
