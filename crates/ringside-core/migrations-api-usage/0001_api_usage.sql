-- Ringside's API usage per org (the alias of a signed-in org, or `*demo`), kept apart from
-- the call-log queue so counting never waits on a queue write.

-- The latest `Sforce-Limit-Info: api-usage=N/M` seen for the org, and when (epoch ms).
CREATE TABLE org_limit (
    org        TEXT    PRIMARY KEY,
    used       INTEGER NOT NULL,
    max        INTEGER NOT NULL,
    seen_at_ms INTEGER NOT NULL
);

-- Requests Ringside sent to the org, per local day (YYYY-MM-DD) and kind of work. Writers
-- only ever add (`requests = requests + ?`), so processes writing at once lose nothing.
CREATE TABLE request_count (
    org      TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (org, day, kind)
);
