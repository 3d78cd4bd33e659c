-- Which org a call log was queued for: the alias of a signed-in org, `*demo` for the built-in
-- demo org (`*` is never in an alias), or NULL for logs queued before this column existed.
-- A worker only sends the logs of the org it is connected to, so a signed-out org's logs
-- wait for its sign-in instead of landing in another org.
ALTER TABLE outbox ADD COLUMN org TEXT;
