//! Actions, conditions and transforms between the model and the ELBv2 SDK.
//!
//! `to_sdk_*` take actions whose target group references are already real ARNs (the caller
//! resolves planned references first); `from_sdk_*` produce [`ArnRef::Existing`].

use aws_sdk_elasticloadbalancingv2::types as sdk;
use gantry_model::{
    Action, ActionType, ArnRef, AuthenticateCognitoConfig, AuthenticateOidcConfig,
    AuthenticationSession, FixedResponseConfig, ForwardConfig, JwtClaim, JwtValidationConfig,
    RedirectConfig, TargetGroupStickinessConfig, TargetGroupTuple,
};

/// Sets an authenticate action's session on the OIDC or the Cognito config builder alike: two
/// SDK builder types with the same setters, each with its own enum of unauthenticated behaviour.
macro_rules! with_session {
    ($builder:expr, $session:expr, $behaviour:ident) => {{
        let s: &AuthenticationSession = $session;
        $builder
            .set_scope(s.scope.clone())
            .set_session_cookie_name(s.session_cookie_name.clone())
            .set_session_timeout(s.session_timeout)
            .set_on_unauthenticated_request(
                s.on_unauthenticated_request
                    .as_deref()
                    .map(sdk::$behaviour::from),
            )
            .set_authentication_request_extra_params(non_empty_map(
                &s.authentication_request_extra_params,
            ))
    }};
}

pub fn to_sdk_action(a: &Action) -> sdk::Action {
    sdk::Action::builder()
        .r#type(sdk::ActionTypeEnum::from(a.kind.as_str()))
        .set_order(a.order)
        .set_forward_config(a.forward_config.as_ref().map(|f| {
            sdk::ForwardActionConfig::builder()
                .set_target_groups(Some(
                    f.target_groups
                        .iter()
                        .map(|t| {
                            sdk::TargetGroupTuple::builder()
                                .target_group_arn(t.target_group_arn.as_str())
                                .set_weight(t.weight)
                                .build()
                        })
                        .collect(),
                ))
                .set_target_group_stickiness_config(f.target_group_stickiness_config.as_ref().map(
                    |s| {
                        sdk::TargetGroupStickinessConfig::builder()
                            .enabled(s.enabled)
                            .set_duration_seconds(s.duration_seconds)
                            .build()
                    },
                ))
                .build()
        }))
        .set_redirect_config(a.redirect_config.as_ref().map(|r| {
            sdk::RedirectActionConfig::builder()
                .set_protocol(r.protocol.clone())
                .set_port(r.port.clone())
                .set_host(r.host.clone())
                .set_path(r.path.clone())
                .set_query(r.query.clone())
                .status_code(sdk::RedirectActionStatusCodeEnum::from(
                    r.status_code.as_str(),
                ))
                .build()
        }))
        .set_fixed_response_config(a.fixed_response_config.as_ref().map(|f| {
            sdk::FixedResponseActionConfig::builder()
                .status_code(&f.status_code)
                .set_content_type(f.content_type.clone())
                .set_message_body(f.message_body.clone())
                .build()
        }))
        .set_authenticate_oidc_config(a.authenticate_oidc_config.as_ref().map(|o| {
            let config = sdk::AuthenticateOidcActionConfig::builder()
                .issuer(&o.issuer)
                .authorization_endpoint(&o.authorization_endpoint)
                .token_endpoint(&o.token_endpoint)
                .user_info_endpoint(&o.user_info_endpoint)
                .client_id(&o.client_id)
                .client_secret(&o.client_secret);
            with_session!(
                config,
                &o.session,
                AuthenticateOidcActionConditionalBehaviorEnum
            )
            .build()
        }))
        .set_authenticate_cognito_config(a.authenticate_cognito_config.as_ref().map(|c| {
            let config = sdk::AuthenticateCognitoActionConfig::builder()
                .user_pool_arn(&c.user_pool_arn)
                .user_pool_client_id(&c.user_pool_client_id)
                .user_pool_domain(&c.user_pool_domain);
            with_session!(
                config,
                &c.session,
                AuthenticateCognitoActionConditionalBehaviorEnum
            )
            .build()
        }))
        .set_jwt_validation_config(a.jwt_validation_config.as_ref().map(|j| {
            sdk::JwtValidationActionConfig::builder()
                .issuer(&j.issuer)
                .jwks_endpoint(&j.jwks_endpoint)
                .set_additional_claims((!j.additional_claims.is_empty()).then(|| {
                    j.additional_claims
                        .iter()
                        .map(|c| {
                            sdk::JwtValidationActionAdditionalClaim::builder()
                                .format(sdk::JwtValidationActionAdditionalClaimFormatEnum::from(
                                    c.format.as_str(),
                                ))
                                .name(&c.name)
                                .set_values(Some(c.values.clone()))
                                .build()
                        })
                        .collect()
                }))
                .build()
        }))
        .build()
}

fn non_empty_map(
    m: &std::collections::BTreeMap<String, String>,
) -> Option<std::collections::HashMap<String, String>> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

/// The session part AWS reports for either kind of authentication.
fn session_from_sdk(
    scope: Option<&str>,
    session_cookie_name: Option<&str>,
    session_timeout: Option<i64>,
    on_unauthenticated_request: Option<&str>,
    extra_params: Option<&std::collections::HashMap<String, String>>,
) -> AuthenticationSession {
    AuthenticationSession {
        scope: scope.map(str::to_string),
        session_cookie_name: session_cookie_name.map(str::to_string),
        session_timeout,
        on_unauthenticated_request: on_unauthenticated_request.map(str::to_string),
        authentication_request_extra_params: extra_params
            .iter()
            .copied()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    }
}

pub fn from_sdk_action(a: &sdk::Action) -> Option<Action> {
    let kind = match a.r#type.as_ref()?.as_str() {
        "forward" => ActionType::Forward,
        "redirect" => ActionType::Redirect,
        "fixed-response" => ActionType::FixedResponse,
        "authenticate-oidc" => ActionType::AuthenticateOidc,
        "authenticate-cognito" => ActionType::AuthenticateCognito,
        "jwt-validation" => ActionType::JwtValidation,
        _ => return None,
    };
    let mut forward = a.forward_config.as_ref().map(|f| ForwardConfig {
        target_groups: f
            .target_groups
            .iter()
            .flatten()
            .map(|t| TargetGroupTuple {
                target_group_arn: ArnRef::Existing(t.target_group_arn.clone().unwrap_or_default()),
                weight: t.weight,
            })
            .collect(),
        target_group_stickiness_config: f.target_group_stickiness_config.as_ref().map(|s| {
            TargetGroupStickinessConfig {
                enabled: s.enabled.unwrap_or(false),
                duration_seconds: s.duration_seconds,
            }
        }),
    });
    // The legacy single-target form.
    if kind == ActionType::Forward
        && forward.as_ref().is_none_or(|f| f.target_groups.is_empty())
        && let Some(arn) = &a.target_group_arn
    {
        forward = Some(ForwardConfig {
            target_groups: vec![TargetGroupTuple {
                target_group_arn: ArnRef::Existing(arn.clone()),
                weight: Some(1),
            }],
            target_group_stickiness_config: forward.and_then(|f| f.target_group_stickiness_config),
        });
    }
    Some(Action {
        kind,
        order: a.order,
        forward_config: forward,
        redirect_config: a.redirect_config.as_ref().map(|r| RedirectConfig {
            protocol: r.protocol.clone(),
            port: r.port.clone(),
            host: r.host.clone(),
            path: r.path.clone(),
            query: r.query.clone(),
            status_code: r
                .status_code
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        }),
        fixed_response_config: a
            .fixed_response_config
            .as_ref()
            .map(|f| FixedResponseConfig {
                status_code: f.status_code.clone().unwrap_or_default(),
                content_type: f.content_type.clone(),
                message_body: f.message_body.clone(),
            }),
        authenticate_oidc_config: a.authenticate_oidc_config.as_ref().map(|o| {
            AuthenticateOidcConfig {
                issuer: o.issuer.clone().unwrap_or_default(),
                authorization_endpoint: o.authorization_endpoint.clone().unwrap_or_default(),
                token_endpoint: o.token_endpoint.clone().unwrap_or_default(),
                user_info_endpoint: o.user_info_endpoint.clone().unwrap_or_default(),
                client_id: o.client_id.clone().unwrap_or_default(),
                client_secret: String::new(),
                session: session_from_sdk(
                    o.scope.as_deref(),
                    o.session_cookie_name.as_deref(),
                    o.session_timeout,
                    o.on_unauthenticated_request.as_ref().map(|x| x.as_str()),
                    o.authentication_request_extra_params.as_ref(),
                ),
            }
        }),
        authenticate_cognito_config: a.authenticate_cognito_config.as_ref().map(|c| {
            AuthenticateCognitoConfig {
                user_pool_arn: c.user_pool_arn.clone().unwrap_or_default(),
                user_pool_client_id: c.user_pool_client_id.clone().unwrap_or_default(),
                user_pool_domain: c.user_pool_domain.clone().unwrap_or_default(),
                session: session_from_sdk(
                    c.scope.as_deref(),
                    c.session_cookie_name.as_deref(),
                    c.session_timeout,
                    c.on_unauthenticated_request.as_ref().map(|x| x.as_str()),
                    c.authentication_request_extra_params.as_ref(),
                ),
            }
        }),
        jwt_validation_config: a
            .jwt_validation_config
            .as_ref()
            .map(|j| JwtValidationConfig {
                issuer: j.issuer.clone().unwrap_or_default(),
                jwks_endpoint: j.jwks_endpoint.clone().unwrap_or_default(),
                additional_claims: j
                    .additional_claims
                    .iter()
                    .flatten()
                    .map(|c| JwtClaim {
                        format: c
                            .format
                            .as_ref()
                            .map(|f| f.as_str().to_string())
                            .unwrap_or_default(),
                        name: c.name.clone().unwrap_or_default(),
                        values: c.values.clone().unwrap_or_default(),
                    })
                    .collect(),
            }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> AuthenticationSession {
        AuthenticationSession {
            scope: Some("openid email".to_string()),
            session_cookie_name: Some("shop-session".to_string()),
            session_timeout: Some(3600),
            on_unauthenticated_request: Some("deny".to_string()),
            authentication_request_extra_params: [("prompt".to_string(), "login".to_string())]
                .into(),
        }
    }

    /// Every session setting reaches AWS and reads back as it was written, for both kinds.
    #[test]
    fn authenticate_actions_read_back_as_written() {
        let cognito = Action::authenticate_cognito(AuthenticateCognitoConfig {
            user_pool_arn: "arn:aws:cognito-idp:us-west-2:1:userpool/p".to_string(),
            user_pool_client_id: "client".to_string(),
            user_pool_domain: "login".to_string(),
            session: session(),
        });
        assert_eq!(from_sdk_action(&to_sdk_action(&cognito)), Some(cognito));

        let oidc = AuthenticateOidcConfig {
            issuer: "https://idp".to_string(),
            authorization_endpoint: "https://idp/auth".to_string(),
            token_endpoint: "https://idp/token".to_string(),
            user_info_endpoint: "https://idp/userinfo".to_string(),
            client_id: "client".to_string(),
            client_secret: "s3cret".to_string(),
            session: session(),
        };
        let sent = to_sdk_action(&Action::authenticate_oidc(oidc.clone()));
        let sent_config = sent.authenticate_oidc_config.as_ref().expect("OIDC config");
        assert_eq!(sent_config.client_secret(), Some("s3cret"));
        assert_eq!(
            sent_config.on_unauthenticated_request(),
            Some(&sdk::AuthenticateOidcActionConditionalBehaviorEnum::Deny)
        );
        // AWS never returns the secret.
        let expected = AuthenticateOidcConfig {
            client_secret: String::new(),
            ..oidc
        };
        assert_eq!(
            from_sdk_action(&sent),
            Some(Action::authenticate_oidc(expected))
        );
    }
}
