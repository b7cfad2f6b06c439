#!/usr/bin/env bash
# Runs every check and test of gantry, installing what the tests need:
#   - the moto server (a real ELBv2/EC2 API implementation) into .venv/, started on a loopback
#     port for the run and stopped afterwards;
#   - Graphviz (Debian's `graphviz`, a dozen small packages) when `dot` is missing: the test of
#     the pictures in docs/diagrams/ renders them;
#   - cargo fmt --check, cargo clippy -D warnings, cargo test for the whole workspace.
# The build directory is shared between clones on this machine (override with CARGO_TARGET_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gantry/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n== %s\n' "$*"; }

step "graphviz"
if ! command -v dot >/dev/null; then
  if command -v apt-get >/dev/null; then
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq graphviz >/dev/null
  else
    echo "Graphviz's dot is needed (crates/gantry/tests/diagrams.rs); install the graphviz package" >&2
    exit 1
  fi
fi
dot -V

step "moto server"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AWS_ENDPOINT_URL="$(scripts/moto.sh start "$port")"
trap 'scripts/moto.sh stop' EXIT
export AWS_ENDPOINT_URL
# The tests that need AWS always run here; nothing may skip them.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-west-2
echo "moto on $AWS_ENDPOINT_URL"

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace --quiet

step "all checks passed"
