//! The service contracts port's contracts: idempotent upserts by the
//! host's id (either kind of terms, and a change of kind), refusals that
//! write nothing, the list's filter, order and pages, and isolation.

use portal_core::ports::{Store, StoreError};
use portal_core::service_contracts::{
    ContractQuery, ContractStatus, ContractTerms, ContractUpsert, ContractsConflict, Hours,
    HoursBlock, ServiceContract,
};
use portal_core::shared::{Conflict, Currency, ExternalId, Money, PageRequest, ServiceContractId};
use rust_decimal::Decimal;

use crate::billing::Books;
use crate::harness::{TestDb, conformance, date, now};

conformance!(
    upserting_the_same_contract_twice_makes_one_and_a_change_updates_it,
    a_contract_keeps_its_block_of_hours_and_may_change_kind,
    a_contract_upsert_for_another_account_or_tenant_is_refused_and_writes_nothing,
    the_contract_list_filters_by_status_latest_start_first_in_pages,
    another_accounts_contract_is_not_found,
    the_database_refuses_a_block_used_past_its_hours_without_overage,
);

fn recurring(price_cents: Option<i64>) -> ContractTerms {
    ContractTerms::Recurring {
        schedule: "First Monday of every quarter".into(),
        next_visit_on: Some(date("2030-04-01")),
        price_per_period: price_cents.map(|cents| Money::from_minor(cents, Currency::USD)),
    }
}

fn block(bought: i64, used: i64, overage_allowed: bool) -> ContractTerms {
    let hours = |hundredths| Hours::from_hundredths(hundredths);
    ContractTerms::TimeBlock(HoursBlock::new(hours(bought), hours(used), overage_allowed).unwrap())
}

/// A contract of `books`' first account starting on `starts`.
fn upsert(books: &Books, external: &str, starts: &str, terms: ContractTerms) -> ContractUpsert {
    ContractUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        account: books.account.id,
        number: external.to_uppercase(),
        name: "Quarterly maintenance".into(),
        description: "Filters, belts, a safety check.".into(),
        status: ContractStatus::Active,
        starts_on: date(starts),
        ends_on: Some(date("2031-12-31")),
        terms,
    }
}

async fn put(
    store: &dyn Store,
    books: &Books,
    contract: &ContractUpsert,
) -> Result<ServiceContract, StoreError> {
    contract.validate(Currency::USD).unwrap();
    store
        .upsert_contract(books.tenant.id, contract, now())
        .await
}

async fn upserting_the_same_contract_twice_makes_one_and_a_change_updates_it(db: TestDb) {
    let books = Books::new(&*db).await;
    let contract = upsert(&books, "sc-1", "2030-01-01", recurring(Some(12_000)));
    let first = put(&*db, &books, &contract).await.unwrap();
    assert_eq!(first.account, books.account.id);
    assert_eq!(first.number, "SC-1");
    assert_eq!(first.description, contract.description);
    assert_eq!(first.starts_on, contract.starts_on);
    assert_eq!(first.ends_on, contract.ends_on);
    assert_eq!(
        first.terms, contract.terms,
        "schedule, next visit and price kept"
    );
    let again = put(&*db, &books, &contract).await.unwrap();
    assert_eq!(again, first, "the same upsert changes nothing");
    assert_eq!(db.count("SELECT COUNT(*) FROM service_contracts").await, 1);

    let mut changed = contract.clone();
    changed.status = ContractStatus::Paused;
    changed.ends_on = None;
    changed.terms = recurring(None);
    let updated = put(&*db, &books, &changed).await.unwrap();
    assert_eq!(updated.id, first.id, "updated in place");
    assert_eq!(updated.status, ContractStatus::Paused);
    assert_eq!(updated.ends_on, None);
    assert_eq!(updated.terms, recurring(None), "a price taken away is gone");
    assert_eq!(
        db.contract_by_external_id(books.tenant.id, &contract.external_id)
            .await
            .unwrap(),
        Some(updated)
    );
}

async fn a_contract_keeps_its_block_of_hours_and_may_change_kind(db: TestDb) {
    let books = Books::new(&*db).await;
    let hours = upsert(&books, "tb-1", "2030-01-01", block(2_000, 750, false));
    let stored = put(&*db, &books, &hours).await.unwrap();
    let ContractTerms::TimeBlock(kept) = &stored.terms else {
        panic!("a block came back as {:?}", stored.terms);
    };
    assert_eq!(kept.bought().value(), Decimal::from(20));
    assert_eq!(kept.used().value(), Decimal::new(75, 1));
    assert_eq!(kept.remaining().value(), Decimal::new(125, 1));
    // Overage the host allows is kept as sent.
    let over = upsert(&books, "tb-1", "2030-01-01", block(2_000, 2_250, true));
    let stored = put(&*db, &books, &over).await.unwrap();
    assert_eq!(stored.terms, over.terms);
    // A block may become a recurring contract, and its hours go.
    let visits = upsert(&books, "tb-1", "2030-01-01", recurring(Some(5_000)));
    let stored = put(&*db, &books, &visits).await.unwrap();
    assert_eq!(stored.terms, visits.terms);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM service_contracts WHERE hours_bought_hundredths IS NULL")
            .await,
        1
    );
}

async fn a_contract_upsert_for_another_account_or_tenant_is_refused_and_writes_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let contract = upsert(&books, "sc-1", "2030-01-01", recurring(None));
    let stored = put(&*db, &books, &contract).await.unwrap();
    let mut moved = contract.clone();
    moved.account = books.second.id;
    moved.name = "Moved".into();
    assert!(matches!(
        put(&*db, &books, &moved).await,
        Err(StoreError::Conflict(Conflict::ServiceContracts(
            ContractsConflict::ContractOfAnotherAccount
        )))
    ));
    let mut foreign = upsert(&books, "sc-2", "2030-01-01", recurring(None));
    foreign.account = books.foreign.id;
    assert!(matches!(
        put(&*db, &books, &foreign).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM service_contracts").await, 1);
    let kept = db
        .contract(&books.scope(), stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.name, "Quarterly maintenance",
        "the refused upsert wrote nothing"
    );
}

async fn the_contract_list_filters_by_status_latest_start_first_in_pages(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let mut ids = Vec::new();
    for (external, starts, status) in [
        ("sc-1", "2030-01-01", ContractStatus::Active),
        ("sc-2", "2030-03-01", ContractStatus::Ended),
        ("sc-3", "2030-02-01", ContractStatus::Active),
    ] {
        let mut contract = upsert(&books, external, starts, recurring(None));
        contract.status = status;
        ids.push(put(&*db, &books, &contract).await.unwrap().id);
    }
    // Another account's contract is in none of the lists.
    let mut other = upsert(&books, "sc-9", "2030-05-01", recurring(None));
    other.account = books.second.id;
    put(&*db, &books, &other).await.unwrap();

    let list = |status, page| ContractQuery {
        status,
        page: PageRequest::new(page, 2),
    };
    let first = db.contracts(&scope, &list(None, 1)).await.unwrap();
    let numbers = |page: &portal_core::shared::Page<ServiceContract>| {
        page.items
            .iter()
            .map(|c| c.number.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(numbers(&first), ["SC-2", "SC-3"]);
    assert_eq!(first.total, 3);
    let second = db.contracts(&scope, &list(None, 2)).await.unwrap();
    assert_eq!(numbers(&second), ["SC-1"]);
    let past = db.contracts(&scope, &list(None, 5)).await.unwrap();
    assert!(past.items.is_empty());
    assert_eq!(past.total, 3, "a page past the end still counts the list");
    let active = db
        .contracts(&scope, &list(Some(ContractStatus::Active), 1))
        .await
        .unwrap();
    assert_eq!(numbers(&active), ["SC-3", "SC-1"]);
    let cancelled = db
        .contracts(&scope, &list(Some(ContractStatus::Cancelled), 1))
        .await
        .unwrap();
    assert_eq!(cancelled.total, 0);
}

async fn another_accounts_contract_is_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let stored = put(
        &*db,
        &books,
        &upsert(&books, "sc-1", "2030-01-01", recurring(None)),
    )
    .await
    .unwrap();
    assert!(
        db.contract(&books.scope(), stored.id)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        db.contract(&books.second_scope(), stored.id).await.unwrap(),
        None
    );
    assert_eq!(
        db.contract(&books.foreign_scope(), stored.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.contract(&books.scope(), ServiceContractId::new())
            .await
            .unwrap(),
        None
    );
    let second = db
        .contracts(&books.second_scope(), &ContractQuery::default())
        .await
        .unwrap();
    assert_eq!(second.total, 0);
    let other_tenant = books.foreign_scope().tenant();
    assert_eq!(
        db.contract_by_external_id(other_tenant, &stored.external_id)
            .await
            .unwrap(),
        None
    );
}

async fn the_database_refuses_a_block_used_past_its_hours_without_overage(db: TestDb) {
    let books = Books::new(&*db).await;
    let stored = put(
        &*db,
        &books,
        &upsert(&books, "tb-1", "2030-01-01", block(1_000, 500, false)),
    )
    .await
    .unwrap();
    // Core refuses it first; the table's check stops any other writer.
    let statement = "UPDATE service_contracts SET hours_used_hundredths = 1500";
    assert!(db.refuses(statement, statement).await);
    let allowed =
        "UPDATE service_contracts SET hours_used_hundredths = 1500, overage_allowed = true";
    assert!(
        !db.refuses(allowed, allowed).await,
        "with overage allowed it may"
    );
    let recurring_hours = "UPDATE service_contracts SET kind = 'recurring', schedule = 'Weekly'";
    assert!(
        db.refuses(recurring_hours, recurring_hours).await,
        "one kind's fields per row"
    );
    let kept = db
        .contract(&books.scope(), stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.terms, block(1_000, 1_500, true));
}
