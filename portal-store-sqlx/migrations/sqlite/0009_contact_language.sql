-- The language a contact chose for pages and mails (`en`, `es`), NULL until
-- they choose: their browser's languages, then the tenant's default, apply.
-- The column is read with the contact (and with the session), never
-- searched, so it has no index. The PostgreSQL migration of the same number
-- makes the same change.
ALTER TABLE contacts ADD COLUMN language TEXT
    CONSTRAINT contacts_language_check CHECK (language IN ('en', 'es'));
