//! Why a route rule's filters and backendRefs cannot become ALB actions: the message of the
//! dropped rule (or rejected filter), word for word.

use super::forward::ForwardError;
use gantry_snapshot::ObjectKey;
use thiserror::Error;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RuleError {
    #[error("{0} cannot be expressed on an ALB")]
    UnsupportedField(String),
    #[error("backendRef {name} has filters ({filters}); an ALB cannot apply filters per backend")]
    BackendFilters { name: String, filters: String },
    #[error("more than one RequestRedirect filter")]
    SeveralRedirects,
    #[error(
        "filter {0} cannot be expressed on an ALB (header modification is available through LoadBalancerConfiguration listenerAttributes)"
    )]
    HeaderModifier(String),
    #[error("filter {0} cannot be expressed on an ALB")]
    UnsupportedFilter(String),
    #[error("RequestRedirect and URLRewrite cannot be combined")]
    RedirectAndRewrite,
    #[error(
        "a ListenerRuleConfiguration redirect action needs a RequestRedirect filter on the same rule"
    )]
    RedirectActionWithoutFilter,
    #[error("ListenerRuleConfiguration {0} not found")]
    LrcNotFound(ObjectKey),
    #[error("ListenerRuleConfiguration {key} is not accepted: {message}")]
    LrcNotAccepted { key: ObjectKey, message: String },
    #[error("Secret {0} for OIDC authentication not found")]
    OidcSecretNotFound(ObjectKey),
    #[error("Secret {secret} has no {key}")]
    OidcSecretKey {
        secret: ObjectKey,
        key: &'static str,
    },
    #[error("redirect status code {0}: the ALB redirects with 301 or 302 only")]
    RedirectStatus(i64),
    #[error("redirect scheme {0}: the ALB redirects to http or https only")]
    RedirectScheme(String),
    #[error("redirect path {0} contains * or ?")]
    RedirectPathWildcard(String),
    #[error("redirect with replacePrefixMatch cannot be expressed as an ALB redirect")]
    RedirectPrefix,
    #[error(transparent)]
    Forward(#[from] ForwardError),
}
