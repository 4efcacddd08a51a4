//! Approving and declining with every port mocked: what each outcome
//! writes, and what a refusal must never touch (a mock without an
//! expectation fails the test when called).

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::access::{AccessError, ContactActor, Role, StaffActor};
use crate::billing::InvoiceLine;
use crate::ports::{MockQuoteStore, MockTenantStore};
use crate::quotes::{QuoteLine, QuoteStatus, QuotesConflict};
use crate::shared::{
    AccountId, Conflict, ContactId, Currency, ExternalId, FixedClock, Money, Reason, SessionId,
    TenantId,
};
use crate::tenancy::{PortalSettings, TenantSlug};
use crate::{Portal, Stores};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

struct Fixture {
    tenant: Tenant,
    account: AccountId,
    contact: ContactId,
    quotes: MockQuoteStore,
}

impl Fixture {
    fn new() -> Self {
        Self {
            tenant: Tenant {
                id: TenantId::new(),
                slug: TenantSlug::parse("acme").unwrap(),
                base_url: "https://acme.test/portal/".parse().unwrap(),
                settings: PortalSettings::default(),
            },
            account: AccountId::new(),
            contact: ContactId::new(),
            quotes: MockQuoteStore::new(),
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

    fn auth(&self, actor: Actor) -> AuthContext {
        let now = chrono::Utc::now();
        let contact = crate::identity::Contact {
            id: self.contact,
            tenant: self.tenant.id,
            external_id: ExternalId::parse("c").unwrap(),
            name: "Ada Lovelace".into(),
            email: None,
            phone: None,
            other_phones: Vec::new(),
            enabled: true,
            language: None,
        };
        let membership = crate::identity::Membership {
            account: self.account,
            account_number: "1001".into(),
            account_name: "Ada's Bakery".into(),
            role: Role::Primary,
            portal_enabled: true,
            has_history: true,
        };
        AuthContext {
            tenant: Arc::new(self.tenant.clone()),
            session: crate::identity::Session {
                id: SessionId::new(),
                tenant: self.tenant.id,
                contact: self.contact,
                active_account: self.account,
                token_hash: crate::identity::TokenHash::from_stored("00".into()),
                kind: crate::identity::SessionKind::Cookie,
                created_at: now,
                last_seen_at: now,
                idle_expires_at: now,
                absolute_expires_at: now,
                client: Default::default(),
                viewer: None,
            },
            actor,
            contact,
            memberships: vec![membership.clone()],
            membership,
        }
    }

    /// The account's quote, valid until `valid_until`, stored as `status`.
    fn detail(&self, status: QuoteStatus, valid_until: NaiveDate) -> QuoteDetail {
        let line = |cents, optional| QuoteLine {
            line: InvoiceLine {
                description: "Work".into(),
                quantity: Decimal::ONE,
                unit_price: Currency::USD.from_minor(cents),
                tax_rate: Decimal::ZERO,
            },
            optional,
        };
        let mut detail = QuoteDetail {
            quote: Quote {
                id: QuoteId::new(),
                account: self.account,
                external_id: ExternalId::parse("q-1").unwrap(),
                number: "Q-1".into(),
                title: "Lawn".into(),
                issued_on: day(1),
                valid_until,
                status,
                total: Money::from_minor(10_000, Currency::USD),
                approved_total: None,
                has_optional_lines: true,
                decided_at: None,
                content_sha256: String::new(),
            },
            scope_of_work: "Mow".into(),
            terms: "Net 30".into(),
            lines: vec![line(10_000, false), line(2_500, true)],
            approval: None,
            decline: None,
        };
        detail.quote.content_sha256 = detail.content_sha256(&[]);
        detail
    }

    fn serves(&mut self, detail: &QuoteDetail) {
        let served = detail.clone();
        self.quotes
            .expect_quote()
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
            quotes: Arc::new(self.quotes),

            ..Stores::mocks()
        };
        Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
            .clock(Arc::new(FixedClock::at(
                "2026-11-15T09:00:00Z".parse().unwrap(),
            )))
            .build()
    }
}

fn request(detail: &QuoteDetail, name: &str, lines: Vec<u32>) -> ApproveQuote {
    ApproveQuote {
        quote: detail.quote.id,
        signer_name: name.into(),
        comment: Some("Thanks".into()),
        po_number: Some("PO-77".into()),
        optional_lines: lines,
        shown_sha256: detail.quote.content_sha256.clone(),
    }
}

fn client() -> DecisionClient {
    DecisionClient {
        ip: "203.0.113.9".parse().unwrap(),
        user_agent: Some("Browser/1.0".into()),
    }
}

#[tokio::test]
async fn approving_keeps_the_evidence_and_tells_the_host_in_the_same_write() {
    let mut fixture = Fixture::new();
    let detail = fixture.detail(QuoteStatus::Pending, day(15));
    fixture.serves(&detail);
    let written = Arc::new(Mutex::new(None));
    let record = written.clone();
    let approved = detail.quote.clone();
    fixture.quotes.expect_approve_quote().times(1).returning(
        move |_, _, approval, today, messages| {
            assert_eq!(today, day(15), "the last valid day still approves");
            *record.lock().unwrap() = Some((approval.clone(), messages.to_vec()));
            Ok(approved.clone())
        },
    );
    let auth = fixture.auth(fixture.actor(Role::Primary));
    let portal = fixture.portal();
    portal
        .quotes()
        .approve(
            &auth,
            &request(&detail, " Ada Lovelace ", vec![1]),
            &client(),
        )
        .await
        .unwrap();
    let (record, messages) = written.lock().unwrap().take().unwrap();
    let approval = &record.approval;
    assert_eq!(approval.signer_name, "Ada Lovelace");
    assert_eq!(approval.contact_name, "Ada Lovelace");
    assert_eq!(approval.client_ip, "203.0.113.9");
    assert_eq!(approval.user_agent, "Browser/1.0");
    assert_eq!(approval.chosen_lines, vec![1]);
    assert_eq!(approval.content_sha256, detail.content_sha256(&[1]));
    assert_ne!(approval.content_sha256, detail.quote.content_sha256);
    assert_eq!(record.shown_sha256, detail.quote.content_sha256);
    assert_eq!(
        record.approved_total,
        Money::from_minor(12_500, Currency::USD)
    );
    assert!(matches!(
        messages.as_slice(),
        [OutboxMessage::Event(DomainEvent::QuoteApproved { chosen_lines, po_number: Some(po), .. }), OutboxMessage::Audit(audited)]
            if chosen_lines == &[1] && po == "PO-77"
                && audited.action == crate::audit::AuditAction::QuoteApproved
    ));
}

#[tokio::test]
async fn approving_without_a_name_reads_and_writes_nothing() {
    let fixture = Fixture::new();
    let detail = fixture.detail(QuoteStatus::Pending, day(30));
    let auth = fixture.auth(fixture.actor(Role::Primary));
    let portal = fixture.portal();
    let refused = portal
        .quotes()
        .approve(&auth, &request(&detail, "   ", vec![]), &client())
        .await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput {
            field: "signer_name",
            reason: Reason::Required,
            ..
        })
    ));
}

#[tokio::test]
async fn an_expired_decided_or_changed_quote_is_a_conflict_and_writes_nothing() {
    for (status, valid_until, changed) in [
        (QuoteStatus::Pending, day(14), false),
        (QuoteStatus::Approved, day(30), false),
        (QuoteStatus::Declined, day(30), false),
        (QuoteStatus::Pending, day(30), true),
    ] {
        let mut fixture = Fixture::new();
        let detail = fixture.detail(status, valid_until);
        fixture.serves(&detail);
        let auth = fixture.auth(fixture.actor(Role::Primary));
        let portal = fixture.portal();
        let mut asked = request(&detail, "Ada", vec![]);
        if changed {
            asked.shown_sha256 = "0".repeat(64);
        }
        let refused = portal.quotes().approve(&auth, &asked, &client()).await;
        let expected = match (status, changed) {
            (_, true) => QuotesConflict::Changed {
                number: "Q-1".into(),
            },
            (QuoteStatus::Pending, _) => QuotesConflict::Expired {
                number: "Q-1".into(),
            },
            (status, _) => QuotesConflict::AlreadyDecided {
                number: "Q-1".into(),
                approved: status == QuoteStatus::Approved,
            },
        };
        assert!(
            matches!(&refused, Err(PortalError::Conflict(Conflict::Quotes(got))) if *got == expected),
            "{status:?} {changed}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn a_required_line_cannot_be_ticked_as_optional() {
    let mut fixture = Fixture::new();
    let detail = fixture.detail(QuoteStatus::Pending, day(30));
    fixture.serves(&detail);
    let auth = fixture.auth(fixture.actor(Role::Primary));
    let portal = fixture.portal();
    let refused = portal
        .quotes()
        .approve(&auth, &request(&detail, "Ada", vec![0]), &client())
        .await;
    assert!(matches!(
        refused,
        Err(PortalError::InvalidInput {
            field: "optional_lines",
            ..
        })
    ));
}

#[tokio::test]
async fn declining_needs_a_reason_and_tells_the_host() {
    let mut fixture = Fixture::new();
    let detail = fixture.detail(QuoteStatus::Pending, day(30));
    fixture.serves(&detail);
    let declined = detail.quote.clone();
    fixture
        .quotes
        .expect_decline_quote()
        .times(1)
        .returning(move |_, _, decline, _, messages| {
            assert_eq!(decline.reason, "Too dear");
            assert!(matches!(
                messages,
                [OutboxMessage::Event(DomainEvent::QuoteDeclined { reason, .. }), OutboxMessage::Audit(audited)]
                    if reason == "Too dear" && audited.action == crate::audit::AuditAction::QuoteDeclined
            ));
            Ok(declined.clone())
        });
    let auth = fixture.auth(fixture.actor(Role::Primary));
    let portal = fixture.portal();
    let quotes = portal.quotes();
    assert!(matches!(
        quotes.decline(&auth, detail.quote.id, " ").await,
        Err(PortalError::InvalidInput {
            field: "reason",
            ..
        })
    ));
    quotes
        .decline(&auth, detail.quote.id, " Too dear ")
        .await
        .unwrap();
}

#[tokio::test]
async fn staff_and_roles_without_approval_cannot_decide() {
    let fixture = Fixture::new();
    let detail = fixture.detail(QuoteStatus::Pending, day(30));
    let staff = Actor::Staff(StaffActor {
        tenant: fixture.tenant.id,
        staff: "sam".into(),
        account: fixture.account,
        client: Default::default(),
    });
    let billing = fixture.actor(Role::Billing);
    let (staff, billing) = (fixture.auth(staff), fixture.auth(billing));
    let portal = fixture.portal();
    let asked = request(&detail, "Ada", vec![]);
    assert!(matches!(
        portal.quotes().approve(&staff, &asked, &client()).await,
        Err(PortalError::Forbidden(AccessError::ReadOnly))
    ));
    assert!(matches!(
        portal
            .quotes()
            .decline(&billing, detail.quote.id, "No")
            .await,
        Err(PortalError::Forbidden(AccessError::NotPermitted))
    ));
}

#[tokio::test]
async fn the_quotes_switch_turns_every_use_case_off() {
    let mut fixture = Fixture::new();
    fixture.tenant.settings.features.quotes = false;
    let actor = fixture.actor(Role::Primary);
    let portal = fixture.portal();
    let refused = portal.quotes().quotes(&actor, &QuoteQuery::default()).await;
    assert!(matches!(
        refused,
        Err(PortalError::Forbidden(AccessError::FeatureOff))
    ));
}
