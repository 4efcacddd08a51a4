//! Account credit used in a portal payment ("use my credit" on the pay
//! form): applied with the payment's holds in one transaction, kept when
//! the payment succeeds, given back whole when it fails, never spent
//! twice, and shown with the payment.

use std::sync::Arc;

use portal_core::billing::{
    BillingConflict, InvoiceStatus, PaymentFailure, PaymentKind, PaymentStart, PaymentStatus,
    Settlement,
};
use portal_core::ports::{Store, StoreError};
use portal_core::shared::{Conflict, Currency};

use super::{Books, check_books, intent, record, reread, share, today, usd};
use crate::harness::{TestDb, conformance, now};

conformance!(
    credit_used_with_a_payment_is_applied_when_it_starts_and_kept_when_it_succeeds,
    credit_used_with_a_payment_that_fails_is_given_back_whole,
    a_payment_wanting_more_credit_than_there_is_is_refused_and_writes_nothing,
    concurrent_payments_never_spend_the_same_credit_twice,
);

/// Invoices A (100.00, due first) and B (168.28), 25.00 of account
/// credit, and a payment that uses the credit on A and charges the card
/// 243.28: the pay form's "use my credit" as the core hands it over.
async fn books_with_credit(
    db: &TestDb,
) -> (
    Books,
    portal_core::billing::Invoice,
    portal_core::billing::Invoice,
    portal_core::billing::PaymentIntent,
) {
    let books = Books::new(&**db).await;
    let a = books.invoice(&**db, "H-1", "2030-03-01", 10_000).await;
    let b = books.invoice(&**db, "H-2", "2030-03-05", 16_828).await;
    record(
        &**db,
        &books.account,
        "C-1",
        PaymentKind::Credit,
        2_500,
        &[],
    )
    .await
    .unwrap();
    let mut pay = intent("key-00001", 24_328, &[(&a, 7_500), (&b, 16_828)], now());
    pay.credit = vec![share(&a, 2_500)];
    (books, a, b, pay)
}

async fn credit_used_with_a_payment_is_applied_when_it_starts_and_kept_when_it_succeeds(
    db: TestDb,
) {
    let (books, a, b, pay) = books_with_credit(&db).await;
    let scope = books.scope();
    assert_eq!(
        db.begin_payment(&scope, &pay).await.unwrap(),
        PaymentStart::Started
    );
    // Applied with the holds: A has 25.00 paid and 75.00 held.
    let started = reread(&*db, &scope, &a).await;
    assert_eq!(
        (started.amount_paid, started.amount_pending),
        (usd(2_500), usd(7_500))
    );
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(summary.credit, usd(0), "the credit cannot be used again");
    assert_eq!(summary.current_balance, usd(24_328));
    check_books(&*db, &scope).await;

    let settled = db
        .settle_payment(
            books.tenant.id,
            pay.id,
            &Settlement::Succeeded {
                reference: "ch_1".into(),
            },
            now(),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(settled.payment.status, PaymentStatus::Succeeded);
    assert_eq!(settled.payment.applied, usd(24_328));
    assert_eq!(settled.credit, vec![share(&a, 2_500)]);
    assert_eq!(settled.credit_used(), usd(2_500));
    for invoice in [&a, &b] {
        assert_eq!(
            reread(&*db, &scope, invoice).await.status,
            InvoiceStatus::Paid
        );
    }
    // Read back, the payment shows the credit it came with.
    let read = db.payment(&scope, pay.id).await.unwrap().unwrap();
    assert_eq!(read.credit, settled.credit);
    let page = super::all_payments(&*db, &scope).await;
    let listed = page.iter().find(|d| d.payment.id == pay.id).unwrap();
    assert_eq!(listed.credit, settled.credit);
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!((summary.current_balance, summary.credit), (usd(0), usd(0)));
    check_books(&*db, &scope).await;
}

async fn credit_used_with_a_payment_that_fails_is_given_back_whole(db: TestDb) {
    let (books, a, b, pay) = books_with_credit(&db).await;
    let scope = books.scope();
    db.begin_payment(&scope, &pay).await.unwrap();
    let failed = db
        .settle_payment(
            books.tenant.id,
            pay.id,
            &Settlement::Failed {
                failure: PaymentFailure::Declined {
                    message: "Insufficient funds.".into(),
                },
            },
            now(),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(failed.payment.status, PaymentStatus::Failed);
    assert!(failed.credit.is_empty(), "{failed:?}");
    for invoice in [&a, &b] {
        let after = reread(&*db, &scope, invoice).await;
        assert_eq!((after.amount_paid, after.amount_pending), (usd(0), usd(0)));
        assert_eq!(after.status, InvoiceStatus::Open);
    }
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(
        summary.credit,
        usd(2_500),
        "the credit is there to use again"
    );
    assert_eq!(summary.current_balance, usd(24_328));
    // Settling again changes nothing: the credit is not given back twice.
    db.settle_payment(
        books.tenant.id,
        pay.id,
        &Settlement::Failed {
            failure: PaymentFailure::ProviderFailed,
        },
        now(),
        &[],
    )
    .await
    .unwrap();
    let again = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(again, summary);
    check_books(&*db, &scope).await;
}

async fn a_payment_wanting_more_credit_than_there_is_is_refused_and_writes_nothing(db: TestDb) {
    let (books, a, b, _) = books_with_credit(&db).await;
    let scope = books.scope();
    // A has room for it; the account has only 25.00.
    let mut pay = intent("key-00002", 16_828, &[(&b, 16_828)], now());
    pay.credit = vec![share(&a, 2_501)];
    let refused = db.begin_payment(&scope, &pay).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict(Conflict::Billing(
                BillingConflict::NotEnoughCredit
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM payments WHERE kind = 'payment'")
            .await,
        0
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM allocations").await, 0);
    let untouched = reread(&*db, &scope, &a).await;
    assert_eq!(
        (untouched.amount_paid, untouched.amount_pending),
        (usd(0), usd(0))
    );
    check_books(&*db, &scope).await;
}

async fn concurrent_payments_never_spend_the_same_credit_twice(db: TestDb) {
    let (books, a, b, _) = books_with_credit(&db).await;
    let scope = books.scope();
    let other = db.another_store().await;
    // Ten payments, each 10.00 of A from the card and 20.00 of credit on
    // B, from two processes: the 25.00 of credit pays for one of them.
    let attempts = (0..10).map(|n| {
        let store: Arc<dyn Store> = if n % 2 == 0 {
            db.store.clone()
        } else {
            other.clone()
        };
        let mut start = intent(&format!("key-{n:05}"), 1_000, &[(&a, 1_000)], now());
        start.credit = vec![share(&b, 2_000)];
        tokio::spawn(async move { store.begin_payment(&scope, &start).await })
    });
    let mut started = 0;
    for attempt in futures::future::join_all(attempts).await {
        match attempt.unwrap() {
            Ok(PaymentStart::Started) => started += 1,
            Err(StoreError::Conflict(_)) => {}
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(started, 1);
    assert_eq!(reread(&*db, &scope, &b).await.amount_paid, usd(2_000));
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(summary.credit, usd(500));
    check_books(&*db, &scope).await;
}
