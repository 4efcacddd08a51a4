//! Rows as both databases return them (billing's in [`billing`], identity's
//! in [`identity`]), and their conversion into core's
//! models. The SQL differs per database; the shapes it returns do not, so
//! each row type is declared once here and decoded from either.
//!
//! The one type that is stored differently is a timestamp: TIMESTAMPTZ on
//! PostgreSQL, INTEGER unix microseconds on SQLite. [`Timestamp`] decodes
//! from both. Column names are unique across the row types (`contact_name`,
//! `account_name`) so a joined query can fill several with `flatten`.
//!
//! Lists read along with another row (the dashboard's panels, a session's
//! memberships) come back as one JSON array per column, which saves SQLite
//! a round trip per list; each database's SQL (`crate::common::Dialect`)
//! writes them the same way: ids as hex or UUID text, timestamps as unix
//! microseconds, money as text, flags as `true`/`false` or `1`/`0`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use portal_core::access::Role;
use portal_core::accounts::{Account, Address, Communication};
use portal_core::dashboard::{
    Dashboard, InvoiceRow, JobRow, Panel, PanelSelection, QuoteRow, TicketRow,
};
use portal_core::outbox::{EventDelivery, OutboxItem, OutboxMessage};
use portal_core::ports::StoreError;
use portal_core::shared::{
    AccountId, CommunicationId, Currency, EmailAddress, EventId, ExternalId, InvoiceId, JobId,
    LeaseId, Money, OutboxId, PhoneNumber, PostalCode, QuoteId, TenantId,
};
use portal_core::tenancy::{PortalSettings, Tenant, TenantSlug};
use serde::{Deserialize, Deserializer};
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgTypeInfo, PgValueRef, Postgres};
use sqlx::sqlite::{Sqlite, SqliteTypeInfo, SqliteValueRef};
use sqlx::types::Json;
use sqlx::{Decode, FromRow, Type};
use uuid::Uuid;

use crate::error::backend;

pub(crate) mod assets;
pub(crate) mod audit;
pub(crate) mod billing;
pub(crate) mod communications;
pub(crate) mod contacts;
pub(crate) mod documents;
pub(crate) mod identity;
pub(crate) mod jobs;
pub(crate) mod notifications;
pub(crate) mod properties;
pub(crate) mod quotes;
pub(crate) mod rentals;
pub(crate) mod requests;
pub(crate) mod service_contracts;
pub(crate) mod tickets;

pub(crate) use identity::{
    ContactRow, CredentialRow, LoginCandidateRow, MembershipRow, SessionContextRow, SessionRow,
    TokenRow,
};

/// A point in time read from either database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timestamp(pub(crate) DateTime<Utc>);

impl Type<Sqlite> for Timestamp {
    fn type_info() -> SqliteTypeInfo {
        <i64 as Type<Sqlite>>::type_info()
    }

    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <i64 as Type<Sqlite>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Sqlite> for Timestamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let micros = <i64 as Decode<Sqlite>>::decode(value)?;
        DateTime::from_timestamp_micros(micros)
            .map(Timestamp)
            .ok_or_else(|| format!("timestamp out of range: {micros} µs").into())
    }
}

impl Type<Postgres> for Timestamp {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <DateTime<Utc> as Type<Postgres>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Postgres> for Timestamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(Timestamp)
    }
}

/// In the JSON lists both databases write a timestamp as unix microseconds.
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let micros = i64::deserialize(deserializer)?;
        DateTime::from_timestamp_micros(micros)
            .map(Timestamp)
            .ok_or_else(|| serde::de::Error::custom(format!("timestamp out of range: {micros} µs")))
    }
}

/// A flag in a JSON list: `true`/`false` from PostgreSQL, `1`/`0` from
/// SQLite, which has no boolean type.
fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(match Flag::deserialize(deserializer)? {
        Flag::Bool(flag) => flag,
        Flag::Int(number) => number != 0,
    })
}

/// How SQLite stores a timestamp: unix microseconds.
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// Reads a stored value back through core's parser; a value that fails was
/// written by something other than this crate, which is a backend fault.
fn stored<T, E: std::fmt::Display>(what: &str, parsed: Result<T, E>) -> Result<T, StoreError> {
    parsed.map_err(|error| backend(format!("stored {what} does not parse: {error}")))
}

fn optional<T, E: std::fmt::Display>(
    what: &str,
    text: Option<String>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    text.map(|text| stored(what, parse(&text))).transpose()
}

/// A blob's record from its stored columns (a ticket attachment's, a
/// document's file).
pub(crate) fn stored_blob(
    key: &str,
    name: &str,
    kind: &str,
    size: i64,
) -> Result<portal_core::blobs::StoredBlob, StoreError> {
    use portal_core::blobs::{BlobKey, FileKind, FileName, StoredBlob};
    Ok(StoredBlob {
        key: BlobKey::parse(key).map_err(|_| backend("a stored blob key"))?,
        name: FileName::parse(name).map_err(|_| backend("a stored file name"))?,
        kind: FileKind::from_code(kind)
            .ok_or_else(|| backend(format!("stored file kind: {kind}")))?,
        size: u64::try_from(size).map_err(backend)?,
    })
}

fn role(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).ok_or_else(|| backend(format!("stored role is unknown: {text}")))
}

fn count(total: i64) -> u64 {
    u64::try_from(total).unwrap_or(0)
}

fn small_count(what: &str, value: i32) -> Result<u32, StoreError> {
    stored(what, u32::try_from(value))
}

#[derive(FromRow)]
pub(crate) struct TenantRow {
    id: Uuid,
    slug: String,
    base_url: String,
    settings: Json<PortalSettings>,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> Result<Self, StoreError> {
        Ok(Tenant {
            id: TenantId::from_uuid(row.id),
            slug: stored("slug", TenantSlug::parse(&row.slug))?,
            base_url: stored("base_url", url::Url::parse(&row.base_url))?,
            settings: row.settings.0,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    tenant_id: Uuid,
    external_id: String,
    number: String,
    name: String,
    address_line1: String,
    address_line2: String,
    address_city: String,
    address_region: String,
    address_postal_code: String,
    address_country: String,
    phone: Option<String>,
    email: Option<String>,
    postal_code: Option<String>,
    custom_fields: Json<BTreeMap<String, String>>,
    portal_enabled: bool,
    has_history: bool,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;
    fn try_from(row: AccountRow) -> Result<Self, StoreError> {
        Ok(Account {
            id: AccountId::from_uuid(row.id),
            tenant: TenantId::from_uuid(row.tenant_id),
            external_id: stored("external_id", ExternalId::parse(&row.external_id))?,
            number: row.number,
            name: row.name,
            address: Address {
                line1: row.address_line1,
                line2: row.address_line2,
                city: row.address_city,
                region: row.address_region,
                postal_code: row.address_postal_code,
                country: row.address_country,
            },
            phone: optional("phone", row.phone, PhoneNumber::parse)?,
            email: optional("email", row.email, EmailAddress::parse)?,
            postal_code: optional("postal_code", row.postal_code, PostalCode::parse)?,
            custom_fields: row.custom_fields.0,
            portal_enabled: row.portal_enabled,
            has_history: row.has_history,
        })
    }
}

/// Converts a batch of account rows.
pub(crate) fn accounts(rows: Vec<AccountRow>) -> Result<Vec<Account>, StoreError> {
    rows.into_iter().map(Account::try_from).collect()
}

/// A claimed outbox row; `due_at` only orders the batch.
#[derive(FromRow)]
pub(crate) struct OutboxRow {
    id: Uuid,
    tenant_id: Uuid,
    payload: Json<OutboxMessage>,
    attempts: i32,
    due_at: Timestamp,
    event_id: Option<Uuid>,
    created_at: Timestamp,
}

/// An entry of the delivery log.
#[derive(FromRow)]
pub(crate) struct EventDeliveryRow {
    event_id: Uuid,
    tenant_id: Uuid,
    kind: String,
    attempted_at: Timestamp,
    duration_ms: i64,
    status: Option<i64>,
    error: Option<String>,
}

impl TryFrom<EventDeliveryRow> for EventDelivery {
    type Error = StoreError;
    fn try_from(row: EventDeliveryRow) -> Result<Self, StoreError> {
        Ok(EventDelivery {
            event: EventId::from_uuid(row.event_id),
            tenant: TenantId::from_uuid(row.tenant_id),
            kind: row.kind,
            attempted_at: row.attempted_at.0,
            duration_ms: u32::try_from(row.duration_ms).map_err(backend)?,
            status: row.status.map(u16::try_from).transpose().map_err(backend)?,
            error: row.error,
        })
    }
}

/// Converts a batch claimed under `lease`, oldest due first (`RETURNING`
/// has no order).
pub(crate) fn outbox_items(
    mut rows: Vec<OutboxRow>,
    lease: LeaseId,
) -> Result<Vec<OutboxItem>, StoreError> {
    rows.sort_by_key(|row| (row.due_at.0, row.id));
    rows.into_iter()
        .map(|row| {
            Ok(OutboxItem {
                id: OutboxId::from_uuid(row.id),
                lease,
                tenant: TenantId::from_uuid(row.tenant_id),
                message: row.payload.0,
                attempts: small_count("attempts", row.attempts)?,
                event: row.event_id.map(EventId::from_uuid),
                occurred_at: row.created_at.0,
            })
        })
        .collect()
}

/// A row of a list page with the whole list's length beside it
/// (`COUNT(*) OVER () AS full_count`), read by
/// [`crate::common::fetch_page`].
pub(crate) struct Counted<R> {
    pub(crate) row: R,
    pub(crate) full_count: i64,
}

impl<'r, R, DbRow> FromRow<'r, DbRow> for Counted<R>
where
    DbRow: sqlx::Row,
    R: FromRow<'r, DbRow>,
    i64: sqlx::Decode<'r, DbRow::Database> + sqlx::Type<DbRow::Database>,
    &'static str: sqlx::ColumnIndex<DbRow>,
{
    fn from_row(row: &'r DbRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            row: R::from_row(row)?,
            full_count: row.try_get("full_count")?,
        })
    }
}

/// The dashboard in one row: per panel a JSON list of its first rows,
/// each row carrying the panel's total count (`COUNT(*) OVER ()`); NULL
/// for a panel that was not selected.
#[derive(FromRow)]
pub(crate) struct DashboardRow {
    invoices: Option<Json<Vec<InvoicePanelRow>>>,
    jobs: Option<Json<Vec<JobPanelRow>>>,
    tickets: Option<Json<Vec<TicketPanelRow>>>,
    quotes: Option<Json<Vec<QuotePanelRow>>>,
    communications: Json<Vec<CommunicationPanelRow>>,
    /// The account summary's sums, with the invoices panel (NULL without).
    #[sqlx(flatten)]
    summary: billing::SummaryRow,
}

impl DashboardRow {
    /// The dashboard of the selected panels; invoices due before `today`
    /// are overdue.
    pub(crate) fn into_dashboard(
        self,
        panels: PanelSelection,
        today: NaiveDate,
        currency: Currency,
    ) -> Result<Dashboard, StoreError> {
        Ok(Dashboard {
            account_summary: panels
                .invoices
                .then(|| self.summary.into_summary(currency))
                .flatten(),
            unpaid_invoices: selected("invoices", panels.invoices, self.invoices)?
                .map(|rows| invoice_panel(rows, today))
                .transpose()?,
            open_jobs: selected("jobs", panels.jobs, self.jobs)?.map(job_panel),
            open_tickets: selected("tickets", panels.tickets, self.tickets)?
                .map(ticket_panel)
                .transpose()?,
            pending_quotes: selected("quotes", panels.quotes, self.quotes)?
                .map(quote_panel)
                .transpose()?,
            recent_communications: communication_panel(self.communications.0),
        })
    }
}

/// A selected panel's rows, which the query MUST have returned; `None` for
/// a panel that was not selected.
fn selected<T>(
    what: &str,
    is_selected: bool,
    rows: Option<Json<Vec<T>>>,
) -> Result<Option<Vec<T>>, StoreError> {
    if !is_selected {
        return Ok(None);
    }
    rows.map(|rows| Some(rows.0))
        .ok_or_else(|| backend(format!("the dashboard query returned no {what} panel")))
}

/// An unpaid invoice with the panel's total count.
#[derive(Deserialize)]
pub(crate) struct InvoicePanelRow {
    id: Uuid,
    number: String,
    due_on: NaiveDate,
    balance_minor: i64,
    currency: String,
    total: i64,
}

/// The unpaid-invoices panel; overdue means due before `today`.
fn invoice_panel(
    rows: Vec<InvoicePanelRow>,
    today: NaiveDate,
) -> Result<Panel<InvoiceRow>, StoreError> {
    let total = rows.first().map_or(0, |row| count(row.total));
    let rows = rows
        .into_iter()
        .map(|row| {
            Ok(InvoiceRow {
                id: InvoiceId::from_uuid(row.id),
                number: row.number,
                is_overdue: row.due_on < today,
                due_on: row.due_on,
                balance: Money::from_minor(row.balance_minor, billing::currency(&row.currency)?),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Panel { rows, total })
}

/// An open job with the panel's total count.
#[derive(Deserialize)]
pub(crate) struct JobPanelRow {
    id: Uuid,
    number: String,
    title: String,
    status: String,
    scheduled_for: Option<Timestamp>,
    total: i64,
}

/// The open-jobs panel.
fn job_panel(rows: Vec<JobPanelRow>) -> Panel<JobRow> {
    let total = rows.first().map_or(0, |row| count(row.total));
    let rows = rows
        .into_iter()
        .map(|row| JobRow {
            id: JobId::from_uuid(row.id),
            number: row.number,
            title: row.title,
            status: row.status,
            scheduled_for: row.scheduled_for.map(|at| at.0),
        })
        .collect();
    Panel { rows, total }
}

/// An open ticket with the panel's total count.
#[derive(Deserialize)]
pub(crate) struct TicketPanelRow {
    id: Uuid,
    number: i64,
    subject: String,
    status: String,
    updated_at: Timestamp,
    total: i64,
}

/// The open-tickets panel.
fn ticket_panel(rows: Vec<TicketPanelRow>) -> Result<Panel<TicketRow>, StoreError> {
    let total = rows.first().map_or(0, |row| count(row.total));
    let rows = rows
        .into_iter()
        .map(|row| {
            Ok(TicketRow {
                id: portal_core::shared::TicketId::from_uuid(row.id),
                number: u64::try_from(row.number).map_err(backend)?,
                subject: row.subject,
                status: portal_core::tickets::TicketStatus::parse(&row.status)
                    .ok_or_else(|| backend(format!("stored ticket status: {}", row.status)))?,
                updated_at: row.updated_at.0,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Panel { rows, total })
}

/// A quote awaiting approval with the panel's total count.
#[derive(Deserialize)]
pub(crate) struct QuotePanelRow {
    id: Uuid,
    number: String,
    title: String,
    valid_until: NaiveDate,
    amount_minor: i64,
    currency: String,
    total: i64,
}

/// The quotes-awaiting-approval panel.
fn quote_panel(rows: Vec<QuotePanelRow>) -> Result<Panel<QuoteRow>, StoreError> {
    let total = rows.first().map_or(0, |row| count(row.total));
    let rows = rows
        .into_iter()
        .map(|row| {
            Ok(QuoteRow {
                id: QuoteId::from_uuid(row.id),
                number: row.number,
                title: row.title,
                valid_until: row.valid_until,
                total: Money::from_minor(row.amount_minor, billing::currency(&row.currency)?),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Panel { rows, total })
}

/// A communication with the panel's total count.
#[derive(Deserialize)]
pub(crate) struct CommunicationPanelRow {
    id: Uuid,
    account_id: Uuid,
    channel: String,
    subject: String,
    body: String,
    occurred_at: Timestamp,
    total: i64,
}

/// The recent-communications panel.
fn communication_panel(rows: Vec<CommunicationPanelRow>) -> Panel<Communication> {
    let total = rows.first().map_or(0, |row| count(row.total));
    let rows = rows
        .into_iter()
        .map(|row| Communication {
            id: CommunicationId::from_uuid(row.id),
            account: AccountId::from_uuid(row.account_id),
            channel: row.channel,
            subject: row.subject,
            body: row.body,
            occurred_at: row.occurred_at.0,
        })
        .collect();
    Panel { rows, total }
}

/// Caps a delivery error so one chatty mail server cannot bloat the table.
pub(crate) fn error_text(error: &str) -> &str {
    const MAX: usize = 2000;
    if error.len() <= MAX {
        return error;
    }
    let mut end = MAX;
    while !error.is_char_boundary(end) {
        end -= 1;
    }
    &error[..end]
}
