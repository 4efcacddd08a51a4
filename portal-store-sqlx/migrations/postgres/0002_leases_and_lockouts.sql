-- Security review, PostgreSQL flavour. The SQLite migration of the same
-- number makes the same changes.
--
-- 1. Outbox claims carry an id (`lease_id`): completing or failing a row
--    needs the claim's id, so a worker whose lease ran out cannot touch a
--    row another worker has claimed since.
-- 2. Lockout state moves out of `credentials` into `lockouts`: failed
--    guesses count for a contact who has no password yet, and setting a
--    first password keeps them.

ALTER TABLE outbox ADD COLUMN lease_id UUID;

CREATE TABLE lockouts (
    contact_id UUID NOT NULL PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- Consecutive failures since the last log-in or lock.
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    -- Log-in is refused until then.
    locked_until TIMESTAMPTZ
);

INSERT INTO lockouts (contact_id, tenant_id, failed_attempts, locked_until)
SELECT contact_id, tenant_id, failed_attempts, locked_until
FROM credentials
WHERE failed_attempts > 0 OR locked_until IS NOT NULL;

ALTER TABLE credentials DROP COLUMN failed_attempts;
ALTER TABLE credentials DROP COLUMN locked_until;

-- one_time_tokens_contact_purpose_idx (tenant_id, contact_id, purpose)
-- also serves what now works on all of a contact's tokens whatever their
-- purpose (spending them, deleting old ones): its first two columns.
