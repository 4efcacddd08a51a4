//! The properties port's contracts: idempotent upserts by the host's id,
//! properties that never change account, and reads scoped to the account.

use portal_core::accounts::{Account, Address};
use portal_core::ports::{Store, StoreError};
use portal_core::properties::{PropertiesConflict, Property, PropertyUpsert};
use portal_core::shared::{Conflict, ExternalId, PageRequest, PropertyId};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, now};

conformance!(
    upserting_the_same_property_twice_makes_one_and_a_change_updates_it,
    a_property_of_another_account_or_tenant_is_refused_and_unchanged,
    the_list_holds_the_accounts_properties_by_name_in_pages,
    another_accounts_property_is_not_found,
);

/// A property of `account` named `name`.
pub fn property_upsert(account: &Account, external: &str, name: &str) -> PropertyUpsert {
    PropertyUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        account: account.id,
        name: name.into(),
        address: Address {
            line1: format!("{name} 1"),
            city: "Springfield".into(),
            ..Address::default()
        },
    }
}

/// Stores a property of `account`.
pub async fn property(store: &dyn Store, books: &Books, external: &str, name: &str) -> Property {
    store
        .upsert_property(
            books.tenant.id,
            &property_upsert(&books.account, external, name),
            now(),
        )
        .await
        .unwrap()
}

async fn upserting_the_same_property_twice_makes_one_and_a_change_updates_it(db: TestDb) {
    let books = Books::new(&*db).await;
    let upsert = property_upsert(&books.account, "p-1", "Lake house");
    let first = db
        .upsert_property(books.tenant.id, &upsert, now())
        .await
        .unwrap();
    let again = db
        .upsert_property(books.tenant.id, &upsert, now())
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(first.name, "Lake house");
    assert_eq!(first.address.line1, "Lake house 1");
    let mut moved = upsert.clone();
    moved.name = "Lake cabin".into();
    moved.address.line2 = "Back door".into();
    let changed = db
        .upsert_property(books.tenant.id, &moved, now())
        .await
        .unwrap();
    assert_eq!(changed.id, first.id);
    assert_eq!(changed.name, "Lake cabin");
    assert_eq!(changed.address.line2, "Back door");
    let page = db
        .properties(&books.scope(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items, vec![changed.clone()]);
    let by_host = db
        .property_by_external_id(books.tenant.id, &upsert.external_id)
        .await
        .unwrap();
    assert_eq!(by_host, Some(changed));
}

async fn a_property_of_another_account_or_tenant_is_refused_and_unchanged(db: TestDb) {
    let books = Books::new(&*db).await;
    let kept = property(&*db, &books, "p-1", "Lake house").await;
    let mut other_account = property_upsert(&books.second, "p-1", "Stolen");
    assert!(matches!(
        db.upsert_property(books.tenant.id, &other_account, now())
            .await,
        Err(StoreError::Conflict(Conflict::Properties(
            PropertiesConflict::PropertyOfAnotherAccount
        )))
    ));
    // An account of another tenant is not found, whatever the property.
    other_account.account = books.foreign.id;
    assert!(matches!(
        db.upsert_property(books.tenant.id, &other_account, now())
            .await,
        Err(StoreError::NotFound)
    ));
    let still = db
        .property_by_external_id(books.tenant.id, &kept.external_id)
        .await
        .unwrap();
    assert_eq!(still, Some(kept));
    // The other tenant's host id space is its own.
    assert_eq!(
        db.property_by_external_id(books.foreign.tenant, &ExternalId::parse("p-1").unwrap())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.properties(&books.second_scope(), PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );
}

async fn the_list_holds_the_accounts_properties_by_name_in_pages(db: TestDb) {
    let books = Books::new(&*db).await;
    for (external, name) in [("p-3", "Warehouse"), ("p-1", "Bakery"), ("p-2", "Office")] {
        property(&*db, &books, external, name).await;
    }
    db.upsert_property(
        books.tenant.id,
        &property_upsert(&books.second, "p-9", "Another account's"),
        now(),
    )
    .await
    .unwrap();
    let first = db
        .properties(&books.scope(), PageRequest::new(1, 2))
        .await
        .unwrap();
    let names = |page: &portal_core::shared::Page<Property>| {
        page.items
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&first), ["Bakery", "Office"]);
    assert_eq!(first.total, 3);
    let second = db
        .properties(&books.scope(), PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!(names(&second), ["Warehouse"]);
    assert_eq!(second.total, 3);
    let past = db
        .properties(&books.scope(), PageRequest::new(5, 2))
        .await
        .unwrap();
    assert!(past.items.is_empty());
    assert_eq!(past.total, 3);
}

async fn another_accounts_property_is_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let lake = property(&*db, &books, "p-1", "Lake house").await;
    assert_eq!(
        db.property(&books.scope(), lake.id).await.unwrap(),
        Some(lake.clone())
    );
    assert_eq!(
        db.property(&books.second_scope(), lake.id).await.unwrap(),
        None
    );
    assert_eq!(
        db.property(&books.foreign_scope(), lake.id).await.unwrap(),
        None
    );
    assert_eq!(
        db.property(&books.scope(), PropertyId::new())
            .await
            .unwrap(),
        None
    );
}
