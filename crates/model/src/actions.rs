use crate::ArnRef;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A listener or rule action, shaped as the ELBv2 `Action`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Action {
    #[serde(rename = "Type")]
    pub kind: ActionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_config: Option<ForwardConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_config: Option<RedirectConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_response_config: Option<FixedResponseConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticate_oidc_config: Option<AuthenticateOidcConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticate_cognito_config: Option<AuthenticateCognitoConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_validation_config: Option<JwtValidationConfig>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionType {
    Forward,
    Redirect,
    FixedResponse,
    AuthenticateOidc,
    AuthenticateCognito,
    JwtValidation,
}

impl ActionType {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::Forward => "forward",
            ActionType::Redirect => "redirect",
            ActionType::FixedResponse => "fixed-response",
            ActionType::AuthenticateOidc => "authenticate-oidc",
            ActionType::AuthenticateCognito => "authenticate-cognito",
            ActionType::JwtValidation => "jwt-validation",
        }
    }
}

impl Action {
    fn of(kind: ActionType) -> Self {
        Action {
            kind,
            order: None,
            forward_config: None,
            redirect_config: None,
            fixed_response_config: None,
            authenticate_oidc_config: None,
            authenticate_cognito_config: None,
            jwt_validation_config: None,
        }
    }

    pub fn forward(config: ForwardConfig) -> Self {
        Action {
            forward_config: Some(config),
            ..Self::of(ActionType::Forward)
        }
    }

    pub fn redirect(config: RedirectConfig) -> Self {
        Action {
            redirect_config: Some(config),
            ..Self::of(ActionType::Redirect)
        }
    }

    pub fn fixed_response(status: u16, content_type: &str, body: Option<String>) -> Self {
        Action {
            fixed_response_config: Some(FixedResponseConfig {
                status_code: status.to_string(),
                content_type: Some(content_type.to_string()),
                message_body: body,
            }),
            ..Self::of(ActionType::FixedResponse)
        }
    }

    pub fn authenticate_oidc(config: AuthenticateOidcConfig) -> Self {
        Action {
            authenticate_oidc_config: Some(config),
            ..Self::of(ActionType::AuthenticateOidc)
        }
    }

    pub fn authenticate_cognito(config: AuthenticateCognitoConfig) -> Self {
        Action {
            authenticate_cognito_config: Some(config),
            ..Self::of(ActionType::AuthenticateCognito)
        }
    }

    pub fn jwt_validation(config: JwtValidationConfig) -> Self {
        Action {
            jwt_validation_config: Some(config),
            ..Self::of(ActionType::JwtValidation)
        }
    }

    /// Target groups this action forwards to.
    pub fn target_groups(&self) -> impl Iterator<Item = &ArnRef> {
        self.forward_config
            .iter()
            .flat_map(|f| f.target_groups.iter().map(|t| &t.target_group_arn))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ForwardConfig {
    pub target_groups: Vec<TargetGroupTuple>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_group_stickiness_config: Option<TargetGroupStickinessConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupTuple {
    pub target_group_arn: ArnRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<i32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupStickinessConfig {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<i32>,
}

/// Redirect; unset parts keep the ALB's `#{…}` defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RedirectConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `HTTP_301` or `HTTP_302`.
    pub status_code: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FixedResponseConfig {
    pub status_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_body: Option<String>,
}

/// Its `Debug` (logs, error messages) shows the client secret as `<redacted>`, like its JSON.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticateOidcConfig {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub user_info_endpoint: String,
    pub client_id: String,
    /// Printed as `<redacted>`: plans must never show a Secret's value.
    #[serde(serialize_with = "redact")]
    pub client_secret: String,
    #[serde(flatten)]
    pub session: AuthenticationSession,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticateCognitoConfig {
    pub user_pool_arn: String,
    pub user_pool_client_id: String,
    pub user_pool_domain: String,
    #[serde(flatten)]
    pub session: AuthenticationSession,
}

/// How an authenticating action asks the IdP and keeps the session, alike for Cognito and OIDC.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthenticationSession {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_cookie_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_timeout: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_unauthenticated_request: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authentication_request_extra_params: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JwtValidationConfig {
    pub issuer: String,
    pub jwks_endpoint: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub additional_claims: Vec<JwtClaim>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct JwtClaim {
    pub format: String,
    pub name: String,
    pub values: Vec<String>,
}

/// A rule transform (`host-header-rewrite` or `url-rewrite`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transform {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_header_rewrite_config: Option<RewriteConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_rewrite_config: Option<RewriteConfig>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RewriteConfig {
    pub rewrites: Vec<Rewrite>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rewrite {
    pub regex: String,
    pub replace: String,
}

fn redact<S: serde::Serializer>(_: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("<redacted>")
}

impl std::fmt::Debug for AuthenticateOidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthenticateOidcConfig")
            .field("issuer", &self.issuer)
            .field("authorization_endpoint", &self.authorization_endpoint)
            .field("token_endpoint", &self.token_endpoint)
            .field("user_info_endpoint", &self.user_info_endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("session", &self.session)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_secret_is_never_printed() {
        let config = AuthenticateOidcConfig {
            issuer: "https://idp".to_string(),
            authorization_endpoint: "https://idp/auth".to_string(),
            token_endpoint: "https://idp/token".to_string(),
            user_info_endpoint: "https://idp/userinfo".to_string(),
            client_id: "client".to_string(),
            client_secret: "hunter2".to_string(),
            session: AuthenticationSession::default(),
        };
        for printed in [
            format!("{config:?}"),
            format!("{config:#?}"),
            serde_json::to_string(&config).unwrap(),
        ] {
            assert!(!printed.contains("hunter2"), "{printed}");
            assert!(printed.contains("<redacted>"), "{printed}");
        }
    }
}
