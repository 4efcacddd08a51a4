//! An account's communications log: the mails, calls, texts, letters,
//! visits and notes the business records for a customer and shares with
//! them. The host records each by its own id (recording it again updates
//! it); the dashboard shows the latest and a page shows them all.

mod ports;

pub use ports::CommunicationStore;
#[cfg(any(test, feature = "mocks"))]
pub use ports::MockCommunicationStore;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Actor, Permission};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::shared::{
    AccountId, CommunicationId, ExternalId, Page, PageRequest, Reason, TenantId, check_one_line,
    check_text,
};

/// The longest text of a communication, in characters.
pub const MAX_COMMUNICATION_BODY: usize = 10_000;

/// How a communication happened, as stored and sent.
pub const CHANNELS: [&str; 6] = ["email", "call", "sms", "letter", "visit", "note"];

/// Which way a communication went, as stored and sent.
pub const DIRECTIONS: [&str; 2] = ["inbound", "outbound"];

/// One entry of an account's communications log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Communication {
    /// Our id.
    pub id: CommunicationId,
    /// The account it belongs to.
    pub account: AccountId,
    /// How it happened: one of [`CHANNELS`].
    pub channel: String,
    /// A one-line subject.
    pub subject: String,
    /// The text, as the customer may see it.
    pub body: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// What the host records: an entry of an account's log, by its own id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommunicationRecord {
    /// The host's id: recording it again updates the entry.
    pub external_id: ExternalId,
    /// The account.
    pub account: AccountId,
    /// One of [`CHANNELS`].
    pub channel: String,
    /// One of [`DIRECTIONS`], when it matters.
    pub direction: Option<String>,
    /// A one-line subject, 1 to 200 characters.
    pub subject: String,
    /// The text, up to [`MAX_COMMUNICATION_BODY`] characters (may be
    /// empty).
    pub body: String,
    /// Who at the business, when the host says.
    pub staff_name: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

/// A log entry with what only the full log shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoggedCommunication {
    /// The entry.
    pub communication: Communication,
    /// One of [`DIRECTIONS`], when the host said.
    pub direction: Option<String>,
    /// Who at the business, when the host said.
    pub staff_name: Option<String>,
}

impl CommunicationRecord {
    /// A record with no direction and no staff name.
    pub fn new(
        external_id: ExternalId,
        account: AccountId,
        channel: &str,
        subject: &str,
        body: &str,
        occurred_at: DateTime<Utc>,
    ) -> Self {
        Self {
            external_id,
            account,
            channel: channel.to_owned(),
            direction: None,
            subject: subject.to_owned(),
            body: body.to_owned(),
            staff_name: None,
            occurred_at,
        }
    }

    /// Checks every field; `InvalidInput` names the first that is wrong.
    pub fn validate(&self) -> Result<(), PortalError> {
        let choice = |field, value: &str, choices: &[&str]| {
            if choices.contains(&value) {
                Ok(())
            } else {
                Err(PortalError::invalid(
                    field,
                    Reason::NotAChoice {
                        choices: choices.join(", "),
                    },
                ))
            }
        };
        choice("channel", &self.channel, &CHANNELS)?;
        if let Some(direction) = &self.direction {
            choice("direction", direction, &DIRECTIONS)?;
        }
        check_one_line("subject", &self.subject, 1, 200)?;
        if !self.body.is_empty() {
            check_text("body", &self.body, 1, MAX_COMMUNICATION_BODY)?;
        }
        if let Some(name) = &self.staff_name {
            check_one_line("staff_name", name, 1, 120)?;
        }
        Ok(())
    }
}

crate::portal::service! {
    /// The active account's communications log. Get one from the
    /// [`Portal`](crate::Portal) facade.
    CommunicationsService
}

impl CommunicationsService<'_> {
    /// One page of the account's log, latest first.
    pub async fn list(
        self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<LoggedCommunication>, PortalError> {
        let (_, scope) = self.authorize(actor, Permission::ViewDashboard).await?;
        Ok(self
            .stores()
            .communications
            .communications(&scope, page)
            .await?)
    }
}

impl HostApi<'_> {
    /// Records an entry of an account's communications log, by the host's
    /// id: the same id again updates it (its account stays). `NotFound`
    /// when the account is not the tenant's.
    ///
    /// ```
    /// # async fn demo(portal: &portal_core::Portal, tenant: portal_core::shared::TenantId, account: portal_core::shared::AccountId) -> Result<(), portal_core::PortalError> {
    /// use portal_core::communications::CommunicationRecord;
    /// use portal_core::shared::ExternalId;
    /// portal.host().record_communication(tenant, &CommunicationRecord {
    ///     external_id: ExternalId::parse("call-5521").expect("an id"),
    ///     account,
    ///     channel: "call".into(),
    ///     direction: Some("inbound".into()),
    ///     subject: "Asked to move Tuesday's visit".into(),
    ///     body: "Moved to Thursday 9-11.".into(),
    ///     staff_name: Some("Grace".into()),
    ///     occurred_at: chrono::Utc::now(),
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn record_communication(
        &self,
        tenant: TenantId,
        record: &CommunicationRecord,
    ) -> Result<LoggedCommunication, PortalError> {
        record.validate()?;
        Ok(self
            .stores()
            .communications
            .record_communication(tenant, CommunicationId::new(), record)
            .await?)
    }
}
