//! `gantry --help` and every subcommand's `--help` end with a link to the matching doc; the
//! file and the heading it names exist.

mod offline;

use offline::root;
use std::process::Command;

/// GitHub's anchor of a Markdown heading: lower case, punctuation other than `-` dropped,
/// spaces become `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn slug_follows_github() {
    assert_eq!(slug("`gantry plan`"), "gantry-plan");
    assert_eq!(slug("gantry's CRDs"), "gantrys-crds");
}

#[test]
fn every_help_links_to_an_existing_doc_heading() {
    for sub in [
        "",
        "plan",
        "apply",
        "delete",
        "controller",
        "crds",
        "version",
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gantry"));
        if !sub.is_empty() {
            cmd.arg(sub);
        }
        let out = cmd.arg("--help").output().expect("gantry runs");
        assert!(out.status.success(), "gantry {sub} --help");
        let text = String::from_utf8(out.stdout).expect("utf-8");
        let link = text
            .lines()
            .find_map(|l| l.strip_prefix("Documentation: "))
            .unwrap_or_else(|| panic!("gantry {sub} --help has no Documentation line:\n{text}"));
        let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
        let doc = std::fs::read_to_string(root().join(file))
            .unwrap_or_else(|e| panic!("gantry {sub} --help links to {file}: {e}"));
        if !anchor.is_empty() {
            let found = doc
                .lines()
                .filter_map(|l| l.strip_prefix('#'))
                .map(|l| slug(l.trim_start_matches('#')))
                .any(|s| s == anchor);
            assert!(
                found,
                "gantry {sub} --help links to {link}: no such heading"
            );
        }
    }
}
