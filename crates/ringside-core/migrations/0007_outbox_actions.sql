-- Outcome actions (issue 17): what a call's disposition also does in Salesforce (update the
-- Lead or Opportunity, create a follow-up), planned when the call is logged and sent beside
-- the log in one request, in their own graph so a refused action never blocks the log.
-- `actions` holds the planned actions as JSON, each with its state (queued, skipped,
-- applied, moved); NULL: the call has none. When Salesforce takes the log but refuses or
-- fails the actions, they move to their own item, whose call_id is `<call id>#actions` (`#`
-- never occurs in a call id) and whose `actions_of` names the log's item: it is retried or
-- dead-lettered and replayed alone, never resending the log.
ALTER TABLE outbox ADD COLUMN actions TEXT;
ALTER TABLE outbox ADD COLUMN actions_of INTEGER;
