//! Certificates and keys of `kubernetes.io/tls` Secrets, from the PEM fixtures in
//! `tests/fixtures/certificates` (test-only keys made with openssl; valid until 2100 but the
//! expired one, which ended in 2001).

use gantry_api::k8s::{ByteString, ObjectMeta, Secret};
use gantry_translate::certificates::{fingerprint, material};
use std::collections::BTreeMap;

const NOW: Option<i64> = Some(1_893_456_000); // 2030-01-01

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/certificates/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn secret(kind: &str, data: &[(&str, Vec<u8>)]) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some("s".into()),
            namespace: Some("web".into()),
            ..Default::default()
        },
        type_: Some(kind.into()),
        data: Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), ByteString(v.clone())))
                .collect::<BTreeMap<_, _>>(),
        ),
        ..Default::default()
    }
}

fn tls(crt: &[&str], key: &str) -> Secret {
    let crt: Vec<u8> = crt.iter().flat_map(|c| fixture(c)).collect();
    secret(
        "kubernetes.io/tls",
        &[("tls.crt", crt), ("tls.key", fixture(key))],
    )
}

fn der_of(pem_file: &str) -> Vec<u8> {
    pem::parse(fixture(pem_file))
        .expect("fixture is PEM")
        .into_contents()
}

#[test]
fn every_supported_key_form_matches_its_certificate() {
    for (crt, key) in [
        ("rsa.crt", "rsa.key"),
        ("rsa.crt", "rsa-pkcs1.key"),
        ("ec.crt", "ec.key"),
        ("ec384.crt", "ec384.key"),
    ] {
        let m = material(&tls(&[crt], key), NOW).unwrap_or_else(|e| panic!("{crt}/{key}: {e}"));
        assert_eq!(m.fingerprint, fingerprint(&der_of(crt)), "{crt}");
        assert_eq!(m.chain, None);
        assert!(m.private_key.contains("PRIVATE KEY"));
    }
}

#[test]
fn the_leaf_is_the_certificate_and_the_rest_the_chain() {
    let m = material(&tls(&["rsa.crt", "ca.crt"], "rsa.key"), NOW).expect("valid");
    assert_eq!(m.fingerprint, fingerprint(&der_of("rsa.crt")));
    let chain = m.chain.expect("a chain");
    assert_eq!(
        pem::parse(chain).expect("PEM").into_contents(),
        der_of("ca.crt")
    );
    assert_eq!(
        pem::parse(&m.certificate).expect("PEM").into_contents(),
        der_of("rsa.crt")
    );
}

#[test]
fn a_key_of_another_certificate_is_refused() {
    for (crt, key) in [
        ("rsa.crt", "expired.key"),
        ("rsa.crt", "ec.key"),
        ("ec.crt", "ec384.key"),
        ("ec.crt", "rsa.key"),
    ] {
        let err = material(&tls(&[crt], key), NOW).expect_err(key).to_string();
        assert!(
            err.contains("does not match")
                || err.contains("not a usable")
                || err.contains("but tls.key holds"),
            "{crt}/{key}: {err}"
        );
    }
}

#[test]
fn validity_is_checked_only_with_a_clock() {
    let expired = tls(&["expired.crt"], "expired.key");
    assert_eq!(
        material(&expired, NOW).expect_err("expired").to_string(),
        "the certificate expired at 2001-01-01T00:00:00Z"
    );
    assert!(material(&expired, None).is_ok());
    let early = material(&tls(&["rsa.crt"], "rsa.key"), Some(0))
        .expect_err("not yet valid")
        .to_string();
    assert!(
        early.starts_with("the certificate is not valid before 20"),
        "{early}"
    );
}

#[test]
fn malformed_and_incomplete_secrets_say_what_is_wrong() {
    let cases = [
        (
            secret(
                "kubernetes.io/tls",
                &[
                    ("tls.crt", b"garbage".to_vec()),
                    ("tls.key", fixture("rsa.key")),
                ],
            ),
            "tls.crt holds no PEM CERTIFICATE",
        ),
        (
            secret("kubernetes.io/tls", &[("tls.crt", fixture("rsa.crt"))]),
            "has no tls.key",
        ),
        (
            secret(
                "Opaque",
                &[
                    ("tls.crt", fixture("rsa.crt")),
                    ("tls.key", fixture("rsa.key")),
                ],
            ),
            "type is Opaque, not kubernetes.io/tls",
        ),
        (
            secret(
                "kubernetes.io/tls",
                &[
                    ("tls.crt", fixture("rsa.crt")),
                    ("tls.key", fixture("rsa.crt")),
                ],
            ),
            "tls.key holds no PEM PRIVATE KEY",
        ),
        (
            secret(
                "kubernetes.io/tls",
                &[
                    (
                        "tls.crt",
                        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec(),
                    ),
                    ("tls.key", fixture("rsa.key")),
                ],
            ),
            "tls.crt is not an X.509 certificate",
        ),
    ];
    for (s, expected) in cases {
        let err = material(&s, NOW).expect_err(expected).to_string();
        assert!(
            err.starts_with(expected),
            "{err} should start with {expected}"
        );
    }
}

#[test]
fn the_private_key_never_shows_in_debug_output() {
    let m = material(&tls(&["ec.crt"], "ec.key"), NOW).expect("valid");
    let shown = format!("{m:?}");
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    assert!(shown.contains(&m.fingerprint));
}
