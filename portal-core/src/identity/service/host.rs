//! The host's identity use cases: upserting contacts by the host's id,
//! their memberships of accounts, invitations, and staff's "view as
//! customer" sessions.

use chrono::{DateTime, Duration, Utc};

use crate::access::{ClientInfo, Role};
use crate::audit::{AuditAction, AuditActor, AuditEntry};
use crate::error::PortalError;
use crate::host::HostApi;
use crate::identity::{
    Contact, ContactUpsert, OtherPhone, RawToken, Session, SessionKind, TokenPurpose,
    check_contact_name,
};
use crate::shared::{AccountId, ContactId, SessionId, TenantId};
use crate::shared::{Reason, check_one_line};

impl HostApi<'_> {
    /// Creates or updates a contact by the host's id. Idempotent; the
    /// name as [`check_contact_name`] and the other numbers as
    /// [`OtherPhone::check_list`] say (none keeps those on file);
    /// `Conflict` when another contact has the e-mail or phone.
    pub async fn upsert_contact(
        &self,
        tenant: TenantId,
        contact: &ContactUpsert,
    ) -> Result<Contact, PortalError> {
        check_contact_name(&contact.name)?;
        if contact.email.is_none() && contact.phone.is_none() {
            return Err(PortalError::invalid("contact", Reason::NoLoginName));
        }
        if let Some(others) = &contact.other_phones {
            OtherPhone::check_list(others, contact.phone.as_ref())?;
        }
        Ok(self
            .stores()
            .contacts
            .upsert_contact(tenant, contact)
            .await?)
    }

    /// Gives a contact a role on an account (or changes it).
    pub async fn grant_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
        role: Role,
    ) -> Result<(), PortalError> {
        self.stores()
            .contacts
            .grant_membership(tenant, contact, account, role)
            .await?;
        Ok(())
    }

    /// Takes a contact's access to an account away; sessions on it end.
    pub async fn revoke_membership(
        &self,
        tenant: TenantId,
        contact: ContactId,
        account: AccountId,
    ) -> Result<(), PortalError> {
        self.stores()
            .contacts
            .revoke_membership(tenant, contact, account)
            .await?;
        Ok(())
    }

    /// Mails a contact an invitation link (valid for a week) to set a
    /// password. The contact needs an e-mail and a membership.
    pub async fn invite_contact(
        &self,
        tenant: TenantId,
        contact: ContactId,
    ) -> Result<(), PortalError> {
        let tenant = self.portal.tenant(tenant).await?;
        let contact = self
            .stores()
            .contacts
            .contact(tenant.id, contact)
            .await?
            .ok_or(PortalError::NotFound)?;
        let email = contact
            .email
            .clone()
            .ok_or_else(|| PortalError::invalid("email", Reason::Required))?;
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        if !memberships.iter().any(|m| m.portal_enabled) {
            return Err(PortalError::invalid("contact", Reason::PortalOff));
        }
        self.portal
            .identity()
            .mail_token(&tenant, &contact, email, TokenPurpose::Invitation, None)
            .await
    }
}

/// How long a staff member's "view as customer" session lasts at most.
pub const VIEW_AS_HOURS: i64 = 1;

impl HostApi<'_> {
    /// Starts a "view as customer" session for a staff member the host has
    /// authenticated: the portal then shows `account` exactly as its
    /// primary contact sees it, with a banner naming `staff`, and refuses
    /// every change (403). It lasts at most [`VIEW_AS_HOURS`] (idle expiry
    /// as the tenant's sessions). The start is written to the audit log
    /// with `staff` and `client`, in the session's transaction.
    ///
    /// The token is a session token like a log-in's, marked as a view
    /// ([`RawToken::is_view_as`]) so the HTTP layer refuses changes before
    /// reading anything: hand it to the browser as the session cookie
    /// (`portal_http_axum::view_as_response`) or use it as a bearer token.
    /// `NotFound` for an unknown account or one without a primary contact;
    /// an empty `staff` id is invalid.
    pub async fn view_as(
        &self,
        tenant: TenantId,
        account: AccountId,
        staff: &str,
        kind: SessionKind,
        client: &ClientInfo,
    ) -> Result<NewViewAs, PortalError> {
        let staff = staff.trim();
        check_one_line("staff", staff, 1, 200)?;
        let tenant = self.portal.tenant(tenant).await?;
        let contact = self
            .stores()
            .contacts
            .primary_contact(tenant.id, account)
            .await?
            .ok_or(PortalError::NotFound)?;
        let now = self.portal.inner.clock.now();
        let idle = Duration::minutes(i64::from(tenant.settings.sessions.idle_minutes));
        let absolute = now + Duration::hours(VIEW_AS_HOURS);
        let token = self.portal.inner.tokens.new_token().into_view_as();
        let session = Session {
            id: SessionId::new(),
            tenant: tenant.id,
            contact,
            active_account: account,
            token_hash: token.hash(),
            kind,
            created_at: now,
            last_seen_at: now,
            idle_expires_at: (now + idle).min(absolute),
            absolute_expires_at: absolute,
            client: client.clone(),
            viewer: Some(staff.to_owned()),
        };
        let started = AuditEntry::new(
            tenant.id,
            AuditAction::ViewAsStarted,
            AuditActor::Staff {
                id: staff.to_owned(),
            },
            now,
        )
        .about(contact)
        .on(account)
        .from_client(client);
        let started = AuditEntry {
            on_behalf_of: Some(contact),
            ..started
        };
        self.stores()
            .sessions
            .start_view_as_session(&session, &[started.message()])
            .await?;
        tracing::info!(%account, staff, "view-as session started");
        Ok(NewViewAs {
            token,
            id: session.id,
            expires_at: absolute,
        })
    }
}

/// A "view as customer" session just started.
#[derive(Debug)]
pub struct NewViewAs {
    /// The session token (cookie value or bearer token).
    pub token: RawToken,
    /// The session's id.
    pub id: SessionId,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
}
