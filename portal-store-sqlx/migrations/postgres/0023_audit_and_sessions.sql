-- The audit log (issue 14): sign-ins and failed ones, password changes,
-- payments, approvals, contact changes and staff "view as customer"
-- sessions, each with its time, actor, on-behalf-of and client. Written in
-- the transaction of the change it records (OutboxMessage::Audit), never
-- updated. No foreign key on contacts: the log outlives a deleted contact,
-- so the actor's name is kept as it was.
CREATE TABLE audit_log (
    -- Time-ordered (UUID v7); breaks ties within a microsecond.
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- The account it happened on; NULL for a contact's own (a failed
    -- sign-in of a contact without a usable account).
    account_id UUID,
    -- The contact it is about: who signed in, whose password changed.
    contact_id UUID,
    -- portal_core::audit::AuditAction::as_str
    action TEXT NOT NULL,
    -- 'contact', 'staff' or 'host'
    actor_kind TEXT NOT NULL,
    -- The contact's id, the staff member's id as the host gave it, or NULL
    -- for the host itself.
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    -- The contact whose portal staff were viewing.
    on_behalf_of UUID,
    -- What it was about: a quote's number, an amount, a colleague's name.
    detail TEXT,
    client_addr TEXT,
    user_agent TEXT,
    at TIMESTAMPTZ NOT NULL
);
-- An account's log, newest first (the audit page).
CREATE INDEX audit_log_account_idx ON audit_log (tenant_id, account_id, at DESC, id DESC);
-- A contact's sign-in history, newest first (the security page).
CREATE INDEX audit_log_contact_idx ON audit_log (tenant_id, contact_id, at DESC, id DESC);

-- The security page shows each session's device and address; a staff
-- member's "view as customer" session names the staff member (NULL for
-- the contact's own sessions).
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client_addr TEXT;
ALTER TABLE sessions ADD COLUMN viewer TEXT;
