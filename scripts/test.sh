#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run) and as a developer runs it:
#
#   scripts/test.sh                  # every crate: fmt, clippy, tests, doc tests
#   scripts/test.sh -p portal-mail   # the cargo steps limited to these cargo args
#
# On a fresh Debian machine (as root) it first installs what is missing:
# Chromium and chromedriver (and PostgreSQL 15) from Debian, aiosmtpd and
# schemathesis from PyPI. Then it starts, each on a free loopback port and in a fresh
# temporary directory removed at exit:
#
#   PostgreSQL 15, as the unprivileged user `portalpg` (initdb refuses root)
#       PORTAL_TEST_PG_URL=postgres://portal@127.0.0.1:PORT/postgres
#   an SMTP server (aiosmtpd) that stores every mail it receives in a Maildir
#       PORTAL_TEST_SMTP_ADDR=127.0.0.1:PORT  PORTAL_TEST_MAILDIR=DIR
#   an S3-compatible server (moto_server, from PyPI's moto[server]) for the
#   S3 blob store's conformance tests
#       PORTAL_TEST_S3_URL=http://127.0.0.1:PORT
#   chromedriver, for the browser tests
#       PORTAL_TEST_WEBDRIVER=http://127.0.0.1:PORT  PORTAL_TEST_CHROMIUM=/usr/bin/chromium
#
# and fetches axe-core (npm pack, pinned, sha512 checked, cached in
# ~/.cache/portal-test) for the browser tests' accessibility checks:
#       PORTAL_TEST_AXE=.../axe.min.js
#
# and runs `cargo fmt --check`, `cargo clippy -D warnings`, the tests (with
# cargo-nextest when installed, else `cargo test`), the doc tests (which
# nextest does not run), the API contract run (schemathesis, from PyPI,
# over the OpenAPI document of a running server: scripts/api-contract.sh)
# and, on a whole-workspace run or with `-p portal-fuzz`, every fuzz target
# for $PORTAL_FUZZ_SECONDS (10) s each (scripts/fuzz.sh; cargo-fuzz from
# crates.io when missing). Every step runs even when an earlier one failed,
# so one CI run shows every problem; the exit status is non-zero if any
# failed.
# Tests that need a service fail (never skip) when its variable is missing.
set -euo pipefail

cd "$(dirname "$0")/.."

AIOSMTPD_VERSION=1.4.6
SCHEMATHESIS_VERSION=4.32.5
MOTO_VERSION=5.2.6
CARGO_FUZZ_VERSION=0.13.2
# axe-core for the browser tests' accessibility checks, from the npm
# registry (`npm pack`), checked against the registry's sha512 integrity.
AXE_VERSION=4.14.1
AXE_SHA512=1477dafa598d8d065f273d6af302aa203c02e83131707b7fa648cd41bd3d6b734f8c22a0dab86ee6a6f64b8afbe804b214d36db85a2826965edfb3a0b9d546b5
AXE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/portal-test
FUZZ_SECONDS=${PORTAL_FUZZ_SECONDS:-10}
PG_BIN=/usr/lib/postgresql/15/bin
PG_USER=portalpg
CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

step() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
    printf 'test.sh: %s\n' "$*" >&2
    exit 1
}

# --- what the cargo steps run on ----------------------------------------
# No arguments: the whole workspace. Otherwise the arguments go to clippy,
# the tests and the doc tests as given; `cargo fmt` gets only the
# `-p/--package` ones (it knows no other selection).
if [ "$#" -eq 0 ]; then
    CARGO_SCOPE=(--workspace)
    FMT_SCOPE=(--all)
    RUN_FUZZ=1
else
    RUN_FUZZ=0
    case " $* " in *" portal-fuzz "* | *"=portal-fuzz "* | *" -pportal-fuzz "*) RUN_FUZZ=1 ;; esac
    CARGO_SCOPE=("$@")
    FMT_SCOPE=()
    args=("$@")
    for ((i = 0; i < ${#args[@]}; i++)); do
        case "${args[i]}" in
        -p | --package) FMT_SCOPE+=(-p "${args[i + 1]:-}") && i=$((i + 1)) ;;
        --package=*) FMT_SCOPE+=(-p "${args[i]#--package=}") ;;
        -p?*) FMT_SCOPE+=(-p "${args[i]#-p}") ;;
        --workspace | --all) FMT_SCOPE+=(--all) ;;
        esac
    done
    [ "${#FMT_SCOPE[@]}" -gt 0 ] || FMT_SCOPE=(--all)
fi

is_root() { [ "$(id -u)" -eq 0 ]; }

# --- 1. install what is missing (quietly, and only when missing) ---------
step "Checking tools (installing what is missing)"

APT_UPDATED=0
apt_install() {
    is_root || die "missing $*: install them (apt-get install $*) or run as root"
    note "apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$APT_UPDATED" -eq 0 ]; then
        apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
    apt-get install -y -qq "$@" >/dev/null
}

apt_packages=()
[ -x "$CHROMIUM" ] || apt_packages+=(chromium)
[ -x "$CHROMEDRIVER" ] || apt_packages+=(chromium-driver)
[ -x "$PG_BIN/initdb" ] || apt_packages+=(postgresql-15)
[ "${#apt_packages[@]}" -eq 0 ] || apt_install "${apt_packages[@]}"

# The SMTP server runs on the first `python3` (as a developer's shell finds
# it), from PyPI; Debian's own package for Debian's Python is the fallback
# when that Python has no pip.
SMTP_PYTHON=python3
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
    note "pip install aiosmtpd==$AIOSMTPD_VERSION"
    pip_install=(python3 -m pip install --quiet --disable-pip-version-check)
    is_root && pip_install+=(--root-user-action=ignore)
    # A Debian-managed Python refuses plain `pip install` (PEP 668); aiosmtpd
    # and its two small dependencies are safe to add there.
    "${pip_install[@]}" "aiosmtpd==$AIOSMTPD_VERSION" 2>/dev/null ||
        "${pip_install[@]}" --break-system-packages "aiosmtpd==$AIOSMTPD_VERSION" 2>/dev/null ||
        true
    if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
        apt_install python3-aiosmtpd
        SMTP_PYTHON=/usr/bin/python3
    fi
    "$SMTP_PYTHON" -c 'import aiosmtpd' || die "aiosmtpd did not install"
fi

# schemathesis, for the API contract run (scripts/api-contract.sh), on the
# same first `python3`, run as `python3 -m schemathesis.cli`.
schemathesis_version() {
    python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null
}
if [ "$(schemathesis_version)" != "$SCHEMATHESIS_VERSION" ]; then
    note "pip install schemathesis==$SCHEMATHESIS_VERSION"
    pip_install=(python3 -m pip install --quiet --disable-pip-version-check)
    is_root && pip_install+=(--root-user-action=ignore)
    "${pip_install[@]}" "schemathesis==$SCHEMATHESIS_VERSION" 2>/dev/null ||
        "${pip_install[@]}" --break-system-packages "schemathesis==$SCHEMATHESIS_VERSION" ||
        die "schemathesis did not install"
    [ "$(schemathesis_version)" = "$SCHEMATHESIS_VERSION" ] || die "schemathesis did not install"
fi

# moto's S3 server, for the S3 blob store's tests, on the same `python3`.
moto_version() {
    python3 -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null
}
if [ "$(moto_version)" != "$MOTO_VERSION" ] || ! python3 -c 'import moto.server' 2>/dev/null; then
    note "pip install moto[server]==$MOTO_VERSION"
    pip_install=(python3 -m pip install --quiet --disable-pip-version-check)
    is_root && pip_install+=(--root-user-action=ignore)
    "${pip_install[@]}" "moto[server]==$MOTO_VERSION" 2>/dev/null ||
        "${pip_install[@]}" --break-system-packages "moto[server]==$MOTO_VERSION" ||
        die "moto did not install"
    [ "$(moto_version)" = "$MOTO_VERSION" ] || die "moto did not install"
fi

if [ "$RUN_FUZZ" -eq 1 ] && ! cargo fuzz --version 2>/dev/null | grep -qF "$CARGO_FUZZ_VERSION"; then
    note "cargo install cargo-fuzz@$CARGO_FUZZ_VERSION"
    cargo install --quiet --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" ||
        die "cargo-fuzz did not install"
fi

if cargo nextest --version >/dev/null 2>&1; then
    HAVE_NEXTEST=1
else
    HAVE_NEXTEST=0
    note "cargo-nextest not found: the tests run with cargo test"
fi
# axe-core: the registry's tarball, kept in the cache and checked each run.
AXE_TGZ="$AXE_CACHE/axe-core-$AXE_VERSION.tgz"
if [ ! -f "$AXE_TGZ" ] || ! echo "$AXE_SHA512  $AXE_TGZ" | sha512sum --check --status; then
    command -v npm >/dev/null || apt_install npm
    note "npm pack axe-core@$AXE_VERSION"
    mkdir -p "$AXE_CACHE"
    rm -f "$AXE_TGZ"
    (cd "$AXE_CACHE" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null) || die "npm pack axe-core failed"
    echo "$AXE_SHA512  $AXE_TGZ" | sha512sum --check --status || die "axe-core $AXE_VERSION: sha512 mismatch"
fi
note "chromium: $("$CHROMIUM" --version 2>/dev/null | head -n1)"
note "postgres: $("$PG_BIN/postgres" --version)"
note "aiosmtpd: $("$SMTP_PYTHON" -m aiosmtpd --version 2>&1 | head -n1)"
note "schemathesis: $(schemathesis_version)"
note "moto: $(moto_version)"

# --- 2. services ---------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portal-test.XXXXXX")
# PostgreSQL runs as another user, who must be able to reach its folders.
chmod 755 "$WORK"
SMTP_PID=""
S3_PID=""
CHROMEDRIVER_PID=""
PG_DATA=""
PG_RUN_AS=()

stop_group() {
    # Each service was started as the leader of its own process group
    # (setsid), so this ends it and anything it started (Chromium windows
    # left by a failed browser test), and nothing else.
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    set +e
    stop_group "$CHROMEDRIVER_PID"
    stop_group "$SMTP_PID"
    stop_group "$S3_PID"
    if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
        "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for_port NAME PORT PID LOG: until the port accepts a connection; fails
# early, with the service's log, if the process died.
wait_for_port() {
    local name=$1 port=$2 pid=$3 log=$4
    for _ in $(seq 1 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            cat "$log" >&2
            die "$name exited before listening on 127.0.0.1:$port"
        fi
        sleep 0.1
    done
    cat "$log" >&2
    die "$name did not listen on 127.0.0.1:$port within 30 s"
}

step "Starting PostgreSQL 15"
if is_root; then
    # initdb and postgres refuse to run as root.
    if ! id -u "$PG_USER" >/dev/null 2>&1; then
        note "creating system user $PG_USER"
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
    fi
    PG_RUN_AS=(runuser -u "$PG_USER" --)
fi
# One folder owned by the server's user: data, socket and log.
PG_HOME="$WORK/pg"
PG_LOG="$PG_HOME/postgres.log"
mkdir -p "$PG_HOME"
is_root && chown "$PG_USER:" "$PG_HOME"
PG_DATA="$PG_HOME/data"
PG_PORT=$(free_port)
if ! "${PG_RUN_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U portal -E UTF8 --no-locale --no-sync \
    >"$WORK/initdb.log" 2>&1; then
    cat "$WORK/initdb.log" >&2
    die "initdb failed"
fi
# Throw-away data: durability off for speed; room for many per-test pools.
if ! "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-k $PG_HOME -p $PG_PORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null; then
    cat "$PG_LOG" >&2
    die "PostgreSQL did not start"
fi
export PORTAL_TEST_PG_URL="postgres://portal@127.0.0.1:$PG_PORT/postgres"
# The exact URL the tests get, over TCP as they connect.
"$PG_BIN/psql" "$PORTAL_TEST_PG_URL" -Atqc 'select 1' >/dev/null ||
    die "PostgreSQL does not answer at $PORTAL_TEST_PG_URL"
note "PORTAL_TEST_PG_URL=$PORTAL_TEST_PG_URL"

step "Starting the SMTP server (aiosmtpd, Maildir)"
MAILDIR="$WORK/maildir"
SMTP_PORT=$(free_port)
setsid "$SMTP_PYTHON" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$MAILDIR" \
    </dev/null >"$WORK/smtp.log" 2>&1 &
SMTP_PID=$!
wait_for_port aiosmtpd "$SMTP_PORT" "$SMTP_PID" "$WORK/smtp.log"
export PORTAL_TEST_SMTP_ADDR="127.0.0.1:$SMTP_PORT"
export PORTAL_TEST_MAILDIR="$MAILDIR"
note "PORTAL_TEST_SMTP_ADDR=$PORTAL_TEST_SMTP_ADDR"
note "PORTAL_TEST_MAILDIR=$PORTAL_TEST_MAILDIR"

step "Starting the S3-compatible server (moto)"
S3_PORT=$(free_port)
setsid python3 -m moto.server -H 127.0.0.1 -p "$S3_PORT" \
    </dev/null >"$WORK/s3.log" 2>&1 &
S3_PID=$!
wait_for_port moto "$S3_PORT" "$S3_PID" "$WORK/s3.log"
export PORTAL_TEST_S3_URL="http://127.0.0.1:$S3_PORT"
note "PORTAL_TEST_S3_URL=$PORTAL_TEST_S3_URL"

step "Starting chromedriver"
WEBDRIVER_PORT=$(free_port)
setsid "$CHROMEDRIVER" --port="$WEBDRIVER_PORT" --allowed-ips=127.0.0.1 \
    </dev/null >"$WORK/chromedriver.log" 2>&1 &
CHROMEDRIVER_PID=$!
wait_for_port chromedriver "$WEBDRIVER_PORT" "$CHROMEDRIVER_PID" "$WORK/chromedriver.log"
export PORTAL_TEST_WEBDRIVER="http://127.0.0.1:$WEBDRIVER_PORT"
export PORTAL_TEST_CHROMIUM="$CHROMIUM"
note "PORTAL_TEST_WEBDRIVER=$PORTAL_TEST_WEBDRIVER"
note "PORTAL_TEST_CHROMIUM=$PORTAL_TEST_CHROMIUM"
tar -xzf "$AXE_TGZ" -C "$WORK" package/axe.min.js || die "axe-core: no axe.min.js in $AXE_TGZ"
export PORTAL_TEST_AXE="$WORK/package/axe.min.js"
note "PORTAL_TEST_AXE=$PORTAL_TEST_AXE (axe-core $AXE_VERSION)"

# --- 3. the checks -------------------------------------------------------
failed=()
run_step() {
    local name=$1
    shift
    step "$name: $*"
    if ! "$@"; then
        failed+=("$name")
    fi
}

run_step fmt cargo fmt "${FMT_SCOPE[@]}" -- --check
run_step clippy cargo clippy "${CARGO_SCOPE[@]}" --all-targets -- -D warnings
if [ "$HAVE_NEXTEST" -eq 1 ]; then
    run_step tests cargo nextest run "${CARGO_SCOPE[@]}" --no-fail-fast
else
    run_step tests cargo test "${CARGO_SCOPE[@]}" --no-fail-fast
fi
# `cargo test` already ran the doc tests; nextest does not.
if [ "$HAVE_NEXTEST" -eq 1 ]; then
    run_step doctests cargo test "${CARGO_SCOPE[@]}" --doc
fi
# The API's OpenAPI document against a running server (schemathesis),
# whenever the cargo steps' scope takes in a crate the API's answers come from.
case " ${CARGO_SCOPE[*]} " in
*" --workspace "* | *portal-http-axum* | *portal-core* | *portal-store-sqlx* | *portal-runtime* | *portal-examples*)
    run_step api-contract scripts/api-contract.sh
    ;;
*) note "api-contract: not run, no crate of the API in the scope" ;;
esac

# Bounded: every target for FUZZ_SECONDS; a crash fails the suite.
if [ "$RUN_FUZZ" -eq 1 ]; then
    run_step fuzz scripts/fuzz.sh "$FUZZ_SECONDS"
fi

if [ "${#failed[@]}" -gt 0 ]; then
    step "FAILED: ${failed[*]}"
    # The services' own logs, in case a failure came from one of them.
    for log in "$PG_LOG" "$WORK/smtp.log" "$WORK/s3.log" "$WORK/chromedriver.log"; do
        if [ -s "$log" ]; then
            printf -- '--- last lines of %s\n' "$(basename "$log")"
            tail -n 20 "$log"
        fi
    done
    exit 1
fi
step "All steps passed: fmt, clippy, tests, doc tests, the API contract$([ "$RUN_FUZZ" -eq 1 ] && echo " and fuzzing")"
