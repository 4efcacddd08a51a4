-- The outbox worker deletes finished rows after its retention
-- (OutboxWorker::purge_finished). Each kind of finished row gets a partial
-- index on the time it finished, so the purge reads only what it deletes
-- however many pending rows there are. The PostgreSQL migration of the same
-- number makes the same change.

-- Delivered rows, by when they were delivered.
CREATE INDEX IF NOT EXISTS outbox_delivered_idx ON outbox (delivered_at)
    WHERE delivered_at IS NOT NULL;

-- Given-up rows, by when they were given up on (giving up sets due_at).
CREATE INDEX IF NOT EXISTS outbox_gave_up_idx ON outbox (due_at)
    WHERE gave_up;
