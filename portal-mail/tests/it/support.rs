//! Sample mails shared by the tests.

use chrono::{DateTime, TimeZone, Utc};
use portal_core::outbox::{Email, EmailKind};
use portal_core::shared::{EmailAddress, Language};

/// 23 November 2026, 13:00 UTC: when sample links expire.
pub fn expiry() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 13, 0, 0).unwrap()
}

/// How templates show [`expiry`].
pub const EXPIRY_TEXT: &str = "Monday, November 23, 2026 at 1:00\u{202f}PM UTC";

/// The sample link, as long as a real one (a 256-bit token in base64url):
/// long enough that lettre sends the text part as quoted-printable, so the
/// tests read links the way a mail client decodes them.
pub const LINK: &str = "https://greenleaf-lawn-and-pest.portal.example.com/portal/set-password?token=q8Jz0Xv3mY7Tn2Lk5Rb9Wc1Hd6Fg4Sa0Pe8Uo3Ii7Kk";

/// A notice: staff replied to a ticket whose subject is hostile.
pub fn notice_kind() -> EmailKind {
    EmailKind::Notice(Box::new(portal_core::outbox::NoticeMail {
        notice: portal_core::notifications::Notice::TicketReplied {
            ticket: portal_core::shared::TicketId::new(),
            number: 12,
            subject: "<script>alert(1)</script>".into(),
        },
        link: "https://acme.example/portal/tickets/1".into(),
        unsubscribe: "https://acme.example/portal/notifications/unsubscribe?token=v1.x".into(),
    }))
}

/// A notice: the host scheduled a "request service" and wrote a note.
pub fn request_notice_kind(note: &str) -> EmailKind {
    let request = portal_core::shared::ServiceRequestId::new();
    EmailKind::Notice(Box::new(portal_core::outbox::NoticeMail {
        notice: portal_core::notifications::Notice::RequestUpdated {
            request,
            request_kind: portal_core::requests::SERVICE.into(),
            kind_name: None,
            status: portal_core::requests::RequestStatus::Scheduled,
            note: note.into(),
        },
        link: format!("https://acme.example/portal/requests/{request}"),
        unsubscribe: "https://acme.example/portal/notifications/unsubscribe?token=v1.x".into(),
    }))
}

/// One sample of every kind, with the link it carries (if any).
pub fn every_kind() -> Vec<EmailKind> {
    vec![
        EmailKind::SetPassword {
            link: LINK.into(),
            expires_at: expiry(),
        },
        EmailKind::ResetPassword {
            link: LINK.into(),
            expires_at: expiry(),
        },
        EmailKind::Invitation {
            link: LINK.into(),
            expires_at: expiry(),
            invited_by: Some("Grace Hopper".into()),
        },
        EmailKind::PasswordChanged {
            changed_at: expiry(),
        },
        EmailKind::ConfirmEmail {
            link: LINK.into(),
            expires_at: expiry(),
        },
        EmailKind::EmailChanged {
            new_email: EmailAddress::parse("ada@lovelace.example").unwrap(),
            changed_at: expiry(),
        },
    ]
}

/// A mail of `kind` to `to` from "Acme Plumbing", replies to its office.
pub fn mail_to(to: &str, kind: EmailKind) -> Email {
    Email {
        to: EmailAddress::parse(to).unwrap(),
        to_name: "Ada Lovelace".into(),
        business_name: "Acme Plumbing".into(),
        reply_to: Some(EmailAddress::parse("office@acme-plumbing.example").unwrap()),
        language: Language::English,
        kind,
        locale: Default::default(),
        time_zone: "UTC".into(),
    }
}

/// A receipt for 150.00 USD over two invoices, with credit used and kept
/// and the balance left.
pub fn receipt_kind() -> EmailKind {
    use portal_core::billing::Allocation;
    use portal_core::outbox::Receipt;
    use portal_core::shared::{Currency, InvoiceId, Money, PaymentId};
    let usd = |cents| Money::from_minor(cents, Currency::USD);
    let receipt = Receipt {
        payment: PaymentId::new(),
        account: "Ada's <Bakery> (1001)".into(),
        amount: usd(15_000),
        method_label: "Visa ending 4242".into(),
        reference: "ch_sandbox_1".into(),
        paid_at: expiry(),
        allocations: vec![
            Allocation {
                invoice: InvoiceId::new(),
                invoice_number: "INV-1".into(),
                amount: usd(10_000),
            },
            Allocation {
                invoice: InvoiceId::new(),
                invoice_number: "INV-2".into(),
                amount: usd(2_500),
            },
        ],
        credit: usd(2_500),
        credit_used: vec![Allocation {
            invoice: InvoiceId::new(),
            invoice_number: "INV-1".into(),
            amount: usd(1_200),
        }],
        balance_after: Some(usd(4_321)),
        link: format!("{LINK}/billing/payments/1"),
    };
    EmailKind::PaymentReceipt(Box::new(receipt))
}

/// A set-password mail to Ada.
pub fn set_password_mail(to: &str) -> Email {
    mail_to(
        to,
        EmailKind::SetPassword {
            link: LINK.into(),
            expires_at: expiry(),
        },
    )
}

/// An address no other test (or earlier run) uses, so tests sharing the
/// SMTP server's Maildir never read each other's mail.
pub fn unique_address(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{label}.{}.{nanos}@example.com", std::process::id())
}
