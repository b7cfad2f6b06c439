#!/usr/bin/env bash
# Starts and stops the moto server (PyPI `moto[server]`), a local ELBv2/EC2 emulator, for
# gantry-deploy's integration tests.
#
#   scripts/moto.sh start [PORT]   install into .venv/ if missing, start on 127.0.0.1:PORT,
#                                  wait until it answers, print the AWS_ENDPOINT_URL to use
#   scripts/moto.sh stop           stop the server this script started
#   scripts/moto.sh test [ARGS…]   start, run `cargo test -p gantry-deploy ARGS…` against it, stop
#
# PORT defaults to $MOTO_PORT or 5055. State (pid, log) lives in target/moto/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
state="$root/target/moto"
# Only `start` takes a port argument; `test` passes its arguments on to cargo.
if [[ "${1:-}" == "start" ]]; then port="${2:-${MOTO_PORT:-5055}}"; else port="${MOTO_PORT:-5055}"; fi
# Pinned so a new moto release can't change the emulator's behaviour under the tests.
moto_version="${MOTO_VERSION:-5.2.5}"

install() {
    if [[ ! -x "$venv/bin/moto_server" ]]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
    fi
}

answers() {
    curl -fsS -o /dev/null "http://127.0.0.1:$1/moto-api/" 2>/dev/null
}

start() {
    install
    mkdir -p "$state"
    if [[ -f "$state/pid" ]] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
        echo "moto already running (pid $(cat "$state/pid"), port $(cat "$state/port"))" >&2
        echo "http://127.0.0.1:$(cat "$state/port")"
        return
    fi
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$state/log" 2>&1 &
    echo $! >"$state/pid"
    echo "$port" >"$state/port"
    for _ in $(seq 1 100); do
        if answers "$port"; then
            echo "http://127.0.0.1:$port"
            return
        fi
        if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
            echo "moto exited; log:" >&2
            cat "$state/log" >&2
            exit 1
        fi
        sleep 0.2
    done
    echo "moto did not answer on port $port within 20 s" >&2
    stop
    exit 1
}

stop() {
    if [[ -f "$state/pid" ]]; then
        local pid
        pid="$(cat "$state/pid")"
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -f "$state/pid" "$state/port"
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    test)
        shift
        endpoint="$(start)"
        trap stop EXIT
        cd "$root"
        AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
            AWS_REGION=us-west-2 cargo test -p gantry-deploy "$@"
        ;;
    *)
        echo "usage: $0 start [PORT] | stop | test [CARGO TEST ARGS…]" >&2
        exit 2
        ;;
esac
