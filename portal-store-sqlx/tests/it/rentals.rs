//! The rentals port's contracts: idempotent upserts by the host's id,
//! isolation, the lists, and call-offs that never ask for more than is
//! out (also under concurrency, from two stores on one database).

use std::sync::Arc;

use portal_core::access::AccountScope;
use portal_core::outbox::{DomainEvent, OutboxMessage};
use portal_core::ports::{Store, StoreError};
use portal_core::rentals::{
    CallOff, CallOffItem, ContractLine, ContractQuery, ContractStatus, RentalContractUpsert,
    RentalsConflict, ReservationItem, ReservationStatus, ReservationUpsert,
};
use portal_core::requests::{Reference, RequestDetails, RequestStatus, ServiceRequest};
use portal_core::shared::{
    Conflict, Currency, ExternalId, Money, PageRequest, RentalContractId, ServiceRequestId,
};

use crate::billing::Books;
use crate::harness::{TestDb, conformance, date, now};

conformance!(
    upserting_a_contract_twice_makes_one_and_a_change_replaces_its_lines,
    an_upsert_for_another_account_or_tenant_is_refused_and_writes_nothing,
    another_accounts_contract_and_call_off_are_not_found,
    a_call_off_is_written_with_its_event_and_never_beyond_what_is_out,
    concurrent_call_offs_for_the_last_items_give_exactly_one_success,
    items_out_and_reservations_list_in_pages,
    the_host_moves_a_call_off_and_a_collected_one_holds_nothing,
);

fn line(code: &str, out: u32, returned: u32) -> ContractLine {
    ContractLine {
        code: code.into(),
        name: format!("Item {code}"),
        quantity_out: out,
        quantity_returned: returned,
        out_since: date("2030-03-01"),
        rate: Some(Money::from_minor(8_500, Currency::USD)),
    }
}

fn contract(books: &Books, external: &str, lines: Vec<ContractLine>) -> RentalContractUpsert {
    RentalContractUpsert {
        external_id: ExternalId::parse(external).unwrap(),
        account: books.account.id,
        number: external.to_uppercase(),
        status: ContractStatus::Open,
        started_on: date("2030-03-01"),
        site: Some("14 Dock Road".into()),
        lines,
    }
}

/// A call-off as the rentals service writes it: a request of the kind
/// `call_off`.
fn call_off(
    books: &Books,
    contract: RentalContractId,
    code: &str,
    quantity: u32,
) -> ServiceRequest {
    ServiceRequest {
        id: ServiceRequestId::new(),
        account: books.account.id,
        details: RequestDetails::CallOff {
            contract: Reference {
                id: contract,
                label: "RC-1".into(),
            },
            items: vec![CallOffItem {
                code: code.into(),
                name: format!("Item {code}"),
                quantity,
            }],
            pickup_on: date("2030-03-10"),
            notes: "Gate 4".into(),
        },
        status: RequestStatus::Pending,
        host_note: String::new(),
        requested_by: books.contact.id,
        requested_at: now(),
        updated_at: now(),
        attachments: Vec::new(),
    }
}

fn event(request: &ServiceRequest) -> OutboxMessage {
    let call_off = CallOff::of(request.clone()).unwrap();
    OutboxMessage::Event(DomainEvent::RentalCallOffRequested {
        account: call_off.account,
        contract: call_off.contract,
        external_id: ExternalId::parse("rc-1").unwrap(),
        number: "RC-1".into(),
        call_off: call_off.id,
        contact: call_off.requested_by,
        items: call_off.items,
        pickup_on: call_off.pickup_on,
        notes: call_off.notes,
    })
}

async fn ask(
    store: &dyn Store,
    scope: &AccountScope,
    call_off: &ServiceRequest,
) -> Result<CallOff, StoreError> {
    let written = store
        .request_call_off(scope, call_off, &[event(call_off)])
        .await?;
    assert_eq!(&written, call_off, "the call-off is stored as asked");
    Ok(CallOff::of(written).unwrap())
}

async fn upserting_a_contract_twice_makes_one_and_a_change_replaces_its_lines(db: TestDb) {
    let books = Books::new(&*db).await;
    let upsert = contract(&books, "rc-1", vec![line("GEN", 3, 1), line("LIGHT", 2, 0)]);
    let first = db
        .upsert_rental_contract(books.tenant.id, &upsert, now())
        .await
        .unwrap();
    assert_eq!(first.items_out, 4);
    let again = db
        .upsert_rental_contract(books.tenant.id, &upsert, now())
        .await
        .unwrap();
    assert_eq!(again, first, "the same upsert leaves the same contract");
    assert_eq!(db.count("SELECT COUNT(*) FROM rental_contracts").await, 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM rental_contract_lines").await,
        2
    );
    let detail = db
        .rental_contract(&books.scope(), first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.lines, upsert.lines);

    let mut changed = upsert.clone();
    changed.status = ContractStatus::Closed;
    changed.lines = vec![line("GEN", 3, 3)];
    let updated = db
        .upsert_rental_contract(books.tenant.id, &changed, now())
        .await
        .unwrap();
    assert_eq!(updated.id, first.id, "updated in place");
    assert_eq!(
        (updated.status, updated.items_out),
        (ContractStatus::Closed, 0)
    );
    let detail = db
        .rental_contract(&books.scope(), first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.lines, changed.lines);
    assert_eq!(
        db.rental_contract_by_external_id(books.tenant.id, &upsert.external_id)
            .await
            .unwrap(),
        Some(updated)
    );
}

async fn an_upsert_for_another_account_or_tenant_is_refused_and_writes_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let upsert = contract(&books, "rc-1", vec![line("GEN", 3, 0)]);
    db.upsert_rental_contract(books.tenant.id, &upsert, now())
        .await
        .unwrap();
    let mut moved = upsert.clone();
    moved.account = books.second.id;
    moved.lines = vec![];
    assert!(matches!(
        db.upsert_rental_contract(books.tenant.id, &moved, now())
            .await,
        Err(StoreError::Conflict(Conflict::Rentals(
            RentalsConflict::OfAnotherAccount
        )))
    ));
    let mut foreign = contract(&books, "rc-2", vec![]);
    foreign.account = books.foreign.id;
    assert!(matches!(
        db.upsert_rental_contract(books.tenant.id, &foreign, now())
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM rental_contracts").await, 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM rental_contract_lines").await,
        1
    );

    let reservation = ReservationUpsert {
        external_id: ExternalId::parse("rs-1").unwrap(),
        account: books.account.id,
        number: "RS-1".into(),
        status: ReservationStatus::Pending,
        starts_on: date("2030-04-01"),
        ends_on: date("2030-04-03"),
        items: vec![ReservationItem {
            code: "GEN".into(),
            name: "Generator".into(),
            quantity: 1,
        }],
    };
    db.upsert_reservation(books.tenant.id, &reservation, now())
        .await
        .unwrap();
    let mut moved = reservation.clone();
    moved.account = books.second.id;
    assert!(matches!(
        db.upsert_reservation(books.tenant.id, &moved, now()).await,
        Err(StoreError::Conflict(Conflict::Rentals(
            RentalsConflict::OfAnotherAccount
        )))
    ));
    assert_eq!(
        db.count("SELECT COUNT(*) FROM rental_reservations").await,
        1
    );
}

async fn another_accounts_contract_and_call_off_are_not_found(db: TestDb) {
    let books = Books::new(&*db).await;
    let upsert = contract(&books, "rc-1", vec![line("GEN", 3, 0)]);
    let mine = db
        .upsert_rental_contract(books.tenant.id, &upsert, now())
        .await
        .unwrap();
    let asked = ask(&*db, &books.scope(), &call_off(&books, mine.id, "GEN", 1))
        .await
        .unwrap();
    let other = AccountScope::unchecked(books.tenant.id, books.second.id);
    assert_eq!(db.rental_contract(&other, mine.id).await.unwrap(), None);
    assert_eq!(
        db.request(&other, asked.id)
            .await
            .unwrap()
            .and_then(CallOff::of),
        None
    );
    assert_eq!(
        db.rental_contract(&books.scope(), RentalContractId::new())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        db.rental_contracts(&other, &ContractQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        db.items_out(&other, PageRequest::default())
            .await
            .unwrap()
            .total,
        0
    );
    let mut theirs = call_off(&books, mine.id, "GEN", 1);
    theirs.account = books.second.id;
    assert!(matches!(
        ask(&*db, &other, &theirs).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        db.set_request_status(
            books.foreign.tenant,
            asked.id,
            RequestStatus::Canceled,
            "",
            now()
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(db.count("SELECT COUNT(*) FROM service_requests").await, 1);
}

async fn a_call_off_is_written_with_its_event_and_never_beyond_what_is_out(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let upsert = contract(&books, "rc-1", vec![line("GEN", 5, 1)]);
    let rc = db
        .upsert_rental_contract(books.tenant.id, &upsert, now())
        .await
        .unwrap();
    let asked = ask(&*db, &scope, &call_off(&books, rc.id, "GEN", 3))
        .await
        .unwrap();
    assert_eq!(asked.status, RequestStatus::Pending);
    assert_eq!(asked.items[0].quantity, 3);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 1);
    // 5 out, 1 back, 3 asked: one more can go, two cannot.
    for (code, quantity) in [("GEN", 2), ("NOPE", 1)] {
        assert!(matches!(
            ask(&*db, &scope, &call_off(&books, rc.id, code, quantity)).await,
            Err(StoreError::Conflict(Conflict::Rentals(
                RentalsConflict::NotEnoughOut {
                    available: 0 | 1,
                    ..
                }
            )))
        ));
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM service_requests").await, 1);
    assert_eq!(db.count("SELECT COUNT(*) FROM service_requests").await, 1);
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox").await,
        1,
        "refusals write nothing"
    );
    ask(&*db, &scope, &call_off(&books, rc.id, "GEN", 1))
        .await
        .unwrap();
    let detail = db.rental_contract(&scope, rc.id).await.unwrap().unwrap();
    assert_eq!(detail.call_offs.len(), 2);
    assert_eq!(detail.available(&detail.lines[0]), 0);

    let mut closed = upsert.clone();
    closed.status = ContractStatus::Closed;
    db.upsert_rental_contract(books.tenant.id, &closed, now())
        .await
        .unwrap();
    assert!(matches!(
        ask(&*db, &scope, &call_off(&books, rc.id, "GEN", 1)).await,
        Err(StoreError::Conflict(Conflict::Rentals(
            RentalsConflict::ContractClosed { .. }
        )))
    ));
}

async fn concurrent_call_offs_for_the_last_items_give_exactly_one_success(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let other = db.another_store().await;
    for round in 0..5 {
        let upsert = contract(&books, &format!("rc-{round}"), vec![line("GEN", 2, 0)]);
        let rc = db
            .upsert_rental_contract(books.tenant.id, &upsert, now())
            .await
            .unwrap();
        let attempts = [db.store.clone(), other.clone()].map(|store: Arc<dyn Store>| {
            let asked = call_off(&books, rc.id, "GEN", 2);
            tokio::spawn(async move { ask(&*store, &scope, &asked).await })
        });
        let mut won = 0;
        for attempt in futures::future::join_all(attempts).await {
            match attempt.unwrap() {
                Ok(_) => won += 1,
                Err(StoreError::Conflict(Conflict::Rentals(RentalsConflict::NotEnoughOut {
                    available: 0,
                    ..
                }))) => {}
                Err(other) => panic!("unexpected refusal {other:?}"),
            }
        }
        assert_eq!(won, 1, "round {round}");
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM service_requests").await, 5);
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox").await, 5);
}

async fn items_out_and_reservations_list_in_pages(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let open = contract(
        &books,
        "rc-1",
        vec![line("A", 2, 0), line("B", 1, 1), line("C", 4, 1)],
    );
    db.upsert_rental_contract(books.tenant.id, &open, now())
        .await
        .unwrap();
    let mut closed = contract(&books, "rc-2", vec![line("D", 2, 0)]);
    closed.status = ContractStatus::Closed;
    db.upsert_rental_contract(books.tenant.id, &closed, now())
        .await
        .unwrap();

    let out = db.items_out(&scope, PageRequest::new(1, 1)).await.unwrap();
    assert_eq!(
        (out.total, out.items.len()),
        (2, 1),
        "B is all back, D is closed"
    );
    assert_eq!(out.items[0].line.code, "A");
    let second = db.items_out(&scope, PageRequest::new(2, 1)).await.unwrap();
    assert_eq!(second.items[0].line.code, "C");
    assert_eq!(
        db.items_out(&scope, PageRequest::new(9, 1))
            .await
            .unwrap()
            .total,
        2
    );

    let all = db
        .rental_contracts(&scope, &ContractQuery::default())
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.items[0].status, ContractStatus::Open, "open first");
    let only_closed = ContractQuery {
        status: Some(ContractStatus::Closed),
        page: PageRequest::default(),
    };
    let listed = db.rental_contracts(&scope, &only_closed).await.unwrap();
    assert_eq!((listed.total, listed.items[0].number.as_str()), (1, "RC-2"));

    for (external, starts) in [("rs-1", "2030-04-01"), ("rs-2", "2030-05-01")] {
        let reservation = ReservationUpsert {
            external_id: ExternalId::parse(external).unwrap(),
            account: books.account.id,
            number: external.to_uppercase(),
            status: ReservationStatus::Confirmed,
            starts_on: date(starts),
            ends_on: date(starts),
            items: vec![ReservationItem {
                code: "GEN".into(),
                name: "Generator".into(),
                quantity: 2,
            }],
        };
        db.upsert_reservation(books.tenant.id, &reservation, now())
            .await
            .unwrap();
    }
    let page = db
        .reservations(&scope, PageRequest::new(1, 1))
        .await
        .unwrap();
    assert_eq!(
        (page.total, page.items[0].number.as_str()),
        (2, "RS-2"),
        "latest first"
    );
    assert_eq!(page.items[0].items[0].quantity, 2);
    assert_eq!(
        db.reservations(&scope, PageRequest::new(5, 1))
            .await
            .unwrap()
            .total,
        2
    );
}

async fn the_host_moves_a_call_off_and_a_collected_one_holds_nothing(db: TestDb) {
    let books = Books::new(&*db).await;
    let scope = books.scope();
    let rc = db
        .upsert_rental_contract(
            books.tenant.id,
            &contract(&books, "rc-1", vec![line("GEN", 2, 0)]),
            now(),
        )
        .await
        .unwrap();
    let asked = ask(&*db, &scope, &call_off(&books, rc.id, "GEN", 2))
        .await
        .unwrap();
    let scheduled = db
        .set_request_status(
            books.tenant.id,
            asked.id,
            RequestStatus::Scheduled,
            "",
            now(),
        )
        .await
        .unwrap();
    assert_eq!(scheduled.status, RequestStatus::Scheduled);
    assert_eq!(CallOff::of(scheduled.clone()).unwrap().items, asked.items);
    assert!(
        ask(&*db, &scope, &call_off(&books, rc.id, "GEN", 1))
            .await
            .is_err()
    );
    db.set_request_status(
        books.tenant.id,
        asked.id,
        RequestStatus::Canceled,
        "",
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        db.request(&scope, asked.id)
            .await
            .unwrap()
            .and_then(CallOff::of)
            .unwrap()
            .status,
        RequestStatus::Canceled
    );
    ask(&*db, &scope, &call_off(&books, rc.id, "GEN", 2))
        .await
        .unwrap();
}
