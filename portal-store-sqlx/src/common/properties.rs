//! Properties ([`PropertyStore`]) on either database: the host's upserts
//! by its id and the account's reads.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::ports::{PropertyStore, StoreError};
use portal_core::properties::{PropertiesConflict, Property, PropertyUpsert};
use portal_core::shared::{ExternalId, Page, PageRequest, PropertyId, TenantId};

use super::{
    Arg, Backend, Conn, SqlStore, account_of_tenant, account_record, by_external_id, fetch_page,
    limit_offset, scoped,
};
use crate::error::store_error;
use crate::rows::properties::{PropertyRow, property_columns};

account_record!(
    Property,
    PropertyRow,
    PropertyId,
    "",
    concat!("SELECT ", property_columns!(), " FROM properties")
);

#[async_trait]
impl<B: Backend> PropertyStore for SqlStore<B> {
    /// One statement after the account check: the insert, or on the
    /// host's id the update, only while the property is the same
    /// account's (`DO UPDATE ... WHERE`); no row back means it is another
    /// account's.
    async fn upsert_property(
        &self,
        tenant: TenantId,
        upsert: &PropertyUpsert,
        at: DateTime<Utc>,
    ) -> Result<Property, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        account_of_tenant(conn, tenant, upsert.account).await?;
        let address = &upsert.address;
        let property = conn
            .fetch_optional::<PropertyRow>(
                concat!(
                    "INSERT INTO properties (id, tenant_id, account_id, external_id, name, \
                         address_line1, address_line2, address_city, address_region, \
                         address_postal_code, address_country, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
                     ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                         name = excluded.name, address_line1 = excluded.address_line1, \
                         address_line2 = excluded.address_line2, \
                         address_city = excluded.address_city, \
                         address_region = excluded.address_region, \
                         address_postal_code = excluded.address_postal_code, \
                         address_country = excluded.address_country, \
                         updated_at = excluded.updated_at \
                     WHERE properties.account_id = excluded.account_id \
                     RETURNING ",
                    property_columns!()
                ),
                &[
                    Arg::Id(PropertyId::new().as_uuid()),
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(upsert.account.as_uuid()),
                    Arg::Text(upsert.external_id.as_str()),
                    Arg::Text(&upsert.name),
                    Arg::Text(&address.line1),
                    Arg::Text(&address.line2),
                    Arg::Text(&address.city),
                    Arg::Text(&address.region),
                    Arg::Text(&address.postal_code),
                    Arg::Text(&address.country),
                    Arg::Time(at),
                ],
            )
            .await?
            .ok_or(StoreError::Conflict(
                PropertiesConflict::PropertyOfAnotherAccount.into(),
            ))?
            .try_into()?;
        tx.commit().await.map_err(store_error)?;
        Ok(property)
    }

    async fn property_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Property>, StoreError> {
        by_external_id(&mut *self.reader().await?, tenant, id).await
    }

    /// One page by name with its count (`COUNT(*) OVER ()`; a page past
    /// the end costs a second query).
    async fn properties(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<Property>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            limit,
            offset,
        ];
        fetch_page::<PropertyRow, _>(
            conn,
            concat!(
                "SELECT ",
                property_columns!(),
                ", COUNT(*) OVER () AS full_count FROM properties \
                 WHERE tenant_id = $1 AND account_id = $2 \
                 ORDER BY name, id LIMIT +$3 OFFSET $4"
            ),
            "SELECT COUNT(*) FROM properties WHERE tenant_id = $1 AND account_id = $2",
            &args,
            2,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Property::try_from).collect())
    }

    async fn property(
        &self,
        scope: &AccountScope,
        id: PropertyId,
    ) -> Result<Option<Property>, StoreError> {
        scoped(&mut *self.reader().await?, scope, id).await
    }
}
