-- Files a customer attached to a service request (issue 12: "with
-- attachments where allowed"): {"id", "key", "name", "kind", "size"}
-- objects as a JSON array, in the order sent. A request's files are
-- written with it and never change, so they are read with the request
-- (a download looks its file up in its own request) rather than kept in
-- a table of their own as a ticket's growing thread is.
ALTER TABLE service_requests ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
