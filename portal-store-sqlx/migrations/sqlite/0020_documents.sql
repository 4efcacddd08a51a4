-- Documents the host publishes for customers to download: one account's
-- (account_id set) or every account's of the tenant (account_id NULL).
-- The files are in the blob store; a row keeps the key and what the
-- downloads page shows.

CREATE TABLE documents (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB REFERENCES accounts (id),
    external_id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    folder TEXT,
    -- The blob store's key (ours: `<tenant>/<random>`), never shown.
    blob_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    -- Publishing the host's id again replaces the document.
    CONSTRAINT documents_tenant_external_key UNIQUE (tenant_id, external_id)
) STRICT;
-- The downloads list: the account's documents and the tenant-wide ones
-- (account_id NULL), newest first; one index serves both halves.
CREATE INDEX documents_account_published_idx
    ON documents (tenant_id, account_id, published_at DESC, id DESC);
