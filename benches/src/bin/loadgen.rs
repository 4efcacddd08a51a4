//! The benchmark's load generator: closed-loop HTTP/1.1 over keep-alive
//! connections, one task per connection, latency into an HDR histogram.
//! Prints one JSON line: scenario, connections, requests, errors, req/s,
//! p50/p90/p99/max in milliseconds.
//!
//! ```text
//! loadgen --url http://127.0.0.1:8080/portal --scenario dashboard \
//!     --connections 64 --duration-secs 10 --tokens-file tokens.txt
//! loadgen --url http://127.0.0.1:8080/portal --scenario login \
//!     --connections 16 --duration-secs 10 --logins-file logins.txt
//! loadgen --url http://127.0.0.1:8080/portal --scenario invoices \
//!     --connections 64 --duration-secs 10 --tokens-file tokens.txt
//! loadgen --url http://127.0.0.1:8080/portal --scenario statement \
//!     --connections 64 --duration-secs 10 --tokens-file tokens.txt
//! loadgen --url http://127.0.0.1:8080/portal --scenario pay \
//!     --connections 64 --duration-secs 10 --payers-file payers.txt
//! loadgen --url http://127.0.0.1:8080/portal --scenario approve \
//!     --connections 64 --duration-secs 10 --approvers-file approvers.txt
//! loadgen --url http://127.0.0.1:8080/portal --scenario audit \
//!     --connections 64 --duration-secs 10 --tokens-file tokens.txt
//! loadgen --hashrate --duration-secs 5
//! ```
//!
//! `audit` is the account's audit log page (`/security/audit`, first
//! page) with the primary contacts' session cookies; only 200 counts (a
//! 403 would mean a contact who may not manage contacts).
//!
//! `invoices`, `quotes`, `jobs` and `statement` are pages with a session
//! cookie (`/billing/invoices?status=unpaid&sort=due_asc`, `/quotes`,
//! `/jobs` (upcoming, its default) and the statement of the last 365 days); `pay` is `POST /api/v1/payments` with a bearer
//! token, paying 0.01 on each of two invoices with the sandbox's test
//! card, a fresh `Idempotency-Key` per request; only 201 counts. `approve`
//! is `POST /api/v1/quotes/{id}/approval` with a bearer token, a typed name
//! and the digest shown, another quote awaiting approval each request;
//! only 200 counts.
//!
//! `--warmup-secs` (default one second) runs before measuring. `--threads`
//! (default one) sets the generator's own runtime threads, so that on a
//! small machine it takes as little CPU from the server as it can.
//! `--hashrate` measures the raw argon2id rate (m = 19 MiB, t = 2, p = 1)
//! on every core instead.

use anyhow::bail;
use std::sync::Arc;
use std::time::Duration;

use portal_benches::cli::Args;
use portal_benches::load::{LoadConfig, Scenario, read_bearers, read_logins, read_tokens, run};

fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let duration = Duration::from_secs_f64(args.parsed_or("duration-secs", 10.0)?);
    if args.flag("hashrate") {
        let threads = args.get("threads").map(str::parse).transpose()?;
        let rate = portal_benches::hashrate::measure(duration, threads)?;
        println!("{}", serde_json::to_string(&rate)?);
        return Ok(());
    }
    let scenario = match args.required("scenario")? {
        "dashboard" => Scenario::Dashboard {
            tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
        },
        "login" => Scenario::Login {
            logins: Arc::new(read_logins(args.required("logins-file")?)?),
        },
        "invoices" => Scenario::Invoices {
            tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
        },
        "quotes" => Scenario::Quotes {
            tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
        },
        "jobs" => Scenario::Jobs {
            tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
        },
        "tickets" => Scenario::Tickets {
            tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
        },
        "audit" => Scenario::Audit {
            tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
        },
        "ticket" => Scenario::Ticket {
            threads: Arc::new(read_bearers(args.required("threads-file")?)?),
        },
        "open_ticket" => Scenario::OpenTicket {
            tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
        },
        "statement" => {
            // The last twelve months (365 days), as of today in UTC (the
            // bench tenant's time zone).
            let to = chrono::Utc::now().date_naive();
            Scenario::Statement {
                tokens: Arc::new(read_tokens(args.required("tokens-file")?)?),
                from: to - chrono::Days::new(364),
                to,
            }
        }
        "pay" => Scenario::Pay {
            payers: Arc::new(read_bearers(args.required("payers-file")?)?),
            run: uuid::Uuid::new_v4().simple().to_string(),
        },
        "approve" => Scenario::Approve {
            approvers: Arc::new(read_bearers(args.required("approvers-file")?)?),
        },
        other => {
            bail!(
                "--scenario {other}: expected dashboard, login, invoices, quotes, jobs, tickets, ticket, \
                 open_ticket, audit, statement, pay or approve"
            )
        }
    };
    let config = LoadConfig {
        url: args.required("url")?.parse()?,
        connections: args.parsed_or("connections", 8)?,
        duration,
        warmup: Duration::from_secs_f64(args.parsed_or("warmup-secs", 1.0)?),
        scenario,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.parsed_or("threads", 1)?)
        .enable_all()
        .build()?;
    let report = runtime.block_on(run(config))?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}
