//! The pictures in docs/diagrams/ are `gantry plan -o dot` / `-o mermaid` of the bundled
//! examples, and the SVGs are Graphviz's rendering of that DOT: all three are regenerated here
//! and compared byte for byte, so a translation change that moves a rule or a target group
//! shows up as a failing test until the pictures are re-made (`GANTRY_BLESS=1`, then review).
//!
//! Byte comparison of the SVG is deterministic because Graphviz is: the same DOT, Graphviz
//! version and fonts give the same file. scripts/test.sh installs Debian's `graphviz`, so the
//! version is the distribution's; on another version the SVG test fails and says so.

mod offline;

use offline::root;
use std::path::Path;
use std::process::{Command, Stdio};

/// Every example directory that draws a load balancer (tiered Gateways are Crossplane's).
fn examples() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "tiered")
        .collect();
    out.sort();
    out
}

fn plan(example: &str, format: &str) -> String {
    let example = format!("examples/{example}");
    offline::plan_stdout(&[
        "-f",
        "examples/gatewayclasses.yaml",
        "-f",
        &example,
        "-o",
        format,
    ])
}

fn render_svg(dot: &str) -> Vec<u8> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("Graphviz `dot` is needed to check docs/diagrams/*.svg ({e}); install it with `apt-get install -y graphviz` (scripts/test.sh does)")
        });
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(dot.as_bytes())
        .expect("write DOT");
    let out = child.wait_with_output().expect("dot runs");
    assert!(
        out.status.success(),
        "dot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn check(path: &Path, actual: &[u8], problems: &mut Vec<String>) {
    if std::env::var_os("GANTRY_BLESS").is_some() {
        std::fs::write(path, actual).expect("write diagram");
        return;
    }
    match std::fs::read(path) {
        Ok(expected) if expected == actual => {}
        Ok(_) => problems.push(format!(
            "{} differs from what gantry/Graphviz make now",
            path.display()
        )),
        Err(e) => problems.push(format!("{}: {e}", path.display())),
    }
}

#[test]
fn diagrams_in_docs_are_the_plans_of_the_examples() {
    let dir = root().join("docs/diagrams");
    let mut problems = Vec::new();
    let examples = examples();
    assert!(examples.len() >= 6, "examples found: {examples:?}");
    for example in &examples {
        let dot = plan(example, "dot");
        assert!(dot.starts_with("digraph gantry {"), "{example}: {dot}");
        check(
            &dir.join(format!("{example}.dot")),
            dot.as_bytes(),
            &mut problems,
        );
        check(
            &dir.join(format!("{example}.mmd")),
            plan(example, "mermaid").as_bytes(),
            &mut problems,
        );
        check(
            &dir.join(format!("{example}.svg")),
            &render_svg(&dot),
            &mut problems,
        );
    }
    assert!(
        problems.is_empty(),
        "{}\nRe-make them with GANTRY_BLESS=1 cargo test -p gantry --test diagrams and review the diff.",
        problems.join("\n")
    );
}

#[test]
fn every_example_picture_is_shown_in_the_diagrams_doc() {
    let doc = std::fs::read_to_string(root().join("docs/diagrams.md")).expect("docs/diagrams.md");
    for example in examples() {
        let image = format!("](diagrams/{example}.svg)");
        assert!(
            doc.contains(&image),
            "docs/diagrams.md does not show {example}.svg"
        );
    }
}

/// The chaining example's picture links the NLB's target group to the ALB Gateway's listener
/// rather than to a Service: chained Gateways are one path.
#[test]
fn chained_gateways_are_linked_in_the_picture() {
    let dot = plan("chaining", "dot");
    let chained: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("label=\"chained\""))
        .collect();
    assert_eq!(chained.len(), 2, "{dot}");
    for line in chained {
        // `gN_tgM -> gK_l<port>`: a target group to a listener of another Gateway.
        let (from, to) = line.trim().split_once(" -> ").expect("an edge");
        assert_ne!(from.split('_').next(), to.split('_').next(), "{line}");
        assert!(to.contains("_l80 ") || to.contains("_l443 "), "{line}");
    }
}
