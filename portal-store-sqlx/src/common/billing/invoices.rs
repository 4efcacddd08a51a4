//! Invoices ([`InvoiceStore`]): the host's upserts and voids, and the
//! customer's reads (the filtered, sorted list; one invoice with its lines
//! and what was applied; the host's PDF; the unpaid ones).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use portal_core::access::AccountScope;
use portal_core::billing::{
    AppliedPayment, Invoice, InvoiceDetail, InvoiceLine, InvoiceQuery, InvoiceSort, InvoiceStatus,
    InvoiceStatusFilter, InvoiceTotals, InvoiceUpsert,
};
use portal_core::ports::{InvoiceStore, StoreError};
use portal_core::shared::{ExternalId, InvoiceId, Page, TenantId};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{Applied, invoice_columns, invoice_status, release_allocations, tenant_currency};
use crate::common::{Arg, Backend, Conn, SqlStore, fetch_page, limit_offset};
use crate::error::{backend, store_error};
use crate::rows::billing::{AppliedRow, InvoiceRow, LineRow, invoices as invoice_rows, to_minor};

/// Why an existing invoice refused an upsert.
async fn upsert_refusal<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    external_id: &ExternalId,
    account: Uuid,
) -> StoreError {
    match by_external_id(conn, tenant, external_id).await {
        Err(error) => error,
        Ok(None) => backend("the invoice refused an update but is not there"),
        Ok(Some(invoice)) if invoice.account.as_uuid() != account => StoreError::Conflict(
            portal_core::billing::BillingConflict::InvoiceOfAnotherAccount.into(),
        ),
        Ok(Some(invoice)) if invoice.status == InvoiceStatus::Void => StoreError::Conflict(
            portal_core::billing::BillingConflict::InvoiceVoid {
                number: invoice.number,
            }
            .into(),
        ),
        Ok(Some(invoice)) => StoreError::Conflict(
            portal_core::billing::BillingConflict::TotalBelowPaid {
                number: invoice.number,
            }
            .into(),
        ),
    }
}

/// The tenant's invoice with this external id: the port's read, and what
/// an upsert returns and explains a refusal with.
async fn by_external_id<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: &ExternalId,
) -> Result<Option<Invoice>, StoreError> {
    conn.fetch_optional::<InvoiceRow>(
        concat!(
            "SELECT ",
            invoice_columns!(),
            " FROM invoices WHERE tenant_id = $1 AND external_id = $2"
        ),
        &[Arg::Id(tenant.as_uuid()), Arg::Text(id.as_str())],
    )
    .await?
    .map(Invoice::try_from)
    .transpose()
}

/// The tenant's invoice with this id, as a void leaves or finds it.
async fn tenant_invoice<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: InvoiceId,
) -> Result<Option<Invoice>, StoreError> {
    conn.fetch_optional::<InvoiceRow>(
        concat!(
            "SELECT ",
            invoice_columns!(),
            " FROM invoices WHERE tenant_id = $1 AND id = $2"
        ),
        &[Arg::Id(tenant.as_uuid()), Arg::Id(id.as_uuid())],
    )
    .await?
    .map(Invoice::try_from)
    .transpose()
}

/// The filters of the invoice list, shared by the page and its count:
/// `$1` tenant, `$2` account, `$3` status filter (`unpaid`, `overdue`,
/// `paid`, `void` or NULL), `$4` today, `$5` the number searched for (NULL:
/// any) and `$6` its `LIKE` pattern on the lower-case key, `$7`/`$8` issued
/// range, `$9`/`$10` total range (minor units).
/// A NULL turns its filter off. Tenant and account lead every index of
/// the list, so whatever the filters, only the account's rows are read.
macro_rules! invoice_filters {
    () => {
        " FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
           AND ($3 IS NULL \
                OR ($3 = 'unpaid' AND status IN ('open', 'partially_paid')) \
                OR ($3 = 'overdue' AND status IN ('open', 'partially_paid') AND due_on < $4) \
                OR status = $3) \
           AND ($5 IS NULL OR number_key LIKE $6 ESCAPE '\\') \
           AND ($7 IS NULL OR issued_on >= $7) AND ($8 IS NULL OR issued_on <= $8) \
           AND ($9 IS NULL OR total_minor >= $9) AND ($10 IS NULL OR total_minor <= $10)"
    };
}

/// One page of the list sorted by `$order` (the sort key, then the id),
/// with the count of all matching rows. `LIMIT +$11`: see
/// [`crate::common::billing`] on bound limits.
macro_rules! invoice_page {
    ($order:literal) => {
        concat!(
            "SELECT ",
            invoice_columns!(),
            ", COUNT(*) OVER () AS full_count",
            invoice_filters!(),
            " ORDER BY ",
            $order,
            " LIMIT +$11 OFFSET $12"
        )
    };
}

fn page_sql(sort: InvoiceSort) -> &'static str {
    match sort {
        InvoiceSort::IssuedDesc => invoice_page!("issued_on DESC, id DESC"),
        InvoiceSort::IssuedAsc => invoice_page!("issued_on, id"),
        InvoiceSort::DueAsc => invoice_page!("due_on, id"),
        InvoiceSort::DueDesc => invoice_page!("due_on DESC, id DESC"),
        InvoiceSort::TotalAsc => invoice_page!("total_minor, id"),
        InvoiceSort::TotalDesc => invoice_page!("total_minor DESC, id DESC"),
        InvoiceSort::NumberAsc => invoice_page!("number_key, id"),
        InvoiceSort::NumberDesc => invoice_page!("number_key DESC, id DESC"),
    }
}

#[async_trait]
impl<B: Backend> InvoiceStore for SqlStore<B> {
    /// Creates the invoice or updates the one with its external id, replacing
    /// its lines and (when given) its PDF.
    ///
    /// Insert first (`ON CONFLICT DO NOTHING`): two concurrent upserts of a new
    /// invoice then make one row, the second updating it. The update is
    /// conditional (same account, not void, the new total still covers what is
    /// paid and held); when it refuses, a read says why.
    async fn upsert_invoice(
        &self,
        tenant: TenantId,
        upsert: &InvoiceUpsert,
        totals: &InvoiceTotals,
        at: DateTime<Utc>,
    ) -> Result<Invoice, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let currency = upsert.currency;
        let (subtotal, tax, total) = (
            to_minor(currency, totals.subtotal.amount())?,
            to_minor(currency, totals.tax.amount())?,
            to_minor(currency, totals.total.amount())?,
        );
        let (tenant_id, account_id) = (tenant.as_uuid(), upsert.account.as_uuid());
        conn.fetch_optional::<(Uuid,)>(
            "SELECT id FROM accounts WHERE tenant_id = $1 AND id = $2",
            &[Arg::Id(tenant_id), Arg::Id(account_id)],
        )
        .await?
        .ok_or(StoreError::NotFound)?;

        let number_key = upsert.number.to_lowercase();
        let inserted = conn
            .execute(
                "INSERT INTO invoices (id, tenant_id, account_id, external_id, number, number_key, \
                     issued_on, due_on, currency, subtotal_minor, tax_minor, total_minor, status, \
                     has_host_pdf, memo, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                &[
                    Arg::Id(InvoiceId::new().as_uuid()),
                    Arg::Id(tenant_id),
                    Arg::Id(account_id),
                    Arg::Text(upsert.external_id.as_str()),
                    Arg::Text(&upsert.number),
                    Arg::Text(&number_key),
                    Arg::Date(upsert.issued_on),
                    Arg::Date(upsert.due_on),
                    Arg::Text(currency.as_str()),
                    Arg::Int(subtotal),
                    Arg::Int(tax),
                    Arg::Int(total),
                    Arg::Text(InvoiceStatus::from_amounts(totals.total.amount(), Decimal::ZERO).as_str()),
                    Arg::Bool(upsert.pdf.is_some()),
                    Arg::OptText(upsert.memo.as_deref()),
                    Arg::Time(at),
                ],
            )
            .await?;
        if inserted == 0 {
            let updated = conn
                .execute(
                    concat!(
                        "UPDATE invoices SET number = $4, number_key = $5, issued_on = $6, \
                             due_on = $7, currency = $8, subtotal_minor = $9, tax_minor = $10, \
                             total_minor = $11, memo = $12, updated_at = $13, \
                             has_host_pdf = has_host_pdf OR $14, status = ",
                        invoice_status!("paid_minor", "$11"),
                        " WHERE tenant_id = $1 AND external_id = $2 AND account_id = $3 \
                           AND status <> 'void' AND paid_minor + pending_minor <= $11"
                    ),
                    &[
                        Arg::Id(tenant_id),
                        Arg::Text(upsert.external_id.as_str()),
                        Arg::Id(account_id),
                        Arg::Text(&upsert.number),
                        Arg::Text(&number_key),
                        Arg::Date(upsert.issued_on),
                        Arg::Date(upsert.due_on),
                        Arg::Text(currency.as_str()),
                        Arg::Int(subtotal),
                        Arg::Int(tax),
                        Arg::Int(total),
                        Arg::OptText(upsert.memo.as_deref()),
                        Arg::Time(at),
                        Arg::Bool(upsert.pdf.is_some()),
                    ],
                )
                .await?;
            if updated == 0 {
                return Err(upsert_refusal(conn, tenant, &upsert.external_id, account_id).await);
            }
        }
        let invoice = by_external_id(conn, tenant, &upsert.external_id)
            .await?
            .ok_or_else(|| backend("the upserted invoice is not there"))?;
        let id = invoice.id.as_uuid();

        conn.execute(
            "DELETE FROM invoice_lines WHERE invoice_id = $1",
            &[Arg::Id(id)],
        )
        .await?;
        for (position, line) in upsert.lines.iter().enumerate() {
            let (quantity, unit_price, tax_rate) = (
                line.quantity.to_string(),
                line.unit_price.to_string(),
                line.tax_rate.to_string(),
            );
            conn.execute(
                "INSERT INTO invoice_lines \
                     (invoice_id, position, description, quantity, unit_price, tax_rate) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    Arg::Id(id),
                    Arg::Int(i64::try_from(position).map_err(backend)?),
                    Arg::Text(&line.description),
                    Arg::Text(&quantity),
                    Arg::Text(&unit_price),
                    Arg::Text(&tax_rate),
                ],
            )
            .await?;
        }
        if let Some(pdf) = &upsert.pdf {
            conn.execute(
                "INSERT INTO invoice_documents (invoice_id, pdf) VALUES ($1, $2) \
                 ON CONFLICT (invoice_id) DO UPDATE SET pdf = excluded.pdf",
                &[Arg::Id(id), Arg::Bytes(pdf)],
            )
            .await?;
        }
        tx.commit().await.map_err(store_error)?;
        Ok(invoice)
    }

    /// The invoice with this external id in this tenant.
    async fn invoice_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Invoice>, StoreError> {
        let conn = &mut *self.reader().await?;
        by_external_id(conn, tenant, id).await
    }

    /// Voids the invoice unless a pending payment holds part of it, and gives
    /// what was applied to it back to its payments (released, so it is account
    /// credit again). Payments are updated one by one in id order (see the
    /// module's lock order).
    async fn void_invoice(
        &self,
        tenant: TenantId,
        id: InvoiceId,
        at: DateTime<Utc>,
    ) -> Result<Invoice, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let voided = conn
            .execute(
                "UPDATE invoices SET status = 'void', voided_at = $3, updated_at = $3, paid_minor = 0 \
                 WHERE tenant_id = $1 AND id = $2 AND status <> 'void' AND pending_minor = 0",
                &[
                    Arg::Id(tenant.as_uuid()),
                    Arg::Id(id.as_uuid()),
                    Arg::Time(at),
                ],
            )
            .await?;
        if voided == 0 {
            let invoice = tenant_invoice(conn, tenant, id)
                .await?
                .ok_or(StoreError::NotFound)?;
            if invoice.status == InvoiceStatus::Void {
                return Ok(invoice);
            }
            return Err(StoreError::Conflict(
                portal_core::billing::BillingConflict::InvoiceHeld {
                    number: invoice.number.clone(),
                }
                .into(),
            ));
        }
        let applied = conn
            .fetch_all::<(Uuid, i64)>(
                "SELECT payment_id, CAST(SUM(amount_minor) AS BIGINT) FROM allocations \
                 WHERE invoice_id = $1 AND state = 'applied' \
                 GROUP BY payment_id ORDER BY payment_id",
                &[Arg::Id(id.as_uuid())],
            )
            .await?;
        release_allocations(conn, &applied, Applied::ToInvoice(id.as_uuid()), at).await?;
        let invoice = tenant_invoice(conn, tenant, id)
            .await?
            .ok_or_else(|| backend("the voided invoice is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(invoice)
    }

    /// One page of the account's invoices. The count comes with the page
    /// (`COUNT(*) OVER ()`); only a page past the end, which has no row to
    /// carry it, costs a second query.
    async fn invoices(
        &self,
        scope: &AccountScope,
        query: &InvoiceQuery,
        today: NaiveDate,
    ) -> Result<Page<Invoice>, StoreError> {
        let conn = &mut *self.reader().await?;
        let status = query.status.map(|status| match status {
            InvoiceStatusFilter::Unpaid => "unpaid",
            InvoiceStatusFilter::Overdue => "overdue",
            InvoiceStatusFilter::Paid => "paid",
            InvoiceStatusFilter::Void => "void",
        });
        // Anywhere in the number, case-insensitively: customers type the
        // digits they see ("0177" for INV-2026-0177). The account's invoices
        // are few enough to test each; `%`, `_` and `\` match only themselves.
        let searched = query.number.as_deref().map(str::to_lowercase);
        let pattern = searched.as_deref().map(|text| {
            let escaped = text
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let (min_total, max_total) = match (query.min_total, query.max_total) {
            (None, None) => (None, None),
            (min, max) => {
                let currency = tenant_currency(conn, scope.tenant()).await?;
                (
                    min.map(|amount| to_minor(currency, amount)).transpose()?,
                    max.map(|amount| to_minor(currency, amount)).transpose()?,
                )
            }
        };
        let page = query.page;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::OptText(status),
            Arg::Date(today),
            Arg::OptText(searched.as_deref()),
            Arg::OptText(pattern.as_deref()),
            Arg::OptDate(query.issued_from),
            Arg::OptDate(query.issued_to),
            Arg::OptInt(min_total),
            Arg::OptInt(max_total),
            limit,
            offset,
        ];
        fetch_page::<InvoiceRow, _>(
            conn,
            page_sql(query.sort),
            concat!("SELECT COUNT(*)", invoice_filters!()),
            &args,
            10,
            page,
        )
        .await?
        .map_items(invoice_rows)
    }

    /// The account's invoice, with its lines (the host's order) and the
    /// payments applied to it (oldest first).
    async fn invoice(
        &self,
        scope: &AccountScope,
        id: InvoiceId,
    ) -> Result<Option<InvoiceDetail>, StoreError> {
        let conn = &mut *self.reader().await?;
        let Some(row) = conn
            .fetch_optional::<InvoiceRow>(
                concat!(
                    "SELECT ",
                    invoice_columns!(),
                    " FROM invoices WHERE tenant_id = $1 AND account_id = $2 AND id = $3"
                ),
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                ],
            )
            .await?
        else {
            return Ok(None);
        };
        // The invoice is the account's, so its own id scopes the rest.
        let lines = conn
            .fetch_all::<LineRow>(
                "SELECT description, quantity, unit_price, tax_rate FROM invoice_lines \
                 WHERE invoice_id = $1 ORDER BY position",
                &[Arg::Id(id.as_uuid())],
            )
            .await?
            .into_iter()
            .map(InvoiceLine::try_from)
            .collect::<Result<_, _>>()?;
        let applied = conn
            .fetch_all::<AppliedRow>(
                "SELECT a.payment_id, p.kind, a.applied_at, a.amount_minor, p.method_label, \
                     p.currency \
                 FROM allocations a JOIN payments p ON p.id = a.payment_id \
                 WHERE a.invoice_id = $1 AND a.state = 'applied' \
                 ORDER BY a.applied_at, a.id",
                &[Arg::Id(id.as_uuid())],
            )
            .await?
            .into_iter()
            .map(AppliedPayment::try_from)
            .collect::<Result<_, _>>()?;
        Ok(Some(InvoiceDetail {
            invoice: row.try_into()?,
            lines,
            applied,
        }))
    }

    /// The host's PDF of the account's invoice.
    async fn invoice_pdf(
        &self,
        scope: &AccountScope,
        id: InvoiceId,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = &mut *self.reader().await?;
        let pdf = conn
            .fetch_optional::<(Vec<u8>,)>(
                "SELECT d.pdf FROM invoice_documents d JOIN invoices i ON i.id = d.invoice_id \
                 WHERE i.tenant_id = $1 AND i.account_id = $2 AND i.id = $3",
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                ],
            )
            .await?;
        Ok(pdf.map(|(pdf,)| pdf))
    }

    /// The account's unpaid invoices, due first, from the partial index of
    /// unpaid invoices.
    async fn unpaid_invoices(
        &self,
        scope: &AccountScope,
        limit: u32,
    ) -> Result<Vec<Invoice>, StoreError> {
        let conn = &mut *self.reader().await?;
        let rows = conn
            .fetch_all::<InvoiceRow>(
                concat!(
                    "SELECT ",
                    invoice_columns!(),
                    " FROM invoices WHERE tenant_id = $1 AND account_id = $2 \
                       AND status IN ('open', 'partially_paid') \
                     ORDER BY due_on, issued_on, number, id LIMIT +$3"
                ),
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Int(i64::from(limit)),
                ],
            )
            .await?;
        invoice_rows(rows)
    }
}
