//! The communications port's contracts: recorded by the host's id (again
//! updates, keeping id and account), refused for another tenant's or an
//! unknown account, and the account's log latest first in pages.

use chrono::Duration;
use portal_core::communications::CommunicationRecord;
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, CommunicationId, ExternalId, PageRequest};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, now};

conformance!(
    a_communication_is_recorded_once_per_host_id_and_updated_in_place,
    the_log_is_the_accounts_own_latest_first_in_pages,
);

fn record(books: &Books, id: &str, subject: &str, minutes_ago: i64) -> CommunicationRecord {
    CommunicationRecord {
        direction: Some("outbound".into()),
        staff_name: Some("Grace".into()),
        ..CommunicationRecord::new(
            ExternalId::parse(id).unwrap(),
            books.account.id,
            "call",
            subject,
            "<b>Moved</b> to Thursday",
            now() - Duration::minutes(minutes_ago),
        )
    }
}

async fn a_communication_is_recorded_once_per_host_id_and_updated_in_place(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let first = db
        .record_communication(
            tenant,
            CommunicationId::new(),
            &record(&books, "c-1", "Call", 5),
        )
        .await
        .unwrap();
    assert_eq!(first.communication.subject, "Call");
    assert_eq!(first.communication.body, "<b>Moved</b> to Thursday");
    assert_eq!(first.direction.as_deref(), Some("outbound"));
    assert_eq!(first.staff_name.as_deref(), Some("Grace"));

    // Again, changed and aimed at another account: updated, same id and account.
    let again = CommunicationRecord {
        account: books.second.id,
        direction: None,
        ..record(&books, "c-1", "Call back", 4)
    };
    let updated = db
        .record_communication(tenant, CommunicationId::new(), &again)
        .await
        .unwrap();
    assert_eq!(updated.communication.id, first.communication.id);
    assert_eq!(updated.communication.account, books.account.id);
    assert_eq!(updated.communication.subject, "Call back");
    assert_eq!(updated.direction, None);
    assert_eq!(db.count("SELECT COUNT(*) FROM communications").await, 1);

    // Another tenant's account, an unknown one: nothing written.
    let foreign = CommunicationRecord {
        account: books.foreign.id,
        ..record(&books, "c-2", "Nope", 1)
    };
    assert!(matches!(
        db.record_communication(tenant, CommunicationId::new(), &foreign)
            .await,
        Err(StoreError::NotFound)
    ));
    let unknown = CommunicationRecord {
        account: AccountId::new(),
        ..record(&books, "c-3", "Nope", 1)
    };
    assert!(matches!(
        db.record_communication(tenant, CommunicationId::new(), &unknown)
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM communications").await, 1);

    // The same host id in another tenant is its own.
    let theirs = CommunicationRecord {
        account: books.foreign.id,
        ..record(&books, "c-1", "Theirs", 1)
    };
    db.record_communication(books.foreign.tenant, CommunicationId::new(), &theirs)
        .await
        .unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM communications").await, 2);
}

async fn the_log_is_the_accounts_own_latest_first_in_pages(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    for (id, minutes_ago) in [("a", 30), ("b", 10), ("c", 20)] {
        db.record_communication(
            tenant,
            CommunicationId::new(),
            &record(&books, id, id, minutes_ago),
        )
        .await
        .unwrap();
    }
    let second = CommunicationRecord {
        account: books.second.id,
        ..record(&books, "d", "d", 1)
    };
    db.record_communication(tenant, CommunicationId::new(), &second)
        .await
        .unwrap();

    let log = db
        .communications(&books.scope(), PageRequest::default())
        .await
        .unwrap();
    let subjects: Vec<_> = log
        .items
        .iter()
        .map(|entry| entry.communication.subject.as_str())
        .collect();
    assert_eq!(subjects, ["b", "c", "a"]);
    assert_eq!(log.total, 3);
    let page = db
        .communications(&books.scope(), PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total), (1, 3));
    let beyond = db
        .communications(&books.scope(), PageRequest::new(9, 2))
        .await
        .unwrap();
    assert_eq!((beyond.items.len(), beyond.total), (0, 3));
}
