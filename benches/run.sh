#!/usr/bin/env bash
# Portal's HTTP load benchmark, start to finish:
#
#   benches/run.sh                    # SQLite, 100,000 accounts
#   benches/run.sh --postgres         # PostgreSQL 15, started here as in scripts/test.sh
#   benches/run.sh --accounts 20000   # a smaller tenant
#   benches/run.sh --duration 20      # seconds per scenario (default 10)
#
# It builds the release binaries of `portal-benches`, seeds the tenant
# `bench` (N accounts, 1.2 N contacts, 10 N invoices, 3 N payments, 2 N
# quotes, 3 N jobs, N rental contracts, 2 N tickets with about 10 N
# messages, 1,000 sessions, 200 passwords) and a
# 1,000-account twin for the scaling comparison, caching both under
# target/bench-data/ (a re-run seeds nothing but fresh sessions), starts
# `bench-server` in release mode on 127.0.0.1 and drives it with `loadgen`:
#
#   dashboard @8 and @64 keep-alive connections; the machine's argon2id
#   hash rate (server idle), then log-in @16; the dashboard
#   @64 while log-in @16 runs beside it; the server's peak RSS (VmHWM)
#   after that storm; on SQLite the same dashboard @64 served by
#   `bench-baseline`, a hand-written axum + sqlx page making the same six
#   queries (the yardstick); billing: the invoice list page (unpaid, soonest
#   due first), the quote list page, the jobs list page (upcoming) and the
#   statement page (last 365 days) @64; then the dashboard, the invoice
#   list, the statement, the jobs list and the quote list @64 at N and on
#   the 1,000-account twin (10 N vs 10,000 invoices, 3 N vs 3,000 jobs,
#   2 N vs 2,000 quotes), in turns, for the scaling comparison; last, paying 0.01 on each of two invoices through the
#   sandbox gateway (POST /api/v1/payments, bearer token, a fresh
#   Idempotency-Key per request) @64 at N, and approving quotes (POST
#   /api/v1/quotes/{id}/approval, another pending quote each request) @64
#   at N; the ticket list and a ticket's page (50 messages) @64 beside the
#   other lists, the audit log page (`/security/audit`, as the accounts'
#   primary contacts, over 10 N audit entries) @64, opening tickets
#   through the page's form @64 last (it
#   writes), and 20 concurrent 20 MB uploads (`bench-uploads`, peak RSS).
#
# and prints the figures with the issue's targets, PASS or FAIL each, and
# the machine. Exits non-zero when a target is missed. Every request goes
# to 127.0.0.1. CARGO_TARGET_DIR is honoured.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

ACCOUNTS=100000
SMALL=1000
DURATION=10
BACKEND=sqlite
PG_BIN=/usr/lib/postgresql/15/bin
PG_USER=portalpg

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() {
    printf 'run.sh: %s\n' "$*" >&2
    exit 1
}
step() { printf '\n==> %s\n' "$*"; }

while [ "$#" -gt 0 ]; do
    case "$1" in
    --postgres) BACKEND=postgres ;;
    --accounts) ACCOUNTS=${2:?--accounts needs a number} && shift ;;
    --duration) DURATION=${2:?--duration needs seconds} && shift ;;
    -h | --help) usage && exit 0 ;;
    *) die "unknown argument $1 (try --help)" ;;
    esac
    shift
done
[[ "$ACCOUNTS" =~ ^[0-9]+$ ]] && [ "$ACCOUNTS" -ge 1000 ] || die "--accounts must be a number >= 1000"
[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge 2 ] || die "--duration must be a number of seconds >= 2"

TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET_DIR/release
DATA=$ROOT/target/bench-data
mkdir -p "$DATA"

step "Building the release binaries (cargo build --release -p portal-benches)"
cargo build --release -p portal-benches --bins

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portal-bench.XXXXXX")
chmod 755 "$WORK"
SERVER_PID=""
BIG_PID=""
SMALL_PID=""
PG_DATA=""
PG_RUN_AS=()
BG_PIDS=()

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

cleanup() {
    local status=$?
    set +e
    for pid in "${BG_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    stop_server
    for pid in "$BIG_PID" "$SMALL_PID"; do
        [ -n "$pid" ] && SERVER_PID=$pid && stop_server
    done
    if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
        "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_is_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        port_is_free "$port" && echo "$port" && return 0
    done
    die "no free loopback port found"
}

# --- the database ---------------------------------------------------------
db_url() {
    local accounts=$1
    if [ "$BACKEND" = sqlite ]; then
        echo "sqlite://$DATA/sqlite-$accounts.db?mode=rwc"
    else
        echo "postgres://portal@127.0.0.1:$PG_PORT/bench_$accounts"
    fi
}

if [ "$BACKEND" = postgres ]; then
    step "Starting PostgreSQL 15"
    [ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is missing: apt-get install postgresql-15 (or run scripts/test.sh once as root)"
    if [ "$(id -u)" -eq 0 ]; then
        # initdb and postgres refuse to run as root.
        if ! id -u "$PG_USER" >/dev/null 2>&1; then
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_USER"
        fi
        PG_RUN_AS=(runuser -u "$PG_USER" --)
    fi
    # The cluster is cached next to the SQLite files when the server's user
    # can reach that folder; otherwise it lives (and is seeded) per run.
    PG_HOME="$DATA/postgres"
    mkdir -p "$PG_HOME"
    [ "$(id -u)" -eq 0 ] && chown "$PG_USER:" "$PG_HOME"
    if ! "${PG_RUN_AS[@]}" test -w "$PG_HOME"; then
        PG_HOME="$WORK/pg"
        mkdir -p "$PG_HOME"
        [ "$(id -u)" -eq 0 ] && chown "$PG_USER:" "$PG_HOME"
        echo "    $DATA is out of reach of $PG_USER: the cluster lives in $PG_HOME for this run only"
    fi
    PG_DATA="$PG_HOME/data"
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        "${PG_RUN_AS[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U portal -E UTF8 --no-locale \
            >"$WORK/initdb.log" 2>&1 || {
            cat "$WORK/initdb.log" >&2
            die "initdb failed"
        }
    fi
    # Socket and log in a per-run folder the server's user owns.
    PG_RUN="$WORK/pg-run"
    mkdir -p "$PG_RUN"
    [ "$(id -u)" -eq 0 ] && chown "$PG_USER:" "$PG_RUN"
    PG_LOG="$PG_RUN/postgres.log"
    PG_PORT=$(free_port)
    # Durable (fsync on); commits do not wait for the WAL flush, the same
    # trade SQLite's WAL with synchronous=NORMAL makes.
    "${PG_RUN_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
        -o "-k $PG_RUN -p $PG_PORT -c listen_addresses=127.0.0.1 -c synchronous_commit=off -c max_connections=200" \
        start >/dev/null || {
        cat "$PG_LOG" >&2
        die "PostgreSQL did not start"
    }
    for accounts in "$ACCOUNTS" "$SMALL"; do
        exists=$("$PG_BIN/psql" "postgres://portal@127.0.0.1:$PG_PORT/postgres" -Atqc \
            "SELECT 1 FROM pg_database WHERE datname = 'bench_$accounts'")
        [ "$exists" = 1 ] || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U portal "bench_$accounts"
    done
    echo "    postgres://portal@127.0.0.1:$PG_PORT/ (data in $PG_DATA)"
fi

seed() {
    local accounts=$1
    step "Seeding $accounts accounts on $BACKEND (skipped when cached; fresh sessions every run)"
    "$BIN/bench-seed" --db "$(db_url "$accounts")" --accounts "$accounts" \
        --tokens-file "$WORK/tokens-$accounts.txt" --logins-file "$WORK/logins-$accounts.txt" \
        --payers-file "$WORK/payers-$accounts.txt" --approvers-file "$WORK/approvers-$accounts.txt" \
        --threads-file "$WORK/threads-$accounts.txt" |
        tee "$WORK/seed-$accounts.json"
}
seed "$ACCOUNTS"
seed "$SMALL"

# --- the measurements -------------------------------------------------------
# start_server BINARY ACCOUNTS: starts bench-server (or bench-baseline) on
# the database of ACCOUNTS accounts and a free port; sets URL.
start_server() {
    local binary=$1 accounts=$2 port
    port=$(free_port)
    "$BIN/$binary" --db "$(db_url "$accounts")" --addr "127.0.0.1:$port" \
        >"$WORK/$binary-$accounts.out" 2>"$WORK/$binary-$accounts.log" &
    SERVER_PID=$!
    for _ in $(seq 1 300); do
        if grep -q '^ready' "$WORK/$binary-$accounts.out" 2>/dev/null; then
            URL="http://127.0.0.1:$port/portal"
            echo "    $binary (pid $SERVER_PID) on $URL, $accounts accounts"
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$WORK/$binary-$accounts.log" >&2
    die "$binary did not start"
}

# CPU accounting around a run: the server's own CPU time and the whole
# machine's, from which the rest (load generators, anything else running)
# follows. Shared machines vary; this shows how much the server really had.
CORES=$(nproc)
cpu_snapshot() {
    local server
    server=$(awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat")
    awk -v server="$server" '/^cpu / {
        busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6
        print server, busy, total }' /proc/stat
}
# cpu_report NAME "BEFORE": writes NAME.cpu.json from BEFORE and now.
cpu_report() {
    local name=$1 before=$2
    printf '%s %s\n' "$before" "$(cpu_snapshot)" | awk -v cores="$CORES" '{
        total = $6 - $3; if (total <= 0) total = 1
        server = ($4 - $1) / total * cores; all = ($5 - $2) / total * cores
        printf "{\"server_cores\":%.2f,\"other_cores\":%.2f,", server, all - server }' \
        >"$WORK/$name.cpu.json"
    # The machine's 1-minute load average at the end of the run.
    awk '{ printf "\"load_average\":%s}\n", $1 }' /proc/loadavg >>"$WORK/$name.cpu.json"
}

# load NAME ACCOUNTS LOADGEN-ARGS...: one measured run, its JSON line and
# the CPU it took kept.
load() {
    local name=$1 accounts=$2 before
    shift 2
    before=$(cpu_snapshot)
    "$BIN/loadgen" --url "$URL" --tokens-file "$WORK/tokens-$accounts.txt" \
        --logins-file "$WORK/logins-$accounts.txt" --payers-file "$WORK/payers-$accounts.txt" \
        --approvers-file "$WORK/approvers-$accounts.txt" --threads-file "$WORK/threads-$accounts.txt" \
        "$@" >"$WORK/$name.json"
    cpu_report "$name" "$before"
    cat "$WORK/$name.json"
}

step "Server on $ACCOUNTS accounts"
start_server bench-server "$ACCOUNTS"
echo "    warm-up: dashboard @8 for 3 s (not counted)"
load warmup "$ACCOUNTS" --scenario dashboard --connections 8 --duration-secs 3 >/dev/null

step "Dashboard @8 connections, ${DURATION} s"
load dash8 "$ACCOUNTS" --scenario dashboard --connections 8 --duration-secs "$DURATION"
step "Dashboard @64 connections, ${DURATION} s"
load dash64 "$ACCOUNTS" --scenario dashboard --connections 64 --duration-secs "$DURATION"
# Measured right before the log-in run, with the server idle, so both see
# the same machine (on a shared one, what else runs changes by the minute).
step "argon2id hash rate on every core (m=19 MiB, t=2, p=1), 5 s"
"$BIN/loadgen" --hashrate --duration-secs 5 | tee "$WORK/hashrate.json"
step "Log-in @16 connections, ${DURATION} s"
load login "$ACCOUNTS" --scenario login --connections 16 --duration-secs "$DURATION"

step "Dashboard @64 during a log-in storm @16, ${DURATION} s"
# The storm starts first and ends last, so the whole dashboard window sees it.
"$BIN/loadgen" --url "$URL" --logins-file "$WORK/logins-$ACCOUNTS.txt" --scenario login \
    --connections 16 --warmup-secs 2 --duration-secs $((DURATION + 2)) >"$WORK/storm-login.json" &
BG_PIDS+=($!)
sleep 2
load storm-dashboard "$ACCOUNTS" --scenario dashboard --connections 64 --duration-secs "$DURATION"
wait "${BG_PIDS[@]}"
BG_PIDS=()
cat "$WORK/storm-login.json"
RSS_KIB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")
echo "    server peak RSS (VmHWM): $RSS_KIB KiB"

step "Invoice list page (unpaid, soonest due first) @64 connections, ${DURATION} s"
load invoices64 "$ACCOUNTS" --scenario invoices --connections 64 --duration-secs "$DURATION"
step "Quote list page (every status, newest first) @64 connections, ${DURATION} s"
load quotes64 "$ACCOUNTS" --scenario quotes --connections 64 --duration-secs "$DURATION"
step "Jobs list page (upcoming, soonest first) @64 connections, ${DURATION} s"
load jobs64 "$ACCOUNTS" --scenario jobs --connections 64 --duration-secs "$DURATION"
step "Ticket list page (open first) @64 connections, ${DURATION} s"
load tickets64 "$ACCOUNTS" --scenario tickets --connections 64 --duration-secs "$DURATION"
step "Ticket page (a thread of 50 messages) @64 connections, ${DURATION} s"
load ticket64 "$ACCOUNTS" --scenario ticket --connections 64 --duration-secs "$DURATION"
step "Audit log page (/security/audit, 10 entries per account, 10 N in all) @64 connections, ${DURATION} s"
load audit64 "$ACCOUNTS" --scenario audit --connections 64 --duration-secs "$DURATION"
step "Statement page (last 365 days) @64 connections, ${DURATION} s"
load statement64 "$ACCOUNTS" --scenario statement --connections 64 --duration-secs "$DURATION"
stop_server

if [ "$BACKEND" = sqlite ]; then
    step "Hand-written axum + sqlx page with the same six queries (bench-baseline) @64, ${DURATION} s"
    start_server bench-baseline "$ACCOUNTS"
    load warmup "$ACCOUNTS" --scenario dashboard --connections 8 --duration-secs 3 >/dev/null
    load baseline-dash64 "$ACCOUNTS" --scenario dashboard --connections 64 --duration-secs "$DURATION"
    stop_server
fi

# Latency at N and at 1,000 accounts, measured in turns (N, 1,000, N, ...)
# with both servers up, so that drift in what else runs on the machine
# weighs on both sides alike; the report compares the medians.
step "Scaling: dashboard, invoice list, statement, jobs list and quote list @64 at $ACCOUNTS and at $SMALL accounts, in turns, 3 x $((DURATION / 2 > 2 ? DURATION / 2 : 2)) s each"
TURN=$((DURATION / 2 > 2 ? DURATION / 2 : 2))
start_server bench-server "$ACCOUNTS"
BIG_PID=$SERVER_PID BIG_URL=$URL
start_server bench-server "$SMALL"
SMALL_PID=$SERVER_PID SMALL_URL=$URL
for accounts in "$ACCOUNTS" "$SMALL"; do
    if [ "$accounts" = "$ACCOUNTS" ]; then SERVER_PID=$BIG_PID URL=$BIG_URL; else SERVER_PID=$SMALL_PID URL=$SMALL_URL; fi
    load warmup "$accounts" --scenario dashboard --connections 8 --duration-secs 2 >/dev/null
done
# Files: scale-{big,small}-N (dashboard), scale-{big,small}-invoices-N,
# scale-{big,small}-statement-N, scale-{big,small}-jobs-N,
# scale-{big,small}-quotes-N.
for turn in 1 2 3; do
    for scenario in dashboard invoices statement jobs quotes; do
        suffix=""
        [ "$scenario" = dashboard ] || suffix="-$scenario"
        SERVER_PID=$BIG_PID URL=$BIG_URL
        load "scale-big$suffix-$turn" "$ACCOUNTS" --scenario "$scenario" --connections 64 --duration-secs "$TURN"
        SERVER_PID=$SMALL_PID URL=$SMALL_URL
        load "scale-small$suffix-$turn" "$SMALL" --scenario "$scenario" --connections 64 --duration-secs "$TURN"
    done
done
SERVER_PID=$SMALL_PID
stop_server

# Last, because it writes: every payment adds to the session accounts'
# ledgers, which the next run's seeding undoes (bench-seed resets them).
step "Paying two invoices (0.01 each, sandbox gateway, POST /api/v1/payments) @64 connections, ${DURATION} s"
SERVER_PID=$BIG_PID URL=$BIG_URL
load pay64 "$ACCOUNTS" --scenario pay --connections 64 --duration-secs "$DURATION"
step "Approving quotes (typed name, digest shown, POST /api/v1/quotes/{id}/approval) @64 connections, ${DURATION} s"
load approve64 "$ACCOUNTS" --scenario approve --connections 64 --duration-secs "$DURATION"
step "Opening tickets (the page's multipart form, POST /tickets/new) @64 connections, ${DURATION} s"
load open_ticket64 "$ACCOUNTS" --scenario open_ticket --connections 64 --duration-secs "$DURATION"
stop_server
step "20 concurrent 20 MB uploads (bench-uploads: peak RSS of server and clients in one process)"
"$BIN/bench-uploads" --uploads 20 --megabytes 20 | tee "$WORK/uploads.json"
BIG_PID="" SMALL_PID=""

"$BIN/bench-report" --dir "$WORK" --backend "$BACKEND" --accounts "$ACCOUNTS" --small "$SMALL" \
    --rss-kib "$RSS_KIB" --date "$(date -u '+%Y-%m-%d %H:%M UTC')"
