-- Rentals, PostgreSQL flavour: rental contracts and their item lines,
-- reservations, and call-offs. The SQLite migration of the same
-- number creates the same tables and indexes.
--
-- Quantities are whole numbers; a line's rate is whole minor units in the
-- contract's currency (NULL when the host gives none). A contract keeps
-- `items_out` (every line's out less returned), written with its lines,
-- so the list needs no aggregate. A call-off never asks for more than a
-- line's out less returned less what the contract's pending and
-- scheduled call-offs hold; the store checks it in the transaction that
-- writes the call-off, under the account's lock.

CREATE TABLE rental_contracts (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    -- The host's id; upserts are keyed by it.
    external_id TEXT NOT NULL,
    number TEXT COLLATE "C" NOT NULL,
    status TEXT NOT NULL,
    started_on DATE NOT NULL,
    site TEXT,
    items_out BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT rental_contracts_tenant_external_id_key UNIQUE (tenant_id, external_id),
    CONSTRAINT rental_contracts_status_check CHECK (status IN ('open', 'closed'))
);
-- The contract list (open before closed, newest start first, either
-- status filter) and the items-out page (open contracts): led by tenant
-- and account, so both read only the account's rows, in order.
CREATE INDEX rental_contracts_account_idx
    ON rental_contracts (tenant_id, account_id, status, started_on, id);

CREATE TABLE rental_contract_lines (
    contract_id UUID NOT NULL REFERENCES rental_contracts (id) ON DELETE CASCADE,
    -- The host's order, from 0.
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity_out BIGINT NOT NULL,
    quantity_returned BIGINT NOT NULL,
    out_since DATE NOT NULL,
    rate_minor BIGINT,
    currency TEXT,
    PRIMARY KEY (contract_id, position),
    CONSTRAINT rental_contract_lines_code_key UNIQUE (contract_id, code),
    CONSTRAINT rental_contract_lines_returned_check
        CHECK (quantity_returned >= 0 AND quantity_returned <= quantity_out)
);

CREATE TABLE rental_reservations (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    external_id TEXT NOT NULL,
    number TEXT COLLATE "C" NOT NULL,
    status TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    -- The items booked, a JSON list of {code, name, quantity}: only ever
    -- shown with their reservation.
    items TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT rental_reservations_tenant_external_id_key UNIQUE (tenant_id, external_id),
    CONSTRAINT rental_reservations_status_check
        CHECK (status IN ('pending', 'confirmed', 'fulfilled', 'cancelled'))
);
-- The reservation list, latest start first.
CREATE INDEX rental_reservations_account_idx
    ON rental_reservations (tenant_id, account_id, starts_on, id);

CREATE TABLE rental_call_offs (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    contract_id UUID NOT NULL REFERENCES rental_contracts (id),
    pickup_on DATE NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by UUID NOT NULL REFERENCES contacts (id),
    requested_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT rental_call_offs_status_check
        CHECK (status IN ('pending', 'scheduled', 'collected', 'cancelled'))
);
-- A contract's call-offs, newest first (its page), and what its open
-- ones hold (the call-off check).
CREATE INDEX rental_call_offs_contract_idx
    ON rental_call_offs (contract_id, requested_at, id);

CREATE TABLE rental_call_off_items (
    call_off_id UUID NOT NULL REFERENCES rental_call_offs (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (call_off_id, position),
    CONSTRAINT rental_call_off_items_quantity_check CHECK (quantity >= 1)
);
