-- Every state change of a queued call log, append-only: the triggers refuse UPDATE and
-- DELETE, so not even Ringside itself can rewrite history. No secrets are ever written here.
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,          -- epoch ms
    actor      TEXT    NOT NULL,          -- who caused it: agent, worker, admin
    call_id    TEXT    NOT NULL,
    event      TEXT    NOT NULL,          -- queued, updated, sent, retry, held, dead, replayed, requeued, checked
    error_code TEXT,
    detail     TEXT
);

CREATE TRIGGER audit_refuses_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_refuses_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
