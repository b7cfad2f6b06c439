#!/usr/bin/env bash
# Runs gantry's fuzz targets with cargo-fuzz (libFuzzer) on the nightly toolchain.
#
#   scripts/fuzz.sh [RUNS] [TARGET...]
#
# RUNS: executions per target (libFuzzer -runs=N), 100000 by default. TARGETs: `manifests`
# (any bytes through the manifest loader, then translation) and `translate` (generated Gateway
# API objects and gantry CRDs through translation, with invariants); both by default.
# The fuzz crate (fuzz/) is not a member of the main workspace: `cargo test --workspace` never
# builds it. New corpus entries go to fuzz/corpus/<target> (ignored by git); the seeds kept in
# git are fuzz/seeds/<target>. A crash stops the run and leaves its input in
# fuzz/artifacts/<target>/; `cargo +nightly fuzz run --fuzz-dir fuzz <target> <file>` replays it.
#
# Environment: CARGO_TARGET_DIR (default ~/.cache/gantry/fuzz-target: instrumented builds must
# not share a directory with ordinary ones), FUZZ_SANITIZER (default none: gantry's crates
# forbid unsafe code, so the bugs to find are panics and broken invariants, and AddressSanitizer
# would halve the executions per second; `address` to turn it on).
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-100000}"
if [ "$#" -gt 0 ]; then shift; fi
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then targets=(manifests translate); fi
target_dir="${CARGO_TARGET_DIR:-$HOME/.cache/gantry/fuzz-target}"
sanitizer="${FUZZ_SANITIZER:-none}"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz.sh: the nightly toolchain is needed: rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# Inputs larger than this stop mattering: the translate generator reads under 1 KiB, and the
# manifest seeds are a few KiB.
max_len() {
    case "$1" in
        translate) echo 2048 ;;
        *) echo 16384 ;;
    esac
}

for target in "${targets[@]}"; do
    echo "== fuzz $target: $runs executions ($(date -u +%FT%TZ); load:$(uptime | sed 's/.*load average://'))"
    mkdir -p "fuzz/corpus/$target"
    # -a: debug assertions and overflow checks, so integer overflow is found too.
    cargo +nightly fuzz run --fuzz-dir fuzz --target-dir "$target_dir" -a -s "$sanitizer" \
        "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -runs="$runs" -max_len="$(max_len "$target")" -print_final_stats=1
    echo "== fuzz $target: done; corpus $(find "fuzz/corpus/$target" -type f | wc -l) files"
done
