//! The security page's use cases: a contact's own sessions (device,
//! address, last seen), ending any of them, and the refusal every change
//! gets from a staff member's "view as customer" session.

use crate::access::AccessError;
use crate::audit::{AuditAction, AuditEntry};
use crate::error::PortalError;
use crate::identity::{AuthContext, Session};
use crate::shared::SessionId;

use super::IdentityService;

impl AuthContext {
    /// `Forbidden` (read-only) for a "view as customer" session, which may
    /// look at everything the contact sees and change nothing; `Ok` for the
    /// contact's own. Use cases that change the contact's own things
    /// without an `authorize` (which refuses staff already) call it first.
    pub fn writable(&self) -> Result<(), PortalError> {
        match self.viewer() {
            Some(_) => Err(AccessError::ReadOnly.into()),
            None => Ok(()),
        }
    }
}

impl IdentityService<'_> {
    /// The logged-in contact's live sessions, most recently used first
    /// (staff's "view as" sessions are not the contact's and are left out).
    pub async fn sessions(self, auth: &AuthContext) -> Result<Vec<Session>, PortalError> {
        let now = self.portal.inner.clock.now();
        Ok(self
            .stores()
            .sessions
            .contact_sessions(auth.tenant.id, auth.contact.id, now)
            .await?)
    }

    /// Ends one of the logged-in contact's sessions (on a lost phone, a
    /// shared computer), this one included, and writes it to the audit
    /// log. `NotFound` for an id that is not a live session of theirs.
    pub async fn end_session(
        self,
        auth: &AuthContext,
        session: SessionId,
    ) -> Result<(), PortalError> {
        auth.writable()?;
        let now = self.portal.inner.clock.now();
        let ended = AuditEntry::by(auth, AuditAction::SessionEnded, now).message();
        self.stores()
            .sessions
            .end_contact_session(auth.tenant.id, auth.contact.id, session, &[ended])
            .await?;
        Ok(())
    }
}
