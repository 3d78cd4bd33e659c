-- The durable call-log queue: one row per call (call_id is unique, so a later update of the
-- same call rewrites its row instead of queueing a second write).
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    call_id          TEXT    NOT NULL UNIQUE,
    payload          TEXT    NOT NULL,                -- the CallLog as JSON
    revision         INTEGER NOT NULL DEFAULT 1,      -- bumped on every payload change
    state            TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,      -- attempts spent (holds and outages spend none)
    run_at           INTEGER NOT NULL,                -- epoch ms: not before this
    lease_expires_at INTEGER,                         -- epoch ms, while in_flight
    check_first      INTEGER NOT NULL DEFAULT 0,      -- 1: a send may have landed; look before writing
    task_id          TEXT,                            -- Salesforce ids, once known
    log_id           TEXT,
    last_error_code  TEXT,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);

CREATE INDEX outbox_due ON outbox (state, run_at);
