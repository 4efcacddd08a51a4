#!/usr/bin/env bash
# Runs every cargo fuzz target of fuzz/ for a bounded time, one after the
# other, and fails on the first target that finds a crash (a panic, a
# failed assertion, a timeout or running out of memory):
#
#   scripts/fuzz.sh            # 10 s per target (what scripts/test.sh runs)
#   scripts/fuzz.sh 600        # 10 minutes per target
#   scripts/fuzz.sh 600 api    # only these targets
#
# Each target starts from its committed seeds (fuzz/corpus/<target>), with
# its dictionary when it has one (fuzz/dict/<target>.dict), and
# grows a corpus of its own in fuzz/corpus-run/<target> (not committed;
# kept between runs, so longer runs pick up where the last one stopped).
# A crash leaves its input in fuzz/artifacts/<target>/; the line printed
# says how to replay it. At the end a table gives each target's
# executions and time.
#
# cargo-fuzz must be installed (scripts/test.sh installs it). It runs on
# the stable toolchain with `--sanitizer none`: the project forbids
# `unsafe`, so the address sanitizer (which needs nightly) would add
# nothing that a panic does not already report.
set -euo pipefail

cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-10}
shift || true

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo fuzz list)
fi
[ "${#TARGETS[@]}" -gt 0 ] || {
    echo "fuzz.sh: no fuzz targets found" >&2
    exit 1
}

printf '    building %d targets\n' "${#TARGETS[@]}"
cargo fuzz build --sanitizer none >/dev/null
# The built targets are run directly: `cargo fuzz run` would check the
# build again before each (a second apiece, which adds up).
BIN="${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release"

LOGS=$(mktemp -d "${TMPDIR:-/tmp}/portal-fuzz.XXXXXX")
trap 'rm -rf "$LOGS"' EXIT
summary=()
failed=()
for target in "${TARGETS[@]}"; do
    corpus="fuzz/corpus-run/$target"
    mkdir -p "$corpus"
    log="$LOGS/$target.log"
    started=$(date +%s)
    # The grown corpus first (libFuzzer writes new inputs there), the
    # committed seeds second (only read).
    artifacts="fuzz/artifacts/$target/"
    mkdir -p "$artifacts"
    options=(-max_total_time="$SECONDS_PER_TARGET" -timeout=20 -print_final_stats=1
        -artifact_prefix="$artifacts")
    # A target's dictionary (field names, syntax) when it has one.
    [ -f "fuzz/dict/$target.dict" ] && options+=(-dict="fuzz/dict/$target.dict")
    if "$BIN/$target" "${options[@]}" "$corpus" "fuzz/corpus/$target" >"$log" 2>&1; then
        runs=$(grep -Eo '^Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' | tail -n1)
        elapsed=$(($(date +%s) - started))
        summary+=("$(printf '%-18s %12s runs %5s s' "$target" "${runs:-?}" "$elapsed")")
        printf '    %s\n' "${summary[-1]}"
    else
        failed+=("$target")
        printf '    %-18s FAILED:\n' "$target"
        # The panic's message, else (a timeout, out of memory) the log's end.
        grep -A6 -m1 'panicked at' "$log" | sed 's/^/      /' ||
            tail -n 30 "$log" | sed 's/^/      /'
        artifact=$(grep -Eo 'fuzz/artifacts/[^ ]+' "$log" | tail -n1 || true)
        if [ -n "$artifact" ]; then
            printf '    replay: cargo fuzz run --sanitizer none %s %s\n' "$target" "$artifact"
        fi
    fi
done

printf '\n    %-18s %17s %7s\n' target executions time
printf '    %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'fuzz.sh: crashes found by: %s\n' "${failed[*]}" >&2
    exit 1
fi
