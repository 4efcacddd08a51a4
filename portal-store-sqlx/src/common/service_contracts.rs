//! Service contracts ([`ServiceContractStore`]) on either database: the
//! host's upserts and the customer's list and detail.
//!
//! An upsert inserts (`ON CONFLICT DO NOTHING`, so two concurrent upserts
//! of a new contract make one row) or else updates the row while it is
//! the account's; when neither wrote, a read in the same transaction says
//! why (another account's contract).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use portal_core::access::AccountScope;
use portal_core::ports::{ServiceContractStore, StoreError};
use portal_core::service_contracts::{
    ContractQuery, ContractTerms, ContractUpsert, ContractsConflict, ServiceContract,
};
use portal_core::shared::{ExternalId, Page, ServiceContractId, TenantId};

use super::{
    Arg, Backend, SqlStore, account_of_tenant, account_record, by_external_id, fetch_page,
    insert_or_update, limit_offset, scoped,
};
use crate::error::{backend, store_error};
use crate::rows::service_contracts::{ContractRow, contract_columns};

account_record!(
    ServiceContract,
    ContractRow,
    ServiceContractId,
    "",
    concat!("SELECT ", contract_columns!(), " FROM service_contracts")
);

/// The list's filters, shared by the page and its count: `$1` tenant,
/// `$2` account, `$3` status or NULL for every one.
macro_rules! contract_filters {
    () => {
        " FROM service_contracts WHERE tenant_id = $1 AND account_id = $2 \
           AND ($3 IS NULL OR status = $3)"
    };
}

/// A contract's terms as the columns store them, in the order the upsert
/// binds them: kind, schedule, next visit, price, currency, hours bought,
/// hours used, overage allowed.
struct TermColumns<'a> {
    kind: &'static str,
    schedule: Option<&'a str>,
    next_visit_on: Option<chrono::NaiveDate>,
    price_minor: Option<i64>,
    currency: Option<String>,
    hours_bought: Option<i64>,
    hours_used: Option<i64>,
    overage_allowed: bool,
}

impl<'a> TermColumns<'a> {
    fn of(terms: &'a ContractTerms) -> Result<Self, StoreError> {
        Ok(match terms {
            ContractTerms::Recurring {
                schedule,
                next_visit_on,
                price_per_period,
            } => Self {
                kind: terms.kind(),
                schedule: Some(schedule),
                next_visit_on: *next_visit_on,
                price_minor: price_per_period
                    .map(|price| {
                        price
                            .to_minor()
                            .ok_or_else(|| backend("a contract price not in minor units"))
                    })
                    .transpose()?,
                currency: price_per_period.map(|price| price.currency().as_str().to_owned()),
                hours_bought: None,
                hours_used: None,
                overage_allowed: false,
            },
            ContractTerms::TimeBlock(block) => Self {
                kind: terms.kind(),
                schedule: None,
                next_visit_on: None,
                price_minor: None,
                currency: None,
                hours_bought: Some(block.bought().hundredths()),
                hours_used: Some(block.used().hundredths()),
                overage_allowed: block.overage_allowed(),
            },
        })
    }
}

#[async_trait]
impl<B: Backend> ServiceContractStore for SqlStore<B> {
    async fn upsert_contract(
        &self,
        tenant: TenantId,
        upsert: &ContractUpsert,
        at: DateTime<Utc>,
    ) -> Result<ServiceContract, StoreError> {
        let terms = TermColumns::of(&upsert.terms)?;
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        account_of_tenant(conn, tenant, upsert.account).await?;
        // $1-$3 key the row; $4-$17 are its fields, the same in both
        // statements.
        let args = [
            Arg::Id(tenant.as_uuid()),
            Arg::Text(upsert.external_id.as_str()),
            Arg::Id(upsert.account.as_uuid()),
            Arg::Text(&upsert.number),
            Arg::Text(&upsert.name),
            Arg::Text(&upsert.description),
            Arg::Text(upsert.status.as_str()),
            Arg::Date(upsert.starts_on),
            Arg::OptDate(upsert.ends_on),
            Arg::Text(terms.kind),
            Arg::OptText(terms.schedule),
            Arg::OptDate(terms.next_visit_on),
            Arg::OptInt(terms.price_minor),
            Arg::OptText(terms.currency.as_deref()),
            Arg::OptInt(terms.hours_bought),
            Arg::OptInt(terms.hours_used),
            Arg::Bool(terms.overage_allowed),
            Arg::Time(at),
            Arg::Id(ServiceContractId::new().as_uuid()),
        ];
        let contract = insert_or_update::<ServiceContract, _>(
            conn,
            tenant,
            &upsert.external_id,
            [
                "INSERT INTO service_contracts (tenant_id, external_id, account_id, number, name, \
                     description, status, starts_on, ends_on, kind, schedule, next_visit_on, \
                     price_minor, currency, hours_bought_hundredths, hours_used_hundredths, \
                     overage_allowed, created_at, updated_at, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                     $17, $18, $18, $19) \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                "UPDATE service_contracts SET number = $4, name = $5, description = $6, \
                     status = $7, starts_on = $8, ends_on = $9, kind = $10, schedule = $11, \
                     next_visit_on = $12, price_minor = $13, currency = $14, \
                     hours_bought_hundredths = $15, hours_used_hundredths = $16, \
                     overage_allowed = $17, updated_at = $18 \
                 WHERE tenant_id = $1 AND external_id = $2 AND account_id = $3",
            ],
            &args,
            18,
        )
        .await?
        .ok_or(StoreError::Conflict(
            ContractsConflict::ContractOfAnotherAccount.into(),
        ))?;
        tx.commit().await.map_err(store_error)?;
        Ok(contract)
    }

    async fn contract_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<ServiceContract>, StoreError> {
        let conn = &mut *self.reader().await?;
        by_external_id(conn, tenant, id).await
    }

    /// One page, latest start first, with its count. `LIMIT +$4`: see
    /// [`crate::common::billing`] on bound limits.
    async fn contracts(
        &self,
        scope: &AccountScope,
        query: &ContractQuery,
    ) -> Result<Page<ServiceContract>, StoreError> {
        let conn = &mut *self.reader().await?;
        let page = query.page;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::OptText(query.status.map(|status| status.as_str())),
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
                " ORDER BY starts_on DESC, id DESC LIMIT +$4 OFFSET $5"
            ),
            concat!("SELECT COUNT(*)", contract_filters!()),
            &args,
            3,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(ServiceContract::try_from).collect())
    }

    async fn contract(
        &self,
        scope: &AccountScope,
        id: ServiceContractId,
    ) -> Result<Option<ServiceContract>, StoreError> {
        scoped(&mut *self.reader().await?, scope, id).await
    }
}
