//! The documents port's contracts: publishing is an upsert by the host's
//! id that keeps the document's id and hands back the replaced file (also
//! when two publishes race), unpublishing is idempotent, and an account
//! sees its own documents and the tenant-wide ones, newest first, never
//! another account's or tenant's.

use std::sync::Arc;

use chrono::Duration;
use portal_core::blobs::{BlobKey, FileKind, FileName, StoredBlob};
use portal_core::documents::Document;
use portal_core::ports::{Store, StoreError};
use portal_core::shared::{AccountId, DocumentId, ExternalId, PageRequest, TenantId};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, now};

conformance!(
    publishing_a_new_id_inserts_it_and_replaces_no_file,
    publishing_an_id_again_replaces_the_document_keeping_its_id,
    racing_publishes_of_one_id_each_hand_back_the_file_they_replaced,
    publishing_for_an_account_of_another_tenant_or_an_unknown_tenant_is_not_found,
    unpublishing_removes_the_document_and_twice_is_not_an_error,
    an_account_sees_its_own_and_the_tenant_wide_documents_newest_first,
    another_accounts_or_tenants_document_is_not_found,
);

fn document(
    tenant: TenantId,
    external: &str,
    account: Option<AccountId>,
    minutes_ago: i64,
) -> Document {
    Document {
        id: DocumentId::new(),
        account,
        external_id: ExternalId::parse(external).unwrap(),
        title: format!("Title of {external}"),
        description: Some("What it is <b>about</b>".into()),
        folder: Some("Guides".into()),
        file: StoredBlob {
            key: BlobKey::generate(tenant),
            name: FileName::parse(&format!("{external}.pdf")).unwrap(),
            kind: FileKind::Pdf,
            size: 4321,
        },
        published_at: now() - Duration::minutes(minutes_ago),
    }
}

async fn publish(db: &TestDb, tenant: TenantId, document: &Document) -> Document {
    db.publish_document(tenant, document)
        .await
        .unwrap()
        .document
}

async fn publishing_a_new_id_inserts_it_and_replaces_no_file(db: TestDb) {
    let books = Books::new(&*db).await;
    let new = document(books.tenant.id, "guide", Some(books.account.id), 0);
    let published = db.publish_document(books.tenant.id, &new).await.unwrap();
    assert_eq!(published.document, new, "stored as given");
    assert_eq!(published.replaced, None);
    // The same external id in another tenant is another document.
    let foreign = document(books.foreign.tenant, "guide", None, 0);
    let other = db
        .publish_document(books.foreign.tenant, &foreign)
        .await
        .unwrap();
    assert_eq!((other.document.id, other.replaced), (foreign.id, None));
    assert_eq!(db.count("SELECT COUNT(*) FROM documents").await, 2);
}

async fn publishing_an_id_again_replaces_the_document_keeping_its_id(db: TestDb) {
    let books = Books::new(&*db).await;
    let first = publish(
        &db,
        books.tenant.id,
        &document(books.tenant.id, "guide", None, 10),
    )
    .await;
    let mut again = document(books.tenant.id, "guide", Some(books.account.id), 0);
    again.title = "Guide, second edition".into();
    again.description = None;
    again.folder = None;
    again.file.kind = FileKind::Text;
    again.file.name = FileName::parse("guide.txt").unwrap();
    let published = db.publish_document(books.tenant.id, &again).await.unwrap();
    assert_eq!(published.replaced, Some(first.file.key.clone()));
    assert_eq!(
        published.document,
        Document {
            id: first.id,
            ..again.clone()
        },
        "everything replaced but the id"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM documents").await, 1);
    // The same file again replaces no file.
    let same = db
        .publish_document(books.tenant.id, &published.document)
        .await
        .unwrap();
    assert_eq!(same.replaced, None);
}

async fn racing_publishes_of_one_id_each_hand_back_the_file_they_replaced(db: TestDb) {
    let books = Books::new(&*db).await;
    let store: Arc<dyn Store> = db.store.clone();
    let tenant = books.tenant.id;
    let drafts: Vec<Document> = (0..8).map(|_| document(tenant, "guide", None, 0)).collect();
    let mut runs = Vec::new();
    for draft in drafts.clone() {
        let store = store.clone();
        runs.push(tokio::spawn(async move {
            store.publish_document(tenant, &draft).await.unwrap()
        }));
    }
    let mut replaced = Vec::new();
    let mut ids = Vec::new();
    for run in runs {
        let published = run.await.unwrap();
        ids.push(published.document.id);
        replaced.extend(published.replaced);
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one document");
    assert_eq!(
        replaced.len(),
        7,
        "every file but the last is handed back once"
    );
    let kept = db
        .document(&books.scope(), ids[0])
        .await
        .unwrap()
        .unwrap()
        .file
        .key;
    let mut all: Vec<BlobKey> = replaced.clone();
    all.push(kept);
    all.sort_by_key(ToString::to_string);
    all.dedup();
    let mut given: Vec<BlobKey> = drafts.into_iter().map(|d| d.file.key).collect();
    given.sort_by_key(ToString::to_string);
    assert_eq!(all, given, "no file lost, none handed back twice");
}

async fn publishing_for_an_account_of_another_tenant_or_an_unknown_tenant_is_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let foreign = document(books.tenant.id, "guide", Some(books.foreign.id), 0);
    let refused = db.publish_document(books.tenant.id, &foreign).await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    let nobody = TenantId::new();
    let refused = db
        .publish_document(nobody, &document(nobody, "guide", None, 0))
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    assert_eq!(db.count("SELECT COUNT(*) FROM documents").await, 0);
}

async fn unpublishing_removes_the_document_and_twice_is_not_an_error(db: TestDb) {
    let books = Books::new(&*db).await;
    let guide = publish(
        &db,
        books.tenant.id,
        &document(books.tenant.id, "guide", None, 0),
    )
    .await;
    let id = ExternalId::parse("guide").unwrap();
    // Another tenant's host cannot take it down.
    assert_eq!(
        db.unpublish_document(books.foreign.tenant, &id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.unpublish_document(books.tenant.id, &id).await.unwrap(),
        Some(guide.file.key)
    );
    assert_eq!(
        db.unpublish_document(books.tenant.id, &id).await.unwrap(),
        None
    );
    assert_eq!(db.document(&books.scope(), guide.id).await.unwrap(), None);
}

async fn an_account_sees_its_own_and_the_tenant_wide_documents_newest_first(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let mine_old = publish(
        &db,
        tenant,
        &document(tenant, "mine-old", Some(books.account.id), 40),
    )
    .await;
    let wide = publish(&db, tenant, &document(tenant, "wide", None, 30)).await;
    let _second = publish(
        &db,
        tenant,
        &document(tenant, "second", Some(books.second.id), 20),
    )
    .await;
    let mine_new = publish(
        &db,
        tenant,
        &document(tenant, "mine-new", Some(books.account.id), 10),
    )
    .await;
    let foreign = books.foreign.tenant;
    publish(&db, foreign, &document(foreign, "foreign-wide", None, 0)).await;

    let page = db
        .documents(&books.scope(), PageRequest::default())
        .await
        .unwrap();
    let ids: Vec<_> = page.items.iter().map(|d| d.id).collect();
    assert_eq!(
        (page.total, ids),
        (3, vec![mine_new.id, wide.id, mine_old.id])
    );
    let second_page = db
        .documents(&books.scope(), PageRequest::new(2, 2))
        .await
        .unwrap();
    let ids: Vec<_> = second_page.items.iter().map(|d| d.id).collect();
    assert_eq!((second_page.total, ids), (3, vec![mine_old.id]));
    let past_the_end = db
        .documents(&books.scope(), PageRequest::new(5, 2))
        .await
        .unwrap();
    assert_eq!((past_the_end.total, past_the_end.items.len()), (3, 0));
}

async fn another_accounts_or_tenants_document_is_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let tenant = books.tenant.id;
    let mine = publish(
        &db,
        tenant,
        &document(tenant, "mine", Some(books.account.id), 0),
    )
    .await;
    let wide = publish(&db, tenant, &document(tenant, "wide", None, 0)).await;
    assert_eq!(
        db.document(&books.scope(), mine.id).await.unwrap(),
        Some(mine.clone())
    );
    assert_eq!(
        db.document(&books.second_scope(), mine.id).await.unwrap(),
        None
    );
    assert_eq!(
        db.document(&books.second_scope(), wide.id).await.unwrap(),
        Some(wide.clone()),
        "tenant-wide: every account of the tenant"
    );
    for id in [mine.id, wide.id] {
        assert_eq!(db.document(&books.foreign_scope(), id).await.unwrap(), None);
    }
    let page = db
        .documents(&books.foreign_scope(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, 0);
}
