//! Identity's rows: contacts, credentials, log-in candidates, memberships,
//! sessions (with their context) and one-time tokens.

use portal_core::access::ClientInfo;
use portal_core::identity::{
    Contact, Credential, LoginCandidate, Membership, OneTimeToken, Session, SessionContext,
    SessionKind, TokenHash, TokenPurpose,
};
use portal_core::ports::StoreError;
use portal_core::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, Language, PhoneNumber, SessionId, TenantId,
};
use serde::Deserialize;
use sqlx::FromRow;
use sqlx::types::Json;
use uuid::Uuid;

use super::*;

/// A contact, selected as `c.id AS contact_id, c.tenant_id, c.external_id
/// AS contact_external_id, c.name AS contact_name, c.email AS
/// contact_email, c.phone AS contact_phone, c.other_phones AS
/// contact_other_phones, c.enabled AS contact_enabled, c.language AS
/// contact_language`.
#[derive(FromRow)]
pub(crate) struct ContactRow {
    contact_id: Uuid,
    tenant_id: Uuid,
    contact_external_id: String,
    contact_name: String,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    /// JSON: `[{"kind": "work", "number": "5550100"}]`.
    contact_other_phones: String,
    contact_enabled: bool,
    contact_language: Option<String>,
}

impl TryFrom<ContactRow> for Contact {
    type Error = StoreError;
    fn try_from(row: ContactRow) -> Result<Self, StoreError> {
        Ok(Contact {
            id: ContactId::from_uuid(row.contact_id),
            tenant: TenantId::from_uuid(row.tenant_id),
            external_id: stored("external_id", ExternalId::parse(&row.contact_external_id))?,
            name: row.contact_name,
            email: optional("email", row.contact_email, EmailAddress::parse)?,
            phone: optional("phone", row.contact_phone, PhoneNumber::parse)?,
            other_phones: serde_json::from_str(&row.contact_other_phones)
                .map_err(|error| backend(format!("stored other_phones: {error}")))?,
            enabled: row.contact_enabled,
            language: optional("language", row.contact_language, Language::parse)?,
        })
    }
}

/// A credential, selected as `cr.password_hash`.
#[derive(FromRow)]
pub(crate) struct CredentialRow {
    password_hash: String,
}

impl From<CredentialRow> for Credential {
    fn from(row: CredentialRow) -> Self {
        Credential {
            password_hash: row.password_hash,
        }
    }
}

/// A contact and, when it has registered, its credential (a LEFT JOIN of
/// `credentials`).
#[derive(FromRow)]
pub(crate) struct LoginCandidateRow {
    #[sqlx(flatten)]
    contact: ContactRow,
    password_hash: Option<String>,
}

impl TryFrom<LoginCandidateRow> for LoginCandidate {
    type Error = StoreError;
    fn try_from(row: LoginCandidateRow) -> Result<Self, StoreError> {
        let credential = row
            .password_hash
            .map(|password_hash| Credential::from(CredentialRow { password_hash }));
        Ok(LoginCandidate {
            contact: row.contact.try_into()?,
            credential,
        })
    }
}

/// A membership with what the account switcher shows, selected as
/// `m.account_id, a.number AS account_number, a.name AS account_name,
/// m.role, a.portal_enabled, a.has_history`, or as a JSON object with
/// those keys.
#[derive(FromRow, Deserialize)]
pub(crate) struct MembershipRow {
    account_id: Uuid,
    account_number: String,
    account_name: String,
    role: String,
    #[serde(deserialize_with = "flag")]
    portal_enabled: bool,
    #[serde(deserialize_with = "flag")]
    has_history: bool,
}

impl TryFrom<MembershipRow> for Membership {
    type Error = StoreError;
    fn try_from(row: MembershipRow) -> Result<Self, StoreError> {
        Ok(Membership {
            account: AccountId::from_uuid(row.account_id),
            account_number: row.account_number,
            account_name: row.account_name,
            role: role(&row.role)?,
            portal_enabled: row.portal_enabled,
            has_history: row.has_history,
        })
    }
}

/// A session, selected as `s.id AS session_id, s.tenant_id, s.contact_id,
/// s.active_account_id, s.token_hash, s.kind, s.created_at, ...,
/// s.user_agent, s.client_addr, s.viewer` (`session_columns!`).
#[derive(FromRow)]
pub(crate) struct SessionRow {
    session_id: Uuid,
    tenant_id: Uuid,
    contact_id: Uuid,
    active_account_id: Uuid,
    token_hash: String,
    kind: String,
    created_at: Timestamp,
    last_seen_at: Timestamp,
    idle_expires_at: Timestamp,
    absolute_expires_at: Timestamp,
    user_agent: Option<String>,
    client_addr: Option<String>,
    viewer: Option<String>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(row: SessionRow) -> Result<Self, StoreError> {
        Ok(Session {
            id: SessionId::from_uuid(row.session_id),
            tenant: TenantId::from_uuid(row.tenant_id),
            contact: ContactId::from_uuid(row.contact_id),
            active_account: AccountId::from_uuid(row.active_account_id),
            token_hash: TokenHash::from_stored(row.token_hash),
            kind: SessionKind::parse(&row.kind)
                .ok_or_else(|| backend(format!("stored session kind is unknown: {}", row.kind)))?,
            created_at: row.created_at.0,
            last_seen_at: row.last_seen_at.0,
            idle_expires_at: row.idle_expires_at.0,
            absolute_expires_at: row.absolute_expires_at.0,
            client: ClientInfo {
                // An address that does not read back is dropped, not fatal:
                // it is only shown.
                address: row.client_addr.and_then(|text| text.parse().ok()),
                user_agent: row.user_agent,
            },
            viewer: row.viewer,
        })
    }
}

/// The session, its contact and its active membership, from one joined
/// row, with all the contact's memberships as a JSON list (`memberships`).
#[derive(FromRow)]
pub(crate) struct SessionContextRow {
    #[sqlx(flatten)]
    session: SessionRow,
    #[sqlx(flatten)]
    contact: ContactRow,
    #[sqlx(flatten)]
    membership: MembershipRow,
    memberships: Json<Vec<MembershipRow>>,
}

impl TryFrom<SessionContextRow> for SessionContext {
    type Error = StoreError;
    fn try_from(row: SessionContextRow) -> Result<Self, StoreError> {
        Ok(SessionContext {
            session: row.session.try_into()?,
            contact: row.contact.try_into()?,
            membership: row.membership.try_into()?,
            memberships: row
                .memberships
                .0
                .into_iter()
                .map(Membership::try_from)
                .collect::<Result<_, _>>()?,
        })
    }
}

#[derive(FromRow)]
pub(crate) struct TokenRow {
    hash: String,
    tenant_id: Uuid,
    contact_id: Uuid,
    purpose: String,
    created_at: Timestamp,
    expires_at: Timestamp,
}

impl TryFrom<TokenRow> for OneTimeToken {
    type Error = StoreError;
    fn try_from(row: TokenRow) -> Result<Self, StoreError> {
        Ok(OneTimeToken {
            hash: TokenHash::from_stored(row.hash),
            tenant: TenantId::from_uuid(row.tenant_id),
            contact: ContactId::from_uuid(row.contact_id),
            purpose: TokenPurpose::parse(&row.purpose).ok_or_else(|| {
                backend(format!("stored token purpose is unknown: {}", row.purpose))
            })?,
            created_at: row.created_at.0,
            expires_at: row.expires_at.0,
        })
    }
}
