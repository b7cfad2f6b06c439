//! TCPRoute, UDPRoute and TLSRoute → [`Route`]: backendRefs only (and TLSRoute's hostnames).

use super::convert::meta_of;
use super::*;
use gantry_api::gateway as gw;

macro_rules! l4_route {
    ($fn_name:ident, $ty:ty, $kind:expr, $hostnames:expr) => {
        pub(super) fn $fn_name(route: &$ty) -> Route {
            let (key, generation, created) = meta_of(&route.metadata);
            let ns = key.namespace.clone();
            let spec = &route.spec;
            Route {
                kind: $kind,
                key,
                generation,
                created,
                parent_refs: parent_refs!(spec.parent_refs, &ns),
                hostnames: $hostnames(spec),
                rules: spec
                    .rules
                    .iter()
                    .map(|rule| RouteRule {
                        matches: vec![],
                        backend_refs: rule
                            .backend_refs
                            .iter()
                            .map(|b| backend_ref!(b, &ns, vec![]))
                            .collect(),
                        filters: vec![],
                        unsupported: vec![],
                    })
                    .collect(),
            }
        }
    };
}

l4_route!(tcp_route, gw::TcpRoute, RouteKind::Tcp, |_| Vec::new());
l4_route!(udp_route, gw::UdpRoute, RouteKind::Udp, |_| Vec::new());
l4_route!(
    tls_route,
    gw::TlsRoute,
    RouteKind::Tls,
    |s: &gw::TlsRouteSpec| s.hostnames.clone()
);
