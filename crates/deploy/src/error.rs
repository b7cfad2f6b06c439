//! Errors of the deployer, classified so that callers know whether to retry.

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use std::fmt;
use std::future::Future;

pub type Result<T, E = Error> = std::result::Result<T, E>;
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How a failure should be handled: retried soon, retried with backoff, or reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorClass {
    /// AWS rate limits (`Throttling`, `RequestLimitExceeded`): back off and retry.
    Throttled,
    /// Network failures, timeouts and 5xx answers: retry.
    Transient,
    /// Someone else changed the resource meanwhile, or a name or priority is taken: re-read and
    /// retry (`PriorityInUse`, `Duplicate*`, `ResourceInUse`, `DependencyViolation`).
    Conflict,
    /// The request can never succeed as it is: a bad plan or a quota. Report; don't hammer.
    Invalid,
    /// A resource vanished between discovery and use: re-read and retry.
    NotFound,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Throttled => "throttled",
            ErrorClass::Transient => "transient",
            ErrorClass::Conflict => "conflict",
            ErrorClass::Invalid => "invalid",
            ErrorClass::NotFound => "not_found",
        }
    }

    /// Whether an immediate or backed-off retry of the whole apply may succeed.
    pub fn is_retryable(self) -> bool {
        !matches!(self, ErrorClass::Invalid)
    }

    /// Classifies an AWS error code (ELBv2 and EC2 spell them differently).
    pub fn from_code(code: &str) -> ErrorClass {
        match code {
            "Throttling"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "TooManyRequests"
            | "RequestThrottled"
            | "SlowDown" => ErrorClass::Throttled,
            "InternalFailure"
            | "InternalError"
            | "ServiceUnavailable"
            | "Unavailable"
            | "RequestTimeout"
            | "RequestTimeoutException" => ErrorClass::Transient,
            "PriorityInUse"
            | "ResourceInUse"
            | "DependencyViolation"
            | "InvalidGroup.Duplicate"
            | "InvalidPermission.Duplicate"
            | "IncorrectState"
            | "OperationNotPermitted" => ErrorClass::Conflict,
            c if c.starts_with("Duplicate") => ErrorClass::Conflict,
            c if c.ends_with("NotFound") || c.ends_with(".NotFound") => ErrorClass::NotFound,
            _ => ErrorClass::Invalid,
        }
    }
}

/// The AWS API call that failed; the variant names of [`Error::Call`] callers see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(clippy::enum_variant_names)]
pub enum Operation {
    DescribeLoadBalancers,
    DescribeLoadBalancerAttributes,
    DescribeTargetGroups,
    DescribeTargetGroupAttributes,
    DescribeTargetHealth,
    DescribeListeners,
    DescribeListenerAttributes,
    DescribeListenerCertificates,
    DescribeRules,
    DescribeTags,
    DescribeSubnets,
    DescribeSecurityGroups,
    ListCertificates,
    DescribeCertificate,
    ListTagsForCertificate,
    ImportCertificate,
    AddTagsToCertificate,
    DeleteCertificate,
    CreateLoadBalancer,
    DeleteLoadBalancer,
    ModifyLoadBalancerAttributes,
    ModifyCapacityReservation,
    SetSubnets,
    SetSecurityGroups,
    SetIpAddressType,
    CreateTargetGroup,
    DeleteTargetGroup,
    ModifyTargetGroup,
    ModifyTargetGroupAttributes,
    RegisterTargets,
    DeregisterTargets,
    CreateListener,
    DeleteListener,
    ModifyListener,
    ModifyListenerAttributes,
    AddListenerCertificates,
    RemoveListenerCertificates,
    CreateRule,
    DeleteRule,
    ModifyRule,
    SetRulePriorities,
    AddTags,
    RemoveTags,
    CreateSecurityGroup,
    DeleteSecurityGroup,
    AuthorizeSecurityGroupIngress,
    RevokeSecurityGroupIngress,
    CreateTags,
    DeleteTags,
    GetWebACLForResource,
    AssociateWebACL,
    DisassociateWebACL,
    DescribeProtection,
    CreateProtection,
    DeleteProtection,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The variant names are the API's operation names.
        fmt::Debug::fmt(self, f)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An AWS call failed (after the SDK's own retries).
    #[error("{op} {resource}: {message}")]
    Call {
        op: Operation,
        /// What the call was about: a resource name, id or ARN.
        resource: String,
        class: ErrorClass,
        /// The AWS error code, when AWS answered.
        code: Option<String>,
        message: String,
        #[source]
        source: BoxError,
    },
    /// The load balancer's subnets could not be chosen.
    #[error("subnets of {gateway}: {message}")]
    ResolveSubnets { gateway: String, message: String },
    /// The VPC could not be determined, or the subnets span several.
    #[error("VPC of {gateway}: {message}")]
    ResolveVpc { gateway: String, message: String },
    /// A security group named by the plan does not exist in the VPC.
    #[error("security group {reference} of {gateway} not found in the VPC")]
    ResolveSecurityGroup { gateway: String, reference: String },
    /// The plan refers to a resource that is neither in the plan nor in AWS.
    #[error("{gateway}: unresolved reference {reference}")]
    UnresolvedReference { gateway: String, reference: String },
    /// A resource carries the stack tag but no resource tag, so it can't be matched (LBC treats
    /// this as an error too rather than guessing).
    #[error("{arn} carries the stack tag of {gateway} but no resource tag")]
    MissingResourceTag { gateway: String, arn: String },
    /// No ISSUED ACM certificate covers these hostnames of a listener planned for certificate
    /// discovery; the stack is not applied (a certificate may still be being issued).
    #[error(
        "{gateway}: listener {listener}: no ISSUED ACM certificate covers {}; request or import one, or configure defaultCertificate for {listener}",
        .hosts.join(", ")
    )]
    CertificateNotFound {
        gateway: String,
        listener: String,
        hosts: Vec<String>,
    },
    /// A listener's Secret certificate cannot be imported into ACM.
    #[error("{gateway}: certificate of Secret {secret}: {message}")]
    SecretCertificate {
        gateway: String,
        secret: String,
        message: String,
    },
    /// The web ACL the plan associates does not exist (`WAFNonexistentItemException`).
    #[error("{gateway}: wafV2.webACL {web_acl}: no such web ACL in this account and region")]
    WebAclNotFound { gateway: String, web_acl: String },
    /// Target groups named by `TargetGroupName` backendRefs that do not exist; the stack is
    /// not applied.
    #[error("{gateway}: no target group is named {}", .names.join(", "))]
    TargetGroupNameNotFound { gateway: String, names: Vec<String> },
    /// Target groups named by `TargetGroupName` backendRefs whose protocol their listener
    /// cannot forward to (AWS would refuse the listener or rule); nothing was applied.
    #[error("{gateway}: {}", .problems.join("; "))]
    TargetGroupNameIncompatible {
        gateway: String,
        problems: Vec<String>,
    },
    /// A chained stack needs another stack's load balancer, which does not exist yet.
    #[error("{gateway} needs the load balancer of {dependency}, which does not exist yet")]
    DependencyNotReady { gateway: String, dependency: String },
    /// The run stopped after the configured number of mutating calls (tests, `--max-calls`).
    #[error("stopped after {calls} mutating calls, as configured")]
    Interrupted { calls: u64 },
}

impl Error {
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Call { class, .. } => *class,
            Error::ResolveSubnets { .. }
            | Error::ResolveVpc { .. }
            | Error::ResolveSecurityGroup { .. }
            | Error::UnresolvedReference { .. }
            | Error::MissingResourceTag { .. }
            | Error::TargetGroupNameIncompatible { .. } => ErrorClass::Invalid,
            Error::DependencyNotReady { .. }
            | Error::CertificateNotFound { .. }
            | Error::WebAclNotFound { .. }
            | Error::TargetGroupNameNotFound { .. }
            | Error::SecretCertificate { .. } => ErrorClass::NotFound,
            Error::Interrupted { .. } => ErrorClass::Transient,
        }
    }

    /// Label for the failures metric: the class, e.g. `throttled`.
    pub fn metric_label(&self) -> &'static str {
        self.class().as_str()
    }

    /// A message for the Gateway's `Programmed=False` condition when the failure is one the
    /// user must fix in their configuration, stable across retries (no request ids); None for
    /// other failures, whose details go to an Event only.
    pub fn status_message(&self) -> Option<String> {
        match self {
            Error::WebAclNotFound { .. }
            | Error::TargetGroupNameNotFound { .. }
            | Error::TargetGroupNameIncompatible { .. } => Some(self.to_string()),
            _ => None,
        }
    }

    /// The AWS error code, when AWS answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Call { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn call<E, R>(
        op: Operation,
        resource: impl Into<String>,
        err: SdkError<E, R>,
    ) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        R: fmt::Debug + Send + Sync + 'static,
    {
        let (class, code, message) = match &err {
            SdkError::ServiceError(se) => {
                let code = se.err().code().map(str::to_string);
                let message = se.err().message().unwrap_or_default().to_string();
                let class = code
                    .as_deref()
                    .map_or(ErrorClass::Transient, ErrorClass::from_code);
                (class, code, message)
            }
            SdkError::ConstructionFailure(_) => (ErrorClass::Invalid, None, err.to_string()),
            other => (
                ErrorClass::Transient,
                None,
                aws_smithy_types::error::display::DisplayErrorContext(other).to_string(),
            ),
        };
        let message = match &code {
            Some(c) if message.is_empty() => c.clone(),
            Some(c) => format!("{c}: {message}"),
            None => message,
        };
        Error::Call {
            op,
            resource: resource.into(),
            class,
            code,
            message,
            source: Box::new(err),
        }
    }
}

/// Awaits one AWS SDK request (`builder.send()`); its error becomes an [`Error::Call`] naming
/// `op` and `what`. Reads go through here; mutating calls through `Run::send`, which counts them.
/// Boxed so that a call site keeps a pointer, not the SDK's large future (see
/// [`crate::heap_step`]).
pub(crate) fn send<T, E, R>(
    op: Operation,
    what: &str,
    request: impl Future<Output = std::result::Result<T, SdkError<E, R>>>,
) -> std::pin::Pin<Box<impl Future<Output = Result<T>>>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    Box::pin(async move { request.await.map_err(|e| Error::call(op, what, e)) })
}

/// The items of every page of a paginated read (`paginator.send().collect()`; `items_of` picks
/// them out of a page), or the [`Error::Call`] of the first page that failed (the paginator
/// stops there).
pub(crate) fn items<P, T, E, R>(
    op: Operation,
    what: &str,
    pages: Vec<std::result::Result<P, SdkError<E, R>>>,
    items_of: impl Fn(P) -> Option<Vec<T>>,
) -> Result<Vec<T>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    let mut out = Vec::new();
    for page in pages {
        let page = page.map_err(|e| Error::call(op, what, e))?;
        out.extend(items_of(page).unwrap_or_default());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_classified() {
        for (code, class) in [
            ("Throttling", ErrorClass::Throttled),
            ("RequestLimitExceeded", ErrorClass::Throttled),
            ("ServiceUnavailable", ErrorClass::Transient),
            ("PriorityInUse", ErrorClass::Conflict),
            ("DuplicateTargetGroupName", ErrorClass::Conflict),
            ("InvalidGroup.Duplicate", ErrorClass::Conflict),
            ("DependencyViolation", ErrorClass::Conflict),
            ("TargetGroupNotFound", ErrorClass::NotFound),
            ("InvalidGroup.NotFound", ErrorClass::NotFound),
            ("ValidationError", ErrorClass::Invalid),
            ("TooManyRules", ErrorClass::Invalid),
        ] {
            assert_eq!(ErrorClass::from_code(code), class, "{code}");
        }
    }
}
