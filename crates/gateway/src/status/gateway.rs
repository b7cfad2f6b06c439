//! The Gateway's own `Accepted` condition, from its listeners, or its refusal as a whole.

use super::reasons::{ACCEPTED, PROGRAMMED, Reason};
use super::{Condition, GatewayStatus};
use crate::Problem;
use crate::attach::Listener;
use gantry_snapshot::ObjectKey;

/// The Gateway's `Accepted`: False when no listener is valid, True otherwise; reason
/// `ListenersNotValid` whenever a listener is not valid (the spec: "MUST set a
/// "ListenersNotValid" condition ... when the Gateway contains Conflicted Listeners whether or
/// not they accept the Gateway. That Condition SHOULD clearly indicate in the Message which
/// Listeners are conflicted, and which are Accepted.").
pub fn gateway_accepted(listeners: &[Listener]) -> Condition {
    let (valid, invalid): (Vec<&Listener>, Vec<&Listener>) =
        listeners.iter().partition(|l| l.is_valid());
    if invalid.is_empty() {
        return Condition::new(ACCEPTED, true, Reason::Accepted, "Gateway is accepted");
    }
    let names = |list: &mut dyn Iterator<Item = &&Listener>| {
        list.map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")
    };
    let mut message = format!("Listeners not valid: {}", names(&mut invalid.iter()));
    let conflicted = names(&mut invalid.iter().filter(|l| l.is_conflicted()));
    if !conflicted.is_empty() {
        message.push_str(&format!("; conflicted: {conflicted}"));
    }
    if valid.is_empty() {
        message.push_str("; no listener is valid");
    } else {
        message.push_str(&format!("; accepted: {}", names(&mut valid.iter())));
    }
    Condition::new(
        ACCEPTED,
        !valid.is_empty(),
        Reason::ListenersNotValid,
        message,
    )
}

/// The refusal of Gateway `key` (at `generation`) as a whole: its problem, and its status,
/// not Accepted for `reason` (and so not Programmed), with no listeners.
pub fn gateway_refused(
    key: &ObjectKey,
    generation: i64,
    reason: Reason,
    message: String,
) -> (Problem, GatewayStatus) {
    let problem = Problem {
        object: format!("Gateway {key}"),
        message: message.clone(),
    };
    let status = GatewayStatus {
        conditions: vec![
            Condition::new(ACCEPTED, false, reason, message).at(generation),
            Condition::new(
                PROGRAMMED,
                false,
                Reason::Invalid,
                "Gateway is not accepted",
            )
            .at(generation),
        ],
        listeners: vec![],
        addresses: vec![],
        attached_listener_sets: None,
    };
    (problem, status)
}

/// The status of a valid Gateway that is not programmed because it asks for an address value
/// AWS cannot give (Gateway API: `Programmed=False`, `AddressNotUsable`), and the problem.
pub fn address_not_usable(
    key: &ObjectKey,
    generation: i64,
    message: String,
) -> (Problem, GatewayStatus) {
    let (problem, mut status) = gateway_refused(key, generation, Reason::AddressNotUsable, message);
    let accepted = Condition::new(ACCEPTED, true, Reason::Accepted, "Gateway is accepted");
    let programmed = Condition::new(
        PROGRAMMED,
        false,
        Reason::AddressNotUsable,
        &problem.message,
    );
    status.conditions = vec![accepted.at(generation), programmed.at(generation)];
    (problem, status)
}
