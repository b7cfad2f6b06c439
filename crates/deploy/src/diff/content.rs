//! Canonical forms of actions and conditions, so that what AWS describes compares equal to
//! what the plan asks for when they mean the same thing.
//!
//! AWS fills in defaults (forward weight 1, stickiness off, redirect `#{…}` placeholders,
//! OIDC scope `openid` …), may return values in another order, and never returns client
//! secrets. Both sides go through [`actions`] / [`conditions`] before being compared.

use gantry_model::{
    Action, ActionType, AuthenticateCognitoConfig, AuthenticateOidcConfig, AuthenticationSession,
    RuleCondition, TargetGroupStickinessConfig, Transform,
};

/// The part of a listener rule that decides what it matches and does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleContent {
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<Action>,
    pub transforms: Vec<Transform>,
}

impl RuleContent {
    /// Builds the canonical content; actions must already carry real ARNs.
    pub fn new(
        conditions: Vec<RuleCondition>,
        actions: Vec<Action>,
        transforms: Vec<Transform>,
    ) -> Self {
        RuleContent {
            conditions: self::conditions(conditions),
            actions: self::actions(actions),
            transforms,
        }
    }
}

pub fn conditions(mut list: Vec<RuleCondition>) -> Vec<RuleCondition> {
    for c in &mut list {
        for v in c.value_lists_mut() {
            v.values.sort();
            v.regex_values.sort();
        }
        if let Some(q) = &mut c.query_string_config {
            q.values.sort();
        }
    }
    list.sort();
    list
}

pub fn actions(list: Vec<Action>) -> Vec<Action> {
    let mut out: Vec<Action> = list
        .into_iter()
        .enumerate()
        .map(|(i, a)| action(a, i as i32 + 1))
        .collect();
    out.sort_by_key(|a| a.order);
    out
}

fn action(mut a: Action, position: i32) -> Action {
    // AWS numbers actions 1… when the order is not given.
    a.order = Some(a.order.unwrap_or(position));
    if let Some(f) = &mut a.forward_config {
        for t in &mut f.target_groups {
            t.weight = Some(t.weight.unwrap_or(1));
        }
        f.target_groups
            .sort_by(|x, y| x.target_group_arn.cmp(&y.target_group_arn));
        let sticky =
            f.target_group_stickiness_config
                .take()
                .unwrap_or(TargetGroupStickinessConfig {
                    enabled: false,
                    duration_seconds: None,
                });
        f.target_group_stickiness_config = Some(if sticky.enabled {
            sticky
        } else {
            TargetGroupStickinessConfig {
                enabled: false,
                duration_seconds: None,
            }
        });
    }
    if let Some(r) = &mut a.redirect_config {
        let fill = |v: &mut Option<String>, default: &str| {
            if v.is_none() {
                *v = Some(default.to_string());
            }
        };
        fill(&mut r.protocol, "#{protocol}");
        fill(&mut r.port, "#{port}");
        fill(&mut r.host, "#{host}");
        fill(&mut r.path, "/#{path}");
        fill(&mut r.query, "#{query}");
    }
    if let Some(o) = &mut a.authenticate_oidc_config {
        oidc(o);
    }
    if let Some(c) = &mut a.authenticate_cognito_config {
        cognito(c);
    }
    if a.kind == ActionType::FixedResponse
        && let Some(f) = &mut a.fixed_response_config
        && f.content_type.is_none()
    {
        f.content_type = Some("text/plain".to_string());
    }
    a
}

const SESSION_COOKIE: &str = "AWSELBAuthSessionCookie";
const SESSION_TIMEOUT: i64 = 604_800;

fn oidc(o: &mut AuthenticateOidcConfig) {
    // AWS never returns the secret: a changed secret alone is not detected.
    o.client_secret.clear();
    session(&mut o.session);
}

fn cognito(c: &mut AuthenticateCognitoConfig) {
    session(&mut c.session);
}

fn session(s: &mut AuthenticationSession) {
    s.scope.get_or_insert_with(|| "openid".to_string());
    s.session_cookie_name
        .get_or_insert_with(|| SESSION_COOKIE.to_string());
    s.session_timeout.get_or_insert(SESSION_TIMEOUT);
    s.on_unauthenticated_request
        .get_or_insert_with(|| "authenticate".to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use gantry_model::{ArnRef, ForwardConfig, RedirectConfig, TargetGroupTuple};

    fn forward(tgs: &[(&str, Option<i32>)]) -> Action {
        Action::forward(ForwardConfig {
            target_groups: tgs
                .iter()
                .map(|(arn, w)| TargetGroupTuple {
                    target_group_arn: ArnRef::Existing(arn.to_string()),
                    weight: *w,
                })
                .collect(),
            target_group_stickiness_config: None,
        })
    }

    #[test]
    fn forward_defaults_and_order_do_not_matter() {
        let planned = actions(vec![forward(&[("arn:b", None), ("arn:a", Some(1))])]);
        let mut described = forward(&[("arn:a", Some(1)), ("arn:b", Some(1))]);
        described.order = Some(1);
        described
            .forward_config
            .as_mut()
            .unwrap()
            .target_group_stickiness_config = Some(TargetGroupStickinessConfig {
            enabled: false,
            duration_seconds: Some(3600),
        });
        assert_eq!(planned, actions(vec![described]));
        assert_ne!(
            planned,
            actions(vec![forward(&[("arn:a", Some(1)), ("arn:b", Some(2))])])
        );
    }

    #[test]
    fn redirect_placeholders_are_the_defaults() {
        let planned = Action::redirect(RedirectConfig {
            protocol: Some("HTTPS".into()),
            port: Some("443".into()),
            host: None,
            path: None,
            query: None,
            status_code: "HTTP_301".into(),
        });
        let described = Action::redirect(RedirectConfig {
            protocol: Some("HTTPS".into()),
            port: Some("443".into()),
            host: Some("#{host}".into()),
            path: Some("/#{path}".into()),
            query: Some("#{query}".into()),
            status_code: "HTTP_301".into(),
        });
        assert_eq!(actions(vec![planned]), actions(vec![described]));
    }

    #[test]
    fn session_settings_left_out_are_the_defaults_aws_fills_in() {
        let cognito = |scope: Option<&str>, timeout: Option<i64>| {
            Action::authenticate_cognito(AuthenticateCognitoConfig {
                user_pool_arn: "arn:pool".into(),
                user_pool_client_id: "client".into(),
                user_pool_domain: "login".into(),
                session: AuthenticationSession {
                    scope: scope.map(str::to_string),
                    session_cookie_name: timeout.map(|_| SESSION_COOKIE.to_string()),
                    session_timeout: timeout,
                    on_unauthenticated_request: timeout.map(|_| "authenticate".to_string()),
                    authentication_request_extra_params: Default::default(),
                },
            })
        };
        let planned = actions(vec![cognito(None, None)]);
        let described = actions(vec![cognito(Some("openid"), Some(SESSION_TIMEOUT))]);
        assert_eq!(planned, described);
        let shorter = actions(vec![cognito(Some("openid"), Some(3600))]);
        assert_ne!(planned, shorter);
        let session = &planned[0]
            .authenticate_cognito_config
            .as_ref()
            .unwrap()
            .session;
        assert_eq!(session.session_timeout, Some(604_800));
        assert_eq!(session.scope.as_deref(), Some("openid"));
    }

    #[test]
    fn condition_value_order_does_not_matter() {
        let a = conditions(vec![
            RuleCondition::path_pattern(vec!["/b".into(), "/a".into()]),
            RuleCondition::host_header(vec!["x.example.com".into()]),
        ]);
        let b = conditions(vec![
            RuleCondition::host_header(vec!["x.example.com".into()]),
            RuleCondition::path_pattern(vec!["/a".into(), "/b".into()]),
        ]);
        assert_eq!(a, b);
    }
}
