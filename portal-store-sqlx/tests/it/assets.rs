//! The assets port's contracts: idempotent upserts by the host's id at a
//! property named by the host's id, refusals that write nothing, the
//! list (all or one property's) in order and pages, isolation, and the
//! service history read from the jobs that name the asset.

use portal_core::accounts::Address;
use portal_core::assets::{Asset, AssetQuery, AssetUpsert, AssetsConflict};
use portal_core::ports::{Store, StoreError};
use portal_core::properties::{Property, PropertyUpsert};
use portal_core::shared::{AccountId, AssetId, Conflict, ExternalId, PageRequest};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, date, now};

conformance!(
    upserting_the_same_asset_twice_makes_one_and_a_change_updates_it,
    an_asset_upsert_is_refused_for_an_unknown_or_foreign_property_or_account,
    the_asset_list_is_by_property_then_name_in_pages_and_filters_by_property,
    another_accounts_asset_is_not_found,
    the_service_history_is_the_jobs_that_named_the_asset_newest_first,
);

pub async fn property(
    store: &dyn Store,
    books: &Books,
    account: AccountId,
    external: &str,
) -> Property {
    store
        .upsert_property(
            books.tenant.id,
            &PropertyUpsert {
                external_id: ExternalId::parse(external).unwrap(),
                account,
                name: format!("Site {external}"),
                address: Address::default(),
            },
            now(),
        )
        .await
        .unwrap()
}

fn upsert(books: &Books, property: &str, external: &str, name: &str) -> AssetUpsert {
    AssetUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        account: books.account.id,
        property: ExternalId::parse(property).unwrap(),
        name: name.into(),
        make: "Viessmann".into(),
        model: "Vitodens 200".into(),
        serial_number: format!("SN-{external}"),
        location: "Basement".into(),
        installed_on: Some(date("2021-03-09")),
        next_maintenance_on: None,
    }
}

async fn put(store: &dyn Store, books: &Books, asset: &AssetUpsert) -> Result<Asset, StoreError> {
    asset.validate().unwrap();
    store.upsert_asset(books.tenant.id, asset, now()).await
}

async fn upserting_the_same_asset_twice_makes_one_and_a_change_updates_it(db: TestDb) {
    let books = Books::new(&*db).await;
    let home = property(&*db, &books, books.account.id, "p-1").await;
    let shop = property(&*db, &books, books.account.id, "p-2").await;
    let asset = upsert(&books, "p-1", "a-1", "Boiler");
    let first = put(&*db, &books, &asset).await.unwrap();
    assert_eq!(first.property, home.id);
    assert_eq!(first.property_name, "Site p-1");
    assert_eq!(first.serial_number, "SN-a-1");
    assert_eq!(first.installed_on, Some(date("2021-03-09")));
    assert_eq!(
        put(&*db, &books, &asset).await.unwrap(),
        first,
        "the same upsert"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM assets").await, 1);

    let mut moved = asset.clone();
    moved.property = shop.external_id.clone();
    moved.next_maintenance_on = Some(date("2030-06-01"));
    moved.location = String::new();
    let updated = put(&*db, &books, &moved).await.unwrap();
    assert_eq!(updated.id, first.id, "updated in place");
    assert_eq!(
        updated.property, shop.id,
        "moved to another of the account's properties"
    );
    assert_eq!(updated.next_maintenance_on, Some(date("2030-06-01")));
    assert_eq!(updated.location, "");
    assert_eq!(
        db.asset_by_external_id(books.tenant.id, &asset.external_id)
            .await
            .unwrap(),
        Some(updated)
    );
}

async fn an_asset_upsert_is_refused_for_an_unknown_or_foreign_property_or_account(db: TestDb) {
    let books = Books::new(&*db).await;
    property(&*db, &books, books.account.id, "p-1").await;
    property(&*db, &books, books.second.id, "p-2").await;
    let stored = put(&*db, &books, &upsert(&books, "p-1", "a-1", "Boiler"))
        .await
        .unwrap();

    let nowhere = upsert(&books, "p-9", "a-2", "Lift");
    assert!(matches!(
        put(&*db, &books, &nowhere).await,
        Err(StoreError::NotFound)
    ));
    let at_anothers = upsert(&books, "p-2", "a-3", "Lift");
    assert!(matches!(
        put(&*db, &books, &at_anothers).await,
        Err(StoreError::Conflict(Conflict::Assets(
            AssetsConflict::PropertyOfAnotherAccount
        )))
    ));
    let mut taken = upsert(&books, "p-2", "a-1", "Renamed");
    taken.account = books.second.id;
    assert!(matches!(
        put(&*db, &books, &taken).await,
        Err(StoreError::Conflict(Conflict::Assets(
            AssetsConflict::AssetOfAnotherAccount
        )))
    ));
    let mut foreign = upsert(&books, "p-1", "a-4", "Lift");
    foreign.account = books.foreign.id;
    assert!(matches!(
        put(&*db, &books, &foreign).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM assets").await, 1);
    let kept = db.asset(&books.scope(), stored.id).await.unwrap().unwrap();
    assert_eq!(kept.name, "Boiler", "the refused upserts wrote nothing");
}

async fn the_asset_list_is_by_property_then_name_in_pages_and_filters_by_property(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let first = property(&*db, &books, books.account.id, "p-1").await;
    let second = property(&*db, &books, books.account.id, "p-2").await;
    for (site, external, name) in [
        ("p-2", "a-1", "Compressor"),
        ("p-1", "a-2", "Water heater"),
        ("p-1", "a-3", "Boiler"),
    ] {
        put(&*db, &books, &upsert(&books, site, external, name))
            .await
            .unwrap();
    }
    // Another account's asset is in none of the lists.
    property(&*db, &books, books.second.id, "p-9").await;
    let mut other = upsert(&books, "p-9", "a-9", "Alarm");
    other.account = books.second.id;
    put(&*db, &books, &other).await.unwrap();

    let names = |page: &portal_core::shared::Page<Asset>| {
        page.items
            .iter()
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
    };
    let query = |property, page| AssetQuery {
        property,
        page: PageRequest::new(page, 2),
    };
    let page_one = db.assets(&scope, &query(None, 1)).await.unwrap();
    assert_eq!(
        names(&page_one),
        ["Boiler", "Water heater"],
        "first property, by name"
    );
    assert_eq!(page_one.total, 3);
    let page_two = db.assets(&scope, &query(None, 2)).await.unwrap();
    assert_eq!(names(&page_two), ["Compressor"]);
    let past = db.assets(&scope, &query(None, 4)).await.unwrap();
    assert!(past.items.is_empty());
    assert_eq!(past.total, 3);
    let at_second = db.assets(&scope, &query(Some(second.id), 1)).await.unwrap();
    assert_eq!(names(&at_second), ["Compressor"]);
    assert_eq!(at_second.total, 1);
    let at_first = db.assets(&scope, &query(Some(first.id), 1)).await.unwrap();
    assert_eq!(at_first.total, 2);
}

async fn another_accounts_asset_is_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let site = property(&*db, &books, books.account.id, "p-1").await;
    let asset = put(&*db, &books, &upsert(&books, "p-1", "a-1", "Boiler"))
        .await
        .unwrap();
    assert!(db.asset(&books.scope(), asset.id).await.unwrap().is_some());
    assert_eq!(
        db.asset(&books.second_scope(), asset.id).await.unwrap(),
        None
    );
    assert_eq!(
        db.asset(&books.foreign_scope(), asset.id).await.unwrap(),
        None
    );
    assert_eq!(
        db.asset(&books.scope(), AssetId::new()).await.unwrap(),
        None
    );
    let by_their_property = AssetQuery {
        property: Some(site.id),
        page: PageRequest::default(),
    };
    assert_eq!(
        db.assets(&books.second_scope(), &by_their_property)
            .await
            .unwrap()
            .total,
        0,
        "another account's property lists nothing"
    );
    let history = db
        .asset_history(&books.second_scope(), asset.id, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(history.total, 0);
    assert_eq!(
        db.asset_by_external_id(books.foreign_scope().tenant(), &asset.external_id)
            .await
            .unwrap(),
        None
    );
}

async fn the_service_history_is_the_jobs_that_named_the_asset_newest_first(db: TestDb) {
    let books = Books::new(&*db).await;
    property(&*db, &books, books.account.id, "p-1").await;
    let asset = put(&*db, &books, &upsert(&books, "p-1", "a-1", "Boiler"))
        .await
        .unwrap();
    put(&*db, &books, &upsert(&books, "p-1", "a-2", "Heater"))
        .await
        .unwrap();
    let scope = books.scope();
    for (number, day) in [
        ("J-1", "2030-01-10"),
        ("J-2", "2030-02-10"),
        ("J-3", "2030-03-10"),
    ] {
        let at = crate::harness::at(&format!("{day}T09:00:00Z"));
        db.seed_job(scope, number, "completed", Some(at)).await;
    }
    db.seed_job(
        scope,
        "J-4",
        "scheduled",
        Some(crate::harness::at("2030-04-10T09:00:00Z")),
    )
    .await;
    // Another account's job naming the asset's id is not its history.
    db.seed_job(books.second_scope(), "J-9", "completed", None)
        .await;
    let link = "INSERT INTO job_assets (tenant_id, job_id, asset_external_id) \
                SELECT tenant_id, id, 'a-1' FROM jobs WHERE number IN ('J-1', 'J-2', 'J-3', 'J-9')";
    db.execute(link, link).await;
    let other = "INSERT INTO job_assets (tenant_id, job_id, asset_external_id) \
                 SELECT tenant_id, id, 'a-2' FROM jobs WHERE number IN ('J-3', 'J-4')";
    db.execute(other, other).await;
    let history = db
        .asset_history(&books.scope(), asset.id, PageRequest::new(1, 2))
        .await
        .unwrap();
    let numbers: Vec<_> = history.items.iter().map(|job| job.number.clone()).collect();
    assert_eq!(numbers, ["J-3", "J-2"], "newest first");
    assert_eq!(
        history.total, 3,
        "J-4 named the other asset only, J-9 is another account's"
    );
    let rest = db
        .asset_history(&books.scope(), asset.id, PageRequest::new(2, 2))
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].number, "J-1");
}
