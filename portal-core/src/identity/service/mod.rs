//! Identity use cases: the two registrations, set-password links, log-in,
//! sessions, password changes and switching the active account.
//!
//! Enumeration: requesting a link answers the same whether or not the
//! e-mail exists; log-in failures are one error whatever the cause, and an
//! unknown name is verified against a dummy hash so it costs the same time.

use crate::shared::Reason;
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use std::sync::Arc;
use tokio::time::Instant;

use crate::access::{Actor, ClientInfo, ContactActor, StaffActor};
use crate::audit::{AuditAction, AuditActor, AuditEntry};
use crate::error::PortalError;
use crate::identity::{
    Contact, DeviceToken, LoginClient, LoginName, LoginSource, Membership, Password, RawToken,
    Session, SessionKind, TokenPurpose,
};
use crate::outbox::{DomainEvent, EmailKind, OutboxMessage};
use crate::ports::StoreError;
use crate::shared::{AccountId, ContactId, Language, SessionId};
use crate::tenancy::Tenant;

mod host;
mod profile;
mod security;

pub use host::{NewViewAs, VIEW_AS_HOURS};
mod links;
mod register;
#[cfg(test)]
mod tests;

crate::portal::service! {
    /// Registration, log-in, sessions, passwords and the account switch.
    /// Get one from the [`Portal`](crate::Portal) facade.
    IdentityService
}

/// A session is touched (its idle expiry pushed out) at most this often, so
/// reading pages does not turn every request into a write.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Which link a customer asks for by e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRequest {
    /// "Register": first password for an e-mail on file.
    Register,
    /// "Forgot password".
    Reset,
}

/// What known-facts registration asks for; all must match the account.
#[derive(Clone, Debug)]
pub struct KnownFacts {
    /// The account's phone number.
    pub phone: String,
    /// The e-mail on file.
    pub email: String,
    /// The postal code on file.
    pub postal_code: String,
}

/// What a set-password page shows before the form is posted.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenInfo {
    /// Registration, reset or invitation.
    pub purpose: TokenPurpose,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
    /// What the contact logs in with (the e-mail on file, else the phone):
    /// the page names it, and password managers store the new password
    /// under it. Whoever holds the link was mailed it there.
    pub login: Option<String>,
}

/// A session just started: the token goes to the client, once.
#[derive(Debug)]
pub struct NewSession {
    /// The bearer token or cookie value.
    pub token: RawToken,
    /// The session's id.
    pub id: SessionId,
    /// When it ends at the latest.
    pub expires_at: DateTime<Utc>,
    /// A new device token for the client (the device cookie, or the API's
    /// `device_token`): presented at later log-ins, it gets this client
    /// past locks that other clients' failures engaged.
    pub device: DeviceToken,
}

/// Who a request is from, once its session checked out.
#[derive(Clone, Debug)]
pub struct AuthContext {
    /// The tenant.
    pub tenant: Arc<Tenant>,
    /// The actor to pass to use cases.
    pub actor: Actor,
    /// The contact.
    pub contact: Contact,
    /// The contact's membership of the active account.
    pub membership: Membership,
    /// All the contact's memberships, read with the session; see
    /// [`IdentityService::memberships`] for those it may switch between.
    pub memberships: Vec<Membership>,
    /// The session.
    pub session: Session,
}

impl AuthContext {
    /// The session's id.
    pub fn session_id(&self) -> SessionId {
        self.session.id
    }

    /// The same context, noting the client this request came from (the
    /// audit log keeps it with what the request changes).
    pub fn with_client(mut self, client: ClientInfo) -> Self {
        match &mut self.actor {
            Actor::Contact(contact) => contact.client = client,
            Actor::Staff(staff) => staff.client = client,
        }
        self
    }

    /// The staff member viewing the portal as this contact, when this is a
    /// "view as customer" session: it may look, never change anything.
    pub fn viewer(&self) -> Option<&str> {
        self.session.viewer.as_deref()
    }
}

/// Waits until `floor` has passed since `started`, so that answers whose
/// work differs (a known e-mail's writes, an unknown one's nothing) take
/// the same time from outside.
async fn pad_to_floor(started: Instant, floor: std::time::Duration) {
    tokio::time::sleep_until(started + floor).await;
}

/// The audit log's actor for `contact` acting themself.
pub(crate) fn contact_actor(contact: &Contact) -> AuditActor {
    AuditActor::Contact {
        id: contact.id,
        name: contact.name.clone(),
    }
}

fn may_register(tenant: &Tenant, membership: &Membership) -> bool {
    membership.portal_enabled
        && (!tenant.settings.registration.require_history || membership.has_history)
}

impl IdentityService<'_> {
    /// Which client an attempt on `contact` is counted against.
    fn source(
        self,
        tenant: &Tenant,
        contact: ContactId,
        client: &LoginClient,
        now: DateTime<Utc>,
    ) -> LoginSource {
        LoginSource::of(
            &self.portal.inner.secret_key,
            tenant.id,
            contact,
            client,
            now,
        )
    }

    /// Whether attempts on `contact` from `source` are locked at `now`.
    async fn is_locked(
        self,
        tenant: &Tenant,
        contact: ContactId,
        source: &LoginSource,
        now: DateTime<Utc>,
    ) -> Result<bool, PortalError> {
        Ok(self
            .stores()
            .lockouts
            .locked_until(tenant.id, contact, source, now)
            .await?
            .is_some())
    }

    /// Writes a failed sign-in of a known contact to the audit log, on the
    /// account a sign-in would have opened (the contact's history shows it
    /// whichever).
    async fn record_failed_sign_in(
        self,
        tenant: &Tenant,
        contact: &Contact,
        client: &LoginClient,
        now: DateTime<Utc>,
    ) -> Result<(), PortalError> {
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let mut entry = AuditEntry::new(
            tenant.id,
            AuditAction::SignInFailed,
            contact_actor(contact),
            now,
        )
        .about(contact.id)
        .from_client(&client.info());
        entry.account = memberships
            .iter()
            .find(|m| m.portal_enabled)
            .map(|m| m.account);
        self.stores().audit.record_audit(&[entry]).await?;
        Ok(())
    }

    /// Counts a failed guess from `source`; the host hears when it engages
    /// a lock.
    async fn count_failure(
        self,
        tenant: &Tenant,
        contact: ContactId,
        source: &LoginSource,
        now: DateTime<Utc>,
    ) -> Result<(), PortalError> {
        let policy = tenant.settings.lockout;
        let until = now + Duration::minutes(i64::from(policy.lock_minutes));
        let on_lock = [OutboxMessage::Event(DomainEvent::ContactLockedOut {
            contact,
            until,
        })];
        if let Some(until) = self
            .stores()
            .lockouts
            .record_login_failure(tenant.id, contact, source, now, &policy, &on_lock)
            .await?
        {
            let recognised = !source.is_untrusted();
            tracing::info!(%contact, %until, recognised, "log-in locked after repeated failures");
        }
        Ok(())
    }

    /// Logs in by e-mail or phone number. Every failure is the same
    /// [`PortalError::InvalidCredentials`]; failures count towards the
    /// tenant's lockout, against `client`'s device when it presents a valid
    /// device token for the contact, else against its address (see
    /// [`LoginSource`]). A new session id and a new device token every time.
    pub async fn log_in(
        self,
        tenant: &Tenant,
        login: &str,
        password: &SecretString,
        kind: SessionKind,
        client: &LoginClient,
    ) -> Result<NewSession, PortalError> {
        let login = LoginName::parse(login)?;
        // Failures answer after the same floor whatever their cause, so the
        // failure counter's write for a known contact cannot be timed.
        let started = Instant::now();
        let mut locked = false;
        let outcome = self
            .attempt_log_in(tenant, &login, password, kind, client, &mut locked)
            .await;
        let label = match (&outcome, locked) {
            (Ok(_), _) => "succeeded",
            (Err(_), true) => "locked",
            (Err(_), false) => "failed",
        };
        metrics::counter!("portal_logins_total", "outcome" => label).increment(1);
        if outcome.is_err() {
            pad_to_floor(started, self.portal.inner.response_floor).await;
        }
        outcome
    }

    async fn attempt_log_in(
        self,
        tenant: &Tenant,
        login: &LoginName,
        password: &SecretString,
        kind: SessionKind,
        client: &LoginClient,
        locked: &mut bool,
    ) -> Result<NewSession, PortalError> {
        let hasher = &self.portal.inner.hasher;
        let candidate = self
            .stores()
            .credentials
            .login_candidate(tenant.id, login)
            .await?;
        let now = self.portal.inner.clock.now();
        let usable = candidate
            .filter(|c| c.contact.enabled)
            .and_then(|c| Some((c.contact, c.credential?)));
        let usable = match usable {
            Some((contact, credential)) => {
                let source = self.source(tenant, contact.id, client, now);
                *locked = self.is_locked(tenant, contact.id, &source, now).await?;
                if *locked {
                    // Someone is still guessing: the contact's history shows it.
                    self.record_failed_sign_in(tenant, &contact, client, now)
                        .await?;
                }
                (!*locked).then_some((contact, credential, source))
            }
            None => None,
        };
        let Some((contact, credential, source)) = usable else {
            hasher.verify_dummy(password).await;
            return Err(PortalError::InvalidCredentials);
        };
        if !hasher.verify(password, &credential.password_hash).await? {
            self.count_failure(tenant, contact.id, &source, now).await?;
            self.record_failed_sign_in(tenant, &contact, client, now)
                .await?;
            return Err(PortalError::InvalidCredentials);
        }
        let memberships = self
            .stores()
            .contacts
            .memberships(tenant.id, contact.id)
            .await?;
        let Some(active) = memberships.iter().find(|m| m.portal_enabled) else {
            return Err(PortalError::InvalidCredentials);
        };
        let now = self.portal.inner.clock.now();
        let policy = tenant.settings.sessions;
        let absolute = now + Duration::hours(i64::from(policy.absolute_hours));
        let token = self.portal.inner.tokens.new_token();
        let session = Session {
            id: SessionId::new(),
            tenant: tenant.id,
            contact: contact.id,
            active_account: active.account,
            token_hash: token.hash(),
            kind,
            created_at: now,
            last_seen_at: now,
            idle_expires_at: (now + Duration::minutes(i64::from(policy.idle_minutes)))
                .min(absolute),
            absolute_expires_at: absolute,
            client: client.info(),
            viewer: None,
        };
        let signed_in = AuditEntry::new(
            tenant.id,
            AuditAction::SignedIn,
            contact_actor(&contact),
            now,
        )
        .about(contact.id)
        .on(active.account)
        .from_client(&session.client)
        .message();
        match self
            .stores()
            .sessions
            .start_session(&session, &credential.password_hash, &source, &[signed_in])
            .await
        {
            Ok(()) => {}
            // The password was reset or changed, or the contact locked,
            // while this one was being checked.
            Err(StoreError::Conflict(_)) => return Err(PortalError::InvalidCredentials),
            Err(other) => return Err(other.into()),
        }
        // The device's id is fresh random text, made like every token.
        let nonce = &self.portal.inner.tokens.new_token().hash();
        let device = self.portal.inner.secret_key.device_token(
            tenant.id,
            contact.id,
            now,
            &nonce.as_str()[..32],
        );
        Ok(NewSession {
            token,
            id: session.id,
            expires_at: absolute,
            device,
        })
    }

    /// Checks a session token and says who it belongs to. Expired, ended or
    /// foreign tokens, disabled contacts and accounts whose portal is off
    /// are all [`PortalError::Unauthenticated`].
    pub async fn authenticate(
        self,
        tenant: &Arc<Tenant>,
        token: &RawToken,
    ) -> Result<AuthContext, PortalError> {
        let now = self.portal.inner.clock.now();
        let context = self
            .stores()
            .sessions
            .session_context(tenant.id, &token.hash(), now)
            .await?
            .ok_or(PortalError::Unauthenticated)?;
        let session = context.session;
        if now - session.last_seen_at >= TOUCH_EVERY {
            let idle = Duration::minutes(i64::from(tenant.settings.sessions.idle_minutes));
            let idle_expires_at = (now + idle).min(session.absolute_expires_at);
            // A missed touch only shortens the idle window; it must not fail
            // the page (SQLite's single writer may be busy).
            if let Err(error) = self
                .stores()
                .sessions
                .touch_session(tenant.id, session.id, now, idle_expires_at)
                .await
            {
                tracing::warn!(%error, "session touch failed");
            }
        }
        // A "view as customer" session acts as its staff member, whom
        // `authorize` lets only look.
        let actor = match &session.viewer {
            Some(staff) => Actor::Staff(StaffActor {
                tenant: tenant.id,
                staff: staff.clone(),
                account: context.membership.account,
                client: ClientInfo::default(),
            }),
            None => Actor::Contact(ContactActor {
                tenant: tenant.id,
                contact: context.contact.id,
                account: context.membership.account,
                role: context.membership.role,
                session: session.id,
                client: ClientInfo::default(),
            }),
        };
        Ok(AuthContext {
            tenant: tenant.clone(),
            actor,
            contact: context.contact,
            membership: context.membership,
            memberships: context.memberships,
            session,
        })
    }

    /// Ends the session (log-out).
    pub async fn log_out(self, auth: &AuthContext) -> Result<(), PortalError> {
        self.stores()
            .sessions
            .end_session(auth.tenant.id, auth.session.id)
            .await?;
        Ok(())
    }

    /// Changes the password: the current one must be right and the new one
    /// must meet the policy. Ends the contact's other sessions, mails a
    /// notice and tells the host. Wrong guesses count towards the lockout
    /// against `client`, as at log-in.
    pub async fn change_password(
        self,
        auth: &AuthContext,
        current: &SecretString,
        new: &str,
        client: &LoginClient,
    ) -> Result<(), PortalError> {
        auth.writable()?;
        let new = Password::parse(new)?;
        let tenant = &auth.tenant;
        let credential = self.check_current_password(auth, current, client).await?;
        let new_hash = self.portal.inner.hasher.hash(&new).await?;
        let now = self.portal.inner.clock.now();
        let mut messages = vec![
            OutboxMessage::Event(DomainEvent::PasswordChanged {
                contact: auth.contact.id,
                at: now,
            }),
            AuditEntry::by(auth, AuditAction::PasswordChanged, now).message(),
        ];
        if let Some(email) = auth.contact.email.clone() {
            messages.push(self.mail_to(
                tenant,
                &auth.contact,
                email,
                EmailKind::PasswordChanged { changed_at: now },
            ));
        }
        self.stores()
            .credentials
            .change_password(
                tenant.id,
                auth.contact.id,
                &credential.password_hash,
                &new_hash,
                Some(auth.session.id),
                &messages,
            )
            .await?;
        Ok(())
    }

    /// The logged-in contact's credential, once `current` is their
    /// password: what a change of their password or e-mail (their log-in)
    /// asks first, so a stolen session alone cannot take the account over.
    /// Guessing counts towards the lockout against `client` like guessing
    /// at the log-in form; a wrong one is invalid `current_password`.
    pub(super) async fn check_current_password(
        self,
        auth: &AuthContext,
        current: &SecretString,
        client: &LoginClient,
    ) -> Result<crate::identity::Credential, PortalError> {
        let tenant = &auth.tenant;
        let credential = self
            .stores()
            .credentials
            .credential(tenant.id, auth.contact.id)
            .await?
            .ok_or(PortalError::Unauthenticated)?;
        let now = self.portal.inner.clock.now();
        let source = self.source(tenant, auth.contact.id, client, now);
        if self
            .is_locked(tenant, auth.contact.id, &source, now)
            .await?
        {
            return Err(PortalError::InvalidCredentials);
        }
        if !self
            .portal
            .inner
            .hasher
            .verify(current, &credential.password_hash)
            .await?
        {
            self.count_failure(tenant, auth.contact.id, &source, now)
                .await?;
            return Err(PortalError::invalid(
                "current_password",
                Reason::WrongPassword,
            ));
        }
        Ok(credential)
    }

    /// Records the language the logged-in contact chose for pages and mails
    /// (`None` goes back to their browser's, then the tenant's). A
    /// preference of the person, not of an account: every role may set its
    /// own, and only its own.
    pub async fn set_language(
        self,
        auth: &AuthContext,
        language: Option<Language>,
    ) -> Result<(), PortalError> {
        auth.writable()?;
        self.stores()
            .contacts
            .set_contact_language(auth.tenant.id, auth.contact.id, language)
            .await?;
        Ok(())
    }

    /// The accounts the contact may switch between: its memberships of
    /// accounts whose portal is on, as read with the session (no query of
    /// its own).
    pub fn memberships(self, auth: &AuthContext) -> Vec<Membership> {
        auth.memberships
            .iter()
            .filter(|m| m.portal_enabled)
            .cloned()
            .collect()
    }

    /// Makes another of the contact's accounts the active one; everything
    /// shown follows it. `NotFound` for an account the contact is not a
    /// member of.
    pub async fn switch_account(
        self,
        auth: &AuthContext,
        account: AccountId,
    ) -> Result<(), PortalError> {
        auth.writable()?;
        self.stores()
            .sessions
            .switch_account(auth.tenant.id, auth.session.id, account)
            .await?;
        Ok(())
    }
}
