-- The tenant's locale (a BCP 47 tag) decides how pages, PDFs and mails
-- write money and dates. It lives in the settings document beside the
-- currency and time zone it goes with (settings are one document, read
-- whole); this gives every stored tenant one, `en-US` where a document
-- has none or a blank one, so no tenant reads as "no locale". The host
-- sets it through `host().update_tenant`, which checks the tag. The
-- SQLite migration of the same number makes the same change.
UPDATE tenants
SET settings = jsonb_set(settings, '{locale}', '"en-US"')
WHERE coalesce(btrim(settings ->> 'locale'), '') = '';
