-- Lockout per client and the link-mail throttle, SQLite flavour. The
-- PostgreSQL migration of the same number makes the same changes.
--
-- 1. Failed log-ins count per client ("scope"): `device:<id>` for a browser
--    the contact's device cookie recognises, `address:<ip>` for any other
--    client, and `untrusted`, shared by all unrecognised clients of the
--    contact. `lockouts` (one row per contact) becomes `login_lockouts`
--    (one row per contact and scope). Locks still running move to the
--    `untrusted` scope (no device cookies exist yet); counts below the
--    limit are forgotten.
-- 2. The link-mail throttle counts a contact's recent one-time tokens:
--    an index on their creation time.

CREATE TABLE login_lockouts (
    contact_id BLOB NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    scope TEXT NOT NULL,
    -- Failures since the scope's last lock, each within the policy's
    -- minutes of the one before.
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    -- unix microseconds.
    last_failed_at INTEGER NOT NULL,
    -- unix microseconds; attempts from the scope are refused until then.
    locked_until INTEGER,
    PRIMARY KEY (contact_id, scope)
) STRICT;

INSERT INTO login_lockouts
    (contact_id, tenant_id, scope, failed_attempts, last_failed_at, locked_until)
SELECT contact_id, tenant_id, 'untrusted', 0, locked_until, locked_until
FROM lockouts
WHERE locked_until IS NOT NULL;

DROP TABLE lockouts;

CREATE INDEX one_time_tokens_contact_created_idx
    ON one_time_tokens (tenant_id, contact_id, created_at);
