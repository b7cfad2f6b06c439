//! Runs the code blocks of docs/*.md, so that what a newcomer copies works:
//!
//! - ```` ```yaml manifest ```` blocks are planned (`gantry plan`) together with the earlier
//!   manifest blocks of the same doc and `examples/gatewayclasses.yaml`: no load error, every
//!   Gateway and route `Accepted=True`, every route `ResolvedRefs=True`. ```` ```yaml
//!   manifest refused ```` shows a mistake: it loads, and some condition is False.
//! - every other ```` ```yaml ```` / ```` ```json ```` block must parse.
//! - ```` ```sh ```` blocks run in the repository root with the `gantry` just built first on
//!   PATH and must exit 0 — unless an `<!-- not run: REASON -->` line comes right before the
//!   block (it needs a cluster, AWS, helm…). Those are counted and printed; a block with
//!   neither fails, so nothing is skipped silently.
//! - ```` ```text ```` (output) and ```` ```mermaid ```` blocks are shown, not run; any other
//!   language fails, so a new kind of block gets a rule here first.

mod offline;

use offline::root;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Block {
    doc: String,
    line: usize,
    info: String,
    body: String,
    not_run: Option<String>,
}

fn blocks(doc: &str, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let Some(info) = lines[i].trim_start().strip_prefix("```") else {
            i += 1;
            continue;
        };
        let start = i;
        let mut body = String::new();
        i += 1;
        while i < lines.len() && lines[i].trim_start() != "```" {
            body.push_str(lines[i]);
            body.push('\n');
            i += 1;
        }
        let not_run = start
            .checked_sub(1)
            .and_then(|p| lines[p].trim().strip_prefix("<!-- not run:"))
            .map(|r| r.trim_end_matches("-->").trim().to_string());
        out.push(Block {
            doc: doc.to_string(),
            line: start + 1,
            info: info.trim().to_string(),
            body,
            not_run,
        });
        i += 1;
    }
    out
}

fn docs() -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.strip_prefix(root()).unwrap_or(&p).display().to_string();
            (name, std::fs::read_to_string(&p).expect("read doc"))
        })
        .collect()
}

fn gantry() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gantry"));
    c.current_dir(root());
    c
}

/// Plans `manifests` and returns the failures of the block's expectations.
fn plan(b: &Block, manifests: &str, refused: bool) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("gantry-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join(format!("{}-{}.yaml", b.doc.replace('/', "_"), b.line));
    std::fs::write(&file, manifests).map_err(|e| e.to_string())?;
    let out = gantry()
        .args([
            "plan",
            "-o",
            "json",
            "-f",
            "examples/gatewayclasses.yaml",
            "-f",
        ])
        .arg(&file)
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || stderr.contains("error:") {
        return Err(format!("gantry plan failed:\n{stderr}"));
    }
    let plan: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let mut bad = Vec::new();
    for o in plan["objects"].as_array().into_iter().flatten() {
        let name = format!(
            "{} {}/{}",
            o["kind"].as_str().unwrap_or("?"),
            o["metadata"]["namespace"].as_str().unwrap_or(""),
            o["metadata"]["name"].as_str().unwrap_or("?")
        );
        let mut conditions: Vec<&Value> = o["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        for p in o["status"]["parents"].as_array().into_iter().flatten() {
            conditions.extend(p["conditions"].as_array().into_iter().flatten());
        }
        for c in conditions {
            let (kind, status) = (
                c["type"].as_str().unwrap_or(""),
                c["status"].as_str().unwrap_or(""),
            );
            let wrong = match kind {
                "Accepted" | "ResolvedRefs" => status != "True",
                "PartiallyInvalid" => status == "True",
                _ => false,
            };
            if wrong {
                bad.push(format!(
                    "{name}: {kind}={status} {}",
                    c["message"].as_str().unwrap_or("")
                ));
            }
        }
    }
    match (refused, bad.is_empty()) {
        (false, false) => Err(format!(
            "conditions not as a working example's:\n{}",
            bad.join("\n")
        )),
        (true, true) => Err("marked `refused`, but every condition is fine".to_string()),
        _ => Ok(()),
    }
}

fn run_sh(body: &str) -> Result<(), String> {
    for line in body.lines().map(str::trim) {
        if !(line.is_empty()
            || line.starts_with('#')
            || line.starts_with("gantry ")
            || line == "gantry")
        {
            return Err(format!(
                "runnable sh blocks run only gantry commands; mark this one `<!-- not run: … -->`: {line}"
            ));
        }
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_gantry"))
        .parent()
        .expect("bin dir")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-e", "-c", body])
        .current_dir(root())
        .env("PATH", path)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "exit {:?}:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

#[test]
fn every_code_block_in_the_docs_runs_or_says_why_not() {
    let mut failures = Vec::new();
    let (mut planned, mut ran, mut parsed) = (0, 0, 0);
    let mut not_run = Vec::new();
    for (doc, text) in docs() {
        let mut manifests = String::new();
        for b in blocks(&doc, &text) {
            let words: Vec<&str> = b.info.split_whitespace().collect();
            let result = match (words.first().copied(), &b.not_run) {
                (Some("sh"), Some(reason)) => {
                    if reason.is_empty() {
                        Err("`not run:` needs a reason".to_string())
                    } else {
                        not_run.push(format!("{}:{} ({reason})", b.doc, b.line));
                        Ok(())
                    }
                }
                (Some("sh"), None) => {
                    ran += 1;
                    run_sh(&b.body)
                }
                (Some("yaml"), _) if words.contains(&"manifest") => {
                    planned += 1;
                    manifests.push_str("---\n");
                    manifests.push_str(&b.body);
                    plan(&b, &manifests, words.contains(&"refused"))
                }
                (Some("yaml"), _) => {
                    parsed += 1;
                    serde_norway::Deserializer::from_str(&b.body)
                        .map(|d| serde_norway::Value::deserialize(d).map(|_| ()))
                        .collect::<Result<Vec<()>, _>>()
                        .map(|_| ())
                        .map_err(|e| format!("not YAML: {e}"))
                }
                (Some("json"), _) => {
                    parsed += 1;
                    serde_json::from_str::<Value>(&b.body)
                        .map(|_| ())
                        .map_err(|e| format!("not JSON: {e}"))
                }
                (Some("text" | "mermaid"), _) => Ok(()),
                (other, _) => Err(format!(
                    "code block language {other:?} has no rule in this test"
                )),
            };
            if let Err(e) = result {
                failures.push(format!("{}:{} ```{}: {e}", b.doc, b.line, b.info));
            }
        }
    }
    println!(
        "doc blocks: {planned} planned, {ran} run, {parsed} parsed, {} not run:\n  {}",
        not_run.len(),
        not_run.join("\n  ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The install guide's manifests and commands are what a newcomer follows.
    assert!(
        planned >= 5 && ran >= 5,
        "{planned} planned, {ran} run: the docs lost their examples?"
    );
}

use serde::Deserialize;
