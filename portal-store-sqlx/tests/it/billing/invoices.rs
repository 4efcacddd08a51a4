//! Invoices: idempotent upserts and what they refuse, voiding (which gives
//! payments back as credit), the list's filters, sorts and pages, one
//! invoice with its lines, payments and PDF, and isolation between
//! accounts and tenants.

use chrono::Duration;
use portal_core::billing::{
    InvoiceLine, InvoiceQuery, InvoiceSort, InvoiceStatus, InvoiceStatusFilter, PaymentKind,
};
use portal_core::ports::StoreError;
use portal_core::shared::{Currency, ExternalId, InvoiceId, PageRequest};
use rust_decimal::Decimal;

use super::{
    Books, all_payments, check_books, intent, invoice, record, reread, store_upsert, today, upsert,
    usd,
};
use crate::harness::{TestDb, conformance, date, now};

conformance!(
    upserting_an_invoice_twice_keeps_one_row_its_id_and_its_pdf,
    an_upsert_is_refused_for_another_tenant_another_account_a_void_invoice_or_a_total_below_paid,
    voiding_gives_what_was_applied_back_as_credit_and_is_refused_while_a_payment_holds,
    the_invoice_list_filters_sorts_and_pages,
    an_invoice_shows_its_lines_its_applied_payments_and_its_pdf,
    another_accounts_and_another_tenants_billing_is_not_found,
);

async fn upserting_an_invoice_twice_keeps_one_row_its_id_and_its_pdf(db: TestDb) {
    let books = Books::new(&*db).await;
    let mut first = upsert(
        "H-1",
        &books.account,
        "INV-1",
        "2030-02-01",
        "2030-03-01",
        0,
    );
    first.lines = vec![
        InvoiceLine {
            description: "Labour".into(),
            quantity: Decimal::new(15, 1),
            unit_price: Decimal::new(3333, 2),
            tax_rate: Decimal::new(825, 2),
        },
        InvoiceLine {
            description: "Discount".into(),
            quantity: Decimal::NEGATIVE_ONE,
            unit_price: Decimal::new(500, 2),
            tax_rate: Decimal::ZERO,
        },
    ];
    first.pdf = Some(b"%PDF-1.7 first".to_vec());
    first.memo = Some("Thank you".into());
    let created = store_upsert(&*db, &books.account, &first).await;
    // 49.995 -> 50.00 + 4.13 tax - 5.00
    assert_eq!(created.subtotal, usd(4500));
    assert_eq!(created.tax, usd(413));
    assert_eq!(created.total, usd(4913));
    assert_eq!(created.status, InvoiceStatus::Open);
    assert!(created.has_host_pdf);

    let mut second = first.clone();
    second.number = "INV-1b".into();
    second.lines.truncate(1);
    second.pdf = None;
    let again = store_upsert(&*db, &books.account, &second).await;
    assert_eq!(again.id, created.id);
    assert_eq!(again.number, "INV-1b");
    assert_eq!(again.total, usd(5413));
    assert!(
        again.has_host_pdf,
        "an upsert without a PDF keeps the stored one"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM invoices").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM invoice_lines").await, 1);

    let detail = db
        .invoice(&books.scope(), created.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.lines, second.lines);
    assert_eq!(detail.invoice, again);
    let pdf = db.invoice_pdf(&books.scope(), created.id).await.unwrap();
    assert_eq!(pdf.as_deref(), Some(&b"%PDF-1.7 first"[..]));
    let found = db
        .invoice_by_external_id(books.tenant.id, &second.external_id)
        .await
        .unwrap();
    assert_eq!(found, Some(again));

    // A zero invoice owes nothing: it is paid.
    let free = books.invoice(&*db, "H-0", "2030-03-01", 0).await;
    assert_eq!(free.status, InvoiceStatus::Paid);
}

async fn an_upsert_is_refused_for_another_tenant_another_account_a_void_invoice_or_a_total_below_paid(
    db: TestDb,
) {
    let books = Books::new(&*db).await;
    let totals = |u: &portal_core::billing::InvoiceUpsert| u.validate(Currency::USD).unwrap();

    // The account is another tenant's.
    let foreign = upsert(
        "H-1",
        &books.foreign,
        "INV-1",
        "2030-02-01",
        "2030-03-01",
        100,
    );
    let refused = db
        .upsert_invoice(books.tenant.id, &foreign, &totals(&foreign), now())
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");

    let inv = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    // The same external id for the other account.
    let moved = upsert(
        "H-1",
        &books.second,
        "INV-1",
        "2030-02-01",
        "2030-03-01",
        100,
    );
    let refused = db
        .upsert_invoice(books.tenant.id, &moved, &totals(&moved), now())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );

    // A total below what is paid (60) and held (30).
    record(
        &*db,
        &books.account,
        "P-1",
        PaymentKind::Payment,
        6_000,
        &[(&inv, 6_000)],
    )
    .await
    .unwrap();
    let started = db
        .begin_payment(
            &books.scope(),
            &intent("key-00001", 3_000, &[(&inv, 3_000)], now()),
        )
        .await
        .unwrap();
    assert_eq!(started, portal_core::billing::PaymentStart::Started);
    let shrunk = upsert(
        "H-1",
        &books.account,
        "INV-1",
        "2030-02-01",
        "2030-03-01",
        8_999,
    );
    let refused = db
        .upsert_invoice(books.tenant.id, &shrunk, &totals(&shrunk), now())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    // Exactly paid plus held is fine, and the status follows the new total.
    let fits = upsert(
        "H-1",
        &books.account,
        "INV-1",
        "2030-02-01",
        "2030-03-01",
        9_000,
    );
    let kept = store_upsert(&*db, &books.account, &fits).await;
    assert_eq!(kept.total, usd(9_000));
    assert_eq!(kept.status, InvoiceStatus::PartiallyPaid);

    // Nothing of the refused upserts was written.
    let stored = reread(&*db, &books.scope(), &inv).await;
    assert_eq!(
        (stored.account, stored.total),
        (books.account.id, usd(9_000))
    );

    // A void invoice stays as it is.
    let other = books.invoice(&*db, "H-2", "2030-03-01", 500).await;
    db.void_invoice(books.tenant.id, other.id, now())
        .await
        .unwrap();
    let revived = upsert(
        "H-2",
        &books.account,
        "INV-2",
        "2030-02-01",
        "2030-03-01",
        700,
    );
    let refused = db
        .upsert_invoice(books.tenant.id, &revived, &totals(&revived), now())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let stored = reread(&*db, &books.scope(), &other).await;
    assert_eq!(
        (stored.status, stored.total),
        (InvoiceStatus::Void, usd(500))
    );
}

async fn voiding_gives_what_was_applied_back_as_credit_and_is_refused_while_a_payment_holds(
    db: TestDb,
) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let inv = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    let kept = books.invoice(&*db, "H-2", "2030-03-01", 5_000).await;
    record(
        &*db,
        &books.account,
        "P-1",
        PaymentKind::Payment,
        7_000,
        &[(&inv, 4_000), (&kept, 1_000)],
    )
    .await
    .unwrap();

    // Another tenant cannot void it.
    let refused = db.void_invoice(books.foreign.tenant, inv.id, now()).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");

    let voided = db
        .void_invoice(books.tenant.id, inv.id, now())
        .await
        .unwrap();
    assert_eq!(voided.status, InvoiceStatus::Void);
    assert_eq!(voided.voided_at, Some(now()));
    assert_eq!((voided.amount_paid, voided.balance()), (usd(0), usd(0)));
    let payment = &all_payments(&*db, &scope).await[0];
    assert_eq!(payment.payment.applied, usd(1_000));
    assert_eq!(
        payment.allocations.len(),
        1,
        "the void invoice's share is released"
    );
    let summary = db
        .account_summary(&scope, Currency::USD, today())
        .await
        .unwrap();
    assert_eq!(summary.credit, usd(6_000));
    assert_eq!(summary.current_balance, usd(4_000 - 6_000));
    let detail = db.invoice(&scope, inv.id).await.unwrap().unwrap();
    assert!(detail.applied.is_empty());

    // Voiding again returns it unchanged.
    let later = now() + Duration::days(1);
    assert_eq!(
        db.void_invoice(books.tenant.id, inv.id, later)
            .await
            .unwrap(),
        voided
    );

    // A payment in progress holds part of the other: refused, unchanged.
    db.begin_payment(
        &scope,
        &intent("key-00001", 1_000, &[(&kept, 1_000)], now()),
    )
    .await
    .unwrap();
    let refused = db.void_invoice(books.tenant.id, kept.id, now()).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(
        reread(&*db, &scope, &kept).await.status,
        InvoiceStatus::PartiallyPaid
    );
    check_books(&*db, &scope).await;
}

async fn the_invoice_list_filters_sorts_and_pages(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    // (external id / number, issued, due, cents)
    let rows = [
        ("INV-001", "2030-01-05", "2030-02-04", 5_000),
        ("INV-002", "2030-01-20", "2030-02-19", 12_000),
        ("inv-003", "2030-02-10", "2030-03-12", 800),
        ("CR-004", "2030-02-15", "2030-03-03", 30_000),
        ("INV-005", "2030-03-01", "2030-03-31", 7_500),
    ];
    let mut stored = Vec::new();
    for (number, issued, due, cents) in rows {
        stored.push(invoice(&*db, &books.account, number, issued, due, cents).await);
    }
    // INV-001 paid, INV-002 partly paid, CR-004 void; others open.
    record(
        &*db,
        &books.account,
        "P-1",
        PaymentKind::Payment,
        6_000,
        &[(&stored[0], 5_000), (&stored[1], 1_000)],
    )
    .await
    .unwrap();
    db.void_invoice(books.tenant.id, stored[3].id, now())
        .await
        .unwrap();
    // Someone else's invoices never show.
    invoice(
        &*db,
        &books.second,
        "INV-900",
        "2030-02-01",
        "2030-02-02",
        100,
    )
    .await;

    let list = |query: InvoiceQuery| {
        let db = &db;
        async move {
            let page = db.invoices(&scope, &query, today()).await.unwrap();
            (
                page.items
                    .iter()
                    .map(|i| i.number.clone())
                    .collect::<Vec<_>>(),
                page.total,
            )
        }
    };
    let query = |status| InvoiceQuery {
        status,
        ..InvoiceQuery::default()
    };
    assert_eq!(
        list(query(None)).await,
        (
            vec![
                "INV-005".into(),
                "CR-004".into(),
                "inv-003".into(),
                "INV-002".into(),
                "INV-001".into()
            ],
            5
        )
    );
    assert_eq!(
        list(query(Some(InvoiceStatusFilter::Unpaid))).await.0,
        ["INV-005", "inv-003", "INV-002"]
    );
    // Today is 2030-03-04: due before it and unpaid.
    assert_eq!(
        list(query(Some(InvoiceStatusFilter::Overdue))).await.0,
        ["INV-002"]
    );
    assert_eq!(
        list(query(Some(InvoiceStatusFilter::Paid))).await.0,
        ["INV-001"]
    );
    assert_eq!(
        list(query(Some(InvoiceStatusFilter::Void))).await.0,
        ["CR-004"]
    );

    let prefix = InvoiceQuery {
        number: Some("Inv-00".into()),
        sort: InvoiceSort::NumberAsc,
        ..InvoiceQuery::default()
    };
    assert_eq!(
        list(prefix).await.0,
        ["INV-001", "INV-002", "inv-003", "INV-005"]
    );
    // Anywhere in the number, and `%` or `_` only match themselves.
    let inside = InvoiceQuery {
        number: Some("v-003".into()),
        ..InvoiceQuery::default()
    };
    assert_eq!(list(inside).await.0, ["inv-003"]);
    for wildcard in ["%", "_", "INV_00"] {
        let literal = InvoiceQuery {
            number: Some(wildcard.into()),
            ..InvoiceQuery::default()
        };
        assert!(list(literal).await.0.is_empty(), "{wildcard}");
    }
    let issued = InvoiceQuery {
        issued_from: Some(date("2030-01-20")),
        issued_to: Some(date("2030-02-15")),
        sort: InvoiceSort::IssuedAsc,
        ..InvoiceQuery::default()
    };
    assert_eq!(list(issued).await.0, ["INV-002", "inv-003", "CR-004"]);
    let amounts = InvoiceQuery {
        min_total: Some(usd(800).amount()),
        max_total: Some(usd(7_500).amount()),
        sort: InvoiceSort::TotalDesc,
        ..InvoiceQuery::default()
    };
    assert_eq!(list(amounts).await.0, ["INV-005", "INV-001", "inv-003"]);

    let sorted = |sort| InvoiceQuery {
        sort,
        ..InvoiceQuery::default()
    };
    assert_eq!(
        list(sorted(InvoiceSort::DueAsc)).await.0,
        ["INV-001", "INV-002", "CR-004", "inv-003", "INV-005"]
    );
    assert_eq!(
        list(sorted(InvoiceSort::DueDesc)).await.0,
        ["INV-005", "inv-003", "CR-004", "INV-002", "INV-001"]
    );
    assert_eq!(
        list(sorted(InvoiceSort::TotalAsc)).await.0,
        ["inv-003", "INV-001", "INV-005", "INV-002", "CR-004"]
    );
    assert_eq!(
        list(sorted(InvoiceSort::NumberDesc)).await.0,
        ["INV-005", "inv-003", "INV-002", "INV-001", "CR-004"]
    );

    // Pages of two: the total is the whole list's; past the end, empty.
    let page = |n| InvoiceQuery {
        sort: InvoiceSort::IssuedAsc,
        page: PageRequest::new(n, 2),
        ..InvoiceQuery::default()
    };
    assert_eq!(
        list(page(1)).await,
        (vec!["INV-001".into(), "INV-002".into()], 5)
    );
    assert_eq!(list(page(3)).await, (vec!["INV-005".into()], 5));
    assert_eq!(list(page(4)).await, (vec![], 5));

    // Unpaid, due first.
    let unpaid = db.unpaid_invoices(&scope, 2).await.unwrap();
    let numbers: Vec<_> = unpaid.iter().map(|i| i.number.as_str()).collect();
    assert_eq!(numbers, ["INV-002", "inv-003"]);
    assert_eq!(unpaid[0].balance(), usd(11_000));
}

async fn an_invoice_shows_its_lines_its_applied_payments_and_its_pdf(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let inv = books.invoice(&*db, "H-1", "2030-03-01", 10_000).await;
    assert_eq!(db.invoice_pdf(&scope, inv.id).await.unwrap(), None);
    let first = record(
        &*db,
        &books.account,
        "P-1",
        PaymentKind::Payment,
        2_500,
        &[(&inv, 2_500)],
    )
    .await
    .unwrap();
    let credit = record(
        &*db,
        &books.account,
        "C-1",
        PaymentKind::Credit,
        1_000,
        &[(&inv, 1_000)],
    )
    .await
    .unwrap();
    let detail = db.invoice(&scope, inv.id).await.unwrap().unwrap();
    assert_eq!(detail.invoice.amount_paid, usd(3_500));
    assert_eq!(detail.invoice.status, InvoiceStatus::PartiallyPaid);
    assert_eq!(detail.lines.len(), 1);
    let applied: Vec<_> = detail
        .applied
        .iter()
        .map(|a| (a.payment, a.kind, a.amount, a.method_label.as_deref()))
        .collect();
    assert_eq!(
        applied,
        [
            (
                first.payment.id,
                PaymentKind::Payment,
                usd(2_500),
                Some("Check P-1")
            ),
            (
                credit.payment.id,
                PaymentKind::Credit,
                usd(1_000),
                Some("Check C-1")
            ),
        ]
    );
    assert!(
        db.invoice(&scope, InvoiceId::new())
            .await
            .unwrap()
            .is_none()
    );
}

async fn another_accounts_and_another_tenants_billing_is_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let mut theirs = upsert(
        "H-1",
        &books.second,
        "INV-B",
        "2030-02-01",
        "2030-03-01",
        1_000,
    );
    theirs.pdf = Some(b"%PDF-1.7".to_vec());
    let inv = store_upsert(&*db, &books.second, &theirs).await;
    let paid = record(
        &*db,
        &books.second,
        "P-1",
        PaymentKind::Payment,
        1_000,
        &[(&inv, 500)],
    )
    .await
    .unwrap();
    let method = super::methods::card(&books.second, "4242");
    db.add_payment_method(&books.second_scope(), &method, &[])
        .await
        .unwrap();
    let foreign_inv = invoice(
        &*db,
        &books.foreign,
        "H-1",
        "2030-02-01",
        "2030-03-01",
        1_000,
    )
    .await;

    for scope in [books.scope(), books.foreign_scope()] {
        assert!(db.invoice(&scope, inv.id).await.unwrap().is_none());
        assert!(db.invoice_pdf(&scope, inv.id).await.unwrap().is_none());
        assert!(db.payment(&scope, paid.payment.id).await.unwrap().is_none());
        let is_theirs = |result| matches!(result, Err(StoreError::NotFound));
        assert!(is_theirs(
            db.set_default_payment_method(&scope, method.id, &[]).await
        ));
        assert!(is_theirs(
            db.remove_payment_method(&scope, method.id, None, now(), &[])
                .await
        ));
    }
    let mine = books.scope();
    assert!(
        db.invoices(&mine, &InvoiceQuery::default(), today())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        db.payments(&mine, PageRequest::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(db.payment_methods(&mine).await.unwrap().is_empty());
    assert!(db.unpaid_invoices(&mine, 10).await.unwrap().is_empty());
    // The tenant-level reads see only the tenant's.
    assert!(
        db.tenant_payment(books.foreign.tenant, paid.payment.id)
            .await
            .unwrap()
            .is_none()
    );
    let external = ExternalId::parse("H-1").unwrap();
    let found = db
        .invoice_by_external_id(books.foreign.tenant, &external)
        .await
        .unwrap();
    assert_eq!(found.map(|i| i.id), Some(foreign_inv.id));
    // Paying another account's invoice: not found, nothing written.
    let refused = db
        .begin_payment(&mine, &intent("key-00001", 500, &[(&inv, 500)], now()))
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let refused = record(
        &*db,
        &books.account,
        "P-2",
        PaymentKind::Payment,
        500,
        &[(&inv, 500)],
    )
    .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM payments").await, 1);
}
