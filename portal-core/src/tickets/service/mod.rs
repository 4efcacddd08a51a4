//! Ticket use cases of a logged-in customer: what the form offers,
//! attaching files, opening a ticket, the list, one ticket with its
//! thread, replying, reopening and downloading an attachment. The host's
//! side is in `host.rs`.

mod host;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use crate::access::{AccountScope, Actor, Permission};
use crate::blobs::{Blob, BlobLimits, BlobStore, StagedFile, Upload, attachments_of, check_staged};
use crate::error::PortalError;
use crate::jobs::{Job, jobs_to_pick};
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::portal::acting_contact;
use crate::requests::Reference;
use crate::shared::{AttachmentId, ContactId, Page, Reason, TicketId, TicketMessageId, check_text};
use crate::tenancy::{Features, Tenant};
use crate::tickets::{
    Author, CategoryRef, Ticket, TicketCategory, TicketDraft, TicketFilter, TicketMessage,
    TicketQuery, TicketStatus, TicketThread, TicketsConflict,
};

/// The most jobs the form offers to pick from, of each of upcoming and
/// waiting.
const JOB_PICKER_SIZE: u32 = 50;

crate::portal::service! {
    /// The active account's support tickets: opening them with files
    /// attached, following their threads, replying and reopening. Get one
    /// from the [`Portal`](crate::Portal) facade.
    TicketsService
}

/// What the "open a ticket" form offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketForm {
    /// The categories, in the tenant's order.
    pub categories: Vec<TicketCategory>,
    /// The longest message, in characters.
    pub max_body_chars: u32,
    /// The most files a message may carry (0: none).
    pub max_attachments: u8,
    /// What each file is held to.
    pub limits: BlobLimits,
    /// The account's jobs to say the ticket is about.
    pub jobs: Vec<Job>,
}

/// Which tickets the tenant lets customers see.
fn visible(features: &Features, status: TicketStatus) -> bool {
    if status.is_open() {
        features.tickets_view_open
    } else {
        features.tickets_view_closed
    }
}

/// `filter` narrowed to what the tenant shows; none when it shows nothing
/// of it.
fn visible_filter(features: &Features, filter: TicketFilter) -> Option<TicketFilter> {
    let (open, closed) = (features.tickets_view_open, features.tickets_view_closed);
    match filter {
        TicketFilter::All if open && closed => Some(TicketFilter::All),
        TicketFilter::All | TicketFilter::Open if open => Some(TicketFilter::Open),
        TicketFilter::All | TicketFilter::Closed if closed => Some(TicketFilter::Closed),
        _ => None,
    }
}

impl TicketsService<'_> {
    fn now(self) -> DateTime<Utc> {
        self.portal.inner.clock.now()
    }

    fn blob_store(&self) -> Result<&'_ dyn BlobStore, PortalError> {
        self.portal.blob_store()
    }

    /// What the "open a ticket" form offers `actor` (CreateTickets).
    pub async fn form(self, actor: &Actor) -> Result<TicketForm, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::CreateTickets).await?;
        let policy = &tenant.settings.tickets;
        let jobs = if tenant.settings.features.services {
            jobs_to_pick(self.stores(), &scope, self.now(), JOB_PICKER_SIZE).await?
        } else {
            Vec::new()
        };
        Ok(TicketForm {
            categories: policy.categories.clone(),
            max_body_chars: policy.max_body_chars,
            max_attachments: policy.max_attachments,
            limits: policy.attachment_limits(),
            jobs,
        })
    }

    /// Stores a file for a message `actor` is writing (CreateTickets),
    /// checked against the tenant's attachment limits while it streams
    /// (too large, a kind not allowed, a name of another kind: refused at
    /// `file`, nothing kept). Refused at `file` when the tenant takes no
    /// attachments.
    pub async fn attach(
        self,
        actor: &Actor,
        upload: Upload<'_>,
    ) -> Result<StagedFile, PortalError> {
        let (tenant, _) = self.authorize(actor, Permission::CreateTickets).await?;
        self.portal.stage_attachment(&tenant, upload).await
    }

    /// Removes files staged for a message that will not be written (the
    /// request failed before it). Failures are logged, not returned: the
    /// caller is already answering with the first error.
    pub async fn discard(self, actor: &Actor, files: Vec<StagedFile>) {
        self.portal.discard_staged(actor.tenant(), files).await;
    }

    /// Opens a ticket (CreateTickets): a category of the tenant's, a body
    /// of 1 to the tenant's limit of characters, optionally a job of the
    /// account, and the staged `files` (at most the tenant's number).
    /// Assigned per the tenant's policy, stored open with a `TicketOpened`
    /// host event. When a rule is broken nothing is written and the files
    /// are removed.
    pub async fn open(
        self,
        actor: &Actor,
        draft: &TicketDraft,
        files: Vec<StagedFile>,
    ) -> Result<TicketThread, PortalError> {
        let opened = self.try_open(actor, draft, &files).await;
        self.portal
            .settle_staged(actor.tenant(), opened, files)
            .await
    }

    async fn try_open(
        self,
        actor: &Actor,
        draft: &TicketDraft,
        files: &[StagedFile],
    ) -> Result<TicketThread, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::CreateTickets).await?;
        let contact = acting_contact(actor)?;
        let policy = &tenant.settings.tickets;
        let category = policy.category(&draft.category).ok_or_else(|| {
            let choices = policy.categories.iter().map(|c| c.key.as_str());
            PortalError::invalid(
                "category",
                if draft.category.trim().is_empty() {
                    Reason::Required
                } else {
                    Reason::NotAChoice {
                        choices: choices.collect::<Vec<_>>().join(", "),
                    }
                },
            )
        })?;
        check_text("body", &draft.body, 1, policy.max_body_chars as usize)?;
        check_staged(tenant.id, files, policy.max_attachments)?;
        let job = match draft.job {
            Some(id) => {
                let job = self.stores().jobs.job(&scope, id).await?;
                let job = job
                    .ok_or(PortalError::invalid("job", Reason::UnknownRecord))?
                    .job;
                Some(Reference {
                    id,
                    label: format!("{} · {}", job.number, job.title),
                })
            }
            None => None,
        };
        let now = self.now();
        let body = draft.body.trim().to_owned();
        let number = self.stores().tickets.next_ticket_number(tenant.id).await?;
        let ticket = Ticket {
            id: TicketId::new(),
            account: scope.account(),
            number,
            category: CategoryRef {
                key: category.key.clone(),
                name: category.name.clone(),
            },
            subject: Ticket::subject_of(&body),
            status: TicketStatus::Open,
            job,
            assignee: policy.assignee_of(category),
            opened_by: contact,
            opened_at: now,
            updated_at: now,
            messages: 1,
        };
        let message = customer_message(contact, body, now, files);
        let event = OutboxMessage::Event(DomainEvent::TicketOpened {
            account: scope.account(),
            ticket: ticket.id,
            number,
            contact,
            category: ticket.category.key.clone(),
            assignee: ticket.assignee.clone(),
            job: ticket.job.as_ref().map(|job| job.id),
            body: message.body.clone(),
            attachments: message.attachments.len() as u32,
        });
        Ok(self
            .stores()
            .tickets
            .open_ticket(&scope, &ticket, &message, &[event])
            .await?)
    }

    /// One page of the account's tickets (ViewTickets), open ones first,
    /// narrowed to what the tenant shows (open, closed or both): a filter
    /// asking only for what is hidden gives an empty page.
    pub async fn list(
        self,
        actor: &Actor,
        query: &TicketQuery,
    ) -> Result<Page<Ticket>, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewTickets).await?;
        let Some(filter) = visible_filter(&tenant.settings.features, query.filter) else {
            return Ok(Page::of(Vec::new(), 0, query.page));
        };
        let query = TicketQuery { filter, ..*query };
        Ok(self.stores().tickets.tickets(&scope, &query).await?)
    }

    /// One ticket of the account with its thread (ViewTickets);
    /// `NotFound` for another account's, and for a closed one when the
    /// tenant hides closed tickets (or an open one when it hides those).
    pub async fn ticket(self, actor: &Actor, id: TicketId) -> Result<TicketThread, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewTickets).await?;
        self.visible_thread(&tenant, &scope, id).await
    }

    async fn visible_thread(
        self,
        tenant: &Tenant,
        scope: &AccountScope,
        id: TicketId,
    ) -> Result<TicketThread, PortalError> {
        self.stores()
            .tickets
            .ticket(scope, id)
            .await?
            .filter(|thread| visible(&tenant.settings.features, thread.ticket.status))
            .ok_or(PortalError::NotFound)
    }

    /// Replies on the account's ticket (CreateTickets) with a body within
    /// the tenant's limit and the staged `files`; the ticket is open again
    /// and the host gets `TicketReplied`. A closed ticket is a conflict
    /// (reopen it first). When a rule is broken nothing is written and the
    /// files are removed.
    pub async fn reply(
        self,
        actor: &Actor,
        id: TicketId,
        body: &str,
        files: Vec<StagedFile>,
    ) -> Result<TicketThread, PortalError> {
        let replied = self.try_reply(actor, id, body, &files).await;
        self.portal
            .settle_staged(actor.tenant(), replied, files)
            .await
    }

    async fn try_reply(
        self,
        actor: &Actor,
        id: TicketId,
        body: &str,
        files: &[StagedFile],
    ) -> Result<TicketThread, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::CreateTickets).await?;
        let contact = acting_contact(actor)?;
        let policy = &tenant.settings.tickets;
        check_text("body", body, 1, policy.max_body_chars as usize)?;
        check_staged(tenant.id, files, policy.max_attachments)?;
        let message = customer_message(contact, body.trim().to_owned(), self.now(), files);
        let event = OutboxMessage::Event(DomainEvent::TicketReplied {
            account: scope.account(),
            ticket: id,
            message: message.id,
            contact,
            body: message.body.clone(),
            attachments: message.attachments.len() as u32,
        });
        Ok(self
            .stores()
            .tickets
            .add_customer_message(&scope, id, &message, &[event])
            .await?)
    }

    /// Reopens the account's closed ticket (CreateTickets) when the
    /// tenant allows it; the host gets `TicketReopened`.
    pub async fn reopen(self, actor: &Actor, id: TicketId) -> Result<Ticket, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::CreateTickets).await?;
        let contact = acting_contact(actor)?;
        if !tenant.settings.tickets.allow_reopen {
            return Err(TicketsConflict::ReopenNotAllowed.into());
        }
        let event = OutboxMessage::Event(DomainEvent::TicketReopened {
            account: scope.account(),
            ticket: id,
            contact,
        });
        Ok(self
            .stores()
            .tickets
            .reopen_ticket(&scope, id, self.now(), &[event])
            .await?)
    }

    /// An attachment of the account's ticket, its content streamed from
    /// the blob store (ViewTickets); `NotFound` when the ticket is not the
    /// account's or the attachment not on it.
    pub async fn download(
        self,
        actor: &Actor,
        ticket: TicketId,
        attachment: AttachmentId,
    ) -> Result<Blob, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::ViewTickets).await?;
        let found = self
            .stores()
            .tickets
            .attachment(&scope, ticket, attachment)
            .await?
            .ok_or(PortalError::NotFound)?;
        Ok(self.blob_store()?.get(tenant.id, &found.key).await?)
    }
}

/// The customer's message with the staged files as its attachments.
fn customer_message(
    contact: ContactId,
    body: String,
    at: DateTime<Utc>,
    files: &[StagedFile],
) -> TicketMessage {
    TicketMessage {
        id: TicketMessageId::new(),
        author: Author::Customer {
            contact,
            name: String::new(),
        },
        body,
        at,
        attachments: attachments_of(files),
    }
}
