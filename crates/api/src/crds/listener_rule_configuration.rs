//! `ListenerRuleConfiguration` (`gateway.k8s.aws/v1`): ALB rule features (authentication,
//! fixed responses, stickiness, source-IP conditions) that a route rule pulls in through an
//! `ExtensionRef` filter.

use super::wire_enum::wire_enum;
use kube::CustomResource;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Extra actions and conditions for the ALB rules of one route rule.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "gateway.k8s.aws",
    version = "v1",
    kind = "ListenerRuleConfiguration",
    namespaced,
    status = "ListenerRuleConfigurationStatus",
    derive = "PartialEq",
    doc = "ListenerRuleConfiguration is the Schema for the ListenerRuleConfiguration API",
    printcolumn(
        name = "AGE",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "message": "At least one action must be specified if actions field is present",
        "rule": "!has(self.actions) || size(self.actions) > 0",
    },
    {
        "message": "Only forward, redirect, authenticate-oidc, authenticate-cognito, jwt-validation, and fixed-response action types are supported",
        "rule": "!has(self.actions) || self.actions.all(a, a.type == 'authenticate-oidc' || a.type == 'authenticate-cognito' || a.type == 'jwt-validation' || a.type == 'fixed-response' || a.type == 'forward' || a.type == 'redirect')",
    },
    {
        "message": "At most one pre-routing action (authenticate-oidc, authenticate-cognito, or jwt-validation) can be specified",
        "rule": "!has(self.actions) || size(self.actions.filter(a, a.type == 'authenticate-oidc' || a.type == 'authenticate-cognito' || a.type == 'jwt-validation')) <= 1",
    },
    {
        "message": "At most one routing action (fixed-response or forward or redirect) can be specified",
        "rule": "!has(self.actions) || size(self.actions.filter(a, a.type == 'fixed-response' || a.type == 'forward' || a.type == 'redirect')) <= 1",
    },
]))]
pub struct ListenerRuleConfigurationSpec {
    /// At most one pre-routing action (authentication, JWT validation) and one routing action.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 2))]
    pub actions: Option<Vec<Action>>,
    /// Conditions ANDed into the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub conditions: Option<Vec<ListenerRuleCondition>>,
    /// AWS tags of the generated listener rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
}

/// Written by the controller after checking the configuration (e.g. that OIDC secrets exist).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListenerRuleConfigurationStatus {
    /// Whether routes may use this configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted: Option<bool>,
    /// `Accepted`, or why not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `metadata.generation` the status describes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// One rule action. Exactly the config block matching `type` must be present.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {
        "message": "forwardConfig must be specified only when type is 'forward'",
        "rule": "has(self.type) && self.type == 'forward' ? has(self.forwardConfig) : !has(self.forwardConfig)",
    },
    {
        "message": "redirectConfig must be specified only when type is 'redirect'",
        "rule": "has(self.type) && self.type == 'redirect' ? has(self.redirectConfig) : !has(self.redirectConfig)",
    },
    {
        "message": "fixedResponseConfig must be specified only when type is 'fixed-response'",
        "rule": "has(self.type) && self.type == 'fixed-response' ? has(self.fixedResponseConfig) : !has(self.fixedResponseConfig)",
    },
    {
        "message": "authenticateCognitoConfig must be specified only when type is 'authenticate-cognito'",
        "rule": "has(self.type) && self.type == 'authenticate-cognito' ? has(self.authenticateCognitoConfig) : !has(self.authenticateCognitoConfig)",
    },
    {
        "message": "authenticateOIDCConfig must be specified only when type is 'authenticate-oidc'",
        "rule": "has(self.type) && self.type == 'authenticate-oidc' ? has(self.authenticateOIDCConfig) : !has(self.authenticateOIDCConfig)",
    },
    {
        "message": "jwtValidationConfig must be specified only when type is 'jwt-validation'",
        "rule": "has(self.type) && self.type == 'jwt-validation' ? has(self.jwtValidationConfig) : !has(self.jwtValidationConfig)",
    },
]))]
pub struct Action {
    /// Kind of action.
    #[serde(rename = "type")]
    pub type_: ActionType,
    /// Only target group stickiness; the rest of a forward comes from the route's backendRefs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_config: Option<ForwardActionConfig>,
    /// Only the query; the rest of a redirect comes from the route's RequestRedirect filter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_config: Option<RedirectActionConfig>,
    /// Fixed response that replaces forwarding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_response_config: Option<FixedResponseActionConfig>,
    /// Amazon Cognito authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticate_cognito_config: Option<AuthenticateCognitoActionConfig>,
    /// OpenID Connect authentication.
    #[serde(
        rename = "authenticateOIDCConfig",
        skip_serializing_if = "Option::is_none"
    )]
    pub authenticate_oidc_config: Option<AuthenticateOidcActionConfig>,
    /// JWT validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwt_validation_config: Option<JwtValidationActionConfig>,
}

wire_enum! {
    /// Type of a rule action.
    pub enum ActionType {
        Forward = "forward",
        FixedResponse = "fixed-response",
        Redirect = "redirect",
        AuthenticateCognito = "authenticate-cognito",
        AuthenticateOidc = "authenticate-oidc",
        JwtValidation = "jwt-validation",
    }
}

impl ActionType {
    /// Pre-routing actions run before the routing action and only on HTTPS listeners.
    pub const fn is_pre_routing(self) -> bool {
        matches!(
            self,
            Self::AuthenticateCognito | Self::AuthenticateOidc | Self::JwtValidation
        )
    }
}

/// Forward settings the configuration can add.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ForwardActionConfig {
    /// Target group stickiness of the rule's forward action.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = {}))]
    pub target_group_stickiness_config: Option<TargetGroupStickinessConfig>,
}

/// Stickiness across the target groups of a forward action.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupStickinessConfig {
    /// Seconds a client stays on one target group.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 604800), extend("default" = 3600))]
    pub duration_seconds: Option<i32>,
    /// Whether stickiness is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = false))]
    pub enabled: Option<bool>,
}

/// Redirect settings the configuration can add.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct RedirectActionConfig {
    /// Query of the redirect target, without the leading `?`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "#{query}"))]
    pub query: Option<String>,
}

/// A fixed response.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FixedResponseActionConfig {
    /// HTTP status code (2XX, 4XX or 5XX).
    #[schemars(extend("x-kubernetes-validations" = [{
        "message": "StatusCode must be a valid HTTP status code in the 2XX, 4XX, or 5XX range",
        "rule": "(self >= 200 && self <= 299) || (self >= 400 && self <= 599)",
    }]))]
    pub status_code: i32,
    /// Content type of the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "text/plain"))]
    pub content_type: Option<FixedResponseContentType>,
    /// Body of the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_body: Option<String>,
}

wire_enum! {
    /// Content types ALB allows in fixed responses.
    pub enum FixedResponseContentType {
        TextPlain = "text/plain",
        TextCss = "text/css",
        TextHtml = "text/html",
        ApplicationJavascript = "application/javascript",
        ApplicationJson = "application/json",
    }
}

wire_enum! {
    /// What an authenticate action does with unauthenticated requests.
    pub enum OnUnauthenticatedRequest {
        Deny = "deny",
        Allow = "allow",
        Authenticate = "authenticate",
    }
}

/// Amazon Cognito authentication.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticateCognitoActionConfig {
    /// ARN of the user pool.
    pub user_pool_arn: String,
    /// ID of the user pool client.
    pub user_pool_client_id: String,
    /// Domain prefix or FQDN of the user pool.
    pub user_pool_domain: String,
    /// The session both kinds of authentication keep.
    #[serde(flatten)]
    pub session: AuthenticationSessionSpec,
}

/// OpenID Connect authentication. Client ID and secret come from a Secret, never the spec.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticateOidcActionConfig {
    /// Authorization endpoint of the IdP (full https URL).
    pub authorization_endpoint: String,
    /// Issuer of the IdP (full https URL).
    pub issuer: String,
    /// Token endpoint of the IdP (full https URL).
    pub token_endpoint: String,
    /// User info endpoint of the IdP (full https URL).
    pub user_info_endpoint: String,
    /// Secret, in the configuration's namespace, holding `clientID` and `clientSecret`.
    pub secret: SecretReference,
    /// The session both kinds of authentication keep.
    #[serde(flatten)]
    pub session: AuthenticationSessionSpec,
    /// Keep the existing client secret on modification (unused by Gateway translation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_existing_client_secret: Option<bool>,
}

/// How an authenticating action asks the IdP and keeps the session, alike for Cognito and OIDC.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationSessionSpec {
    /// Query parameters added to the authorization request (up to 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("maxProperties" = 10))]
    pub authentication_request_extra_params: Option<BTreeMap<String, String>>,
    /// What happens to unauthenticated requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "authenticate"))]
    pub on_unauthenticated_request: Option<OnUnauthenticatedRequest>,
    /// User claims requested from the IdP.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "openid"))]
    pub scope: Option<String>,
    /// Name of the session cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("default" = "AWSELBAuthSessionCookie"))]
    pub session_cookie_name: Option<String>,
    /// Session lifetime in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 604800), extend("default" = 604800))]
    pub session_timeout: Option<i64>,
}

/// Reference to a Secret in the configuration's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct SecretReference {
    /// Name of the Secret.
    pub name: String,
}

/// JWT validation of requests.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JwtValidationActionConfig {
    /// Expected issuer of the JWT.
    #[schemars(length(max = 256))]
    pub issuer: String,
    /// JWKS endpoint (full https URL).
    #[schemars(length(max = 256))]
    pub jwks_endpoint: String,
    /// Further claims to check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_claims: Option<Vec<JwtValidationAdditionalClaim>>,
}

/// A claim a JWT must carry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct JwtValidationAdditionalClaim {
    /// How the claim's value is encoded.
    pub format: ClaimFormat,
    /// Claim name; `exp`, `iss`, `nbf` and `iat` are always checked and cannot be listed.
    #[schemars(length(min = 1))]
    pub name: String,
    /// Accepted values.
    #[schemars(length(min = 1, max = 10), inner(length(max = 256)))]
    pub values: Vec<String>,
}

wire_enum! {
    /// Encoding of a JWT claim value.
    pub enum ClaimFormat {
        SingleString = "single-string",
        StringArray = "string-array",
        SpaceSeparatedValues = "space-separated-values",
    }
}

/// An extra rule condition.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "message": "sourceIPConfig must be specified only when field is 'source-ip'",
    "rule": "has(self.field) && self.field == 'source-ip' ? has(self.sourceIPConfig) : !has(self.sourceIPConfig)",
}]))]
pub struct ListenerRuleCondition {
    /// Request field the condition tests.
    pub field: ConditionField,
    /// Client CIDRs, for `source-ip`.
    #[serde(rename = "sourceIPConfig", skip_serializing_if = "Option::is_none")]
    pub source_ip_config: Option<SourceIpConfig>,
    /// Indexes into the route rule's `matches` whose ALB rules get the condition; all when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<GoInt>>")]
    pub match_indexes: Option<Vec<i32>>,
}

wire_enum! {
    /// Request fields a condition can test.
    pub enum ConditionField {
        SourceIp = "source-ip",
    }
}

/// Source-IP condition values.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct SourceIpConfig {
    /// Client CIDRs.
    #[schemars(length(min = 1))]
    pub values: Vec<String>,
}

/// Schema of a Go `int`: an integer without `format`, as the reference CRD declares
/// `matchIndexes` items.
struct GoInt;

impl JsonSchema for GoInt {
    fn schema_name() -> Cow<'static, str> {
        "GoInt".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer" })
    }
}
