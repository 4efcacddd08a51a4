-- Service contracts and assets, PostgreSQL flavour. The SQLite migration
-- of the same number creates the same tables and indexes.
--
-- A contract is recurring (a schedule in the host's words, the next
-- visit, a price per period in whole minor units) or a block of time
-- (hours bought and used, in hundredths of an hour; remaining hours are
-- derived in core, never stored). The checks repeat core's rules so a
-- row can only hold one kind's fields, and used hours pass the hours
-- bought only where the host allowed overage.

CREATE TABLE service_contracts (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    -- The host's id; upserts are keyed by it.
    external_id TEXT NOT NULL,
    number TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    kind TEXT NOT NULL,
    -- A recurring contract's terms.
    schedule TEXT,
    next_visit_on DATE,
    price_minor BIGINT,
    currency TEXT,
    -- A block's terms.
    hours_bought_hundredths BIGINT,
    hours_used_hundredths BIGINT,
    overage_allowed BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT service_contracts_tenant_external_id_key UNIQUE (tenant_id, external_id),
    CONSTRAINT service_contracts_status_check
        CHECK (status IN ('active', 'paused', 'ended', 'cancelled')),
    CONSTRAINT service_contracts_terms_check CHECK (
        (kind = 'recurring' AND schedule IS NOT NULL AND hours_bought_hundredths IS NULL
            AND (price_minor IS NULL) = (currency IS NULL))
        OR (kind = 'time_block' AND schedule IS NULL AND price_minor IS NULL
            AND hours_bought_hundredths > 0 AND hours_used_hundredths >= 0
            AND (overage_allowed OR hours_used_hundredths <= hours_bought_hundredths)))
);
-- The contract list (latest start first, any status filter): led by
-- tenant and account, so a list reads only the account's rows, in order.
CREATE INDEX service_contracts_account_start_idx
    ON service_contracts (tenant_id, account_id, starts_on, id);

CREATE TABLE assets (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    property_id UUID NOT NULL REFERENCES properties (id),
    -- The host's id; upserts are keyed by it, and jobs name it.
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    make TEXT NOT NULL,
    model TEXT NOT NULL,
    serial_number TEXT COLLATE "C" NOT NULL,
    location TEXT NOT NULL,
    installed_on DATE,
    next_maintenance_on DATE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT assets_tenant_external_id_key UNIQUE (tenant_id, external_id)
);
-- The asset list, all of the account's or one property's, by property
-- then name: led by tenant and account, so either reads only its rows,
-- in order.
CREATE INDEX assets_account_property_idx ON assets (tenant_id, account_id, property_id, name, id);

-- Which jobs touched which assets, by the asset's external id (a job may
-- name an asset the host sends later). It linked the placeholder work
-- orders of migration 0001; migration 0017 re-creates it over jobs. The
-- history reads it by tenant and asset external id.
CREATE TABLE job_assets (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    job_id UUID NOT NULL REFERENCES work_orders (id) ON DELETE CASCADE,
    asset_external_id TEXT NOT NULL,
    PRIMARY KEY (job_id, asset_external_id)
);
-- An asset's service history.
CREATE INDEX job_assets_tenant_asset_idx ON job_assets (tenant_id, asset_external_id, job_id);
