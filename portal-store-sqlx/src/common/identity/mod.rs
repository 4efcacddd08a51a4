//! Identity on either database, one file per port: contacts and their
//! memberships ([`contacts`]), credentials and the password writes
//! ([`credentials`]), the log-in lock ([`lockouts`]), sessions
//! ([`sessions`]) and one-time tokens ([`tokens`]). The three password
//! writes (a change, a first password, a redeemed link) all go through
//! [`credentials::write_password`], so their side effects (sessions ended,
//! tokens spent, messages written) cannot drift apart.
//!
//! Where a write needs "this row is in this tenant", the row is inserted
//! *from* the tenant-scoped row it depends on (`INSERT ... SELECT ... WHERE
//! tenant_id = $1`), so the check and the write are one statement.
//!
//! Every write about one contact's password, tokens or sessions first locks
//! the contact ([`lock_contact`]); see
//! [`Dialect::LOCK_CONTACT`](super::Dialect::LOCK_CONTACT).

mod contacts;
mod credentials;
mod lockouts;
mod profiles;
mod sessions;
mod tokens;

pub(crate) use sessions::{session_columns, session_context_sql};

use chrono::{DateTime, Utc};
use portal_core::identity::OtherPhone;
use portal_core::ports::StoreError;
use portal_core::shared::{ContactId, TenantId};
use uuid::Uuid;

use super::{Arg, Conn};

/// A query of `contacts c` selecting the columns
/// [`ContactRow`](crate::rows::ContactRow) reads, then the rest (string
/// literals: more columns, joins, the `WHERE` clause).
macro_rules! contact_sql {
    ($($rest:literal),+) => {
        concat!(
            "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                 c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone, \
                 c.other_phones AS contact_other_phones, \
                 c.enabled AS contact_enabled, c.language AS contact_language",
            $($rest),+
        )
    };
}
pub(crate) use contact_sql;

/// The columns of a [`ContactRow`](crate::rows::ContactRow) as an `INSERT`
/// or `UPDATE contacts ... RETURNING` gives them.
macro_rules! returning_contact {
    () => {
        " RETURNING id AS contact_id, tenant_id, external_id AS contact_external_id, \
         name AS contact_name, email AS contact_email, phone AS contact_phone, \
         other_phones AS contact_other_phones, \
         enabled AS contact_enabled, language AS contact_language"
    };
}
pub(crate) use returning_contact;

/// A contact's other numbers as the `other_phones` column keeps them.
pub(crate) fn other_phones_json(phones: &[OtherPhone]) -> Result<String, StoreError> {
    serde_json::to_string(phones).map_err(|error| crate::error::backend(error.to_string()))
}

/// Locks the contact's row (see
/// [`Dialect::LOCK_CONTACT`](super::Dialect::LOCK_CONTACT)); `NotFound`
/// when the contact is not in this tenant.
pub(crate) async fn lock_contact<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
) -> Result<(), StoreError> {
    conn.fetch_optional::<(Uuid,)>(
        C::LOCK_CONTACT,
        &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
    )
    .await?
    .map(drop)
    .ok_or(StoreError::NotFound)
}

/// Spends all the contact's unused one-time tokens, whatever their
/// purpose, and their pending e-mail changes: a password changed or reset,
/// or a log-in name changed, kills every link mailed before it (an
/// attacker's pending change to their own address included).
pub(crate) async fn spend_tokens<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let args = [
        Arg::Id(tenant.as_uuid()),
        Arg::Id(contact.as_uuid()),
        Arg::Time(at),
    ];
    conn.execute(
        "UPDATE one_time_tokens SET used_at = $3 \
         WHERE tenant_id = $1 AND contact_id = $2 AND used_at IS NULL",
        &args,
    )
    .await?;
    conn.execute(
        "UPDATE email_changes SET used_at = $3 \
         WHERE tenant_id = $1 AND contact_id = $2 AND used_at IS NULL",
        &args,
    )
    .await
    .map(drop)
}
