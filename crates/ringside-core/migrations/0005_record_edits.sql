-- The durable queue of record edits made while Salesforce was unreachable (issue 6): one row
-- per edit or intent press, committed before the agent's action returns, sent by the app (or
-- `ringside contact edit`) when the org answers again. Lives in the outbox's database file.
CREATE TABLE record_edits (
    id                INTEGER PRIMARY KEY,
    org               TEXT    NOT NULL,                -- the org tag (alias, or `*demo`)
    object            TEXT    NOT NULL,
    record_id         TEXT    NOT NULL,
    changes           TEXT    NOT NULL,                -- JSON [[field, value], ...] as typed
    intent            TEXT,                            -- an intent press instead of changes
    intent_input      TEXT,
    expected_modified TEXT,                            -- LastModifiedDate the agent saw
    state             TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'applied', 'conflict', 'failed', 'resolved')),
    attempts          INTEGER NOT NULL DEFAULT 0,      -- outages spend none
    run_at            INTEGER NOT NULL,                -- epoch ms: not before this
    error_code        TEXT,
    error             TEXT,                            -- the reason in words (failed)
    conflict          TEXT,                            -- JSON {current, fields} (conflict)
    last_modified     TEXT,                            -- LastModifiedDate after it applied
    created_at        INTEGER NOT NULL,                -- epoch ms: when the agent made it
    updated_at        INTEGER NOT NULL
);

CREATE INDEX record_edits_due ON record_edits (org, state, run_at);
CREATE INDEX record_edits_record ON record_edits (record_id, state);
