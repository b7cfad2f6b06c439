//! Condition types and reasons. Reasons are an enum so that a typo cannot reach a status.

pub const ACCEPTED: &str = "Accepted";
pub const PROGRAMMED: &str = "Programmed";
pub const RESOLVED_REFS: &str = "ResolvedRefs";
pub const CONFLICTED: &str = "Conflicted";
pub const PARTIALLY_INVALID: &str = "PartiallyInvalid";
/// gantry's own Gateway condition, present only when some configuration is not applied:
/// `False`, reason `UnsupportedValue`, naming each field and why.
pub const CONFIGURATION_APPLIED: &str = "gateway.k8s.aws/ConfigurationApplied";
/// The Gateway condition of GEP-91: client certificate validation set to AllowInsecureFallback.
pub const INSECURE_FRONTEND_VALIDATION_MODE: &str = "InsecureFrontendValidationMode";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    Accepted,
    Programmed,
    Pending,
    Invalid,
    InvalidParameters,
    UnsupportedAddress,
    AddressNotUsable,
    ListenersNotValid,
    ResolvedRefs,
    NoConflicts,
    HostnameConflict,
    ProtocolConflict,
    PortUnavailable,
    UnsupportedProtocol,
    InvalidRouteKinds,
    InvalidCertificateRef,
    NotAllowedByListeners,
    NoMatchingListenerHostname,
    NoMatchingParent,
    UnsupportedValue,
    IncompatibleFilters,
    RefNotPermitted,
    BackendNotFound,
    InvalidKind,
    InvalidCACertificateRef,
    InvalidCACertificateKind,
    NoValidCACertificate,
    ConfigurationChanged,
    NotAllowed,
    ParentNotAccepted,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Accepted => "Accepted",
            Reason::Programmed => "Programmed",
            Reason::Pending => "Pending",
            Reason::Invalid => "Invalid",
            Reason::InvalidParameters => "InvalidParameters",
            Reason::UnsupportedAddress => "UnsupportedAddress",
            Reason::AddressNotUsable => "AddressNotUsable",
            Reason::ListenersNotValid => "ListenersNotValid",
            Reason::ResolvedRefs => "ResolvedRefs",
            Reason::NoConflicts => "NoConflicts",
            Reason::HostnameConflict => "HostnameConflict",
            Reason::ProtocolConflict => "ProtocolConflict",
            Reason::PortUnavailable => "PortUnavailable",
            Reason::UnsupportedProtocol => "UnsupportedProtocol",
            Reason::InvalidRouteKinds => "InvalidRouteKinds",
            Reason::InvalidCertificateRef => "InvalidCertificateRef",
            Reason::NotAllowedByListeners => "NotAllowedByListeners",
            Reason::NoMatchingListenerHostname => "NoMatchingListenerHostname",
            Reason::NoMatchingParent => "NoMatchingParent",
            Reason::UnsupportedValue => "UnsupportedValue",
            Reason::IncompatibleFilters => "IncompatibleFilters",
            Reason::RefNotPermitted => "RefNotPermitted",
            Reason::BackendNotFound => "BackendNotFound",
            Reason::InvalidKind => "InvalidKind",
            Reason::InvalidCACertificateRef => "InvalidCACertificateRef",
            Reason::InvalidCACertificateKind => "InvalidCACertificateKind",
            Reason::NoValidCACertificate => "NoValidCACertificate",
            Reason::ConfigurationChanged => "ConfigurationChanged",
            Reason::NotAllowed => "NotAllowed",
            Reason::ParentNotAccepted => "ParentNotAccepted",
        }
    }
}
