-- Host events delivered in order per account, a delivery log, replays
-- (issue 14, webhooks). The SQLite migration of the same number makes the
-- same change.
--
-- 1. `event_id`: the event a row delivers, the same for every delivery of
--    it (the original row's id; a replay's row carries its original's), so
--    receivers dedupe by it. NULL for mail.
-- 2. `event_stream`: what the event is delivered in order within, its
--    account (for an event about a contact alone, the contact). The claim
--    hands out only the oldest undelivered event of a stream. NULL for mail.
ALTER TABLE outbox ADD COLUMN event_id UUID, ADD COLUMN event_stream UUID;

UPDATE outbox SET
    event_id = id,
    event_stream = COALESCE(payload->>'account', payload->>'contact')::uuid
WHERE payload->>'type' = 'event';

-- claim_outbox: "is there an earlier undelivered event in this stream?",
-- one probe per candidate row. Partial like outbox_pending_due_idx.
CREATE INDEX outbox_stream_pending_idx ON outbox (event_stream, id)
    WHERE delivered_at IS NULL AND NOT gave_up;

-- replay_event: the event's rows.
CREATE INDEX outbox_event_idx ON outbox (event_id) WHERE event_id IS NOT NULL;

-- Every attempt at delivering a host event (OutboxStore::record_deliveries).
CREATE TABLE event_deliveries (
    -- Time-ordered; breaks ties between attempts of the same microsecond.
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    event_id UUID NOT NULL,
    -- The event's type, `payment_succeeded`, ...
    kind TEXT NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    duration_ms BIGINT NOT NULL,
    -- The receiver's HTTP status, when it answered.
    status BIGINT,
    -- NULL when the attempt delivered the event.
    error TEXT
);

-- event_deliveries: a tenant's log, newest first; one event's attempts.
CREATE INDEX event_deliveries_tenant_idx
    ON event_deliveries (tenant_id, attempted_at DESC, id DESC);
CREATE INDEX event_deliveries_event_idx
    ON event_deliveries (tenant_id, event_id, attempted_at DESC, id DESC);
-- purge_event_deliveries: the oldest attempts, whatever the tenant.
CREATE INDEX event_deliveries_attempted_idx ON event_deliveries (attempted_at);
