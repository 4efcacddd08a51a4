-- A contact's numbers besides the log-in phone (issue 14: "phone
-- numbers"): at most three {"kind", "number"} objects as a JSON array.
-- Not log-in names, so neither unique nor indexed; read with the contact.
ALTER TABLE contacts ADD COLUMN other_phones TEXT NOT NULL DEFAULT '[]';
