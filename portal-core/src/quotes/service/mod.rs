//! Quote use cases of a logged-in customer: the list, one quote (also as
//! a document and, once approved, its certificate), approving and
//! declining. The host's side is in `host.rs`.

mod host;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;

use crate::access::{Actor, Permission};
use crate::audit::{AuditAction, AuditEntry};
use crate::error::PortalError;
use crate::identity::AuthContext;
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::portal::acting_contact;
use crate::quotes::{
    Approval, ApprovalRecord, ApproveQuote, Decision, DecisionClient, Decline, Quote, QuoteDetail,
    QuoteQuery, checked_reason,
};
use crate::shared::{Page, QuoteId};
use crate::tenancy::Tenant;

crate::portal::service! {
    /// A customer's quotes: reading, approving and declining them.
    /// Get one from the [`Portal`](crate::Portal) facade.
    QuotesService
}

/// One page of quotes, with the day expiry is judged against.
#[derive(Clone, Debug, PartialEq)]
pub struct QuoteList {
    /// The page.
    pub quotes: Page<Quote>,
    /// Today in the tenant's time zone.
    pub today: NaiveDate,
}

/// The longest user agent an approval keeps (characters); the rest says
/// nothing a certificate needs.
const MAX_USER_AGENT: usize = 512;

impl QuotesService<'_> {
    /// Today in the tenant's time zone, by the portal's clock: what
    /// expiry is judged against.
    pub fn today(self, tenant: &Tenant) -> NaiveDate {
        self.portal
            .inner
            .clock
            .now()
            .with_timezone(&tenant.settings.time_zone())
            .date_naive()
    }

    /// One page of the active account's quotes.
    pub async fn quotes(self, actor: &Actor, query: &QuoteQuery) -> Result<QuoteList, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewQuotes).await?;
        let today = self.today(&tenant);
        let quotes = self.stores().quotes.quotes(&scope, query, today).await?;
        Ok(QuoteList { quotes, today })
    }

    /// One quote with its lines and decision; `NotFound` for another
    /// account's. Also what its PDF and certificate are drawn from.
    pub async fn quote(self, actor: &Actor, id: QuoteId) -> Result<QuoteDetail, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewQuotes).await?;
        self.stores()
            .quotes
            .quote(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }

    /// An approved quote's approval certificate: the quote and the
    /// evidence. `NotFound` for another account's quote and for one that
    /// is not approved (there is no certificate to give).
    pub async fn certificate(self, actor: &Actor, id: QuoteId) -> Result<QuoteDetail, PortalError> {
        let detail = self.quote(actor, id).await?;
        if detail.approval.is_none() {
            return Err(PortalError::NotFound);
        }
        Ok(detail)
    }

    /// Approves a quote as the session's contact: the typed name, comment,
    /// PO number and chosen optional lines are checked first (nothing is
    /// written when they break a rule), then the quote must be pending,
    /// unexpired and still what the page showed (`shown_sha256`). The
    /// approval keeps the evidence ([`Approval`]) and the host gets a
    /// `QuoteApproved` event in the same transaction.
    pub async fn approve(
        self,
        auth: &AuthContext,
        request: &ApproveQuote,
        client: &DecisionClient,
    ) -> Result<Quote, PortalError> {
        let actor = &auth.actor;
        let (tenant, scope) = self.authorize(actor, Permission::ApproveQuotes).await?;
        let contact = acting_contact(actor)?;
        let checked = request.checked()?;
        let detail = self
            .stores()
            .quotes
            .quote(&scope, request.quote)
            .await?
            .ok_or(PortalError::NotFound)?;
        let today = self.today(&tenant);
        let quote = &detail.quote;
        quote
            .state(today)
            .decide(Decision::Approve, &quote.number)?;
        if quote.content_sha256 != request.shown_sha256 {
            return Err(PortalError::Conflict(
                crate::quotes::QuotesConflict::Changed {
                    number: quote.number.clone(),
                }
                .into(),
            ));
        }
        checked.check_lines(&detail.lines)?;
        let approved_total = detail.totals(&checked.chosen).total;
        let approval = Approval {
            contact,
            contact_name: auth.contact.name.clone(),
            signer_name: checked.signer_name,
            comment: checked.comment,
            po_number: checked.po_number,
            approved_at: self.portal.inner.clock.now(),
            client_ip: client.ip.to_string(),
            user_agent: client
                .user_agent
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_USER_AGENT)
                .collect(),
            content_sha256: detail.content_sha256(&checked.chosen),
            chosen_lines: checked.chosen,
        };
        let event = OutboxMessage::Event(DomainEvent::QuoteApproved {
            account: scope.account(),
            quote: quote.id,
            external_id: quote.external_id.clone(),
            number: quote.number.clone(),
            contact,
            signer_name: approval.signer_name.clone(),
            comment: approval.comment.clone(),
            po_number: approval.po_number.clone(),
            chosen_lines: approval.chosen_lines.clone(),
            total: approved_total.amount(),
            currency: approved_total.currency(),
            content_sha256: approval.content_sha256.clone(),
        });
        let audited = AuditEntry::by(auth, AuditAction::QuoteApproved, approval.approved_at)
            .with_detail(quote.number.clone())
            .message();
        let record = ApprovalRecord {
            approval,
            approved_total,
            shown_sha256: request.shown_sha256.clone(),
        };
        Ok(self
            .stores()
            .quotes
            .approve_quote(&scope, quote.id, &record, today, &[event, audited])
            .await?)
    }

    /// Declines a quote as the session's contact, with a reason
    /// (required); the host gets a `QuoteDeclined` event in the same
    /// transaction. Only a pending, unexpired quote is declined.
    pub async fn decline(
        self,
        auth: &AuthContext,
        id: QuoteId,
        reason: &str,
    ) -> Result<Quote, PortalError> {
        let actor = &auth.actor;
        let (tenant, scope) = self.authorize(actor, Permission::ApproveQuotes).await?;
        let contact = acting_contact(actor)?;
        let reason = checked_reason(reason)?;
        let detail = self
            .stores()
            .quotes
            .quote(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)?;
        let today = self.today(&tenant);
        let quote = &detail.quote;
        quote
            .state(today)
            .decide(Decision::Decline, &quote.number)?;
        let event = OutboxMessage::Event(DomainEvent::QuoteDeclined {
            account: scope.account(),
            quote: quote.id,
            external_id: quote.external_id.clone(),
            number: quote.number.clone(),
            contact,
            reason: reason.clone(),
        });
        let decline = Decline {
            contact,
            contact_name: auth.contact.name.clone(),
            reason,
            declined_at: self.portal.inner.clock.now(),
        };
        let audited = AuditEntry::by(auth, AuditAction::QuoteDeclined, decline.declined_at)
            .with_detail(quote.number.clone())
            .message();
        Ok(self
            .stores()
            .quotes
            .decline_quote(&scope, id, &decline, today, &[event, audited])
            .await?)
    }
}
