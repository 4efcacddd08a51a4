#!/usr/bin/env bash
# The API contract run: starts the contract server (the demo tenant with
# raised rate limits, examples/src/bin/contract.rs) on a free loopback port
# and runs schemathesis over every operation of its OpenAPI document with
# every check on and the stateful links followed (scripts/schemathesis.toml).
# Exits non-zero on any finding. A step of scripts/test.sh, which installs
# schemathesis; on its own:
#
#   scripts/api-contract.sh            # SCHEMATHESIS_SEED=N to repeat a run
set -euo pipefail

cd "$(dirname "$0")/.."

python3 -c 'import schemathesis' 2>/dev/null || {
    echo "api-contract.sh: schemathesis is not installed; scripts/test.sh installs it" >&2
    exit 1
}
cargo build --quiet -p portal-examples --bin contract

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portal-contract.XXXXXX")
SERVER_PID=""
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
PORTAL_ADDR="127.0.0.1:$PORT" PORTAL_DEMO_DATA="$WORK/data" \
    "${CARGO_TARGET_DIR:-target}/debug/contract" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        break
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$WORK/server.log" >&2
        echo "api-contract.sh: the contract server exited" >&2
        exit 1
    fi
    sleep 0.1
done

seed=()
[ -z "${SCHEMATHESIS_SEED:-}" ] || seed=(--seed "$SCHEMATHESIS_SEED")
run_schemathesis() {
    # Not under `set -e`/`pipefail`: a failed run must reach the lines
    # below (the second try, the server's log).
    set +e
    python3 -m schemathesis.cli --config-file scripts/schemathesis.toml run "${seed[@]}" \
        --url "http://127.0.0.1:$PORT/portal" \
        "http://127.0.0.1:$PORT/portal/api/v1/openapi.json" 2>&1 | tee "$WORK/run.log"
    status=${PIPESTATUS[0]}
    set -e
}
run_schemathesis
# Schemathesis itself sometimes crashes while generating a case (a "Runtime
# Error" inside hypothesis, e.g. "AST constructor recursion depth
# mismatch" on Python 3.11), which says nothing about our API. Only then,
# when no check failed, the run is made once more; a failed check never is.
if [ "$status" -ne 0 ] && grep -q "Runtime Error" "$WORK/run.log" \
    && ! grep -q "FAILURES" "$WORK/run.log"; then
    echo "api-contract.sh: schemathesis crashed (no check failed); running it once more"
    run_schemathesis
fi
if [ "$status" -ne 0 ]; then
    echo "--- last lines of the contract server's log"
    tail -n 60 "$WORK/server.log"
fi
exit "$status"
