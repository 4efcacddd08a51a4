-- Portal's first schema, SQLite flavour. The PostgreSQL migration of the
-- same number creates the same tables and indexes with native types.
--
-- Encodings (STRICT tables, so a wrong type is refused, not coerced):
--   ids         BLOB, the UUID's 16 bytes (sqlx's encoding of `Uuid`)
--   timestamps  INTEGER, unix microseconds, UTC
--   dates       TEXT, 'YYYY-MM-DD' (sorts as dates do)
--   money       TEXT, a decimal number such as '120.50', parsed as
--               rust_decimal::Decimal (never a float)
--   documents   TEXT holding JSON
--   booleans    INTEGER 0 or 1
-- Every index sits next to the table whose queries need it.

CREATE TABLE tenants (
    id BLOB NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL,
    base_url TEXT NOT NULL,
    -- portal_core::tenancy::PortalSettings as JSON: edited and read whole.
    settings TEXT NOT NULL,
    CONSTRAINT tenants_slug_key UNIQUE (slug)
) STRICT;

CREATE TABLE accounts (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    external_id TEXT NOT NULL,
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    address_line1 TEXT NOT NULL DEFAULT '',
    address_line2 TEXT NOT NULL DEFAULT '',
    address_city TEXT NOT NULL DEFAULT '',
    address_region TEXT NOT NULL DEFAULT '',
    address_postal_code TEXT NOT NULL DEFAULT '',
    address_country TEXT NOT NULL DEFAULT '',
    -- The facts on file, normalised by core's parsers, for known-facts
    -- registration.
    phone TEXT,
    email TEXT,
    postal_code TEXT,
    custom_fields TEXT NOT NULL DEFAULT '{}',
    portal_enabled INTEGER NOT NULL,
    has_history INTEGER NOT NULL,
    CONSTRAINT accounts_tenant_external_id_key UNIQUE (tenant_id, external_id)
) STRICT;
-- accounts_matching_facts: tenant + e-mail narrows to a row or two.
CREATE INDEX accounts_tenant_email_idx ON accounts (tenant_id, email);

CREATE TABLE contacts (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    enabled INTEGER NOT NULL,
    CONSTRAINT contacts_tenant_external_id_key UNIQUE (tenant_id, external_id)
) STRICT;
-- Either is a log-in name, so each is unique within a tenant when present;
-- these also serve login_candidate and contact_by_email.
CREATE UNIQUE INDEX contacts_tenant_email_key ON contacts (tenant_id, email)
    WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_tenant_phone_key ON contacts (tenant_id, phone)
    WHERE phone IS NOT NULL;

CREATE TABLE memberships (
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- portal_core::access::Role::as_str
    role TEXT NOT NULL,
    PRIMARY KEY (contact_id, account_id)
) STRICT;
-- memberships(): a contact's accounts.
CREATE INDEX memberships_tenant_contact_idx ON memberships (tenant_id, contact_id);

CREATE TABLE credentials (
    contact_id BLOB NOT NULL PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- PHC-format argon2id hash.
    password_hash TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER
) STRICT;

CREATE TABLE sessions (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- SHA-256 of the token, hex; the token itself is never stored.
    token_hash TEXT NOT NULL,
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    active_account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'cookie' or 'bearer'
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    -- session_context looks sessions up by this on every request.
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
) STRICT;
-- Ending a contact's sessions (password change, revocation, log-in cleanup).
CREATE INDEX sessions_tenant_contact_idx ON sessions (tenant_id, contact_id);

CREATE TABLE one_time_tokens (
    -- SHA-256 of the mailed token, hex.
    hash TEXT NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    -- portal_core::identity::TokenPurpose::as_str
    purpose TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT;
-- issue_token spends the contact's earlier tokens of the same purpose.
CREATE INDEX one_time_tokens_contact_purpose_idx
    ON one_time_tokens (tenant_id, contact_id, purpose);

CREATE TABLE outbox (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- portal_core::outbox::OutboxMessage as JSON.
    payload TEXT NOT NULL,
    -- The database's clock when the row was written; for people reading.
    created_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000000 AS INTEGER)),
    -- A fresh row is due at the epoch, i.e. at once whatever the worker's
    -- clock says; a failed one at its retry time.
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    leased_until INTEGER,
    -- Delivered rows are kept for inspection and can be purged at will.
    delivered_at INTEGER,
    last_error TEXT,
    gave_up INTEGER NOT NULL DEFAULT 0
) STRICT;
-- claim_outbox: the pending rows, oldest due first. Partial, so delivered
-- rows cost the claim nothing however many accumulate.
CREATE INDEX outbox_pending_due_idx ON outbox (due_at, id)
    WHERE delivered_at IS NULL AND NOT gave_up;

CREATE TABLE communications (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'email', 'call', 'sms', 'note'
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    occurred_at INTEGER NOT NULL
) STRICT;
-- The dashboard's latest communications.
CREATE INDEX communications_account_occurred_idx
    ON communications (tenant_id, account_id, occurred_at DESC);

-- The minimal billing, services and support tables the dashboard reads.
-- Their contexts extend them with further migrations.

CREATE TABLE invoices (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    number TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- ISO 4217 code.
    currency TEXT NOT NULL,
    total TEXT NOT NULL,
    balance TEXT NOT NULL,
    -- 'open', 'partially_paid', 'paid' or 'void'
    status TEXT NOT NULL
) STRICT;
-- The dashboard's unpaid invoices, by due date.
CREATE INDEX invoices_account_status_due_idx
    ON invoices (tenant_id, account_id, status, due_on);

CREATE TABLE work_orders (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    -- 'unscheduled', 'scheduled', 'in_progress', 'completed' or 'cancelled'
    status TEXT NOT NULL,
    scheduled_for INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
-- The dashboard's open jobs, soonest first.
CREATE INDEX work_orders_account_status_scheduled_idx
    ON work_orders (tenant_id, account_id, status, scheduled_for);

CREATE TABLE tickets (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    number TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- 'open', 'waiting' or 'closed'
    status TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
-- The dashboard's open tickets, latest activity first.
CREATE INDEX tickets_account_status_updated_idx
    ON tickets (tenant_id, account_id, status, updated_at);
