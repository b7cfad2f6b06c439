//! `gantry plan -f` with an OIDC client Secret among the manifests: the rule's authenticate-oidc
//! action gets the Secret's client id, and no output format ever prints the client secret.

mod offline;

/// An HTTPS Gateway and a route authenticating with the Secret `apps/oidc-client`.
const MANIFESTS: &str = gantry_testkit::scenes::OIDC_SHOP;

/// `my-client` / `s3cr3t-value`, base64 as in a Secret's data.
const SECRET: &str = r#"
---
apiVersion: v1
kind: Secret
metadata: {name: oidc-client, namespace: apps}
data:
  clientID: bXktY2xpZW50
  clientSecret: czNjcjN0LXZhbHVl
"#;

fn plan(manifests: &str, format: &str) -> String {
    let dir = std::env::temp_dir().join(format!("gantry-plan-secret-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    // Tests run in parallel: each plan gets its own file.
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = dir.join(format!("{format}-{n}.yaml"));
    std::fs::write(&file, manifests).expect("write manifests");
    let file = file.to_str().unwrap();
    let out = offline::plan(&["-f", file, "-o", format, "--cluster-name", "test"]);
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_client_id_reaches_the_rule_and_the_secret_is_never_printed() {
    let manifests = format!("{MANIFESTS}{SECRET}");
    for format in ["json", "yaml", "table"] {
        let text = plan(&manifests, format);
        assert!(
            !text.contains("s3cr3t-value") && !text.contains("czNjcjN0LXZhbHVl"),
            "-o {format} prints the client secret:\n{text}"
        );
        assert!(
            text.contains("authenticate-oidc"),
            "-o {format}: no OIDC action:\n{text}"
        );
    }
    let plan: serde_json::Value = serde_json::from_str(&plan(&manifests, "json")).unwrap();
    let oidc = plan["stacks"][0]["listeners"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|l| l["rules"].as_array().cloned().unwrap_or_default())
        .flat_map(|r| r["Actions"].as_array().cloned().unwrap_or_default())
        .find_map(|a| a.get("AuthenticateOidcConfig").cloned())
        .unwrap_or_else(|| panic!("no OIDC action in {plan:#}"));
    assert_eq!(oidc["ClientId"], "my-client");
    assert_eq!(oidc["ClientSecret"], "<redacted>");
}

#[test]
fn without_the_secret_the_route_names_it() {
    let plan: serde_json::Value = serde_json::from_str(&plan(MANIFESTS, "json")).unwrap();
    let route = offline::element(&plan["objects"], "route", |o| o["kind"] == "HTTPRoute");
    let text = route["status"].to_string();
    assert!(
        text.contains("Secret apps/oidc-client for OIDC authentication not found"),
        "{text}"
    );
}
