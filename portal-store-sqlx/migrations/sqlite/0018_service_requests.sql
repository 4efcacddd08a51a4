-- Service requests: one table for every kind a customer can ask
-- ("request service", "call off rent", the host's declared kinds), and
-- the kinds each tenant declared. Call-offs move in from
-- `rental_call_offs`, which goes.

CREATE TABLE request_kinds (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    -- The declaration (`RequestKind`) as JSON.
    spec TEXT NOT NULL,
    active INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
) STRICT;

CREATE TABLE service_requests (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    -- `service`, `call_off` or a declared kind's key.
    kind TEXT NOT NULL,
    -- The record the request is about, when it is about one (a call-off's
    -- contract): what the contract's page and the call-off check read.
    subject_id BLOB,
    -- What was asked (`RequestDetails`) as JSON.
    details TEXT NOT NULL,
    status TEXT NOT NULL,
    host_note TEXT NOT NULL,
    requested_by BLOB NOT NULL REFERENCES contacts (id),
    requested_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT service_requests_status_check CHECK (status IN
        ('pending', 'scheduled', 'in_progress', 'completed', 'declined', 'canceled'))
) STRICT;
-- The account's requests, newest first (the list, every filter).
CREATE INDEX service_requests_account_idx
    ON service_requests (tenant_id, account_id, requested_at, id);
-- A contract's call-offs (its page, and what its open ones hold).
CREATE INDEX service_requests_subject_idx
    ON service_requests (subject_id, requested_at, id) WHERE subject_id IS NOT NULL;

INSERT INTO service_requests (id, tenant_id, account_id, kind, subject_id, details, status,
    host_note, requested_by, requested_at, updated_at)
SELECT o.id, o.tenant_id, o.account_id, 'call_off', o.contract_id,
    json_object(
        'kind', 'call_off',
        'contract', json_object('id', lower(hex(o.contract_id)), 'label', c.number),
        'items', json(COALESCE((
            SELECT json_group_array(json_object(
                'code', i.code, 'name', i.name, 'quantity', i.quantity))
            FROM (SELECT * FROM rental_call_off_items
                  WHERE call_off_id = o.id ORDER BY position) i), '[]')),
        'pickup_on', o.pickup_on,
        'notes', o.notes),
    CASE o.status WHEN 'collected' THEN 'completed' WHEN 'cancelled' THEN 'canceled'
        ELSE o.status END,
    '', o.requested_by, o.requested_at, o.updated_at
FROM rental_call_offs o JOIN rental_contracts c ON c.id = o.contract_id;

DROP TABLE rental_call_off_items;
DROP TABLE rental_call_offs;
