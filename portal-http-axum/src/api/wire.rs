//! The OpenAPI schemas of the API's text values, each written once and
//! referenced by name (`#[schema(value_type = wire::Amount)]`): what the
//! parsers in [`crate::params`] and the core accept, as exactly as a JSON
//! Schema can say it, so a request the document calls valid is never
//! refused as malformed and one it calls invalid never accepted. What no
//! schema can know (an unknown invoice, more than is owed, a card the
//! provider refuses) stays the operation's documented 404, 409 or 422.

use std::borrow::Cow;

use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};

macro_rules! text_schema {
    ($(#[$doc:meta])* $name:ident, $build:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let build: fn() -> ObjectBuilder = $build;
                build().into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

fn text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// Digits with at most one decimal point (`params::amount` on the API;
/// the core then judges sign, decimals and size against the currency).
pub const AMOUNT_PATTERN: &str = r"^[0-9]{1,15}(\.[0-9]{1,6})?$";

/// An e-mail address as `EmailAddress::parse` takes it (ASCII here).
pub const EMAIL_PATTERN: &str =
    r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$";

/// A phone number as `PhoneNumber::parse` takes it: 7 to 15 digits, an
/// optional leading `+`, spaces, dashes, dots and brackets between.
pub const PHONE_PATTERN: &str = r"^\+?[ ().-]*([0-9][ ().-]*){7,15}$";

text_schema!(
    /// An amount of money: a decimal string in the currency's units.
    Amount,
    || text("an amount as a decimal string, such as \"120.50\"")
        .pattern(Some(AMOUNT_PATTERN))
        .examples(["120.50"])
);

// The examples name nobody the demo (or the contract run's server) has:
// schemathesis sends them with made-up passwords, and failures counted
// against a real contact lock them out mid-run.
text_schema!(
    /// An e-mail address.
    Email,
    || text("an e-mail address")
        .pattern(Some(EMAIL_PATTERN))
        .max_length(Some(254))
        .examples(["pat@example.com"])
);

text_schema!(
    /// An e-mail address or a phone number (what a contact logs in with).
    EmailOrPhone,
    || text("an e-mail address or a phone number")
        .pattern(Some(format!("({EMAIL_PATTERN})|({PHONE_PATTERN})")))
        .max_length(Some(254))
        .examples(["pat@example.com"])
);

text_schema!(
    /// A phone number.
    Phone,
    || text("a phone number: 7 to 15 digits, optionally with + and separators")
        .pattern(Some(PHONE_PATTERN))
        .examples(["+1 555 010 1001"])
);

text_schema!(
    /// A postal code as `PostalCode::parse` takes it.
    PostalCode,
    || text("3 to 10 letters and digits; spaces and dashes are ignored")
        .pattern(Some(r"^[ -]*([A-Za-z0-9][ -]*){3,10}$"))
        .examples(["62701"])
);

text_schema!(
    /// A new password: 8 to 128 characters (a very common one is refused,
    /// 422).
    NewPassword,
    || text("8 to 128 characters; a very common password is refused")
        .min_length(Some(8))
        .max_length(Some(128))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
);

text_schema!(
    /// A payment's idempotency key.
    IdempotencyKey,
    || text("8 to 100 letters, digits, '-' or '_'; one per payment attempt")
        .pattern(Some(r"^[A-Za-z0-9_-]{8,100}$"))
        .examples(["pay-2026-11-30-0001"])
);

text_schema!(
    /// An id: a UUID.
    Id,
    || text("an id")
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
        .examples(["0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"])
);

text_schema!(
    /// A day, `YYYY-MM-DD`.
    Day,
    || text("a day, YYYY-MM-DD")
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .examples(["2026-11-30"])
);

text_schema!(
    /// A page number or size: a whole number from 1.
    Count,
    || ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .maximum(Some(u32::MAX))
);

text_schema!(
    /// Which invoices a list shows (`InvoiceStatusFilter`'s names).
    InvoiceStatus,
    || text("which invoices").enum_values(Some(["unpaid", "overdue", "paid", "void"]))
);

text_schema!(
    /// How an invoice list is sorted (`InvoiceSort`'s names).
    InvoiceSort,
    || text("the order").enum_values(Some([
        "issued_desc",
        "issued_asc",
        "due_asc",
        "due_desc",
        "total_asc",
        "total_desc",
        "number_asc",
        "number_desc",
    ]))
);

text_schema!(
    /// Which quotes a list shows (`QuoteStatusFilter`'s names).
    QuoteStatus,
    || text("which quotes").enum_values(Some(["pending", "approved", "declined", "expired"]))
);

text_schema!(
    /// Which service contracts a list shows (`ContractStatus`'s names).
    ContractStatus,
    || text("a service contract's status").enum_values(Some(["active", "paused", "ended", "cancelled"]))
);

text_schema!(
    /// Which rental contracts a list shows (`rentals::ContractStatus`'s
    /// names).
    RentalStatus,
    || text("a rental contract's status").enum_values(Some(["open", "closed"]))
);

text_schema!(
    /// Which jobs a list shows (`JobFilter`'s names).
    JobFilter,
    || text("which jobs").enum_values(Some(["upcoming", "waiting", "in_progress", "completed", "cancelled", "all"]))
);

text_schema!(
    /// Where a job stands (`JobStatus`'s names).
    JobStatus,
    || text("a job's status").enum_values(Some(["unscheduled", "scheduled", "in_progress", "completed", "cancelled"]))
);

text_schema!(
    /// A kind of notification (`NotificationKind`'s names).
    NotificationKind,
    || text("a kind of notification").enum_values(Some(["invoice_issued", "payment_received", "payment_failed", "quote_issued", "job_scheduled", "ticket_replied", "ticket_closed", "request_updated", "call_off_updated"]))
);

text_schema!(
    /// A contact's role on an account (`Role`'s names).
    Role,
    || text("a role").enum_values(Some(["primary", "billing", "member", "viewer"]))
);

text_schema!(
    /// What kind of number one of a contact's other phones is
    /// (`PhoneKind`'s names).
    PhoneKind,
    || text("a kind of phone number").enum_values(Some(["mobile", "work", "home", "other"]))
);

text_schema!(
    /// A contact's standing in the portal (`PortalStatus`'s names).
    PortalStatus,
    || text("a contact's portal status").enum_values(Some(["active", "invited", "no_access"]))
);

text_schema!(
    /// Which requests a list shows (`RequestFilter`'s names).
    RequestFilter,
    || text("which requests").enum_values(Some(["all", "open", "closed"]))
);

text_schema!(
    /// Where a request stands (`RequestStatus`'s names).
    RequestStatus,
    || text("a request's status").enum_values(Some(["pending", "scheduled", "in_progress", "completed", "declined", "canceled"]))
);

text_schema!(
    /// Which tickets a list shows (`TicketFilter`'s names).
    TicketFilter,
    || text("which tickets").enum_values(Some(["all", "open", "closed"]))
);

text_schema!(
    /// Where a ticket stands (`TicketStatus`'s names).
    TicketStatus,
    || text("a ticket's status: `open` waits on the business, `waiting` on the customer").enum_values(Some(["open", "waiting", "closed"]))
);

text_schema!(
    /// A kind of file, told from its content (`FileKind`'s codes).
    FileKind,
    || text("a kind of file").enum_values(Some(["jpeg", "png", "webp", "heic", "pdf", "text"]))
);

text_schema!(
    /// A SHA-256 digest: 64 lower-case hex digits.
    Sha256,
    || text("a SHA-256 digest, 64 lower-case hex digits")
        .pattern(Some(r"^[0-9a-f]{64}$"))
        .examples(["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])
);

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::billing::{InvoiceSort as Sort, InvoiceStatusFilter};
    use utoipa::PartialSchema;

    fn enum_values<T: PartialSchema>() -> Vec<String> {
        let RefOr::T(Schema::Object(object)) = T::schema() else {
            panic!("not an object schema");
        };
        object
            .enum_values
            .unwrap()
            .into_iter()
            .map(|value| value.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn the_documented_choices_are_the_core_enums_names() {
        let sorts = enum_values::<InvoiceSort>();
        assert_eq!(sorts.len(), 8);
        for name in sorts {
            let _: Sort = serde_json::from_value(serde_json::json!(name)).unwrap();
        }
        let statuses = enum_values::<InvoiceStatus>();
        assert_eq!(statuses.len(), 4);
        for name in statuses {
            let _: InvoiceStatusFilter = serde_json::from_value(serde_json::json!(name)).unwrap();
        }
        let contracts = enum_values::<ContractStatus>();
        assert_eq!(
            contracts.len(),
            portal_core::service_contracts::ContractStatus::ALL.len()
        );
        for name in contracts {
            assert!(portal_core::service_contracts::ContractStatus::parse(&name).is_some());
        }
        for name in enum_values::<RentalStatus>() {
            assert!(portal_core::rentals::ContractStatus::parse(&name).is_some());
        }
        let filters = enum_values::<JobFilter>();
        assert_eq!(filters.len(), portal_core::jobs::JobFilter::ALL.len());
        for name in filters {
            assert!(portal_core::jobs::JobFilter::parse(&name).is_some());
        }
        let kinds = enum_values::<NotificationKind>();
        assert_eq!(
            kinds.len(),
            portal_core::notifications::NotificationKind::ALL.len()
        );
        for name in kinds {
            assert!(portal_core::notifications::NotificationKind::parse(&name).is_some());
        }
        let statuses = enum_values::<JobStatus>();
        assert_eq!(statuses.len(), portal_core::jobs::JobStatus::ALL.len());
        for name in statuses {
            assert!(portal_core::jobs::JobStatus::parse(&name).is_some());
        }
        let filters = enum_values::<RequestFilter>();
        assert_eq!(
            filters.len(),
            portal_core::requests::RequestFilter::ALL.len()
        );
        for name in filters {
            assert!(portal_core::requests::RequestFilter::parse(&name).is_some());
        }
        let statuses = enum_values::<RequestStatus>();
        assert_eq!(
            statuses.len(),
            portal_core::requests::RequestStatus::ALL.len()
        );
        for name in statuses {
            assert!(portal_core::requests::RequestStatus::parse(&name).is_some());
        }
        let filters = enum_values::<TicketFilter>();
        assert_eq!(filters.len(), 3);
        for name in filters {
            assert!(portal_core::tickets::TicketFilter::parse(&name).is_some());
        }
        let statuses = enum_values::<TicketStatus>();
        assert_eq!(
            statuses.len(),
            portal_core::tickets::TicketStatus::ALL.len()
        );
        for name in statuses {
            assert!(portal_core::tickets::TicketStatus::parse(&name).is_some());
        }
        let kinds = enum_values::<FileKind>();
        assert_eq!(kinds.len(), portal_core::blobs::FileKind::ALL.len());
        for name in kinds {
            assert!(portal_core::blobs::FileKind::from_code(&name).is_some());
        }
        let quotes = enum_values::<QuoteStatus>();
        assert_eq!(
            quotes.len(),
            portal_core::quotes::QuoteStatusFilter::ALL.len()
        );
        for name in quotes {
            assert!(portal_core::quotes::QuoteStatusFilter::parse(&name).is_some());
        }
    }
}
