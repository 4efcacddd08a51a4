//! The quotes port's contracts: idempotent upserts by the host's id, the
//! list and its filters, isolation, and the one decision each quote takes
//! (also under concurrency, from two stores on one database).

use std::sync::Arc;

use portal_core::access::AccountScope;
use portal_core::billing::InvoiceLine;
use portal_core::dashboard::PanelSelection;
use portal_core::outbox::{DomainEvent, OutboxMessage};
use portal_core::ports::{Store, StoreError};
use portal_core::quotes::{
    Approval, ApprovalRecord, Decline, Quote, QuoteLine, QuoteQuery, QuoteStatus,
    QuoteStatusFilter, QuoteUpsert, QuotesConflict,
};
use portal_core::shared::{Conflict, Currency, ExternalId, Money, PageRequest, QuoteId};
use rust_decimal::Decimal;

use crate::billing::{Books, today};
use crate::harness::{TestDb, conformance, date, now};

conformance!(
    upserting_the_same_quote_twice_makes_one_and_a_pending_change_updates_it,
    a_decided_quote_is_not_rewritten,
    an_upsert_for_another_account_or_tenant_is_refused,
    the_list_filters_by_status_newest_first_in_pages,
    another_accounts_quote_is_not_found_and_cannot_be_decided,
    approving_keeps_the_evidence_and_its_event_in_one_write,
    a_quote_is_decided_once_and_refusals_write_nothing,
    concurrent_approvals_give_exactly_one_success,
    the_dashboard_counts_quotes_awaiting_approval_nearest_expiry_first,
);

fn line(description: &str, cents: i64, optional: bool) -> QuoteLine {
    QuoteLine {
        line: InvoiceLine {
            description: description.into(),
            quantity: Decimal::ONE,
            unit_price: Currency::USD.from_minor(cents),
            tax_rate: Decimal::new(5, 0),
        },
        optional,
    }
}

/// A quote of `books`' first account issued on `issued`, valid until
/// `valid_until`, with a required line and an optional one.
fn upsert(books: &Books, external: &str, issued: &str, valid_until: &str) -> QuoteUpsert {
    QuoteUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        account: books.account.id,
        number: external.to_uppercase(),
        title: "Spring renovation".into(),
        scope_of_work: "Aerate and overseed.".into(),
        terms: "Half up front.".into(),
        issued_on: date(issued),
        valid_until: date(valid_until),
        currency: Currency::USD,
        lines: vec![
            line("Aeration", 40_000, false),
            line("Fertiliser", 5_000, true),
        ],
    }
}

async fn put(store: &dyn Store, books: &Books, quote: &QuoteUpsert) -> Result<Quote, StoreError> {
    let totals = quote.validate(Currency::USD).unwrap();
    store
        .upsert_quote(books.tenant.id, quote, &totals, &quote.digest(), now())
        .await
}

fn approval(books: &Books, quote: &Quote, chosen: Vec<u32>) -> ApprovalRecord {
    ApprovalRecord {
        approval: Approval {
            contact: books.contact.id,
            contact_name: "Ada".into(),
            signer_name: "Ada Lovelace".into(),
            comment: Some("Go ahead".into()),
            po_number: Some("PO-9".into()),
            chosen_lines: chosen,
            approved_at: now(),
            client_ip: "203.0.113.7".into(),
            user_agent: "Browser/1".into(),
            content_sha256: "ab".repeat(32),
        },
        approved_total: Money::from_minor(47_250, Currency::USD),
        shown_sha256: quote.content_sha256.clone(),
    }
}

fn decline(books: &Books) -> Decline {
    Decline {
        contact: books.contact.id,
        contact_name: "Ada".into(),
        reason: "Too dear".into(),
        declined_at: now(),
    }
}

fn event(quote: &Quote) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::QuoteDeclined {
        account: quote.account,
        quote: quote.id,
        external_id: quote.external_id.clone(),
        number: quote.number.clone(),
        contact: portal_core::shared::ContactId::new(),
        reason: "x".into(),
    })
}

async fn upserting_the_same_quote_twice_makes_one_and_a_pending_change_updates_it(db: TestDb) {
    let books = Books::new(&*db).await;
    let mut quote = upsert(&books, "q-1", "2030-03-01", "2030-03-31");
    // Kept as sent, so the stored content is what its digest is of.
    quote.number = " Q-1 ".into();
    let first = put(&*db, &books, &quote).await.unwrap();
    let stored = db.quote(&books.scope(), first.id).await.unwrap().unwrap();
    assert_eq!(stored.content_sha256(&[]), first.content_sha256);
    assert_eq!(first.total, Money::from_minor(42_000, Currency::USD));
    assert!(first.has_optional_lines);
    assert_eq!(first.status, QuoteStatus::Pending);
    let again = put(&*db, &books, &quote).await.unwrap();
    assert_eq!(again, first, "the same upsert changes nothing");
    assert_eq!(db.count("SELECT COUNT(*) FROM quotes").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM quote_lines").await, 2);

    let mut changed = quote.clone();
    changed.lines = vec![line("Aeration", 50_000, false)];
    let updated = put(&*db, &books, &changed).await.unwrap();
    assert_eq!(updated.id, first.id, "updated in place");
    assert_eq!(updated.total, Money::from_minor(52_500, Currency::USD));
    assert!(!updated.has_optional_lines);
    assert_ne!(updated.content_sha256, first.content_sha256);
    let detail = db.quote(&books.scope(), first.id).await.unwrap().unwrap();
    assert_eq!(detail.lines, changed.lines);
    assert_eq!(detail.content_sha256(&[]), changed.digest());
    assert_eq!(
        db.quote_by_external_id(books.tenant.id, &quote.external_id)
            .await
            .unwrap()
            .map(|quote| quote.id),
        Some(first.id)
    );
}

async fn a_decided_quote_is_not_rewritten(db: TestDb) {
    let books = Books::new(&*db).await;
    let quote = upsert(&books, "q-1", "2030-03-01", "2030-03-31");
    let stored = put(&*db, &books, &quote).await.unwrap();
    db.decline_quote(&books.scope(), stored.id, &decline(&books), today(), &[])
        .await
        .unwrap();
    let same = put(&*db, &books, &quote).await.unwrap();
    assert_eq!(
        same.status,
        QuoteStatus::Declined,
        "sent again unchanged: as it is"
    );
    let mut changed = quote.clone();
    changed.title = "Another title".into();
    let refused = put(&*db, &books, &changed).await;
    assert!(matches!(
        refused,
        Err(StoreError::Conflict(Conflict::Quotes(
            QuotesConflict::DecidedQuoteChanged { .. }
        )))
    ));
    let detail = db.quote(&books.scope(), stored.id).await.unwrap().unwrap();
    assert_eq!(detail.quote.title, "Spring renovation");
}

async fn an_upsert_for_another_account_or_tenant_is_refused(db: TestDb) {
    let books = Books::new(&*db).await;
    let quote = upsert(&books, "q-1", "2030-03-01", "2030-03-31");
    put(&*db, &books, &quote).await.unwrap();
    let mut moved = quote.clone();
    moved.account = books.second.id;
    assert!(matches!(
        put(&*db, &books, &moved).await,
        Err(StoreError::Conflict(Conflict::Quotes(
            QuotesConflict::QuoteOfAnotherAccount
        )))
    ));
    let mut foreign = upsert(&books, "q-2", "2030-03-01", "2030-03-31");
    foreign.account = books.foreign.id;
    assert!(matches!(
        put(&*db, &books, &foreign).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM quotes").await, 1);
}

async fn the_list_filters_by_status_newest_first_in_pages(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    // Today is 2030-03-04: q-1 expired yesterday, q-4 expires today.
    let expired = put(
        &*db,
        &books,
        &upsert(&books, "q-1", "2030-02-01", "2030-03-03"),
    )
    .await
    .unwrap();
    let approved = put(
        &*db,
        &books,
        &upsert(&books, "q-2", "2030-02-02", "2030-03-31"),
    )
    .await
    .unwrap();
    let declined = put(
        &*db,
        &books,
        &upsert(&books, "q-3", "2030-02-03", "2030-03-31"),
    )
    .await
    .unwrap();
    let pending = put(
        &*db,
        &books,
        &upsert(&books, "q-4", "2030-02-04", "2030-03-04"),
    )
    .await
    .unwrap();
    db.approve_quote(
        &scope,
        approved.id,
        &approval(&books, &approved, vec![]),
        today(),
        &[],
    )
    .await
    .unwrap();
    db.decline_quote(&scope, declined.id, &decline(&books), today(), &[])
        .await
        .unwrap();
    let list = |status, page| {
        let db = &db;
        async move {
            let query = QuoteQuery {
                status,
                page: PageRequest::new(page, 2),
            };
            db.quotes(&scope, &query, today()).await.unwrap()
        }
    };
    let ids = |page: &portal_core::shared::Page<Quote>| {
        page.items
            .iter()
            .map(|quote| quote.id)
            .collect::<Vec<QuoteId>>()
    };
    let first = list(None, 1).await;
    assert_eq!(
        (first.total, ids(&first)),
        (4, vec![pending.id, declined.id])
    );
    let second = list(None, 2).await;
    assert_eq!(ids(&second), vec![approved.id, expired.id]);
    assert_eq!(list(None, 3).await.total, 4, "past the end still counts");
    for (filter, quote) in [
        (QuoteStatusFilter::Pending, &pending),
        (QuoteStatusFilter::Approved, &approved),
        (QuoteStatusFilter::Declined, &declined),
        (QuoteStatusFilter::Expired, &expired),
    ] {
        let page = list(Some(filter), 1).await;
        assert_eq!((page.total, ids(&page)), (1, vec![quote.id]), "{filter:?}");
    }
    // Another account sees none of them.
    let other = AccountScope::unchecked(books.tenant.id, books.second.id);
    let none = db
        .quotes(&other, &QuoteQuery::default(), today())
        .await
        .unwrap();
    assert_eq!(none.total, 0);
}

async fn another_accounts_quote_is_not_found_and_cannot_be_decided(db: TestDb) {
    let books = Books::new(&*db).await;
    let quote = put(
        &*db,
        &books,
        &upsert(&books, "q-1", "2030-03-01", "2030-03-31"),
    )
    .await
    .unwrap();
    let other = books.second_scope();
    assert_eq!(db.quote(&other, quote.id).await.unwrap(), None);
    let approved = db
        .approve_quote(
            &other,
            quote.id,
            &approval(&books, &quote, vec![]),
            today(),
            &[event(&quote)],
        )
        .await;
    assert!(matches!(approved, Err(StoreError::NotFound)));
    let declined = db
        .decline_quote(
            &other,
            quote.id,
            &decline(&books),
            today(),
            &[event(&quote)],
        )
        .await;
    assert!(matches!(declined, Err(StoreError::NotFound)));
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
    let detail = db.quote(&books.scope(), quote.id).await.unwrap().unwrap();
    assert_eq!(detail.quote.status, QuoteStatus::Pending);
}

async fn approving_keeps_the_evidence_and_its_event_in_one_write(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let quote = put(
        &*db,
        &books,
        &upsert(&books, "q-1", "2030-03-01", "2030-03-31"),
    )
    .await
    .unwrap();
    let record = approval(&books, &quote, vec![1]);
    let approved = db
        .approve_quote(&scope, quote.id, &record, today(), &[event(&quote)])
        .await
        .unwrap();
    assert_eq!(approved.status, QuoteStatus::Approved);
    assert_eq!(approved.decided_at, Some(now()));
    assert_eq!(approved.approved_total, Some(record.approved_total));
    let detail = db.quote(&scope, quote.id).await.unwrap().unwrap();
    assert_eq!(detail.approval, Some(record.approval));
    assert_eq!(detail.decline, None);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn a_quote_is_decided_once_and_refusals_write_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let quote = put(
        &*db,
        &books,
        &upsert(&books, "q-1", "2030-03-01", "2030-03-31"),
    )
    .await
    .unwrap();
    // A page that showed other content.
    let mut stale = approval(&books, &quote, vec![]);
    stale.shown_sha256 = "0".repeat(64);
    let changed = db
        .approve_quote(&scope, quote.id, &stale, today(), &[event(&quote)])
        .await;
    assert!(matches!(
        changed,
        Err(StoreError::Conflict(Conflict::Quotes(
            QuotesConflict::Changed { .. }
        )))
    ));
    // Past its valid-until day.
    let late = date("2030-04-01");
    let expired = db
        .approve_quote(
            &scope,
            quote.id,
            &approval(&books, &quote, vec![]),
            late,
            &[event(&quote)],
        )
        .await;
    assert!(matches!(
        expired,
        Err(StoreError::Conflict(Conflict::Quotes(
            QuotesConflict::Expired { .. }
        )))
    ));
    let expired = db
        .decline_quote(&scope, quote.id, &decline(&books), late, &[])
        .await;
    assert!(matches!(
        expired,
        Err(StoreError::Conflict(Conflict::Quotes(
            QuotesConflict::Expired { .. }
        )))
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 0);
    db.decline_quote(
        &scope,
        quote.id,
        &decline(&books),
        today(),
        &[event(&quote)],
    )
    .await
    .unwrap();
    for again in [
        db.approve_quote(
            &scope,
            quote.id,
            &approval(&books, &quote, vec![]),
            today(),
            &[event(&quote)],
        )
        .await,
        db.decline_quote(
            &scope,
            quote.id,
            &decline(&books),
            today(),
            &[event(&quote)],
        )
        .await,
    ] {
        assert!(matches!(
            again,
            Err(StoreError::Conflict(Conflict::Quotes(
                QuotesConflict::AlreadyDecided {
                    approved: false,
                    ..
                }
            )))
        ));
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    let detail = db.quote(&scope, quote.id).await.unwrap().unwrap();
    assert_eq!(
        detail.decline.map(|d| d.reason).as_deref(),
        Some("Too dear")
    );
    assert_eq!(detail.approval, None);
}

async fn concurrent_approvals_give_exactly_one_success(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let other = db.another_store().await;
    for round in 0..5 {
        let quote = put(
            &*db,
            &books,
            &upsert(&books, &format!("q-{round}"), "2030-03-01", "2030-03-31"),
        )
        .await
        .unwrap();
        let attempts = [db.store.clone(), other.clone()].map(|store: Arc<dyn Store>| {
            let record = approval(&books, &quote, vec![]);
            let message = event(&quote);
            tokio::spawn(async move {
                store
                    .approve_quote(&scope, quote.id, &record, today(), &[message])
                    .await
            })
        });
        let mut won = 0;
        for attempt in futures::future::join_all(attempts).await {
            match attempt.unwrap() {
                Ok(quote) => {
                    assert_eq!(quote.status, QuoteStatus::Approved);
                    won += 1;
                }
                Err(StoreError::Conflict(Conflict::Quotes(QuotesConflict::AlreadyDecided {
                    approved: true,
                    ..
                }))) => {}
                Err(other) => panic!("unexpected refusal {other:?}"),
            }
        }
        assert_eq!(won, 1, "round {round}");
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 5);
}

async fn the_dashboard_counts_quotes_awaiting_approval_nearest_expiry_first(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let mut valid = Vec::new();
    for (n, until) in [
        "2030-03-20",
        "2030-03-03",
        "2030-03-04",
        "2030-03-10",
        "2030-04-01",
        "2030-03-30",
        "2030-03-25",
    ]
    .into_iter()
    .enumerate()
    {
        let quote = put(
            &*db,
            &books,
            &upsert(&books, &format!("q-{n}"), "2030-02-01", until),
        )
        .await
        .unwrap();
        valid.push(quote);
    }
    // One decided, one expired (2030-03-03): five of seven are awaiting.
    db.approve_quote(
        &scope,
        valid[4].id,
        &approval(&books, &valid[4], vec![]),
        today(),
        &[],
    )
    .await
    .unwrap();
    let panels = PanelSelection {
        quotes: true,
        ..PanelSelection::default()
    };
    let dashboard = db
        .dashboard(&scope, panels, today(), Currency::USD)
        .await
        .unwrap();
    let panel = dashboard.pending_quotes.unwrap();
    assert_eq!(panel.total, 5);
    let order: Vec<_> = panel.rows.iter().map(|row| row.valid_until).collect();
    assert_eq!(
        order,
        [
            "2030-03-04",
            "2030-03-10",
            "2030-03-20",
            "2030-03-25",
            "2030-03-30"
        ]
        .map(date)
    );
    assert_eq!(panel.rows[0].id, valid[2].id);
    assert_eq!(
        panel.rows[0].total,
        Money::from_minor(42_000, Currency::USD)
    );
    let without = db
        .dashboard(&scope, PanelSelection::default(), today(), Currency::USD)
        .await
        .unwrap();
    assert_eq!(without.pending_quotes, None);
}
