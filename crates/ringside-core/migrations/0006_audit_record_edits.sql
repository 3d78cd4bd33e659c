-- Record edits (issue 17) are audited in the same append-only table as the call-log queue.
-- Their rows leave call_id empty and name what was touched instead: the Salesforce record,
-- the queued edit (when it went through the queue) and the field API names. Field values are
-- never written here: they may be personal data, and Salesforce's own field history keeps them.
-- ADD COLUMN rewrites no row, so the triggers refusing UPDATE and DELETE stay satisfied.
ALTER TABLE audit ADD COLUMN record_id TEXT;
ALTER TABLE audit ADD COLUMN edit_id INTEGER;
ALTER TABLE audit ADD COLUMN fields TEXT;          -- comma-separated field API names
