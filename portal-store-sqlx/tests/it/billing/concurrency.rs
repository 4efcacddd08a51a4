//! Payments racing each other, from two stores on one database (two portal
//! processes, as far as the database can tell): never more held than an
//! invoice's balance, exactly one payment per idempotency key, and each
//! payment settled once.

use std::sync::Arc;

use portal_core::billing::{PaymentFailure, PaymentStart, PaymentStatus, Settlement};
use portal_core::ports::{Store, StoreError};

use super::{Books, check_books, intent, reread, usd};
use crate::harness::{TestDb, conformance, now};

conformance!(
    concurrent_payments_never_hold_more_than_the_balance,
    concurrent_starts_with_one_key_make_one_payment,
);

/// Twenty stores handles, alternating between the two processes.
async fn stores(db: &TestDb) -> Vec<Arc<dyn Store>> {
    let other = db.another_store().await;
    (0..20)
        .map(|n| {
            if n % 2 == 0 {
                db.store.clone()
            } else {
                other.clone()
            }
        })
        .collect()
}

async fn concurrent_payments_never_hold_more_than_the_balance(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let b = books.invoice(&*db, "H-2", "2030-03-01", 6_000).await;
    // Each wants 3000 of A and 2000 of B: only three fit in both.
    let attempts = stores(&db).await.into_iter().enumerate().map(|(n, store)| {
        let start = intent(
            &format!("key-{n:05}"),
            5_000,
            &[(&a, 3_000), (&b, 2_000)],
            now(),
        );
        tokio::spawn(async move {
            let outcome = store.begin_payment(&scope, &start).await;
            (start.id, outcome)
        })
    });
    let mut started = Vec::new();
    for attempt in futures::future::join_all(attempts).await {
        match attempt.unwrap() {
            (id, Ok(PaymentStart::Started)) => started.push(id),
            (_, Err(StoreError::Conflict(_))) => {}
            (_, other) => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(started.len(), 3);
    assert_eq!(reread(&*db, &scope, &a).await.amount_pending, usd(9_000));
    assert_eq!(reread(&*db, &scope, &b).await.amount_pending, usd(6_000));
    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 3);
    check_books(&*db, &scope).await;

    // Each settled twice at once (a webhook racing a reconcile, both with
    // the gateway's one answer: success for every other payment): once
    // only. (A success after a failure is the late-success rule, tested
    // with the payments.)
    let stores = stores(&db).await;
    let settles = started.iter().enumerate().flat_map(|(n, id)| {
        [2 * n, 2 * n + 1].map(|k| {
            let succeeded = n % 2 == 0;
            let (store, id, tenant) = (stores[k].clone(), *id, books.tenant.id);
            tokio::spawn(async move {
                let settlement = if succeeded {
                    Settlement::Succeeded {
                        reference: format!("ch_{n}"),
                    }
                } else {
                    Settlement::Failed {
                        failure: PaymentFailure::Declined {
                            message: "declined".into(),
                        },
                    }
                };
                store
                    .settle_payment(tenant, id, &settlement, now(), &[])
                    .await
            })
        })
    });
    let settled: Vec<_> = futures::future::join_all(settles)
        .await
        .into_iter()
        .map(|result| result.unwrap().unwrap())
        .collect();
    for pair in settled.chunks(2) {
        assert_eq!(pair[0], pair[1], "both calls see the one settlement");
        assert_ne!(pair[0].payment.status, PaymentStatus::Pending);
    }
    let succeeded = settled
        .chunks(2)
        .filter(|pair| pair[0].payment.status == PaymentStatus::Succeeded)
        .count() as i64;
    let a_now = reread(&*db, &scope, &a).await;
    assert_eq!(
        (a_now.amount_paid, a_now.amount_pending),
        (usd(3_000 * succeeded), usd(0))
    );
    assert_eq!(
        reread(&*db, &scope, &b).await.amount_paid,
        usd(2_000 * succeeded)
    );
    check_books(&*db, &scope).await;
}

async fn concurrent_starts_with_one_key_make_one_payment(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let attempts = stores(&db).await.into_iter().map(|store| {
        // Each request gets its own payment id, as the facade makes them.
        let start = intent("key-shared", 1_000, &[(&a, 1_000)], now());
        tokio::spawn(async move { store.begin_payment(&scope, &start).await })
    });
    let (mut started, mut in_progress) = (0, 0);
    for attempt in futures::future::join_all(attempts).await {
        match attempt.unwrap() {
            Ok(PaymentStart::Started) => started += 1,
            Ok(PaymentStart::InProgress(detail)) => {
                assert_eq!(detail.payment.amount, usd(1_000));
                in_progress += 1;
            }
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((started, in_progress), (1, 19));
    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 1);
    assert_eq!(reread(&*db, &scope, &a).await.amount_pending, usd(1_000));
    check_books(&*db, &scope).await;
}
