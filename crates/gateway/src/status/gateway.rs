//! The Gateway's own `Accepted` condition, from its listeners.

use super::Condition;
use super::reasons::{ACCEPTED, Reason};
use crate::attach::Listener;

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
