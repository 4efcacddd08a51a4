//! Audit log rows.

use portal_core::audit::{AuditAction, AuditActor, AuditEntry};
use portal_core::ports::StoreError;
use portal_core::shared::{AccountId, AuditId, ContactId, TenantId};
use sqlx::FromRow;
use uuid::Uuid;

use super::Timestamp;
use crate::error::backend;

/// The columns [`AuditRow`] reads, from `audit_log`.
macro_rules! audit_columns {
    () => {
        "id, tenant_id, account_id, contact_id, action, actor_kind, actor_id, actor_name, \
         on_behalf_of, detail, client_addr, user_agent, at"
    };
}
pub(crate) use audit_columns;

/// An entry, selected with [`audit_columns!`].
#[derive(FromRow)]
pub(crate) struct AuditRow {
    id: Uuid,
    tenant_id: Uuid,
    account_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    action: String,
    actor_kind: String,
    actor_id: Option<String>,
    actor_name: String,
    on_behalf_of: Option<Uuid>,
    detail: Option<String>,
    client_addr: Option<String>,
    user_agent: Option<String>,
    at: Timestamp,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        let action = AuditAction::parse(&row.action)
            .ok_or_else(|| backend(format!("stored audit action is unknown: {}", row.action)))?;
        let actor =
            AuditActor::from_stored(&row.actor_kind, row.actor_id.as_deref(), &row.actor_name)
                .ok_or_else(|| {
                    backend(format!(
                        "stored audit actor is unreadable: {}",
                        row.actor_kind
                    ))
                })?;
        Ok(AuditEntry {
            id: AuditId::from_uuid(row.id),
            tenant: TenantId::from_uuid(row.tenant_id),
            account: row.account_id.map(AccountId::from_uuid),
            contact: row.contact_id.map(ContactId::from_uuid),
            action,
            actor,
            on_behalf_of: row.on_behalf_of.map(ContactId::from_uuid),
            detail: row.detail,
            // Only shown: an address that does not read back is dropped.
            client_addr: row.client_addr.and_then(|text| text.parse().ok()),
            user_agent: row.user_agent,
            at: row.at.0,
        })
    }
}
