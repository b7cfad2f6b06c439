//! What the tests running `gantry` with no AWS share: the repository root (examples/, docs/),
//! running `gantry plan` from it, and finding an object in the JSON plan it prints.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where examples/ and docs/ are.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `gantry plan args` from the repository root (so paths may be relative to it), without
/// the caller's RUST_LOG, and asserts it succeeded, showing what it said on stderr if not.
pub fn plan(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .current_dir(root())
        .arg("plan")
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run gantry");
    assert!(
        out.status.success(),
        "gantry plan {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// What `gantry plan args` printed on stdout.
pub fn plan_stdout(args: &[&str]) -> String {
    String::from_utf8(plan(args).stdout).expect("UTF-8")
}

/// The element of the JSON array `list` that `matches`; panics naming `what` when none does.
pub fn element<'a>(list: &'a Value, what: &str, matches: impl Fn(&Value) -> bool) -> &'a Value {
    list.as_array()
        .unwrap_or_else(|| panic!("looking for {what}: not an array: {list}"))
        .iter()
        .find(|e| matches(e))
        .unwrap_or_else(|| panic!("no {what} in {list}"))
}
