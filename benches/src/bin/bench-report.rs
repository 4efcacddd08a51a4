//! Prints the load benchmark's summary: the figures of every scenario, the
//! issue's targets with PASS or FAIL, and the machine. `benches/run.sh`
//! calls it with the folder its runs wrote their JSON lines to.
//!
//! ```text
//! bench-report --dir /tmp/portal-bench.XXXX --backend sqlite --accounts 100000 --small 1000 --rss-kib 61234
//! ```
//!
//! Reads `hashrate.json`, `dash8.json`, `dash64.json`, `login.json`,
//! `storm-dashboard.json`, `storm-login.json`, `invoices64.json`, `quotes64.json`,
//! `jobs64.json`, `statement64.json`, `pay64.json`, `approve64.json`,
//! `tickets64.json`, `ticket64.json`, `open_ticket64.json`, `audit64.json`, the
//! scaling turns `scale-{big,small}[-invoices|-statement|-jobs|-quotes]-{1,2,3}.json`,
//! `baseline-dash64.json` when present, and the `NAME.cpu.json` beside
//! each when present.
//! Exits non-zero when a target is missed.

use anyhow::Context;
use std::path::{Path, PathBuf};

use portal_benches::cli::Args;
use portal_benches::hashrate::HashRate;
use portal_benches::ledger::{INVOICES_PER_ACCOUNT, PAYMENTS_PER_ACCOUNT};
use portal_benches::load::LoadReport;
use portal_benches::plan::{JOBS_PER_ACCOUNT, Plan};

/// Dashboard throughput at 64 connections as a share of the hand-written
/// page's.
const BASELINE_SHARE: f64 = 0.8;
/// Dashboard throughput at 64 connections (req/s).
const DASHBOARD_RPS: f64 = 4_000.0;
/// Dashboard p99 at 64 connections (ms).
const DASHBOARD_P99_MS: f64 = 25.0;
/// Log-in throughput as a share of the measured hash rate.
const LOGIN_SHARE: f64 = 0.8;
/// Dashboard p99 during the log-in storm (ms).
const STORM_P99_MS: f64 = 50.0;
/// Peak resident memory of the server (MiB).
const PEAK_RSS_MIB: f64 = 150.0;
/// Dashboard, invoice list and statement latency at N accounts over
/// latency at the small database.
const SCALING_RATIO: f64 = 1.3;
/// Invoice list page throughput at 64 connections (req/s).
const INVOICES_RPS: f64 = 3_000.0;
/// The quote list page @64: at least this many requests a second (issue 12).
const QUOTES_RPS: f64 = 3_000.0;
/// ... with p99 at most this (ms).
const QUOTES_P99_MS: f64 = 30.0;
/// The jobs list page @64: at least this many requests a second (issue 12).
const JOBS_RPS: f64 = 3_000.0;
/// ... with p99 at most this (ms).
const JOBS_P99_MS: f64 = 30.0;
/// The ticket list page @64: at least this many requests a second (issue
/// 13: a hundred times django-helpdesk's customer ticket list).
const TICKETS_RPS: f64 = 4_600.0;
/// ... with p99 at most this (ms).
const TICKETS_P99_MS: f64 = 30.0;
/// A ticket's page with 50 messages @64 (req/s, issue 13).
const TICKET_RPS: f64 = 2_000.0;
/// The audit log page @64 over 10 N entries (req/s, issue 14).
const AUDIT_RPS: f64 = 3_000.0;
/// ... with p99 at most this (ms).
const AUDIT_P99_MS: f64 = 30.0;
/// Tickets opened (303 responses) a second (issue 13).
const OPENED_PER_SECOND: f64 = 300.0;
/// Invoice list page p99 at 64 connections (ms).
const INVOICES_P99_MS: f64 = 30.0;
/// Payments (201 responses) a second.
const PAYMENTS_PER_SECOND: f64 = 500.0;
/// Quote approvals (200 responses) a second (issue 12).
const APPROVALS_PER_SECOND: f64 = 300.0;

fn read<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> anyhow::Result<T> {
    let path: PathBuf = dir.join(name);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let line = text
        .lines()
        .rev()
        .find(|line| line.trim_start().starts_with('{'))
        .with_context(|| format!("{} holds no JSON line", path.display()))?;
    serde_json::from_str(line).with_context(|| format!("{} is not a report", path.display()))
}

/// The CPU a run took, written by `run.sh` beside its report: the server's
/// cores and the rest of the machine's (load generators and anything else).
/// With the machine's 1-minute load average at the end of the run.
#[derive(serde::Deserialize)]
struct CpuUse {
    server_cores: f64,
    other_cores: f64,
    #[serde(default)]
    load_average: f64,
}

/// The mean CPU use and load average of the runs `names`, as three table
/// cells.
fn cpu_use(dir: &Path, names: &[String]) -> String {
    let uses: Vec<CpuUse> = names
        .iter()
        .filter_map(|name| read::<CpuUse>(dir, &format!("{name}.cpu.json")).ok())
        .collect();
    if uses.is_empty() {
        return "| | |".to_owned();
    }
    let n = uses.len() as f64;
    let server: f64 = uses.iter().map(|cpu| cpu.server_cores).sum();
    let other: f64 = uses.iter().map(|cpu| cpu.other_cores).sum();
    let load: f64 = uses.iter().map(|cpu| cpu.load_average).sum();
    format!("| {:.2} | {:.2} | {:.2} |", server / n, other / n, load / n)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Runs taken in turns, as one row: requests and errors summed, req/s the
/// mean, latencies the medians (max the max).
fn in_turns(reports: &[LoadReport]) -> LoadReport {
    let mut error_kinds = std::collections::BTreeMap::new();
    for report in reports {
        for (kind, count) in &report.error_kinds {
            *error_kinds.entry(kind.clone()).or_insert(0) += count;
        }
    }
    let n = reports.len().max(1) as f64;
    LoadReport {
        scenario: reports
            .first()
            .map_or_else(String::new, |report| report.scenario.clone()),
        connections: reports.first().map_or(0, |report| report.connections),
        seconds: reports.iter().map(|report| report.seconds).sum(),
        requests: reports.iter().map(|report| report.requests).sum(),
        errors: reports.iter().map(|report| report.errors).sum(),
        error_kinds,
        rps: reports.iter().map(|report| report.rps).sum::<f64>() / n,
        p50_ms: median(reports.iter().map(|report| report.p50_ms).collect()),
        p90_ms: median(reports.iter().map(|report| report.p90_ms).collect()),
        p99_ms: median(reports.iter().map(|report| report.p99_ms).collect()),
        max_ms: reports
            .iter()
            .map(|report| report.max_ms)
            .fold(0.0, f64::max),
        mean_body_bytes: reports.first().map_or(0, |report| report.mean_body_bytes),
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn memory_mib() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("MemTotal:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

fn main() -> anyhow::Result<()> {
    let args = Args::from_env()?;
    let dir = PathBuf::from(args.required("dir")?);
    let backend = args.required("backend")?.to_owned();
    let accounts: usize = args.parsed_or("accounts", 100_000)?;
    let small: usize = args.parsed_or("small", 1_000)?;
    let rss_kib: u64 = args.parsed_or("rss-kib", 0)?;
    let date = args.get("date").unwrap_or("unknown date").to_owned();

    let hashrate: HashRate = read(&dir, "hashrate.json")?;
    let dash8: LoadReport = read(&dir, "dash8.json")?;
    let dash64: LoadReport = read(&dir, "dash64.json")?;
    let login: LoadReport = read(&dir, "login.json")?;
    let storm_dashboard: LoadReport = read(&dir, "storm-dashboard.json")?;
    let storm_login: LoadReport = read(&dir, "storm-login.json")?;
    let invoices64: LoadReport = read(&dir, "invoices64.json")?;
    let statement64: LoadReport = read(&dir, "statement64.json")?;
    let quotes64: LoadReport = read(&dir, "quotes64.json")?;
    let jobs64: LoadReport = read(&dir, "jobs64.json")?;
    let pay64: LoadReport = read(&dir, "pay64.json")?;
    let approve64: LoadReport = read(&dir, "approve64.json")?;
    let tickets64: LoadReport = read(&dir, "tickets64.json")?;
    let ticket64: LoadReport = read(&dir, "ticket64.json")?;
    let open64: LoadReport = read(&dir, "open_ticket64.json")?;
    let audit64: LoadReport = read(&dir, "audit64.json")?;
    // The scaling turns of one scenario at one size: their file names.
    let turn_names = |size: &str, suffix: &str| -> Vec<String> {
        (1..=3)
            .map(|turn| format!("scale-{size}{suffix}-{turn}"))
            .collect()
    };
    let turns = |names: &[String]| -> anyhow::Result<LoadReport> {
        let reports = names
            .iter()
            .map(|name| read(&dir, &format!("{name}.json")))
            .collect::<anyhow::Result<Vec<LoadReport>>>()?;
        Ok(in_turns(&reports))
    };
    let (big_turns, small_turns) = (turn_names("big", ""), turn_names("small", ""));
    let big64 = turns(&big_turns)?;
    let small64 = turns(&small_turns)?;
    let (big_list_turns, small_list_turns) = (
        turn_names("big", "-invoices"),
        turn_names("small", "-invoices"),
    );
    let big_list = turns(&big_list_turns)?;
    let small_list = turns(&small_list_turns)?;
    let (big_statement_turns, small_statement_turns) = (
        turn_names("big", "-statement"),
        turn_names("small", "-statement"),
    );
    let big_statement = turns(&big_statement_turns)?;
    let small_statement = turns(&small_statement_turns)?;
    let (big_jobs_turns, small_jobs_turns) =
        (turn_names("big", "-jobs"), turn_names("small", "-jobs"));
    let big_jobs = turns(&big_jobs_turns)?;
    let small_jobs = turns(&small_jobs_turns)?;
    let (big_quotes_turns, small_quotes_turns) =
        (turn_names("big", "-quotes"), turn_names("small", "-quotes"));
    let big_quotes = turns(&big_quotes_turns)?;
    let small_quotes = turns(&small_quotes_turns)?;
    let (jobs, small_jobs_count) = (accounts * JOBS_PER_ACCOUNT, small * JOBS_PER_ACCOUNT);
    // With the session accounts' quotes to approve, the same 60,000 at
    // either size.
    let (quotes, small_quotes_count) = (Plan::new(accounts)?.quotes(), Plan::new(small)?.quotes());
    let (invoices, small_invoices) = (
        accounts * INVOICES_PER_ACCOUNT,
        small * INVOICES_PER_ACCOUNT,
    );
    // Only on SQLite.
    let baseline: Option<LoadReport> = read(&dir, "baseline-dash64.json").ok();

    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!();
    println!(
        "Portal HTTP load benchmark: {backend}, {accounts} accounts ({} contacts, {invoices} invoices, \
         {} payments, {quotes} quotes, {jobs} jobs, {accounts} rental contracts, 1,000 sessions)",
        accounts + accounts / 5,
        accounts * PAYMENTS_PER_ACCOUNT
    );
    println!(
        "Machine: {cores} cores, {}, {} MiB RAM; {date}",
        cpu_model(),
        memory_mib()
    );
    println!();
    println!(
        "| scenario | conns | requests | errors | req/s | p50 ms | p99 ms | max ms | server cores | other cores | load avg |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let one = |name: &str| vec![name.to_owned()];
    let rows = [
        (
            format!("dashboard, {accounts} accounts"),
            one("dash8"),
            &dash8,
        ),
        (
            format!("dashboard, {accounts} accounts"),
            one("dash64"),
            &dash64,
        ),
        (
            "log-in (POST /api/v1/sessions)".to_owned(),
            one("login"),
            &login,
        ),
        (
            "dashboard during log-in storm".to_owned(),
            one("storm-dashboard"),
            &storm_dashboard,
        ),
        (
            "log-in storm (beside it)".to_owned(),
            one("storm-login"),
            &storm_login,
        ),
        (
            format!("scaling: dashboard, {accounts} accounts, 3 turns"),
            big_turns.clone(),
            &big64,
        ),
        (
            format!("scaling: dashboard, {small} accounts, 3 turns"),
            small_turns.clone(),
            &small64,
        ),
        (
            "invoice list page (unpaid, due first)".to_owned(),
            one("invoices64"),
            &invoices64,
        ),
        (
            "quote list page (every status, newest first)".to_owned(),
            one("quotes64"),
            &quotes64,
        ),
        (
            "jobs list page (upcoming, soonest first)".to_owned(),
            one("jobs64"),
            &jobs64,
        ),
        (
            "statement page (365 days)".to_owned(),
            one("statement64"),
            &statement64,
        ),
        (
            format!("scaling: invoice list, {invoices} invoices, 3 turns"),
            big_list_turns.clone(),
            &big_list,
        ),
        (
            format!("scaling: invoice list, {small_invoices} invoices, 3 turns"),
            small_list_turns.clone(),
            &small_list,
        ),
        (
            format!("scaling: statement, {invoices} invoices, 3 turns"),
            big_statement_turns.clone(),
            &big_statement,
        ),
        (
            format!("scaling: statement, {small_invoices} invoices, 3 turns"),
            small_statement_turns.clone(),
            &small_statement,
        ),
        (
            format!("scaling: jobs list, {jobs} jobs, 3 turns"),
            big_jobs_turns.clone(),
            &big_jobs,
        ),
        (
            format!("scaling: jobs list, {small_jobs_count} jobs, 3 turns"),
            small_jobs_turns.clone(),
            &small_jobs,
        ),
        (
            format!("scaling: quote list, {quotes} quotes, 3 turns"),
            big_quotes_turns.clone(),
            &big_quotes,
        ),
        (
            format!("scaling: quote list, {small_quotes_count} quotes, 3 turns"),
            small_quotes_turns.clone(),
            &small_quotes,
        ),
        (
            "paying two invoices (POST /api/v1/payments, 201s)".to_owned(),
            one("pay64"),
            &pay64,
        ),
        (
            "approving quotes (POST /api/v1/quotes/{id}/approval, 200s)".to_owned(),
            one("approve64"),
            &approve64,
        ),
        (
            "ticket list page (open first)".to_owned(),
            one("tickets64"),
            &tickets64,
        ),
        (
            "ticket page (50 messages)".to_owned(),
            one("ticket64"),
            &ticket64,
        ),
        (
            "opening tickets (POST /tickets/new, 303s)".to_owned(),
            one("open_ticket64"),
            &open64,
        ),
        (
            "audit log page (10 entries per account)".to_owned(),
            one("audit64"),
            &audit64,
        ),
    ];
    for (name, file, report) in &rows {
        println!(
            "| {name} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.1} {}",
            report.connections,
            report.requests,
            report.errors,
            report.rps,
            report.p50_ms,
            report.p99_ms,
            report.max_ms,
            cpu_use(&dir, file)
        );
    }
    if let Some(report) = &baseline {
        println!(
            "| hand-written axum + sqlx page, same six queries (bench-baseline) | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.1} {}",
            report.connections,
            report.requests,
            report.errors,
            report.rps,
            report.p50_ms,
            report.p99_ms,
            report.max_ms,
            cpu_use(&dir, &one("baseline-dash64"))
        );
    }
    println!(
        "| argon2id hash rate (m=19 MiB, t=2, p=1), {} threads | | {} | | {:.1}/s | | | | | | |",
        hashrate.threads, hashrate.hashes, hashrate.rate
    );
    println!();
    println!(
        "server cores: CPU the bench-server process used during the run; other cores: the rest of the \
         machine's (load generators, PostgreSQL when used, anything else running); load avg: the \
         machine's 1-minute load average at the end of the run."
    );
    println!();

    let rss_mib = rss_kib as f64 / 1024.0;
    let login_share = login.rps / hashrate.rate;
    let scaling = big64.p50_ms / small64.p50_ms;
    let list_scaling = big_list.p50_ms / small_list.p50_ms;
    let statement_scaling = big_statement.p50_ms / small_statement.p50_ms;
    let jobs_scaling = big_jobs.p50_ms / small_jobs.p50_ms;
    let quotes_scaling = big_quotes.p50_ms / small_quotes.p50_ms;
    let errors: u64 = rows.iter().map(|(_, _, report)| report.errors).sum();
    let mut checks = vec![
        (
            format!("dashboard @64 >= {DASHBOARD_RPS:.0} req/s"),
            format!("{:.0} req/s", dash64.rps),
            dash64.rps >= DASHBOARD_RPS,
        ),
        (
            format!("dashboard @64 p99 <= {DASHBOARD_P99_MS:.0} ms"),
            format!("{:.2} ms", dash64.p99_ms),
            dash64.p99_ms <= DASHBOARD_P99_MS,
        ),
        (
            format!(
                "log-in >= {:.0}% of hash rate ({:.1}/s)",
                LOGIN_SHARE * 100.0,
                hashrate.rate
            ),
            format!("{:.1}/s = {:.0}%", login.rps, login_share * 100.0),
            login_share >= LOGIN_SHARE,
        ),
        (
            format!("dashboard p99 during log-in storm <= {STORM_P99_MS:.0} ms"),
            format!("{:.2} ms", storm_dashboard.p99_ms),
            storm_dashboard.p99_ms <= STORM_P99_MS,
        ),
        (
            format!("server peak RSS <= {PEAK_RSS_MIB:.0} MiB"),
            format!("{rss_mib:.1} MiB"),
            rss_kib > 0 && rss_mib <= PEAK_RSS_MIB,
        ),
        (
            format!("dashboard p50 at {accounts} <= {SCALING_RATIO}x at {small} accounts"),
            format!(
                "median p50 {:.2} / {:.2} ms = {scaling:.2}x",
                big64.p50_ms, small64.p50_ms
            ),
            scaling <= SCALING_RATIO,
        ),
        (
            format!("invoice list @64 >= {INVOICES_RPS:.0} req/s"),
            format!("{:.0} req/s", invoices64.rps),
            invoices64.rps >= INVOICES_RPS,
        ),
        (
            format!("invoice list @64 p99 <= {INVOICES_P99_MS:.0} ms"),
            format!("{:.2} ms", invoices64.p99_ms),
            invoices64.p99_ms <= INVOICES_P99_MS,
        ),
        (
            format!("quote list @64 >= {QUOTES_RPS:.0} req/s"),
            format!("{:.0} req/s", quotes64.rps),
            quotes64.rps >= QUOTES_RPS,
        ),
        (
            format!("quote list @64 p99 <= {QUOTES_P99_MS:.0} ms"),
            format!("{:.2} ms", quotes64.p99_ms),
            quotes64.p99_ms <= QUOTES_P99_MS,
        ),
        (
            format!("jobs list @64 >= {JOBS_RPS:.0} req/s"),
            format!("{:.0} req/s", jobs64.rps),
            jobs64.rps >= JOBS_RPS,
        ),
        (
            format!("jobs list @64 p99 <= {JOBS_P99_MS:.0} ms"),
            format!("{:.2} ms", jobs64.p99_ms),
            jobs64.p99_ms <= JOBS_P99_MS,
        ),
        (
            format!("paying two invoices >= {PAYMENTS_PER_SECOND:.0} payments/s"),
            format!(
                "{:.0}/s (p50 {:.1} ms, p99 {:.1} ms)",
                pay64.rps, pay64.p50_ms, pay64.p99_ms
            ),
            pay64.rps >= PAYMENTS_PER_SECOND,
        ),
        (
            format!("approving quotes >= {APPROVALS_PER_SECOND:.0} approvals/s"),
            format!(
                "{:.0}/s (p50 {:.1} ms, p99 {:.1} ms)",
                approve64.rps, approve64.p50_ms, approve64.p99_ms
            ),
            approve64.rps >= APPROVALS_PER_SECOND,
        ),
        (
            format!("ticket list @64 >= {TICKETS_RPS:.0} req/s"),
            format!("{:.0} req/s", tickets64.rps),
            tickets64.rps >= TICKETS_RPS,
        ),
        (
            format!("ticket list @64 p99 <= {TICKETS_P99_MS:.0} ms"),
            format!("{:.2} ms", tickets64.p99_ms),
            tickets64.p99_ms <= TICKETS_P99_MS,
        ),
        (
            format!("audit log page @64 >= {AUDIT_RPS:.0} req/s"),
            format!("{:.0} req/s", audit64.rps),
            audit64.rps >= AUDIT_RPS,
        ),
        (
            format!("audit log page @64 p99 <= {AUDIT_P99_MS:.0} ms"),
            format!("{:.2} ms", audit64.p99_ms),
            audit64.p99_ms <= AUDIT_P99_MS,
        ),
        (
            format!("ticket page (50 messages) @64 >= {TICKET_RPS:.0} req/s"),
            format!("{:.0} req/s (p99 {:.2} ms)", ticket64.rps, ticket64.p99_ms),
            ticket64.rps >= TICKET_RPS,
        ),
        (
            format!("opening tickets >= {OPENED_PER_SECOND:.0}/s"),
            format!(
                "{:.0}/s (p50 {:.1} ms, p99 {:.1} ms)",
                open64.rps, open64.p50_ms, open64.p99_ms
            ),
            open64.rps >= OPENED_PER_SECOND,
        ),
        (
            format!(
                "invoice list p50 at {invoices} <= {SCALING_RATIO}x at {small_invoices} invoices"
            ),
            format!(
                "median p50 {:.2} / {:.2} ms = {list_scaling:.2}x (p99 {:.2} / {:.2} ms)",
                big_list.p50_ms, small_list.p50_ms, big_list.p99_ms, small_list.p99_ms
            ),
            list_scaling <= SCALING_RATIO,
        ),
        (
            format!("statement p50 at {invoices} <= {SCALING_RATIO}x at {small_invoices} invoices"),
            format!(
                "median p50 {:.2} / {:.2} ms = {statement_scaling:.2}x (p99 {:.2} / {:.2} ms)",
                big_statement.p50_ms,
                small_statement.p50_ms,
                big_statement.p99_ms,
                small_statement.p99_ms
            ),
            statement_scaling <= SCALING_RATIO,
        ),
        (
            format!(
                "jobs list p50 at {accounts} <= {SCALING_RATIO}x at {small} accounts ({jobs} vs {small_jobs_count} jobs)"
            ),
            format!(
                "median p50 {:.2} / {:.2} ms = {jobs_scaling:.2}x (p99 {:.2} / {:.2} ms)",
                big_jobs.p50_ms, small_jobs.p50_ms, big_jobs.p99_ms, small_jobs.p99_ms
            ),
            jobs_scaling <= SCALING_RATIO,
        ),
        (
            format!(
                "quote list p50 at {accounts} <= {SCALING_RATIO}x at {small} accounts ({quotes} vs {small_quotes_count} quotes)"
            ),
            format!(
                "median p50 {:.2} / {:.2} ms = {quotes_scaling:.2}x (p99 {:.2} / {:.2} ms)",
                big_quotes.p50_ms, small_quotes.p50_ms, big_quotes.p99_ms, small_quotes.p99_ms
            ),
            quotes_scaling <= SCALING_RATIO,
        ),
        (
            "no errors or unexpected statuses".to_owned(),
            format!("{errors}"),
            errors == 0,
        ),
    ];
    if let Some(report) = &baseline {
        let share = dash64.rps / report.rps;
        checks.insert(
            1,
            (
                format!(
                    "dashboard @64 >= {:.0}% of the hand-written page",
                    BASELINE_SHARE * 100.0
                ),
                format!(
                    "{:.0} / {:.0} req/s = {:.0}%",
                    dash64.rps,
                    report.rps,
                    share * 100.0
                ),
                share >= BASELINE_SHARE,
            ),
        );
    }
    println!("| target | measured | |");
    println!("| --- | --- | --- |");
    for (target, measured, ok) in &checks {
        println!("| {target} | {measured} | {} |", verdict(*ok));
    }
    for (name, _, report) in &rows {
        if !report.error_kinds.is_empty() {
            println!(
                "errors in {name} @{}: {:?}",
                report.connections, report.error_kinds
            );
        }
    }
    println!();
    if checks.iter().all(|(_, _, ok)| *ok) {
        println!("All targets met.");
        Ok(())
    } else {
        println!("Some targets were missed.");
        std::process::exit(1)
    }
}
