//! The four conditions of a Gateway listener, shared by every Gateway implementation gantry
//! has (ALB/NLB and tiered): they differ only in what "programmed" means.

use super::Condition;
use super::reasons::{ACCEPTED, CONFLICTED, PROGRAMMED, RESOLVED_REFS, Reason};
use crate::attach::Listener;

/// `Conflicted`, `Accepted`, `ResolvedRefs` and `Programmed` of listener `l`. `refs` is a
/// reference problem found after validation (e.g. no certificate); `programmed` gives the
/// `Programmed` condition of a valid listener.
pub fn listener_conditions(
    l: &Listener,
    refs: Option<(Reason, &str)>,
    programmed: impl FnOnce() -> Condition,
) -> Vec<Condition> {
    let conflicted = match &l.problem {
        Some(p) if l.is_conflicted() => {
            Condition::new(CONFLICTED, true, p.reason, p.message.clone())
        }
        _ => Condition::new(
            CONFLICTED,
            false,
            Reason::NoConflicts,
            "Listener has no conflict",
        ),
    };
    let accepted = match &l.problem {
        Some(p) => Condition::new(ACCEPTED, false, p.reason, p.message.clone()),
        None => Condition::new(ACCEPTED, true, Reason::Accepted, "Listener is accepted"),
    };
    let resolved = if l.invalid_kinds {
        Condition::new(
            RESOLVED_REFS,
            false,
            Reason::InvalidRouteKinds,
            format!(
                "Invalid route kind for listener {}: allowedRoutes.kinds names a kind this listener cannot serve",
                l.name
            ),
        )
    } else if let Some((reason, message)) = refs {
        Condition::new(RESOLVED_REFS, false, reason, message)
    } else {
        Condition::new(
            RESOLVED_REFS,
            true,
            Reason::ResolvedRefs,
            "Listener has all refs resolved",
        )
    };
    // Not programmed for the reason it is not accepted (or serves no kind), as the AWS Load
    // Balancer Controller reports it and the ListenerSet conformance tests expect.
    let programmed = if let Some(p) = &l.problem {
        Condition::new(
            PROGRAMMED,
            false,
            p.reason,
            format!("Listener is not accepted: {}", p.message),
        )
    } else if l.kinds.is_empty() {
        Condition::new(
            PROGRAMMED,
            false,
            Reason::InvalidRouteKinds,
            "Listener allows no route kind this controller serves",
        )
    } else {
        programmed()
    };
    vec![conflicted, accepted, resolved, programmed]
}
