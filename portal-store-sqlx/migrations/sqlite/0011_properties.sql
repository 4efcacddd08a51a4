-- Properties (service locations), SQLite flavour. The PostgreSQL
-- migration of the same number creates the same table and index.
--
-- A property belongs to one account for good; upserts are keyed by the
-- host's id and never move one to another account. Jobs (migration 0017)
-- and requests name the property they are about.

CREATE TABLE properties (
    id BLOB NOT NULL PRIMARY KEY,
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    account_id BLOB NOT NULL REFERENCES accounts (id),
    -- The host's id; upserts are keyed by it.
    external_id TEXT NOT NULL,
    name TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    address_city TEXT NOT NULL,
    address_region TEXT NOT NULL,
    address_postal_code TEXT NOT NULL,
    address_country TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT properties_tenant_external_id_key UNIQUE (tenant_id, external_id)
) STRICT;
-- The account's properties by name (the list, the request form's choice).
CREATE INDEX properties_account_name_idx ON properties (tenant_id, account_id, name, id);
