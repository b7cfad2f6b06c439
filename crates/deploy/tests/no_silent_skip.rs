//! A test that needs the moto emulator must fail when it is absent, never pass by skipping,
//! unless `GANTRY_SKIP_AWS_TESTS=1` asks for the skip. Proven by running one such test of
//! this binary again as a child process without `AWS_ENDPOINT_URL`.

mod common;

use std::process::{Command, Output};

#[tokio::test]
async fn needs_the_emulator() {
    // Any test that calls common::endpoint; this one only asks for it.
    let Some(_endpoint) = common::endpoint("needs_the_emulator") else {
        return;
    };
}

fn run_without_emulator(skip: Option<&str>) -> Output {
    let mut child = Command::new(std::env::current_exe().expect("test binary"));
    child
        .args([
            "--exact",
            "needs_the_emulator",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("GANTRY_SKIP_AWS_TESTS");
    if let Some(value) = skip {
        child.env("GANTRY_SKIP_AWS_TESTS", value);
    }
    child.output().expect("run the test binary")
}

#[test]
fn a_test_needing_moto_fails_without_it() {
    let out = run_without_emulator(None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "passed without moto: {stderr}");
    assert!(
        stderr.contains("needs the moto AWS emulator") && stderr.contains("scripts/moto.sh"),
        "the failure says what to do: {stderr}"
    );
}

#[test]
fn only_the_documented_variable_skips() {
    let out = run_without_emulator(Some("1"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "skip asked for: {stderr}");
    assert!(stderr.contains("SKIPPED needs_the_emulator"), "{stderr}");
    // Any other value is not a request to skip.
    assert!(!run_without_emulator(Some("yes")).status.success());
}
