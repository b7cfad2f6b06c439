//! Listener certificates from Kubernetes Secrets against the moto emulator: imported into ACM
//! once, shared by the listeners naming the Secret, re-imported in place on rotation without a
//! listener call, deleted after the listeners stopped using them, and a certificate gantry did
//! not import left alone. Needs AWS_ENDPOINT_URL (scripts/moto.sh); fails without it.

mod common;

use common::*;
use gantry_deploy::{
    CertificateSource, Certificates, Deployer, FINGERPRINT_TAG, ImportMaterial, MutationHook,
    Operation, SECRET_TAG,
};
use gantry_model::*;
use gantry_testkit::acm::{
    certificate_fixture as fixture, certificate_tags, domain_name, import_tagged,
};
use gantry_testkit::calls;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn pair(crt: &str, key: &str) -> ImportMaterial {
    ImportMaterial {
        certificate: fixture(crt),
        chain: None,
        private_key: fixture(key),
    }
}

/// The Secrets as the controller or `gantry apply -f` would hand them over: by name, each
/// with the fingerprint of what it holds now.
#[derive(Default)]
struct Secrets(Mutex<BTreeMap<String, (String, ImportMaterial)>>);

impl Secrets {
    fn put(&self, secret: &str, fingerprint: &str, m: ImportMaterial) {
        self.0
            .lock()
            .unwrap()
            .insert(secret.into(), (fingerprint.into(), m));
    }
}

impl CertificateSource for Secrets {
    fn material(&self, secret: &str, fingerprint: &str) -> Option<ImportMaterial> {
        let map = self.0.lock().unwrap();
        map.get(secret)
            .filter(|(f, _)| f == fingerprint)
            .map(|(_, m)| m.clone())
    }
}

fn https(cluster: &str, gateway: &str, port: i32, secrets: &[(&str, &str)]) -> Listener {
    let kind = LoadBalancerType::Application;
    let certificate_secrets = secrets
        .iter()
        .map(|(s, f)| SecretCertificate {
            secret: s.to_string(),
            fingerprint: f.to_string(),
        })
        .collect();
    Listener {
        certificate_secrets,
        ssl_policy: Some("ELBSecurityPolicy-2016-08".into()),
        ..listener(cluster, gateway, kind, port, Protocol::Https, not_found())
    }
}

async fn exists(acm: &aws_sdk_acm::Client, arn: &str) -> bool {
    acm.describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_certificates_are_imported_shared_rotated_and_deleted_last() {
    let endpoint = gantry_testkit::moto::endpoint("the Secret certificate lifecycle");
    let fx = Fixture::new(&endpoint, "secrets").await;
    let acm = aws_sdk_acm::Client::new(&fx.config);

    // A certificate gantry did not import, even though it carries the cluster tag: no Secret
    // tag. It is on a listener first, then configured away; it must survive.
    let foreign = import_tagged(&acm, "ec384.crt", "ec384.key", (CLUSTER_TAG, &fx.cluster)).await;

    let secrets = Arc::new(Secrets::default());
    secrets.put("web/tls", "fp-rsa", pair("rsa.crt", "rsa.key"));
    let order: Arc<Mutex<Vec<Operation>>> = Arc::default();
    let mut settings = fx.settings();
    settings.certificates = Some(Certificates(secrets.clone()));
    let seen = order.clone();
    settings.after_mutation = Some(MutationHook(Arc::new(move |op| {
        seen.lock().unwrap().push(op);
        Box::pin(async {})
    })));
    let d = Deployer::new(&fx.config, settings);

    let gateway = "web/secure";
    let mut stack = alb(&fx.cluster, gateway, &format!("k8s-{}", fx.cluster));
    let mut first = https(&fx.cluster, gateway, 443, &[("web/tls", "fp-rsa")]);
    first.certificates = vec![Certificate {
        certificate_arn: foreign.clone(),
    }];
    stack.listeners = vec![
        first,
        https(&fx.cluster, gateway, 8443, &[("web/tls", "fp-rsa")]),
    ];
    if let Some(sg) = &mut stack.security_group {
        sg.ingress[0].from_port = 443;
        sg.ingress[0].to_port = 8443;
    }

    // Import once, shared by both listeners.
    let report = d.apply(&stack).await.expect("apply");
    println!("{report}");
    assert_eq!(
        calls::count(&d.call_counts(), &["ImportCertificate"]),
        1,
        "{:?}",
        d.call_counts()
    );
    let lb = report.load_balancer.expect("address").arn;
    let l443 = fx.listener_arn(&lb, 443).await;
    let l8443 = fx.listener_arn(&lb, 8443).await;
    let on_8443 = fx.listener_certificates(&l8443).await;
    assert_eq!(on_8443.len(), 1, "{on_8443:?}");
    let imported = on_8443[0].clone();
    let mut want = vec![foreign.clone(), imported.clone()];
    want.sort();
    assert_eq!(fx.listener_certificates(&l443).await, want);
    let tags = certificate_tags(&acm, &imported).await;
    assert_eq!(tags.get(CLUSTER_TAG), Some(&fx.cluster));
    assert_eq!(tags.get(SECRET_TAG).map(String::as_str), Some("web/tls"));
    assert_eq!(
        tags.get(FINGERPRINT_TAG).map(String::as_str),
        Some("fp-rsa")
    );

    // Nothing changed: nothing imported again, no mutating call.
    let again = d.apply(&stack).await.expect("re-apply");
    assert_eq!(again.mutating_calls, 0, "{again}");

    // Rotation: the Secret holds another certificate. Re-imported under the same ARN, the
    // fingerprint tag follows, and no listener call is made.
    secrets.put("web/tls", "fp-ec", pair("ec.crt", "ec.key"));
    for l in &mut stack.listeners {
        l.certificate_secrets[0].fingerprint = "fp-ec".into();
    }
    let listener_calls = |d: &Deployer| {
        let listener_operations = [
            "ModifyListener",
            "AddListenerCertificates",
            "RemoveListenerCertificates",
            "CreateListener",
            "DeleteListener",
        ];
        calls::count(&d.call_counts(), &listener_operations)
    };
    let before = listener_calls(&d);
    let rotated = d.apply(&stack).await.expect("rotate");
    println!("{rotated}");
    assert_eq!(calls::count(&d.call_counts(), &["ImportCertificate"]), 2);
    assert_eq!(
        rotated.mutating_calls, 2,
        "re-import and fingerprint tag only"
    );
    assert_eq!(listener_calls(&d), before, "no listener call on rotation");
    assert_eq!(
        fx.listener_certificates(&l8443).await,
        vec![imported.clone()]
    );
    let tags = certificate_tags(&acm, &imported).await;
    assert_eq!(tags.get(FINGERPRINT_TAG).map(String::as_str), Some("fp-ec"));
    assert_eq!(tags.get(CLUSTER_TAG), Some(&fx.cluster));
    assert_eq!(tags.get(SECRET_TAG).map(String::as_str), Some("web/tls"));
    assert_eq!(
        domain_name(&acm, &imported).await.as_deref(),
        Some("ec.example.com")
    );

    // 443 drops the foreign certificate, 8443 its Secret: the imported one is still used by
    // 443, so it stays; the foreign one is not gantry's, so it stays too.
    stack.listeners[0].certificates.clear();
    stack.listeners[1].certificate_secrets.clear();
    stack.listeners[1].certificates = vec![Certificate {
        certificate_arn: foreign.clone(),
    }];
    d.apply(&stack).await.expect("apply without foreign on 443");
    assert!(exists(&acm, &imported).await);
    assert!(exists(&acm, &foreign).await);
    assert_eq!(calls::count(&d.call_counts(), &["DeleteCertificate"]), 0);
    assert_eq!(
        calls::count(&d.call_counts(), &["ImportCertificate"]),
        2,
        "still the one imported certificate"
    );

    // The Gateway goes: load balancer first, then the imported certificate; the foreign one
    // stays.
    order.lock().unwrap().clear();
    d.delete(gateway, LoadBalancerType::Application)
        .await
        .expect("delete");
    let ops = order.lock().unwrap().clone();
    let deleted_lb = ops
        .iter()
        .position(|o| *o == Operation::DeleteLoadBalancer)
        .expect("load balancer deleted");
    let deleted_cert = ops
        .iter()
        .position(|o| *o == Operation::DeleteCertificate)
        .expect("certificate deleted");
    assert!(deleted_lb < deleted_cert, "{ops:?}");
    assert!(
        !exists(&acm, &imported).await,
        "imported certificate left behind"
    );
    assert!(exists(&acm, &foreign).await, "foreign certificate touched");
    assert_eq!(calls::count(&d.call_counts(), &["DeleteCertificate"]), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_certificate_without_material_stops_the_apply_before_any_call() {
    let endpoint = gantry_testkit::moto::endpoint("the missing-material scenario");
    let fx = Fixture::new(&endpoint, "nosecret").await;
    let mut settings = fx.settings();
    settings.certificates = Some(Certificates(Arc::new(Secrets::default())));
    let d = Deployer::new(&fx.config, settings);
    let gateway = "web/nosecret";
    let mut stack = alb(&fx.cluster, gateway, &format!("k8s-{}", fx.cluster));
    stack.listeners = vec![https(&fx.cluster, gateway, 443, &[("web/gone", "fp")])];
    let err = d.apply(&stack).await.expect_err("no material");
    assert!(err.to_string().contains("Secret web/gone"), "{err}");
    assert_eq!(d.calls().mutating(), 0);
}
