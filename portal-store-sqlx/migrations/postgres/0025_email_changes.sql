-- A contact's e-mail changes only once the new address confirms it
-- (issue 14): the pending change, by the hash of the token mailed to the
-- new address. Apart from one_time_tokens, so asking for a change does not
-- spend a password link, and a password link does not carry an address.
CREATE TABLE email_changes (
    -- SHA-256 of the mailed token, hex.
    hash TEXT NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    new_email TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
-- Spending a contact's earlier pending changes.
CREATE INDEX email_changes_contact_idx ON email_changes (tenant_id, contact_id);
