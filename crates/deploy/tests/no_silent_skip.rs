//! A test that needs the moto emulator must fail when it is absent, never pass by skipping; no
//! variable turns that into a skip. Proven by running one such test of this binary again as a
//! child process without `AWS_ENDPOINT_URL`.

mod common;

use std::process::{Command, Output};

#[tokio::test]
async fn needs_the_emulator() {
    // Any test that calls common::endpoint; this one only asks for it.
    let _endpoint = common::endpoint("needs_the_emulator");
}

/// Runs `needs_the_emulator` without `AWS_ENDPOINT_URL`, with `GANTRY_SKIP_AWS_TESTS` (which
/// once asked for a skip) set to `skip`.
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
fn no_variable_makes_it_skip() {
    for value in ["1", "yes"] {
        let out = run_without_emulator(Some(value));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "passed without moto, GANTRY_SKIP_AWS_TESTS={value}: {stderr}"
        );
        assert!(!stderr.contains("SKIPPED"), "{stderr}");
    }
}
