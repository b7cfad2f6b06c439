#!/usr/bin/env bash
# Runs every benchmark and writes docs/benchmarks.md (and its plots): builds the release
# `gantry` and `gantry-bench` binaries (the controller memory benchmark runs `gantry controller`
# found next to `gantry-bench`), starts the moto emulator (scripts/moto.sh), runs
# `gantry-bench` against it, stops moto.
#
#   scripts/bench.sh           PORT for moto: $BENCH_MOTO_PORT or 5057
#   scripts/bench.sh --speed   only translation, propagation and failover (their sections)
#
# Without moto (or to skip the AWS benchmarks), `cargo run --release -p gantry-bench` alone
# runs the other benchmarks and says in the document that the AWS ones were skipped (and the
# controller memory one too unless a release `gantry` binary was built).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Built together and run directly: a `cargo run -p gantry-bench` of its own could resolve
# features differently and rebuild.
cargo build --release -p gantry -p gantry-bench
bench="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/gantry-bench"
port="${BENCH_MOTO_PORT:-5057}"
moto_state="$root/target/moto"
own="$root/target/bench/moto.pid"

running() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# scripts/moto.sh keeps one server per checkout in target/moto, and `scripts/moto.sh test`
# reuses and then stops whatever server is recorded there. So that a test run alongside can't
# stop the emulator mid-benchmark, this script takes the server it started out of that record
# and stops it itself. A server someone else started is used and left running.
started=""
if running "$moto_state/pid"; then
    echo "bench: using the moto server already running (port $(cat "$moto_state/port")); leaving it running" >&2
    endpoint="http://127.0.0.1:$(cat "$moto_state/port")"
else
    # moto.sh would take another server answering on the port for its own.
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
        echo "bench: port $port is in use; set BENCH_MOTO_PORT to a free one" >&2
        exit 1
    fi
    endpoint="$(scripts/moto.sh start "$port")"
    mkdir -p "$(dirname "$own")"
    mv "$moto_state/pid" "$own"
    rm -f "$moto_state/port"
    started=1
fi
stop() {
    if [[ -n "$started" ]] && running "$own"; then
        local pid
        pid="$(cat "$own")"
        kill "$pid"
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$own"
}
trap stop EXIT

version="$("$root/.venv/bin/python3" -c 'import moto; print(moto.__version__)' 2>/dev/null || echo unknown)"
AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_REGION=us-west-2 GANTRY_BENCH_EMULATOR="moto $version" \
    "$bench" "$@"
