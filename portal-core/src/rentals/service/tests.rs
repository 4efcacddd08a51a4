//! Rental use cases with every port mocked: what a call-off writes, and
//! what a refusal must never touch (a mock without an expectation fails
//! the test when called).

use std::sync::{Arc, Mutex};

use super::*;
use crate::access::{AccessError, ContactActor, Role, StaffActor};
use crate::ports::{MockRentalStore, MockTenantStore};
use crate::rentals::{CallOffLine, ContractLine, ContractStatus};
use crate::shared::{AccountId, ContactId, ExternalId, FixedClock, Reason, SessionId, TenantId};
use crate::tenancy::{PortalSettings, TenantSlug};
use crate::{Portal, Stores};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

struct Fixture {
    tenant: Tenant,
    account: AccountId,
    contact: ContactId,
    rentals: MockRentalStore,
}

impl Fixture {
    fn new() -> Self {
        let mut settings = PortalSettings::default();
        settings.features.rentals = true;
        Self {
            tenant: Tenant {
                id: TenantId::new(),
                slug: TenantSlug::parse("acme").unwrap(),
                base_url: "https://acme.test/portal/".parse().unwrap(),
                settings,
            },
            account: AccountId::new(),
            contact: ContactId::new(),
            rentals: MockRentalStore::new(),
        }
    }

    fn actor(&self, role: Role) -> Actor {
        Actor::Contact(ContactActor {
            tenant: self.tenant.id,
            contact: self.contact,
            account: self.account,
            role,
            session: SessionId::new(),
            client: Default::default(),
        })
    }

    fn contract(&self) -> ContractDetail {
        ContractDetail {
            contract: Contract {
                id: RentalContractId::new(),
                account: self.account,
                external_id: ExternalId::parse("rc-1").unwrap(),
                number: "RC-1".into(),
                status: ContractStatus::Open,
                started_on: day(1),
                site: None,
                items_out: 3,
                updated_at: chrono::Utc::now(),
            },
            lines: vec![ContractLine {
                code: "GEN".into(),
                name: "Generator".into(),
                quantity_out: 4,
                quantity_returned: 1,
                out_since: day(2),
                rate: None,
            }],
            call_offs: Vec::new(),
        }
    }

    fn serves(&mut self, detail: &ContractDetail) {
        let served = detail.clone();
        self.rentals
            .expect_rental_contract()
            .returning(move |_, _| Ok(Some(served.clone())));
    }

    fn portal(self) -> Portal {
        let mut tenants = MockTenantStore::new();
        let tenant = self.tenant.clone();
        tenants
            .expect_tenant()
            .returning(move |_| Ok(Some(tenant.clone())));
        let stores = Stores {
            tenants: Arc::new(tenants),
            rentals: Arc::new(self.rentals),
            ..Stores::mocks()
        };
        Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
            .clock(Arc::new(FixedClock::at(
                "2026-11-15T09:00:00Z".parse().unwrap(),
            )))
            .build()
    }
}

fn asking(detail: &ContractDetail, quantity: u32) -> CallOffRequest {
    CallOffRequest {
        contract: detail.contract.id,
        items: vec![CallOffLine {
            code: "GEN".into(),
            quantity,
        }],
        pickup_on: day(15),
        notes: "  Gate code 1234  ".into(),
    }
}

#[tokio::test]
async fn a_call_off_is_written_pending_with_its_host_event() {
    let mut fixture = Fixture::new();
    let detail = fixture.contract();
    fixture.serves(&detail);
    let written = Arc::new(Mutex::new(None));
    let record = written.clone();
    fixture
        .rentals
        .expect_request_call_off()
        .times(1)
        .returning(move |_, call_off, messages| {
            *record.lock().unwrap() = Some(messages.to_vec());
            Ok(call_off.clone())
        });
    let actor = fixture.actor(Role::Member);
    let (account, contact) = (fixture.account, fixture.contact);
    let portal = fixture.portal();
    let call_off = portal
        .rentals()
        .request_call_off(&actor, &asking(&detail, 3))
        .await
        .unwrap();
    assert_eq!(call_off.status, RequestStatus::Pending);
    assert_eq!(call_off.account, account);
    assert_eq!(call_off.requested_by, contact);
    assert_eq!(call_off.notes, "Gate code 1234");
    assert_eq!(call_off.items[0].name, "Generator");
    let messages = written.lock().unwrap().take().unwrap();
    assert!(matches!(
        messages.as_slice(),
        [OutboxMessage::Event(DomainEvent::RentalCallOffRequested { call_off: id, items, number, .. })]
            if *id == call_off.id && items[0].quantity == 3 && number == "RC-1"
    ));
}

#[tokio::test]
async fn calling_off_more_than_is_out_or_zero_writes_nothing() {
    for (quantity, expected) in [
        (4, Reason::OverOut { available: 3 }),
        (0, Reason::Malformed(crate::shared::Shape::WholeNumber)),
    ] {
        let mut fixture = Fixture::new();
        let detail = fixture.contract();
        fixture.serves(&detail);
        // No `expect_request_call_off`: writing would fail the test.
        let actor = fixture.actor(Role::Primary);
        let refused = fixture
            .portal()
            .rentals()
            .request_call_off(&actor, &asking(&detail, quantity))
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, PortalError::InvalidInput { field: "quantity", reason, .. } if *reason == expected),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn another_accounts_contract_is_not_found() {
    let mut fixture = Fixture::new();
    fixture
        .rentals
        .expect_rental_contract()
        .returning(|_, _| Ok(None));
    let detail = fixture.contract();
    let actor = fixture.actor(Role::Primary);
    let portal = fixture.portal();
    assert!(matches!(
        portal.rentals().contract(&actor, detail.contract.id).await,
        Err(PortalError::NotFound)
    ));
    assert!(matches!(
        portal
            .rentals()
            .request_call_off(&actor, &asking(&detail, 1))
            .await,
        Err(PortalError::NotFound)
    ));
}

#[tokio::test]
async fn the_switch_off_a_viewer_and_staff_cannot_call_off_and_nothing_is_read() {
    let mut off = Fixture::new();
    off.tenant.settings.features.rentals = false;
    let detail = off.contract();
    let actor = off.actor(Role::Primary);
    let refused = off
        .portal()
        .rentals()
        .contracts(&actor, &ContractQuery::default())
        .await;
    assert!(matches!(
        refused,
        Err(PortalError::Forbidden(AccessError::FeatureOff))
    ));

    let viewer = Fixture::new();
    let actor = viewer.actor(Role::Viewer);
    assert!(matches!(
        viewer
            .portal()
            .rentals()
            .request_call_off(&actor, &asking(&detail, 1))
            .await,
        Err(PortalError::Forbidden(AccessError::NotPermitted))
    ));

    let staff = Fixture::new();
    let actor = Actor::Staff(StaffActor {
        tenant: staff.tenant.id,
        staff: "sam".into(),
        account: staff.account,
        client: Default::default(),
    });
    assert!(matches!(
        staff
            .portal()
            .rentals()
            .request_call_off(&actor, &asking(&detail, 1))
            .await,
        Err(PortalError::Forbidden(_))
    ));
}
