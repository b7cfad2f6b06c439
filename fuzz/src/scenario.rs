//! Bytes → a cluster of Gateway API objects and gantry's CRDs, as manifest text.
//!
//! Names, namespaces, hostnames, paths and ports come from small alphabets so that routes
//! really attach to listeners, backendRefs really find Services, ReferenceGrants really match,
//! and configurations really apply: uniform random strings would only exercise "not found".
//! A few values in each alphabet are ones the API server's validation would refuse (an empty
//! hostname, a negative weight, a match index out of range): `gantry plan -f` loads manifests
//! without that validation, so translation must survive them too.

use super::source::Source;
use serde_json::{Map, Value, json};

/// Values mostly drawn from `usual`, about one time in sixteen from `odd`: each odd value is a
/// way for an object to miss (a port no Service has, a hostname no listener takes), and with
/// every field odd half the time almost nothing would attach.
struct Alphabet<T: 'static> {
    usual: &'static [T],
    odd: &'static [T],
}

impl<T: Copy> Alphabet<T> {
    fn draw(&self, s: &mut Source) -> T {
        let odd = s.one_in(16);
        let usual = s.pick(self.usual);
        if odd { s.pick(self.odd) } else { usual }
    }
}

const NAMESPACES: &[&str] = &["a", "b"];
/// Objects' namespaces: mostly the same one, so that references resolve.
const NAMESPACE: Alphabet<&str> = Alphabet {
    usual: &["a", "a", "a", "b"],
    odd: &["b"],
};
const GATEWAY: Alphabet<&str> = Alphabet {
    usual: &["gw", "gw", "gw2"],
    odd: &["gw3"],
};
const SERVICE: Alphabet<&str> = Alphabet {
    usual: &["svc", "svc", "svc2"],
    odd: &["missing"],
};
const CLASS: Alphabet<&str> = Alphabet {
    usual: &["alb", "nlb", "alb-cfg", "nlb-cfg"],
    odd: &["foreign", "absent"],
};
const HOSTNAME: Alphabet<&str> = Alphabet {
    usual: &[
        "a.example.com",
        "*.example.com",
        "b.a.example.com",
        "*.a.example.com",
        "example.com",
    ],
    odd: &["", "*", "A.Example.com", "a..b"],
};
const PATH: Alphabet<&str> = Alphabet {
    usual: &["/", "/a", "/a/", "/a/b", "/b"],
    odd: &["", "a", "/a*b?", "/(x|y)+", "//"],
};
/// Every Service has port 80 (see `service`).
const BACKEND_PORT: Alphabet<i64> = Alphabet {
    usual: &[80, 80, 80, 8080],
    odd: &[0, 443, 70000],
};
const PORT: Alphabet<i64> = Alphabet {
    usual: &[80, 80, 443, 8080],
    odd: &[0, 65535, 70000, -1],
};
const ALB_PROTOCOL: Alphabet<&str> = Alphabet {
    usual: &["HTTP", "HTTP", "HTTPS"],
    odd: &["TCP", "GRPC", "SCTP", "http"],
};
const NLB_PROTOCOL: Alphabet<&str> = Alphabet {
    usual: &["TCP", "TCP", "UDP", "TLS"],
    odd: &["HTTP", "TCP_UDP", "SCTP"],
};
const LISTENER_NAMES: &[&str] = &["l0", "l1", "l2", "l3"];
const HEADER_NAMES: &[&str] = &["x-a", "X-A", "host", "x-b", "cookie"];
const VALUE: Alphabet<&str> = Alphabet {
    usual: &["1", "v", "x y"],
    odd: &["", "*", "a?b"],
};
const WEIGHT: Alphabet<i64> = Alphabet {
    usual: &[1, 1, 50, 999, 0],
    odd: &[1000, -1],
};
const SERVICE_TYPE: Alphabet<&str> = Alphabet {
    usual: &["NodePort", "NodePort", "LoadBalancer"],
    odd: &["ClusterIP", "ExternalName"],
};
const CONFIG_NAMES: &[&str] = &["cfg", "cfg2"];
const CONFIG_NAMESPACE: Alphabet<&str> = Alphabet {
    usual: &["a"],
    odd: &["b"],
};
const CONFIG_NAME: Alphabet<&str> = Alphabet {
    usual: &["cfg", "cfg", "cfg2"],
    odd: &["none"],
};
const CONFIG_GROUP: Alphabet<&str> = Alphabet {
    usual: &["gateway.k8s.aws"],
    odd: &["example.com"],
};
const CONFIG_KIND: Alphabet<&str> = Alphabet {
    usual: &["LoadBalancerConfiguration"],
    odd: &["ConfigMap", "TargetGroupConfiguration"],
};
const RULE_CONFIGS: &[&str] = &["rc", "rc2"];
const EXTENSION_KIND: Alphabet<&str> = Alphabet {
    usual: &["ListenerRuleConfiguration"],
    odd: &["TargetGroupConfiguration", "Service"],
};
const CERTIFICATES: &[&str] = &[
    "arn:aws:acm:us-west-2:123456789012:certificate/a",
    "arn:aws:acm:us-west-2:123456789012:certificate/b",
    "not-an-arn",
];

/// The manifests `bytes` describe: multi-document YAML (each document is JSON).
pub fn manifests(bytes: &[u8]) -> String {
    let mut s = Source::new(bytes);
    let mut docs: Vec<Value> = Vec::new();
    // How many routes of each kind, drawn first: when the bytes run out, later choices are all
    // the first option, and routes made of first options still attach to `a/gw`.
    let http_routes = s.up_to(4);
    let grpc_routes = s.up_to(2);
    let l4_routes = [
        ("TCPRoute", s.up_to(2)),
        ("UDPRoute", s.up_to(1)),
        ("TLSRoute", s.up_to(2)),
    ];
    docs.extend(gateway_classes(&mut s));
    docs.extend(NAMESPACES.iter().map(|ns| namespace(&mut s, ns)));
    for i in 0..1 + s.below(3) {
        docs.push(gateway(&mut s, i));
    }
    for i in 0..1 + s.below(3) {
        docs.push(service(&mut s, i));
    }
    for i in 0..s.up_to(2) {
        docs.push(reference_grant(&mut s, i));
    }
    for i in 0..1 + s.below(2) {
        docs.push(load_balancer_configuration(&mut s, i));
    }
    for i in 0..s.up_to(2) {
        docs.push(target_group_configuration(&mut s, i));
    }
    for i in 0..s.up_to(2) {
        docs.push(listener_rule_configuration(&mut s, i));
    }
    // Routes last, so that the objects they refer to are drawn while bytes last.
    for i in 0..http_routes {
        docs.push(http_route(&mut s, i));
    }
    for i in 0..grpc_routes {
        docs.push(grpc_route(&mut s, i));
    }
    for (kind, count) in l4_routes {
        for i in 0..count {
            docs.push(l4_route(&mut s, kind, i));
        }
    }
    // Two objects of one kind and name would only give a duplicate error: keep the first.
    let mut seen = std::collections::BTreeSet::new();
    let texts: Vec<String> = docs
        .iter()
        .filter(|d| seen.insert((d["kind"].to_string(), d["metadata"].to_string())))
        .map(Value::to_string)
        .collect();
    texts.join("\n---\n")
}

fn object(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Value {
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(name));
    if let Some(ns) = namespace {
        metadata.insert("namespace".into(), json!(ns));
    }
    json!({"apiVersion": api_version, "kind": kind, "metadata": metadata})
}

fn with_spec(mut object: Value, spec: Value) -> Value {
    object["spec"] = spec;
    object
}

/// Sets `key` to `value` about one time in `one_in` (always when `one_in` is 1). The value is
/// drawn first either way, so that one choice changing does not shift every later one.
fn maybe(map: &mut Map<String, Value>, key: &str, value: Value, s: &mut Source, one_in: usize) {
    if one_in == 1 || s.one_in(one_in) {
        map.insert(key.into(), value);
    }
}

/// [`maybe`] with one of `options` (drawn first, as an argument of `maybe` would be).
fn maybe_pick<T: Copy + Into<Value>>(
    map: &mut Map<String, Value>,
    key: &str,
    options: &[T],
    s: &mut Source,
    one_in: usize,
) {
    let value = s.pick(options).into();
    maybe(map, key, value, s, one_in);
}

fn gateway_classes(s: &mut Source) -> Vec<Value> {
    let class = |name: &str, controller: &str, parameters: Option<Value>| {
        let mut spec = json!({"controllerName": controller});
        if let Some(p) = parameters {
            spec["parametersRef"] = p;
        }
        with_spec(
            object("gateway.networking.k8s.io/v1", "GatewayClass", None, name),
            spec,
        )
    };
    let mut parameters = || {
        json!({
            "group": CONFIG_GROUP.draw(s),
            "kind": CONFIG_KIND.draw(s),
            "name": CONFIG_NAME.draw(s),
            "namespace": CONFIG_NAMESPACE.draw(s),
        })
    };
    let alb_parameters = parameters();
    let nlb_parameters = parameters();
    vec![
        class("alb", "gateway.k8s.aws/alb", None),
        class("nlb", "gateway.k8s.aws/nlb", None),
        class("foreign", "example.com/other", None),
        class("alb-cfg", "gateway.k8s.aws/alb", Some(alb_parameters)),
        class("nlb-cfg", "gateway.k8s.aws/nlb", Some(nlb_parameters)),
    ]
}

fn namespace(s: &mut Source, name: &str) -> Value {
    let mut ns = object("v1", "Namespace", None, name);
    ns["metadata"]["labels"] = json!({"team": s.pick(&["x", "y"])});
    ns
}

/// The first objects of a kind are the ones references name most (`a/gw`, then `a/gw2`, …), so
/// that most scenarios have something to attach to and forward between; the rest are drawn.
fn name_of(i: usize, s: &mut Source, names: &[&'static str]) -> (&'static str, &'static str) {
    let ns = NAMESPACE.draw(s);
    let name = s.pick(names);
    match names.get(i) {
        Some(fixed) if i < 2 => ("a", fixed),
        _ => (ns, name),
    }
}

fn gateway(s: &mut Source, i: usize) -> Value {
    let (ns, name) = name_of(i, s, &["gw", "gw2", "gw3"]);
    let mut spec = Map::new();
    let drawn = CLASS.draw(s);
    // The second Gateway is mostly an ALB, so that TCPRoutes of an NLB `a/gw` can chain to it.
    let class = if i == 1 && !s.one_in(4) { "alb" } else { drawn };
    spec.insert("gatewayClassName".into(), json!(class));
    let protocols = if class.starts_with("nlb") {
        &NLB_PROTOCOL
    } else {
        &ALB_PROTOCOL
    };
    let listeners: Vec<Value> = (0..1 + s.below(3))
        .map(|i| listener(s, i, protocols))
        .collect();
    spec.insert("listeners".into(), json!(listeners));
    if s.one_in(4) {
        let parameters = json!({
            "group": CONFIG_GROUP.draw(s),
            "kind": CONFIG_KIND.draw(s),
            "name": CONFIG_NAME.draw(s),
        });
        spec.insert(
            "infrastructure".into(),
            json!({"parametersRef": parameters}),
        );
    }
    with_spec(
        object("gateway.networking.k8s.io/v1", "Gateway", Some(ns), name),
        Value::Object(spec),
    )
}

fn listener(s: &mut Source, i: usize, protocols: &Alphabet<&str>) -> Value {
    let mut l = Map::new();
    let name = LISTENER_NAMES[i];
    let odd_name = s.pick(LISTENER_NAMES);
    l.insert(
        "name".into(),
        json!(if s.one_in(8) { odd_name } else { name }),
    );
    l.insert("protocol".into(), json!(protocols.draw(s)));
    l.insert("port".into(), json!(PORT.draw(s)));
    maybe(&mut l, "hostname", json!(HOSTNAME.draw(s)), s, 3);
    if s.one_in(4) {
        let mut tls = json!({"mode": s.pick(&["Terminate", "Passthrough"])});
        if s.one_in(2) {
            tls["certificateRefs"] = json!([{"name": "cert"}]);
        }
        l.insert("tls".into(), tls);
    }
    if s.one_in(3) {
        let mut allowed = Map::new();
        let from = s.pick(&["Same", "All", "Selector"]);
        let mut namespaces = json!({"from": from});
        if from == "Selector" || s.one_in(4) {
            namespaces["selector"] = json!({"matchLabels": {"team": s.pick(&["x", "y"])}});
        }
        allowed.insert("namespaces".into(), namespaces);
        if s.one_in(2) {
            let kinds: Vec<Value> = (0..1 + s.below(2))
                .map(|_| json!({"kind": s.pick(&["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute", "Service"])}))
                .collect();
            allowed.insert("kinds".into(), json!(kinds));
        }
        l.insert("allowedRoutes".into(), Value::Object(allowed));
    }
    Value::Object(l)
}

fn parent_refs(s: &mut Source) -> Value {
    let refs: Vec<Value> = (0..1 + s.below(2))
        .map(|_| {
            let mut p = Map::new();
            p.insert("name".into(), json!(GATEWAY.draw(s)));
            maybe(&mut p, "namespace", json!(NAMESPACE.draw(s)), s, 3);
            maybe_pick(&mut p, "sectionName", LISTENER_NAMES, s, 4);
            maybe(&mut p, "port", json!(PORT.draw(s)), s, 6);
            Value::Object(p)
        })
        .collect();
    json!(refs)
}

fn hostnames(s: &mut Source) -> Value {
    let hosts: Vec<&str> = (0..s.up_to(2)).map(|_| HOSTNAME.draw(s)).collect();
    json!(hosts)
}

/// `count` backendRefs; one in `gateway_one_in` names a Gateway (chaining) instead of a Service.
fn backend_refs(s: &mut Source, count: usize, gateway_one_in: usize) -> Value {
    let refs: Vec<Value> = (0..count)
        .map(|j| {
            let mut b = Map::new();
            let to_gateway = s.one_in(gateway_one_in);
            if to_gateway {
                b.insert("group".into(), json!("gateway.networking.k8s.io"));
                b.insert("kind".into(), json!("Gateway"));
                b.insert("name".into(), json!(s.pick(&["gw2", "gw"])));
            } else {
                // A second backendRef mostly names the other Service: a weighted forward.
                let second = s.one_in(4);
                let service = SERVICE.draw(s);
                let name = if j == 1 && !second { "svc2" } else { service };
                b.insert("name".into(), json!(name));
            }
            maybe(&mut b, "namespace", json!(NAMESPACE.draw(s)), s, 4);
            maybe(&mut b, "port", json!(BACKEND_PORT.draw(s)), s, 1);
            maybe(&mut b, "weight", json!(WEIGHT.draw(s)), s, 2);
            Value::Object(b)
        })
        .collect();
    json!(refs)
}

fn route_metadata(kind: &str, api_version: &str, s: &mut Source, i: usize) -> Value {
    let name = format!("r{i}");
    object(api_version, kind, Some(NAMESPACE.draw(s)), &name)
}

fn http_route(s: &mut Source, i: usize) -> Value {
    let route = route_metadata("HTTPRoute", "gateway.networking.k8s.io/v1", s, i);
    let rules: Vec<Value> = (0..1 + s.below(3)).map(|_| http_rule(s)).collect();
    let spec = json!({"parentRefs": parent_refs(s), "hostnames": hostnames(s), "rules": rules});
    with_spec(route, spec)
}

fn http_rule(s: &mut Source) -> Value {
    let mut rule = Map::new();
    let matches: Vec<Value> = (0..s.up_to(3)).map(|_| http_match(s)).collect();
    rule.insert("matches".into(), json!(matches));
    let filters: Vec<Value> = (0..s.pick(&[0, 0, 1, 1, 2]))
        .map(|_| filter(s, false))
        .collect();
    rule.insert("filters".into(), json!(filters));
    let backends = s.pick(&[1, 1, 2, 2, 3, 0, 6]);
    rule.insert("backendRefs".into(), backend_refs(s, backends, 16));
    if s.one_in(8) {
        rule.insert("timeouts".into(), json!({"request": "10s"}));
    }
    Value::Object(rule)
}

/// A value that is sometimes longer than ALB condition values may be.
fn value(s: &mut Source) -> String {
    if s.one_in(16) {
        "v".repeat(120 + s.below(20))
    } else {
        VALUE.draw(s).to_string()
    }
}

fn http_match(s: &mut Source) -> Value {
    let mut m = Map::new();
    if s.one_in(2) {
        let kind = s.pick(&["PathPrefix", "Exact", "RegularExpression"]);
        m.insert("path".into(), json!({"type": kind, "value": PATH.draw(s)}));
    }
    let headers: Vec<Value> = (0..s.pick(&[0, 0, 1, 2, 4]))
        .map(|_| {
            let kind = s.pick(&["Exact", "RegularExpression"]);
            json!({"type": kind, "name": s.pick(HEADER_NAMES), "value": value(s)})
        })
        .collect();
    m.insert("headers".into(), json!(headers));
    let query: Vec<Value> = (0..s.pick(&[0, 0, 1, 3]))
        .map(|_| json!({"name": s.pick(&["q", "p", "Q"]), "value": value(s)}))
        .collect();
    m.insert("queryParams".into(), json!(query));
    maybe_pick(&mut m, "method", &["GET", "POST", "PATCH"], s, 3);
    Value::Object(m)
}

/// A filter of an HTTPRoute rule, or of a GRPCRoute rule (which has no redirect or rewrite).
fn filter(s: &mut Source, grpc: bool) -> Value {
    let which = if grpc {
        s.pick(&[0, 0, 3, 4, 5])
    } else {
        s.pick(&[0, 0, 1, 2, 3, 4, 5])
    };
    match which {
        0 => json!({"type": "ExtensionRef", "extensionRef": {
            "group": "gateway.k8s.aws",
            "kind": EXTENSION_KIND.draw(s),
            "name": s.pick(&["rc", "rc", "rc2"]),
        }}),
        1 => {
            let mut redirect = Map::new();
            maybe_pick(&mut redirect, "scheme", &["http", "https"], s, 2);
            maybe(&mut redirect, "hostname", json!(HOSTNAME.draw(s)), s, 2);
            maybe(&mut redirect, "port", json!(PORT.draw(s)), s, 2);
            maybe_pick(&mut redirect, "statusCode", &[301, 302, 308], s, 2);
            if s.one_in(2) {
                redirect.insert("path".into(), path_modifier(s));
            }
            json!({"type": "RequestRedirect", "requestRedirect": redirect})
        }
        2 => {
            let mut rewrite = Map::new();
            maybe(&mut rewrite, "hostname", json!(HOSTNAME.draw(s)), s, 2);
            if s.one_in(2) {
                rewrite.insert("path".into(), path_modifier(s));
            }
            json!({"type": "URLRewrite", "urlRewrite": rewrite})
        }
        3 => json!({"type": "RequestHeaderModifier",
            "requestHeaderModifier": {"set": [{"name": "x-a", "value": "1"}]}}),
        4 => json!({"type": "RequestMirror",
            "requestMirror": {"backendRef": {"name": SERVICE.draw(s), "port": 80}}}),
        _ => json!({"type": "ResponseHeaderModifier",
            "responseHeaderModifier": {"remove": ["x-a"]}}),
    }
}

fn path_modifier(s: &mut Source) -> Value {
    if s.one_in(2) {
        json!({"type": "ReplaceFullPath", "replaceFullPath": PATH.draw(s)})
    } else {
        json!({"type": "ReplacePrefixMatch", "replacePrefixMatch": PATH.draw(s)})
    }
}

fn grpc_route(s: &mut Source, i: usize) -> Value {
    let route = route_metadata("GRPCRoute", "gateway.networking.k8s.io/v1", s, i);
    let rules: Vec<Value> = (0..1 + s.below(2))
        .map(|_| {
            let matches: Vec<Value> = (0..s.up_to(2))
                .map(|_| {
                    let mut method = Map::new();
                    maybe_pick(&mut method, "type", &["Exact", "RegularExpression"], s, 2);
                    maybe_pick(&mut method, "service", &["pkg.Svc", "Svc", "a.*"], s, 2);
                    maybe_pick(&mut method, "method", &["Get", "List"], s, 2);
                    let headers: Vec<Value> = (0..s.up_to(2))
                        .map(|_| json!({"name": s.pick(HEADER_NAMES), "value": value(s)}))
                        .collect();
                    json!({"method": method, "headers": headers})
                })
                .collect();
            let backends = s.pick(&[1, 1, 2, 0]);
            let mut rule =
                json!({"matches": matches, "backendRefs": backend_refs(s, backends, 16)});
            if s.one_in(3) {
                rule["filters"] = json!([filter(s, true)]);
            }
            rule
        })
        .collect();
    let spec = json!({"parentRefs": parent_refs(s), "hostnames": hostnames(s), "rules": rules});
    with_spec(route, spec)
}

fn l4_route(s: &mut Source, kind: &str, i: usize) -> Value {
    let api_version = s.pick(&[
        "gateway.networking.k8s.io/v1alpha2",
        "gateway.networking.k8s.io/v1",
    ]);
    let route = route_metadata(kind, api_version, s, i);
    let rules: Vec<Value> = (0..1 + s.below(2))
        .map(|_| {
            let backends = s.pick(&[1, 1, 1, 2, 0]);
            json!({"backendRefs": backend_refs(s, backends, 3)})
        })
        .collect();
    let mut spec = json!({"parentRefs": parent_refs(s), "rules": rules});
    if kind == "TLSRoute" {
        spec["hostnames"] = hostnames(s);
    }
    with_spec(route, spec)
}

fn service(s: &mut Source, i: usize) -> Value {
    let (ns, name) = name_of(i, s, &["svc", "svc2"]);
    let svc = object("v1", "Service", Some(ns), name);
    let ports: Vec<Value> = (0..1 + s.below(3))
        .map(|i| {
            let mut p = Map::new();
            p.insert("name".into(), json!(format!("p{i}")));
            // The first port is the one backendRefs name most.
            let port = PORT.draw(s);
            p.insert("port".into(), json!(if i == 0 { 80 } else { port }));
            let target_port = if s.one_in(2) {
                json!("http")
            } else {
                json!(8080)
            };
            maybe(&mut p, "targetPort", target_port, s, 2);
            // Instance targets (the default) need a node port: leave it out only sometimes.
            if !s.one_in(8) {
                p.insert("nodePort".into(), json!(30080 + i));
            }
            maybe_pick(&mut p, "protocol", &["TCP", "UDP"], s, 3);
            maybe_pick(
                &mut p,
                "appProtocol",
                &["kubernetes.io/h2c", "grpc", "https"],
                s,
                4,
            );
            Value::Object(p)
        })
        .collect();
    let kind = SERVICE_TYPE.draw(s);
    with_spec(svc, json!({"type": kind, "ports": ports}))
}

fn reference_grant(s: &mut Source, i: usize) -> Value {
    let grant = object(
        "gateway.networking.k8s.io/v1beta1",
        "ReferenceGrant",
        Some(NAMESPACE.draw(s)),
        &format!("grant{i}"),
    );
    let from = json!([{
        "group": "gateway.networking.k8s.io",
        "kind": s.pick(&["HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute", "Gateway"]),
        "namespace": NAMESPACE.draw(s),
    }]);
    let mut to = if s.one_in(3) {
        json!({"group": "gateway.networking.k8s.io", "kind": "Gateway"})
    } else {
        json!({"group": "", "kind": "Service"})
    };
    if s.one_in(2) {
        to["name"] = json!(s.pick(&["svc", "gw", "other"]));
    }
    with_spec(grant, json!({"from": from, "to": [to]}))
}

fn load_balancer_configuration(s: &mut Source, i: usize) -> Value {
    let api_version = s.pick(&["gateway.k8s.aws/v1", "gateway.k8s.aws/v1beta1"]);
    let (ns, name) = name_of(i, s, CONFIG_NAMES);
    let lbc = object(api_version, "LoadBalancerConfiguration", Some(ns), name);
    let mut spec = Map::new();
    maybe_pick(&mut spec, "scheme", &["internal", "internet-facing"], s, 2);
    maybe_pick(&mut spec, "ipAddressType", &["ipv4", "dualstack"], s, 3);
    maybe_pick(
        &mut spec,
        "mergingMode",
        &["prefer-gateway", "prefer-gateway-class"],
        s,
        3,
    );
    maybe_pick(
        &mut spec,
        "loadBalancerName",
        &["lb", "", "a-very-long-load-balancer-name-x"],
        s,
        4,
    );
    maybe(
        &mut spec,
        "tags",
        json!({s.pick(&["team", "elbv2.k8s.aws/cluster", "aws:x"]): "v"}),
        s,
        3,
    );
    maybe(
        &mut spec,
        "loadBalancerAttributes",
        json!([{"key": "idle_timeout.timeout_seconds", "value": "60"}]),
        s,
        4,
    );
    maybe(
        &mut spec,
        "sourceRanges",
        json!([s.pick(&["10.0.0.0/8", "2001:db8::/32", "bogus"])]),
        s,
        4,
    );
    maybe(&mut spec, "securityGroups", json!(["sg-1"]), s, 5);
    maybe(&mut spec, "disableSecurityGroup", json!(true), s, 5);
    maybe(
        &mut spec,
        "loadBalancerSubnets",
        json!([{"identifier": "subnet-1"}]),
        s,
        5,
    );
    maybe(
        &mut spec,
        "defaultTargetGroupConfiguration",
        json!({"name": s.pick(&["tg0", "tg1", "none"])}),
        s,
        3,
    );
    let listeners: Vec<Value> = (0..s.up_to(3))
        .map(|_| {
            let mut l = Map::new();
            let protocol = s.pick(&["HTTPS", "HTTP", "TLS", "TCP", "UDP", ""]);
            let port = s.pick(&["443", "80", "8443", "", "0"]);
            l.insert("protocolPort".into(), json!(format!("{protocol}:{port}")));
            maybe_pick(&mut l, "defaultCertificate", CERTIFICATES, s, 2);
            maybe(
                &mut l,
                "certificates",
                json!([s.pick(CERTIFICATES), s.pick(CERTIFICATES)]),
                s,
                3,
            );
            maybe(
                &mut l,
                "sslPolicy",
                json!("ELBSecurityPolicy-TLS13-1-2-2021-06"),
                s,
                4,
            );
            maybe_pick(&mut l, "alpnPolicy", &["HTTP2Preferred", "None"], s, 4);
            maybe(&mut l, "targetGroupStickiness", json!(true), s, 5);
            maybe(&mut l, "quicEnabled", json!(true), s, 5);
            maybe(
                &mut l,
                "listenerAttributes",
                json!([{"key": "routing.http.xff_header_processing.mode", "value": "append"}]),
                s,
                5,
            );
            if s.one_in(4) {
                let mode = s.pick(&["off", "passthrough", "verify"]);
                let mut mtls = json!({"mode": mode});
                if mode == "verify" || s.one_in(3) {
                    mtls["trustStore"] =
                        json!("arn:aws:elasticloadbalancing:us-west-2:1:truststore/t/1");
                }
                l.insert("mutualAuthentication".into(), mtls);
            }
            Value::Object(l)
        })
        .collect();
    spec.insert("listenerConfigurations".into(), json!(listeners));
    with_spec(lbc, Value::Object(spec))
}

fn target_group_configuration(s: &mut Source, i: usize) -> Value {
    let api_version = s.pick(&["gateway.k8s.aws/v1", "gateway.k8s.aws/v1beta1"]);
    let tgc = object(
        api_version,
        "TargetGroupConfiguration",
        Some(NAMESPACE.draw(s)),
        &format!("tg{i}"),
    );
    let mut spec = Map::new();
    maybe(
        &mut spec,
        "targetReference",
        json!({"name": SERVICE.draw(s)}),
        s,
        2,
    );
    spec.insert("defaultConfiguration".into(), target_group_props(s));
    let routes: Vec<Value> = (0..s.up_to(2))
        .map(|_| {
            let mut id = Map::new();
            maybe_pick(
                &mut id,
                "kind",
                &["HTTPRoute", "TCPRoute", "GRPCRoute"],
                s,
                2,
            );
            maybe(&mut id, "namespace", json!(NAMESPACE.draw(s)), s, 2);
            maybe_pick(&mut id, "name", &["r0", "r1"], s, 2);
            json!({"routeIdentifier": id, "targetGroupProps": target_group_props(s)})
        })
        .collect();
    spec.insert("routeConfigurations".into(), json!(routes));
    with_spec(tgc, Value::Object(spec))
}

fn target_group_props(s: &mut Source) -> Value {
    let mut p = Map::new();
    maybe_pick(&mut p, "targetType", &["instance", "ip"], s, 2);
    maybe_pick(
        &mut p,
        "protocol",
        &["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"],
        s,
        3,
    );
    maybe_pick(&mut p, "protocolVersion", &["HTTP1", "HTTP2", "GRPC"], s, 3);
    maybe_pick(&mut p, "ipAddressType", &["ipv4", "ipv6"], s, 4);
    maybe_pick(
        &mut p,
        "targetGroupName",
        &["tg", "", "x".repeat(40).as_str()],
        s,
        5,
    );
    maybe(
        &mut p,
        "tags",
        json!({s.pick(&["team", "elbv2.k8s.aws/cluster"]): "v"}),
        s,
        4,
    );
    if s.one_in(3) {
        let mut hc = Map::new();
        maybe(&mut hc, "healthCheckPath", json!(PATH.draw(s)), s, 2);
        maybe_pick(
            &mut hc,
            "healthCheckPort",
            &["traffic-port", "8080", "x"],
            s,
            2,
        );
        maybe_pick(
            &mut hc,
            "healthCheckProtocol",
            &["HTTP", "HTTPS", "TCP"],
            s,
            2,
        );
        maybe_pick(&mut hc, "healthCheckInterval", &[5, 10, 0, -1], s, 2);
        maybe(
            &mut hc,
            "matcher",
            json!({s.pick(&["httpCode", "grpcCode"]): "200"}),
            s,
            3,
        );
        p.insert("healthCheckConfig".into(), Value::Object(hc));
    }
    Value::Object(p)
}

fn listener_rule_configuration(s: &mut Source, i: usize) -> Value {
    let api_version = s.pick(&["gateway.k8s.aws/v1", "gateway.k8s.aws/v1beta1"]);
    let (ns, name) = name_of(i, s, RULE_CONFIGS);
    let lrc = object(api_version, "ListenerRuleConfiguration", Some(ns), name);
    let mut spec = Map::new();
    let conditions: Vec<Value> = (0..s.up_to(2))
        .map(|_| {
            let values: Vec<&str> = (0..1 + s.below(4))
                .map(|_| s.pick(&["10.0.0.0/8", "192.168.0.0/16", "::/0", "bogus"]))
                .collect();
            let mut c = json!({"field": "source-ip", "sourceIPConfig": {"values": values}});
            if s.one_in(3) {
                let indexes: Vec<i64> = (0..1 + s.below(2))
                    .map(|_| s.pick(&[0, 1, 2, -1, 7]))
                    .collect();
                c["matchIndexes"] = json!(indexes);
            }
            c
        })
        .collect();
    spec.insert("conditions".into(), json!(conditions));
    let actions: Vec<Value> = (0..s.up_to(2)).map(|_| rule_action(s)).collect();
    spec.insert("actions".into(), json!(actions));
    maybe(
        &mut spec,
        "tags",
        json!({s.pick(&["team", "elbv2.k8s.aws/cluster"]): "v"}),
        s,
        3,
    );
    with_spec(lrc, Value::Object(spec))
}

fn rule_action(s: &mut Source) -> Value {
    match s.below(5) {
        0 => json!({"type": "fixed-response", "fixedResponseConfig": {
            "statusCode": s.pick(&[200, 404, 503, 99]),
            "contentType": "text/plain",
            "messageBody": s.pick(&["ok", ""]),
        }}),
        1 => json!({"type": "forward", "forwardConfig": {
            "targetGroupStickinessConfig": {"enabled": true, "durationSeconds": s.pick(&[60, 0])},
        }}),
        2 => json!({"type": "authenticate-oidc", "authenticateOIDCConfig": {
            "authorizationEndpoint": "https://idp/auth",
            "issuer": "https://idp",
            "tokenEndpoint": "https://idp/token",
            "userInfoEndpoint": "https://idp/userinfo",
            "secret": {"name": s.pick(&["oidc", "missing"])},
        }}),
        3 => json!({"type": "authenticate-cognito", "authenticateCognitoConfig": {
            "userPoolArn": "arn:aws:cognito-idp:us-west-2:1:userpool/p",
            "userPoolClientId": "c",
            "userPoolDomain": "d",
        }}),
        _ => json!({"type": s.pick(&["jwt-validation", "redirect"]), "jwtValidationConfig": {
            "issuer": "https://idp",
            "jwksEndpoint": "https://idp/jwks",
        }}),
    }
}
