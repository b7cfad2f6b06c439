//! What a deploy's outcome changes in a Gateway's computed status. Pure.
//!
//! After a successful deploy the Gateway is `Programmed=True` with the load balancer's ARN as
//! message — NLB gateway chaining reads the ALB ARN from it (docs/status-conditions.md) — its address is
//! the load balancer's DNS name, and its valid listeners are programmed. After a failed one it
//! is `Programmed=False` with a fixed message (details go to an Event: a message carrying
//! request ids would change on every retry) — unless the failure is one the user must fix in
//! their configuration, named by a stable message (a web ACL that does not exist) — and keeps
//! the addresses it had.

use gantry_deploy::Address;
use gantry_gateway::status::reasons::{PROGRAMMED, Reason};
use gantry_gateway::status::{Condition, GatewayStatus, ListenerSetStatus, ListenerStatus};

/// Message of `Programmed=False` after a failed deploy, as the AWS Load Balancer Controller
/// writes it.
pub const DEPLOY_FAILED_MESSAGE: &str = "Check Gateway Events for more information.";

/// The status after a successful deploy that produced the load balancer `lb`.
pub fn programmed(mut status: GatewayStatus, lb: &Address) -> GatewayStatus {
    status.addresses = vec![lb.dns_name.to_ascii_lowercase()];
    replace(
        &mut status.conditions,
        Condition::new(PROGRAMMED, true, Reason::Programmed, lb.arn.clone()),
    );
    program_listeners(&mut status.listeners);
    status
}

/// Listeners waiting for the load balancer (`Programmed=Unknown`) are programmed.
fn program_listeners(listeners: &mut [ListenerStatus]) {
    for l in listeners {
        let generation = generation_of(&l.conditions);
        if let Some(c) = l
            .conditions
            .iter_mut()
            .find(|c| c.kind == PROGRAMMED && c.status == "Unknown")
        {
            *c = Condition::new(
                PROGRAMMED,
                true,
                Reason::Programmed,
                "Listener is programmed",
            )
            .at(generation);
        }
    }
}

/// A ListenerSet's status after its parent Gateway's successful deploy: when it was waiting
/// for the load balancer (accepted, with a valid listener: `Programmed=Unknown`), it and its
/// waiting listeners are programmed. Refused ListenerSets keep their `Programmed=False`.
pub fn listener_set_programmed(mut status: ListenerSetStatus, lb: &Address) -> ListenerSetStatus {
    if waiting(&status.conditions) {
        replace(
            &mut status.conditions,
            Condition::new(
                PROGRAMMED,
                true,
                Reason::Programmed,
                format!("Listeners are programmed on load balancer {}", lb.arn),
            ),
        );
        program_listeners(&mut status.listeners);
    }
    status
}

/// A ListenerSet's status after its parent Gateway's failed deploy: one waiting for the load
/// balancer is `Programmed=False` (its listeners keep `Programmed=Unknown`: they may still
/// be served as they were).
pub fn listener_set_deploy_failed(
    mut status: ListenerSetStatus,
    message: Option<String>,
) -> ListenerSetStatus {
    if waiting(&status.conditions) {
        let message = match message {
            Some(m) => format!("The parent Gateway's deploy failed: {m}. {DEPLOY_FAILED_MESSAGE}"),
            None => format!("The parent Gateway's deploy failed. {DEPLOY_FAILED_MESSAGE}"),
        };
        replace(
            &mut status.conditions,
            Condition::new(PROGRAMMED, false, Reason::Invalid, message),
        );
    }
    status
}

fn waiting(conditions: &[Condition]) -> bool {
    conditions
        .iter()
        .any(|c| c.kind == PROGRAMMED && c.status == "Unknown")
}

/// The status after a failed deploy; `previous_addresses` are those the Gateway shows now,
/// `message` the failure's stable message ([`gantry_deploy::Error::status_message`]).
pub fn deploy_failed(
    mut status: GatewayStatus,
    previous_addresses: Vec<String>,
    message: Option<String>,
) -> GatewayStatus {
    status.addresses = previous_addresses;
    let message = match message {
        Some(m) => format!("{m}. {DEPLOY_FAILED_MESSAGE}"),
        None => DEPLOY_FAILED_MESSAGE.to_string(),
    };
    replace(
        &mut status.conditions,
        Condition::new(PROGRAMMED, false, Reason::Invalid, message),
    );
    status
}

/// Replaces the condition of the same type, keeping its observedGeneration.
fn replace(conditions: &mut Vec<Condition>, new: Condition) {
    let generation = generation_of(conditions);
    let new = new.at(generation);
    match conditions.iter_mut().find(|c| c.kind == new.kind) {
        Some(c) => *c = new,
        None => conditions.push(new),
    }
}

fn generation_of(conditions: &[Condition]) -> i64 {
    conditions
        .iter()
        .map(|c| c.observed_generation)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_gateway::status::ListenerStatus;
    use gantry_gateway::status::reasons::ACCEPTED;

    fn pending() -> GatewayStatus {
        GatewayStatus {
            conditions: vec![
                Condition::new(ACCEPTED, true, Reason::Accepted, "Gateway is accepted").at(3),
                Condition::unknown(PROGRAMMED, Reason::Pending, "Waiting").at(3),
            ],
            listeners: vec![ListenerStatus {
                name: "http".into(),
                supported_kinds: vec![],
                attached_routes: 1,
                conditions: vec![Condition::unknown(PROGRAMMED, Reason::Pending, "pending").at(3)],
            }],
            addresses: vec![],
            attached_listener_sets: None,
        }
    }

    #[test]
    fn successful_deploy_programs_the_gateway_with_the_arn_and_the_lower_cased_dns_name() {
        let arn = "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/k8s-x/abc";
        let s = programmed(
            pending(),
            &Address {
                arn: arn.into(),
                dns_name: "K8S-X.elb.amazonaws.com".into(),
            },
        );
        assert_eq!(s.addresses, vec!["k8s-x.elb.amazonaws.com"]);
        let p = s.conditions.iter().find(|c| c.kind == PROGRAMMED).unwrap();
        assert_eq!(
            (p.status, p.reason, p.message.as_str()),
            ("True", "Programmed", arn)
        );
        assert_eq!(p.observed_generation, 3);
        let l = &s.listeners[0].conditions[0];
        assert_eq!((l.status, l.observed_generation), ("True", 3));
    }

    fn set(programmed: Condition) -> ListenerSetStatus {
        ListenerSetStatus {
            conditions: vec![
                Condition::new(ACCEPTED, true, Reason::Accepted, "ListenerSet is accepted").at(4),
                programmed.at(4),
            ],
            listeners: pending().listeners,
        }
    }

    #[test]
    fn a_waiting_listener_set_is_programmed_with_its_listeners_after_a_deploy() {
        let lb = Address {
            arn: "arn:lb".into(),
            dns_name: "x".into(),
        };
        let s = listener_set_programmed(
            set(Condition::unknown(PROGRAMMED, Reason::Pending, "w")),
            &lb,
        );
        let p = s.conditions.iter().find(|c| c.kind == PROGRAMMED).unwrap();
        assert_eq!(
            (p.status, p.reason, p.observed_generation),
            ("True", "Programmed", 4)
        );
        assert!(p.message.contains("arn:lb"), "{}", p.message);
        assert_eq!(s.listeners[0].conditions[0].status, "True");

        // A ListenerSet the Gateway refused stays refused.
        let refused = set(Condition::new(PROGRAMMED, false, Reason::NotAllowed, "no"));
        assert_eq!(listener_set_programmed(refused.clone(), &lb), refused);

        let failed = listener_set_deploy_failed(
            set(Condition::unknown(PROGRAMMED, Reason::Pending, "w")),
            None,
        );
        let p = failed
            .conditions
            .iter()
            .find(|c| c.kind == PROGRAMMED)
            .unwrap();
        assert_eq!((p.status, p.reason), ("False", "Invalid"));
        assert!(p.message.ends_with(DEPLOY_FAILED_MESSAGE));
    }

    #[test]
    fn failed_deploy_keeps_addresses_and_has_a_fixed_message() {
        let s = deploy_failed(pending(), vec!["a.example".into()], None);
        assert_eq!(s.addresses, vec!["a.example"]);
        let p = s.conditions.iter().find(|c| c.kind == PROGRAMMED).unwrap();
        assert_eq!(
            (p.status, p.message.as_str()),
            ("False", DEPLOY_FAILED_MESSAGE)
        );
    }

    #[test]
    fn a_failure_the_user_must_fix_is_named_in_the_condition() {
        let s = deploy_failed(
            pending(),
            vec![],
            Some("wafV2.webACL arn:x: no such web ACL".into()),
        );
        let p = s.conditions.iter().find(|c| c.kind == PROGRAMMED).unwrap();
        assert_eq!(p.status, "False");
        assert!(
            p.message.starts_with("wafV2.webACL arn:x: no such web ACL"),
            "{}",
            p.message
        );
        assert!(p.message.ends_with(DEPLOY_FAILED_MESSAGE));
    }
}
