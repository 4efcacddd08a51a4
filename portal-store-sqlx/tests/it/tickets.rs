//! The tickets port's contracts: numbers per tenant that never repeat,
//! a ticket written with its message, attachments and event, the list's
//! order and filters, isolation, customer replies and reopening guarded
//! by the status, and the host's idempotent replies and status.

use std::sync::Arc;

use chrono::Duration;
use portal_core::access::AccountScope;
use portal_core::blobs::{BlobKey, FileKind, FileName};
use portal_core::outbox::{DomainEvent, OutboxMessage};
use portal_core::ports::{Store, StoreError};
use portal_core::shared::{
    AttachmentId, Conflict, ExternalId, PageRequest, TicketId, TicketMessageId, Unique,
};
use portal_core::tickets::{
    Attachment, Author, CategoryRef, Ticket, TicketFilter, TicketMessage, TicketQuery,
    TicketStatus, TicketsConflict,
};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, now};

conformance!(
    numbers_count_up_per_tenant_and_never_repeat_when_asked_at_once,
    a_ticket_is_written_with_its_message_attachments_and_event,
    the_list_shows_open_tickets_first_then_closed_each_latest_first,
    another_accounts_or_tenants_ticket_and_attachments_are_not_found,
    a_customer_reply_opens_the_ticket_and_a_closed_one_refuses_it,
    only_a_closed_ticket_is_reopened,
    a_staff_reply_is_kept_once_per_host_id,
    setting_the_status_it_has_changes_nothing,
);

fn query(filter: TicketFilter) -> TicketQuery {
    TicketQuery {
        filter,
        page: PageRequest::default(),
    }
}

fn attachment(books: &Books, name: &str, kind: FileKind) -> Attachment {
    Attachment {
        id: AttachmentId::new(),
        key: BlobKey::generate(books.tenant.id),
        name: FileName::parse(name).unwrap(),
        kind,
        size: 1234,
    }
}

fn message(books: &Books, body: &str, minutes_ago: i64) -> TicketMessage {
    TicketMessage {
        id: TicketMessageId::new(),
        author: Author::Customer {
            contact: books.contact.id,
            name: String::new(),
        },
        body: body.into(),
        at: now() - Duration::minutes(minutes_ago),
        attachments: Vec::new(),
    }
}

/// Opens a ticket of `scope`'s account saying `body`, `minutes_ago`.
async fn open(
    db: &TestDb,
    books: &Books,
    scope: AccountScope,
    body: &str,
    minutes_ago: i64,
    attachments: Vec<Attachment>,
) -> Ticket {
    let number = db.next_ticket_number(scope.tenant()).await.unwrap();
    let at = now() - Duration::minutes(minutes_ago);
    let ticket = Ticket {
        id: TicketId::new(),
        account: scope.account(),
        number,
        category: CategoryRef {
            key: "service".into(),
            name: "Service question".into(),
        },
        subject: Ticket::subject_of(body),
        status: TicketStatus::Open,
        job: None,
        assignee: Some("Dispatch".into()),
        opened_by: books.contact.id,
        opened_at: at,
        updated_at: at,
        messages: 1,
    };
    let mut first = message(books, body, minutes_ago);
    first.attachments = attachments;
    let event = OutboxMessage::Event(DomainEvent::TicketOpened {
        account: scope.account(),
        ticket: ticket.id,
        number,
        contact: books.contact.id,
        category: "service".into(),
        assignee: ticket.assignee.clone(),
        job: None,
        body: body.into(),
        attachments: first.attachments.len() as u32,
    });
    db.open_ticket(&scope, &ticket, &first, &[event])
        .await
        .unwrap()
        .ticket
}

fn staff(name: &str, body: &str) -> TicketMessage {
    TicketMessage {
        id: TicketMessageId::new(),
        author: Author::Staff { name: name.into() },
        body: body.into(),
        at: now(),
        attachments: Vec::new(),
    }
}

async fn numbers_count_up_per_tenant_and_never_repeat_when_asked_at_once(db: TestDb) {
    let books = Books::new(&*db).await;
    let store: Arc<dyn Store> = db.store.clone();
    let mut asks = Vec::new();
    for _ in 0..12 {
        let store = store.clone();
        let tenant = books.tenant.id;
        asks.push(tokio::spawn(async move {
            store.next_ticket_number(tenant).await.unwrap()
        }));
    }
    let mut numbers = Vec::new();
    for ask in asks {
        numbers.push(ask.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<u64>>());
    assert_eq!(
        db.next_ticket_number(books.foreign.tenant).await.unwrap(),
        1
    );
    assert!(matches!(
        db.next_ticket_number(portal_core::shared::TenantId::new())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_ticket_is_written_with_its_message_attachments_and_event(db: TestDb) {
    let books = Books::new(&*db).await;
    let files = vec![
        attachment(&books, "leak.jpg", FileKind::Jpeg),
        attachment(&books, "report.pdf", FileKind::Pdf),
    ];
    let body = "Water <b>under</b> the sink\nsince Monday";
    let ticket = open(&db, &books, books.scope(), body, 5, files.clone()).await;
    assert_eq!(ticket.number, 1);
    assert_eq!(ticket.subject, "Water <b>under</b> the sink");
    assert_eq!(ticket.assignee.as_deref(), Some("Dispatch"));
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    let thread = db.ticket(&books.scope(), ticket.id).await.unwrap().unwrap();
    assert_eq!(thread.ticket, ticket);
    assert_eq!(thread.messages.len(), 1);
    let first = &thread.messages[0];
    assert_eq!(first.body, body);
    assert_eq!(first.attachments, files, "in order, with their keys");
    assert_eq!(
        first.author,
        Author::Customer {
            contact: books.contact.id,
            name: books.contact.name.clone(),
        },
        "the contact's name comes with the message"
    );
    let found = db
        .attachment(&books.scope(), ticket.id, files[1].id)
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(&files[1]));
}

async fn the_list_shows_open_tickets_first_then_closed_each_latest_first(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let closed_old = open(&db, &books, scope, "closed long ago", 50, Vec::new()).await;
    let open_old = open(&db, &books, scope, "open a while", 40, Vec::new()).await;
    let closed_new = open(&db, &books, scope, "closed lately", 30, Vec::new()).await;
    let open_new = open(&db, &books, scope, "open lately", 20, Vec::new()).await;
    for (ticket, minutes_ago) in [(&closed_old, 45), (&closed_new, 25)] {
        db.set_ticket_status(
            books.tenant.id,
            ticket.id,
            TicketStatus::Closed,
            now() - Duration::minutes(minutes_ago),
        )
        .await
        .unwrap();
    }
    let ids = |page: portal_core::shared::Page<Ticket>| {
        (
            page.total,
            page.items.iter().map(|t| t.id).collect::<Vec<_>>(),
        )
    };
    let all = db.tickets(&scope, &query(TicketFilter::All)).await.unwrap();
    assert_eq!(
        ids(all),
        (
            4,
            vec![open_new.id, open_old.id, closed_new.id, closed_old.id]
        )
    );
    let open_only = db
        .tickets(&scope, &query(TicketFilter::Open))
        .await
        .unwrap();
    assert_eq!(ids(open_only), (2, vec![open_new.id, open_old.id]));
    let closed = db
        .tickets(&scope, &query(TicketFilter::Closed))
        .await
        .unwrap();
    assert_eq!(ids(closed), (2, vec![closed_new.id, closed_old.id]));
    let second_page = db
        .tickets(
            &scope,
            &TicketQuery {
                filter: TicketFilter::All,
                page: PageRequest::new(2, 3),
            },
        )
        .await
        .unwrap();
    assert_eq!(ids(second_page), (4, vec![closed_old.id]));
}

async fn another_accounts_or_tenants_ticket_and_attachments_are_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let file = attachment(&books, "leak.jpg", FileKind::Jpeg);
    let ticket = open(&db, &books, books.scope(), "Mine", 1, vec![file.clone()]).await;
    for scope in [books.second_scope(), books.foreign_scope()] {
        assert_eq!(db.ticket(&scope, ticket.id).await.unwrap(), None);
        assert_eq!(
            db.attachment(&scope, ticket.id, file.id).await.unwrap(),
            None
        );
        assert_eq!(
            db.tickets(&scope, &query(TicketFilter::All))
                .await
                .unwrap()
                .total,
            0
        );
        let reply = db
            .add_customer_message(&scope, ticket.id, &message(&books, "hi", 0), &[])
            .await;
        assert!(matches!(reply, Err(StoreError::NotFound)), "{reply:?}");
        let reopen = db.reopen_ticket(&scope, ticket.id, now(), &[]).await;
        assert!(matches!(reopen, Err(StoreError::NotFound)), "{reopen:?}");
    }
    // An attachment named with another ticket of the same account.
    let other = open(&db, &books, books.scope(), "Also mine", 1, Vec::new()).await;
    assert_eq!(
        db.attachment(&books.scope(), other.id, file.id)
            .await
            .unwrap(),
        None
    );
    // The host of another tenant cannot read or answer it.
    let foreign = books.foreign.tenant;
    assert_eq!(db.ticket_of_tenant(foreign, ticket.id).await.unwrap(), None);
    let reply = db
        .add_staff_message(
            foreign,
            ticket.id,
            &ExternalId::parse("r-1").unwrap(),
            &staff("Eve", "hello"),
            TicketStatus::Waiting,
        )
        .await;
    assert!(matches!(reply, Err(StoreError::NotFound)), "{reply:?}");
    let status = db
        .set_ticket_status(foreign, ticket.id, TicketStatus::Closed, now())
        .await;
    assert!(matches!(status, Err(StoreError::NotFound)), "{status:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM ticket_messages").await, 2);
}

async fn a_customer_reply_opens_the_ticket_and_a_closed_one_refuses_it(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let ticket = open(&db, &books, scope, "Help", 10, Vec::new()).await;
    db.add_staff_message(
        books.tenant.id,
        ticket.id,
        &ExternalId::parse("r-1").unwrap(),
        &staff("Grace", "Which sink?"),
        TicketStatus::Waiting,
    )
    .await
    .unwrap();
    let mut reply = message(&books, "The kitchen one", 0);
    reply.attachments = vec![attachment(&books, "sink.png", FileKind::Png)];
    let thread = db
        .add_customer_message(&scope, ticket.id, &reply, &[])
        .await
        .unwrap();
    assert_eq!(thread.ticket.status, TicketStatus::Open);
    assert_eq!(thread.ticket.messages, 3);
    assert_eq!(thread.ticket.updated_at, reply.at);
    let bodies: Vec<_> = thread.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["Help", "Which sink?", "The kitchen one"]);
    assert_eq!(
        thread.messages[1].author,
        Author::Staff {
            name: "Grace".into()
        }
    );
    assert_eq!(thread.messages[2].attachments, reply.attachments);

    db.set_ticket_status(books.tenant.id, ticket.id, TicketStatus::Closed, now())
        .await
        .unwrap();
    let refused = db
        .add_customer_message(&scope, ticket.id, &message(&books, "One more", 0), &[])
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict(Conflict::Tickets(
                TicketsConflict::Closed
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM ticket_messages").await, 3);
    let after = db.ticket(&scope, ticket.id).await.unwrap().unwrap();
    assert_eq!(
        (after.ticket.status, after.ticket.messages),
        (TicketStatus::Closed, 3)
    );
}

async fn only_a_closed_ticket_is_reopened(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let ticket = open(&db, &books, scope, "Help", 10, Vec::new()).await;
    let refused = db.reopen_ticket(&scope, ticket.id, now(), &[]).await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict(Conflict::Tickets(
                TicketsConflict::NotClosed
            )))
        ),
        "{refused:?}"
    );
    db.set_ticket_status(books.tenant.id, ticket.id, TicketStatus::Closed, now())
        .await
        .unwrap();
    let before = db.count("SELECT COUNT(*) FROM outbox").await;
    let event = OutboxMessage::Event(DomainEvent::TicketReopened {
        account: books.account.id,
        ticket: ticket.id,
        contact: books.contact.id,
    });
    let reopened = db
        .reopen_ticket(&scope, ticket.id, now(), &[event])
        .await
        .unwrap();
    assert_eq!(reopened.status, TicketStatus::Open);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, before + 1);
    let open_now = db
        .tickets(&scope, &query(TicketFilter::Open))
        .await
        .unwrap();
    assert_eq!(open_now.total, 1, "listed among the open ones again");
}

async fn a_staff_reply_is_kept_once_per_host_id(db: TestDb) {
    let books = Books::new(&*db).await;
    let ticket = open(&db, &books, books.scope(), "Help", 10, Vec::new()).await;
    let other = open(&db, &books, books.scope(), "Other", 10, Vec::new()).await;
    let id = ExternalId::parse("reply-1").unwrap();
    let tenant = books.tenant.id;
    let first = db
        .add_staff_message(
            tenant,
            ticket.id,
            &id,
            &staff("Grace", "On it"),
            TicketStatus::Waiting,
        )
        .await
        .unwrap();
    let again = db
        .add_staff_message(
            tenant,
            ticket.id,
            &id,
            &staff("Grace", "On it"),
            TicketStatus::Closed,
        )
        .await
        .unwrap();
    assert_eq!(again, first, "the same reply again changes nothing");
    assert_eq!(first.ticket.status, TicketStatus::Waiting);
    assert_eq!(first.messages.len(), 2);
    let elsewhere = db
        .add_staff_message(
            tenant,
            other.id,
            &id,
            &staff("Grace", "On it"),
            TicketStatus::Waiting,
        )
        .await;
    assert!(
        matches!(
            elsewhere,
            Err(StoreError::Conflict(Conflict::Taken(Unique::Other)))
        ),
        "{elsewhere:?}"
    );
    let unknown = db
        .add_staff_message(
            tenant,
            TicketId::new(),
            &ExternalId::parse("reply-2").unwrap(),
            &staff("Grace", "?"),
            TicketStatus::Waiting,
        )
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM ticket_messages").await, 3);
}

async fn setting_the_status_it_has_changes_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let ticket = open(&db, &books, books.scope(), "Help", 10, Vec::new()).await;
    let same = db
        .set_ticket_status(books.tenant.id, ticket.id, TicketStatus::Open, now())
        .await
        .unwrap();
    assert_eq!(same, ticket, "not even its time");
    let closed = db
        .set_ticket_status(books.tenant.id, ticket.id, TicketStatus::Closed, now())
        .await
        .unwrap();
    assert_eq!(
        (closed.status, closed.updated_at),
        (TicketStatus::Closed, now())
    );
    let unknown = db
        .set_ticket_status(
            books.tenant.id,
            TicketId::new(),
            TicketStatus::Closed,
            now(),
        )
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
}
