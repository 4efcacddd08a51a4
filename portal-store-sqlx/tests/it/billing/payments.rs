//! Payments and credits: the host's external payments (idempotent, never
//! over-applied), the portal's hold-then-settle payments with their
//! idempotency keys, applying account credit, the payments page and the
//! account summary.

use chrono::Duration;
use portal_core::billing::{
    BillingConflict, InvoiceStatus, PaymentFailure, PaymentKind, PaymentStart, PaymentStatus,
    Settlement,
};
use portal_core::ports::StoreError;
use portal_core::shared::{Conflict, Currency, PageRequest, PaymentId};

use super::{
    Books, all_payments, check_books, external, intent, invoice, record, reread, share, today, usd,
};
use crate::harness::{TestDb, conformance, mail, now};

conformance!(
    an_external_payment_is_recorded_once_per_external_id,
    an_external_payment_above_what_is_payable_is_refused_and_writes_nothing,
    a_started_payment_holds_its_amounts_and_success_applies_them_once,
    a_failed_payment_releases_its_holds,
    every_kind_of_failure_is_kept_as_it_was_settled,
    a_late_success_for_a_failed_payment_becomes_account_credit_once,
    holding_more_than_is_payable_is_refused_naming_the_invoice_and_writes_nothing,
    a_payment_over_more_invoices_than_one_statement_takes_holds_and_settles_them_all,
    a_reused_key_replays_reports_in_progress_or_is_refused,
    credit_is_applied_from_the_oldest_payment_and_never_beyond_what_there_is,
    the_payments_page_is_newest_first_with_allocations_and_the_summary_adds_up,
);

async fn an_external_payment_is_recorded_once_per_external_id(db: TestDb) {
    let books = Books::new(&*db).await;
    let inv = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let payment = external(
        "P-1",
        &books.account,
        PaymentKind::Payment,
        4_000,
        now(),
        &[(&inv, 3_000)],
    );
    let first = db
        .record_external_payment(
            books.tenant.id,
            PaymentId::new(),
            &payment,
            &[mail("a@b.test")],
        )
        .await
        .unwrap();
    assert_eq!(first.payment.status, PaymentStatus::Succeeded);
    assert_eq!(
        (first.payment.amount, first.payment.applied),
        (usd(4_000), usd(3_000))
    );
    assert_eq!(first.payment.unapplied(), usd(1_000));
    assert_eq!(first.allocations.len(), 1);
    assert_eq!(first.allocations[0].invoice_number, "H-1");
    let again = db
        .record_external_payment(
            books.tenant.id,
            PaymentId::new(),
            &payment,
            &[mail("a@b.test")],
        )
        .await
        .unwrap();
    assert_eq!(again, first);
    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    assert_eq!(
        reread(&*db, &books.scope(), &inv).await.amount_paid,
        usd(3_000)
    );

    // An account of another tenant is not found.
    let foreign = external("P-2", &books.foreign, PaymentKind::Credit, 100, now(), &[]);
    let refused = db
        .record_external_payment(books.tenant.id, PaymentId::new(), &foreign, &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
}

async fn an_external_payment_above_what_is_payable_is_refused_and_writes_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 1_000).await;
    let b = books.invoice(&*db, "H-2", "2030-03-01", 1_000).await;
    // More than the invoice's balance (on the second share: the first was
    // already applied in the transaction and must roll back too).
    let over = record(
        &*db,
        &books.account,
        "P-1",
        PaymentKind::Payment,
        2_500,
        &[(&a, 1_000), (&b, 1_001)],
    )
    .await;
    assert!(matches!(over, Err(StoreError::Conflict(_))), "{over:?}");
    // Shares above the payment.
    let beyond = record(
        &*db,
        &books.account,
        "P-1",
        PaymentKind::Payment,
        1_500,
        &[(&a, 1_000), (&b, 600)],
    )
    .await;
    assert!(matches!(beyond, Err(StoreError::Conflict(_))), "{beyond:?}");
    // A paid invoice has nothing payable.
    record(
        &*db,
        &books.account,
        "P-2",
        PaymentKind::Payment,
        1_000,
        &[(&a, 1_000)],
    )
    .await
    .unwrap();
    let paid = record(
        &*db,
        &books.account,
        "P-3",
        PaymentKind::Payment,
        1,
        &[(&a, 1)],
    )
    .await;
    assert!(matches!(paid, Err(StoreError::Conflict(_))), "{paid:?}");

    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM allocations").await, 1);
    assert_eq!(reread(&*db, &scope, &b).await.amount_paid, usd(0));
    check_books(&*db, &scope).await;
}

async fn a_started_payment_holds_its_amounts_and_success_applies_them_once(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let b = books.invoice(&*db, "H-2", "2030-03-05", 5_000).await;
    let pay = intent("key-00001", 9_000, &[(&a, 2_500), (&b, 5_000)], now());
    assert_eq!(
        db.begin_payment(&scope, &pay).await.unwrap(),
        PaymentStart::Started
    );

    let held = reread(&*db, &scope, &a).await;
    assert_eq!(
        (held.amount_paid, held.amount_pending),
        (usd(0), usd(2_500))
    );
    assert_eq!(held.payable(), usd(7_500));
    assert_eq!(held.status, InvoiceStatus::Open);
    let pending = db
        .tenant_payment(books.tenant.id, pay.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pending.payment.status, PaymentStatus::Pending);
    assert_eq!(pending.payment.applied, usd(0));
    assert_eq!(pending.allocations.len(), 2);
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(
        summary.current_balance,
        usd(15_000),
        "a pending payment changes no balance"
    );
    assert_eq!(summary.processing, usd(7_500), "but says what it holds");
    // The reconcile sweep sees it once it is old enough.
    let later = now() + Duration::minutes(5);
    let sweep = db
        .pending_payments(books.tenant.id, later, 10)
        .await
        .unwrap();
    assert_eq!(sweep.iter().map(|p| p.id).collect::<Vec<_>>(), [pay.id]);
    assert!(
        db.pending_payments(books.tenant.id, now(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        db.pending_payments(books.foreign.tenant, later, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // Another tenant cannot settle it.
    let success = Settlement::Succeeded {
        reference: "ch_1".into(),
    };
    let refused = db
        .settle_payment(books.foreign.tenant, pay.id, &success, later, &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");

    let settled = db
        .settle_payment(
            books.tenant.id,
            pay.id,
            &success,
            later,
            &[mail("a@b.test")],
        )
        .await
        .unwrap();
    assert_eq!(settled.payment.status, PaymentStatus::Succeeded);
    assert_eq!(settled.payment.gateway_reference.as_deref(), Some("ch_1"));
    assert_eq!(settled.payment.applied, usd(7_500));
    assert_eq!(
        settled.payment.unapplied(),
        usd(1_500),
        "the rest is prepaid credit"
    );
    let a_now = reread(&*db, &scope, &a).await;
    assert_eq!(
        (a_now.amount_paid, a_now.amount_pending),
        (usd(2_500), usd(0))
    );
    assert_eq!(a_now.status, InvoiceStatus::PartiallyPaid);
    assert_eq!(reread(&*db, &scope, &b).await.status, InvoiceStatus::Paid);

    // A second settlement (a webhook racing a reconcile) changes nothing.
    let failure = Settlement::Failed {
        failure: PaymentFailure::Declined {
            message: "declined".into(),
        },
    };
    let again = db
        .settle_payment(
            books.tenant.id,
            pay.id,
            &failure,
            later,
            &[mail("a@b.test")],
        )
        .await
        .unwrap();
    assert_eq!(again, settled);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    assert!(
        db.pending_payments(books.tenant.id, later, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(summary.last_payment, Some((usd(9_000), now())));
    check_books(&*db, &scope).await;
}

async fn a_late_success_for_a_failed_payment_becomes_account_credit_once(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let pay = intent("key-00001", 10_000, &[(&a, 10_000)], now());
    db.begin_payment(&scope, &pay).await.unwrap();
    let failure = Settlement::Failed {
        failure: PaymentFailure::Declined {
            message: "The payment did not go through.".into(),
        },
    };
    db.settle_payment(books.tenant.id, pay.id, &failure, now(), &[])
        .await
        .unwrap();
    // The gateway's success arrives after the portal gave up.
    let success = Settlement::Succeeded {
        reference: "ch_late".into(),
    };
    let late = db
        .settle_payment(
            books.tenant.id,
            pay.id,
            &success,
            now(),
            &[mail("a@b.test")],
        )
        .await
        .unwrap();
    assert_eq!(late.payment.status, PaymentStatus::Succeeded);
    assert_eq!(late.payment.gateway_reference.as_deref(), Some("ch_late"));
    assert_eq!(late.payment.unapplied(), usd(10_000), "kept as credit");
    assert!(late.allocations.is_empty());
    // The invoice it once held is untouched and still owed.
    assert_eq!(reread(&*db, &scope, &a).await.payable(), usd(10_000));
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(summary.credit, usd(10_000));
    // A repeat changes nothing and writes nothing more.
    let again = db
        .settle_payment(
            books.tenant.id,
            pay.id,
            &success,
            now(),
            &[mail("a@b.test")],
        )
        .await
        .unwrap();
    assert_eq!(again, late);
    let written = db
        .claim_outbox(now(), now() + Duration::minutes(5), 100)
        .await
        .unwrap();
    assert_eq!(written.len(), 1, "the late success's messages, once");
    check_books(&*db, &scope).await;
}

async fn a_failed_payment_releases_its_holds(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let pay = intent("key-00001", 10_000, &[(&a, 10_000)], now());
    db.begin_payment(&scope, &pay).await.unwrap();
    assert_eq!(reread(&*db, &scope, &a).await.payable(), usd(0));
    let failure = Settlement::Failed {
        failure: PaymentFailure::Declined {
            message: "Your card was declined.".into(),
        },
    };
    let failed = db
        .settle_payment(books.tenant.id, pay.id, &failure, now(), &[])
        .await
        .unwrap();
    assert_eq!(failed.payment.status, PaymentStatus::Failed);
    assert_eq!(
        failed.payment.failure,
        Some(PaymentFailure::Declined {
            message: "Your card was declined.".into()
        })
    );
    assert!(
        failed.allocations.is_empty(),
        "released holds are not allocations"
    );
    let released = reread(&*db, &scope, &a).await;
    assert_eq!(
        (released.amount_pending, released.payable()),
        (usd(0), usd(10_000))
    );
    assert_eq!(released.status, InvoiceStatus::Open);
    // The balance is payable again by another attempt.
    let retry = intent("key-00002", 10_000, &[(&a, 10_000)], now());
    assert_eq!(
        db.begin_payment(&scope, &retry).await.unwrap(),
        PaymentStart::Started
    );
    check_books(&*db, &scope).await;
}

async fn every_kind_of_failure_is_kept_as_it_was_settled(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let failures = [
        PaymentFailure::Declined {
            message: "Insufficient funds.".into(),
        },
        PaymentFailure::MethodRefused,
        PaymentFailure::ProviderFailed,
        PaymentFailure::Abandoned,
    ];
    for (n, failure) in failures.into_iter().enumerate() {
        let pay = intent(&format!("key-f{n:04}"), 100, &[(&a, 100)], now());
        db.begin_payment(&scope, &pay).await.unwrap();
        let settled = db
            .settle_payment(
                books.tenant.id,
                pay.id,
                &Settlement::Failed {
                    failure: failure.clone(),
                },
                now(),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(settled.payment.failure.as_ref(), Some(&failure));
        let reread = db
            .tenant_payment(books.tenant.id, pay.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(reread.payment.failure, Some(failure));
    }
    check_books(&*db, &scope).await;
}

async fn holding_more_than_is_payable_is_refused_naming_the_invoice_and_writes_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 1_000).await;
    let b = books.invoice(&*db, "H-2", "2030-03-01", 1_000).await;
    db.begin_payment(&scope, &intent("key-00001", 600, &[(&b, 600)], now()))
        .await
        .unwrap();
    let over = intent("key-00002", 1_500, &[(&a, 1_000), (&b, 500)], now());
    match db.begin_payment(&scope, &over).await {
        Err(StoreError::Conflict(Conflict::Billing(BillingConflict::InvoiceShort {
            number,
            ..
        }))) => {
            assert_eq!(number, "H-2")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // The amounts must fit in the payment.
    let beyond = intent("key-00003", 500, &[(&a, 600)], now());
    assert!(matches!(
        db.begin_payment(&scope, &beyond).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 1);
    assert_eq!(reread(&*db, &scope, &a).await.amount_pending, usd(0));
    assert_eq!(reread(&*db, &scope, &b).await.amount_pending, usd(600));
    // A void invoice takes nothing.
    db.void_invoice(books.tenant.id, a.id, now()).await.unwrap();
    let void = intent("key-00004", 100, &[(&a, 100)], now());
    assert!(matches!(
        db.begin_payment(&scope, &void).await,
        Err(StoreError::Conflict(_))
    ));
}

async fn a_reused_key_replays_reports_in_progress_or_is_refused(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 1_000).await;
    let first = intent("key-00001", 400, &[(&a, 400)], now());
    assert_eq!(
        db.begin_payment(&scope, &first).await.unwrap(),
        PaymentStart::Started
    );

    // The same request again while it is pending.
    let mut retry = intent("key-00001", 400, &[(&a, 400)], now());
    retry.fingerprint = first.fingerprint.clone();
    match db.begin_payment(&scope, &retry).await.unwrap() {
        PaymentStart::InProgress(detail) => assert_eq!(detail.payment.id, first.id),
        other => panic!("expected in progress, got {other:?}"),
    }
    // The same key for something else.
    let other = intent("key-00001", 500, &[(&a, 500)], now());
    assert_eq!(
        db.begin_payment(&scope, &other).await.unwrap(),
        PaymentStart::KeyReused
    );
    // The same key on another account is another key.
    let b = invoice(
        &*db,
        &books.second,
        "H-2",
        "2030-02-01",
        "2030-03-01",
        1_000,
    )
    .await;
    let theirs = intent("key-00001", 400, &[(&b, 400)], now());
    assert_eq!(
        db.begin_payment(&books.second_scope(), &theirs)
            .await
            .unwrap(),
        PaymentStart::Started
    );

    let success = Settlement::Succeeded {
        reference: "ch_1".into(),
    };
    let settled = db
        .settle_payment(books.tenant.id, first.id, &success, now(), &[])
        .await
        .unwrap();
    match db.begin_payment(&scope, &retry).await.unwrap() {
        PaymentStart::Replay(detail) => assert_eq!(detail, settled),
        other => panic!("expected a replay, got {other:?}"),
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 2);
    assert_eq!(reread(&*db, &scope, &a).await.amount_paid, usd(400));
    assert_eq!(reread(&*db, &scope, &a).await.amount_pending, usd(0));
}

async fn credit_is_applied_from_the_oldest_payment_and_never_beyond_what_there_is(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = books.invoice(&*db, "H-1", "2030-03-01", 1_000).await;
    let b = books.invoice(&*db, "H-2", "2030-03-01", 3_000).await;
    let older = external(
        "C-1",
        &books.account,
        PaymentKind::Credit,
        500,
        now() - Duration::days(2),
        &[],
    );
    let older = db
        .record_external_payment(books.tenant.id, PaymentId::new(), &older, &[])
        .await
        .unwrap();
    let newer = record(
        &*db,
        &books.account,
        "P-1",
        PaymentKind::Payment,
        2_000,
        &[],
    )
    .await
    .unwrap();

    // More than the credit (2500), more than payable, another account's.
    let refused = db
        .apply_credit(&scope, &[share(&a, 1_000), share(&b, 1_501)], now(), &[])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let refused = db
        .apply_credit(&scope, &[share(&a, 1_001)], now(), &[])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let theirs = invoice(&*db, &books.second, "H-9", "2030-02-01", "2030-03-01", 100).await;
    let refused = db
        .apply_credit(&scope, &[share(&theirs, 100)], now(), &[])
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM allocations").await, 0);
    assert_eq!(reread(&*db, &scope, &a).await.amount_paid, usd(0));

    db.apply_credit(
        &scope,
        &[share(&a, 800), share(&b, 1_000)],
        now(),
        &[mail("a@b.test")],
    )
    .await
    .unwrap();
    let payments = all_payments(&*db, &scope).await;
    let applied = |id: PaymentId| {
        let detail = payments.iter().find(|d| d.payment.id == id).unwrap();
        (detail.payment.applied, detail.allocations.len())
    };
    // The oldest (the credit) is used up first.
    assert_eq!(applied(older.payment.id), (usd(500), 1));
    assert_eq!(applied(newer.payment.id), (usd(1_300), 2));
    assert_eq!(reread(&*db, &scope, &a).await.amount_paid, usd(800));
    assert_eq!(reread(&*db, &scope, &b).await.amount_paid, usd(1_000));
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(summary.credit, usd(700));
    let refused = db.apply_credit(&scope, &[share(&b, 701)], now(), &[]).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    check_books(&*db, &scope).await;
}

async fn the_payments_page_is_newest_first_with_allocations_and_the_summary_adds_up(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let a = invoice(
        &*db,
        &books.account,
        "H-1",
        "2030-01-01",
        "2030-02-01",
        10_000,
    )
    .await;
    let b = books.invoice(&*db, "H-2", "2030-04-01", 5_000).await;
    let mut ids = Vec::new();
    for (n, days_ago) in [(1, 3), (2, 1), (3, 2)] {
        let payment = external(
            &format!("P-{n}"),
            &books.account,
            PaymentKind::Payment,
            1_000,
            now() - Duration::days(days_ago),
            &[(&a, 600), (&b, 100)],
        );
        let recorded = db
            .record_external_payment(books.tenant.id, PaymentId::new(), &payment, &[])
            .await
            .unwrap();
        ids.push(recorded.payment.id);
    }
    record(&*db, &books.account, "C-1", PaymentKind::Credit, 50, &[])
        .await
        .unwrap();
    let page = db.payments(&scope, PageRequest::new(1, 2)).await.unwrap();
    assert_eq!(page.total, 4);
    let shown: Vec<_> = page
        .items
        .iter()
        .map(|d| d.payment.external_id.clone().unwrap().to_string())
        .collect();
    assert_eq!(shown, ["C-1", "P-2"]);
    let p2 = &page.items[1];
    let shares: Vec<_> = p2
        .allocations
        .iter()
        .map(|a| (a.invoice_number.as_str(), a.amount))
        .collect();
    assert_eq!(shares, [("H-1", usd(600)), ("H-2", usd(100))]);
    let rest = db.payments(&scope, PageRequest::new(2, 2)).await.unwrap();
    let rest_ids: Vec<_> = rest.items.iter().map(|d| d.payment.id).collect();
    assert_eq!(rest_ids, [ids[2], ids[0]]);
    assert!(rest.items.iter().all(|d| d.allocations.len() == 2));
    let past_end = db.payments(&scope, PageRequest::new(3, 2)).await.unwrap();
    assert_eq!((past_end.items.len(), past_end.total), (0, 4));
    let one = db.payment(&scope, ids[0]).await.unwrap().unwrap();
    assert_eq!(one.allocations.len(), 2);

    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    // Owed: 10000 - 1800 + 5000 - 300; credit: 3 x 300 + 50.
    assert_eq!(summary.current_balance, usd(12_900 - 950));
    assert_eq!(summary.past_due, usd(8_200));
    assert_eq!(summary.credit, usd(950));
    assert_eq!(summary.unpaid_invoices, 2);
    assert_eq!(
        summary.last_payment,
        Some((usd(1_000), now() - Duration::days(1)))
    );
    check_books(&*db, &scope).await;

    let empty = db
        .account_summary(&books.second_scope(), Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(
        (
            empty.current_balance,
            empty.unpaid_invoices,
            empty.last_payment
        ),
        (usd(0), 0, None)
    );
}

/// Holds, allocation rows and outbox rows are written a few to a
/// statement: a payment over six invoices (two chunks) and five messages
/// must behave as one over one, and a refusal in the second chunk must
/// name its invoice and write nothing.
async fn a_payment_over_more_invoices_than_one_statement_takes_holds_and_settles_them_all(
    db: TestDb,
) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let mut invoices = Vec::new();
    for n in 1..=6 {
        let number = format!("M-{n}");
        let due = format!("2030-03-0{n}");
        invoices.push(invoice(&*db, &books.account, &number, "2030-02-01", &due, 1_000).await);
    }
    // Too much on the invoice with the highest id: refused, nothing held.
    let mut by_id: Vec<&_> = invoices.iter().collect();
    by_id.sort_by_key(|invoice| invoice.id);
    let last = by_id[5];
    let shares: Vec<_> = by_id
        .iter()
        .map(|&invoice| (invoice, if invoice.id == last.id { 1_001 } else { 500 }))
        .collect();
    let over = intent("key-00001", 3_501, &shares, now());
    match db.begin_payment(&scope, &over).await {
        Err(StoreError::Conflict(Conflict::Billing(BillingConflict::InvoiceShort {
            invoice,
            number,
        }))) => {
            assert_eq!((invoice, number), (last.id, last.number.clone()))
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 0);
    assert_eq!(db.count("SELECT COUNT(*) FROM allocations").await, 0);
    for invoice in &invoices {
        assert_eq!(reread(&*db, &scope, invoice).await.amount_pending, usd(0));
    }

    // 1,000 on the first three, 250 on the last three.
    let shares: Vec<_> = invoices
        .iter()
        .enumerate()
        .map(|(n, invoice)| (invoice, if n < 3 { 1_000 } else { 250 }))
        .collect();
    let pay = intent("key-00002", 3_750, &shares, now());
    assert_eq!(
        db.begin_payment(&scope, &pay).await.unwrap(),
        PaymentStart::Started
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM allocations").await, 6);
    for (invoice, cents) in &shares {
        assert_eq!(
            reread(&*db, &scope, invoice).await.amount_pending,
            usd(*cents)
        );
    }
    let success = Settlement::Succeeded {
        reference: "ch_many".into(),
    };
    let messages: Vec<_> = (1..=5).map(|n| mail(&format!("m{n}@b.test"))).collect();
    let settled = db
        .settle_payment(books.tenant.id, pay.id, &success, now(), &messages)
        .await
        .unwrap();
    assert_eq!(settled.payment.status, PaymentStatus::Succeeded);
    assert_eq!(settled.payment.applied, usd(3_750));
    let numbers: Vec<_> = settled
        .allocations
        .iter()
        .map(|allocation| allocation.invoice_number.as_str())
        .collect();
    assert_eq!(numbers, ["M-1", "M-2", "M-3", "M-4", "M-5", "M-6"]);
    for (n, (invoice, cents)) in shares.iter().enumerate() {
        let now_ = reread(&*db, &scope, invoice).await;
        assert_eq!(
            (now_.amount_pending, now_.amount_paid),
            (usd(0), usd(*cents))
        );
        let status = if n < 3 {
            InvoiceStatus::Paid
        } else {
            InvoiceStatus::PartiallyPaid
        };
        assert_eq!(now_.status, status);
    }
    let written = db
        .claim_outbox(now(), now() + Duration::minutes(5), 100)
        .await
        .unwrap();
    assert_eq!(written.len(), 5, "every message, once");
    check_books(&*db, &scope).await;
}
