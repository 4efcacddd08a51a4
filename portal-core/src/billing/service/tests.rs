//! Paying, with every port mocked: which store and gateway calls each
//! outcome makes, and which it must never make (a mock without an
//! expectation fails the test when called).

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;
use crate::access::{ContactActor, Role, StaffActor};
use crate::billing::{
    ChargeOutcome, IdempotencyKey, Invoice, InvoiceStatus, MethodChoice, MockPaymentGateway,
    PayRequest, Payment, PaymentDetail, PaymentKind, PaymentSource, PaymentStart, PaymentStatus,
    Settlement,
};
use crate::identity::AuthContext;
use crate::notifications::{Notification, Preferences, Recipient};
use crate::outbox::{DomainEvent, EmailKind, OutboxMessage};
use crate::ports::{
    MockAccountStore, MockAutopayStore, MockContactStore, MockCredentialStore, MockInvoiceStore,
    MockLedgerStore, MockLockoutStore, MockNotificationStore, MockPaymentMethodStore,
    MockPaymentStore, MockSessionStore, MockTenantStore, MockTokenStore,
};
use crate::shared::TenantId;
use crate::shared::{
    AccountId, ContactId, Currency, EmailAddress, ExternalId, FixedClock, InvoiceId, PaymentId,
    SessionId,
};
use crate::tenancy::{PortalSettings, Tenant, TenantSlug};
use crate::{Portal, Stores};

struct Mocks {
    tenant: Tenant,
    contact: ContactId,
    account: AccountId,
    invoices: MockInvoiceStore,
    ledger: MockLedgerStore,
    payments: MockPaymentStore,
    payment_methods: MockPaymentMethodStore,
    autopay: MockAutopayStore,
    gateway: MockPaymentGateway,
    contacts: MockContactStore,
    credentials: MockCredentialStore,
    lockouts: MockLockoutStore,
    sessions: MockSessionStore,
    tokens: MockTokenStore,
    accounts: MockAccountStore,
    notifications: MockNotificationStore,
}

/// What one `notify` call wrote: its key, feed entries and mails.
type Notified = Arc<Mutex<Vec<(String, Vec<Notification>, Vec<OutboxMessage>)>>>;

impl Mocks {
    fn new() -> Self {
        Self {
            tenant: Tenant {
                id: TenantId::new(),
                slug: TenantSlug::parse("acme").unwrap(),
                base_url: "https://acme.test/portal/".parse().unwrap(),
                settings: PortalSettings::default(),
            },
            contact: ContactId::new(),
            account: AccountId::new(),
            invoices: MockInvoiceStore::new(),
            ledger: MockLedgerStore::new(),
            payments: MockPaymentStore::new(),
            payment_methods: MockPaymentMethodStore::new(),
            autopay: MockAutopayStore::new(),
            gateway: MockPaymentGateway::new(),
            contacts: MockContactStore::new(),
            credentials: MockCredentialStore::new(),
            lockouts: MockLockoutStore::new(),
            sessions: MockSessionStore::new(),
            tokens: MockTokenStore::new(),
            accounts: MockAccountStore::new(),
            notifications: MockNotificationStore::new(),
        }
    }

    /// The account's contacts are the payer (primary), a colleague who
    /// handles billing and one who may not see billing; what notifying
    /// writes is recorded.
    fn notifies(&mut self) -> Notified {
        let person = |id: ContactId, name: &str| crate::identity::Contact {
            id,
            tenant: self.tenant.id,
            external_id: ExternalId::parse(name).unwrap(),
            name: name.into(),
            email: Some(EmailAddress::parse(&format!("{name}@example.com")).unwrap()),
            phone: None,
            other_phones: Vec::new(),
            enabled: true,
            language: None,
        };
        let recipients = vec![
            Recipient {
                contact: person(self.contact, "ada"),
                role: Role::Primary,
                preferences: Preferences::all_on(),
            },
            Recipient {
                contact: person(ContactId::new(), "grace"),
                role: Role::Billing,
                preferences: Preferences::all_on(),
            },
            Recipient {
                contact: person(ContactId::new(), "linus"),
                role: Role::Member,
                preferences: Preferences::all_on(),
            },
        ];
        self.notifications
            .expect_recipients()
            .returning(move |_, _| Ok(recipients.clone()));
        let notified: Notified = Arc::default();
        let record = notified.clone();
        self.notifications
            .expect_notify()
            .times(1)
            .returning(move |_, key, feed, mails, _| {
                record
                    .lock()
                    .unwrap()
                    .push((key.to_owned(), feed.to_vec(), mails.to_vec()));
                Ok(true)
            });
        notified
    }

    fn actor(&self) -> Actor {
        Actor::Contact(ContactActor {
            tenant: self.tenant.id,
            contact: self.contact,
            account: self.account,
            role: Role::Primary,
            session: SessionId::new(),
            client: Default::default(),
        })
    }

    /// The session the customer pays with. Its contact and membership are
    /// what the receipt needs, so paying reads neither (the contact and
    /// account stores have no expectations: a read would fail the test).
    fn auth(&self, actor: Actor) -> AuthContext {
        let now = chrono::Utc::now();
        let contact = crate::identity::Contact {
            id: actor.contact().unwrap_or(self.contact),
            tenant: self.tenant.id,
            external_id: ExternalId::parse("c").unwrap(),
            name: "Ada".into(),
            email: Some(EmailAddress::parse("ada@example.com").unwrap()),
            phone: None,
            other_phones: Vec::new(),
            enabled: true,
            language: None,
        };
        let membership = crate::identity::Membership {
            account: actor.account(),
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
                contact: contact.id,
                active_account: actor.account(),
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

    /// The account owes `invoices` (payable amounts in cents).
    fn owes(&mut self, invoices: Vec<Invoice>) {
        self.invoices
            .expect_unpaid_invoices()
            .returning(move |_, _| Ok(invoices.clone()));
    }

    /// The account's summary: `owed` cents unpaid, `credit` cents of
    /// account credit (read for credit and for a receipt's balance left).
    fn summary(&mut self, owed: i64, credit: i64) {
        self.ledger
            .expect_account_summary()
            .returning(move |_, currency, _| {
                Ok(crate::billing::AccountSummary {
                    current_balance: Money::from_minor(owed - credit, currency),
                    credit: Money::from_minor(credit, currency),
                    ..crate::billing::AccountSummary::zero(currency)
                })
            });
    }

    /// The key is new: no earlier attempt.
    fn fresh_key(&mut self) {
        self.payments
            .expect_payment_attempt()
            .returning(|_, _, _| Ok(None));
    }

    /// Starting the payment answers `start`, recording what was asked.
    fn begins(&mut self, start: PaymentStart) -> Arc<Mutex<Option<crate::billing::PaymentIntent>>> {
        self.fresh_key();
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        self.payments
            .expect_begin_payment()
            .times(1)
            .returning(move |_, intent| {
                *record.lock().unwrap() = Some(intent.clone());
                Ok(start.clone())
            });
        seen
    }

    /// The payment reads back as pending, and settling answers with the
    /// settlement applied; the messages written are recorded.
    /// The gateway charges once and succeeds; the returned slot holds what
    /// it was asked to charge.
    fn charge_succeeds(&mut self) -> Arc<Mutex<Option<crate::billing::ChargeRequest>>> {
        let charged = Arc::new(Mutex::new(None));
        let record = charged.clone();
        self.gateway
            .expect_charge()
            .times(1)
            .returning(move |request| {
                *record.lock().unwrap() = Some(request.clone());
                Ok(ChargeOutcome::Succeeded {
                    reference: "ch_1".into(),
                })
            });
        charged
    }

    fn settles(&mut self, amount: Decimal) -> Arc<Mutex<Vec<OutboxMessage>>> {
        let (account, contact) = (self.account, self.contact);
        self.payments
            .expect_tenant_payment()
            .returning(move |_, id| {
                Ok(Some(detail(
                    id,
                    account,
                    contact,
                    amount,
                    PaymentStatus::Pending,
                )))
            });
        let written = Arc::new(Mutex::new(Vec::new()));
        let record = written.clone();
        self.payments.expect_settle_payment().times(1).returning(
            move |_, id, settlement, _, messages| {
                record.lock().unwrap().extend(messages.iter().cloned());
                let status = match settlement {
                    Settlement::Succeeded { .. } => PaymentStatus::Succeeded,
                    Settlement::Failed { .. } => PaymentStatus::Failed,
                };
                Ok(detail(id, account, contact, amount, status))
            },
        );
        written
    }

    fn portal(self) -> (Portal, Tenant) {
        let mut tenants = MockTenantStore::new();
        let tenant = self.tenant.clone();
        let served = tenant.clone();
        tenants
            .expect_tenant()
            .returning(move |_| Ok(Some(served.clone())));
        let stores = Stores {
            tenants: Arc::new(tenants),
            accounts: Arc::new(self.accounts),
            contacts: Arc::new(self.contacts),
            credentials: Arc::new(self.credentials),
            lockouts: Arc::new(self.lockouts),
            sessions: Arc::new(self.sessions),
            tokens: Arc::new(self.tokens),
            invoices: Arc::new(self.invoices),
            ledger: Arc::new(self.ledger),
            payments: Arc::new(self.payments),
            payment_methods: Arc::new(self.payment_methods),
            autopay: Arc::new(self.autopay),
            notifications: Arc::new(self.notifications),
            ..Stores::mocks()
        };
        let portal =
            Portal::builder_with(stores, Arc::new(crate::identity::MockPasswordHasher::new()))
                .clock(Arc::new(FixedClock::at(
                    "2026-11-23T09:00:00Z".parse().unwrap(),
                )))
                .gateway(Arc::new(self.gateway))
                .build();
        (portal, tenant)
    }
}

fn usd(cents: i64) -> Decimal {
    Currency::USD.from_minor(cents)
}

fn money(cents: i64) -> Money {
    Money::from_minor(cents, Currency::USD)
}

fn invoice(account: AccountId, cents: i64) -> Invoice {
    Invoice {
        id: InvoiceId::new(),
        account,
        external_id: ExternalId::parse("inv").unwrap(),
        number: format!("INV-{cents}"),
        issued_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        due_on: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        subtotal: money(cents),
        tax: money(0),
        total: money(cents),
        amount_paid: money(0),
        amount_pending: money(0),
        status: InvoiceStatus::Open,
        has_host_pdf: false,
        memo: None,
        voided_at: None,
    }
}

fn detail(
    id: PaymentId,
    account: AccountId,
    contact: ContactId,
    amount: Decimal,
    status: PaymentStatus,
) -> PaymentDetail {
    PaymentDetail {
        payment: Payment {
            id,
            account,
            kind: PaymentKind::Payment,
            source: PaymentSource::Portal,
            status,
            amount: Money::new(amount, Currency::USD),
            applied: Money::zero(Currency::USD),
            method_label: Some("Card".into()),
            gateway_reference: None,
            failure: None,
            external_id: None,
            contact: Some(contact),
            memo: None,
            received_at: "2026-11-23T09:00:00Z".parse().unwrap(),
        },
        allocations: Vec::new(),
        credit: Vec::new(),
    }
}

fn pay_all(invoices: &[&Invoice], token: &str) -> PayRequest {
    PayRequest {
        idempotency_key: IdempotencyKey::parse("key-0000001").unwrap(),
        invoices: invoices.iter().map(|invoice| (invoice.id, None)).collect(),
        prepayment: None,
        method: MethodChoice::NewToken {
            token: crate::billing::CardToken::new(token),
            save: false,
        },
        use_credit: false,
    }
}

#[tokio::test]
async fn a_successful_payment_charges_once_under_the_payment_id_and_writes_receipt_and_event() {
    let mut mocks = Mocks::new();
    let (a, b) = (
        invoice(mocks.account, 10_000),
        invoice(mocks.account, 2_550),
    );
    mocks.owes(vec![a.clone(), b.clone()]);
    mocks.summary(12_550, 0);
    let intent = mocks.begins(PaymentStart::Started);
    let written = mocks.settles(usd(12_550));
    let notified = mocks.notifies();
    let charged = mocks.charge_succeeds();
    let auth = mocks.auth(mocks.actor());
    let (portal, _) = mocks.portal();

    let paid = portal
        .billing()
        .pay(&auth, pay_all(&[&a, &b], "tok_visa"))
        .await
        .unwrap();

    // Both contacts who see billing hear of it in their feed; only the
    // colleague is mailed, as the payer has the receipt.
    let notified = notified.lock().unwrap();
    let (key, feed, mails) = &notified[0];
    assert_eq!(key, &format!("payment-received:{}", paid.payment.id));
    assert_eq!(feed.len(), 2);
    assert!(feed.iter().all(
        |entry| entry.notice.kind() == crate::notifications::NotificationKind::PaymentReceived
    ));
    let mailed: Vec<_> = mails
        .iter()
        .map(|m| match m {
            OutboxMessage::Mail(mail) => mail.to.as_str().to_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(mailed, ["grace@example.com"]);

    assert_eq!(paid.payment.status, PaymentStatus::Succeeded);
    let intent = intent.lock().unwrap().clone().unwrap();
    let request = charged.lock().unwrap().clone().unwrap();
    assert_eq!(request.amount, Money::from_minor(12_550, Currency::USD));
    assert_eq!(intent.amount, Money::from_minor(12_550, Currency::USD));
    assert_eq!(request.idempotency_key, intent.id.to_string());
    assert_eq!(intent.allocations.len(), 2);
    let written = written.lock().unwrap();
    assert!(written.iter().any(|m| matches!(m, OutboxMessage::Mail(mail) if matches!(&mail.kind, EmailKind::PaymentReceipt(r) if r.link.starts_with("https://acme.test/portal/billing/payments/")))));
    // The receipt says what is left to pay once this payment is applied.
    assert!(written.iter().any(|m| matches!(m, OutboxMessage::Mail(mail) if matches!(&mail.kind, EmailKind::PaymentReceipt(r) if r.balance_after == Some(money(0))))));
    assert!(written.iter().any(|m| matches!(
        m,
        OutboxMessage::Event(DomainEvent::PaymentSucceeded { .. })
    )));
}

#[tokio::test]
async fn a_decline_settles_as_failed_with_the_customers_message_and_no_receipt() {
    let mut mocks = Mocks::new();
    let a = invoice(mocks.account, 10_000);
    mocks.owes(vec![a.clone()]);
    mocks.begins(PaymentStart::Started);
    let written = mocks.settles(usd(10_000));
    let notified = mocks.notifies();
    mocks.gateway.expect_charge().times(1).returning(|_| {
        Ok(ChargeOutcome::Declined {
            code: "card_declined".into(),
            message: "Your card was declined.".into(),
        })
    });
    let auth = mocks.auth(mocks.actor());
    let (portal, _) = mocks.portal();

    let paid = portal
        .billing()
        .pay(&auth, pay_all(&[&a], "tok_x"))
        .await
        .unwrap();

    assert_eq!(paid.payment.status, PaymentStatus::Failed);
    let (key, _, mails) = &notified.lock().unwrap()[0];
    assert_eq!(key, &format!("payment-failed:{}", paid.payment.id));
    assert_eq!(mails.len(), 1, "the colleague; the payer saw it fail");
    let written = written.lock().unwrap();
    assert!(written.iter().all(|m| !matches!(m, OutboxMessage::Mail(_))));
    let declined = PaymentFailure::Declined {
        message: "Your card was declined.".into(),
    };
    assert!(written.iter().any(|m| matches!(m, OutboxMessage::Event(DomainEvent::PaymentFailed { failure, .. }) if *failure == declined)));
}

#[tokio::test]
async fn a_timeout_leaves_the_payment_pending_and_never_settles() {
    let mut mocks = Mocks::new();
    let a = invoice(mocks.account, 10_000);
    mocks.owes(vec![a.clone()]);
    mocks.begins(PaymentStart::Started);
    let (account, contact) = (mocks.account, mocks.contact);
    mocks
        .payments
        .expect_tenant_payment()
        .returning(move |_, id| {
            Ok(Some(detail(
                id,
                account,
                contact,
                usd(10_000),
                PaymentStatus::Pending,
            )))
        });
    // No settle_payment expectation: settling would fail the test.
    mocks
        .gateway
        .expect_charge()
        .times(1)
        .returning(|_| Err(crate::billing::GatewayError::Timeout));
    let auth = mocks.auth(mocks.actor());
    let (portal, _) = mocks.portal();

    let paid = portal
        .billing()
        .pay(&auth, pay_all(&[&a], "tok_x"))
        .await
        .unwrap();
    assert_eq!(paid.payment.status, PaymentStatus::Pending);
}

#[tokio::test]
async fn a_repeated_key_is_answered_from_the_first_attempt_even_once_the_invoices_are_paid() {
    let mut mocks = Mocks::new();
    let a = invoice(mocks.account, 10_000);
    // The first attempt paid the invoice: nothing is payable any more, and
    // neither balances, nor the start, nor the gateway may be consulted.
    let first = detail(
        PaymentId::new(),
        mocks.account,
        mocks.contact,
        usd(10_000),
        PaymentStatus::Succeeded,
    );
    let answer = first.clone();
    mocks
        .payments
        .expect_payment_attempt()
        .times(1)
        .returning(move |_, _, _| Ok(Some(PaymentStart::Replay(answer.clone()))));
    let actor = mocks.actor();
    let auth = mocks.auth(actor.clone());
    let (portal, _) = mocks.portal();
    let again = portal
        .billing()
        .pay(&auth, pay_all(&[&a], "tok_x"))
        .await
        .unwrap();
    assert_eq!(again, first);
}

#[tokio::test]
async fn a_concurrent_retry_that_finds_the_invoices_paid_is_answered_from_the_first_attempt() {
    let mut mocks = Mocks::new();
    let a = invoice(mocks.account, 10_000);
    // Between the first lookup and reading the balances, the first request
    // with this key paid the invoice.
    mocks.owes(vec![]);
    let first = detail(
        PaymentId::new(),
        mocks.account,
        mocks.contact,
        usd(10_000),
        PaymentStatus::Succeeded,
    );
    let answer = first.clone();
    let mut lookups = 0;
    mocks
        .payments
        .expect_payment_attempt()
        .times(2)
        .returning(move |_, _, _| {
            lookups += 1;
            Ok((lookups == 2).then(|| PaymentStart::Replay(answer.clone())))
        });
    let actor = mocks.actor();
    let auth = mocks.auth(actor.clone());
    let (portal, _) = mocks.portal();
    let again = portal
        .billing()
        .pay(&auth, pay_all(&[&a], "tok_x"))
        .await
        .unwrap();
    assert_eq!(again, first);
}

#[tokio::test]
async fn a_key_reused_for_other_parameters_or_still_in_flight_is_refused_without_charging() {
    let pending = detail(
        PaymentId::new(),
        AccountId::new(),
        ContactId::new(),
        usd(1),
        PaymentStatus::Pending,
    );
    // Found before starting, and found by a start that lost a race.
    for (earlier, at_start) in [
        (PaymentStart::KeyReused, false),
        (PaymentStart::InProgress(pending.clone()), false),
        (PaymentStart::KeyReused, true),
        (PaymentStart::InProgress(pending), true),
    ] {
        let reused = earlier == PaymentStart::KeyReused;
        let mut mocks = Mocks::new();
        let a = invoice(mocks.account, 10_000);
        if at_start {
            mocks.owes(vec![a.clone()]);
            mocks.begins(earlier);
        } else {
            mocks
                .payments
                .expect_payment_attempt()
                .returning(move |_, _, _| Ok(Some(earlier.clone())));
        }
        let actor = mocks.actor();
        let auth = mocks.auth(actor.clone());
        let (portal, _) = mocks.portal();
        let error = portal
            .billing()
            .pay(&auth, pay_all(&[&a], "tok_x"))
            .await
            .unwrap_err();
        if reused {
            assert!(matches!(
                error,
                PortalError::InvalidInput {
                    field: "idempotency_key",
                    ..
                }
            ));
        } else {
            assert!(matches!(error, PortalError::Conflict(_)));
        }
    }
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_written_or_charged() {
    let mocks = Mocks::new();
    let a = invoice(mocks.account, 10_000);
    let cases: Vec<(PayRequest, &str)> = vec![
        // Part of an invoice while partial payment is off (the default).
        (
            PayRequest {
                invoices: vec![(a.id, Some(usd(5_000)))],
                ..pay_all(&[&a], "tok_x")
            },
            "amount",
        ),
        // More than the balance.
        (
            PayRequest {
                invoices: vec![(a.id, Some(usd(10_001)))],
                ..pay_all(&[&a], "tok_x")
            },
            "amount",
        ),
        // A negative amount.
        (
            PayRequest {
                invoices: vec![(a.id, Some(usd(-100)))],
                ..pay_all(&[&a], "tok_x")
            },
            "amount",
        ),
        // A card number instead of a token.
        (pay_all(&[&a], "4242424242424242"), "token"),
        // Nothing to pay.
        (pay_all(&[], "tok_x"), "invoices"),
    ];
    for (request, field) in cases {
        let mut mocks = Mocks::new();
        mocks.account = a.account;
        mocks.fresh_key();
        mocks.owes(vec![a.clone()]);
        let actor = mocks.actor();
        let auth = mocks.auth(actor.clone());
        let (portal, _) = mocks.portal();
        let error = portal.billing().pay(&auth, request).await.unwrap_err();
        assert!(
            matches!(&error, PortalError::InvalidInput { field: f, .. } if *f == field),
            "{field}: {error:?}"
        );
    }

    // A prepayment while the tenant does not take them.
    let mut mocks = Mocks::new();
    mocks.fresh_key();
    mocks.owes(vec![]);
    let actor = mocks.actor();
    let auth = mocks.auth(actor.clone());
    let (portal, _) = mocks.portal();
    let request = PayRequest {
        prepayment: Some(usd(5_000)),
        ..pay_all(&[], "tok_x")
    };
    assert!(matches!(
        portal.billing().pay(&auth, request).await,
        Err(PortalError::Forbidden(_))
    ));
}

#[tokio::test]
async fn absurd_credit_amounts_are_refused_before_any_arithmetic() {
    let mut mocks = Mocks::new();
    let (a, b) = (
        invoice(mocks.account, 10_000),
        invoice(mocks.account, 5_000),
    );
    mocks.owes(vec![a.clone(), b.clone()]);
    mocks
        .ledger
        .expect_account_summary()
        .returning(move |_, currency, _| {
            Ok(crate::billing::AccountSummary {
                current_balance: Money::zero(currency),
                past_due: Money::zero(currency),
                credit: Money::from_minor(1_000, currency),
                processing: Money::zero(currency),
                unpaid_invoices: 2,
                last_payment: None,
            })
        });
    let actor = mocks.actor();
    let (portal, _) = mocks.portal();
    let huge = Decimal::MAX;
    // No apply_credit expectation: writing would fail the test.
    let error = portal
        .billing()
        .apply_credit(&actor, &[(a.id, Some(huge)), (b.id, Some(huge))])
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        PortalError::InvalidInput {
            field: "amount",
            ..
        }
    ));
}

#[tokio::test]
async fn staff_and_roles_without_the_permission_cannot_pay() {
    let mocks = Mocks::new();
    let a = invoice(mocks.account, 10_000);
    let staff = Actor::Staff(StaffActor {
        tenant: mocks.tenant.id,
        staff: "kim@host".into(),
        account: mocks.account,
        client: Default::default(),
    });
    let viewer = Actor::Contact(ContactActor {
        tenant: mocks.tenant.id,
        contact: mocks.contact,
        account: mocks.account,
        role: Role::Viewer,
        session: SessionId::new(),
        client: Default::default(),
    });
    let sessions = [mocks.auth(staff), mocks.auth(viewer)];
    let (portal, _) = mocks.portal();
    for auth in sessions {
        assert!(matches!(
            portal.billing().pay(&auth, pay_all(&[&a], "tok_x")).await,
            Err(PortalError::Forbidden(_))
        ));
    }
}

#[tokio::test]
async fn a_webhook_with_a_bad_signature_settles_nothing() {
    let mocks = Mocks::new();
    let tenant = mocks.tenant.id;
    let mut stores_mocks = mocks;
    stores_mocks.gateway = MockPaymentGateway::new();
    stores_mocks
        .gateway
        .expect_verify_webhook()
        .returning(|_, _, _| Err(crate::billing::WebhookError::BadSignature));
    let (portal, _) = stores_mocks.portal();
    let error = portal
        .billing()
        .handle_payment_webhook(tenant, b"{}", "t=1,v1=00")
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        PortalError::InvalidInput {
            field: "signature",
            ..
        }
    ));
}

#[tokio::test]
async fn autopay_consent_must_quote_the_terms_shown() {
    let mut mocks = Mocks::new();
    mocks.tenant.settings.features.autopay = true;
    let actor = mocks.actor();
    let (portal, _) = mocks.portal();
    let error = portal
        .billing()
        .enrol_autopay(
            &actor,
            crate::shared::PaymentMethodId::new(),
            "The standard terms.",
            "stale-digest",
            true,
        )
        .await
        .unwrap_err();
    assert!(matches!(error, PortalError::Conflict(_)));
    // Without the customer's "I agree", nothing is even looked up.
    let error = portal
        .billing()
        .enrol_autopay(
            &actor,
            crate::shared::PaymentMethodId::new(),
            "The standard terms.",
            "stale-digest",
            false,
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        PortalError::InvalidInput {
            field: "consent",
            ..
        }
    ));
}

/// Two invoices (100.00 and 168.28) and 25.00 of credit, paid by a new
/// card with `use_credit` as asked: what the gateway is charged and what
/// the payment starts with.
async fn pay_with_credit(use_credit: bool) -> (crate::billing::PaymentIntent, Money) {
    let mut mocks = Mocks::new();
    let (a, b) = (
        invoice(mocks.account, 10_000),
        invoice(mocks.account, 16_828),
    );
    mocks.owes(vec![a.clone(), b.clone()]);
    mocks.summary(26_828, 2_500);
    let intent = mocks.begins(PaymentStart::Started);
    let charged_amount = if use_credit { 24_328 } else { 26_828 };
    mocks.settles(usd(charged_amount));
    mocks.notifies();
    let charged = mocks.charge_succeeds();
    let auth = mocks.auth(mocks.actor());
    let (portal, _) = mocks.portal();
    let request = PayRequest {
        use_credit,
        ..pay_all(&[&a, &b], "tok_visa")
    };
    portal.billing().pay(&auth, request).await.unwrap();
    let intent = intent.lock().unwrap().clone().unwrap();
    let charged = charged.lock().unwrap().as_ref().unwrap().amount;
    (intent, charged)
}

#[tokio::test]
async fn credit_kept_ticked_pays_first_and_the_card_is_charged_the_rest() {
    let (intent, charged) = pay_with_credit(true).await;
    assert_eq!(charged, money(24_328));
    assert_eq!(intent.amount, money(24_328));
    // The oldest invoice takes the credit; the card pays the rest of it
    // and all of the other.
    assert_eq!(intent.credit.len(), 1);
    assert_eq!(intent.credit[0].amount, money(2_500));
    let card: Vec<_> = intent.allocations.iter().map(|a| a.amount).collect();
    assert_eq!(card, vec![money(7_500), money(16_828)]);
}

#[tokio::test]
async fn credit_unticked_leaves_it_alone_and_the_card_pays_everything() {
    let (intent, charged) = pay_with_credit(false).await;
    assert_eq!(charged, money(26_828));
    assert!(intent.credit.is_empty());
    assert_eq!(intent.allocations.len(), 2);
}

#[tokio::test]
async fn credit_covering_everything_needs_no_card_and_starts_no_payment() {
    let mut mocks = Mocks::new();
    let a = invoice(mocks.account, 2_000);
    mocks.owes(vec![a.clone()]);
    mocks.summary(2_000, 2_500);
    mocks.fresh_key();
    // No begin_payment and no charge expectation: either fails the test.
    let auth = mocks.auth(mocks.actor());
    let (portal, _) = mocks.portal();
    let request = PayRequest {
        use_credit: true,
        // A blank card: not needed, so not looked at.
        ..pay_all(&[&a], "")
    };
    let error = portal.billing().pay(&auth, request).await.unwrap_err();
    assert!(matches!(
        error,
        PortalError::InvalidInput {
            field: "use_credit",
            reason: crate::shared::Reason::CoveredByCredit,
            ..
        }
    ));
}

#[tokio::test]
async fn the_review_shows_credit_used_the_card_charge_and_the_balance_left() {
    let mut mocks = Mocks::new();
    let (a, b) = (
        invoice(mocks.account, 10_000),
        invoice(mocks.account, 16_828),
    );
    mocks.owes(vec![a.clone(), b.clone()]);
    mocks.summary(26_828, 2_500);
    let actor = mocks.actor();
    let (portal, _) = mocks.portal();
    let request = PayRequest {
        use_credit: true,
        invoices: vec![(b.id, None)],
        ..pay_all(&[], "tok_visa")
    };
    let review = portal
        .billing()
        .review_payment(&actor, &request)
        .await
        .unwrap();
    assert_eq!(review.credit_used(), money(2_500));
    assert_eq!(review.amount, money(14_328));
    assert_eq!(review.credit_available, money(2_500));
    // 268.28 owed less 25.00 credit, less the 143.28 charged.
    assert_eq!(review.balance_after, money(10_000));
}

#[tokio::test]
async fn the_statement_balance_with_credit_is_what_is_owed_less_the_credit() {
    let mut mocks = Mocks::new();
    let (a, b) = (
        invoice(mocks.account, 10_000),
        invoice(mocks.account, 16_828),
    );
    mocks.owes(vec![a.clone(), b.clone()]);
    mocks.summary(26_828, 2_500);
    let actor = mocks.actor();
    let (portal, _) = mocks.portal();
    let preview = portal
        .billing()
        .preview_payment(&actor, None, true)
        .await
        .unwrap();
    assert_eq!(preview.amount, money(24_328));
    assert_eq!(preview.credit_used(), money(2_500));
    assert_eq!(preview.plan.allocated(), money(26_828));
    assert!(preview.plan.unallocated.is_zero());
    assert_eq!(preview.balance_after, money(0));
    let without = {
        let mut mocks = Mocks::new();
        mocks.owes(vec![a.clone(), b.clone()]);
        mocks.summary(26_828, 2_500);
        let actor = mocks.actor();
        let (portal, _) = mocks.portal();
        portal
            .billing()
            .preview_payment(&actor, None, false)
            .await
            .unwrap()
    };
    assert_eq!(without.amount, money(26_828));
    assert!(without.credit.is_empty());
}

#[tokio::test]
async fn credit_is_applied_with_online_payment_switched_off() {
    let mut mocks = Mocks::new();
    mocks.tenant.settings.features.online_payment = false;
    let a = invoice(mocks.account, 2_000);
    mocks.owes(vec![a.clone()]);
    mocks.summary(2_000, 2_500);
    mocks
        .payments
        .expect_apply_credit()
        .times(1)
        .returning(|_, _, _, _| Ok(()));
    let actor = mocks.actor();
    let (portal, _) = mocks.portal();
    portal
        .billing()
        .apply_credit(&actor, &[(a.id, None)])
        .await
        .unwrap();
    // Paying by card is what online payment switches off.
    assert!(matches!(
        portal.billing().payment_options(&actor).await,
        Err(PortalError::Forbidden(_))
    ));
}
