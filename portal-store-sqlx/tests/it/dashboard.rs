//! The dashboard: each selected panel shows up to `PANEL_ROWS` rows of the
//! scope's account with the total count; unselected panels are `None`;
//! communications always load; another account's rows never show.

use chrono::Duration;
use portal_core::access::AccountScope;
use portal_core::accounts::Communication;
use portal_core::dashboard::{PANEL_ROWS, PanelSelection};
use portal_core::shared::{CommunicationId, Currency};
use rust_decimal::Decimal;
use std::str::FromStr;

use crate::harness::{TestDb, account, at, conformance, date, now, tenant};

conformance!(
    panels_show_the_accounts_open_items_in_order_with_their_totals,
    an_account_with_nothing_open_has_empty_panels_with_zero_totals,
    unselected_panels_are_none_and_communications_always_load,
    another_accounts_rows_never_appear_on_the_dashboard,
    panel_times_text_and_amounts_come_back_exactly,
    the_account_summary_comes_with_the_invoices_panel,
);

const ALL: PanelSelection = PanelSelection {
    invoices: true,
    jobs: true,
    tickets: true,
    quotes: true,
};

/// Records `said` through the port, by an external id made of its id.
pub async fn record(
    db: &TestDb,
    tenant: portal_core::shared::TenantId,
    said: &Communication,
) -> Result<portal_core::communications::LoggedCommunication, portal_core::ports::StoreError> {
    let record = portal_core::communications::CommunicationRecord::new(
        portal_core::shared::ExternalId::parse(&said.id.to_string()).unwrap(),
        said.account,
        &said.channel,
        &said.subject,
        &said.body,
        said.occurred_at,
    );
    db.record_communication(tenant, said.id, &record).await
}

fn communication(scope: AccountScope, subject: &str, minutes_ago: i64) -> Communication {
    Communication {
        id: CommunicationId::new(),
        account: scope.account(),
        channel: "email".into(),
        subject: subject.into(),
        body: format!("About {subject}"),
        occurred_at: now() - Duration::minutes(minutes_ago),
    }
}

async fn panels_show_the_accounts_open_items_in_order_with_their_totals(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let account = account(&*db, tenant.id, "A").await;
    let scope = AccountScope::unchecked(tenant.id, account.id);
    let today = date("2030-03-04");

    // Seven unpaid invoices (more than a panel shows), plus paid and void.
    for (number, due, balance, status) in [
        ("INV-7", "2030-04-07", 7000, "open"),
        ("INV-1", "2030-01-01", 1010, "open"),
        ("INV-3", "2030-03-04", 30, "partially_paid"),
        ("INV-2", "2030-03-03", 123456789, "open"),
        ("INV-6", "2030-04-06", 6000, "open"),
        ("INV-4", "2030-03-05", 4000, "open"),
        ("INV-5", "2030-04-01", 5000, "partially_paid"),
        ("INV-P", "2029-01-01", 0, "paid"),
        ("INV-V", "2029-01-02", 9900, "void"),
    ] {
        db.seed_invoice(scope, number, date(due), balance, status)
            .await;
    }
    let mut job_ids = std::collections::HashMap::new();
    for (number, status, scheduled) in [
        ("J-3", "unscheduled", None),
        ("J-2", "scheduled", Some(at("2030-03-10T08:00:00Z"))),
        ("J-1", "in_progress", Some(at("2030-03-04T08:00:00Z"))),
        ("J-C", "completed", Some(at("2030-03-01T08:00:00Z"))),
        ("J-X", "cancelled", None),
    ] {
        let job = db.seed_job(scope, number, status, scheduled).await;
        job_ids.insert(number, job.id);
    }
    for (number, status, minutes_ago) in [
        ("T-2", "waiting", 60),
        ("T-1", "open", 5),
        ("T-C", "closed", 1),
    ] {
        db.seed_ticket(
            scope,
            number,
            status,
            now() - Duration::minutes(minutes_ago),
        )
        .await;
    }
    for (subject, minutes_ago) in [("b", 20), ("a", 10), ("c", 30)] {
        record(&db, tenant.id, &communication(scope, subject, minutes_ago))
            .await
            .unwrap();
    }

    let dashboard = db
        .dashboard(&scope, ALL, today, Currency::USD)
        .await
        .unwrap();

    let invoices = dashboard.unpaid_invoices.unwrap();
    assert_eq!(invoices.total, 7);
    assert_eq!(invoices.rows.len(), PANEL_ROWS as usize);
    let shown: Vec<_> = invoices
        .rows
        .iter()
        .map(|row| (row.number.as_str(), row.balance.amount(), row.is_overdue))
        .collect();
    let money = |text: &str| Decimal::from_str(text).unwrap();
    assert_eq!(
        shown,
        vec![
            ("INV-1", money("10.10"), true),
            ("INV-2", money("1234567.89"), true),
            ("INV-3", money("0.30"), false),
            ("INV-4", money("40.00"), false),
            ("INV-5", money("50.00"), false),
        ]
    );
    // The same text on both databases: the currency's two places.
    let texts: Vec<_> = invoices
        .rows
        .iter()
        .map(|r| r.balance.amount().to_string())
        .collect();
    assert_eq!(texts, ["10.10", "1234567.89", "0.30", "40.00", "50.00"]);
    assert_eq!(invoices.rows[1].due_on, date("2030-03-03"));
    assert_eq!(invoices.rows[1].balance.currency(), Currency::USD);

    let jobs = dashboard.open_jobs.unwrap();
    assert_eq!(jobs.total, 3);
    let shown: Vec<_> = jobs
        .rows
        .iter()
        .map(|row| (row.number.as_str(), row.status.as_str(), row.scheduled_for))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("J-1", "in_progress", Some(at("2030-03-04T08:00:00Z"))),
            ("J-2", "scheduled", Some(at("2030-03-10T08:00:00Z"))),
            ("J-3", "unscheduled", None),
        ],
        "scheduled soonest first, unscheduled last"
    );
    for row in &jobs.rows {
        assert_eq!(
            Some(&row.id),
            job_ids.get(row.number.as_str()),
            "each row carries its job's id for the link"
        );
    }
    assert_eq!(jobs.rows[0].title, "Job J-1");

    let tickets = dashboard.open_tickets.unwrap();
    assert_eq!(tickets.total, 2);
    let shown: Vec<_> = tickets
        .rows
        .iter()
        .map(|row| (row.subject.as_str(), row.status.as_str(), row.updated_at))
        .collect();
    assert_eq!(
        shown,
        vec![
            ("T-1", "open", now() - Duration::minutes(5)),
            ("T-2", "waiting", now() - Duration::minutes(60)),
        ]
    );

    let communications = dashboard.recent_communications;
    assert_eq!(communications.total, 3);
    let subjects: Vec<_> = communications
        .rows
        .iter()
        .map(|c| c.subject.as_str())
        .collect();
    assert_eq!(subjects, vec!["a", "b", "c"], "latest first");
    let latest = &communications.rows[0];
    assert_eq!(latest.account, scope.account());
    assert_eq!(
        (latest.channel.as_str(), latest.body.as_str()),
        ("email", "About a")
    );
    assert_eq!(latest.occurred_at, now() - Duration::minutes(10));
}

async fn an_account_with_nothing_open_has_empty_panels_with_zero_totals(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let account = account(&*db, tenant.id, "A").await;
    let scope = AccountScope::unchecked(tenant.id, account.id);
    db.seed_invoice(scope, "INV-P", date("2030-01-01"), 0, "paid")
        .await;
    db.seed_job(scope, "J-C", "completed", None).await;
    db.seed_ticket(scope, "T-C", "closed", now()).await;

    let dashboard = db
        .dashboard(&scope, ALL, date("2030-03-04"), Currency::USD)
        .await
        .unwrap();
    let invoices = dashboard.unpaid_invoices.unwrap();
    let jobs = dashboard.open_jobs.unwrap();
    let tickets = dashboard.open_tickets.unwrap();
    assert!(invoices.rows.is_empty() && jobs.rows.is_empty() && tickets.rows.is_empty());
    assert_eq!((invoices.total, jobs.total, tickets.total), (0, 0, 0));
    assert!(dashboard.recent_communications.rows.is_empty());
    assert_eq!(dashboard.recent_communications.total, 0);
}

async fn unselected_panels_are_none_and_communications_always_load(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let account = account(&*db, tenant.id, "A").await;
    let scope = AccountScope::unchecked(tenant.id, account.id);
    db.seed_invoice(scope, "INV-1", date("2030-01-01"), 1000, "open")
        .await;
    record(&db, tenant.id, &communication(scope, "hello", 1))
        .await
        .unwrap();

    let nothing = db
        .dashboard(
            &scope,
            PanelSelection::default(),
            date("2030-03-04"),
            Currency::USD,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            nothing.unpaid_invoices,
            nothing.open_jobs,
            nothing.open_tickets
        ),
        (None, None, None)
    );
    assert_eq!(nothing.recent_communications.total, 1);

    let only_jobs = PanelSelection {
        jobs: true,
        ..PanelSelection::default()
    };
    let dashboard = db
        .dashboard(&scope, only_jobs, date("2030-03-04"), Currency::USD)
        .await
        .unwrap();
    assert!(dashboard.unpaid_invoices.is_none() && dashboard.open_tickets.is_none());
    assert!(nothing.account_summary.is_none() && dashboard.account_summary.is_none());
    assert_eq!(dashboard.open_jobs.map(|panel| panel.total), Some(0));
}

async fn another_accounts_rows_never_appear_on_the_dashboard(db: TestDb) {
    let acme = tenant(&*db, "acme").await;
    let other = tenant(&*db, "other").await;
    let a = account(&*db, acme.id, "A").await;
    let b = account(&*db, acme.id, "B").await;
    let scope_a = AccountScope::unchecked(acme.id, a.id);
    let scope_b = AccountScope::unchecked(acme.id, b.id);
    db.seed_invoice(scope_a, "A-INV", date("2030-01-01"), 100, "open")
        .await;
    db.seed_job(scope_a, "A-JOB", "scheduled", Some(now()))
        .await;
    db.seed_ticket(scope_a, "A-TKT", "open", now()).await;
    record(&db, acme.id, &communication(scope_a, "for A", 1))
        .await
        .unwrap();
    for i in 0..3 {
        let number = format!("B-{i}");
        db.seed_invoice(scope_b, &number, date("2029-12-01"), 200, "open")
            .await;
        db.seed_job(scope_b, &number, "unscheduled", None).await;
        db.seed_ticket(scope_b, &number, "open", now() + Duration::minutes(i))
            .await;
        record(&db, acme.id, &communication(scope_b, &number, i))
            .await
            .unwrap();
    }

    let dashboard = db
        .dashboard(&scope_a, ALL, date("2030-03-04"), Currency::USD)
        .await
        .unwrap();
    let invoices = dashboard.unpaid_invoices.unwrap();
    let jobs = dashboard.open_jobs.unwrap();
    let tickets = dashboard.open_tickets.unwrap();
    let communications = dashboard.recent_communications;
    assert_eq!(
        (
            invoices.total,
            jobs.total,
            tickets.total,
            communications.total
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(invoices.rows[0].number, "A-INV");
    assert_eq!(jobs.rows[0].number, "A-JOB");
    assert_eq!(tickets.rows[0].subject, "A-TKT");
    assert_eq!(communications.rows[0].subject, "for A");

    // Account A's id under another tenant's scope shows nothing at all.
    let foreign = AccountScope::unchecked(other.id, a.id);
    let dashboard = db
        .dashboard(&foreign, ALL, date("2030-03-04"), Currency::USD)
        .await
        .unwrap();
    assert_eq!(dashboard.unpaid_invoices.map(|p| p.total), Some(0));
    assert_eq!(dashboard.open_jobs.map(|p| p.total), Some(0));
    assert_eq!(dashboard.open_tickets.map(|p| p.total), Some(0));
    assert_eq!(dashboard.recent_communications.total, 0);
}

async fn panel_times_text_and_amounts_come_back_exactly(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let account = account(&*db, tenant.id, "A").await;
    let scope = AccountScope::unchecked(tenant.id, account.id);
    // Microseconds, before and after 1970: the panels carry times through
    // JSON on both databases and must not round them.
    let scheduled = at("2030-03-04T08:00:00.123457Z");
    let updated = at("1969-07-20T20:17:40.000001Z");
    db.seed_job(scope, "J-1", "scheduled", Some(scheduled))
        .await;
    db.seed_ticket(scope, "T-1", "open", updated).await;
    db.seed_invoice(scope, "INV-1", date("2030-01-01"), 1, "open")
        .await;
    let mut said = communication(scope, "\"Quoted\" \\ <b>ünïcødé</b> 🎉", 1);
    said.body = "line one\nline two\t\u{1}".into();
    said.occurred_at = at("2030-03-04T08:59:59.999999Z");
    record(&db, tenant.id, &said).await.unwrap();

    let dashboard = db
        .dashboard(&scope, ALL, date("2030-03-04"), Currency::USD)
        .await
        .unwrap();

    let jobs = dashboard.open_jobs.unwrap();
    assert_eq!(jobs.rows[0].scheduled_for, Some(scheduled));
    assert_eq!(dashboard.open_tickets.unwrap().rows[0].updated_at, updated);
    let invoice = &dashboard.unpaid_invoices.unwrap().rows[0];
    assert_eq!(invoice.balance.amount().to_string(), "0.01");
    assert_eq!(invoice.due_on, date("2030-01-01"));
    // The id comes through JSON too (hex on SQLite), for the row's link.
    let linked = db.invoice(&scope, invoice.id).await.unwrap().unwrap();
    assert_eq!(linked.invoice.number, "INV-1");
    assert_eq!(dashboard.recent_communications.rows, vec![said]);
}

async fn the_account_summary_comes_with_the_invoices_panel(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let account = account(&*db, tenant.id, "A").await;
    let scope = AccountScope::unchecked(tenant.id, account.id);
    db.seed_invoice(scope, "INV-1", date("2030-01-01"), 1000, "open")
        .await;
    db.seed_invoice(scope, "INV-2", date("2030-06-01"), 550, "open")
        .await;
    let today = date("2030-03-04");

    let dashboard = db
        .dashboard(&scope, ALL, today, Currency::USD)
        .await
        .unwrap();

    let summary = dashboard.account_summary.unwrap();
    assert_eq!(summary.current_balance.amount().to_string(), "15.50");
    assert_eq!(summary.past_due.amount().to_string(), "10.00");
    assert_eq!(summary.unpaid_invoices, 2);
    assert_eq!(summary.last_payment, None);
    // The same figures as the billing page's own summary.
    let billing = db
        .account_summary(&scope, Currency::USD, today)
        .await
        .unwrap();
    assert_eq!(summary, billing);
}
