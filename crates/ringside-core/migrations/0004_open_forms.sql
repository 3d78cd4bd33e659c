-- Log forms the agent has not logged yet (an ended call's form, with what was typed), so a
-- crash or kill of the app never loses one. A form's row is deleted in the same transaction
-- that queues its call, so after any crash there is either the open form or the queued log,
-- never both and never neither.
CREATE TABLE open_forms (
    call_id     TEXT    PRIMARY KEY,
    draft       TEXT    NOT NULL,   -- the CallDraft as JSON (prefill, the agent's inputs, pressed intents)
    auto_log_at INTEGER,            -- epoch ms when the idle rule logs it; NULL: opened by hand
    org         TEXT,               -- the org tag in use when the form opened
    updated_at  INTEGER NOT NULL    -- epoch ms of the last save
);
