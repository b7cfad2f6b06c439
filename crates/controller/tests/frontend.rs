//! Frontend client-certificate validation in a cluster: the ConfigMap a Gateway names in
//! `spec.tls.frontend` caCertificateRefs is watched on its own (never every ConfigMap, a name
//! field selector), a missing one is reported on the listener with the spec's reasons, and one
//! created later makes the listener verify client certificates with the LoadBalancerConfiguration
//! trust store, without a restart.

mod support;

use gantry_model::Stack;
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const GW: &str = "apps/web";
const TRUST_STORE: &str =
    "arn:aws:elasticloadbalancing:us-west-2:123456789012:truststore/clients/0123456789abcdef";

/// The spec of an HTTPS Gateway validating client certificates against ConfigMap
/// `apps/clients-ca` (not created yet), besides its listeners.
const VALIDATING: &str = r#"  infrastructure:
    parametersRef: {group: gateway.k8s.aws, kind: LoadBalancerConfiguration, name: tls}
  tls:
    frontend:
      default:
        validation:
          caCertificateRefs: [{group: "", kind: ConfigMap, name: clients-ca}]
"#;

/// The trust store of [`VALIDATING`]'s Gateway, in its LoadBalancerConfiguration.
const CONFIGURATION: &str = r#"
apiVersion: gateway.k8s.aws/v1
kind: LoadBalancerConfiguration
metadata: {name: tls, namespace: apps}
spec:
  listenerConfigurations:
  - protocolPort: HTTPS:443
    defaultCertificate: arn:aws:acm:us-west-2:123456789012:certificate/a
    mutualAuthentication:
      mode: verify
      trustStore: arn:aws:elasticloadbalancing:us-west-2:123456789012:truststore/clients/0123456789abcdef
"#;

/// The validating Gateway `apps/web`, its configuration, the Service `apps/echo` and the
/// route `apps/shop` to it.
fn cluster() -> String {
    objects::docs([
        route_builders::gateway_of(
            "apps/web",
            "alb",
            &[route_builders::plain(("https", 443, "HTTPS"))],
            VALIDATING,
        ),
        CONFIGURATION.to_string(),
        objects::node_port_service("apps/echo", 80, 30080),
        objects::http_route("apps/shop", &["web"], None, &[("echo", 80)]),
    ])
}

const CONFIG_MAP: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: clients-ca, namespace: apps}
data:
  unrelated: not read
  ca.crt: |
CA_PEM"#;

fn config_map() -> String {
    CONFIG_MAP.replace(
        "CA_PEM",
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../translate/tests/fixtures/certificates/ca.crt"
        ))
        .expect("CA fixture")
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect::<String>(),
    )
}

/// The listener `https` of the Gateway's status.
fn listener(api: &FakeApi) -> serde_json::Value {
    listener_status(api, "apps", "web", "https")
}

fn reason(listener: &serde_json::Value, kind: &str) -> String {
    condition(listener, kind)
        .and_then(|c| c["reason"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// (mode, trust store) of the deployed stack's 443 listener.
fn mutual_authentication(deploy: &FakeDeploy) -> Option<(String, Option<String>)> {
    let stack: Stack = deploy.stack(GW)?;
    let l = stack.listeners.iter().find(|l| l.port == 443)?;
    let m = l.mutual_authentication.as_ref()?;
    Some((m.mode.clone(), m.trust_store_arn.clone()))
}

#[tokio::test(start_paused = true)]
async fn a_missing_ca_configmap_is_reported_and_one_created_later_verifies_clients() {
    let api = api_with_unrelated("ConfigMap", "{ca.crt: x}");
    let deploy = Arc::new(FakeDeploy::default());
    // The tiered class watches every ConfigMap (its class configurations); off here, so that
    // every ConfigMap request is the frontend watcher's.
    let mut c = config();
    c.tiered = false;
    let running = start(&api, deploy.clone(), c).await;
    api.apply_yaml(&with_alb_class(&cluster()));

    // Missing: the listener is refused with the spec's reasons, naming the ConfigMap; no ALB
    // listener serves it unverified.
    eventually("the listener reports the missing ConfigMap", LIMIT, || {
        reason(&listener(&api), "ResolvedRefs") == "InvalidCACertificateRef"
    })
    .await;
    let l = listener(&api);
    println!("listener while the ConfigMap is missing: {l:#}");
    assert_eq!(reason(&l, "Accepted"), "NoValidCACertificate");
    assert!(
        condition(&l, "ResolvedRefs").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("ConfigMap apps/clients-ca not found")
    );
    assert_eq!(mutual_authentication(&deploy), None);

    // Created later: the listener is accepted, resolved, and verifies with the trust store.
    api.apply_yaml(&config_map());
    eventually(
        "the listener verifies client certificates with the trust store",
        LIMIT,
        || {
            mutual_authentication(&deploy)
                == Some(("verify".to_string(), Some(TRUST_STORE.to_string())))
        },
    )
    .await;
    eventually(
        "the listener is accepted with its refs resolved",
        LIMIT,
        || accepted_and_resolved(&listener(&api)),
    )
    .await;

    // Only the referenced ConfigMap was ever listed or watched, by name; the cache holds only
    // ca.crt.
    assert_watched_by_name(&api, "configmaps", "apps", "clients-ca", &[]);
    let cached = running.handle.stores.config_maps.objects();
    assert_eq!(cached.len(), 1);
    let data = cached.values().next().unwrap().data.clone().unwrap();
    assert_eq!(data.keys().collect::<Vec<_>>(), ["ca.crt"]);

    // The Gateway stops naming it: its watch stops and it leaves the cache.
    api.modify("Gateway", "apps", "web", |g| {
        g["spec"]["tls"] = serde_json::Value::Null;
    });
    let stores = running.handle.stores.clone();
    eventually("the ConfigMap is no longer cached", LIMIT, || {
        stores.config_maps.objects().is_empty()
    })
    .await;
    running.stop().await;
}
