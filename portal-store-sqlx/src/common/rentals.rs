//! Rentals ([`RentalStore`]) on either database: the host's upserts of
//! contracts and reservations, the customer's lists, and call-offs.
//!
//! A call-off (a service request of the kind `call_off`, stored with the
//! others by `requests`) takes the account's row lock first
//! ([`Dialect::LOCK_ACCOUNT`]; SQLite's write lock does the same), then
//! reads, per item, what can still be called off (out less returned less
//! what the contract's open call-offs hold) and writes the request and its
//! outbox rows, or nothing. Two call-offs racing for the
//! last items queue on the lock; the second reads what the first wrote
//! and is refused.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{RentalStore, StoreError};
use portal_core::rentals::{
    CallOff, Contract, ContractDetail, ContractLine, ContractQuery, ContractStatus, ItemOut,
    RentalContractUpsert, RentalsConflict, Reservation, ReservationUpsert,
};
use portal_core::requests::{RequestDetails, ServiceRequest};
use portal_core::shared::{
    ExternalId, Page, PageRequest, RentalContractId, ReservationId, TenantId,
};
use uuid::Uuid;

use super::requests::{insert_request, requests_about, scoped_request};
use super::{
    Arg, Backend, Conn, SqlStore, account_of_tenant, account_record, by_external_id, fetch_page,
    host_record, insert_or_update, limit_offset, outbox, scoped,
};
use crate::error::{backend, store_error};
use crate::rows::billing::to_minor;
use crate::rows::rentals::{
    ContractRow, ItemOutRow, LineRow, ReservationRow, contract_columns, line_columns, quantity,
    reservation_columns,
};

account_record!(
    Contract,
    ContractRow,
    RentalContractId,
    "",
    concat!("SELECT ", contract_columns!(), " FROM rental_contracts")
);

host_record!(
    Reservation,
    ReservationRow,
    "",
    concat!(
        "SELECT ",
        reservation_columns!(),
        " FROM rental_reservations"
    )
);

/// The account's contract with this id.
async fn scoped_contract<C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    id: RentalContractId,
) -> Result<Option<Contract>, StoreError> {
    scoped(conn, scope, id).await
}

/// Replaces a contract's lines with `lines`.
async fn write_lines<C: Conn>(
    conn: &mut C,
    id: Uuid,
    lines: &[ContractLine],
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM rental_contract_lines WHERE contract_id = $1",
        &[Arg::Id(id)],
    )
    .await?;
    for (position, line) in lines.iter().enumerate() {
        let rate = line
            .rate
            .map(|rate| to_minor(rate.currency(), rate.amount()))
            .transpose()?;
        let currency = line.rate.map(|rate| rate.currency().as_str().to_owned());
        conn.execute(
            "INSERT INTO rental_contract_lines (contract_id, position, code, name, \
                 quantity_out, quantity_returned, out_since, rate_minor, currency) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            &[
                Arg::Id(id),
                Arg::Int(i64::try_from(position).map_err(backend)?),
                Arg::Text(&line.code),
                Arg::Text(&line.name),
                Arg::Int(i64::from(line.quantity_out)),
                Arg::Int(i64::from(line.quantity_returned)),
                Arg::Date(line.out_since),
                Arg::OptInt(rate),
                Arg::OptText(currency.as_deref()),
            ],
        )
        .await?;
    }
    Ok(())
}

/// A contract's call-offs, newest first.
async fn call_offs_of<C: Conn>(
    conn: &mut C,
    contract: RentalContractId,
) -> Result<Vec<CallOff>, StoreError> {
    Ok(requests_about(conn, contract.as_uuid())
        .await?
        .into_iter()
        .filter_map(CallOff::of)
        .collect())
}

/// Takes the account's lock (`NotFound` for an account not in the
/// tenant): call-offs of one account queue behind it.
async fn lock_account<C: Conn>(
    conn: &mut C,
    tenant: Uuid,
    account: Uuid,
) -> Result<(), StoreError> {
    conn.fetch_optional::<(Uuid,)>(C::LOCK_ACCOUNT, &[Arg::Id(tenant), Arg::Id(account)])
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
}

/// The filters of the contract list and its count: `$1` tenant, `$2`
/// account, `$3` status or NULL.
macro_rules! contract_filters {
    () => {
        " FROM rental_contracts WHERE tenant_id = $1 AND account_id = $2 \
           AND ($3 IS NULL OR status = $3)"
    };
}

#[async_trait]
impl<B: Backend> RentalStore for SqlStore<B> {
    /// Inserts (`ON CONFLICT DO NOTHING`), else updates the account's
    /// contract; what refused is then read. Lines are rewritten.
    async fn upsert_rental_contract(
        &self,
        tenant: TenantId,
        upsert: &RentalContractUpsert,
        at: DateTime<Utc>,
    ) -> Result<Contract, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        account_of_tenant(conn, tenant, upsert.account).await?;
        let items_out: i64 = upsert
            .lines
            .iter()
            .map(|line| i64::from(line.still_out()))
            .sum();
        // $1-$3 key the row; $4-$9 are its fields, the same in both
        // statements.
        let args = [
            Arg::Id(tenant.as_uuid()),
            Arg::Text(upsert.external_id.as_str()),
            Arg::Id(upsert.account.as_uuid()),
            Arg::Text(&upsert.number),
            Arg::Text(upsert.status.as_str()),
            Arg::Date(upsert.started_on),
            Arg::OptText(upsert.site.as_deref()),
            Arg::Int(items_out),
            Arg::Time(at),
            Arg::Id(RentalContractId::new().as_uuid()),
        ];
        let contract = insert_or_update::<Contract, _>(
            conn,
            tenant,
            &upsert.external_id,
            [
                "INSERT INTO rental_contracts (tenant_id, external_id, account_id, number, \
                     status, started_on, site, items_out, created_at, updated_at, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                "UPDATE rental_contracts SET number = $4, status = $5, started_on = $6, \
                     site = $7, items_out = $8, updated_at = $9 \
                 WHERE tenant_id = $1 AND external_id = $2 AND account_id = $3",
            ],
            &args,
            9,
        )
        .await?
        .ok_or(StoreError::Conflict(
            RentalsConflict::OfAnotherAccount.into(),
        ))?;
        write_lines(conn, contract.id.as_uuid(), &upsert.lines).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(contract)
    }

    async fn rental_contract_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Contract>, StoreError> {
        let conn = &mut *self.reader().await?;
        by_external_id(conn, tenant, id).await
    }

    /// One page, open before closed, newest start first, with its count
    /// (`COUNT(*) OVER ()`; only a page past the end costs a second
    /// query). `LIMIT +$4`: see [`crate::common::billing`] on bound limits.
    async fn rental_contracts(
        &self,
        scope: &AccountScope,
        query: &ContractQuery,
    ) -> Result<Page<Contract>, StoreError> {
        let conn = &mut *self.reader().await?;
        let page = query.page;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::OptText(query.status.map(ContractStatus::as_str)),
            limit,
            offset,
        ];
        fetch_page::<ContractRow, _>(
            conn,
            concat!(
                "SELECT ",
                contract_columns!(),
                ", COUNT(*) OVER () AS full_count",
                contract_filters!(),
                " ORDER BY status DESC, started_on DESC, id DESC LIMIT +$4 OFFSET $5"
            ),
            concat!("SELECT COUNT(*)", contract_filters!()),
            &args,
            3,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Contract::try_from).collect())
    }

    async fn rental_contract(
        &self,
        scope: &AccountScope,
        id: RentalContractId,
    ) -> Result<Option<ContractDetail>, StoreError> {
        let conn = &mut *self.reader().await?;
        let Some(contract) = scoped_contract(conn, scope, id).await? else {
            return Ok(None);
        };
        // The contract is the account's, so its own id scopes the rest.
        let lines = conn
            .fetch_all::<LineRow>(
                concat!(
                    "SELECT ",
                    line_columns!(),
                    " FROM rental_contract_lines WHERE contract_id = $1 ORDER BY position"
                ),
                &[Arg::Id(id.as_uuid())],
            )
            .await?
            .into_iter()
            .map(ContractLine::try_from)
            .collect::<Result<_, _>>()?;
        let call_offs = call_offs_of(conn, id).await?;
        Ok(Some(ContractDetail {
            contract,
            lines,
            call_offs,
        }))
    }

    /// One query over the open contracts' index, newest contract first,
    /// then the host's order.
    async fn items_out(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<ItemOut>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            limit,
            offset,
        ];
        fetch_page::<ItemOutRow, _>(
            conn,
            "SELECT c.id AS contract_id, c.number AS contract_number, \
                 c.site AS contract_site, l.code, l.name, l.quantity_out, \
                 l.quantity_returned, l.out_since, l.rate_minor, l.currency, \
                 COUNT(*) OVER () AS full_count \
             FROM rental_contracts c \
             JOIN rental_contract_lines l ON l.contract_id = c.id \
             WHERE c.tenant_id = $1 AND c.account_id = $2 AND c.status = 'open' \
               AND l.quantity_out > l.quantity_returned \
             ORDER BY c.started_on DESC, c.id DESC, l.position LIMIT +$3 OFFSET $4",
            "SELECT COUNT(*) FROM rental_contracts c \
             JOIN rental_contract_lines l ON l.contract_id = c.id \
             WHERE c.tenant_id = $1 AND c.account_id = $2 AND c.status = 'open' \
               AND l.quantity_out > l.quantity_returned",
            &args,
            2,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(ItemOut::try_from).collect())
    }

    async fn upsert_reservation(
        &self,
        tenant: TenantId,
        upsert: &ReservationUpsert,
        at: DateTime<Utc>,
    ) -> Result<Reservation, StoreError> {
        let items = serde_json::to_string(&upsert.items).map_err(backend)?;
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        account_of_tenant(conn, tenant, upsert.account).await?;
        // $1-$3 key the row; $4-$9 are its fields, the same in both
        // statements.
        let args = [
            Arg::Id(tenant.as_uuid()),
            Arg::Text(upsert.external_id.as_str()),
            Arg::Id(upsert.account.as_uuid()),
            Arg::Text(&upsert.number),
            Arg::Text(upsert.status.as_str()),
            Arg::Date(upsert.starts_on),
            Arg::Date(upsert.ends_on),
            Arg::Text(&items),
            Arg::Time(at),
            Arg::Id(ReservationId::new().as_uuid()),
        ];
        let reservation = insert_or_update::<Reservation, _>(
            conn,
            tenant,
            &upsert.external_id,
            [
                "INSERT INTO rental_reservations (tenant_id, external_id, account_id, number, \
                     status, starts_on, ends_on, items, created_at, updated_at, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                "UPDATE rental_reservations SET number = $4, status = $5, starts_on = $6, \
                     ends_on = $7, items = $8, updated_at = $9 \
                 WHERE tenant_id = $1 AND external_id = $2 AND account_id = $3",
            ],
            &args,
            9,
        )
        .await?
        .ok_or(StoreError::Conflict(
            RentalsConflict::OfAnotherAccount.into(),
        ))?;
        tx.commit().await.map_err(store_error)?;
        Ok(reservation)
    }

    async fn reservations(
        &self,
        scope: &AccountScope,
        page: PageRequest,
    ) -> Result<Page<Reservation>, StoreError> {
        let conn = &mut *self.reader().await?;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            limit,
            offset,
        ];
        fetch_page::<ReservationRow, _>(
            conn,
            concat!(
                "SELECT ",
                reservation_columns!(),
                ", COUNT(*) OVER () AS full_count FROM rental_reservations \
                 WHERE tenant_id = $1 AND account_id = $2 \
                 ORDER BY starts_on DESC, id DESC LIMIT +$3 OFFSET $4"
            ),
            "SELECT COUNT(*) FROM rental_reservations \
             WHERE tenant_id = $1 AND account_id = $2",
            &args,
            2,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Reservation::try_from).collect())
    }

    async fn request_call_off(
        &self,
        scope: &AccountScope,
        call_off: &ServiceRequest,
        messages: &[OutboxMessage],
    ) -> Result<ServiceRequest, StoreError> {
        let RequestDetails::CallOff {
            contract, items, ..
        } = &call_off.details
        else {
            return Err(backend("not a call-off"));
        };
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let (tenant, account) = (scope.tenant().as_uuid(), scope.account().as_uuid());
        lock_account(conn, tenant, account).await?;
        let contract = scoped_contract(conn, scope, contract.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        if contract.status == ContractStatus::Closed {
            return Err(StoreError::Conflict(
                RentalsConflict::ContractClosed {
                    number: contract.number,
                }
                .into(),
            ));
        }
        // What the contract's open call-offs hold, read under the lock.
        let open: Vec<CallOff> = call_offs_of(conn, contract.id)
            .await?
            .into_iter()
            .filter(|held| held.status.is_open())
            .collect();
        for item in items {
            let still_out = conn
                .fetch_optional::<(i64,)>(
                    "SELECT quantity_out - quantity_returned FROM rental_contract_lines \
                     WHERE contract_id = $1 AND code = $2",
                    &[Arg::Id(contract.id.as_uuid()), Arg::Text(&item.code)],
                )
                .await?
                .map_or(0, |(still_out,)| still_out.max(0));
            let held: i64 = open
                .iter()
                .flat_map(|held| &held.items)
                .filter(|asked| asked.code == item.code)
                .map(|asked| i64::from(asked.quantity))
                .sum();
            let available = (still_out - held).max(0);
            if i64::from(item.quantity) > available {
                return Err(StoreError::Conflict(
                    RentalsConflict::NotEnoughOut {
                        code: item.code.clone(),
                        name: item.name.clone(),
                        available: quantity("available", available)?,
                    }
                    .into(),
                ));
            }
        }
        insert_request(conn, scope.tenant(), call_off).await?;
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        let written = scoped_request(conn, scope, call_off.id)
            .await?
            .ok_or_else(|| backend("the call-off is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(written)
    }
}
