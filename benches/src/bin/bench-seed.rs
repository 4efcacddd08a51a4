//! Seeds the benchmark's database and writes the files the load generator
//! reads.
//!
//! ```text
//! bench-seed --db sqlite://target/bench-data/sqlite-100000.db?mode=rwc \
//!     --accounts 100000 --tokens-file tokens.txt --logins-file logins.txt \
//!     --payers-file payers.txt --approvers-file approvers.txt \
//!     --threads-file threads.txt
//! ```
//!
//! Seeds the tenant `bench` through Portal's host API (see
//! `portal_benches::plan` for the dataset) unless the database already
//! holds it, then always undoes earlier runs' payments and writes 1,000
//! fresh cookie sessions (their raw tokens to `--tokens-file`), 1,000
//! bearer sessions with the two invoices each pays (`--payers-file`) and
//! the quotes they approve (`--approvers-file`), and the log-ins with
//! passwords (`--logins-file`).
//! Prints one JSON line with the seeding time.

use std::path::Path;
use std::time::Instant;

use portal_benches::cli::Args;
use portal_benches::plan::{DEFAULT_ACCOUNTS, Plan};
use portal_benches::seed::{Db, seed, write_logins, write_sessions};
use portal_core::Portal;
use portal_runtime::Argon2Hasher;
use std::sync::Arc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let url = args.required("db")?;
    let plan = Plan::new(args.parsed_or("accounts", DEFAULT_ACCOUNTS)?)?;
    let tokens_file = args.required("tokens-file")?;
    let logins_file = args.required("logins-file")?;
    let payers_file = args.required("payers-file")?;
    let approvers_file = args.required("approvers-file")?;
    let threads_file = args.required("threads-file")?;

    let db = Db::open(url).await?;
    // The production hasher: the stored hashes carry its parameters, and
    // the server verifies with the parameters a hash carries.
    let portal = Portal::builder(db.store(), Arc::new(Argon2Hasher::owasp()?)).build();
    let report = seed(&db, &portal, plan).await?;
    let started = Instant::now();
    let sessions = write_sessions(
        &db,
        &portal,
        plan,
        Path::new(tokens_file),
        Path::new(payers_file),
        Path::new(approvers_file),
        Path::new(threads_file),
    )
    .await?;
    write_logins(plan, Path::new(logins_file))?;
    db.settle().await?;
    println!(
        "{}",
        serde_json::json!({
            "scenario": "seed",
            "accounts": plan.accounts(),
            "contacts": plan.contacts(),
            "invoices": plan.invoices(),
            "payments": plan.payments(),
            "skipped": report.skipped,
            "seed_seconds": report.seconds,
            "sessions": sessions,
            "sessions_seconds": started.elapsed().as_secs_f64(),
        })
    );
    Ok(())
}
