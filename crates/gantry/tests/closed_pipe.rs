//! Every subcommand whose output goes to a closed pipe (`gantry plan -f … | head`) ends
//! quietly: no panic, no backtrace, the status a shell reports for SIGPIPE (141).

use std::path::PathBuf;
use std::process::{Command, Stdio};

const CLOSED_PIPE_STATUS: i32 = 141;

fn examples() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .display()
        .to_string()
}

/// Runs gantry with standard output a pipe whose reading end is already closed.
fn run_into_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_gantry"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run gantry");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_quiet(args: &[&str]) {
    let (code, stderr) = run_into_closed_pipe(args);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "gantry {args:?} into a closed pipe printed: {stderr}"
    );
    assert_eq!(code, Some(CLOSED_PIPE_STATUS), "gantry {args:?}: {stderr}");
}

#[test]
fn plan_in_every_format_ends_quietly() {
    let examples = examples();
    for format in ["table", "json", "yaml"] {
        assert_quiet(&["plan", "-f", &examples, "-o", format]);
    }
}

#[test]
fn crds_and_version_end_quietly() {
    assert_quiet(&["crds"]);
    assert_quiet(&["version"]);
}

#[test]
fn apply_and_delete_end_quietly() {
    // Manifests without any Gateway: both print their one line without calling AWS.
    let dir = std::env::temp_dir().join(format!("gantry-closed-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("service.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  ports: [{port: 80}]\n",
    )
    .unwrap();
    let file = file.display().to_string();
    assert_quiet(&["apply", "-f", &file, "--cluster-name", "pipe"]);
    assert_quiet(&["delete", "-f", &file, "--cluster-name", "pipe"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_into_a_closed_pipe_does_not_panic() {
    for args in [&["--help"][..], &["plan", "--help"][..]] {
        let (_, stderr) = run_into_closed_pipe(args);
        assert!(!stderr.contains("panicked"), "gantry {args:?}: {stderr}");
    }
}
