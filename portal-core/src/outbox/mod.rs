//! The outbox: mails and host events are written to it in the same
//! transaction as the change that causes them, then delivered by an
//! [`OutboxWorker`] with retries and backoff. A mail server or host that is
//! down loses nothing; several workers (one per portal process) never
//! deliver the same row twice because claiming a row is an atomic lease in
//! the store (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
//!
//! Messages carry intent and data, not rendered text: `portal-mail` renders
//! the templates at delivery, so changing a template needs no migration.
//!
//! Host events are delivered in order per account (per contact for the
//! few events about a contact alone, [`DomainEvent::stream`]): the store
//! hands out only the oldest undelivered event of each, so while one is
//! in flight or waiting for its retry the later ones wait too. Every
//! attempt at delivering an event is kept in a delivery log
//! ([`EventDelivery`]) the host reads, and the host may ask for an event
//! to be delivered again ([`crate::HostApi::replay_event`]).

mod host;
mod ports;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockOutboxStore;
pub use ports::OutboxStore;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::ports::StoreError;
use rust_decimal::Decimal;

use crate::billing::{Allocation, PaymentFailure};
use crate::identity::Contact;
use crate::shared::{
    AccountId, AutopayId, Clock, ContactId, Currency, EmailAddress, EventId, ExternalId, InvoiceId,
    Language, LeaseId, Money, OutboxId, PaymentId, PaymentMethodId, PhoneNumber, QuoteId,
    RentalContractId, ServiceRequestId, TenantId,
};
use crate::shared::{Formats, Locale};
use crate::tenancy::Tenant;
use uuid::Uuid;

/// What a change writes besides itself, in its own transaction: mail and
/// host events to deliver after it commits (the outbox), and the audit
/// log's entry recording it. Every store method that takes messages
/// writes them all or none, with the change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutboxMessage {
    /// A mail to a customer.
    Mail(Email),
    /// An event for the host.
    Event(DomainEvent),
    /// An entry of the audit log: written to the log, never delivered.
    Audit(Box<crate::audit::AuditEntry>),
}

/// A mail to send: who to, the tenant's branding, and what it says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Email {
    /// Recipient.
    pub to: EmailAddress,
    /// Recipient's name, for the greeting.
    pub to_name: String,
    /// The business's display name; mails come "from" it.
    pub business_name: String,
    /// Where replies should go: the business's contact e-mail.
    pub reply_to: Option<EmailAddress>,
    /// The language it is written in: the contact's choice, else the
    /// tenant's default (rows stored before languages read as English).
    #[serde(default)]
    pub language: Language,
    /// What the mail is about.
    pub kind: EmailKind,
    /// The tenant's locale: how the mail writes money and dates (mail
    /// queued by older versions has none, and reads as `en-US`).
    #[serde(default, skip_serializing_if = "is_en_us")]
    pub locale: Locale,
    /// The tenant's IANA time zone: the mail's times are in it (older
    /// mail: UTC).
    #[serde(default = "utc", skip_serializing_if = "is_utc")]
    pub time_zone: String,
}

fn utc() -> String {
    "UTC".to_owned()
}

// Defaults are left out when stored, so mail reads as it did before.
fn is_en_us(locale: &Locale) -> bool {
    *locale == Locale::default()
}

fn is_utc(zone: &str) -> bool {
    zone == "UTC"
}

impl Email {
    /// How this mail writes money and dates: amounts the tenant's way,
    /// dates in the mail's language, in the tenant's zone (UTC when it is
    /// not a known one).
    pub fn formats(&self) -> std::sync::Arc<Formats> {
        Formats::for_reader(
            &self.locale,
            self.language,
            self.time_zone.parse().unwrap_or(chrono_tz::UTC),
        )
    }
}

impl Email {
    /// A mail of `kind` to `contact` at `to`, from `tenant`, in the contact's
    /// language (the tenant's default when they have not chosen).
    pub fn for_contact(
        tenant: &Tenant,
        contact: &Contact,
        to: EmailAddress,
        kind: EmailKind,
    ) -> Self {
        Email {
            to,
            to_name: contact.name.clone(),
            business_name: tenant.settings.display_name.clone(),
            reply_to: tenant.settings.contact.email.clone(),
            language: contact.language.unwrap_or(tenant.settings.language),
            kind,
            locale: tenant.settings.locale(),
            time_zone: tenant.settings.time_zone().name().to_owned(),
        }
    }
}

/// The kinds of mail the portal sends, each with its own template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EmailKind {
    /// Registering by e-mail on file: a link to set the first password.
    SetPassword {
        /// The absolute link, built from the tenant's base URL.
        link: String,
        /// When the link stops working.
        expires_at: DateTime<Utc>,
    },
    /// Forgot password: a link to choose a new one.
    ResetPassword {
        /// The absolute link.
        link: String,
        /// When the link stops working.
        expires_at: DateTime<Utc>,
    },
    /// An invitation to the portal.
    Invitation {
        /// The absolute link.
        link: String,
        /// When the link stops working.
        expires_at: DateTime<Utc>,
        /// Who invited, when a colleague did.
        invited_by: Option<String>,
    },
    /// The password was changed: a notice, in case it was not them.
    PasswordChanged {
        /// When it changed.
        changed_at: DateTime<Utc>,
    },
    /// A contact asked to change their e-mail to this one: a link (to the
    /// new address) that confirms it.
    ConfirmEmail {
        /// The absolute link.
        link: String,
        /// When the link stops working.
        expires_at: DateTime<Utc>,
    },
    /// The contact's e-mail was changed: a notice to the old address, in
    /// case it was not them.
    EmailChanged {
        /// The new address.
        new_email: EmailAddress,
        /// When it changed.
        changed_at: DateTime<Utc>,
    },
    /// A payment went through: the receipt (boxed: it is by far the
    /// largest mail).
    PaymentReceipt(Box<Receipt>),
    /// A notification: something happened on the account (boxed, like
    /// the receipt).
    Notice(Box<NoticeMail>),
}

/// What a notification mail carries: the notice, the page it is about,
/// and the signed link that turns its kind off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoticeMail {
    /// What happened.
    pub notice: crate::notifications::Notice,
    /// The page in the portal it is about (absolute).
    pub link: String,
    /// The link that turns this kind of mail off without logging in
    /// (absolute, with its signed token).
    pub unsubscribe: String,
}

/// What a payment receipt says. Stored as JSON in the outbox in the
/// shape it always had (`amount`, `currency`, each allocation's and the
/// credit's amount as decimal strings), so rows written before
/// [`Money`] still read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "ReceiptWire", into = "ReceiptWire")]
pub struct Receipt {
    /// The payment.
    pub payment: PaymentId,
    /// The account's name and number.
    pub account: String,
    /// How much was paid, in what.
    pub amount: Money,
    /// How ("Visa ending 4242").
    pub method_label: String,
    /// The gateway's reference.
    pub reference: String,
    /// When.
    pub paid_at: DateTime<Utc>,
    /// Which invoices it paid, and how much of each.
    pub allocations: Vec<Allocation>,
    /// What became account credit.
    pub credit: Money,
    /// Account credit applied with the payment, per invoice.
    pub credit_used: Vec<Allocation>,
    /// The account's balance once paid (negative: in credit), when known
    /// (receipts queued by older versions have none).
    pub balance_after: Option<Money>,
    /// The receipt page in the portal.
    pub link: String,
}

/// [`Receipt`] as the outbox stores it: one `currency` for every amount.
#[derive(Serialize, Deserialize)]
struct ReceiptWire {
    payment: PaymentId,
    account: String,
    amount: Decimal,
    currency: Currency,
    method_label: String,
    reference: String,
    paid_at: DateTime<Utc>,
    allocations: Vec<MessageAllocation>,
    credit: Decimal,
    // Left out when empty, so a receipt without them keeps its old shape.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    credit_used: Vec<MessageAllocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    balance_after: Option<Decimal>,
    link: String,
}

impl From<ReceiptWire> for Receipt {
    fn from(wire: ReceiptWire) -> Self {
        let currency = wire.currency;
        Self {
            payment: wire.payment,
            account: wire.account,
            amount: Money::new(wire.amount, currency),
            method_label: wire.method_label,
            reference: wire.reference,
            paid_at: wire.paid_at,
            allocations: wire
                .allocations
                .into_iter()
                .map(|allocation| allocation.in_currency(currency))
                .collect(),
            credit: Money::new(wire.credit, currency),
            credit_used: wire
                .credit_used
                .into_iter()
                .map(|allocation| allocation.in_currency(currency))
                .collect(),
            balance_after: wire
                .balance_after
                .map(|balance| Money::new(balance, currency)),
            link: wire.link,
        }
    }
}

impl From<Receipt> for ReceiptWire {
    fn from(receipt: Receipt) -> Self {
        Self {
            payment: receipt.payment,
            account: receipt.account,
            amount: receipt.amount.amount(),
            currency: receipt.amount.currency(),
            method_label: receipt.method_label,
            reference: receipt.reference,
            paid_at: receipt.paid_at,
            allocations: receipt
                .allocations
                .iter()
                .map(MessageAllocation::from)
                .collect(),
            credit: receipt.credit.amount(),
            credit_used: receipt
                .credit_used
                .iter()
                .map(MessageAllocation::from)
                .collect(),
            balance_after: receipt.balance_after.map(|balance| balance.amount()),
            link: receipt.link,
        }
    }
}

/// A share of a payment as stored messages carry it: the amount is a
/// decimal string in the currency the message names (a host event's
/// `currency`, or the tenant's where the event has none), the shape
/// [`Allocation`] had before it carried [`Money`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageAllocation {
    /// The invoice.
    pub invoice: InvoiceId,
    /// Its number, for people.
    pub invoice_number: String,
    /// How much.
    pub amount: Decimal,
}

impl MessageAllocation {
    /// The share as [`Allocation`], its amount in `currency`.
    pub fn in_currency(self, currency: Currency) -> Allocation {
        Allocation {
            invoice: self.invoice,
            invoice_number: self.invoice_number,
            amount: Money::new(self.amount, currency),
        }
    }
}

impl From<&Allocation> for MessageAllocation {
    fn from(allocation: &Allocation) -> Self {
        Self {
            invoice: allocation.invoice,
            invoice_number: allocation.invoice_number.clone(),
            amount: allocation.amount.amount(),
        }
    }
}

/// Something that happened that the host may want to act on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum DomainEvent {
    /// A contact set their first password (registration or invitation).
    ContactRegistered {
        /// Who.
        contact: ContactId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A contact changed their own name, phones or (once confirmed from
    /// the new address) e-mail in the portal; the host should copy them
    /// into its records, or its next contact upsert puts its own back.
    ContactDetailsChanged {
        /// Who.
        contact: ContactId,
        /// Their name now.
        name: String,
        /// Their e-mail now.
        email: Option<EmailAddress>,
        /// Their phone now.
        phone: Option<crate::shared::PhoneNumber>,
        /// Their other numbers now.
        #[serde(default)]
        other_phones: Vec<crate::identity::OtherPhone>,
    },
    /// A contact changed or reset their password.
    PasswordChanged {
        /// Who.
        contact: ContactId,
        /// When.
        at: DateTime<Utc>,
    },
    /// Log-in to a contact was locked after repeated failures from one
    /// client (a recognised browser, or an address) or from all
    /// unrecognised clients together; sent each time a lock engages.
    ContactLockedOut {
        /// Who.
        contact: ContactId,
        /// Until when.
        until: DateTime<Utc>,
    },
    /// The portal was switched on or off for an account.
    PortalAccessChanged {
        /// Which account.
        account: AccountId,
        /// On or off.
        enabled: bool,
    },
    /// A customer changed custom fields of an account (the ones the tenant
    /// lets customers edit); the host should copy them into its records,
    /// or its next account upsert will put its own values back.
    CustomFieldsChanged {
        /// Which account.
        account: AccountId,
        /// Who.
        contact: ContactId,
        /// The fields changed, with their new values.
        fields: std::collections::BTreeMap<String, String>,
    },
    /// A payment in the portal succeeded.
    PaymentSucceeded {
        /// Which account.
        account: AccountId,
        /// The payment.
        payment: PaymentId,
        /// How much.
        amount: Decimal,
        /// In what.
        currency: Currency,
        /// Which invoices it paid.
        allocations: Vec<MessageAllocation>,
        /// The gateway's reference.
        reference: String,
    },
    /// A payment in the portal was declined or failed.
    PaymentFailed {
        /// Which account.
        account: AccountId,
        /// The payment.
        payment: PaymentId,
        /// Why. (Events written before failures were typed hold the
        /// sentence the customer saw, under `message`.)
        #[serde(alias = "message")]
        failure: PaymentFailure,
    },
    /// Account credit was applied to invoices by a customer.
    CreditApplied {
        /// Which account.
        account: AccountId,
        /// Who.
        contact: ContactId,
        /// Which invoices, how much of each.
        allocations: Vec<MessageAllocation>,
    },
    /// A card was put on file.
    PaymentMethodAdded {
        /// Which account.
        account: AccountId,
        /// The method.
        method: PaymentMethodId,
        /// Who.
        contact: ContactId,
    },
    /// A card was removed.
    PaymentMethodRemoved {
        /// Which account.
        account: AccountId,
        /// The method.
        method: PaymentMethodId,
        /// Who.
        contact: ContactId,
    },
    /// The default card changed.
    DefaultPaymentMethodChanged {
        /// Which account.
        account: AccountId,
        /// The new default.
        method: PaymentMethodId,
        /// Who.
        contact: ContactId,
    },
    /// A contact enrolled the account in autopay.
    AutopayEnrolled {
        /// Which account.
        account: AccountId,
        /// The consent record.
        consent: AutopayId,
        /// The method to charge.
        method: PaymentMethodId,
        /// Who consented.
        contact: ContactId,
    },
    /// A contact withdrew the autopay consent.
    AutopayWithdrawn {
        /// Which account.
        account: AccountId,
        /// The consent record.
        consent: AutopayId,
        /// Who withdrew it.
        contact: ContactId,
    },
    /// A customer approved a quote (the certificate in the portal has the
    /// evidence).
    QuoteApproved {
        /// Which account.
        account: AccountId,
        /// The quote.
        quote: QuoteId,
        /// The host's id of it.
        external_id: ExternalId,
        /// Its number.
        number: String,
        /// Who approved.
        contact: ContactId,
        /// The full name they signed with.
        signer_name: String,
        /// Their comment.
        comment: Option<String>,
        /// Their purchase-order number.
        po_number: Option<String>,
        /// The optional lines they chose (positions from 0, in the order
        /// the host sent the lines).
        chosen_lines: Vec<u32>,
        /// What the approved selection comes to.
        total: Decimal,
        /// In what.
        currency: Currency,
        /// SHA-256 (hex) of the exact content approved.
        content_sha256: String,
    },
    /// A customer declined a quote.
    QuoteDeclined {
        /// Which account.
        account: AccountId,
        /// The quote.
        quote: QuoteId,
        /// The host's id of it.
        external_id: ExternalId,
        /// Its number.
        number: String,
        /// Who declined.
        contact: ContactId,
        /// Why.
        reason: String,
    },
    /// A customer asked for rented items to be called off rent (picked
    /// up): a service request of the kind `call_off`. Answer with
    /// `portal.host().set_request_status(..)` and the call-off's id.
    RentalCallOffRequested {
        /// Which account.
        account: AccountId,
        /// The contract.
        contract: RentalContractId,
        /// The host's id of the contract.
        external_id: ExternalId,
        /// Its number.
        number: String,
        /// The call-off.
        call_off: ServiceRequestId,
        /// Who asked.
        contact: ContactId,
        /// The items and quantities, by the contract's item codes.
        items: Vec<crate::rentals::CallOffItem>,
        /// When the items can be picked up.
        pickup_on: chrono::NaiveDate,
        /// The customer's notes.
        notes: String,
    },
    /// A customer made a service request: "request service" or a kind
    /// the host declared (a call-off has its own event,
    /// [`DomainEvent::RentalCallOffRequested`]). Answer with
    /// `portal.host().set_request_status(..)` and the request's id.
    ServiceRequested {
        /// Which account.
        account: AccountId,
        /// The request.
        request: ServiceRequestId,
        /// Who asked.
        contact: ContactId,
        /// What was asked, typed per kind (`kind`: `service` or the
        /// host's key).
        details: crate::requests::RequestDetails,
        /// How many files the customer attached (read them with
        /// `portal.host().request_attachment(..)`); 0 in events written
        /// before requests took files.
        #[serde(default)]
        attachments: u32,
    },
    /// A customer opened a ticket. Answer with
    /// `portal.host().reply_to_ticket(..)` and the ticket's id.
    TicketOpened {
        /// Which account.
        account: AccountId,
        /// The ticket.
        ticket: crate::shared::TicketId,
        /// Its number.
        number: u64,
        /// Who opened it.
        contact: ContactId,
        /// The category's key.
        category: String,
        /// Who the tenant's policy assigned it to.
        assignee: Option<String>,
        /// The job or visit it is about.
        job: Option<crate::shared::JobId>,
        /// The opening text.
        body: String,
        /// How many files came with it.
        attachments: u32,
    },
    /// A customer replied on a ticket (which is open again).
    TicketReplied {
        /// Which account.
        account: AccountId,
        /// The ticket.
        ticket: crate::shared::TicketId,
        /// The reply.
        message: crate::shared::TicketMessageId,
        /// Who wrote it.
        contact: ContactId,
        /// What they wrote.
        body: String,
        /// How many files came with it.
        attachments: u32,
    },
    /// A customer reopened a closed ticket.
    TicketReopened {
        /// Which account.
        account: AccountId,
        /// The ticket.
        ticket: crate::shared::TicketId,
        /// Who reopened it.
        contact: ContactId,
    },
    /// A customer canceled a request of theirs (any kind, a call-off
    /// too) while it was still pending: the host need not act on it.
    /// Written in the same transaction as the request's status.
    ServiceRequestCanceled {
        /// Which account.
        account: AccountId,
        /// The request (the id its `ServiceRequested` or
        /// `RentalCallOffRequested` event carried).
        request: ServiceRequestId,
        /// Who canceled it.
        contact: ContactId,
        /// Its kind's key: `service`, `call_off` or the host's.
        kind: String,
    },
    /// A manager added a contact to the account (access on, invited).
    /// The portal made its external id (`portal-<uuid>`): the host
    /// should create the person in its records under that id.
    ContactAdded {
        /// Which account.
        account: AccountId,
        /// The new contact.
        contact: ContactId,
        /// The id the portal gave it for the host.
        external_id: ExternalId,
        /// Full name.
        name: String,
        /// E-mail.
        email: EmailAddress,
        /// Phone, if given.
        phone: Option<PhoneNumber>,
        /// Role on the account.
        role: crate::access::Role,
        /// The manager who added them.
        by: ContactId,
    },
    /// A manager changed a contact's name, e-mail or phone (a role change
    /// made in the same edit comes as its own `ContactRoleChanged`).
    ContactUpdated {
        /// Which account the manager acted on.
        account: AccountId,
        /// The contact.
        contact: ContactId,
        /// The contact's external id.
        external_id: ExternalId,
        /// Full name now.
        name: String,
        /// E-mail now.
        email: EmailAddress,
        /// Phone now.
        phone: Option<PhoneNumber>,
        /// The manager.
        by: ContactId,
    },
    /// A manager changed a contact's role on the account.
    ContactRoleChanged {
        /// Which account.
        account: AccountId,
        /// The contact.
        contact: ContactId,
        /// The contact's external id.
        external_id: ExternalId,
        /// The new role.
        role: crate::access::Role,
        /// The manager.
        by: ContactId,
    },
    /// A manager switched a contact's access to the account's portal on
    /// (an invitation goes out if they have no password) or off (their
    /// sessions on the account ended).
    ContactPortalAccessChanged {
        /// Which account.
        account: AccountId,
        /// The contact.
        contact: ContactId,
        /// The contact's external id.
        external_id: ExternalId,
        /// On or off.
        enabled: bool,
        /// The manager.
        by: ContactId,
    },
    /// A manager removed a contact from the account (the membership; the
    /// person stays, with any other accounts).
    ContactRemoved {
        /// Which account.
        account: AccountId,
        /// The contact.
        contact: ContactId,
        /// The contact's external id.
        external_id: ExternalId,
        /// The manager.
        by: ContactId,
    },
}

/// Whom a host event is about: an account, or for the few events about a
/// contact alone (registering, passwords, locks), that contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventSubject {
    /// An account.
    Account(AccountId),
    /// A contact alone.
    Contact(ContactId),
}

impl DomainEvent {
    /// Whom the event is about.
    pub fn subject(&self) -> EventSubject {
        match self {
            DomainEvent::ContactRegistered { contact, .. }
            | DomainEvent::ContactDetailsChanged { contact, .. }
            | DomainEvent::PasswordChanged { contact, .. }
            | DomainEvent::ContactLockedOut { contact, .. } => EventSubject::Contact(*contact),
            DomainEvent::PortalAccessChanged { account, .. }
            | DomainEvent::CustomFieldsChanged { account, .. }
            | DomainEvent::PaymentSucceeded { account, .. }
            | DomainEvent::PaymentFailed { account, .. }
            | DomainEvent::CreditApplied { account, .. }
            | DomainEvent::PaymentMethodAdded { account, .. }
            | DomainEvent::PaymentMethodRemoved { account, .. }
            | DomainEvent::DefaultPaymentMethodChanged { account, .. }
            | DomainEvent::AutopayEnrolled { account, .. }
            | DomainEvent::AutopayWithdrawn { account, .. }
            | DomainEvent::QuoteApproved { account, .. }
            | DomainEvent::QuoteDeclined { account, .. }
            | DomainEvent::RentalCallOffRequested { account, .. }
            | DomainEvent::ServiceRequested { account, .. }
            | DomainEvent::TicketOpened { account, .. }
            | DomainEvent::TicketReplied { account, .. }
            | DomainEvent::TicketReopened { account, .. }
            | DomainEvent::ServiceRequestCanceled { account, .. }
            | DomainEvent::ContactAdded { account, .. }
            | DomainEvent::ContactUpdated { account, .. }
            | DomainEvent::ContactRoleChanged { account, .. }
            | DomainEvent::ContactPortalAccessChanged { account, .. }
            | DomainEvent::ContactRemoved { account, .. } => EventSubject::Account(*account),
        }
    }

    /// The account the event is about, if it is about one.
    pub fn account(&self) -> Option<AccountId> {
        match self.subject() {
            EventSubject::Account(account) => Some(account),
            EventSubject::Contact(_) => None,
        }
    }

    /// The stream the event is delivered in order within: the id of its
    /// [`subject`](Self::subject). Ids are UUIDs, so an account's stream
    /// and a contact's never meet.
    pub fn stream(&self) -> Uuid {
        match self.subject() {
            EventSubject::Account(account) => account.as_uuid(),
            EventSubject::Contact(contact) => contact.as_uuid(),
        }
    }

    /// The event's type as the outbox and webhooks name it
    /// (`payment_succeeded`, ...).
    pub fn kind(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut fields)) => match fields.remove("event") {
                Some(serde_json::Value::String(kind)) => kind,
                _ => String::new(),
            },
            _ => String::new(),
        }
    }
}

impl OutboxMessage {
    /// The message with every link replaced by `[redacted]`: what the store
    /// keeps once a mail is delivered or given up on, so no usable
    /// set-password link stays in the database.
    ///
    /// ```
    /// # use portal_core::outbox::*;
    /// # use portal_core::shared::EmailAddress;
    /// let mail = OutboxMessage::Mail(Email {
    ///     to: EmailAddress::parse("ada@example.com").unwrap(),
    ///     to_name: "Ada".into(),
    ///     business_name: "Acme".into(),
    ///     reply_to: None,
    ///     language: Default::default(),
    ///     locale: Default::default(),
    ///     time_zone: "UTC".into(),
    ///     kind: EmailKind::ResetPassword {
    ///         link: "https://acme.test/set-password?token=abc".into(),
    ///         expires_at: chrono::Utc::now(),
    ///     },
    /// });
    /// assert!(!serde_json::to_string(&mail.redacted()).unwrap().contains("abc"));
    /// ```
    pub fn redacted(&self) -> OutboxMessage {
        let mut message = self.clone();
        if let OutboxMessage::Mail(mail) = &mut message {
            match &mut mail.kind {
                EmailKind::SetPassword { link, .. }
                | EmailKind::ResetPassword { link, .. }
                | EmailKind::Invitation { link, .. }
                | EmailKind::ConfirmEmail { link, .. } => *link = "[redacted]".to_owned(),
                // The unsubscribe link works without a session.
                EmailKind::Notice(mail) => mail.unsubscribe = "[redacted]".to_owned(),
                EmailKind::PasswordChanged { .. }
                | EmailKind::EmailChanged { .. }
                | EmailKind::PaymentReceipt(_) => {}
            }
        }
        message
    }
}

/// An outbox row claimed for delivery.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxItem {
    /// The row.
    pub id: OutboxId,
    /// This claim; completing or failing the row needs it.
    pub lease: LeaseId,
    /// The tenant it belongs to.
    pub tenant: TenantId,
    /// What to deliver.
    pub message: OutboxMessage,
    /// Earlier failed attempts.
    pub attempts: u32,
    /// For an event, its id: the same for every delivery of it (the
    /// original row's id; a replay's row carries its original's).
    pub event: Option<EventId>,
    /// When the row (for a replay: the original row) was written, by the
    /// database's clock: when the change committed.
    pub occurred_at: DateTime<Utc>,
}

impl OutboxItem {
    /// The event id deliveries of this row carry: [`Self::event`], or for
    /// a row written before events had ids of their own, the row's id.
    pub fn event_id(&self) -> EventId {
        self.event
            .unwrap_or_else(|| EventId::from_uuid(self.id.as_uuid()))
    }
}

/// A host event as a sink receives it: the event with its id, tenant and
/// time.
#[derive(Clone, Debug, PartialEq)]
pub struct HostEvent {
    /// The event's id, the same on every delivery of it: receivers
    /// handle each id once.
    pub id: EventId,
    /// The tenant.
    pub tenant: TenantId,
    /// When the change committed.
    pub occurred_at: DateTime<Utc>,
    /// What happened.
    pub event: DomainEvent,
}

/// One attempt at delivering a host event, as the delivery log keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDelivery {
    /// The event.
    pub event: EventId,
    /// The tenant.
    pub tenant: TenantId,
    /// The event's type (`payment_succeeded`, ...).
    pub kind: String,
    /// When the attempt started.
    pub attempted_at: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub duration_ms: u32,
    /// The receiver's HTTP status, when it answered one.
    pub status: Option<u16>,
    /// Why it failed (a non-2xx answer, a timeout, a refused connection);
    /// `None` when it was delivered.
    pub error: Option<String>,
}

impl EventDelivery {
    /// Whether this attempt delivered the event.
    pub fn is_delivered(&self) -> bool {
        self.error.is_none()
    }
}

/// Delivery failed; the worker will retry later.
#[derive(Debug, thiserror::Error)]
#[error("delivery failed: {0}")]
pub struct DeliveryError(pub String);

/// Sends mails. Adapters live in `portal-mail` (SMTP, a folder for
/// development). MUST return an error, not panic, when the server is down,
/// so the worker can retry.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Renders and sends one mail.
    async fn send(&self, mail: &Email) -> Result<(), DeliveryError>;
}

/// Receives host events: `portal_runtime::WebhookSink` (signed HTTP
/// POSTs), or the host's own (a queue, a channel into its code).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventSink: Send + Sync {
    /// Takes one event. An error makes the worker retry it later, and the
    /// account's later events wait for it. MUST return an error, not
    /// panic, when the receiver is down.
    async fn publish(&self, event: &HostEvent) -> Result<SinkAnswer, SinkError>;
}

/// How a receiver answered a delivery it took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SinkAnswer {
    /// The HTTP status, for sinks that speak HTTP.
    pub status: Option<u16>,
}

/// A delivery that failed; the worker retries it later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct SinkError {
    /// The HTTP status, when the receiver answered with one.
    pub status: Option<u16>,
    /// What went wrong, for the delivery log.
    pub error: String,
}

/// An [`EventSink`] that drops events, for hosts that do not listen.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoEvents;

#[async_trait]
impl EventSink for NoEvents {
    async fn publish(&self, _event: &HostEvent) -> Result<SinkAnswer, SinkError> {
        Ok(SinkAnswer::default())
    }
}

/// How long to wait before retry number `attempts` (1-based): 30 s doubling
/// up to an hour, so a short outage is bridged quickly and a long one is not
/// hammered.
pub fn retry_delay(attempts: u32) -> Duration {
    let seconds = 30i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(12));
    Duration::seconds(seconds.min(3600))
}

/// After this many failed attempts a row is given up on and kept for
/// inspection (about two days of retries with [`retry_delay`]).
pub const MAX_DELIVERY_ATTEMPTS: u32 = 50;

/// How long delivered and given-up rows are kept (for inspection) before
/// [`OutboxWorker::purge_finished`] deletes them, unless
/// [`OutboxWorker::with_retention`] says otherwise.
pub const DEFAULT_RETENTION: Duration = Duration::days(30);

/// Delivers the outbox: claims due rows, sends each, records the outcome.
pub struct OutboxWorker {
    store: Arc<dyn OutboxStore>,
    mailer: Arc<dyn Mailer>,
    events: Arc<dyn EventSink>,
    clock: Arc<dyn Clock>,
    lease: Duration,
    retention: Duration,
    batch: u32,
}

impl OutboxWorker {
    /// Rows claimed at a time, unless [`Self::with_batch`] says otherwise.
    pub const BATCH: u32 = 10;

    /// The most rows [`Self::with_batch`] allows in one claim.
    pub const MAX_BATCH: u32 = 500;

    /// Finished rows deleted per statement when purging, so a purge never
    /// holds SQLite's write lock for long.
    pub const PURGE_BATCH: u32 = 500;

    /// Statements one [`Self::purge_finished`] makes at most.
    pub const PURGE_BATCHES: u32 = 20;

    /// How often the runner purges finished rows.
    pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

    /// A worker over the given ports. It claims [`Self::BATCH`] rows at a
    /// time under a five-minute lease, longer than a batch can take (its
    /// rows are sent at once, each bounded by its adapter's timeout:
    /// lettre's 30 s, the webhook sink's): if this process dies mid-delivery
    /// another worker retries, but no row is taken over while still being
    /// sent. Completing or failing a row is conditional on the lease.
    pub fn new(
        store: Arc<dyn OutboxStore>,
        mailer: Arc<dyn Mailer>,
        events: Arc<dyn EventSink>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            mailer,
            events,
            clock,
            lease: Duration::minutes(5),
            retention: DEFAULT_RETENTION,
            batch: Self::BATCH,
        }
    }

    /// Claims up to `batch` rows at a time (1 to [`Self::MAX_BATCH`])
    /// instead of [`Self::BATCH`]. A batch's rows are delivered at once,
    /// at most one per account (the claim hands out only each account's
    /// oldest event), so a larger batch serves more accounts at a time:
    /// a webhook receiver that answers in 2 ms takes 100 events in about
    /// that time, not 200 ms.
    #[must_use]
    pub fn with_batch(mut self, batch: u32) -> Self {
        self.batch = batch.clamp(1, Self::MAX_BATCH);
        self
    }

    /// Rows claimed at a time.
    pub fn batch(&self) -> u32 {
        self.batch
    }

    /// Keeps delivered and given-up rows for `retention` instead of
    /// [`DEFAULT_RETENTION`] before purging them; a retention longer than
    /// the calendar (`chrono::Duration::MAX`) keeps them for good, a
    /// negative one counts as zero.
    ///
    /// ```
    /// # use portal_core::outbox::OutboxWorker;
    /// # fn with(worker: OutboxWorker) -> OutboxWorker {
    /// worker.with_retention(chrono::Duration::days(7))
    /// # }
    /// ```
    #[must_use]
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention.max(Duration::zero());
        self
    }

    /// Deletes rows delivered, or given up on, more than the retention ago,
    /// and delivery log entries older than that: [`Self::PURGE_BATCH`] per
    /// statement, at most [`Self::PURGE_BATCHES`] statements of each, so a
    /// long backlog never holds up delivery for long. Returns how many
    /// outbox rows it deleted; when that is the most it may delete, more
    /// may be left. The runner calls it every [`Self::PURGE_EVERY`], and
    /// again a minute later while it finds more
    /// ([`Self::next_purge_after`]).
    pub async fn purge_finished(&self) -> Result<u64, StoreError> {
        let Some(before) = self.clock.now().checked_sub_signed(self.retention) else {
            return Ok(0);
        };
        let mut purged = 0;
        for _ in 0..Self::PURGE_BATCHES {
            let deleted = self.store.purge_outbox(before, Self::PURGE_BATCH).await?;
            purged += deleted;
            if deleted < u64::from(Self::PURGE_BATCH) {
                break;
            }
        }
        for _ in 0..Self::PURGE_BATCHES {
            let deleted = self
                .store
                .purge_event_deliveries(before, Self::PURGE_BATCH)
                .await?;
            if deleted < u64::from(Self::PURGE_BATCH) {
                break;
            }
        }
        Ok(purged)
    }

    /// The most rows one [`Self::purge_finished`] deletes.
    const PURGE_MOST: u64 = Self::PURGE_BATCH as u64 * Self::PURGE_BATCHES as u64;

    /// How soon to purge again after a purge deleted `purged` rows: in a
    /// minute while a backlog lasts (it deleted the most it may), else
    /// after [`Self::PURGE_EVERY`]. The runner (`portal_runtime::run_outbox`)
    /// schedules by it.
    pub fn next_purge_after(purged: u64) -> std::time::Duration {
        if purged >= Self::PURGE_MOST {
            std::time::Duration::from_secs(60)
        } else {
            Self::PURGE_EVERY
        }
    }

    /// Reads how many rows wait for delivery and reports it as the
    /// `portal_outbox_backlog` gauge (a no-op unless the host installed a
    /// metrics recorder, e.g. `portal_http_axum::Metrics`). The runner
    /// calls it after every batch.
    pub async fn report_backlog(&self) -> Result<u64, StoreError> {
        let backlog = self.store.outbox_backlog().await?;
        #[allow(clippy::cast_precision_loss)] // a gauge; exact far past any real backlog
        metrics::gauge!("portal_outbox_backlog").set(backlog as f64);
        Ok(backlog)
    }

    /// Claims up to `limit` (at most [`Self::batch`]) due rows and
    /// delivers them, all at once (the claim gives at most one event per
    /// account); appends each event's attempt to the delivery log, then
    /// completes or reschedules each row. Returns how many were delivered.
    pub async fn run_once(&self, limit: u32) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let limit = limit.min(self.batch);
        let items = self
            .store
            .claim_outbox(now, now + self.lease, limit)
            .await?;
        let attempts = futures::future::join_all(items.iter().map(|item| self.deliver(item))).await;
        let log: Vec<EventDelivery> = attempts
            .iter()
            .filter_map(|attempt| attempt.logged.clone())
            .collect();
        if !log.is_empty() {
            self.store.record_deliveries(&log).await?;
        }
        let mut delivered = 0;
        for (item, attempt) in items.iter().zip(attempts) {
            match attempt.outcome {
                Ok(()) => {
                    self.store
                        .complete_outbox(item.id, item.lease, attempt.finished_at)
                        .await?;
                    delivered += 1;
                }
                Err(error) => {
                    let attempts = item.attempts + 1;
                    tracing::warn!(outbox_id = %item.id, attempts, %error, "outbox delivery failed");
                    let failed_at = attempt.finished_at;
                    let retry_at = (attempts < MAX_DELIVERY_ATTEMPTS)
                        .then(|| failed_at + retry_delay(attempts));
                    self.store
                        .fail_outbox(item.id, item.lease, &error, failed_at, retry_at)
                        .await?;
                }
            }
        }
        Ok(delivered)
    }

    /// Sends one row: a mail to the mailer, an event to the sink (timed,
    /// for the delivery log).
    async fn deliver(&self, item: &OutboxItem) -> Attempt {
        let started = self.clock.now();
        let (outcome, logged) = match &item.message {
            OutboxMessage::Mail(mail) => {
                (self.mailer.send(mail).await.map_err(|error| error.0), None)
            }
            OutboxMessage::Event(event) => {
                let host_event = HostEvent {
                    id: item.event_id(),
                    tenant: item.tenant,
                    occurred_at: item.occurred_at,
                    event: event.clone(),
                };
                let answer = self.events.publish(&host_event).await;
                let took = self.clock.now() - started;
                let (status, error) = match &answer {
                    Ok(answer) => (answer.status, None),
                    Err(failure) => (failure.status, Some(failure.error.clone())),
                };
                let logged = EventDelivery {
                    event: host_event.id,
                    tenant: item.tenant,
                    kind: event.kind(),
                    attempted_at: started,
                    duration_ms: u32::try_from(took.num_milliseconds().max(0)).unwrap_or(u32::MAX),
                    status,
                    error,
                };
                (
                    answer.map(drop).map_err(|failure| failure.error),
                    Some(logged),
                )
            }
            // Stores write audit entries to the log, never to the outbox;
            // one found there has nothing to deliver.
            OutboxMessage::Audit(_) => (Ok(()), None),
        };
        Attempt {
            outcome,
            logged,
            finished_at: self.clock.now(),
        }
    }
}

/// How one row's delivery went.
struct Attempt {
    outcome: Result<(), String>,
    /// The delivery log's entry, for an event.
    logged: Option<EventDelivery>,
    finished_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockOutboxStore;
    use crate::shared::FixedClock;

    /// A payment-failed event queued before failures were typed names the
    /// customer's sentence as `message`; it still reads, as a decline.
    #[test]
    fn a_payment_failed_event_of_an_older_version_still_reads() {
        let event = DomainEvent::PaymentFailed {
            account: AccountId::new(),
            payment: PaymentId::new(),
            failure: PaymentFailure::MethodRefused,
        };
        let mut json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["failure"]["reason"], "method_refused");
        let fields = json.as_object_mut().unwrap();
        fields.remove("failure");
        fields.insert(
            "message".into(),
            "Card declined. Nothing was charged.".into(),
        );
        let old: DomainEvent = serde_json::from_value(json).unwrap();
        assert!(matches!(
            old,
            DomainEvent::PaymentFailed { failure: PaymentFailure::Declined { message }, .. }
                if message == "Card declined. Nothing was charged."
        ));
    }

    /// A `service_requested` event queued before requests took files has
    /// no `attachments`: it still reads (none), so the worker's claim of
    /// old rows does not fail.
    #[test]
    fn a_service_requested_event_from_before_files_still_reads() {
        let event = DomainEvent::ServiceRequested {
            account: AccountId::new(),
            request: crate::shared::ServiceRequestId::new(),
            contact: crate::shared::ContactId::new(),
            details: crate::requests::RequestDetails::Service {
                description: "Mow".into(),
                property: None,
            },
            attachments: 2,
        };
        let mut json = serde_json::to_value(OutboxMessage::Event(event)).unwrap();
        // Wherever the event's fields sit in the stored message.
        fn strip(value: &mut serde_json::Value) -> Option<serde_json::Value> {
            let object = value.as_object_mut()?;
            object
                .remove("attachments")
                .or_else(|| object.values_mut().find_map(strip))
        }
        assert_eq!(strip(&mut json), Some(2.into()));
        let old: OutboxMessage = serde_json::from_value(json).unwrap();
        assert!(matches!(
            old,
            OutboxMessage::Event(DomainEvent::ServiceRequested { attachments: 0, .. })
        ));
    }

    /// A receipt row written before amounts were [`Money`] (one
    /// `currency`, every amount a decimal string) reads as it was and is
    /// written back in the same shape.
    #[test]
    fn a_stored_receipt_reads_and_writes_in_the_shape_it_always_had() {
        let stored = serde_json::json!({
            "type": "mail",
            "to": "ada@example.com",
            "to_name": "Ada",
            "business_name": "Acme",
            "reply_to": null,
            "kind": {
            "kind": "payment_receipt",
            "payment": "0192f0c1-7d3a-7cc0-8f00-000000000001",
            "account": "Ada (A-1)",
            "amount": "125.50",
            "currency": "USD",
            "method_label": "Visa ending 4242",
            "reference": "ch_1",
            "paid_at": "2026-11-23T09:00:00Z",
            "allocations": [{
                "invoice": "0192f0c1-7d3a-7cc0-8f00-000000000002",
                "invoice_number": "INV-1",
                "amount": "100.00"
            }],
            "credit": "25.50",
            "link": "https://portal.example/receipts/1"
            }
        });
        let message: OutboxMessage = serde_json::from_value(stored.clone()).unwrap();
        let OutboxMessage::Mail(Email {
            kind: EmailKind::PaymentReceipt(receipt),
            ..
        }) = &message
        else {
            panic!("not a receipt: {message:?}");
        };
        let usd = Currency::USD;
        assert_eq!(receipt.amount, Money::from_minor(12_550, usd));
        assert_eq!(
            receipt.allocations[0].amount,
            Money::from_minor(10_000, usd)
        );
        assert_eq!(receipt.credit, Money::from_minor(2_550, usd));
        // A row stored before mails had a language reads as English and
        // is written back with it, in the same shape otherwise.
        assert_eq!(mail_language(&message), Some(Language::English));
        let mut written = serde_json::to_value(&message).unwrap();
        assert_eq!(written["language"], "en");
        written.as_object_mut().unwrap().remove("language");
        assert_eq!(written, stored);
    }

    fn mail_language(message: &OutboxMessage) -> Option<Language> {
        match message {
            OutboxMessage::Mail(mail) => Some(mail.language),
            OutboxMessage::Event(_) | OutboxMessage::Audit(_) => None,
        }
    }

    fn mail_item(attempts: u32) -> OutboxItem {
        OutboxItem {
            id: OutboxId::new(),
            lease: LeaseId::new(),
            tenant: TenantId::new(),
            message: OutboxMessage::Mail(Email {
                to: EmailAddress::parse("ada@example.com").unwrap(),
                to_name: "Ada".into(),
                business_name: "Acme".into(),
                reply_to: None,
                language: Language::English,
                locale: Default::default(),
                time_zone: "UTC".into(),
                kind: EmailKind::PasswordChanged {
                    changed_at: "2026-11-23T09:00:00Z".parse().unwrap(),
                },
            }),
            attempts,
            event: None,
            occurred_at: "2026-11-23T08:59:00Z".parse().unwrap(),
        }
    }

    fn event_item() -> OutboxItem {
        OutboxItem {
            id: OutboxId::new(),
            lease: LeaseId::new(),
            tenant: TenantId::new(),
            message: OutboxMessage::Event(DomainEvent::PortalAccessChanged {
                account: AccountId::new(),
                enabled: true,
            }),
            attempts: 0,
            event: Some(EventId::new()),
            occurred_at: "2026-11-23T08:59:00Z".parse().unwrap(),
        }
    }

    fn clock() -> Arc<FixedClock> {
        Arc::new(FixedClock::at("2026-11-23T09:00:00Z".parse().unwrap()))
    }

    #[tokio::test]
    async fn mails_go_to_the_mailer_events_to_the_sink_and_both_are_completed() {
        let (mail, event) = (mail_item(0), event_item());
        let (mail_id, event_id) = (mail.id, event.id);
        let (published_id, tenant) = (event.event.unwrap(), event.tenant);
        let mut store = MockOutboxStore::new();
        store
            .expect_claim_outbox()
            .withf(|now, lease_until, limit| {
                *lease_until - *now == Duration::minutes(5) && *limit == 10
            })
            .returning(move |_, _, _| Ok(vec![mail.clone(), event.clone()]));
        store
            .expect_complete_outbox()
            .withf(move |id, _, _| *id == mail_id || *id == event_id)
            .times(2)
            .returning(|_, _, _| Ok(()));
        store
            .expect_record_deliveries()
            .withf(move |log| {
                log.len() == 1
                    && log[0].event == published_id
                    && log[0].tenant == tenant
                    && log[0].kind == "portal_access_changed"
                    && log[0].status == Some(204)
                    && log[0].is_delivered()
            })
            .times(1)
            .returning(|_| Ok(()));
        let mut mailer = MockMailer::new();
        mailer.expect_send().times(1).returning(|_| Ok(()));
        let mut sink = MockEventSink::new();
        sink.expect_publish()
            .withf(move |published| published.id == published_id && published.tenant == tenant)
            .times(1)
            .returning(|_| Ok(SinkAnswer { status: Some(204) }));
        let worker = OutboxWorker::new(Arc::new(store), Arc::new(mailer), Arc::new(sink), clock());
        assert_eq!(
            worker.run_once(50).await.unwrap(),
            2,
            "a batch is capped at 10"
        );
    }

    #[tokio::test]
    async fn a_failed_delivery_is_rescheduled_with_backoff_and_never_completed() {
        let item = mail_item(2);
        let lease = item.lease;
        let mut store = MockOutboxStore::new();
        store
            .expect_claim_outbox()
            .returning(move |_, _, _| Ok(vec![item.clone()]));
        store.expect_complete_outbox().never();
        store
            .expect_fail_outbox()
            .withf(move |_, held, error, failed_at, retry_at| {
                *held == lease
                    && error.contains("connection refused")
                    && *failed_at == "2026-11-23T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
                    && *retry_at == Some("2026-11-23T09:02:00Z".parse().unwrap())
            })
            .times(1)
            .returning(|_, _, _, _, _| Ok(()));
        let mut mailer = MockMailer::new();
        mailer
            .expect_send()
            .returning(|_| Err(DeliveryError("connection refused".into())));
        let worker = OutboxWorker::new(
            Arc::new(store),
            Arc::new(mailer),
            Arc::new(NoEvents),
            clock(),
        );
        assert_eq!(worker.run_once(10).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_refused_event_is_logged_with_the_receivers_answer_and_retried() {
        let item = event_item();
        let (id, lease) = (item.id, item.lease);
        let mut store = MockOutboxStore::new();
        store
            .expect_claim_outbox()
            .withf(|_, _, limit| *limit == 3)
            .returning(move |_, _, _| Ok(vec![item.clone()]));
        store
            .expect_record_deliveries()
            .withf(|log| {
                log.len() == 1
                    && log[0].status == Some(503)
                    && log[0].error.as_deref() == Some("HTTP 503")
                    && !log[0].is_delivered()
            })
            .times(1)
            .returning(|_| Ok(()));
        store.expect_complete_outbox().never();
        store
            .expect_fail_outbox()
            .withf(move |row, held, error, _, retry_at| {
                *row == id
                    && *held == lease
                    && error == "HTTP 503"
                    && *retry_at == Some("2026-11-23T09:00:30Z".parse().unwrap())
            })
            .times(1)
            .returning(|_, _, _, _, _| Ok(()));
        let mut sink = MockEventSink::new();
        sink.expect_publish().returning(|_| {
            Err(SinkError {
                status: Some(503),
                error: "HTTP 503".into(),
            })
        });
        let worker = OutboxWorker::new(
            Arc::new(store),
            Arc::new(MockMailer::new()),
            Arc::new(sink),
            clock(),
        )
        .with_batch(3);
        assert_eq!(
            worker.run_once(100).await.unwrap(),
            0,
            "claims at most its batch"
        );
    }

    #[test]
    fn the_batch_is_kept_between_one_and_the_most() {
        let worker = |batch| {
            OutboxWorker::new(
                Arc::new(MockOutboxStore::new()),
                Arc::new(MockMailer::new()),
                Arc::new(NoEvents),
                clock(),
            )
            .with_batch(batch)
            .batch()
        };
        assert_eq!(worker(0), 1);
        assert_eq!(worker(200), 200);
        assert_eq!(worker(10_000), OutboxWorker::MAX_BATCH);
    }

    #[test]
    fn every_event_is_in_the_stream_of_its_account_or_else_its_contact() {
        let (account, contact) = (AccountId::new(), ContactId::new());
        let about_account = DomainEvent::PortalAccessChanged {
            account,
            enabled: true,
        };
        assert_eq!(about_account.account(), Some(account));
        assert_eq!(about_account.stream(), account.as_uuid());
        assert_eq!(about_account.kind(), "portal_access_changed");
        let about_contact = DomainEvent::PasswordChanged {
            contact,
            at: "2026-11-23T09:00:00Z".parse().unwrap(),
        };
        assert_eq!(about_contact.account(), None);
        assert_eq!(about_contact.stream(), contact.as_uuid());
    }

    #[tokio::test]
    async fn after_the_last_attempt_a_row_is_given_up_on() {
        let item = mail_item(MAX_DELIVERY_ATTEMPTS - 1);
        let mut store = MockOutboxStore::new();
        store
            .expect_claim_outbox()
            .returning(move |_, _, _| Ok(vec![item.clone()]));
        store
            .expect_fail_outbox()
            .withf(|_, _, _, _, retry_at| retry_at.is_none())
            .times(1)
            .returning(|_, _, _, _, _| Ok(()));
        let mut mailer = MockMailer::new();
        mailer
            .expect_send()
            .returning(|_| Err(DeliveryError("mailbox full".into())));
        let worker = OutboxWorker::new(
            Arc::new(store),
            Arc::new(mailer),
            Arc::new(NoEvents),
            clock(),
        );
        worker.run_once(10).await.unwrap();
    }

    #[tokio::test]
    async fn purging_deletes_in_batches_until_a_batch_comes_back_short() {
        let clock = clock();
        let cutoff = clock.now() - DEFAULT_RETENTION;
        let mut store = MockOutboxStore::new();
        let mut answers = vec![3, 500, 500];
        store
            .expect_purge_outbox()
            .withf(move |before, limit| *before == cutoff && *limit == OutboxWorker::PURGE_BATCH)
            .times(3)
            .returning(move |_, _| Ok(answers.pop().unwrap_or(0)));
        store
            .expect_purge_event_deliveries()
            .withf(move |before, _| *before == cutoff)
            .times(1)
            .returning(|_, _| Ok(7));
        let worker = OutboxWorker::new(
            Arc::new(store),
            Arc::new(MockMailer::new()),
            Arc::new(MockEventSink::new()),
            clock,
        );
        assert_eq!(worker.purge_finished().await.unwrap(), 1003);
    }

    #[tokio::test]
    async fn the_retention_sets_the_purge_cutoff() {
        let clock = clock();
        let cutoff = clock.now() - Duration::days(7);
        let mut store = MockOutboxStore::new();
        store
            .expect_purge_outbox()
            .withf(move |before, _| *before == cutoff)
            .times(1)
            .returning(|_, _| Ok(0));
        store
            .expect_purge_event_deliveries()
            .withf(move |before, _| *before == cutoff)
            .times(1)
            .returning(|_, _| Ok(0));
        let worker = OutboxWorker::new(
            Arc::new(store),
            Arc::new(MockMailer::new()),
            Arc::new(MockEventSink::new()),
            clock,
        )
        .with_retention(Duration::days(7));
        assert_eq!(worker.purge_finished().await.unwrap(), 0);
    }

    #[tokio::test]
    async fn one_purge_stops_after_its_most_batches_and_a_retention_past_the_calendar_purges_nothing()
     {
        let clock = clock();
        let mut store = MockOutboxStore::new();
        store
            .expect_purge_outbox()
            .times(OutboxWorker::PURGE_BATCHES as usize)
            .returning(|_, limit| Ok(u64::from(limit)));
        store
            .expect_purge_event_deliveries()
            .times(OutboxWorker::PURGE_BATCHES as usize)
            .returning(|_, limit| Ok(u64::from(limit)));
        let worker = OutboxWorker::new(
            Arc::new(store),
            Arc::new(MockMailer::new()),
            Arc::new(MockEventSink::new()),
            clock.clone(),
        );
        assert_eq!(
            worker.purge_finished().await.unwrap(),
            OutboxWorker::PURGE_MOST
        );

        // No purge_outbox call expected: the cutoff would be before time.
        let forever = OutboxWorker::new(
            Arc::new(MockOutboxStore::new()),
            Arc::new(MockMailer::new()),
            Arc::new(MockEventSink::new()),
            clock,
        )
        .with_retention(Duration::MAX);
        assert_eq!(forever.purge_finished().await.unwrap(), 0);
    }

    #[test]
    fn retries_back_off_from_30_seconds_to_an_hour() {
        assert_eq!(retry_delay(1), Duration::seconds(30));
        assert_eq!(retry_delay(2), Duration::seconds(60));
        assert_eq!(retry_delay(5), Duration::seconds(480));
        assert_eq!(retry_delay(40), Duration::hours(1));
    }
}
