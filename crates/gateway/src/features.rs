//! The Gateway API features (the conformance suite's feature names, Gateway API v1.6) and
//! whether gantry implements each one: the single source of GatewayClass
//! `status.supportedFeatures` and of the README's "Gateway API features" table (a test keeps
//! the two equal).
//!
//! A feature is listed as supported only when gantry implements it and a test covers it. Each
//! supported feature names the classes it applies to: the L7 features (HTTPRoute, GRPCRoute)
//! belong to the ALB class, the L4 ones (TCPRoute, UDPRoute, TLSRoute) to the NLB class, and
//! the Gateway-wide ones (Gateway, ReferenceGrant, listener ports) to both.

use crate::LbKind;
use std::collections::BTreeSet;

/// Whether gantry implements a feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Implemented and tested, for GatewayClasses of these kinds.
    Supported(&'static [LbKind]),
    /// Not implemented, and why (usually what the ALB or NLB cannot do).
    NotSupported(&'static str),
}

/// One conformance feature name and its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Feature {
    pub name: &'static str,
    pub support: Support,
}

const BOTH: &[LbKind] = &[LbKind::Alb, LbKind::Nlb];
const ALB: &[LbKind] = &[LbKind::Alb];
const NLB: &[LbKind] = &[LbKind::Nlb];

const fn yes(name: &'static str, classes: &'static [LbKind]) -> Feature {
    Feature {
        name,
        support: Support::Supported(classes),
    }
}

const fn no(name: &'static str, reason: &'static str) -> Feature {
    Feature {
        name,
        support: Support::NotSupported(reason),
    }
}

const NOT_A_MESH: &str = "gantry is not a service mesh";
const NO_RETRIES: &str = "the ALB does not retry requests";
const NO_MIRROR: &str = "the ALB cannot mirror requests";
const NO_TIMEOUTS: &str = "the ALB has one idle timeout per load balancer, no per-rule timeouts";
const REDIRECT_CODES: &str = "the ALB redirects with 301 or 302 only";
const NO_STATIC_ADDRESSES: &str = "AWS assigns load balancer addresses: a spec.addresses value is Programmed=False AddressNotUsable, a type other than IPAddress or Hostname Accepted=False UnsupportedAddress (static IPs come from LoadBalancerConfiguration subnets)";

/// Every feature name of the Gateway API v1.6 conformance suite, in name order.
pub const FEATURES: &[Feature] = &[
    no(
        "BackendTLSPolicy",
        "not built: target groups are not configured from BackendTLSPolicy",
    ),
    no(
        "BackendTLSPolicySANValidation",
        "the ALB does not validate target certificates",
    ),
    yes("GRPCRoute", ALB),
    yes("GRPCRouteNamedRouteRule", ALB),
    yes("Gateway", BOTH),
    yes("GatewayAddressEmpty", BOTH),
    no(
        "GatewayFrontendClientCertificateValidation",
        "partial: caCertificateRefs are checked and reported as the spec says, but the ALB verifies against a trust store gantry cannot create from the ConfigMap (one named in LoadBalancerConfiguration is used; without it the listener is not programmed)",
    ),
    no(
        "GatewayFrontendClientCertificateValidationInsecureFallback",
        "partial: the InsecureFrontendValidationMode condition is set, but the ALB cannot verify and still accept: the mode becomes mutualAuthentication passthrough (certificate passed to targets unverified)",
    ),
    yes("GatewayHTTPListenerIsolation", ALB),
    no(
        "GatewayInfrastructurePropagation",
        "not claimed: spec.infrastructure labels become tags of every AWS resource of the Gateway and labels (with the annotations) of its TargetGroupBindings, but the conformance test looks for a ServiceAccount, Pod or Service labelled with the Gateway's name, which gantry does not create",
    ),
    yes("GatewayPort8080", BOTH),
    no("GatewayStaticAddresses", NO_STATIC_ADDRESSES),
    yes("HTTPRoute", ALB),
    no("HTTPRoute303RedirectStatusCode", REDIRECT_CODES),
    no("HTTPRoute307RedirectStatusCode", REDIRECT_CODES),
    no("HTTPRoute308RedirectStatusCode", REDIRECT_CODES),
    no(
        "HTTPRouteBackendProtocolH2C",
        "the ALB sends HTTP/2 to targets only for requests from HTTPS listeners: behind an HTTP listener a backendRef to a kubernetes.io/h2c port is ResolvedRefs=False UnsupportedProtocol (behind HTTPS its target group is HTTP/2)",
    ),
    no(
        "HTTPRouteBackendProtocolWebSocket",
        "not claimed: a kubernetes.io/ws port gets an HTTP/1.1 target group and the ALB forwards WebSocket upgrades by itself (golden case alb-backend-app-protocol), but no WebSocket traffic has gone through a gantry ALB here",
    ),
    no(
        "HTTPRouteBackendRequestHeaderModification",
        "the ALB cannot modify headers per target group",
    ),
    no("HTTPRouteBackendTimeout", NO_TIMEOUTS),
    no("HTTPRouteCORS", "the ALB has no CORS configuration"),
    no(
        "HTTPRouteDestinationPortMatching",
        "not built: rules are not matched by destination port",
    ),
    yes("HTTPRouteHostRewrite", ALB),
    yes("HTTPRouteMethodMatching", ALB),
    yes("HTTPRouteNamedRouteRule", ALB),
    yes("HTTPRouteParentRefPort", ALB),
    no(
        "HTTPRoutePathRedirect",
        "the ALB redirect cannot replace a path prefix (replacePrefixMatch is refused)",
    ),
    yes("HTTPRoutePathRewrite", ALB),
    yes("HTTPRoutePortRedirect", ALB),
    yes("HTTPRouteQueryParamMatching", ALB),
    no("HTTPRouteRequestMirror", NO_MIRROR),
    no("HTTPRouteRequestMultipleMirrors", NO_MIRROR),
    no("HTTPRouteRequestPercentageMirror", NO_MIRROR),
    no("HTTPRouteRequestTimeout", NO_TIMEOUTS),
    no(
        "HTTPRouteResponseHeaderModification",
        "ALB rule transforms rewrite the host and URL only, not response headers",
    ),
    no("HTTPRouteRetry", NO_RETRIES),
    no("HTTPRouteRetryBackendTimeout", NO_RETRIES),
    no("HTTPRouteRetryConnectionError", NO_RETRIES),
    yes("HTTPRouteSchemeRedirect", ALB),
    no(
        "ListenerSet",
        "partial: merged into the Gateway's load balancer with statuses by gantry plan, apply and the controller; not claimed until the conformance suite's ListenerSet tests have run against gantry",
    ),
    no("Mesh", NOT_A_MESH),
    no("MeshClusterIPMatching", NOT_A_MESH),
    no("MeshConsumerRoute", NOT_A_MESH),
    no("MeshHTTPRouteBackendRequestHeaderModification", NOT_A_MESH),
    no("MeshHTTPRouteNamedRouteRule", NOT_A_MESH),
    no("MeshHTTPRouteQueryParamMatching", NOT_A_MESH),
    no("MeshHTTPRouteRedirectPath", NOT_A_MESH),
    no("MeshHTTPRouteRedirectPort", NOT_A_MESH),
    no("MeshHTTPRouteRewritePath", NOT_A_MESH),
    no("MeshHTTPRouteSchemeRedirect", NOT_A_MESH),
    yes("ReferenceGrant", BOTH),
    yes("TCPRoute", NLB),
    yes("TLSRoute", NLB),
    no(
        "TLSRouteModeMixed",
        "not tested: Terminate and Passthrough listeners on one port are refused (one NLB listener per port)",
    ),
    yes("TLSRouteModeTerminate", NLB),
    yes("UDPRoute", NLB),
];

/// `status.supportedFeatures` names of a GatewayClass of kind `lb`, in ascending order as the
/// spec requires.
pub fn supported(lb: LbKind) -> Vec<&'static str> {
    let names: BTreeSet<&'static str> = FEATURES
        .iter()
        .filter(|f| matches!(f.support, Support::Supported(classes) if classes.contains(&lb)))
        .map(|f| f.name)
        .collect();
    names.into_iter().collect()
}

/// Why a feature supported by one class is not offered by the other.
fn other_layer_reason(lb: LbKind) -> &'static str {
    match lb {
        LbKind::Alb => "an ALB serves HTTP and gRPC; L4 routes belong to the NLB class",
        LbKind::Nlb => "an NLB forwards TCP, UDP and TLS; HTTP features belong to the ALB class",
    }
}

/// The support matrix of docs/gateway-api-support.md: one row per conformance feature with its
/// state on each class and the reason where it is not supported. Generated here, from the same
/// table as `status.supportedFeatures`, so the document cannot disagree with the GatewayClass.
pub fn support_matrix_markdown() -> String {
    let mut out =
        String::from("| feature | ALB class | NLB class | why not |\n|---|---|---|---|\n");
    for feature in FEATURES {
        let (alb, nlb, reason) = match feature.support {
            Support::Supported(classes) => {
                let on = |lb: LbKind| if classes.contains(&lb) { "✅" } else { "❌" };
                let reason = [LbKind::Alb, LbKind::Nlb]
                    .into_iter()
                    .find(|lb| !classes.contains(lb))
                    .map(other_layer_reason)
                    .unwrap_or("");
                (on(LbKind::Alb), on(LbKind::Nlb), reason)
            }
            Support::NotSupported(reason) => ("❌", "❌", reason),
        };
        out.push_str(&format!(
            "| `{}` | {alb} | {nlb} | {reason} |\n",
            feature.name
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_in_order() {
        let names: Vec<&str> = FEATURES.iter().map(|f| f.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn each_class_gets_its_own_layer_sorted() {
        let alb = supported(LbKind::Alb);
        let nlb = supported(LbKind::Nlb);
        assert!(alb.contains(&"HTTPRoute") && !alb.contains(&"TCPRoute"));
        assert!(nlb.contains(&"TCPRoute") && !nlb.contains(&"HTTPRoute"));
        assert!(alb.contains(&"Gateway") && nlb.contains(&"Gateway"));
        assert!(alb.is_sorted() && nlb.is_sorted());
        // The spec caps the list at 64 entries.
        assert!(alb.len() <= 64 && nlb.len() <= 64);
    }
}
