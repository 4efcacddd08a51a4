//! Statements over a scripted history (opening, entries by local date,
//! aging and unapplied credit at the end, all adding up), and random
//! histories (proptest) after each step of which the books still balance.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, Utc};
use portal_core::billing::{
    EntryKind, Invoice, PaymentFailure, PaymentIntent, PaymentKind, PaymentStart, Settlement,
    Statement, StatementRange,
};
use portal_core::ports::{Store, StoreError};
use portal_core::shared::{Currency, PaymentId};
use portal_core::tenancy::Tenant;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};

use super::{
    Books, all_payments, check_books, external, intent, invoice, share, store_upsert, upsert, usd,
};
use crate::harness::{TestDb, account, at, conformance, date, now, tenant};

conformance!(
    a_statement_adds_up_over_a_scripted_history,
    money_applied_early_to_a_later_invoice_is_still_credit_on_the_statement,
    random_histories_keep_the_ledger_equal_to_the_balance,
);

async fn money_applied_early_to_a_later_invoice_is_still_credit_on_the_statement(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let acct = &books.account;
    invoice(&*db, acct, "I-1", "2030-02-01", "2030-02-15", 1_000).await;
    // Issued in April, paid in February (a deposit against it).
    let later = invoice(&*db, acct, "I-9", "2030-04-01", "2030-04-30", 3_000).await;
    pay(
        &*db,
        &books,
        "P-9",
        PaymentKind::Payment,
        3_000,
        at("2030-02-10T12:00:00Z"),
        &[(&later, 3_000)],
    )
    .await;

    let range = StatementRange::new(date("2030-02-01"), date("2030-02-28")).unwrap();
    let parts = db
        .statement_parts(&scope, range, chrono_tz::UTC)
        .await
        .unwrap();
    let statement = Statement::build(range, Currency::USD, parts);
    assert_eq!(statement.closing_balance, usd(1_000 - 3_000));
    // I-9 is no charge yet, so the deposit is credit at the end of February.
    assert_eq!(statement.aging.total(), usd(1_000));
    assert_eq!(statement.unapplied_credit, usd(3_000));
    assert_eq!(
        statement
            .aging
            .total()
            .checked_sub(statement.unapplied_credit)
            .unwrap(),
        statement.closing_balance
    );
}

async fn pay(
    store: &dyn Store,
    books: &Books,
    id: &str,
    kind: PaymentKind,
    cents: i64,
    received: DateTime<Utc>,
    applied: &[(&Invoice, i64)],
) {
    let payment = external(id, &books.account, kind, cents, received, applied);
    store
        .record_external_payment(books.tenant.id, PaymentId::new(), &payment, &[])
        .await
        .unwrap();
}

async fn a_statement_adds_up_over_a_scripted_history(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let acct = &books.account;
    // Before February: I-1 and a later-voided V-1, partly paid by P-1.
    let i1 = invoice(&*db, acct, "I-1", "2030-01-10", "2030-01-25", 10_000).await;
    let v1 = invoice(&*db, acct, "V-1", "2030-01-15", "2030-02-15", 2_000).await;
    pay(
        &*db,
        &books,
        "P-1",
        PaymentKind::Payment,
        4_000,
        at("2030-01-20T15:00:00Z"),
        &[(&i1, 3_000), (&v1, 1_000)],
    )
    .await;
    // February. P-3 arrives on the 5th in UTC, the 4th in New York.
    pay(
        &*db,
        &books,
        "P-3",
        PaymentKind::Payment,
        700,
        at("2030-02-05T02:00:00Z"),
        &[],
    )
    .await;
    let i2 = invoice(&*db, acct, "I-2", "2030-02-05", "2030-02-20", 5_000).await;
    let i3 = invoice(&*db, acct, "I-3", "2030-02-10", "2030-03-10", 2_000).await;
    pay(
        &*db,
        &books,
        "P-2",
        PaymentKind::Payment,
        3_000,
        at("2030-02-10T12:00:00Z"),
        &[(&i1, 2_000), (&i2, 1_000)],
    )
    .await;
    // The 1st of March in UTC is still the 28th in New York.
    pay(
        &*db,
        &books,
        "C-1",
        PaymentKind::Credit,
        500,
        at("2030-03-01T03:00:00Z"),
        &[],
    )
    .await;
    // After the range: a payment, and credit applied.
    pay(
        &*db,
        &books,
        "P-4",
        PaymentKind::Payment,
        1_000,
        at("2030-03-02T12:00:00Z"),
        &[(&i2, 1_000)],
    )
    .await;
    db.apply_credit(&scope, &[share(&i3, 500)], now(), &[])
        .await
        .unwrap();
    // Voided now: it is no charge in any statement, and P-1's share of it
    // is credit again, also for February.
    db.void_invoice(books.tenant.id, v1.id, now())
        .await
        .unwrap();

    let range = StatementRange::new(date("2030-02-01"), date("2030-02-28")).unwrap();
    let parts = db
        .statement_parts(&scope, range, chrono_tz::America::New_York)
        .await
        .unwrap();
    let statement = Statement::build(range, Currency::USD, parts);
    assert_eq!(statement.opening_balance, usd(10_000 - 4_000));
    let entries: Vec<_> = statement
        .lines
        .iter()
        .map(|l| {
            (
                l.entry.date,
                l.entry.kind,
                l.entry.reference.as_str(),
                l.entry.amount,
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                date("2030-02-04"),
                EntryKind::Payment,
                "Check P-3",
                usd(700)
            ),
            (date("2030-02-05"), EntryKind::Charge, "I-2", usd(5_000)),
            (date("2030-02-10"), EntryKind::Charge, "I-3", usd(2_000)),
            (
                date("2030-02-10"),
                EntryKind::Payment,
                "Check P-2",
                usd(3_000)
            ),
            (date("2030-02-28"), EntryKind::Credit, "Check C-1", usd(500)),
        ]
    );
    assert_eq!(statement.charges, usd(7_000));
    assert_eq!(
        (statement.payments, statement.credits),
        (usd(3_700), usd(500))
    );
    assert_eq!(statement.closing_balance, usd(8_800));
    assert_eq!(statement.lines.last().unwrap().balance, usd(8_800));
    // Owed at the end of the 28th: I-1 5000 (34 days late), I-2 4000 (8
    // days), I-3 2000 (not due); unapplied: P-1's released 1000, P-3, C-1.
    assert_eq!(statement.aging.days_31_60, usd(5_000));
    assert_eq!(statement.aging.days_1_30, usd(4_000));
    assert_eq!(statement.aging.current, usd(2_000));
    assert_eq!(statement.unapplied_credit, usd(2_200));
    assert_eq!(
        statement
            .aging
            .total()
            .checked_sub(statement.unapplied_credit)
            .unwrap(),
        statement.closing_balance
    );

    // The next month opens where February closed.
    let march = StatementRange::new(date("2030-03-01"), date("2030-03-31")).unwrap();
    let parts = db
        .statement_parts(&scope, march, chrono_tz::America::New_York)
        .await
        .unwrap();
    let march = Statement::build(march, Currency::USD, parts);
    assert_eq!(march.opening_balance, statement.closing_balance);
    assert_eq!(march.closing_balance, usd(8_800 - 1_000));
    check_books(&*db, &scope).await;
}

/// One step of a random history, on invoices and payments made earlier
/// in it (picked by index; a step with nothing to pick does nothing).
#[derive(Clone, Debug)]
enum Step {
    Issue {
        cents: i64,
        day: u32,
    },
    Retotal {
        invoice: Index,
        cents: i64,
    },
    External {
        invoice: Index,
        cents: i64,
        share: i64,
    },
    Credit {
        cents: i64,
    },
    ApplyCredit {
        invoice: Index,
        cents: i64,
    },
    Begin {
        invoice: Index,
        share: i64,
        prepay: i64,
    },
    Settle {
        payment: Index,
        succeeded: bool,
    },
    Void {
        invoice: Index,
    },
    /// The client retries an earlier payment's key, with the same request
    /// or another.
    Retry {
        attempt: Index,
        same: bool,
    },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let cents = 1i64..20_000;
    let step = prop_oneof![
        3 => (cents.clone(), 1u32..59).prop_map(|(cents, day)| Step::Issue { cents, day }),
        1 => (any::<Index>(), cents.clone()).prop_map(|(invoice, cents)| Step::Retotal { invoice, cents }),
        2 => (any::<Index>(), cents.clone(), cents.clone()).prop_map(|(invoice, cents, share)| Step::External { invoice, cents, share }),
        1 => cents.clone().prop_map(|cents| Step::Credit { cents }),
        1 => (any::<Index>(), cents.clone()).prop_map(|(invoice, cents)| Step::ApplyCredit { invoice, cents }),
        2 => (any::<Index>(), cents.clone(), 0i64..5_000).prop_map(|(invoice, share, prepay)| Step::Begin { invoice, share, prepay }),
        2 => (any::<Index>(), any::<bool>()).prop_map(|(payment, succeeded)| Step::Settle { payment, succeeded }),
        1 => any::<Index>().prop_map(|invoice| Step::Void { invoice }),
        2 => (any::<Index>(), any::<bool>()).prop_map(|(attempt, same)| Step::Retry { attempt, same }),
    ];
    prop::collection::vec(step, 1..12)
}

/// Refusals are part of the game; a backend error is not.
fn refused_or_done<T: std::fmt::Debug>(result: Result<T, StoreError>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(StoreError::Conflict(_)) => None,
        Err(error) => panic!("a step failed: {error:?}"),
    }
}

/// Plays `steps` on a fresh account `n` of `tenant`, checking the books
/// after every step.
async fn play(store: &dyn Store, tenant: &Tenant, n: usize, steps: Vec<Step>) {
    let account = account(store, tenant.id, &format!("R{n}")).await;
    let books = Books {
        tenant: tenant.clone(),
        second: account.clone(),
        contact: crate::harness::contact(store, tenant.id, &format!("c{n}")).await,
        foreign: account.clone(),
        account,
    };
    let scope = books.scope();
    let mut invoices: Vec<Invoice> = Vec::new();
    let mut pending: Vec<PaymentId> = Vec::new();
    let mut begun: Vec<PaymentIntent> = Vec::new();
    let pick = |index: &Index, invoices: &[Invoice]| {
        (!invoices.is_empty()).then(|| invoices[index.index(invoices.len())].clone())
    };
    for (k, step) in steps.into_iter().enumerate() {
        let later = now() + Duration::minutes(k as i64);
        match step {
            Step::Issue { cents, day } => {
                let issued = date("2030-01-01") + Duration::days(i64::from(day));
                let due = issued + Duration::days(30);
                let id = format!("R{n}-{k}");
                let mut new = upsert(&id, &books.account, &id, "2030-01-01", "2030-01-01", cents);
                (new.issued_on, new.due_on) = (issued, due);
                invoices.push(store_upsert(store, &books.account, &new).await);
            }
            Step::Retotal { invoice, cents } => {
                if let Some(invoice) = pick(&invoice, &invoices) {
                    let mut again = upsert(
                        invoice.external_id.as_str(),
                        &books.account,
                        &invoice.number,
                        "2030-01-01",
                        "2030-01-01",
                        cents,
                    );
                    (again.issued_on, again.due_on) = (invoice.issued_on, invoice.due_on);
                    let totals = again.validate(Currency::USD).unwrap();
                    refused_or_done(
                        store
                            .upsert_invoice(tenant.id, &again, &totals, later)
                            .await,
                    );
                }
            }
            Step::External {
                invoice,
                cents,
                share,
            } => {
                let target = pick(&invoice, &invoices);
                let applied: Vec<(&Invoice, i64)> = target
                    .iter()
                    .map(|invoice| (invoice, share.min(cents)))
                    .collect();
                let payment = external(
                    &format!("X{n}-{k}"),
                    &books.account,
                    PaymentKind::Payment,
                    cents,
                    later,
                    &applied,
                );
                refused_or_done(
                    store
                        .record_external_payment(tenant.id, PaymentId::new(), &payment, &[])
                        .await,
                );
            }
            Step::Credit { cents } => {
                let credit = external(
                    &format!("C{n}-{k}"),
                    &books.account,
                    PaymentKind::Credit,
                    cents,
                    later,
                    &[],
                );
                refused_or_done(
                    store
                        .record_external_payment(tenant.id, PaymentId::new(), &credit, &[])
                        .await,
                );
            }
            Step::ApplyCredit { invoice, cents } => {
                if let Some(invoice) = pick(&invoice, &invoices) {
                    refused_or_done(
                        store
                            .apply_credit(&scope, &[share(&invoice, cents)], later, &[])
                            .await,
                    );
                }
            }
            Step::Begin {
                invoice,
                share,
                prepay,
            } => {
                if let Some(invoice) = pick(&invoice, &invoices) {
                    let start = intent(
                        &format!("key-{n}-{k}-x"),
                        share + prepay,
                        &[(&invoice, share)],
                        later,
                    );
                    if let Some(PaymentStart::Started) =
                        refused_or_done(store.begin_payment(&scope, &start).await)
                    {
                        pending.push(start.id);
                        begun.push(start);
                    }
                }
            }
            Step::Settle { payment, succeeded } => {
                if !pending.is_empty() {
                    let id = pending.remove(payment.index(pending.len()));
                    let settlement = if succeeded {
                        Settlement::Succeeded {
                            reference: format!("ch_{k}"),
                        }
                    } else {
                        Settlement::Failed {
                            failure: PaymentFailure::Declined {
                                message: "declined".into(),
                            },
                        }
                    };
                    store
                        .settle_payment(tenant.id, id, &settlement, later, &[])
                        .await
                        .unwrap();
                }
            }
            Step::Void { invoice } => {
                if let Some(invoice) = pick(&invoice, &invoices) {
                    refused_or_done(store.void_invoice(tenant.id, invoice.id, later).await);
                }
            }
            Step::Retry { attempt, same } => {
                if !begun.is_empty() {
                    let first = &begun[attempt.index(begun.len())];
                    let before = all_payments(store, &scope).await.len();
                    let mut retry = first.clone();
                    retry.id = PaymentId::new();
                    if !same {
                        retry.fingerprint.push_str("-other");
                    }
                    let answer = store.begin_payment(&scope, &retry).await.unwrap();
                    match answer {
                        PaymentStart::Replay(detail) | PaymentStart::InProgress(detail) => {
                            assert!(same, "another request replayed {detail:?}");
                            assert_eq!(detail.payment.id, first.id, "the first payment answers");
                        }
                        PaymentStart::KeyReused => assert!(!same, "the same request was refused"),
                        PaymentStart::Started => panic!("a key started a second payment"),
                    }
                    // Either way, nothing new was written.
                    assert_eq!(all_payments(store, &scope).await.len(), before);
                }
            }
        }
        check_books(store, &scope).await;
    }
}

async fn random_histories_keep_the_ledger_equal_to_the_balance(db: TestDb) {
    let tenant = tenant(&*db, "acme").await;
    let handle = tokio::runtime::Handle::current();
    let cases = AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    });
    // proptest drives synchronous closures; each case blocks this worker
    // thread on the async steps (the runtime has another worker).
    let outcome = tokio::task::block_in_place(|| {
        runner.run(&steps(), |steps| {
            let n = cases.fetch_add(1, Ordering::SeqCst);
            handle.block_on(play(&*db.store, &tenant, n, steps));
            Ok(())
        })
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}
