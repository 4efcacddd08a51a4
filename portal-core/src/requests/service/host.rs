//! The host's side of requests: declaring its kinds, reading requests
//! with the files attached to them, and answering requests of any kind.

use crate::blobs::Blob;
use crate::error::PortalError;
use crate::host::HostApi;
use crate::notifications::{notify, triggers};
use crate::requests::{MAX_HOST_NOTE, MAX_KINDS, RequestKind, RequestStatus, ServiceRequest};
use crate::shared::{AttachmentId, Reason, ServiceRequestId, TenantId, check_text};

impl HostApi<'_> {
    /// Declares (or re-declares, by its key) a kind of request customers
    /// can make, idempotently. At most [`MAX_KINDS`] kinds per tenant.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::requests::{FieldInput, FieldSpec, KindKey, RequestKind};
    /// let key = |k: &str| KindKey::parse(k).expect("a key");
    /// portal.host().declare_request_kind(tenant, &RequestKind {
    ///     key: key("skip_visit"),
    ///     name: "Skip a visit".into(),
    ///     description: "We will not come that day and the next visit stays as planned.".into(),
    ///     fields: vec![
    ///         FieldSpec {
    ///             name: key("visit"),
    ///             label: "Which visit".into(),
    ///             help: String::new(),
    ///             required: true,
    ///             input: FieldInput::Job,
    ///         },
    ///         FieldSpec {
    ///             name: key("reason"),
    ///             label: "Why (optional)".into(),
    ///             help: String::new(),
    ///             required: false,
    ///             input: FieldInput::LongText { max_chars: 500 },
    ///         },
    ///     ],
    ///     active: true,
    ///     attachments: false,
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn declare_request_kind(
        &self,
        tenant: TenantId,
        kind: &RequestKind,
    ) -> Result<(), PortalError> {
        self.portal.tenant(tenant).await?;
        kind.validate()?;
        let requests = &self.stores().requests;
        let declared = requests.request_kinds(tenant, false).await?;
        let new = !declared.iter().any(|k| k.key == kind.key);
        if new && declared.len() >= MAX_KINDS {
            return Err(PortalError::invalid(
                "key",
                Reason::Count {
                    min: 0,
                    max: MAX_KINDS,
                },
            ));
        }
        let now = self.portal.inner.clock.now();
        Ok(requests.declare_request_kind(tenant, kind, now).await?)
    }

    /// The tenant's declared kinds, retired ones too.
    pub async fn request_kinds(&self, tenant: TenantId) -> Result<Vec<RequestKind>, PortalError> {
        Ok(self.stores().requests.request_kinds(tenant, false).await?)
    }

    /// The request with this id (the id its host event carried).
    pub async fn request(
        &self,
        tenant: TenantId,
        id: ServiceRequestId,
    ) -> Result<Option<ServiceRequest>, PortalError> {
        Ok(self.stores().requests.request_of_tenant(tenant, id).await?)
    }

    /// A file the customer attached to the tenant's request (the request
    /// read with [`HostApi::request`] lists them), its content streamed
    /// from the blob store; `NotFound` when the request is not the
    /// tenant's or the file not on it.
    pub async fn request_attachment(
        &self,
        tenant: TenantId,
        request: ServiceRequestId,
        attachment: AttachmentId,
    ) -> Result<Blob, PortalError> {
        let found = self.request(tenant, request).await?;
        let file = found
            .as_ref()
            .and_then(|request| request.attachment(attachment))
            .ok_or(PortalError::NotFound)?;
        Ok(self.portal.blob_store()?.get(tenant, &file.key).await?)
    }

    /// Answers a request of any kind (a call-off too): its new status and
    /// a note the customer reads (up to [`MAX_HOST_NOTE`] characters; may
    /// be empty). The customer sees it at once. An open call-off holds
    /// its items; once they are back the host updates the contract's
    /// returned quantities and marks the call-off completed. The
    /// account's contacts who may ask for service are told (in the feed
    /// and by mail, as each chose) of every status but pending; setting
    /// the status and note a request already has tells nothing again.
    pub async fn set_request_status(
        &self,
        tenant: TenantId,
        id: ServiceRequestId,
        status: RequestStatus,
        note: &str,
    ) -> Result<ServiceRequest, PortalError> {
        check_text("note", note, 0, MAX_HOST_NOTE)?;
        let now = self.portal.inner.clock.now();
        let request = self
            .stores()
            .requests
            .set_request_status(tenant, id, status, note.trim(), now)
            .await?;
        if let Some(notice) = triggers::request_updated(&request) {
            notify(self.portal, tenant, request.account, notice, None).await?;
        }
        Ok(request)
    }
}
