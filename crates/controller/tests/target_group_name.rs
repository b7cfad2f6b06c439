//! backendRefs of kind TargetGroupName in the controller: a target group that exists is
//! forwarded to; one that does not makes the deploy fail, and the controller plans the Gateway
//! again with that backendRef unresolved, so the route says which and the rest is deployed.

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::apiserver::FakeApi;
use support::deploy::FakeDeploy;
use support::route_builders::Route;
use support::*;

const LIMIT: Duration = Duration::from_secs(60);

/// The Gateway `apps/web` with one HTTPRoute `apps/<name>` per name, forwarding `/<name>` to
/// the target group `<name>-tg`.
fn manifests(names: &[&str]) -> String {
    let routes = names.iter().map(|n| {
        Route::http(&format!("apps/{n}"))
            .gateway("web")
            .to_target_group(Some(&format!("/{n}")), &format!("{n}-tg"))
            .build()
    });
    let gateway = [
        objects::gateway_class("alb", "alb"),
        objects::gateway("apps/web", "alb", &[("a", 80, "HTTP")]),
    ];
    objects::docs(gateway.into_iter().chain(routes))
}

fn resolved_refs(api: &FakeApi, route: &str) -> Option<serde_json::Value> {
    let r = api.get("HTTPRoute", "apps", route)?;
    let parent = r["status"]["parents"].as_array()?.first()?.clone();
    condition(&parent, "ResolvedRefs").cloned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_target_group_name_is_unresolved_and_the_rest_is_deployed() {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    deploy.add_named_target_group("legacy-tg");
    let _running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(&manifests(&["legacy", "gone"]));
    eventually("web programmed", LIMIT, || web_programmed(&api)).await;
    eventually("gone-tg named in ResolvedRefs", LIMIT, || {
        resolved_refs(&api, "gone")
            .is_some_and(|c| is_false_naming(&c, "BackendNotFound", "gone-tg"))
    })
    .await;
    // Route statuses are written one by one (`gone` sorts first): wait for `legacy`'s too.
    eventually("legacy-tg resolved", LIMIT, || {
        resolved_refs(&api, "legacy").is_some_and(|c| c["status"] == "True")
    })
    .await;
    let stack = serde_json::to_string(&deploy.stack("apps/web").expect("deployed")).unwrap();
    assert!(stack.contains("TargetGroupName:legacy-tg"), "{stack}");
    assert!(!stack.contains("gone-tg"), "{stack}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_deploy_leaves_target_group_names_unconfirmed_until_one_succeeds() {
    let api = FakeApi::new();
    let deploy = Arc::new(FakeDeploy::default());
    deploy.add_named_target_group("legacy-tg");
    // An outage: the deploy fails before it could look the name up.
    deploy.fail_next(1_000);
    let _running = start(&api, deploy.clone(), config()).await;
    api.apply_yaml(&manifests(&["legacy"]));
    eventually("legacy-tg not confirmed", LIMIT, || {
        resolved_refs(&api, "legacy").is_some_and(|c| {
            c["status"] == "Unknown"
                && c["reason"] == "Pending"
                && c["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("legacy-tg"))
        })
    })
    .await;
    deploy.fail_next(0);
    eventually("legacy-tg resolved once a deploy succeeds", LIMIT, || {
        resolved_refs(&api, "legacy").is_some_and(|c| c["status"] == "True")
    })
    .await;
}
