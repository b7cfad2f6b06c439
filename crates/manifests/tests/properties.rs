//! Properties over generated input: no input makes the loader panic, and every document is
//! reported at its own index and line however the documents around it look.

use gantry_manifests::{Loaded, Loader, Severity, load_text};
use proptest::prelude::*;

fn load_bytes(bytes: &[u8]) -> Loaded {
    let mut loader = Loader::new();
    loader.load_bytes("fuzz.yaml", bytes);
    loader.finish()
}

fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    std::fs::read_to_string(path).expect("example exists")
}

/// Every diagnostic about a document says where it is.
fn assert_located(loaded: &Loaded) {
    for diagnostic in &loaded.diagnostics {
        if diagnostic.document.is_some() {
            assert!(diagnostic.line.is_some(), "{diagnostic}");
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        assert_located(&load_bytes(&bytes));
    }

    #[test]
    fn yaml_like_text_never_panics(text in "[-\\[\\]{}:,'\"#&*!|>?%@` \n\ta-z0-9.~<=]{0,400}") {
        assert_located(&load_bytes(text.as_bytes()));
    }

    #[test]
    fn edited_examples_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..8)
    ) {
        let mut bytes = example("chaining/nlb.yaml").into_bytes();
        for (at, byte, op) in edits {
            let at = at.index(bytes.len() + 1);
            match op {
                0 => bytes.insert(at, byte),
                1 if at < bytes.len() => { bytes.remove(at); }
                _ if at < bytes.len() => bytes[at] = byte,
                _ => {}
            }
        }
        assert_located(&load_bytes(&bytes));
    }

    #[test]
    fn each_document_is_reported_at_its_own_index_and_line(
        documents in proptest::collection::vec((0..4u8, 0..3usize, any::<bool>()), 1..12)
    ) {
        let mut text = String::new();
        let mut line = 1;
        let mut expected_errors = Vec::new();
        let mut good = 0;
        for (index, (shape, padding, comment)) in documents.iter().enumerate() {
            text.push_str("---\n");
            line += 1;
            for _ in 0..*padding {
                text.push('\n');
                line += 1;
            }
            if *comment {
                text.push_str("# a comment, then a block scalar with --- inside\n");
                line += 1;
            }
            let body = match shape {
                0 => {
                    good += 1;
                    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{index}\ndata:\n  script: |\n    ---x\n    [[[\n")
                }
                1 => {
                    expected_errors.push((index, line + 1));
                    "apiVersion: v1\nkind: [\n".to_owned()
                }
                2 => {
                    expected_errors.push((index, line + 4));
                    format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{index}\nspec: 7\n")
                }
                _ => {
                    expected_errors.push((index, line));
                    "- a list\n".to_owned()
                }
            };
            line += body.lines().count();
            text.push_str(&body);
        }
        let loaded = load_text("generated.yaml", &text);
        let errors: Vec<(usize, usize)> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| (d.document.unwrap(), d.line.unwrap()))
            .collect();
        prop_assert_eq!(errors, expected_errors, "{}", text);
        prop_assert_eq!(loaded.snapshot.config_maps.len(), good);
    }
}
