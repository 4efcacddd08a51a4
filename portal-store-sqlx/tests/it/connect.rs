//! `connect` picks the store by the URL's scheme and migrates it.

use portal_store_sqlx::connect;

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
