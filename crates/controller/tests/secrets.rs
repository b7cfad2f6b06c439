//! ListenerRuleConfiguration authentication in a cluster: the OIDC client Secret an
//! authenticate-oidc action names is watched on its own (never every Secret), its client id and
//! secret reach the ALB rule, a missing Secret is reported on the route naming it, and a Secret
//! created or changed later reprograms the rule without a restart.

mod support;

use gantry_api::wire::ALB_CONTROLLER_NAME;
use gantry_model::{ActionType, Stack};
use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);
const GW: &str = "apps/web";

/// An HTTPS Gateway `apps/web` and a route whose rule authenticates with the Secret
/// `oidc-client`; no Secret yet.
const CLUSTER: &str = gantry_testkit::scenes::OIDC_SHOP;

/// The client Secret (data is base64: `my-client` / `s3cr3t-value`), and a key translation
/// never reads.
fn secret_yaml(client_secret_b64: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Secret
metadata: {{name: oidc-client, namespace: apps}}
type: Opaque
data:
  clientID: bXktY2xpZW50
  clientSecret: {client_secret_b64}
  unrelated: dW5yZWxhdGVk
"#
    )
}

const S3CR3T_VALUE_B64: &str = "czNjcjN0LXZhbHVl";
const ROTATED_B64: &str = "cm90YXRlZA==";

/// (client id, client secret) of the OIDC action of the deployed stack's `/shop` rule.
fn oidc(deploy: &FakeDeploy) -> Option<(String, String)> {
    let stack: Stack = deploy.stack(GW)?;
    stack
        .listeners
        .iter()
        .flat_map(|l| &l.rules)
        .flat_map(|r| &r.actions)
        .filter(|a| a.kind == ActionType::AuthenticateOidc)
        .find_map(|a| a.authenticate_oidc_config.as_ref())
        .map(|o| (o.client_id.clone(), o.client_secret.clone()))
}

fn route_entry(api: &FakeApi) -> serde_json::Value {
    let route = api.get("HTTPRoute", "apps", "shop").expect("route exists");
    parent_entry(&route, ALB_CONTROLLER_NAME, "web", None)
        .cloned()
        .unwrap_or_default()
}

/// Every condition message of the route's entry, joined.
fn messages(entry: &serde_json::Value) -> String {
    entry["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["message"].as_str().unwrap_or_default().to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[tokio::test(start_paused = true)]
async fn a_missing_secret_is_reported_and_one_created_later_programs_the_rule() {
    let api = api_with_unrelated("Secret", "{k: dg==}");
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(CLUSTER);

    // Missing: the route says so, naming the Secret; nothing carries an OIDC action.
    eventually("the route reports the missing Secret", LIMIT, || {
        messages(&route_entry(&api)).contains("Secret apps/oidc-client")
    })
    .await;
    let entry = route_entry(&api);
    println!("route entry while the Secret is missing: {entry:#}");
    assert!(
        messages(&entry).contains("not found"),
        "{}",
        messages(&entry)
    );
    assert_eq!(oidc(&deploy), None);

    // Created later: the rule is programmed with the client id and secret, no restart.
    api.apply_yaml(&secret_yaml(S3CR3T_VALUE_B64));
    eventually(
        "the rule authenticates with the Secret's client",
        LIMIT,
        || oidc(&deploy) == Some(("my-client".to_string(), "s3cr3t-value".to_string())),
    )
    .await;
    eventually(
        "the route is accepted with every reference resolved",
        LIMIT,
        || accepted_and_resolved(&route_entry(&api)),
    )
    .await;

    // Rotated: the new client secret reaches the deployer.
    api.apply_yaml(&secret_yaml(ROTATED_B64));
    eventually("the rotated secret is deployed", LIMIT, || {
        oidc(&deploy).is_some_and(|(_, s)| s == "rotated")
    })
    .await;

    // Only the referenced Secret was ever listed or watched, by name; the cache holds only
    // the keys translation reads.
    assert_watched_by_name(&api, "secrets", "apps", "oidc-client", &[]);
    let cached = running.handle.stores.secrets.objects();
    assert_eq!(cached.len(), 1);
    let data = cached.values().next().unwrap().data.clone().unwrap();
    assert_eq!(
        data.keys().collect::<Vec<_>>(),
        ["clientID", "clientSecret"]
    );

    // No status or event carries the secret value.
    for kind in ["HTTPRoute", "Gateway", "Event"] {
        for obj in api.list(kind) {
            let text = obj.to_string();
            assert!(
                !text.contains("s3cr3t-value") && !text.contains(S3CR3T_VALUE_B64),
                "{kind} shows the secret: {text}"
            );
        }
    }

    // Deleted: reported missing again.
    api.delete("Secret", "apps", "oidc-client");
    eventually("the route reports the Secret gone", LIMIT, || {
        messages(&route_entry(&api)).contains("Secret apps/oidc-client")
    })
    .await;
    running.stop().await;
}

#[tokio::test(start_paused = true)]
async fn secret_watches_follow_the_rule_configurations_that_name_them() {
    let api = FakeApi::new();
    api.apply_yaml(CLUSTER);
    api.apply_yaml(&secret_yaml(S3CR3T_VALUE_B64));
    let deploy = Arc::new(FakeDeploy::default());
    let running = start(&api, deploy.clone(), config()).await;
    // Present at start: programmed from the first reconcile on.
    eventually("the rule authenticates", LIMIT, || {
        oidc(&deploy).is_some_and(|(id, _)| id == "my-client")
    })
    .await;
    assert!(
        !messages(&route_entry(&api)).contains("not found"),
        "{}",
        messages(&route_entry(&api))
    );

    // The configuration names another Secret: the old one leaves the cache, the new one is
    // watched (and missing).
    api.modify("ListenerRuleConfiguration", "apps", "auth", |l| {
        l["spec"]["actions"][0]["authenticateOIDCConfig"]["secret"]["name"] = "other".into();
    });
    eventually("the route reports the new Secret missing", LIMIT, || {
        messages(&route_entry(&api)).contains("Secret apps/other")
    })
    .await;
    let stores = running.handle.stores.clone();
    eventually("the old Secret is no longer cached", LIMIT, || {
        stores.secrets.objects().is_empty()
    })
    .await;
    assert!(
        api.requests_with_query()
            .iter()
            .any(|r| r.contains("fieldSelector=metadata.name%3Dother")),
        "the new Secret is watched by name"
    );
    running.stop().await;
}
