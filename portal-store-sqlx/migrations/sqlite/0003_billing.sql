-- Billing, SQLite flavour. The PostgreSQL migration of the same number
-- creates the same tables and indexes with native types.
--
-- Money is whole minor units of the row's currency (cents for USD), as
-- INTEGER, so every sum, filter and sort is integer SQL and the same on
-- both databases (portal_core::shared::Currency::to_minor / from_minor).
-- Line quantities, prices and tax rates are TEXT decimals: they are only
-- stored and shown, never computed in SQL (core computes the totals).
--
-- The minimal `invoices` table of 0001 (money as TEXT) is replaced: there
-- is no data to keep before the first release.

DROP TABLE invoices;

CREATE TABLE invoices (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    -- The host's id; upserts are keyed by it.
    external_id TEXT NOT NULL,
    number TEXT NOT NULL,
    -- lower(number), for the case-insensitive prefix search (a range on
    -- this column, so it stays on the index).
    number_key TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    -- ISO 4217 code; the tenant's.
    currency TEXT NOT NULL,
    subtotal_minor INTEGER NOT NULL,
    tax_minor INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    -- Applied by succeeded payments and credits.
    paid_minor INTEGER NOT NULL DEFAULT 0,
    -- Held by pending payments.
    pending_minor INTEGER NOT NULL DEFAULT 0,
    -- 'open', 'partially_paid', 'paid' (InvoiceStatus::from_amounts of
    -- total and paid, recomputed by every statement that moves money) or
    -- 'void'.
    status TEXT NOT NULL,
    has_host_pdf INTEGER NOT NULL DEFAULT 0,
    memo TEXT,
    voided_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT invoices_tenant_external_id_key UNIQUE (tenant_id, external_id),
    -- The last line of defence behind the conditional updates: never more
    -- paid and held than the total.
    CONSTRAINT invoices_amounts_check CHECK (
        total_minor >= 0 AND paid_minor >= 0 AND pending_minor >= 0
        AND paid_minor + pending_minor <= total_minor)
) STRICT;
-- The invoice list: one index per sort key, each led by tenant and account
-- so a list reads only the account's rows, in order, and stops at LIMIT.
-- Issued also serves the issued-on range and statements' charges.
CREATE INDEX invoices_account_issued_idx ON invoices (tenant_id, account_id, issued_on, id);
CREATE INDEX invoices_account_due_idx ON invoices (tenant_id, account_id, due_on, id);
CREATE INDEX invoices_account_total_idx ON invoices (tenant_id, account_id, total_minor, id);
CREATE INDEX invoices_account_number_idx ON invoices (tenant_id, account_id, number_key, id);
-- Unpaid invoices by due date (the pay page, the dashboard, the summary's
-- sums). Partial: paid and void invoices cost these reads nothing.
CREATE INDEX invoices_account_unpaid_idx
    ON invoices (tenant_id, account_id, due_on, issued_on, number, id)
    WHERE status IN ('open', 'partially_paid');

CREATE TABLE invoice_lines (
    invoice_id BLOB NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    -- The host's order, from 0.
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    tax_rate TEXT NOT NULL,
    PRIMARY KEY (invoice_id, position)
) STRICT;

-- The host's own PDF of an invoice, apart from the invoice so lists never
-- read it.
CREATE TABLE invoice_documents (
    invoice_id BLOB NOT NULL PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    pdf BLOB NOT NULL
) STRICT;

CREATE TABLE payments (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    -- 'payment' or 'credit'
    kind TEXT NOT NULL,
    -- 'portal', 'host' or 'autopay'
    source TEXT NOT NULL,
    -- 'pending', 'succeeded' or 'failed'
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    -- What of it is applied to invoices (held amounts are not applied).
    applied_minor INTEGER NOT NULL DEFAULT 0,
    -- The card on file used, if one was.
    method_id BLOB,
    method_label TEXT,
    gateway_reference TEXT,
    failure_message TEXT,
    -- The host's id of a payment it recorded.
    external_id TEXT,
    -- The client's key of a portal payment and the hash of what it asked.
    idempotency_key TEXT,
    fingerprint TEXT,
    contact_id BLOB,
    memo TEXT,
    received_at INTEGER NOT NULL,
    settled_at INTEGER,
    -- NULLs are distinct in both, so payments without the key never clash.
    CONSTRAINT payments_tenant_external_id_key UNIQUE (tenant_id, external_id),
    CONSTRAINT payments_account_idempotency_key UNIQUE (tenant_id, account_id, idempotency_key),
    CONSTRAINT payments_amounts_check CHECK (
        amount_minor > 0 AND applied_minor >= 0 AND applied_minor <= amount_minor)
) STRICT;
-- The payments list (newest first), the summary's last payment and credit,
-- statements' payments by time received.
CREATE INDEX payments_account_received_idx ON payments (tenant_id, account_id, received_at, id);
-- The reconcile sweep: the tenant's pending payments, oldest first.
CREATE INDEX payments_pending_received_idx ON payments (tenant_id, received_at, id)
    WHERE status = 'pending';

-- A payment's share of one invoice: 'held' while the payment is pending,
-- 'applied' once money moved, 'released' when a failed payment let go of
-- its hold or a void invoice gave its payments back (kept for the record;
-- released rows count nowhere).
CREATE TABLE allocations (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    payment_id BLOB NOT NULL REFERENCES payments (id),
    invoice_id BLOB NOT NULL REFERENCES invoices (id),
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- When it was applied: statements age invoices and credit by it.
    applied_at INTEGER,
    released_at INTEGER
) STRICT;
-- A payment's allocations (payment pages, settling).
CREATE INDEX allocations_payment_idx ON allocations (payment_id, state);
-- An invoice's allocations (invoice detail, voiding, statements' aging).
CREATE INDEX allocations_invoice_idx ON allocations (invoice_id, state, applied_at);
-- Statements' unapplied credit: the account's allocations applied by a time.
CREATE INDEX allocations_account_applied_idx
    ON allocations (tenant_id, account_id, applied_at) WHERE state = 'applied';

CREATE TABLE payment_methods (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    -- The gateway's reusable token; emptied when the method is removed.
    gateway_token TEXT NOT NULL,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    exp_month INTEGER,
    exp_year INTEGER,
    is_default INTEGER NOT NULL,
    added_by BLOB,
    added_at INTEGER NOT NULL,
    -- Removed methods stay (consents and payments refer to them).
    removed_at INTEGER
) STRICT;
-- The account's methods on file.
CREATE INDEX payment_methods_account_idx ON payment_methods (tenant_id, account_id, added_at);
-- At most one default per account.
CREATE UNIQUE INDEX payment_methods_account_default_key
    ON payment_methods (tenant_id, account_id) WHERE is_default = 1;

CREATE TABLE autopay_consents (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    method_id BLOB NOT NULL REFERENCES payment_methods (id),
    contact_id BLOB NOT NULL REFERENCES contacts (id),
    -- The terms shown, word for word.
    terms TEXT NOT NULL,
    consented_at INTEGER NOT NULL,
    withdrawn_at INTEGER,
    withdrawn_by BLOB
) STRICT;
-- At most one active consent per account; also finds it.
CREATE UNIQUE INDEX autopay_consents_account_active_key
    ON autopay_consents (tenant_id, account_id) WHERE withdrawn_at IS NULL;
