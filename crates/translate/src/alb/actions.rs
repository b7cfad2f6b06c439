//! A route rule's filters and backendRefs → the actions (and transforms) of its ALB rules.

use super::forward::forward;
use super::rule_error::RuleError;
use crate::context::Context;
use crate::refs;
use crate::routes::{Filter, PathModifier, Redirect, Route, RouteRule};
use crate::status::reasons::Reason;
use gantry_api::crds::{
    ActionType as LrcAction, AuthenticationSessionSpec, ListenerRuleConfigurationSpec,
};
use gantry_api::wire::GATEWAY_AWS_GROUP;
use gantry_model::{
    Action, AuthenticateCognitoConfig, AuthenticateOidcConfig, AuthenticationSession, JwtClaim,
    JwtValidationConfig, Protocol, RedirectConfig, TargetGroupStickinessConfig,
};
use gantry_snapshot::ObjectKey;
use std::collections::BTreeMap;

/// What a route rule contributes to each of its ALB rules.
#[derive(Clone, Debug, Default)]
pub struct RuleParts {
    pub actions: Vec<Action>,
    /// URLRewrite filter, turned into transforms per match.
    pub rewrite: Option<(Option<String>, Option<PathModifier>)>,
    /// `source-ip` CIDRs from a ListenerRuleConfiguration, with the match indexes they apply
    /// to (`None`: every match).
    pub source_ip: Vec<(Option<Vec<i32>>, Vec<String>)>,
    pub tags: BTreeMap<String, String>,
    /// Indexes into the context's `built_target_groups`.
    pub target_groups: Vec<usize>,
}

/// Builds the parts of one route rule. `Err` drops the rule, with why.
pub fn build<'a>(
    ctx: &mut Context<'a>,
    route: &'a Route,
    rule: &'a RouteRule,
    listener_protocol: Protocol,
) -> Result<RuleParts, RuleError> {
    if let Some(field) = rule.unsupported.first() {
        return Err(RuleError::UnsupportedField(field.to_string()));
    }
    if let Some(b) = rule
        .backend_refs
        .iter()
        .find(|b| !b.filter_types.is_empty())
    {
        return Err(RuleError::BackendFilters {
            name: b.name.clone(),
            filters: b.filter_types.join(", "),
        });
    }
    let mut lrc_names = Vec::new();
    let mut redirect: Option<&Redirect> = None;
    let mut rewrite = None;
    let mut unknown_extension = None;
    for f in &rule.filters {
        match f {
            Filter::ExtensionRef { group, kind, name }
                if group == GATEWAY_AWS_GROUP && kind == "ListenerRuleConfiguration" =>
            {
                lrc_names.push(name.clone())
            }
            Filter::ExtensionRef { group, kind, name } => {
                unknown_extension = Some(format!("{group}/{kind} {name}"))
            }
            Filter::RequestRedirect(r) if redirect.is_none() => redirect = Some(r),
            Filter::RequestRedirect(_) => {
                return Err(RuleError::SeveralRedirects);
            }
            Filter::UrlRewrite { hostname, path } => {
                rewrite = Some((hostname.clone(), path.clone()))
            }
            Filter::Unsupported(t) if t.ends_with("HeaderModifier") => {
                return Err(RuleError::HeaderModifier(t.clone()));
            }
            Filter::Unsupported(t) => {
                return Err(RuleError::UnsupportedFilter(t.clone()));
            }
        }
    }
    if redirect.is_some() && rewrite.is_some() {
        return Err(RuleError::RedirectAndRewrite);
    }
    let mut parts = RuleParts {
        rewrite,
        ..Default::default()
    };

    // A filter that cannot be resolved must not be skipped: the rule answers 500 instead.
    if let Some(ext) = unknown_extension {
        ctx.found.unresolved(
            route,
            refs_unresolved(
                Reason::InvalidKind,
                format!("ExtensionRef {ext} is not a kind gantry knows"),
            ),
        );
        parts
            .actions
            .push(Action::fixed_response(500, "text/plain", None));
        return Ok(parts);
    }
    let lrc = match lrc_names.as_slice() {
        [] => None,
        // A reference to an object that does not exist is an unresolved reference
        // (ResolvedRefs=False, BackendNotFound), like a filter of an unknown kind.
        [name] if !lrc_exists(ctx, route, name) => {
            ctx.found.unresolved(
                route,
                refs_unresolved(
                    Reason::BackendNotFound,
                    format!(
                        "ExtensionRef ListenerRuleConfiguration {}/{name} not found",
                        route.key.namespace
                    ),
                ),
            );
            parts
                .actions
                .push(Action::fixed_response(500, "text/plain", None));
            return Ok(parts);
        }
        [name] => match lookup_lrc(ctx, route, name) {
            Ok(spec) => {
                let key = ObjectKey::new(route.key.namespace.clone(), name);
                super::lrc_ignored::report(ctx, &key, &spec);
                Some(spec)
            }
            Err(message) => {
                ctx.found
                    .reject(route, Reason::IncompatibleFilters, message.to_string());
                parts
                    .actions
                    .push(Action::fixed_response(500, "text/plain", None));
                return Ok(parts);
            }
        },
        _ => {
            ctx.found.reject(
                route,
                Reason::IncompatibleFilters,
                "Only one ListenerRuleConfiguration can be referenced per route rule, found several".to_string(),
            );
            parts
                .actions
                .push(Action::fixed_response(500, "text/plain", None));
            return Ok(parts);
        }
    };

    let mut routing: Option<Action> = None;
    let mut stickiness = None;
    let mut redirect_query = None;
    if let Some(lrc) = &lrc {
        parts.tags = lrc.tags.clone().unwrap_or_default();
        for c in lrc.conditions.iter().flatten() {
            if let Some(ip) = &c.source_ip_config {
                parts
                    .source_ip
                    .push((c.match_indexes.clone(), ip.values.clone()));
            }
        }
        for (i, a) in lrc.actions.iter().flatten().enumerate() {
            match a.type_ {
                LrcAction::FixedResponse => {
                    if let Some(f) = &a.fixed_response_config {
                        routing = Some(Action::fixed_response(
                            u16::try_from(f.status_code).unwrap_or(500),
                            f.content_type.map(|c| c.as_str()).unwrap_or("text/plain"),
                            f.message_body.clone(),
                        ));
                    }
                }
                LrcAction::Forward => {
                    stickiness = a
                        .forward_config
                        .as_ref()
                        .and_then(|f| f.target_group_stickiness_config.as_ref())
                        .map(|s| TargetGroupStickinessConfig {
                            enabled: s.enabled.unwrap_or(false),
                            duration_seconds: s.duration_seconds,
                        })
                }
                LrcAction::Redirect => {
                    if redirect.is_none() {
                        return Err(RuleError::RedirectActionWithoutFilter);
                    }
                    redirect_query = a.redirect_config.as_ref().and_then(|r| r.query.clone());
                }
                // The ALB authenticates on HTTPS listeners only. Like the established
                // controller, the rule still routes there; unlike it, the Gateway says so.
                _ if listener_protocol != Protocol::Https => {
                    ctx.found.ignored(format!(
                        "ListenerRuleConfiguration {}/{}: actions[{i}] {} is not applied on the {} listeners of route {}, which therefore forward requests unauthenticated (an ALB authenticates on HTTPS listeners only)",
                        route.key.namespace,
                        lrc_names[0],
                        a.type_.as_str(),
                        listener_protocol.as_str(),
                        route.display()
                    ));
                }
                LrcAction::AuthenticateCognito => {
                    if let Some(c) = &a.authenticate_cognito_config {
                        parts.actions.push(Action::authenticate_cognito(
                            AuthenticateCognitoConfig {
                                user_pool_arn: c.user_pool_arn.clone(),
                                user_pool_client_id: c.user_pool_client_id.clone(),
                                user_pool_domain: c.user_pool_domain.clone(),
                                session: session(&c.session),
                            },
                        ))
                    }
                }
                LrcAction::AuthenticateOidc => {
                    if let Some(c) = &a.authenticate_oidc_config {
                        let (client_id, client_secret) =
                            oidc_credentials(ctx, &route.key.namespace, &c.secret.name)?;
                        parts
                            .actions
                            .push(Action::authenticate_oidc(AuthenticateOidcConfig {
                                issuer: c.issuer.clone(),
                                authorization_endpoint: c.authorization_endpoint.clone(),
                                token_endpoint: c.token_endpoint.clone(),
                                user_info_endpoint: c.user_info_endpoint.clone(),
                                client_id,
                                client_secret,
                                session: session(&c.session),
                            }))
                    }
                }
                LrcAction::JwtValidation => {
                    if let Some(c) = &a.jwt_validation_config {
                        parts
                            .actions
                            .push(Action::jwt_validation(JwtValidationConfig {
                                issuer: c.issuer.clone(),
                                jwks_endpoint: c.jwks_endpoint.clone(),
                                additional_claims: c
                                    .additional_claims
                                    .iter()
                                    .flatten()
                                    .map(|x| JwtClaim {
                                        format: x.format.as_str().to_string(),
                                        name: x.name.clone(),
                                        values: x.values.clone(),
                                    })
                                    .collect(),
                            }))
                    }
                }
            }
        }
    }

    let routing = match (routing, redirect) {
        (Some(fixed), _) => fixed,
        (None, Some(r)) => Action::redirect(redirect_config(r, redirect_query)?),
        (None, None) => forward(
            ctx,
            route,
            rule,
            listener_protocol,
            stickiness,
            &mut parts.target_groups,
        )?,
    };
    // Most rules have no other action; an exact capacity spares a larger allocation.
    parts.actions.reserve_exact(1);
    parts.actions.push(routing);
    for (i, a) in parts.actions.iter_mut().enumerate() {
        a.order = Some(i as i32 + 1);
    }
    Ok(parts)
}

fn refs_unresolved(reason: Reason, message: String) -> refs::Unresolved {
    refs::Unresolved { reason, message }
}

fn lrc_exists(ctx: &Context<'_>, route: &Route, name: &str) -> bool {
    ctx.snapshot
        .listener_rule_configurations
        .contains_key(&ObjectKey::new(route.key.namespace.clone(), name))
}

fn lookup_lrc(
    ctx: &Context<'_>,
    route: &Route,
    name: &str,
) -> Result<ListenerRuleConfigurationSpec, RuleError> {
    let key = ObjectKey::new(route.key.namespace.clone(), name);
    let lrc = ctx
        .snapshot
        .listener_rule_configurations
        .get(&key)
        .ok_or_else(|| RuleError::LrcNotFound(key.clone()))?;
    if let Some(status) = &lrc.status
        && status.accepted == Some(false)
    {
        return Err(RuleError::LrcNotAccepted {
            message: status
                .message
                .as_deref()
                .unwrap_or("status unknown")
                .to_string(),
            key,
        });
    }
    Ok(lrc.spec.clone())
}

/// Client id and secret of an OIDC action, from a Secret in the route's namespace.
/// The session a ListenerRuleConfiguration asks of an authenticate action.
fn session(spec: &AuthenticationSessionSpec) -> AuthenticationSession {
    AuthenticationSession {
        scope: spec.scope.clone(),
        session_cookie_name: spec.session_cookie_name.clone(),
        session_timeout: spec.session_timeout,
        on_unauthenticated_request: spec
            .on_unauthenticated_request
            .map(|o| o.as_str().to_string()),
        authentication_request_extra_params: spec
            .authentication_request_extra_params
            .clone()
            .unwrap_or_default(),
    }
}

fn oidc_credentials(
    ctx: &Context<'_>,
    namespace: &str,
    name: &str,
) -> Result<(String, String), RuleError> {
    let key = ObjectKey::new(namespace, name);
    let secret = ctx
        .snapshot
        .secrets
        .get(&key)
        .ok_or_else(|| RuleError::OidcSecretNotFound(key.clone()))?;
    let get = |k: &str| -> Option<String> {
        secret
            .data
            .as_ref()
            .and_then(|d| d.get(k))
            .map(|b| String::from_utf8_lossy(&b.0).into_owned())
            .or_else(|| secret.string_data.as_ref().and_then(|d| d.get(k)).cloned())
    };
    let missing = |what| RuleError::OidcSecretKey {
        secret: key.clone(),
        key: what,
    };
    let id = get("clientID")
        .or_else(|| get("clientId"))
        .ok_or_else(|| missing("clientID"))?;
    let secret = get("clientSecret").ok_or_else(|| missing("clientSecret"))?;
    Ok((
        id.trim_end().to_string(),
        secret.trim_end_matches(char::is_control).to_string(),
    ))
}

fn redirect_config(r: &Redirect, query: Option<String>) -> Result<RedirectConfig, RuleError> {
    let status_code = match r.status_code.unwrap_or(302) {
        301 => "HTTP_301",
        302 => "HTTP_302",
        other => {
            return Err(RuleError::RedirectStatus(other));
        }
    };
    let protocol = match r.scheme.as_deref() {
        None => None,
        Some("http") => Some("HTTP".to_string()),
        Some("https") => Some("HTTPS".to_string()),
        Some(other) => {
            return Err(RuleError::RedirectScheme(other.to_string()));
        }
    };
    // Gateway API: without a port, a redirect to another scheme goes to its well-known port.
    let port = r
        .port
        .map(|p| p.to_string())
        .or_else(|| match r.scheme.as_deref() {
            Some("http") => Some("80".to_string()),
            Some("https") => Some("443".to_string()),
            _ => None,
        });
    let path = match &r.path {
        None => None,
        Some(PathModifier::ReplaceFullPath(p)) => {
            if p.contains(['*', '?']) {
                return Err(RuleError::RedirectPathWildcard(p.clone()));
            }
            Some(p.clone())
        }
        Some(PathModifier::ReplacePrefixMatch(_)) => {
            return Err(RuleError::RedirectPrefix);
        }
    };
    Ok(RedirectConfig {
        protocol,
        port,
        host: r.hostname.clone(),
        path,
        query,
        status_code: status_code.to_string(),
    })
}
