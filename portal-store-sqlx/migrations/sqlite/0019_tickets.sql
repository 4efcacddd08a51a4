-- Support tickets with their threads and attachments. The `tickets` table
-- of 0001 (which only the dashboard read and only tests filled) is
-- replaced; the dashboard reads this one.

DROP TABLE tickets;

-- The last ticket number each tenant gave.
CREATE TABLE ticket_counters (
    tenant_id BLOB NOT NULL PRIMARY KEY REFERENCES tenants (id),
    last_number INTEGER NOT NULL
) STRICT;

CREATE TABLE tickets (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    number INTEGER NOT NULL,
    category_key TEXT NOT NULL,
    category_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    -- status = 'closed', kept as a column so lists read open tickets
    -- first straight from the index.
    closed INTEGER NOT NULL,
    job_id BLOB REFERENCES jobs (id),
    job_label TEXT,
    assignee TEXT,
    opened_by BLOB NOT NULL REFERENCES contacts (id),
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    CONSTRAINT tickets_tenant_number_key UNIQUE (tenant_id, number),
    CONSTRAINT tickets_status_check CHECK (status IN ('open', 'waiting', 'closed')),
    CONSTRAINT tickets_closed_check CHECK (closed = (status = 'closed'))
) STRICT;
-- The account's tickets: open ones first, latest activity first (the
-- list, and the dashboard's open tickets).
CREATE INDEX tickets_account_idx
    ON tickets (tenant_id, account_id, closed, updated_at DESC, id DESC);

CREATE TABLE ticket_messages (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    ticket_id BLOB NOT NULL REFERENCES tickets (id),
    -- A customer's message names the contact; a staff one the name the
    -- host gave and the host's id for it.
    contact_id BLOB REFERENCES contacts (id),
    staff_name TEXT,
    external_id TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT ticket_messages_author_check
        CHECK ((contact_id IS NULL) <> (staff_name IS NULL))
) STRICT;
-- A ticket's thread, oldest first.
CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (ticket_id, created_at, id);
-- The host's replies by its id (sending one again changes nothing).
CREATE UNIQUE INDEX ticket_messages_external_key
    ON ticket_messages (tenant_id, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE ticket_attachments (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    ticket_id BLOB NOT NULL REFERENCES tickets (id),
    message_id BLOB NOT NULL REFERENCES ticket_messages (id),
    position INTEGER NOT NULL,
    -- The blob store's key (ours: `<tenant>/<random>`), never shown.
    blob_key TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL
) STRICT;
-- A message's files in order; a download looks one up by ticket and id.
CREATE INDEX ticket_attachments_message_idx
    ON ticket_attachments (message_id, position);
CREATE INDEX ticket_attachments_ticket_idx ON ticket_attachments (ticket_id);
