-- Notifications: what was told once (by key), each contact's feed, and
-- what each contact switched off.

-- One row per notice told: a second `notify` with the same key finds it
-- and writes nothing.
CREATE TABLE notices (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    key TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

CREATE TABLE notifications (
    id UUID NOT NULL PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    account_id UUID NOT NULL REFERENCES accounts (id),
    contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    -- portal_core::notifications::NotificationKind::as_str
    kind TEXT NOT NULL,
    -- The notice as JSON (portal_core::notifications::Notice).
    notice TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);
-- A contact's feed for one account, newest first.
CREATE INDEX notifications_feed_idx
    ON notifications (contact_id, account_id, created_at DESC, id DESC);
-- Its unread entries (the count beside the feed, marking read).
CREATE INDEX notifications_unread_idx
    ON notifications (contact_id, account_id) WHERE read_at IS NULL;

CREATE TABLE notification_opt_outs (
    contact_id UUID NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    PRIMARY KEY (contact_id, kind, channel),
    CONSTRAINT notification_opt_outs_channel_check CHECK (channel IN ('feed', 'email'))
);

-- An account's contacts (who is told about it).
CREATE INDEX memberships_account_idx ON memberships (account_id);
