//! The communications log ([`CommunicationStore`]) on either database.

use async_trait::async_trait;
use portal_core::access::AccountScope;
use portal_core::communications::{CommunicationRecord, CommunicationStore, LoggedCommunication};
use portal_core::ports::StoreError;
use portal_core::shared::{CommunicationId, Page, PageRequest, TenantId};

use super::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset};
use crate::rows::communications::{CommunicationRow, communication_columns};

#[async_trait]
impl<B: Backend> CommunicationStore for SqlStore<B> {
    async fn record_communication(
        &self,
        tenant: TenantId,
        id: CommunicationId,
        record: &CommunicationRecord,
    ) -> Result<LoggedCommunication, StoreError> {
        // Inserting from the account row makes "the account is the
        // tenant's" part of the write; a second record of the same host id
        // updates the first (its account stays).
        let written = self
            .writer()
            .await?
            .fetch_optional::<CommunicationRow>(
                concat!(
                    "INSERT INTO communications (id, tenant_id, account_id, channel, subject, \
                         body, occurred_at, external_id, direction, staff_name) \
                     SELECT $3, a.tenant_id, a.id, $4, $5, $6, $7, $8, $9, $10 \
                     FROM accounts a WHERE a.tenant_id = $1 AND a.id = $2 \
                     ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                         channel = excluded.channel, subject = excluded.subject, \
                         body = excluded.body, occurred_at = excluded.occurred_at, \
                         direction = excluded.direction, staff_name = excluded.staff_name \
                     RETURNING ",
                    communication_columns!()
                ),
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(record.account.as_uuid()),
                    Arg::Id(id.as_uuid()),
                    Arg::Text(&record.channel),
                    Arg::Text(&record.subject),
                    Arg::Text(&record.body),
                    Arg::Time(record.occurred_at),
                    Arg::Text(record.external_id.as_str()),
                    Arg::OptText(record.direction.as_deref()),
                    Arg::OptText(record.staff_name.as_deref()),
                ],
            )
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(written.into())
    }

    async fn communications(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<LoggedCommunication>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            limit,
            offset,
        ];
        Ok(fetch_page::<CommunicationRow, _>(
            conn,
            concat!(
                "SELECT ",
                communication_columns!(),
                ", COUNT(*) OVER () AS full_count FROM communications \
                 WHERE tenant_id = $1 AND account_id = $2 \
                 ORDER BY occurred_at DESC, id DESC LIMIT +$3 OFFSET $4"
            ),
            "SELECT COUNT(*) FROM communications WHERE tenant_id = $1 AND account_id = $2",
            &args,
            2,
            page,
        )
        .await?
        .map_items(|rows| Ok(rows.into_iter().map(LoggedCommunication::from).collect()))?)
    }
}
