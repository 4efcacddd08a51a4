//! `connect` picks the store by the URL's scheme and migrates it.

use std::sync::Arc;

use portal_core::ports::TenantStore;
use portal_store_sqlx::{SqliteStore, connect};

use crate::harness::{PgDatabase, tenant};

#[tokio::test]
async fn a_sqlite_url_opens_a_migrated_sqlite_store() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("new.db").display());
    let store = connect(&url).await.unwrap();
    let stored = tenant(&*store, "acme").await;
    // Reopening the file finds the data and runs no migration twice.
    drop(store);
    let reopened = connect(&url).await.unwrap();
    assert_eq!(reopened.tenant(stored.id).await.unwrap(), Some(stored));
}

#[tokio::test]
async fn an_in_memory_sqlite_url_opens_a_private_database() {
    let store = connect("sqlite::memory:").await.unwrap();
    let stored = tenant(&*store, "acme").await;
    assert_eq!(store.tenant(stored.id).await.unwrap(), Some(stored.clone()));
    let another = connect("sqlite::memory:").await.unwrap();
    assert_eq!(another.tenant(stored.id).await.unwrap(), None);
}

#[tokio::test]
async fn a_postgres_url_opens_a_migrated_postgres_store() {
    let database = PgDatabase::create().await;
    let cleanup = database.cleanup();
    let store = connect(&database.url).await.unwrap();
    let stored = tenant(&*store, "acme").await;
    assert_eq!(store.tenant(stored.id).await.unwrap(), Some(stored));
    drop(store);
    cleanup.run().await;
}

#[tokio::test]
async fn an_unknown_scheme_is_refused_without_echoing_the_url() {
    let refused = connect("mysql://root:secret@db/portal").await;
    let error = refused.err().expect("refused").to_string();
    assert!(error.contains("mysql"), "{error}");
    assert!(!error.contains("secret"), "{error}");
}

#[tokio::test]
async fn this_workspace_builds_sqlite_with_a_page_cache_per_connection() {
    // .cargo/config.toml sets LIBSQLITE3_FLAGS; without it every read of
    // every connection queues on one page-cache lock.
    let store = SqliteStore::in_memory().await.unwrap();
    assert!(!store.page_cache_is_shared().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_store_serves_more_concurrent_reads_than_it_has_readers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("busy.db").display());
    let store = Arc::new(SqliteStore::connect(&url).await.unwrap());
    let stored = tenant(&*store, "acme").await;
    let reads = (0..64).map(|_| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.tenant(stored.id).await })
    });
    for read in futures::future::join_all(reads).await {
        assert_eq!(read.unwrap().unwrap().map(|t| t.id), Some(stored.id));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_dropped_midway_leaves_its_reader_usable() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("dropped.db").display());
    let store = Arc::new(SqliteStore::connect(&url).await.unwrap());
    let tenants = [
        tenant(&*store, "acme").await,
        tenant(&*store, "bolt").await,
        tenant(&*store, "crane").await,
    ];
    // Start many reads of different tenants and drop each at its first
    // await point, so readers go back to the pool with a statement sent
    // and its answer unread.
    for n in 0..200 {
        let read = store.tenant(tenants[n % 3].id);
        let _ = tokio::time::timeout(std::time::Duration::ZERO, read).await;
    }
    // A write after the drops: every reader must see it, none may answer
    // with an earlier statement's row or an old snapshot.
    let mut renamed = tenants[0].clone();
    renamed.settings.display_name = "Acme after the drops".into();
    store.update_tenant(&renamed).await.unwrap();
    let reads = (0..48).map(|n| {
        let store = Arc::clone(&store);
        let id = tenants[n % 3].id;
        tokio::spawn(async move { store.tenant(id).await })
    });
    for (n, read) in futures::future::join_all(reads)
        .await
        .into_iter()
        .enumerate()
    {
        let read = read.unwrap().unwrap().expect("the tenant");
        let wanted = if n % 3 == 0 {
            &renamed
        } else {
            &tenants[n % 3]
        };
        assert_eq!(&read, wanted, "read {n}");
    }
}
