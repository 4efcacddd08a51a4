//! The identity port on either database: contacts, memberships,
//! credentials and lockout, sessions, one-time tokens, and the three
//! password writes, which all go through [`write_password`] so their side
//! effects (sessions ended, tokens spent, messages written) cannot drift
//! apart.
//!
//! Where a write needs "this row is in this tenant", the row is inserted
//! *from* the tenant-scoped row it depends on (`INSERT ... SELECT ... WHERE
//! tenant_id = $1`), so the check and the write are one statement.
//!
//! Every write about one contact's password, tokens or sessions first locks
//! the contact ([`lock_contact`]); see [`Dialect::LOCK_CONTACT`].

use chrono::{DateTime, Duration, Utc};
use portal_core::access::Role;
use portal_core::identity::{
    Contact, ContactUpsert, Credential, LoginCandidate, LoginName, Membership, OneTimeToken,
    Session, SessionContext, TokenHash,
};
use portal_core::outbox::OutboxMessage;
use portal_core::ports::StoreError;
use portal_core::shared::{
    AccountId, ContactId, EmailAddress, ExternalId, PhoneNumber, SessionId, TenantId,
};
use portal_core::tenancy::LockoutPolicy;
use uuid::Uuid;

use super::outbox::enqueue;
use super::{Arg, Conn, Db, Dialect, Tx};
use crate::error::{backend, store_error};
use crate::rows::{
    ContactRow, CredentialRow, LoginCandidateRow, MembershipRow, SessionContextRow, Timestamp,
    TokenRow,
};

/// How long used and expired one-time tokens are kept before starting a
/// session deletes them.
const SPENT_TOKENS_KEPT: Duration = Duration::days(1);

/// A query of `contacts c` selecting the columns [`ContactRow`] reads,
/// then the rest (string literals: more columns, joins, the `WHERE` clause).
macro_rules! contact_sql {
    ($($rest:literal),+) => {
        concat!(
            "SELECT c.id AS contact_id, c.tenant_id, c.external_id AS contact_external_id, \
                 c.name AS contact_name, c.email AS contact_email, c.phone AS contact_phone, \
                 c.enabled AS contact_enabled",
            $($rest),+
        )
    };
}

/// The contact, its credential and its lockout state for
/// [`LoginCandidateRow`], where `$where`.
macro_rules! login_candidate_sql {
    ($where:literal) => {
        contact_sql!(
            ", cr.password_hash, l.failed_attempts, l.locked_until \
             FROM contacts c \
             LEFT JOIN credentials cr ON cr.contact_id = c.id \
             LEFT JOIN lockouts l ON l.contact_id = c.id \
             WHERE ",
            $where
        )
    };
}

/// Locks the contact's row (see [`Dialect::LOCK_CONTACT`]); `NotFound` when
/// the contact is not in this tenant.
async fn lock_contact<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
) -> Result<(), StoreError> {
    conn.fetch_optional::<(Uuid,)>(
        C::LOCK_CONTACT,
        &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
    )
    .await?
    .map(drop)
    .ok_or(StoreError::NotFound)
}

/// Spends all the contact's unused one-time tokens, whatever their purpose.
async fn spend_tokens<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE one_time_tokens SET used_at = $3 \
         WHERE tenant_id = $1 AND contact_id = $2 AND used_at IS NULL",
        &[
            Arg::Id(tenant.as_uuid()),
            Arg::Id(contact.as_uuid()),
            Arg::Time(at),
        ],
    )
    .await
    .map(drop)
}

/// Creates or updates the contact by external id. A clash on the e-mail or
/// phone index is not the upsert's conflict target, so it fails the
/// statement and becomes a `Conflict` naming the field. When the e-mail
/// changes, the contact's unused tokens are spent: a link mailed to the old
/// address dies.
pub(crate) async fn upsert_contact<DB: Db>(
    mut tx: Tx<DB>,
    tenant: TenantId,
    upsert: &ContactUpsert,
) -> Result<Contact, StoreError> {
    let conn = &mut *tx;
    let email = upsert.email.as_ref().map(EmailAddress::as_str);
    let before = conn
        .fetch_optional::<(Option<String>,)>(
            DB::Connection::LOCK_CONTACT_EMAIL_BY_EXTERNAL_ID,
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Text(upsert.external_id.as_str()),
            ],
        )
        .await?;
    let contact: Contact = conn
        .fetch_optional::<ContactRow>(
            "INSERT INTO contacts (id, tenant_id, external_id, name, email, phone, enabled) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, external_id) DO UPDATE SET \
                 name = excluded.name, email = excluded.email, phone = excluded.phone, \
                 enabled = excluded.enabled \
             RETURNING id AS contact_id, tenant_id, external_id AS contact_external_id, \
                 name AS contact_name, email AS contact_email, phone AS contact_phone, \
                 enabled AS contact_enabled",
            &[
                Arg::Id(ContactId::new().as_uuid()),
                Arg::Id(tenant.as_uuid()),
                Arg::Text(upsert.external_id.as_str()),
                Arg::Text(&upsert.name),
                Arg::OptText(email),
                Arg::OptText(upsert.phone.as_ref().map(PhoneNumber::as_str)),
                Arg::Bool(upsert.enabled),
            ],
        )
        .await?
        .ok_or_else(|| backend("the contact upsert returned no row"))?
        .try_into()?;
    // A contact that was not there when we looked may have been created
    // since by a concurrent upsert; spending is then the safe side (a new
    // contact has no tokens anyway).
    let email_changed = before.is_none_or(|(old,)| old.as_deref() != email);
    if email_changed {
        // The port gives no time; the stamp only records that it is spent.
        spend_tokens(conn, tenant, contact.id, Utc::now()).await?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(contact)
}

/// The contact in this tenant found by `$2` in the column `$where` names.
async fn contact_where<C: Conn>(
    conn: &mut C,
    sql: &'static str,
    tenant: TenantId,
    key: Arg<'_>,
) -> Result<Option<Contact>, StoreError> {
    conn.fetch_optional::<ContactRow>(sql, &[Arg::Id(tenant.as_uuid()), key])
        .await?
        .map(Contact::try_from)
        .transpose()
}

/// The contact with this id in this tenant.
pub(crate) async fn contact<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: ContactId,
) -> Result<Option<Contact>, StoreError> {
    let sql = contact_sql!(" FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2");
    contact_where(conn, sql, tenant, Arg::Id(id.as_uuid())).await
}

/// The contact with this external id in this tenant.
pub(crate) async fn contact_by_external_id<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    id: &ExternalId,
) -> Result<Option<Contact>, StoreError> {
    let sql = contact_sql!(" FROM contacts c WHERE c.tenant_id = $1 AND c.external_id = $2");
    contact_where(conn, sql, tenant, Arg::Text(id.as_str())).await
}

/// The contact with this e-mail in this tenant.
pub(crate) async fn contact_by_email<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    email: &EmailAddress,
) -> Result<Option<Contact>, StoreError> {
    let sql = contact_sql!(" FROM contacts c WHERE c.tenant_id = $1 AND c.email = $2");
    contact_where(conn, sql, tenant, Arg::Text(email.as_str())).await
}

/// Gives the contact a role on the account, or changes it. Selecting the
/// pair from this tenant's contacts and accounts: when either is elsewhere
/// (or nowhere) nothing is inserted, and that is `NotFound`.
pub(crate) async fn grant_membership<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
    account: AccountId,
    role: Role,
) -> Result<(), StoreError> {
    let granted = conn
        .execute(
            "INSERT INTO memberships (contact_id, account_id, tenant_id, role) \
             SELECT c.id, a.id, c.tenant_id, $4 \
             FROM contacts c JOIN accounts a ON a.tenant_id = c.tenant_id \
             WHERE c.tenant_id = $1 AND c.id = $2 AND a.id = $3 \
             ON CONFLICT (contact_id, account_id) DO UPDATE SET role = excluded.role",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(contact.as_uuid()),
                Arg::Id(account.as_uuid()),
                Arg::Text(role.as_str()),
            ],
        )
        .await?;
    if granted == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Removes the membership and the contact's sessions on that account.
pub(crate) async fn revoke_membership<DB: Db>(
    mut tx: Tx<DB>,
    tenant: TenantId,
    contact: ContactId,
    account: AccountId,
) -> Result<(), StoreError> {
    let conn = &mut *tx;
    let args = [
        Arg::Id(tenant.as_uuid()),
        Arg::Id(contact.as_uuid()),
        Arg::Id(account.as_uuid()),
    ];
    conn.execute(
        "DELETE FROM memberships \
         WHERE tenant_id = $1 AND contact_id = $2 AND account_id = $3",
        &args,
    )
    .await?;
    conn.execute(
        "DELETE FROM sessions \
         WHERE tenant_id = $1 AND contact_id = $2 AND active_account_id = $3",
        &args,
    )
    .await?;
    tx.commit().await.map_err(store_error)
}

/// The contact's memberships, by account name.
pub(crate) async fn memberships<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
) -> Result<Vec<Membership>, StoreError> {
    conn.fetch_all::<MembershipRow>(
        "SELECT m.account_id, a.number AS account_number, a.name AS account_name, m.role, \
             a.portal_enabled, a.has_history \
         FROM memberships m \
         JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
         WHERE m.tenant_id = $1 AND m.contact_id = $2 \
         ORDER BY a.name, a.number, a.id",
        &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
    )
    .await?
    .into_iter()
    .map(Membership::try_from)
    .collect()
}

/// The contact's credential with its lockout state, if it has a password.
pub(crate) async fn credential<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
) -> Result<Option<Credential>, StoreError> {
    conn.fetch_optional::<CredentialRow>(
        "SELECT cr.password_hash, l.failed_attempts, l.locked_until \
         FROM credentials cr LEFT JOIN lockouts l ON l.contact_id = cr.contact_id \
         WHERE cr.tenant_id = $1 AND cr.contact_id = $2",
        &[Arg::Id(tenant.as_uuid()), Arg::Id(contact.as_uuid())],
    )
    .await?
    .map(Credential::try_from)
    .transpose()
}

/// The contact who logs in with this name, with its credential.
pub(crate) async fn login_candidate<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    login: &LoginName,
) -> Result<Option<LoginCandidate>, StoreError> {
    let (sql, name) = match login {
        LoginName::Email(email) => (
            login_candidate_sql!("c.tenant_id = $1 AND c.email = $2"),
            email.as_str(),
        ),
        LoginName::Phone(phone) => (
            login_candidate_sql!("c.tenant_id = $1 AND c.phone = $2"),
            phone.as_str(),
        ),
    };
    conn.fetch_optional::<LoginCandidateRow>(sql, &[Arg::Id(tenant.as_uuid()), Arg::Text(name)])
        .await?
        .map(LoginCandidate::try_from)
        .transpose()
}

/// The end of the contact's lock, when it is locked at `now`.
pub(crate) async fn locked_until<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    contact: ContactId,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let until = conn
        .fetch_optional::<(Timestamp,)>(
            "SELECT locked_until FROM lockouts \
             WHERE tenant_id = $1 AND contact_id = $2 AND locked_until > $3",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(contact.as_uuid()),
                Arg::Time(now),
            ],
        )
        .await?;
    Ok(until.map(|(until,)| until.0))
}

/// Counts a failed guess with one statement that reads and writes the
/// counter (inserting the contact's lockout row on its first failure), so
/// concurrent failures each count. The counter restarts at the lock, so a
/// zero after the update means this failure engaged it; then, and only
/// then, `on_lock` is written.
pub(crate) async fn record_login_failure<DB: Db>(
    mut tx: Tx<DB>,
    tenant: TenantId,
    contact: ContactId,
    now: DateTime<Utc>,
    policy: &LockoutPolicy,
    on_lock: &[OutboxMessage],
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let conn = &mut *tx;
    let lock_end = now + Duration::minutes(i64::from(policy.lock_minutes));
    let counted = conn
        .fetch_optional::<(i32, Option<Timestamp>)>(
            "INSERT INTO lockouts (contact_id, tenant_id, failed_attempts, locked_until) \
             SELECT c.id, c.tenant_id, \
                 CASE WHEN 1 >= $3 THEN 0 ELSE 1 END, \
                 CASE WHEN 1 >= $3 THEN $4 ELSE NULL END \
             FROM contacts c WHERE c.tenant_id = $1 AND c.id = $2 \
             ON CONFLICT (contact_id) DO UPDATE SET \
                 failed_attempts = CASE WHEN lockouts.failed_attempts + 1 >= $3 THEN 0 \
                                        ELSE lockouts.failed_attempts + 1 END, \
                 locked_until = CASE WHEN lockouts.failed_attempts + 1 >= $3 THEN $4 \
                                     ELSE lockouts.locked_until END \
             RETURNING failed_attempts, locked_until",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(contact.as_uuid()),
                Arg::Int(i64::from(policy.max_failures)),
                Arg::Time(lock_end),
            ],
        )
        .await?;
    let engaged = match counted {
        Some((0, Some(until))) => Some(until.0),
        _ => None,
    };
    if engaged.is_some() {
        enqueue(conn, tenant, on_lock).await?;
    }
    tx.commit().await.map_err(store_error)?;
    Ok(engaged)
}

/// Stores the session if the contact's password hash is still the one
/// verified and the contact is not locked at the session's start (the
/// insert selects from the membership, the credential and the lockout, so
/// the check and the write are one statement, after the contact's lock).
/// Also deletes the contact's expired sessions and its one-time tokens used
/// or expired more than [`SPENT_TOKENS_KEPT`] ago, and clears its failure
/// count.
pub(crate) async fn start_session<DB: Db>(
    mut tx: Tx<DB>,
    session: &Session,
    verified_hash: &str,
) -> Result<(), StoreError> {
    let conn = &mut *tx;
    let tenant = Arg::Id(session.tenant.as_uuid());
    let contact = Arg::Id(session.contact.as_uuid());
    let account = Arg::Id(session.active_account.as_uuid());
    let now = Arg::Time(session.created_at);
    lock_contact(conn, session.tenant, session.contact).await?;
    conn.execute(
        "DELETE FROM sessions \
         WHERE tenant_id = $1 AND contact_id = $2 \
           AND (idle_expires_at <= $3 OR absolute_expires_at <= $3)",
        &[tenant, contact, now],
    )
    .await?;
    conn.execute(
        "DELETE FROM one_time_tokens \
         WHERE tenant_id = $1 AND contact_id = $2 AND (used_at < $3 OR expires_at < $3)",
        &[
            tenant,
            contact,
            Arg::Time(session.created_at - SPENT_TOKENS_KEPT),
        ],
    )
    .await?;
    let inserted = conn
        .execute(
            "INSERT INTO sessions (id, tenant_id, token_hash, contact_id, active_account_id, \
                 kind, created_at, last_seen_at, idle_expires_at, absolute_expires_at) \
             SELECT $4, m.tenant_id, $5, m.contact_id, m.account_id, $6, $7, $8, $9, $10 \
             FROM memberships m \
             JOIN credentials cr ON cr.contact_id = m.contact_id AND cr.tenant_id = m.tenant_id \
             WHERE m.tenant_id = $1 AND m.contact_id = $2 AND m.account_id = $3 \
               AND cr.password_hash = $11 \
               AND NOT EXISTS ( \
                   SELECT 1 FROM lockouts l \
                   WHERE l.contact_id = m.contact_id AND l.locked_until > $7)",
            &[
                tenant,
                contact,
                account,
                Arg::Id(session.id.as_uuid()),
                Arg::Text(session.token_hash.as_str()),
                Arg::Text(session.kind.as_str()),
                now,
                Arg::Time(session.last_seen_at),
                Arg::Time(session.idle_expires_at),
                Arg::Time(session.absolute_expires_at),
                Arg::Text(verified_hash),
            ],
        )
        .await?;
    if inserted == 0 {
        // Only on an account the contact is a member of, in this tenant;
        // a member whose password or lock changed is a conflict.
        let member = conn
            .fetch_optional::<(Uuid,)>(
                "SELECT account_id FROM memberships \
                 WHERE tenant_id = $1 AND contact_id = $2 AND account_id = $3",
                &[tenant, contact, account],
            )
            .await?;
        return Err(match member {
            Some(_) => StoreError::Conflict("password changed or log-in locked".to_owned()),
            None => StoreError::NotFound,
        });
    }
    conn.execute(
        "UPDATE lockouts SET failed_attempts = 0 WHERE tenant_id = $1 AND contact_id = $2",
        &[tenant, contact],
    )
    .await?;
    tx.commit().await.map_err(store_error)
}

/// The session lookup with the contact's memberships as a JSON list (the
/// column `memberships`, written by each database its own way): every
/// request runs it, so the account switcher costs no second statement.
/// One indexed lookup by token hash (`$1`; `$2` tenant, `$3` now), and
/// every reason for "no" (expired, other tenant, contact disabled,
/// membership gone, portal off) is a condition of the same query.
macro_rules! session_context_sql {
    ($memberships:literal) => {
        concat!(
            "SELECT s.id AS session_id, s.tenant_id, s.contact_id, s.active_account_id, \
                 s.token_hash, s.kind, s.created_at, s.last_seen_at, s.idle_expires_at, \
                 s.absolute_expires_at, \
                 c.external_id AS contact_external_id, c.name AS contact_name, \
                 c.email AS contact_email, c.phone AS contact_phone, \
                 c.enabled AS contact_enabled, \
                 m.account_id, a.number AS account_number, a.name AS account_name, m.role, \
                 a.portal_enabled, a.has_history, ",
            $memberships,
            " AS memberships \
             FROM sessions s \
             JOIN contacts c ON c.id = s.contact_id AND c.tenant_id = s.tenant_id \
             JOIN memberships m ON m.contact_id = s.contact_id \
                 AND m.account_id = s.active_account_id AND m.tenant_id = s.tenant_id \
             JOIN accounts a ON a.id = m.account_id AND a.tenant_id = s.tenant_id \
             WHERE s.token_hash = $1 AND s.tenant_id = $2 \
               AND s.idle_expires_at > $3 AND s.absolute_expires_at > $3 \
               AND c.enabled AND a.portal_enabled"
        )
    };
}
pub(crate) use session_context_sql;

/// The live session with this token hash, with its contact, active
/// membership and all the contact's memberships ([`Dialect::SESSION_CONTEXT`]).
pub(crate) async fn session_context<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    token: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<SessionContext>, StoreError> {
    conn.fetch_optional::<SessionContextRow>(
        C::SESSION_CONTEXT,
        &[
            Arg::Text(token.as_str()),
            Arg::Id(tenant.as_uuid()),
            Arg::Time(now),
        ],
    )
    .await?
    .map(SessionContext::try_from)
    .transpose()
}

/// Records use of a session. A session already past an expiry stays dead:
/// touching never revives it, and the idle expiry never passes the
/// absolute one.
pub(crate) async fn touch_session<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    session: SessionId,
    now: DateTime<Utc>,
    idle_expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE sessions SET last_seen_at = $3, \
             idle_expires_at = CASE WHEN $4 < absolute_expires_at THEN $4 \
                                    ELSE absolute_expires_at END \
         WHERE tenant_id = $1 AND id = $2 \
           AND idle_expires_at > $3 AND absolute_expires_at > $3",
        &[
            Arg::Id(tenant.as_uuid()),
            Arg::Id(session.as_uuid()),
            Arg::Time(now),
            Arg::Time(idle_expires_at),
        ],
    )
    .await
    .map(drop)
}

/// Makes `account` the session's active account, if the session's contact
/// is a member of it and its portal is on (`NotFound` otherwise).
pub(crate) async fn switch_account<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    session: SessionId,
    account: AccountId,
) -> Result<(), StoreError> {
    let switched = conn
        .execute(
            "UPDATE sessions SET active_account_id = $3 \
             WHERE tenant_id = $1 AND id = $2 \
               AND EXISTS ( \
                   SELECT 1 FROM memberships m \
                   JOIN accounts a ON a.id = m.account_id AND a.tenant_id = m.tenant_id \
                   WHERE m.tenant_id = $1 AND m.contact_id = sessions.contact_id \
                     AND m.account_id = $3 AND a.portal_enabled)",
            &[
                Arg::Id(tenant.as_uuid()),
                Arg::Id(session.as_uuid()),
                Arg::Id(account.as_uuid()),
            ],
        )
        .await?;
    if switched == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Ends one session.
pub(crate) async fn end_session<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    session: SessionId,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM sessions WHERE tenant_id = $1 AND id = $2",
        &[Arg::Id(tenant.as_uuid()), Arg::Id(session.as_uuid())],
    )
    .await
    .map(drop)
}

/// Stores a one-time token and its mail; the contact's earlier unused
/// tokens, of any purpose, are spent first, under the contact's lock, so
/// of two concurrent calls the second spends the first's token.
pub(crate) async fn issue_token<DB: Db>(
    mut tx: Tx<DB>,
    token: &OneTimeToken,
    messages: &[OutboxMessage],
) -> Result<(), StoreError> {
    let conn = &mut *tx;
    lock_contact(conn, token.tenant, token.contact).await?;
    spend_tokens(conn, token.tenant, token.contact, token.created_at).await?;
    conn.execute(
        "INSERT INTO one_time_tokens \
             (hash, tenant_id, contact_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            Arg::Text(token.hash.as_str()),
            Arg::Id(token.tenant.as_uuid()),
            Arg::Id(token.contact.as_uuid()),
            Arg::Text(token.purpose.as_str()),
            Arg::Time(token.created_at),
            Arg::Time(token.expires_at),
        ],
    )
    .await?;
    enqueue(conn, token.tenant, messages).await?;
    tx.commit().await.map_err(store_error)
}

/// The unspent, unexpired token with this hash.
pub(crate) async fn live_token<C: Conn>(
    conn: &mut C,
    tenant: TenantId,
    hash: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<OneTimeToken>, StoreError> {
    conn.fetch_optional::<TokenRow>(
        "SELECT hash, tenant_id, contact_id, purpose, created_at, expires_at \
         FROM one_time_tokens \
         WHERE tenant_id = $1 AND hash = $2 AND used_at IS NULL AND expires_at > $3",
        &[
            Arg::Id(tenant.as_uuid()),
            Arg::Text(hash.as_str()),
            Arg::Time(now),
        ],
    )
    .await?
    .map(OneTimeToken::try_from)
    .transpose()
}

/// What a password write requires of the stored state; when it does not
/// hold, the write refuses and writes nothing.
enum Guard<'a> {
    /// The contact has no password yet (`Conflict` otherwise).
    NoPassword,
    /// The stored hash is still this one (`Conflict` otherwise).
    CurrentHash(&'a str),
    /// This one-time token of the contact is unspent and unexpired at the
    /// write's time (`NotFound` otherwise); it is spent, and the contact's
    /// failures and lock are cleared.
    Token(&'a TokenHash),
}

/// Which of the contact's sessions a password write ends.
#[derive(Clone, Copy)]
enum SessionsToEnd {
    All,
    AllBut(SessionId),
}

impl From<Option<SessionId>> for SessionsToEnd {
    fn from(keep: Option<SessionId>) -> Self {
        keep.map_or(SessionsToEnd::All, SessionsToEnd::AllBut)
    }
}

/// One password write: the contact, the new hash and what else happens.
struct PasswordWrite<'a> {
    tenant: TenantId,
    contact: ContactId,
    guard: Guard<'a>,
    hash: &'a str,
    end_sessions: SessionsToEnd,
    /// When the tokens it spends are marked used.
    at: DateTime<Utc>,
    messages: &'a [OutboxMessage],
}

/// The one way a password is written: under the contact's lock, checks
/// the guard and stores the hash, then ends sessions, spends all the
/// contact's unused tokens and writes the messages. Commits nothing; the
/// caller does.
async fn write_password<C: Conn>(conn: &mut C, write: PasswordWrite<'_>) -> Result<(), StoreError> {
    let tenant = Arg::Id(write.tenant.as_uuid());
    let contact = Arg::Id(write.contact.as_uuid());
    let hash = Arg::Text(write.hash);
    lock_contact(conn, write.tenant, write.contact).await?;
    match write.guard {
        Guard::NoPassword => {
            let inserted = conn
                .execute(
                    "INSERT INTO credentials (contact_id, tenant_id, password_hash) \
                     VALUES ($2, $1, $3) ON CONFLICT (contact_id) DO NOTHING",
                    &[tenant, contact, hash],
                )
                .await?;
            if inserted == 0 {
                return Err(StoreError::Conflict("password already set".to_owned()));
            }
        }
        Guard::CurrentHash(current) => {
            let updated = conn
                .execute(
                    "UPDATE credentials SET password_hash = $3 \
                     WHERE tenant_id = $1 AND contact_id = $2 AND password_hash = $4",
                    &[tenant, contact, hash, Arg::Text(current)],
                )
                .await?;
            if updated == 0 {
                return Err(StoreError::Conflict(
                    "password changed meanwhile".to_owned(),
                ));
            }
        }
        Guard::Token(token) => {
            // The conditional update is the check: of two requests racing
            // with one token, one spends it and the other matches nothing.
            let spent = conn
                .execute(
                    "UPDATE one_time_tokens SET used_at = $4 \
                     WHERE tenant_id = $1 AND contact_id = $2 AND hash = $3 \
                       AND used_at IS NULL AND expires_at > $4",
                    &[
                        tenant,
                        contact,
                        Arg::Text(token.as_str()),
                        Arg::Time(write.at),
                    ],
                )
                .await?;
            if spent == 0 {
                return Err(StoreError::NotFound);
            }
            conn.execute(
                "INSERT INTO credentials (contact_id, tenant_id, password_hash) \
                 VALUES ($2, $1, $3) \
                 ON CONFLICT (contact_id) DO UPDATE SET password_hash = excluded.password_hash",
                &[tenant, contact, hash],
            )
            .await?;
            conn.execute(
                "DELETE FROM lockouts WHERE tenant_id = $1 AND contact_id = $2",
                &[tenant, contact],
            )
            .await?;
        }
    }
    // A session id nothing has (the nil UUID) keeps none.
    let keep = match write.end_sessions {
        SessionsToEnd::All => Uuid::nil(),
        SessionsToEnd::AllBut(session) => session.as_uuid(),
    };
    conn.execute(
        "DELETE FROM sessions WHERE tenant_id = $1 AND contact_id = $2 AND id <> $3",
        &[tenant, contact, Arg::Id(keep)],
    )
    .await?;
    spend_tokens(conn, write.tenant, write.contact, write.at).await?;
    enqueue(conn, write.tenant, write.messages).await
}

/// Replaces the password if the stored hash is still `current_hash`,
/// ending every session but `keep`.
pub(crate) async fn change_password<DB: Db>(
    mut tx: Tx<DB>,
    tenant: TenantId,
    contact: ContactId,
    current_hash: &str,
    new_hash: &str,
    keep: Option<SessionId>,
    messages: &[OutboxMessage],
) -> Result<(), StoreError> {
    let write = PasswordWrite {
        tenant,
        contact,
        guard: Guard::CurrentHash(current_hash),
        hash: new_hash,
        end_sessions: keep.into(),
        at: Utc::now(),
        messages,
    };
    write_password(&mut *tx, write).await?;
    tx.commit().await.map_err(store_error)
}

/// Sets the first password of a contact that has none. Its failure count
/// and lock stay as they are.
pub(crate) async fn set_first_password<DB: Db>(
    mut tx: Tx<DB>,
    tenant: TenantId,
    contact: ContactId,
    hash: &str,
    messages: &[OutboxMessage],
) -> Result<(), StoreError> {
    let write = PasswordWrite {
        tenant,
        contact,
        guard: Guard::NoPassword,
        hash,
        end_sessions: SessionsToEnd::All,
        at: Utc::now(),
        messages,
    };
    write_password(&mut *tx, write).await?;
    tx.commit().await.map_err(store_error)
}

/// Spends the token and sets the password; returns the token's contact.
pub(crate) async fn redeem_token<DB: Db>(
    mut tx: Tx<DB>,
    tenant: TenantId,
    hash: &TokenHash,
    now: DateTime<Utc>,
    new_hash: &str,
    messages: &[OutboxMessage],
) -> Result<ContactId, StoreError> {
    // Whose token it is, without a lock: the contact's lock comes first,
    // then the conditional spend in `write_password` decides.
    let (contact,) = tx
        .fetch_optional::<(Uuid,)>(
            "SELECT contact_id FROM one_time_tokens WHERE tenant_id = $1 AND hash = $2",
            &[Arg::Id(tenant.as_uuid()), Arg::Text(hash.as_str())],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    let contact = ContactId::from_uuid(contact);
    let write = PasswordWrite {
        tenant,
        contact,
        guard: Guard::Token(hash),
        hash: new_hash,
        end_sessions: SessionsToEnd::All,
        at: now,
        messages,
    };
    write_password(&mut *tx, write).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(contact)
}
