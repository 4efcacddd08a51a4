-- The communications log, recorded by the host's id (recording it again
-- updates the entry), with which way it went and who at the business.
-- Entries written before have no host id.
ALTER TABLE communications ADD COLUMN external_id TEXT;
ALTER TABLE communications ADD COLUMN direction TEXT;
ALTER TABLE communications ADD COLUMN staff_name TEXT;
-- Several NULLs are allowed: only entries with a host id are unique.
CREATE UNIQUE INDEX communications_external_key ON communications (tenant_id, external_id);
