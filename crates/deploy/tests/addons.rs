//! WAFv2 web ACL association and Shield Advanced protection against the moto emulator.

mod common;

use common::*;
use gantry_deploy::{Deployer, Error};
use gantry_model::*;
use gantry_testkit::calls;

const GATEWAY: &str = "demo/waf";

/// A regional web ACL in moto; its ARN.
async fn web_acl(fx: &Fixture, name: &str) -> String {
    use aws_sdk_wafv2::types::{AllowAction, DefaultAction, Scope, VisibilityConfig};
    let waf = aws_sdk_wafv2::Client::new(&fx.config);
    waf.create_web_acl()
        .name(name)
        .scope(Scope::Regional)
        .default_action(
            DefaultAction::builder()
                .allow(AllowAction::builder().build())
                .build(),
        )
        .visibility_config(
            VisibilityConfig::builder()
                .sampled_requests_enabled(false)
                .cloud_watch_metrics_enabled(false)
                .metric_name(name)
                .build()
                .expect("visibility config"),
        )
        .send()
        .await
        .expect("create web ACL")
        .summary
        .and_then(|s| s.arn)
        .expect("web ACL ARN")
}

async fn associated(fx: &Fixture, lb: &str) -> Option<String> {
    aws_sdk_wafv2::Client::new(&fx.config)
        .get_web_acl_for_resource()
        .resource_arn(lb)
        .send()
        .await
        .expect("GetWebACLForResource")
        .web_acl
        .map(|w| w.arn)
}

/// The name of the Shield protection of `lb`, if any.
async fn protection(fx: &Fixture, lb: &str) -> Option<String> {
    protection_of(fx, lb).await.and_then(|p| p.name)
}

/// The Shield protection of `lb`, if any.
async fn protection_of(fx: &Fixture, lb: &str) -> Option<aws_sdk_shield::types::Protection> {
    match aws_sdk_shield::Client::new(&fx.config)
        .describe_protection()
        .resource_arn(lb)
        .send()
        .await
    {
        Ok(out) => out.protection,
        Err(e) => {
            use aws_sdk_shield::error::ProvideErrorMetadata;
            assert_eq!(e.code(), Some("ResourceNotFoundException"), "{e:?}");
            None
        }
    }
}

fn with_addons(mut stack: Stack, web_acl: Option<&str>, shield: bool) -> Stack {
    stack.load_balancer.addons = Addons {
        web_acl_arn: web_acl.map(str::to_string),
        shield_advanced: shield,
    };
    stack
}

/// Calls of the WAFv2 and Shield APIs so far, by operation.
fn addon_calls(d: &Deployer) -> Vec<(String, u64)> {
    d.call_counts()
        .into_iter()
        .filter(|((service, _), _)| {
            let s = service.to_ascii_lowercase();
            s.contains("waf") || s.contains("shield")
        })
        .map(|((_, op), n)| (op, n))
        .collect()
}

fn count(d: &Deployer, op: &str) -> u64 {
    calls::count(&d.call_counts(), &[op])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_associates_and_protects_then_reapply_removal_and_delete() {
    let fx = Fixture::start("addons_lifecycle", "addons").await;
    let acl = web_acl(&fx, &format!("{}-acl", fx.cluster)).await;
    let name = format!("k8s-{}", fx.cluster);
    let plain = alb(&fx.cluster, GATEWAY, &name);
    let protected = with_addons(plain.clone(), Some(&acl), true);
    let d = fx.deployer();

    let first = d.apply(&protected).await.expect("first apply");
    let lb = first.load_balancer.clone().expect("address").arn;
    assert_eq!(associated(&fx, &lb).await.as_deref(), Some(acl.as_str()));
    assert_eq!(
        protection(&fx, &lb).await.as_deref(),
        Some("managed by gantry")
    );
    assert_eq!(count(&d, "AssociateWebACL"), 1);
    assert_eq!(count(&d, "CreateProtection"), 1);
    // Tagged for the cluster: the IAM policy lets gantry delete only such protections.
    let shield = aws_sdk_shield::Client::new(&fx.config);
    let protection_arn = protection_of(&fx, &lb)
        .await
        .and_then(|p| p.protection_arn)
        .expect("protection ARN");
    let tags = shield
        .list_tags_for_resource()
        .resource_arn(&protection_arn)
        .send()
        .await
        .expect("protection tags")
        .tags
        .unwrap_or_default();
    assert!(
        tags.iter()
            .any(|t| t.key.as_deref() == Some("elbv2.k8s.aws/cluster")
                && t.value.as_deref() == Some(fx.cluster.as_str())),
        "{tags:?}"
    );

    // Unchanged: one read per addon, no mutating call of any service.
    let second = d.apply(&protected).await.expect("second apply");
    assert!(second.is_unchanged(), "{second}");
    assert_eq!(second.mutating_calls, 0);
    assert_eq!(count(&d, "AssociateWebACL"), 1);
    assert_eq!(count(&d, "CreateProtection"), 1);
    assert_eq!(count(&d, "GetWebACLForResource"), 2);

    // Removed from the configuration: gantry turned them on, so it turns them off.
    let removed = d.apply(&plain).await.expect("apply without addons");
    println!("{removed}");
    assert_eq!(associated(&fx, &lb).await, None);
    assert_eq!(protection(&fx, &lb).await, None);
    assert_eq!(count(&d, "DisassociateWebACL"), 1);
    assert_eq!(count(&d, "DeleteProtection"), 1);
    // Off and remembered as off: the next apply calls neither service.
    let before = addon_calls(&d);
    let quiet = d.apply(&plain).await.expect("apply without addons again");
    assert_eq!(quiet.mutating_calls, 0, "{quiet}");
    assert_eq!(addon_calls(&d), before);

    // On again, then the Gateway goes: both are removed before the load balancer.
    d.apply(&protected).await.expect("protect again");
    assert_eq!(associated(&fx, &lb).await.as_deref(), Some(acl.as_str()));
    d.delete(GATEWAY, LoadBalancerType::Application)
        .await
        .expect("delete");
    assert_eq!(associated(&fx, &lb).await, None);
    assert_eq!(protection(&fx, &lb).await, None);
    assert!(fx.tagged().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associations_and_protections_gantry_did_not_make_are_left_alone() {
    let fx = Fixture::start("addons_others", "addons-others").await;
    let acl = web_acl(&fx, &format!("{}-acl", fx.cluster)).await;
    let plain = alb(&fx.cluster, GATEWAY, &format!("k8s-{}", fx.cluster));
    let d = fx.deployer();
    let lb = d
        .apply(&plain)
        .await
        .expect("apply")
        .load_balancer
        .expect("address")
        .arn;
    // Someone else (Firewall Manager, a console user) protects the load balancer.
    aws_sdk_wafv2::Client::new(&fx.config)
        .associate_web_acl()
        .resource_arn(&lb)
        .web_acl_arn(&acl)
        .send()
        .await
        .expect("associate by hand");
    aws_sdk_shield::Client::new(&fx.config)
        .create_protection()
        .name("by hand")
        .resource_arn(&lb)
        .send()
        .await
        .expect("protect by hand");

    let again = d.apply(&plain).await.expect("apply again");
    assert_eq!(again.mutating_calls, 0);
    assert!(addon_calls(&d).is_empty(), "{:?}", addon_calls(&d));
    assert_eq!(associated(&fx, &lb).await.as_deref(), Some(acl.as_str()));

    // Asking for Shield finds the existing protection and creates none.
    let shielded = with_addons(plain.clone(), None, true);
    assert_eq!(d.apply(&shielded).await.expect("shield").mutating_calls, 1);
    assert_eq!(count(&d, "CreateProtection"), 0);
    // Turning it off again deletes only a protection gantry named: this one stays.
    d.apply(&plain).await.expect("unshield");
    assert_eq!(count(&d, "DeleteProtection"), 0);
    assert_eq!(protection(&fx, &lb).await.as_deref(), Some("by hand"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_acl_that_does_not_exist_fails_only_its_gateway() {
    let fx = Fixture::start("addons_missing_acl", "addons-bad").await;
    let acl = web_acl(&fx, &format!("{}-acl", fx.cluster)).await;
    let missing = format!(
        "arn:aws:wafv2:{}:123456789012:regional/webacl/nope/11111111-2222-3333-4444-555555555555",
        region()
    );
    let good = with_addons(
        alb(&fx.cluster, "demo/good", &format!("k8s-{}-g", fx.cluster)),
        Some(&acl),
        false,
    );
    let bad = with_addons(
        alb(&fx.cluster, "demo/bad", &format!("k8s-{}-b", fx.cluster)),
        Some(&missing),
        false,
    );
    let d = fx.deployer();
    let results = d.apply_all(&[bad, good]).await;
    let bad_result = &results.iter().find(|(g, _)| g == "demo/bad").unwrap().1;
    let good_result = &results.iter().find(|(g, _)| g == "demo/good").unwrap().1;
    match bad_result {
        Err(e @ Error::WebAclNotFound { web_acl, .. }) => {
            assert_eq!(web_acl, &missing);
            let message = e.status_message().expect("a message for the status");
            assert!(message.contains(&missing), "{message}");
        }
        other => panic!("expected WebAclNotFound, got {other:?}"),
    }
    let good_lb = good_result
        .as_ref()
        .expect("the other Gateway is applied")
        .load_balancer
        .clone()
        .expect("address")
        .arn;
    assert_eq!(
        associated(&fx, &good_lb).await.as_deref(),
        Some(acl.as_str())
    );
}
