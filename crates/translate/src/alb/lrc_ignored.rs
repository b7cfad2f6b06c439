//! The parts of a ListenerRuleConfiguration that no ALB rule can carry, reported in the
//! Gateway's `gateway.k8s.aws/ConfigurationApplied=False` condition (never dropped silently):
//! a config block of an action of another type, an action type without its config block, an
//! OIDC `useExistingClientSecret`, a condition without `sourceIPConfig`.

use crate::context::Context;
use gantry_api::crds::{ActionType, ListenerRuleConfigurationSpec};
use gantry_snapshot::ObjectKey;

/// Each action type and the field of its config block.
const BLOCKS: [(ActionType, &str); 6] = [
    (ActionType::Forward, "forwardConfig"),
    (ActionType::Redirect, "redirectConfig"),
    (ActionType::FixedResponse, "fixedResponseConfig"),
    (ActionType::AuthenticateCognito, "authenticateCognitoConfig"),
    (ActionType::AuthenticateOidc, "authenticateOIDCConfig"),
    (ActionType::JwtValidation, "jwtValidationConfig"),
];

pub fn report(ctx: &mut Context<'_>, key: &ObjectKey, lrc: &ListenerRuleConfigurationSpec) {
    for (i, a) in lrc.actions.iter().flatten().enumerate() {
        // Whether each of BLOCKS is set, in its order.
        let set = [
            a.forward_config.is_some(),
            a.redirect_config.is_some(),
            a.fixed_response_config.is_some(),
            a.authenticate_cognito_config.is_some(),
            a.authenticate_oidc_config.is_some(),
            a.jwt_validation_config.is_some(),
        ];
        let blocks: Vec<(ActionType, &str, bool)> = BLOCKS
            .iter()
            .zip(set)
            .map(|(&(ty, name), set)| (ty, name, set))
            .collect();
        let t = a.type_.as_str();
        let other: Vec<&str> = blocks
            .iter()
            .filter(|(ty, _, set)| *set && *ty != a.type_)
            .map(|(_, name, _)| *name)
            .collect();
        if !other.is_empty() {
            ctx.found.ignored(format!(
                "ListenerRuleConfiguration {key}: actions[{i}] is of type {t}; its {} belong to other action types and are ignored",
                other.join(", ")
            ));
        }
        // Forward and redirect act without their blocks (stickiness and query are options).
        let own = blocks.iter().find(|(ty, _, _)| *ty == a.type_);
        if let Some((_, name, false)) = own
            && !matches!(a.type_, ActionType::Forward | ActionType::Redirect)
        {
            ctx.found.ignored(format!(
                "ListenerRuleConfiguration {key}: actions[{i}] of type {t} has no {name}; the action is ignored"
            ));
        }
        if a.authenticate_oidc_config
            .as_ref()
            .is_some_and(|c| c.use_existing_client_secret == Some(true))
        {
            ctx.found.ignored(format!(
                "ListenerRuleConfiguration {key}: actions[{i}] authenticateOIDCConfig useExistingClientSecret is not applied (gantry always sends the client secret of the named Secret)"
            ));
        }
    }
    for (i, c) in lrc.conditions.iter().flatten().enumerate() {
        if c.source_ip_config.is_none() {
            let indexes = if c.match_indexes.is_some() {
                " and its matchIndexes"
            } else {
                ""
            };
            ctx.found.ignored(format!(
                "ListenerRuleConfiguration {key}: conditions[{i}] (field {}) has no sourceIPConfig; the condition{indexes} is ignored",
                c.field.as_str()
            ));
        }
    }
}
