//! Actions, conditions and transforms between the model and the ELBv2 SDK.
//!
//! `to_sdk_*` take actions whose target group references are already real ARNs (the caller
//! resolves planned references first); `from_sdk_*` produce [`ArnRef::Existing`].

use aws_sdk_elasticloadbalancingv2::types as sdk;
use gantry_model::{
    Action, ActionType, ArnRef, AuthenticateCognitoConfig, AuthenticateOidcConfig, ConditionField,
    FixedResponseConfig, ForwardConfig, HttpHeaderConfig, JwtClaim, JwtValidationConfig,
    QueryStringConfig, QueryStringKeyValue, RedirectConfig, Rewrite, RewriteConfig, RuleCondition,
    TargetGroupStickinessConfig, TargetGroupTuple, Transform, ValuesConfig,
};

pub fn to_sdk_action(a: &Action) -> sdk::Action {
    let mut b = sdk::Action::builder()
        .r#type(sdk::ActionTypeEnum::from(a.kind.as_str()))
        .set_order(a.order);
    if let Some(f) = &a.forward_config {
        b = b.forward_config(
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
                .build(),
        );
    }
    if let Some(r) = &a.redirect_config {
        b = b.redirect_config(
            sdk::RedirectActionConfig::builder()
                .set_protocol(r.protocol.clone())
                .set_port(r.port.clone())
                .set_host(r.host.clone())
                .set_path(r.path.clone())
                .set_query(r.query.clone())
                .status_code(sdk::RedirectActionStatusCodeEnum::from(
                    r.status_code.as_str(),
                ))
                .build(),
        );
    }
    if let Some(f) = &a.fixed_response_config {
        b = b.fixed_response_config(
            sdk::FixedResponseActionConfig::builder()
                .status_code(&f.status_code)
                .set_content_type(f.content_type.clone())
                .set_message_body(f.message_body.clone())
                .build(),
        );
    }
    if let Some(o) = &a.authenticate_oidc_config {
        b = b.authenticate_oidc_config(
            sdk::AuthenticateOidcActionConfig::builder()
                .issuer(&o.issuer)
                .authorization_endpoint(&o.authorization_endpoint)
                .token_endpoint(&o.token_endpoint)
                .user_info_endpoint(&o.user_info_endpoint)
                .client_id(&o.client_id)
                .client_secret(&o.client_secret)
                .set_scope(o.scope.clone())
                .set_session_cookie_name(o.session_cookie_name.clone())
                .set_session_timeout(o.session_timeout)
                .set_on_unauthenticated_request(
                    o.on_unauthenticated_request
                        .as_deref()
                        .map(sdk::AuthenticateOidcActionConditionalBehaviorEnum::from),
                )
                .set_authentication_request_extra_params(non_empty_map(
                    &o.authentication_request_extra_params,
                ))
                .build(),
        );
    }
    if let Some(c) = &a.authenticate_cognito_config {
        b = b.authenticate_cognito_config(
            sdk::AuthenticateCognitoActionConfig::builder()
                .user_pool_arn(&c.user_pool_arn)
                .user_pool_client_id(&c.user_pool_client_id)
                .user_pool_domain(&c.user_pool_domain)
                .set_scope(c.scope.clone())
                .set_session_cookie_name(c.session_cookie_name.clone())
                .set_session_timeout(c.session_timeout)
                .set_on_unauthenticated_request(
                    c.on_unauthenticated_request
                        .as_deref()
                        .map(sdk::AuthenticateCognitoActionConditionalBehaviorEnum::from),
                )
                .set_authentication_request_extra_params(non_empty_map(
                    &c.authentication_request_extra_params,
                ))
                .build(),
        );
    }
    if let Some(j) = &a.jwt_validation_config {
        b = b.jwt_validation_config(
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
                .build(),
        );
    }
    b.build()
}

fn non_empty_map(
    m: &std::collections::BTreeMap<String, String>,
) -> Option<std::collections::HashMap<String, String>> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
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
                scope: o.scope.clone(),
                session_cookie_name: o.session_cookie_name.clone(),
                session_timeout: o.session_timeout,
                on_unauthenticated_request: o
                    .on_unauthenticated_request
                    .as_ref()
                    .map(|x| x.as_str().to_string()),
                authentication_request_extra_params: o
                    .authentication_request_extra_params
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            }
        }),
        authenticate_cognito_config: a.authenticate_cognito_config.as_ref().map(|c| {
            AuthenticateCognitoConfig {
                user_pool_arn: c.user_pool_arn.clone().unwrap_or_default(),
                user_pool_client_id: c.user_pool_client_id.clone().unwrap_or_default(),
                user_pool_domain: c.user_pool_domain.clone().unwrap_or_default(),
                scope: c.scope.clone(),
                session_cookie_name: c.session_cookie_name.clone(),
                session_timeout: c.session_timeout,
                on_unauthenticated_request: c
                    .on_unauthenticated_request
                    .as_ref()
                    .map(|x| x.as_str().to_string()),
                authentication_request_extra_params: c
                    .authentication_request_extra_params
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
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

fn values_config(v: &ValuesConfig) -> (Option<Vec<String>>, Option<Vec<String>>) {
    let opt = |l: &Vec<String>| (!l.is_empty()).then(|| l.clone());
    (opt(&v.values), opt(&v.regex_values))
}

pub fn to_sdk_condition(c: &RuleCondition) -> sdk::RuleCondition {
    let mut b = sdk::RuleCondition::builder().field(c.field.as_str());
    if let Some(v) = &c.host_header_config {
        let (values, regex) = values_config(v);
        b = b.host_header_config(
            sdk::HostHeaderConditionConfig::builder()
                .set_values(values)
                .set_regex_values(regex)
                .build(),
        );
    }
    if let Some(v) = &c.path_pattern_config {
        let (values, regex) = values_config(v);
        b = b.path_pattern_config(
            sdk::PathPatternConditionConfig::builder()
                .set_values(values)
                .set_regex_values(regex)
                .build(),
        );
    }
    if let Some(h) = &c.http_header_config {
        b = b.http_header_config(
            sdk::HttpHeaderConditionConfig::builder()
                .http_header_name(&h.http_header_name)
                .set_values((!h.values.is_empty()).then(|| h.values.clone()))
                .set_regex_values((!h.regex_values.is_empty()).then(|| h.regex_values.clone()))
                .build(),
        );
    }
    if let Some(q) = &c.query_string_config {
        b = b.query_string_config(
            sdk::QueryStringConditionConfig::builder()
                .set_values(Some(
                    q.values
                        .iter()
                        .map(|kv| {
                            sdk::QueryStringKeyValuePair::builder()
                                .set_key(kv.key.clone())
                                .value(&kv.value)
                                .build()
                        })
                        .collect(),
                ))
                .build(),
        );
    }
    if let Some(v) = &c.http_request_method_config {
        b = b.http_request_method_config(
            sdk::HttpRequestMethodConditionConfig::builder()
                .set_values(Some(v.values.clone()))
                .build(),
        );
    }
    if let Some(v) = &c.source_ip_config {
        b = b.source_ip_config(
            sdk::SourceIpConditionConfig::builder()
                .set_values(Some(v.values.clone()))
                .build(),
        );
    }
    b.build()
}

pub fn from_sdk_condition(c: &sdk::RuleCondition) -> Option<RuleCondition> {
    let field = match c.field.as_deref()? {
        "host-header" => ConditionField::HostHeader,
        "path-pattern" => ConditionField::PathPattern,
        "http-header" => ConditionField::HttpHeader,
        "query-string" => ConditionField::QueryString,
        "http-request-method" => ConditionField::HttpRequestMethod,
        "source-ip" => ConditionField::SourceIp,
        _ => return None,
    };
    let vals = |values: &Option<Vec<String>>, regex: &Option<Vec<String>>| ValuesConfig {
        values: values.clone().unwrap_or_default(),
        regex_values: regex.clone().unwrap_or_default(),
    };
    // The legacy top-level `Values` stands in for a missing config.
    let legacy = ValuesConfig {
        values: c.values.clone().unwrap_or_default(),
        regex_values: c.regex_values.clone().unwrap_or_default(),
    };
    let pick = |config: Option<ValuesConfig>, this: ConditionField| {
        if field != this {
            return config;
        }
        config
            .filter(|v| !v.values.is_empty() || !v.regex_values.is_empty())
            .or(Some(legacy.clone()))
    };
    Some(RuleCondition {
        field,
        host_header_config: pick(
            c.host_header_config
                .as_ref()
                .map(|v| vals(&v.values, &v.regex_values)),
            ConditionField::HostHeader,
        ),
        path_pattern_config: pick(
            c.path_pattern_config
                .as_ref()
                .map(|v| vals(&v.values, &v.regex_values)),
            ConditionField::PathPattern,
        ),
        http_header_config: c.http_header_config.as_ref().map(|h| HttpHeaderConfig {
            http_header_name: h.http_header_name.clone().unwrap_or_default(),
            values: h.values.clone().unwrap_or_default(),
            regex_values: h.regex_values.clone().unwrap_or_default(),
        }),
        query_string_config: c.query_string_config.as_ref().map(|q| QueryStringConfig {
            values: q
                .values
                .iter()
                .flatten()
                .map(|kv| QueryStringKeyValue {
                    key: kv.key.clone(),
                    value: kv.value.clone().unwrap_or_default(),
                })
                .collect(),
        }),
        http_request_method_config: pick(
            c.http_request_method_config
                .as_ref()
                .map(|v| vals(&v.values, &None)),
            ConditionField::HttpRequestMethod,
        ),
        source_ip_config: pick(
            c.source_ip_config.as_ref().map(|v| vals(&v.values, &None)),
            ConditionField::SourceIp,
        ),
    })
}

pub fn to_sdk_transform(t: &Transform) -> sdk::RuleTransform {
    let rewrites = |r: &RewriteConfig| -> Vec<sdk::RewriteConfig> {
        r.rewrites
            .iter()
            .map(|x| {
                sdk::RewriteConfig::builder()
                    .regex(&x.regex)
                    .replace(&x.replace)
                    .build()
            })
            .collect()
    };
    sdk::RuleTransform::builder()
        .r#type(sdk::TransformTypeEnum::from(t.kind.as_str()))
        .set_host_header_rewrite_config(t.host_header_rewrite_config.as_ref().map(|r| {
            sdk::HostHeaderRewriteConfig::builder()
                .set_rewrites(Some(rewrites(r)))
                .build()
        }))
        .set_url_rewrite_config(t.url_rewrite_config.as_ref().map(|r| {
            sdk::UrlRewriteConfig::builder()
                .set_rewrites(Some(rewrites(r)))
                .build()
        }))
        .build()
}

pub fn from_sdk_transform(t: &sdk::RuleTransform) -> Transform {
    let rewrites = |r: &Option<Vec<sdk::RewriteConfig>>| RewriteConfig {
        rewrites: r
            .iter()
            .flatten()
            .map(|x| Rewrite {
                regex: x.regex.clone().unwrap_or_default(),
                replace: x.replace.clone().unwrap_or_default(),
            })
            .collect(),
    };
    Transform {
        kind: t
            .r#type
            .as_ref()
            .map(|k| k.as_str().to_string())
            .unwrap_or_default(),
        host_header_rewrite_config: t
            .host_header_rewrite_config
            .as_ref()
            .map(|r| rewrites(&r.rewrites)),
        url_rewrite_config: t.url_rewrite_config.as_ref().map(|r| rewrites(&r.rewrites)),
    }
}
