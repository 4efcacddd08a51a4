-- Properties (service locations), PostgreSQL flavour. The SQLite
-- migration of the same number creates the same table and index.
--
-- A property belongs to one account for good; upserts are keyed by the
-- host's id and never move one to another account. Jobs (migration 0017)
-- and requests name the property they are about.

CREATE TABLE properties (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    -- The host's id; upserts are keyed by it.
    external_id TEXT NOT NULL,
    name TEXT COLLATE "C" NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    address_city TEXT NOT NULL,
    address_region TEXT NOT NULL,
    address_postal_code TEXT NOT NULL,
    address_country TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT properties_tenant_external_id_key UNIQUE (tenant_id, external_id)
);
-- The account's properties by name (the list, the request form's choice).
CREATE INDEX properties_account_name_idx ON properties (tenant_id, account_id, name, id);
