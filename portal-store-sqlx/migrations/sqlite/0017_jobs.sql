-- Jobs (work orders, visits), SQLite flavour. The PostgreSQL migration of
-- the same number creates the same tables and indexes with native types.
--
-- Replaces the placeholder `work_orders` of migration 0001 (only tests and
-- the dashboard used it; nothing is deployed) and re-creates `job_assets`
-- of migration 0014 over `jobs`.
--
-- The host pushes jobs in by its own ids; each status change is a row of
-- `job_events` (the timeline), the notes it shares are `job_notes`, and
-- the invoices a job was billed on and the equipment it touched are
-- linked by the host's ids of those records (`job_invoices`,
-- `job_assets`): the host may send a job before its invoice or asset, so
-- the link is resolved when read (joined on the tenant's unique external
-- id, and only to the job's account's record), and it shows once the
-- record arrives. The upsert refuses a link to a record it already knows
-- to be another account's.

DROP TABLE job_assets;
DROP TABLE work_orders;

CREATE TABLE jobs (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    -- The host's id; upserts are keyed by it.
    external_id TEXT NOT NULL,
    number TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    -- One of the account's properties, when the host names one.
    property_id BLOB REFERENCES properties (id),
    window_start INTEGER,
    window_end INTEGER,
    -- The technicians' names as a JSON list of strings, in the host's
    -- order. A list, not a child table: they are always read and written
    -- whole with their job, shown on lists and pages, never searched or
    -- joined, and bounded in core (20 names); as a column a list page stays
    -- one row per job and an upsert one statement.
    technicians TEXT NOT NULL,
    -- SHA-256 of what the host sent (`JobUpsert::digest`): the same upsert
    -- again is recognised and writes nothing.
    content_sha256 TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- When it was completed, only while it is.
    completed_at INTEGER,
    CONSTRAINT jobs_tenant_external_id_key UNIQUE (tenant_id, external_id),
    CONSTRAINT jobs_status_check
        CHECK (status IN ('unscheduled', 'scheduled', 'in_progress', 'completed', 'cancelled')),
    CONSTRAINT jobs_window_check CHECK (
        (window_start IS NULL) = (window_end IS NULL)
        AND (window_start IS NULL OR window_start < window_end)
        AND (status <> 'scheduled' OR window_start IS NOT NULL)),
    CONSTRAINT jobs_completed_check CHECK ((status = 'completed') = (completed_at IS NOT NULL))
) STRICT;
-- The customer's lists, one status each (upcoming: scheduled with the
-- window not over, soonest first; waiting: unscheduled; in progress;
-- cancelled) and the dashboard's open jobs (three statuses, soonest window
-- first): each a range of this index led by tenant and account.
CREATE INDEX jobs_account_status_window_idx
    ON jobs (tenant_id, account_id, status, window_start, id);
-- The completed list, latest completed first.
CREATE INDEX jobs_account_completed_idx
    ON jobs (tenant_id, account_id, completed_at, id) WHERE status = 'completed';
-- Every job of the account, newest first (ids are time-ordered).
CREATE INDEX jobs_account_idx ON jobs (tenant_id, account_id, id);

-- A job's status timeline: one row per status change, numbered from 1 in
-- the order they happened (the number, not the time, orders them).
CREATE TABLE job_events (
    job_id BLOB NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq),
    CONSTRAINT job_events_status_check
        CHECK (status IN ('unscheduled', 'scheduled', 'in_progress', 'completed', 'cancelled'))
) STRICT;

-- The notes the host shares about a job, keyed by the host's id of the
-- note within the job, oldest first.
CREATE TABLE job_notes (
    job_id BLOB NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (job_id, external_id)
) STRICT;
CREATE INDEX job_notes_job_created_idx ON job_notes (job_id, created_at);

-- The invoices a job was billed on, by the invoice's external id.
CREATE TABLE job_invoices (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    job_id BLOB NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    invoice_external_id TEXT NOT NULL,
    PRIMARY KEY (job_id, invoice_external_id)
) STRICT;

-- Which jobs touched which assets, by the asset's external id; the
-- asset's service history reads it by tenant and asset external id.
CREATE TABLE job_assets (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    job_id BLOB NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    asset_external_id TEXT NOT NULL,
    PRIMARY KEY (job_id, asset_external_id)
) STRICT;
-- An asset's service history.
CREATE INDEX job_assets_tenant_asset_idx ON job_assets (tenant_id, asset_external_id, job_id);
