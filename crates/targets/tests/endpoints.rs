//! ip targets from EndpointSlices.

mod fixtures;

use fixtures::*;
use gantry_model::{TargetGroup, TargetIpAddressType, TargetType};
use gantry_snapshot::Snapshot;
use gantry_targets::desired_targets;
use serde_json::{Value, json};

/// The Service `demo/<name>` of `ports`, and an ip target group of its port `port` sending to
/// `target_port`.
fn service(name: &str, ports: Value, port: i32, target_port: i32) -> (Snapshot, TargetGroup) {
    let mut s = Snapshot::default();
    mk_service(&mut s, "demo", name, ports);
    (s, mk_tg(TargetType::Ip, "demo", name, port, target_port))
}

/// `demo/web`: port 80 named `http` to the named container port `web`.
fn web() -> (Snapshot, TargetGroup) {
    let http = json!([{"name": "http", "port": 80, "targetPort": "web"}]);
    service("web", http, 80, 1)
}

/// An IPv4 EndpointSlice `name` of Service `demo/<service>`.
fn demo_slice(s: &mut Snapshot, name: &str, service: &str, ports: Value, endpoints: Value) {
    mk_slice(s, "demo", name, service, "IPv4", ports, endpoints);
}

fn ids(s: &Snapshot, tg: &TargetGroup) -> Vec<(String, i32)> {
    desired_targets(tg, s)
        .expect("service-backed")
        .targets
        .into_iter()
        .map(|t| (t.id, t.port))
        .collect()
}

fn pairs(list: &[(&str, i32)]) -> Vec<(String, i32)> {
    list.iter().map(|(i, p)| (i.to_string(), *p)).collect()
}

#[test]
fn ready_endpoints_are_targets_and_unready_or_terminating_ones_are_not() {
    let (mut s, tg) = web();
    demo_slice(
        &mut s,
        "web-a",
        "web",
        json!([{"name": "http", "port": 8080, "protocol": "TCP"}]),
        json!([
            ready("10.0.0.1"),
            ep("10.0.0.2", Some(false), Some(false), Some(false)),
            // Terminating but still serving, while another endpoint is ready: deregistered.
            terminating_serving("10.0.0.3"),
            // Conditions unset: the API says to read that as ready.
            ep("10.0.0.4", None, None, None),
        ]),
    );
    assert_eq!(
        ids(&s, &tg),
        pairs(&[("10.0.0.1", 8080), ("10.0.0.4", 8080)])
    );
}

#[test]
fn a_pod_turning_unready_leaves_the_targets() {
    let (mut s, tg) = web();
    mk_web_slice(
        &mut s,
        "web-a",
        json!([ready("10.0.0.1"), ready("10.0.0.2")]),
    );
    assert_eq!(ids(&s, &tg).len(), 2);
    mk_web_slice(
        &mut s,
        "web-a",
        json!([
            ready("10.0.0.1"),
            ep("10.0.0.2", Some(false), Some(false), None)
        ]),
    );
    assert_eq!(ids(&s, &tg), pairs(&[("10.0.0.1", 8080)]));
}

#[test]
fn terminating_serving_endpoints_stay_only_while_no_endpoint_is_ready() {
    let (mut s, tg) = web();
    mk_web_slice(
        &mut s,
        "web-a",
        json!([
            terminating_serving("10.0.0.3"),
            // Terminating and no longer serving: never a target.
            ep("10.0.0.5", Some(false), Some(false), Some(true)),
        ]),
    );
    let desired = desired_targets(&tg, &s).unwrap();
    assert_eq!(desired.targets, targets(&[("10.0.0.3", 8080)]));
    assert_eq!(desired.problems.len(), 1, "{:?}", desired.problems);
    assert!(desired.problems[0].message.contains("no ready endpoint"));
}

#[test]
fn a_named_target_port_resolves_per_slice() {
    let (mut s, tg) = web();
    // Pods of two versions expose `web` on different container ports.
    mk_web_slice(&mut s, "web-a", json!([ready("10.0.0.1")]));
    demo_slice(
        &mut s,
        "web-b",
        "web",
        json!([{"name": "http", "port": 9090}]),
        json!([ready("10.0.1.1")]),
    );
    // These pods lack the named port: the slice has no `http` port and the name can't fall back.
    demo_slice(
        &mut s,
        "web-c",
        "web",
        json!([{"name": "metrics", "port": 9100}]),
        json!([ready("10.0.2.1")]),
    );
    assert_eq!(
        ids(&s, &tg),
        pairs(&[("10.0.0.1", 8080), ("10.0.1.1", 9090)])
    );
}

#[test]
fn a_numeric_target_port_is_used_when_the_slice_port_is_unnamed_or_open() {
    let grpc = json!([{"name": "grpc", "port": 9000, "targetPort": 9443}]);
    let (mut s, tg) = service("api", grpc, 9000, 9443);
    // Hand-written slice with an unnamed port, and one with a port of no number ("all ports").
    demo_slice(
        &mut s,
        "api-a",
        "api",
        json!([{"port": 9443}]),
        json!([ready("10.0.0.1")]),
    );
    demo_slice(
        &mut s,
        "api-b",
        "api",
        json!([{"name": "grpc"}]),
        json!([ready("10.0.0.2")]),
    );
    assert_eq!(
        ids(&s, &tg),
        pairs(&[("10.0.0.1", 9443), ("10.0.0.2", 9443)])
    );
}

#[test]
fn unnamed_single_port_services_match_unnamed_slice_ports() {
    let unnamed = json!([{"port": 80, "targetPort": 8080}]);
    let (mut s, tg) = service("one", unnamed, 80, 8080);
    demo_slice(
        &mut s,
        "one-a",
        "one",
        json!([{"name": "", "port": 8081}]),
        json!([ready("10.0.0.1")]),
    );
    assert_eq!(ids(&s, &tg), pairs(&[("10.0.0.1", 8081)]));
}

#[test]
fn slices_of_other_services_namespaces_and_families_are_ignored() {
    let (mut s, mut tg) = web();
    mk_web_slice(&mut s, "web-a", json!([ready("10.0.0.1")]));
    // The same port, in slices of another family, Service or namespace.
    let port = json!([{"name": "http", "port": 8080}]);
    for (ns, name, service, family, ip) in [
        ("demo", "web-v6", "web", "IPv6", "fd00::1"),
        ("demo", "api-a", "api", "IPv4", "10.0.9.1"),
        ("other", "web-a", "web", "IPv4", "10.0.8.1"),
        ("demo", "web-fqdn", "web", "FQDN", "web.example.com"),
    ] {
        let endpoints = json!([ready(ip)]);
        mk_slice(&mut s, ns, name, service, family, port.clone(), endpoints);
    }
    assert_eq!(ids(&s, &tg), pairs(&[("10.0.0.1", 8080)]));
    tg.ip_address_type = TargetIpAddressType::Ipv6;
    assert_eq!(ids(&s, &tg), pairs(&[("fd00::1", 8080)]));
}

#[test]
fn an_endpoint_listed_by_two_slices_is_one_target_and_ready_wins() {
    let (mut s, tg) = web();
    mk_web_slice(
        &mut s,
        "web-a",
        json!([terminating_serving("10.0.0.1"), ready("10.0.0.2")]),
    );
    mk_web_slice(&mut s, "web-b", json!([ready("10.0.0.1")]));
    assert_eq!(
        ids(&s, &tg),
        pairs(&[("10.0.0.1", 8080), ("10.0.0.2", 8080)])
    );
}

#[test]
fn targets_are_sorted_whatever_the_slice_order() {
    let (mut s, tg) = web();
    mk_web_slice(&mut s, "z", json!([ready("10.0.0.9"), ready("10.0.0.3")]));
    mk_web_slice(&mut s, "a", json!([ready("10.0.0.5")]));
    let got = ids(&s, &tg);
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(got, sorted);
    assert_eq!(got.len(), 3);
}

#[test]
fn a_missing_service_or_port_gives_no_targets_and_says_why() {
    let (s, mut tg) = web();
    tg.backend.port = 81;
    let d = desired_targets(&tg, &s).unwrap();
    assert!(d.targets.is_empty());
    assert_eq!(
        d.problems[0].to_string(),
        "Service demo/web: has no port 81; no targets"
    );
    tg.backend.name = "gone".into();
    let d = desired_targets(&tg, &s).unwrap();
    assert_eq!(
        d.problems[0].to_string(),
        "Service demo/gone: not found; no targets"
    );
}

#[test]
fn chained_alb_target_groups_are_not_computed() {
    let (s, mut tg) = web();
    tg.target_type = TargetType::Alb;
    assert_eq!(desired_targets(&tg, &s), None);
    tg.target_type = TargetType::Ip;
    tg.backend.kind = "Gateway".into();
    assert_eq!(desired_targets(&tg, &s), None);
}

#[test]
fn the_target_group_of_unresolved_backends_never_gets_targets() {
    let (s, mut tg) = web();
    tg.target_type = TargetType::Ip;
    assert!(desired_targets(&tg, &s).is_some());
    tg.backend = gantry_model::Backend::none(tg.port);
    assert_eq!(desired_targets(&tg, &s), None);
}
