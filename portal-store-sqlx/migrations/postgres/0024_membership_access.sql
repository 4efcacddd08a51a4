-- Issue 14: a customer's manager switches a colleague's access to one
-- account on or off; access is per membership, so their other accounts
-- keep theirs. A session whose active membership is off is refused.
ALTER TABLE memberships ADD COLUMN portal_access BOOLEAN NOT NULL DEFAULT TRUE;
-- account_contacts(): an account's contacts; the last-manager check.
CREATE INDEX memberships_tenant_account_idx ON memberships (tenant_id, account_id);
