//! What the tests running `gantry` against the moto emulator share: the region, running the
//! binary with the emulator's endpoint and credentials, and SDK clients to look at the result.
#![allow(dead_code)]

use std::process::{Command, Output};
use std::time::Instant;

pub fn region() -> String {
    std::env::var("AWS_REGION").unwrap_or_else(|_| "us-west-2".to_string())
}

fn env_or_testing(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| "testing".into())
}

/// Runs `gantry args` against the emulator at `endpoint`, prints what it said and how long it
/// took, and asserts it succeeded.
pub fn gantry(endpoint: &str, args: &[&str]) -> Output {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_REGION", region())
        .env("AWS_ACCESS_KEY_ID", env_or_testing("AWS_ACCESS_KEY_ID"))
        .env(
            "AWS_SECRET_ACCESS_KEY",
            env_or_testing("AWS_SECRET_ACCESS_KEY"),
        )
        .env_remove("RUST_LOG")
        .output()
        .expect("run gantry");
    println!(
        "$ gantry {} ({:.1} s)\n{}{}",
        args.join(" "),
        started.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "gantry {} failed", args.join(" "));
    out
}

/// SDK clients on the emulator.
pub struct Aws {
    pub config: aws_config::SdkConfig,
    pub ec2: aws_sdk_ec2::Client,
    pub elbv2: aws_sdk_elasticloadbalancingv2::Client,
    pub acm: aws_sdk_acm::Client,
}

pub async fn aws(endpoint: &str) -> Aws {
    let config = gantry_testkit::moto::sdk_config(
        endpoint,
        &region(),
        gantry_deploy::client::https_client(),
    )
    .await;
    Aws {
        ec2: aws_sdk_ec2::Client::new(&config),
        elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&config),
        acm: aws_sdk_acm::Client::new(&config),
        config,
    }
}

/// `gantry plan -f path --cluster-name cluster -o json` against the emulator: the plan
/// document and its stacks.
pub fn planned(
    endpoint: &str,
    path: &str,
    cluster: &str,
) -> (serde_json::Value, Vec<gantry_model::Stack>) {
    let args = ["plan", "-f", path, "--cluster-name", cluster, "-o", "json"];
    let out = gantry(endpoint, &args);
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let stacks = serde_json::from_value(plan["stacks"].clone()).expect("stacks");
    (plan, stacks)
}
