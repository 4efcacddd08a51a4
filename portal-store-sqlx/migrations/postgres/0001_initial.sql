-- Portal's first schema, PostgreSQL flavour. The SQLite migration of the
-- same number creates the same tables and indexes.
--
-- Native types: UUID ids, TIMESTAMPTZ timestamps (microseconds), DATE
-- dates, NUMERIC(19,4) money (read back as text into
-- rust_decimal::Decimal, never a float), JSONB documents.
-- Every index sits next to the table whose queries need it.

CREATE TABLE tenants (
    id UUID NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL,
    base_url TEXT NOT NULL,
    -- portal_core::tenancy::PortalSettings: edited and read whole.
    settings JSONB NOT NULL,
    CONSTRAINT tenants_slug_key UNIQUE (slug)
);

CREATE TABLE accounts (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
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
    custom_fields JSONB NOT NULL DEFAULT '{}',
    portal_enabled BOOLEAN NOT NULL,
    has_history BOOLEAN NOT NULL,
    CONSTRAINT accounts_tenant_external_id_key UNIQUE (tenant_id, external_id)
);
-- accounts_matching_facts: tenant + e-mail narrows to a row or two.
CREATE INDEX accounts_tenant_email_idx ON accounts (tenant_id, email);

CREATE TABLE contacts (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    enabled BOOLEAN NOT NULL,
    CONSTRAINT contacts_tenant_external_id_key UNIQUE (tenant_id, external_id)
);
-- Either is a log-in name, so each is unique within a tenant when present;
-- these also serve login_candidate and contact_by_email.
CREATE UNIQUE INDEX contacts_tenant_email_key ON contacts (tenant_id, email)
    WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_tenant_phone_key ON contacts (tenant_id, phone)
    WHERE phone IS NOT NULL;

CREATE TABLE memberships (
    contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- portal_core::access::Role::as_str
    role TEXT NOT NULL,
    PRIMARY KEY (contact_id, account_id)
);
-- memberships(): a contact's accounts.
CREATE INDEX memberships_tenant_contact_idx ON memberships (tenant_id, contact_id);

CREATE TABLE credentials (
    contact_id UUID NOT NULL PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- PHC-format argon2id hash.
    password_hash TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ
);

CREATE TABLE sessions (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- SHA-256 of the token, hex; the token itself is never stored.
    token_hash TEXT NOT NULL,
    contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    active_account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'cookie' or 'bearer'
    kind TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    idle_expires_at TIMESTAMPTZ NOT NULL,
    absolute_expires_at TIMESTAMPTZ NOT NULL,
    -- session_context looks sessions up by this on every request.
    CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
-- Ending a contact's sessions (password change, revocation, log-in cleanup).
CREATE INDEX sessions_tenant_contact_idx ON sessions (tenant_id, contact_id);

CREATE TABLE one_time_tokens (
    -- SHA-256 of the mailed token, hex.
    hash TEXT NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    -- portal_core::identity::TokenPurpose::as_str
    purpose TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
-- issue_token spends the contact's earlier tokens of the same purpose.
CREATE INDEX one_time_tokens_contact_purpose_idx
    ON one_time_tokens (tenant_id, contact_id, purpose);

CREATE TABLE outbox (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- portal_core::outbox::OutboxMessage.
    payload JSONB NOT NULL,
    -- The database's clock when the row was written; for people reading.
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- A fresh row is due at the epoch, i.e. at once whatever the worker's
    -- clock says; a failed one at its retry time.
    due_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    leased_until TIMESTAMPTZ,
    -- Delivered rows are kept for inspection and can be purged at will.
    delivered_at TIMESTAMPTZ,
    last_error TEXT,
    gave_up BOOLEAN NOT NULL DEFAULT FALSE
);
-- claim_outbox: the pending rows, oldest due first. Partial, so delivered
-- rows cost the claim nothing however many accumulate.
CREATE INDEX outbox_pending_due_idx ON outbox (due_at, id)
    WHERE delivered_at IS NULL AND NOT gave_up;

CREATE TABLE communications (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- 'email', 'call', 'sms', 'note'
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL
);
-- The dashboard's latest communications.
CREATE INDEX communications_account_occurred_idx
    ON communications (tenant_id, account_id, occurred_at DESC);

-- The minimal billing, services and support tables the dashboard reads.
-- Their contexts extend them with further migrations.

CREATE TABLE invoices (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    number TEXT NOT NULL,
    issued_on DATE NOT NULL,
    due_on DATE NOT NULL,
    -- ISO 4217 code.
    currency TEXT NOT NULL,
    total NUMERIC(19, 4) NOT NULL,
    balance NUMERIC(19, 4) NOT NULL,
    -- 'open', 'partially_paid', 'paid' or 'void'
    status TEXT NOT NULL
);
-- The dashboard's unpaid invoices, by due date.
CREATE INDEX invoices_account_status_due_idx
    ON invoices (tenant_id, account_id, status, due_on);

CREATE TABLE work_orders (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    -- 'unscheduled', 'scheduled', 'in_progress', 'completed' or 'cancelled'
    status TEXT NOT NULL,
    scheduled_for TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
-- The dashboard's open jobs, soonest first.
CREATE INDEX work_orders_account_status_scheduled_idx
    ON work_orders (tenant_id, account_id, status, scheduled_for);

CREATE TABLE tickets (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    number TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- 'open', 'waiting' or 'closed'
    status TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- The dashboard's open tickets, latest activity first.
CREATE INDEX tickets_account_status_updated_idx
    ON tickets (tenant_id, account_id, status, updated_at);
