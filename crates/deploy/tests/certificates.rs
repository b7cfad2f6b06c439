//! ACM certificate discovery against the moto emulator: a listener planned with hostnames but
//! no certificate gets the ISSUED certificates covering them.

mod common;

use common::*;
use gantry_deploy::{Error, ErrorClass};
use gantry_model::*;
use gantry_testkit::calls;

/// Requests a certificate from moto's ACM. With a (made-up) private CA, moto issues it at once;
/// without one it stays PENDING_VALIDATION.
async fn request(acm: &aws_sdk_acm::Client, names: &[&str], issued: bool) -> String {
    let mut call = acm.request_certificate().domain_name(names[0]);
    for n in &names[1..] {
        call = call.subject_alternative_names(*n);
    }
    if issued {
        call = call.certificate_authority_arn(
            "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/gantry-test",
        );
    }
    call.send()
        .await
        .expect("request certificate")
        .certificate_arn
        .expect("certificate ARN")
}

/// The HTTPS listener on 443 of `stack`'s load balancer, to be found in ACM by `hosts`.
fn https(cluster: &str, stack: &mut Stack, hosts: &[&str]) {
    let l = &mut stack.listeners[0];
    l.id = "443".into();
    l.port = 443;
    l.protocol = Protocol::Https;
    l.ssl_policy = Some("ELBSecurityPolicy-2016-08".into());
    l.certificate_hostnames = hosts.iter().map(|h| h.to_string()).collect();
    l.tags = tags(
        cluster,
        &stack.gateway,
        LoadBalancerType::Application,
        "443",
    );
    if let Some(sg) = &mut stack.security_group {
        for r in &mut sg.ingress {
            r.from_port = 443;
            r.to_port = 443;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listener_certificates_are_discovered_by_hostname() {
    let fx = Fixture::start("certificate_discovery", "acm").await;
    let acm = aws_sdk_acm::Client::new(&fx.config);
    // moto's ACM is one account for every test: names under this test's own domain.
    let domain = format!("{}.test", fx.cluster.to_ascii_lowercase());
    let wildcard = request(&acm, &[&format!("*.{domain}")], true).await;
    let exact = request(
        &acm,
        &[&format!("a.{domain}"), &format!("www.a.{domain}")],
        true,
    )
    .await;
    let _pending = request(&acm, &[&format!("deep.b.{domain}")], false).await;

    let d = fx.deployer();
    let name = format!("k8s-{}", fx.cluster);
    let mut stack = alb(&fx.cluster, "demo/secure", &name);
    https(
        &fx.cluster,
        &mut stack,
        &[&format!("a.{domain}"), &format!("x.{domain}")],
    );
    let first = d.apply(&stack).await.expect("apply");
    println!("{first}");

    // Both certificates cover a.<domain>, the wildcard also x.<domain>: the union, sorted by
    // ARN, the first as the default.
    let mut want = vec![exact.clone(), wildcard.clone()];
    want.sort();
    let lb = first.load_balancer.expect("address").arn;
    let listener = fx.listener_arn(&lb, 443).await;
    let described = fx
        .elbv2
        .describe_listeners()
        .listener_arns(&listener)
        .send()
        .await
        .expect("describe listener")
        .listeners
        .unwrap_or_default();
    let default = described[0]
        .certificates()
        .first()
        .and_then(|c| c.certificate_arn.clone());
    assert_eq!(default.as_ref(), Some(&want[0]));
    let attached = fx.listener_certificates(&listener).await;
    for arn in &want {
        assert!(attached.contains(arn), "{arn} not in {attached:?}");
    }
    assert_eq!(calls::count(&d.call_counts(), &["ListCertificates"]), 1);
    let described_once = calls::count(&d.call_counts(), &["DescribeCertificate"]);

    // Unchanged: no mutating call, and ACM is read from the cache.
    let second = d.apply(&stack).await.expect("second apply");
    assert!(second.is_unchanged(), "{second}");
    assert_eq!(second.mutating_calls, 0);
    assert_eq!(calls::count(&d.call_counts(), &["ListCertificates"]), 1);
    assert_eq!(
        calls::count(&d.call_counts(), &["DescribeCertificate"]),
        described_once
    );
    println!("calls: {:?}", d.call_counts());

    // Only a pending certificate covers deep.b.<domain> (the wildcard covers one label): an
    // error naming the listener and the host, before any call.
    let mut other = alb(&fx.cluster, "demo/pending", &format!("{name}-p"));
    https(
        &fx.cluster,
        &mut other,
        &[&format!("deep.b.{domain}"), &format!("a.{domain}")],
    );
    let before = d.calls().mutating();
    let err = d
        .apply(&other)
        .await
        .expect_err("no certificate for deep.b");
    println!("{err}");
    assert_eq!(err.class(), ErrorClass::NotFound);
    match &err {
        Error::CertificateNotFound {
            gateway,
            listener,
            hosts,
        } => {
            assert_eq!(gateway, "demo/pending");
            assert_eq!(listener, "HTTPS:443");
            assert_eq!(hosts, &[format!("deep.b.{domain}")]);
        }
        e => panic!("unexpected error {e:?}"),
    }
    assert_eq!(d.calls().mutating(), before);

    d.delete("demo/secure", LoadBalancerType::Application)
        .await
        .expect("delete");
    let left = fx.tagged().await;
    assert!(left.is_empty(), "still tagged for the cluster: {left:?}");
}
