-- Quotes, SQLite flavour. The PostgreSQL migration of the same number
-- creates the same tables and indexes with native types.
--
-- Money is whole minor units (as invoices keep it); line quantities,
-- prices and rates are TEXT decimals, computed only in core. The status
-- is stored as 'pending', 'approved' or 'declined'; expired is a pending
-- quote whose valid_until is before today, judged at read time, so a
-- host extending the date revives it. A decision is one conditional
-- UPDATE (`WHERE status = 'pending' AND valid_until >= today AND
-- content_sha256 = shown`), so of two concurrent approvals one wins.

CREATE TABLE quotes (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    -- The host's id; upserts are keyed by it.
    external_id TEXT NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    scope_of_work TEXT NOT NULL,
    terms TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- The required lines' totals (optional lines are the customer's choice).
    subtotal_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    has_optional_lines INTEGER NOT NULL,
    -- SHA-256 (hex) of the canonical content as shown (core's
    -- QuoteUpsert::digest): what an approval must quote.
    content_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    -- The decision, once made: who (contact and name on file), when.
    decided_at INTEGER,
    decided_by BLOB REFERENCES contacts (id),
    decided_by_name TEXT,
    -- An approval's evidence.
    signer_name TEXT,
    comment TEXT,
    po_number TEXT,
    -- The optional lines chosen, positions from 0, comma-separated.
    chosen_lines TEXT,
    approved_total_minor INTEGER,
    approved_sha256 TEXT,
    client_ip TEXT,
    user_agent TEXT,
    -- A decline's reason.
    decline_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT quotes_tenant_external_id_key UNIQUE (tenant_id, external_id),
    CONSTRAINT quotes_status_check CHECK (status IN ('pending', 'approved', 'declined')),
    -- A decided quote always has its decision.
    CONSTRAINT quotes_decision_check CHECK (
        status = 'pending' OR (decided_at IS NOT NULL AND decided_by IS NOT NULL)),
    CONSTRAINT quotes_approval_check CHECK (
        status <> 'approved' OR (signer_name IS NOT NULL AND approved_sha256 IS NOT NULL))
) STRICT;
-- The quote list (newest issued first, every status filter): led by
-- tenant and account, so a list reads only the account's rows, in order.
CREATE INDEX quotes_account_issued_idx ON quotes (tenant_id, account_id, issued_on, id);
-- Quotes awaiting approval, nearest to expire first (the dashboard's
-- panel and its count). Partial: decided quotes cost it nothing.
CREATE INDEX quotes_account_pending_idx ON quotes (tenant_id, account_id, valid_until, id)
    WHERE status = 'pending';

CREATE TABLE quote_lines (
    quote_id BLOB NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    -- The host's order, from 0.
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    tax_rate TEXT NOT NULL,
    optional INTEGER NOT NULL,
    PRIMARY KEY (quote_id, position)
) STRICT;
