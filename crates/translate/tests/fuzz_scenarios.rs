//! The `translate` fuzz target (fuzz/fuzz_targets/translate.rs) as a short proptest, so that
//! `cargo test` checks the same invariants on a bounded number of generated clusters without
//! libFuzzer or nightly. The generator and the invariants are the fuzz crate's own files,
//! compiled here by path: one copy of each.

#[path = "../../../fuzz/src/invariants.rs"]
mod invariants;
#[path = "../../../fuzz/src/scenario.rs"]
mod scenario;
#[path = "../../../fuzz/src/source.rs"]
mod source;
mod support;

use gantry_model::Protocol;
use gantry_snapshot::Snapshot;
use gantry_translate::Translation;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Loads a generated scenario; the generator only writes documents that decode.
fn load(bytes: &[u8]) -> Snapshot {
    support::load("scenario.yaml", &scenario::manifests(bytes))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_clusters_translate_within_the_invariants(
        bytes in proptest::collection::vec(any::<u8>(), 0..768),
    ) {
        invariants::check_translation(&load(&bytes));
    }
}

/// What a batch of generated clusters reached, to show the generator is not stuck on
/// "not found": the invariants above would hold trivially on clusters that translate to nothing.
#[derive(Default, Debug)]
struct Reached {
    alb_rules: usize,
    nlb_forwards: usize,
    https_listeners: usize,
    routes_refused: usize,
}

fn tally(reached: &mut Reached, t: &Translation) {
    for stack in &t.stacks {
        for l in &stack.listeners {
            let alb = matches!(l.protocol, Protocol::Http | Protocol::Https);
            reached.alb_rules += l.rules.len();
            reached.https_listeners += usize::from(l.protocol == Protocol::Https);
            reached.nlb_forwards += l
                .default_actions
                .iter()
                .filter(|a| a.forward_config.is_some() && !alb)
                .count();
        }
    }
    let statuses = serde_json::to_string(&t.statuses).expect("statuses serialize");
    reached.routes_refused += statuses.matches("NotAllowedByListeners").count()
        + statuses.matches("NoMatchingListenerHostname").count()
        + statuses.matches("RefNotPermitted").count();
}

#[test]
fn generated_clusters_reach_alb_rules_nlb_forwards_https_and_refusals() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = proptest::collection::vec(any::<u8>(), 256..768);
    let mut reached = Reached::default();
    for _ in 0..150 {
        let bytes = strategy
            .new_tree(&mut runner)
            .expect("bytes generate")
            .current();
        tally(&mut reached, &invariants::check_translation(&load(&bytes)));
    }
    for (what, n) in [
        ("ALB rules", reached.alb_rules),
        ("NLB forwards", reached.nlb_forwards),
        ("HTTPS listeners", reached.https_listeners),
        ("refused route attachments", reached.routes_refused),
    ] {
        assert!(
            n > 0,
            "150 generated clusters reached no {what}: {reached:?}"
        );
    }
}
