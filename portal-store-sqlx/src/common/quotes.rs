//! Quotes ([`QuoteStore`]) on either database: the host's upserts, the
//! customer's list and detail, and the one decision each quote takes.
//!
//! A decision is one conditional `UPDATE` (pending, valid until today or
//! later, and for an approval still the content that was shown), written
//! with its outbox rows in one transaction. Two concurrent approvals
//! cannot both pass it: SQLite has one writer, and PostgreSQL re-checks the
//! condition on the row's latest version once the first commits. When it
//! changes no row, a read in the same transaction says why.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use portal_core::access::AccountScope;
use portal_core::billing::InvoiceTotals;
use portal_core::outbox::OutboxMessage;
use portal_core::ports::{QuoteStore, StoreError};
use portal_core::quotes::{
    ApprovalRecord, Decline, Quote, QuoteDetail, QuoteLine, QuoteQuery, QuoteStatus,
    QuoteStatusFilter, QuoteUpsert, QuotesConflict,
};
use portal_core::shared::{ExternalId, Page, QuoteId, TenantId};
use uuid::Uuid;

use super::{
    Arg, Backend, Conn, SqlStore, account_of_tenant, account_record, by_external_id, fetch_page,
    insert_or_update, limit_offset, outbox, scoped,
};
use crate::error::{backend, store_error};
use crate::rows::billing::to_minor;
use crate::rows::quotes::{
    QuoteDetailRow, QuoteLineRow, QuoteRow, chosen_lines_text, decision_columns, quote_columns,
};

account_record!(
    Quote,
    QuoteRow,
    QuoteId,
    "",
    concat!("SELECT ", quote_columns!(), " FROM quotes")
);

/// Why a decision's conditional update changed nothing: the quote is not
/// the account's, was decided, expired, or (for an approval) changed.
async fn decision_refusal<C: Conn>(
    conn: &mut C,
    scope: &AccountScope,
    id: QuoteId,
    today: NaiveDate,
) -> StoreError {
    let quote = match scoped::<Quote, _>(conn, scope, id).await {
        Ok(Some(quote)) => quote,
        Ok(None) => return StoreError::NotFound,
        Err(error) => return error,
    };
    let number = quote.number.clone();
    let conflict = match quote.status {
        QuoteStatus::Approved | QuoteStatus::Declined => QuotesConflict::AlreadyDecided {
            number,
            approved: quote.status == QuoteStatus::Approved,
        },
        QuoteStatus::Pending if quote.valid_until < today => QuotesConflict::Expired { number },
        QuoteStatus::Pending => QuotesConflict::Changed { number },
    };
    StoreError::Conflict(conflict.into())
}

/// Replaces a quote's lines with `lines`.
async fn write_lines<C: Conn>(
    conn: &mut C,
    id: Uuid,
    lines: &[QuoteLine],
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM quote_lines WHERE quote_id = $1",
        &[Arg::Id(id)],
    )
    .await?;
    for (position, line) in lines.iter().enumerate() {
        let (quantity, unit_price, tax_rate) = (
            line.line.quantity.to_string(),
            line.line.unit_price.to_string(),
            line.line.tax_rate.to_string(),
        );
        conn.execute(
            "INSERT INTO quote_lines \
                 (quote_id, position, description, quantity, unit_price, tax_rate, optional) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Arg::Id(id),
                Arg::Int(i64::try_from(position).map_err(backend)?),
                Arg::Text(&line.line.description),
                Arg::Text(&quantity),
                Arg::Text(&unit_price),
                Arg::Text(&tax_rate),
                Arg::Bool(line.optional),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The list's filters, shared by the page and its count: `$1` tenant,
/// `$2` account, `$3` status filter (`pending`, `approved`, `declined`,
/// `expired` or NULL), `$4` today. Expired is a pending quote valid until
/// before today.
macro_rules! quote_filters {
    () => {
        " FROM quotes WHERE tenant_id = $1 AND account_id = $2 \
           AND ($3 IS NULL \
                OR ($3 = 'pending' AND status = 'pending' AND valid_until >= $4) \
                OR ($3 = 'expired' AND status = 'pending' AND valid_until < $4) \
                OR ($3 IN ('approved', 'declined') AND status = $3))"
    };
}

#[async_trait]
impl<B: Backend> QuoteStore for SqlStore<B> {
    /// Inserts the quote (`ON CONFLICT DO NOTHING`, so two concurrent
    /// upserts of a new quote make one row), else updates it while it is
    /// the account's, pending and different; what refused is then read.
    async fn upsert_quote(
        &self,
        tenant: TenantId,
        upsert: &QuoteUpsert,
        totals: &InvoiceTotals,
        digest: &str,
        at: DateTime<Utc>,
    ) -> Result<Quote, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let currency = upsert.currency;
        let (subtotal, tax, total) = (
            to_minor(currency, totals.subtotal.amount())?,
            to_minor(currency, totals.tax.amount())?,
            to_minor(currency, totals.total.amount())?,
        );
        account_of_tenant(conn, tenant, upsert.account).await?;
        let has_optional = upsert.lines.iter().any(|line| line.optional);
        // $1-$3 key the row; $4-$16 are its fields, the same in both
        // statements.
        let args = [
            Arg::Id(tenant.as_uuid()),
            Arg::Text(upsert.external_id.as_str()),
            Arg::Id(upsert.account.as_uuid()),
            Arg::Text(&upsert.number),
            Arg::Text(&upsert.title),
            Arg::Text(&upsert.scope_of_work),
            Arg::Text(&upsert.terms),
            Arg::Date(upsert.issued_on),
            Arg::Date(upsert.valid_until),
            Arg::Text(currency.as_str()),
            Arg::Int(subtotal),
            Arg::Int(tax),
            Arg::Int(total),
            Arg::Bool(has_optional),
            Arg::Text(digest),
            Arg::Time(at),
            Arg::Id(QuoteId::new().as_uuid()),
        ];
        let Some(quote) = insert_or_update::<Quote, _>(
            conn,
            tenant,
            &upsert.external_id,
            [
                "INSERT INTO quotes (tenant_id, external_id, account_id, number, title, \
                     scope_of_work, terms, issued_on, valid_until, currency, subtotal_minor, \
                     tax_minor, total_minor, has_optional_lines, content_sha256, status, \
                     created_at, updated_at, id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
                     'pending', $16, $16, $17) \
                 ON CONFLICT (tenant_id, external_id) DO NOTHING",
                "UPDATE quotes SET number = $4, title = $5, scope_of_work = $6, terms = $7, \
                     issued_on = $8, valid_until = $9, currency = $10, subtotal_minor = $11, \
                     tax_minor = $12, total_minor = $13, has_optional_lines = $14, \
                     content_sha256 = $15, updated_at = $16 \
                 WHERE tenant_id = $1 AND external_id = $2 AND account_id = $3 \
                   AND status = 'pending' AND content_sha256 <> $15",
            ],
            &args,
            16,
        )
        .await?
        else {
            // Nothing written: the same quote again, or one that refuses.
            let quote = by_external_id::<Quote, _>(conn, tenant, &upsert.external_id)
                .await?
                .ok_or_else(|| backend("the upserted quote is not there"))?;
            return if quote.account != upsert.account {
                Err(StoreError::Conflict(
                    QuotesConflict::QuoteOfAnotherAccount.into(),
                ))
            } else if quote.content_sha256 == digest {
                Ok(quote)
            } else {
                Err(StoreError::Conflict(
                    QuotesConflict::DecidedQuoteChanged {
                        number: quote.number,
                    }
                    .into(),
                ))
            };
        };
        write_lines(conn, quote.id.as_uuid(), &upsert.lines).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(quote)
    }

    async fn quote_by_external_id(
        &self,
        tenant: TenantId,
        id: &ExternalId,
    ) -> Result<Option<Quote>, StoreError> {
        let conn = &mut *self.reader().await?;
        by_external_id(conn, tenant, id).await
    }

    /// One page, newest issued first, with its count (`COUNT(*) OVER ()`;
    /// only a page past the end costs a second query). `LIMIT +$5`: see
    /// [`crate::common::billing`] on bound limits.
    async fn quotes(
        &self,
        scope: &AccountScope,
        query: &QuoteQuery,
        today: NaiveDate,
    ) -> Result<Page<Quote>, StoreError> {
        let conn = &mut *self.reader().await?;
        let page = query.page;
        let [limit, offset] = limit_offset(page)?;
        let args = [
            Arg::Id(scope.tenant().as_uuid()),
            Arg::Id(scope.account().as_uuid()),
            Arg::OptText(query.status.map(QuoteStatusFilter::as_str)),
            Arg::Date(today),
            limit,
            offset,
        ];
        fetch_page::<QuoteRow, _>(
            conn,
            concat!(
                "SELECT ",
                quote_columns!(),
                ", COUNT(*) OVER () AS full_count",
                quote_filters!(),
                " ORDER BY issued_on DESC, id DESC LIMIT +$5 OFFSET $6"
            ),
            concat!("SELECT COUNT(*)", quote_filters!()),
            &args,
            4,
            page,
        )
        .await?
        .map_items(|rows| rows.into_iter().map(Quote::try_from).collect())
    }

    /// The account's quote with its lines (the host's order) and decision.
    async fn quote(
        &self,
        scope: &AccountScope,
        id: QuoteId,
    ) -> Result<Option<QuoteDetail>, StoreError> {
        let conn = &mut *self.reader().await?;
        let Some(row) = conn
            .fetch_optional::<QuoteDetailRow>(
                concat!(
                    "SELECT ",
                    quote_columns!(),
                    ", ",
                    decision_columns!(),
                    " FROM quotes WHERE tenant_id = $1 AND account_id = $2 AND id = $3"
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
        // The quote is the account's, so its own id scopes its lines.
        let lines = conn
            .fetch_all::<QuoteLineRow>(
                "SELECT description, quantity, unit_price, tax_rate, optional FROM quote_lines \
                 WHERE quote_id = $1 ORDER BY position",
                &[Arg::Id(id.as_uuid())],
            )
            .await?
            .into_iter()
            .map(QuoteLine::try_from)
            .collect::<Result<_, _>>()?;
        let (approval, decline) = row.decision()?;
        Ok(Some(QuoteDetail {
            scope_of_work: row.scope_of_work,
            terms: row.terms,
            quote: row.quote.try_into()?,
            lines,
            approval,
            decline,
        }))
    }

    async fn approve_quote(
        &self,
        scope: &AccountScope,
        id: QuoteId,
        record: &ApprovalRecord,
        today: NaiveDate,
        messages: &[OutboxMessage],
    ) -> Result<Quote, StoreError> {
        let approval = &record.approval;
        let total = record.approved_total;
        let total = to_minor(total.currency(), total.amount())?;
        let chosen = chosen_lines_text(&approval.chosen_lines);
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let approved = conn
            .execute(
                "UPDATE quotes SET status = 'approved', decided_at = $4, updated_at = $4, \
                     decided_by = $5, decided_by_name = $6, signer_name = $7, comment = $8, \
                     po_number = $9, chosen_lines = $10, approved_total_minor = $11, \
                     approved_sha256 = $12, client_ip = $13, user_agent = $14 \
                 WHERE tenant_id = $1 AND account_id = $2 AND id = $3 AND status = 'pending' \
                   AND valid_until >= $15 AND content_sha256 = $16",
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                    Arg::Time(approval.approved_at),
                    Arg::Id(approval.contact.as_uuid()),
                    Arg::Text(&approval.contact_name),
                    Arg::Text(&approval.signer_name),
                    Arg::OptText(approval.comment.as_deref()),
                    Arg::OptText(approval.po_number.as_deref()),
                    Arg::Text(&chosen),
                    Arg::Int(total),
                    Arg::Text(&approval.content_sha256),
                    Arg::Text(&approval.client_ip),
                    Arg::Text(&approval.user_agent),
                    Arg::Date(today),
                    Arg::Text(&record.shown_sha256),
                ],
            )
            .await?;
        if approved == 0 {
            return Err(decision_refusal(conn, scope, id, today).await);
        }
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        let quote = scoped::<Quote, _>(conn, scope, id)
            .await?
            .ok_or_else(|| backend("the approved quote is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(quote)
    }

    async fn decline_quote(
        &self,
        scope: &AccountScope,
        id: QuoteId,
        decline: &Decline,
        today: NaiveDate,
        messages: &[OutboxMessage],
    ) -> Result<Quote, StoreError> {
        let mut tx = self.begin().await?;
        let conn = &mut *tx;
        let declined = conn
            .execute(
                "UPDATE quotes SET status = 'declined', decided_at = $4, updated_at = $4, \
                     decided_by = $5, decided_by_name = $6, decline_reason = $7 \
                 WHERE tenant_id = $1 AND account_id = $2 AND id = $3 AND status = 'pending' \
                   AND valid_until >= $8",
                &[
                    Arg::Id(scope.tenant().as_uuid()),
                    Arg::Id(scope.account().as_uuid()),
                    Arg::Id(id.as_uuid()),
                    Arg::Time(decline.declined_at),
                    Arg::Id(decline.contact.as_uuid()),
                    Arg::Text(&decline.contact_name),
                    Arg::Text(&decline.reason),
                    Arg::Date(today),
                ],
            )
            .await?;
        if declined == 0 {
            return Err(decision_refusal(conn, scope, id, today).await);
        }
        outbox::enqueue(conn, scope.tenant(), messages).await?;
        let quote = scoped::<Quote, _>(conn, scope, id)
            .await?
            .ok_or_else(|| backend("the declined quote is not there"))?;
        tx.commit().await.map_err(store_error)?;
        Ok(quote)
    }
}
