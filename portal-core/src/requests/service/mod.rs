//! Request use cases of a logged-in customer: which kinds they may ask,
//! the form of one, attaching files, asking, following their requests and
//! downloading what they attached. The host's side is in `host.rs`.

mod host;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};

use crate::access::{AccountScope, Actor, Permission};
use crate::billing::{Invoice, InvoiceQuery};
use crate::blobs::{Blob, BlobLimits, StagedFile, Upload, attachments_of, check_staged};
use crate::error::PortalError;
use crate::jobs::{Job, jobs_to_pick};
use crate::outbox::{DomainEvent, OutboxMessage};
use crate::portal::acting_contact;
use crate::properties::Property;
use crate::requests::kind::field_error;
use crate::requests::{
    AnswerValue, FieldInput, MAX_DESCRIPTION, Reference, RequestDetails, RequestKind, RequestQuery,
    RequestStatus, RequestsConflict, SERVICE, ServiceAsk, ServiceRequest,
};
use crate::shared::{
    AttachmentId, ContactId, Page, PageRequest, Reason, ServiceRequestId, check_text,
};
use crate::tenancy::{PortalSettings, Tenant};

/// The most records a form's pickers offer (properties, jobs, invoices).
const PICKER_SIZE: u32 = 100;

crate::portal::service! {
    /// A customer's service requests: asking for service, the host's own
    /// kinds, and following them (call-offs are asked from a rental
    /// contract, `portal.rentals()`, and listed here too). Get one from
    /// the [`Portal`](crate::Portal) facade.
    RequestsService
}

/// A kind the customer may ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindChoice {
    /// "Request service".
    Service,
    /// "Call off rent" (asked from a contract).
    CallOff,
    /// A kind the host declared.
    Custom(RequestKind),
}

/// What a request's form shows: the kind (none for "request service"),
/// the account's records its pickers offer, and the files it takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestForm {
    /// The host's kind; none for "request service".
    pub kind: Option<RequestKind>,
    /// The account's properties (when a field or the service form asks
    /// for one).
    pub properties: Vec<Property>,
    /// The account's jobs not yet done (when a field asks for one).
    pub jobs: Vec<Job>,
    /// The account's recent invoices (when a field asks for one).
    pub invoices: Vec<Invoice>,
    /// The most files a request of this kind may carry (0: none).
    pub max_attachments: u8,
    /// What each file is held to.
    pub limits: BlobLimits,
}

/// The most files a request may carry: the tenant's attachment limit
/// when its kind takes files ("request service" by the tenant's setting,
/// a declared kind by its own), else none.
fn max_files(settings: &PortalSettings, takes_files: bool) -> u8 {
    if takes_files {
        settings.tickets.max_attachments
    } else {
        0
    }
}

impl KindChoice {
    /// The most files a request of this kind may carry under `settings`
    /// (0: none; a call-off takes none).
    pub fn max_attachments(&self, settings: &PortalSettings) -> u8 {
        let takes_files = match self {
            Self::Service => settings.service_request_attachments,
            Self::CallOff => false,
            Self::Custom(kind) => kind.attachments,
        };
        max_files(settings, takes_files)
    }
}

impl RequestsService<'_> {
    fn now(self) -> DateTime<Utc> {
        self.portal.inner.clock.now()
    }

    fn today(self, tenant: &Tenant) -> NaiveDate {
        self.now()
            .with_timezone(&tenant.settings.time_zone())
            .date_naive()
    }

    /// The kinds `actor` may ask for: "request service" and the host's
    /// active kinds with `RequestService`, "call off rent" with
    /// `CallOffRent`, each behind its feature switch.
    pub async fn kinds(self, actor: &Actor) -> Result<Vec<KindChoice>, PortalError> {
        let mut kinds = Vec::new();
        let services = self.authorize(actor, Permission::RequestService).await;
        if let Ok((tenant, _)) = &services {
            kinds.push(KindChoice::Service);
            let declared = self
                .stores()
                .requests
                .request_kinds(tenant.id, true)
                .await?;
            kinds.extend(declared.into_iter().map(KindChoice::Custom));
        }
        let call_off = self.authorize(actor, Permission::CallOffRent).await;
        if call_off.is_ok() {
            kinds.insert(usize::from(services.is_ok()), KindChoice::CallOff);
        }
        if kinds.is_empty() {
            // Neither permission: say why as `authorize` does.
            services?;
        }
        Ok(kinds)
    }

    /// The form of the kind `key` ([`SERVICE`] or an active kind of the
    /// host's): `NotFound` for any other key.
    pub async fn form(self, actor: &Actor, key: &str) -> Result<RequestForm, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::RequestService).await?;
        let mut form = RequestForm {
            kind: None,
            properties: Vec::new(),
            jobs: Vec::new(),
            invoices: Vec::new(),
            max_attachments: max_files(
                &tenant.settings,
                tenant.settings.service_request_attachments,
            ),
            limits: tenant.settings.tickets.attachment_limits(),
        };
        if key == SERVICE {
            form.properties = self.properties(&scope).await?;
            return Ok(form);
        }
        let kind = self.active_kind(&tenant, key).await?;
        let asks = |wanted: fn(&FieldInput) -> bool| kind.fields.iter().any(|f| wanted(&f.input));
        form.max_attachments = max_files(&tenant.settings, kind.attachments);
        if asks(|input| matches!(input, FieldInput::Property)) {
            form.properties = self.properties(&scope).await?;
        }
        if asks(|input| matches!(input, FieldInput::Job)) {
            form.jobs = jobs_to_pick(self.stores(), &scope, self.now(), PICKER_SIZE).await?;
        }
        if asks(|input| matches!(input, FieldInput::Invoice)) {
            let query = InvoiceQuery {
                page: PageRequest::new(1, PICKER_SIZE),
                ..InvoiceQuery::default()
            };
            form.invoices = self
                .stores()
                .invoices
                .invoices(&scope, &query, self.today(&tenant))
                .await?
                .items;
        }
        form.kind = Some(kind);
        Ok(form)
    }

    async fn properties(self, scope: &AccountScope) -> Result<Vec<Property>, PortalError> {
        Ok(self
            .stores()
            .properties
            .properties(scope, PageRequest::new(1, PICKER_SIZE))
            .await?
            .items)
    }

    async fn active_kind(self, tenant: &Tenant, key: &str) -> Result<RequestKind, PortalError> {
        self.stores()
            .requests
            .request_kind(tenant.id, key)
            .await?
            .filter(|kind| kind.active)
            .ok_or(PortalError::NotFound)
    }

    /// "Request service": what is needed (1 to [`MAX_DESCRIPTION`]
    /// characters) and where. The property must be one of the account's;
    /// it is required when the account has several, and the only one
    /// when it has one. The staged `files` go with it when the tenant lets
    /// "request service" carry files (up to its attachment limit). Stored
    /// pending with a `ServiceRequested` host event; when a rule is broken
    /// nothing is written and the files are removed.
    pub async fn request_service(
        self,
        actor: &Actor,
        ask: &ServiceAsk,
        files: Vec<StagedFile>,
    ) -> Result<ServiceRequest, PortalError> {
        let asked = self.try_request_service(actor, ask, &files).await;
        let tenant = actor.tenant();
        self.portal.settle_staged(tenant, asked, files).await
    }

    async fn try_request_service(
        self,
        actor: &Actor,
        ask: &ServiceAsk,
        files: &[StagedFile],
    ) -> Result<ServiceRequest, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::RequestService).await?;
        let contact = acting_contact(actor)?;
        check_text("description", &ask.description, 1, MAX_DESCRIPTION)?;
        let max = max_files(
            &tenant.settings,
            tenant.settings.service_request_attachments,
        );
        check_staged(tenant.id, files, max)?;
        let property = match ask.property {
            Some(id) => {
                let property = self
                    .stores()
                    .properties
                    .property(&scope, id)
                    .await?
                    .ok_or(PortalError::invalid("property", Reason::UnknownRecord))?;
                Some(property)
            }
            None => {
                let mut properties = self
                    .stores()
                    .properties
                    .properties(&scope, PageRequest::new(1, 2))
                    .await?;
                match properties.items.len() {
                    0 => None,
                    1 => properties.items.pop(),
                    _ => return Err(PortalError::invalid("property", Reason::Required)),
                }
            }
        };
        let details = RequestDetails::Service {
            description: ask.description.trim().to_owned(),
            property: property.map(|p| Reference {
                id: p.id,
                label: p.name,
            }),
        };
        self.submit(&scope, contact, details, files).await
    }

    /// A request of the host's active kind `key`, from the answers as
    /// typed (by field key): read by [`RequestKind::read`], each property,
    /// job or invoice looked up in the account (one that is not the
    /// account's is refused at its field). `NotFound` for an unknown or
    /// retired kind. The staged `files` go with it when the kind takes
    /// files (up to the tenant's attachment limit). Stored pending with a
    /// `ServiceRequested` host event; when a rule is broken nothing is
    /// written and the files are removed.
    pub async fn submit_custom(
        self,
        actor: &Actor,
        key: &str,
        values: &std::collections::BTreeMap<String, String>,
        files: Vec<StagedFile>,
    ) -> Result<ServiceRequest, PortalError> {
        let submitted = self.try_submit_custom(actor, key, values, &files).await;
        let tenant = actor.tenant();
        self.portal.settle_staged(tenant, submitted, files).await
    }

    async fn try_submit_custom(
        self,
        actor: &Actor,
        key: &str,
        values: &std::collections::BTreeMap<String, String>,
        files: &[StagedFile],
    ) -> Result<ServiceRequest, PortalError> {
        let (tenant, scope) = self.authorize(actor, Permission::RequestService).await?;
        let contact = acting_contact(actor)?;
        let kind = self.active_kind(&tenant, key).await?;
        let mut answers = kind.read(values, self.today(&tenant))?;
        check_staged(
            tenant.id,
            files,
            max_files(&tenant.settings, kind.attachments),
        )?;
        for answer in &mut answers {
            let unknown = || field_error(&answer.field, Reason::UnknownRecord);
            match &mut answer.value {
                AnswerValue::Property(reference) => {
                    let property = self
                        .stores()
                        .properties
                        .property(&scope, reference.id)
                        .await?;
                    reference.label = property.ok_or_else(unknown)?.name;
                }
                AnswerValue::Job(reference) => {
                    let job = self.stores().jobs.job(&scope, reference.id).await?;
                    let job = job.ok_or_else(unknown)?.job;
                    reference.label = format!("{} · {}", job.number, job.title);
                }
                AnswerValue::Invoice(reference) => {
                    let invoice = self.stores().invoices.invoice(&scope, reference.id).await?;
                    reference.label = invoice.ok_or_else(unknown)?.invoice.number;
                }
                AnswerValue::Text(_)
                | AnswerValue::Date(_)
                | AnswerValue::Choice(_)
                | AnswerValue::WholeNumber(_) => {}
            }
        }
        let details = RequestDetails::Custom {
            key: kind.key,
            name: kind.name,
            answers,
        };
        self.submit(&scope, contact, details, files).await
    }

    async fn submit(
        self,
        scope: &AccountScope,
        contact: ContactId,
        details: RequestDetails,
        files: &[StagedFile],
    ) -> Result<ServiceRequest, PortalError> {
        let now = self.now();
        let request = ServiceRequest {
            id: ServiceRequestId::new(),
            account: scope.account(),
            details,
            status: RequestStatus::Pending,
            host_note: String::new(),
            requested_by: contact,
            requested_at: now,
            updated_at: now,
            attachments: attachments_of(files),
        };
        let event = OutboxMessage::Event(DomainEvent::ServiceRequested {
            account: scope.account(),
            request: request.id,
            contact,
            details: request.details.clone(),
            attachments: request.attachments.len() as u32,
        });
        Ok(self
            .stores()
            .requests
            .submit_request(scope, &request, &[event])
            .await?)
    }

    /// Stores a file for a request `actor` is making (RequestService),
    /// checked against the tenant's attachment limits while it streams
    /// (too large, a kind not allowed, a name of another kind: refused at
    /// `file`, nothing kept). Refused at `file` when the tenant takes no
    /// attachments; whether the request's kind takes files is checked when
    /// it is made (its kind may be named after its files).
    pub async fn attach(
        self,
        actor: &Actor,
        upload: Upload<'_>,
    ) -> Result<StagedFile, PortalError> {
        let (tenant, _) = self.authorize(actor, Permission::RequestService).await?;
        self.portal.stage_attachment(&tenant, upload).await
    }

    /// Removes files staged for a request that will not be made (the
    /// request failed before it). Failures are logged, not returned.
    pub async fn discard(self, actor: &Actor, files: Vec<StagedFile>) {
        self.portal.discard_staged(actor.tenant(), files).await;
    }

    /// A file attached to the account's request, its content streamed
    /// from the blob store; `NotFound` when the request is not the
    /// account's or the file not on it.
    pub async fn download(
        self,
        actor: &Actor,
        request: ServiceRequestId,
        attachment: AttachmentId,
    ) -> Result<Blob, PortalError> {
        let found = self.request(actor, request).await?;
        let file = found.attachment(attachment).ok_or(PortalError::NotFound)?;
        let blobs = self.portal.blob_store()?;
        Ok(blobs.get(actor.tenant(), &file.key).await?)
    }

    /// One page of the account's requests of every kind, newest first.
    pub async fn list(
        self,
        actor: &Actor,
        query: &RequestQuery,
    ) -> Result<Page<ServiceRequest>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::RequestService).await?;
        Ok(self.stores().requests.requests(&scope, query).await?)
    }

    /// Cancels a request of the account while it is pending (any kind, a
    /// call-off too, which then holds no items): any contact of the
    /// account who may request service, not staff viewing. `NotFound` for
    /// an unknown or another account's request; `RequestsConflict::
    /// NotPending` once the host has answered it or it was canceled. The
    /// status and a `ServiceRequestCanceled` host event are written in one
    /// transaction, conditional on the request still being pending then.
    pub async fn cancel(
        self,
        actor: &Actor,
        id: ServiceRequestId,
    ) -> Result<ServiceRequest, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::RequestService).await?;
        let contact = acting_contact(actor)?;
        let request = self
            .stores()
            .requests
            .request(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)?;
        if request.status != RequestStatus::Pending {
            return Err(RequestsConflict::NotPending {
                status: request.status,
            }
            .into());
        }
        let event = OutboxMessage::Event(DomainEvent::ServiceRequestCanceled {
            account: scope.account(),
            request: id,
            contact,
            kind: request.details.kind().to_owned(),
        });
        Ok(self
            .stores()
            .requests
            .cancel_request(&scope, id, &[event], self.now())
            .await?)
    }

    /// One request of the account; `NotFound` for another account's.
    pub async fn request(
        self,
        actor: &Actor,
        id: ServiceRequestId,
    ) -> Result<ServiceRequest, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::RequestService).await?;
        self.stores()
            .requests
            .request(&scope, id)
            .await?
            .ok_or(PortalError::NotFound)
    }
}
