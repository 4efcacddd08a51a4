//! The requests port's contracts: declared kinds (idempotent by key,
//! per tenant), requests written with their event, listed newest first
//! with the open and closed filters, isolation, and the host's status.

use portal_core::access::AccountScope;
use portal_core::outbox::{DomainEvent, OutboxMessage};
use std::sync::Arc;

use portal_core::ports::{Store, StoreError};
use portal_core::requests::{
    FieldInput, FieldSpec, KindKey, RequestDetails, RequestFilter, RequestKind, RequestQuery,
    RequestStatus, RequestsConflict, ServiceRequest,
};
use portal_core::shared::Conflict;
use portal_core::shared::{PageRequest, ServiceRequestId};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, now};

conformance!(
    declaring_a_kind_twice_keeps_one_and_retired_kinds_are_kept_apart,
    a_request_is_written_with_its_event_and_listed_newest_first,
    the_open_and_closed_filters_split_by_status,
    another_accounts_or_tenants_request_is_not_found,
    the_host_sets_a_status_and_note_and_the_same_again_changes_nothing,
    a_pending_request_is_canceled_with_its_event_in_one_transaction,
    only_a_pending_request_of_the_account_is_canceled_and_a_refusal_writes_nothing,
    concurrent_cancels_and_host_answers_give_exactly_one_winner,
    a_requests_files_are_kept_in_order_and_come_back_with_every_read,
);

fn kind(key: &str, name: &str, active: bool) -> RequestKind {
    RequestKind {
        key: KindKey::parse(key).unwrap(),
        name: name.into(),
        description: String::new(),
        fields: vec![FieldSpec {
            name: KindKey::parse("when").unwrap(),
            label: "When".into(),
            help: String::new(),
            required: true,
            input: FieldInput::Date { from_today: true },
        }],
        active,
        attachments: key == "photo",
    }
}

fn service(books: &Books, description: &str, minutes_ago: i64) -> ServiceRequest {
    let at = now() - chrono::Duration::minutes(minutes_ago);
    ServiceRequest {
        id: ServiceRequestId::new(),
        account: books.account.id,
        details: RequestDetails::Service {
            description: description.into(),
            property: None,
        },
        status: RequestStatus::Pending,
        host_note: String::new(),
        requested_by: books.contact.id,
        requested_at: at,
        updated_at: at,
        attachments: Vec::new(),
    }
}

fn event(request: &ServiceRequest) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::ServiceRequested {
        account: request.account,
        request: request.id,
        contact: request.requested_by,
        details: request.details.clone(),
        attachments: request.attachments.len() as u32,
    })
}

async fn submit(db: &TestDb, books: &Books, request: &ServiceRequest) -> ServiceRequest {
    db.submit_request(&books.scope(), request, &[event(request)])
        .await
        .unwrap()
}

fn query(filter: RequestFilter) -> RequestQuery {
    RequestQuery {
        filter,
        page: PageRequest::default(),
    }
}

async fn declaring_a_kind_twice_keeps_one_and_retired_kinds_are_kept_apart(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    db.declare_request_kind(tenant, &kind("skip", "Skip a visit", true), now())
        .await
        .unwrap();
    db.declare_request_kind(tenant, &kind("skip", "Skip a visit", true), now())
        .await
        .unwrap();
    db.declare_request_kind(tenant, &kind("dispute", "Dispute a line", false), now())
        .await
        .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM request_kinds").await, 2);
    let active = db.request_kinds(tenant, true).await.unwrap();
    assert_eq!(active, [kind("skip", "Skip a visit", true)]);
    let all = db.request_kinds(tenant, false).await.unwrap();
    let names: Vec<_> = all.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["Dispute a line", "Skip a visit"], "by name");
    // A re-declaration replaces it.
    let renamed = kind("skip", "Skip one visit", false);
    db.declare_request_kind(tenant, &renamed, now())
        .await
        .unwrap();
    assert_eq!(
        db.request_kind(tenant, "skip").await.unwrap(),
        Some(renamed)
    );
    // Kinds are the tenant's own.
    assert_eq!(
        db.request_kind(books.foreign.tenant, "skip").await.unwrap(),
        None
    );
    assert!(
        db.request_kinds(books.foreign.tenant, false)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_request_is_written_with_its_event_and_listed_newest_first(db: TestDb) {
    let books = Books::new(&*db).await;
    let older = submit(&db, &books, &service(&books, "Mow the back", 10)).await;
    let newer = submit(&db, &books, &service(&books, "Wasps <b>now</b>", 1)).await;
    assert_eq!(
        newer.details,
        service(&books, "Wasps <b>now</b>", 1).details
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 2);
    let page = db
        .requests(&books.scope(), &query(RequestFilter::All))
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let ids: Vec<_> = page.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, [newer.id, older.id]);
    let second = db
        .requests(
            &books.scope(),
            &RequestQuery {
                filter: RequestFilter::All,
                page: PageRequest::new(2, 1),
            },
        )
        .await
        .unwrap();
    assert_eq!((second.total, second.items[0].id), (2, older.id));
}

async fn the_open_and_closed_filters_split_by_status(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let mut ids = Vec::new();
    for (i, status) in RequestStatus::ALL.into_iter().enumerate() {
        let written = submit(&db, &books, &service(&books, "x", i as i64)).await;
        db.set_request_status(tenant, written.id, status, "", now())
            .await
            .unwrap();
        ids.push((written.id, status));
    }
    for filter in RequestFilter::ALL {
        let page = db.requests(&books.scope(), &query(filter)).await.unwrap();
        let mut listed: Vec<_> = page.items.iter().map(|r| (r.id, r.status)).collect();
        let mut expected: Vec<_> = ids
            .iter()
            .copied()
            .filter(|(_, status)| match filter {
                RequestFilter::All => true,
                RequestFilter::Open => status.is_open(),
                RequestFilter::Closed => !status.is_open(),
            })
            .collect();
        listed.sort_by_key(|(id, _)| id.as_uuid());
        expected.sort_by_key(|(id, _)| id.as_uuid());
        assert_eq!(listed, expected, "{filter:?}");
        assert_eq!(page.total as usize, expected.len());
    }
}

async fn another_accounts_or_tenants_request_is_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let mine = submit(&db, &books, &service(&books, "Mine", 1)).await;
    let other = AccountScope::unchecked(books.tenant.id, books.second.id);
    assert_eq!(db.request(&other, mine.id).await.unwrap(), None);
    assert_eq!(
        db.requests(&other, &query(RequestFilter::All))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        db.request_of_tenant(books.foreign.tenant, mine.id)
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        db.set_request_status(
            books.foreign.tenant,
            mine.id,
            RequestStatus::Canceled,
            "",
            now()
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        db.request(&books.scope(), mine.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        RequestStatus::Pending
    );
}

async fn the_host_sets_a_status_and_note_and_the_same_again_changes_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let asked = submit(&db, &books, &service(&books, "Mow", 5)).await;
    let later = now() + chrono::Duration::minutes(5);
    let scheduled = db
        .set_request_status(
            tenant,
            asked.id,
            RequestStatus::Scheduled,
            "Tuesday morning",
            later,
        )
        .await
        .unwrap();
    assert_eq!(scheduled.status, RequestStatus::Scheduled);
    assert_eq!(scheduled.host_note, "Tuesday morning");
    assert_eq!(scheduled.updated_at, later);
    assert_eq!(scheduled.details, asked.details);
    let again = db
        .set_request_status(
            tenant,
            asked.id,
            RequestStatus::Scheduled,
            "Tuesday morning",
            later + chrono::Duration::minutes(5),
        )
        .await
        .unwrap();
    assert_eq!(again, scheduled, "the same answer again changes nothing");
    assert!(matches!(
        db.set_request_status(
            tenant,
            ServiceRequestId::new(),
            RequestStatus::Canceled,
            "",
            now()
        )
        .await,
        Err(StoreError::NotFound)
    ));
}

fn canceled_event(books: &Books, request: &ServiceRequest) -> OutboxMessage {
    OutboxMessage::Event(DomainEvent::ServiceRequestCanceled {
        account: books.account.id,
        request: request.id,
        contact: books.contact.id,
        kind: request.details.kind().to_owned(),
    })
}

fn not_pending(result: Result<ServiceRequest, StoreError>) -> Option<RequestStatus> {
    match result {
        Err(StoreError::Conflict(Conflict::Requests(RequestsConflict::NotPending { status }))) => {
            Some(status)
        }
        _ => None,
    }
}

async fn a_pending_request_is_canceled_with_its_event_in_one_transaction(db: TestDb) {
    let books = Books::new(&*db).await;
    let asked = submit(&db, &books, &service(&books, "Mow", 5)).await;
    let later = now() + chrono::Duration::minutes(5);
    let canceled = db
        .cancel_request(
            &books.scope(),
            asked.id,
            &[canceled_event(&books, &asked)],
            later,
        )
        .await
        .unwrap();
    assert_eq!(canceled.status, RequestStatus::Canceled);
    assert_eq!(canceled.updated_at, later);
    assert_eq!(canceled.details, asked.details);
    assert_eq!(
        db.request(&books.scope(), asked.id).await.unwrap(),
        Some(canceled)
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%service_request_canceled%'")
            .await,
        1
    );
}

async fn only_a_pending_request_of_the_account_is_canceled_and_a_refusal_writes_nothing(
    db: TestDb,
) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    for status in RequestStatus::ALL {
        if status == RequestStatus::Pending {
            continue;
        }
        let asked = submit(&db, &books, &service(&books, "x", 3)).await;
        let answered = db
            .set_request_status(tenant, asked.id, status, "noted", now())
            .await
            .unwrap();
        let refused = db
            .cancel_request(
                &books.scope(),
                asked.id,
                &[canceled_event(&books, &asked)],
                now() + chrono::Duration::minutes(1),
            )
            .await;
        assert_eq!(not_pending(refused), Some(status), "{status:?}");
        assert_eq!(
            db.request(&books.scope(), asked.id).await.unwrap(),
            Some(answered),
            "{status:?}: unchanged"
        );
    }
    let mine = submit(&db, &books, &service(&books, "Mine", 1)).await;
    let other = AccountScope::unchecked(tenant, books.second.id);
    let foreign = AccountScope::unchecked(books.foreign.tenant, books.account.id);
    for scope in [other, foreign] {
        assert!(matches!(
            db.cancel_request(&scope, mine.id, &[canceled_event(&books, &mine)], now())
                .await,
            Err(StoreError::NotFound)
        ));
    }
    assert!(matches!(
        db.cancel_request(&books.scope(), ServiceRequestId::new(), &[], now())
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        db.request(&books.scope(), mine.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        RequestStatus::Pending
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%service_request_canceled%'")
            .await,
        0
    );
}

async fn concurrent_cancels_and_host_answers_give_exactly_one_winner(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let tenant = books.tenant.id;
    let other = db.another_store().await;
    for round in 0..5 {
        // Two cancels race, then a cancel races the host scheduling it.
        let asked = submit(&db, &books, &service(&books, "x", round)).await;
        let attempts = [db.store.clone(), other.clone()].map(|store: Arc<dyn Store>| {
            let event = canceled_event(&books, &asked);
            let id = asked.id;
            tokio::spawn(async move { store.cancel_request(&scope, id, &[event], now()).await })
        });
        let mut won = 0;
        for attempt in futures::future::join_all(attempts).await {
            match attempt.unwrap() {
                Ok(_) => won += 1,
                refused => assert_eq!(not_pending(refused), Some(RequestStatus::Canceled)),
            }
        }
        assert_eq!(won, 1, "round {round}");

        let asked = submit(&db, &books, &service(&books, "y", round)).await;
        let event = canceled_event(&books, &asked);
        let id = asked.id;
        let cancel = {
            let store = db.store.clone();
            tokio::spawn(async move { store.cancel_request(&scope, id, &[event], now()).await })
        };
        let host = other.clone();
        let answer = tokio::spawn(async move {
            host.set_request_status(tenant, id, RequestStatus::Scheduled, "Tue", now())
                .await
        });
        let canceled = cancel.await.unwrap();
        let answered = answer.await.unwrap().unwrap();
        let stored = db.request(&scope, id).await.unwrap().unwrap();
        match canceled {
            // The cancel went first: the host's answer, written after,
            // is the request's state (the host owns the status).
            Ok(_) => assert_eq!(stored, answered),
            // The host went first: the cancel is refused.
            refused => {
                assert_eq!(not_pending(refused), Some(RequestStatus::Scheduled));
                assert_eq!(stored.status, RequestStatus::Scheduled);
            }
        }
    }
    // One event per successful cancel, and no more.
    let canceled_events = db
        .count("SELECT COUNT(*) FROM outbox WHERE CAST(payload AS TEXT) LIKE '%service_request_canceled%'")
        .await;
    assert!((5..=10).contains(&canceled_events), "{canceled_events}");
}

async fn a_requests_files_are_kept_in_order_and_come_back_with_every_read(db: TestDb) {
    use portal_core::blobs::{Attachment, BlobKey, FileKind, FileName};
    use portal_core::shared::AttachmentId;
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    // A kind that takes files says so, and reads back saying so.
    db.declare_request_kind(tenant, &kind("photo", "Send a photo", true), now())
        .await
        .unwrap();
    let declared = db.request_kind(tenant, "photo").await.unwrap().unwrap();
    assert!(declared.attachments);
    let file = |name: &str, kind, size| Attachment {
        id: AttachmentId::new(),
        key: BlobKey::generate(tenant),
        name: FileName::parse(name).unwrap(),
        kind,
        size,
    };
    let mut asked = service(&books, "Water under the sink", 1);
    asked.attachments = vec![
        file("sink.jpg", FileKind::Jpeg, 2_400_000),
        file("Rechnung «März».pdf", FileKind::Pdf, 81_234),
    ];
    let written = submit(&db, &books, &asked).await;
    assert_eq!(written, asked);
    let scope = books.scope();
    let read = db.request(&scope, asked.id).await.unwrap().unwrap();
    assert_eq!(read.attachments, asked.attachments);
    let of_tenant = db
        .request_of_tenant(tenant, asked.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(of_tenant.attachments, asked.attachments);
    let listed = db
        .requests(&scope, &query(RequestFilter::All))
        .await
        .unwrap();
    assert_eq!(listed.items[0].attachments, asked.attachments);
    // They stay through the host's answer and a cancel.
    let answered = db
        .set_request_status(tenant, asked.id, RequestStatus::Scheduled, "Tuesday", now())
        .await
        .unwrap();
    assert_eq!(answered.attachments, asked.attachments);
    // A request without files reads back with none.
    let plain = submit(&db, &books, &service(&books, "Mow", 2)).await;
    let plain = db.request(&scope, plain.id).await.unwrap().unwrap();
    assert!(plain.attachments.is_empty());
}
