//! Connection settings and migrations (numbered by SQLite's `user_version`).

use rusqlite::Connection;

/// Each entry moves the schema from version i to i + 1. Never edit a shipped entry; append.
const MIGRATIONS: &[&str] = &[
    // 1: series and points.
    "CREATE TABLE series (
        id            INTEGER PRIMARY KEY,
        metric        TEXT    NOT NULL,
        tags          TEXT    NOT NULL,   -- sorted, comma-joined (TagSet::canonical)
        type          TEXT    NOT NULL,   -- gauge | count | rate
        interval_secs INTEGER,
        first_seen    INTEGER NOT NULL,   -- seconds, of the earliest point written
        last_seen     INTEGER NOT NULL,   -- seconds, of the latest point written
        UNIQUE (metric, tags)
    );
    CREATE INDEX series_last_seen ON series (last_seen);
    CREATE TABLE points (
        series_id INTEGER NOT NULL REFERENCES series (id),
        ts        INTEGER NOT NULL,       -- seconds
        value     REAL    NOT NULL,
        PRIMARY KEY (series_id, ts)
    ) WITHOUT ROWID;",
    // 2: dashboards (new-style and legacy timeboards alike).
    "CREATE TABLE dashboards (
        id          TEXT    PRIMARY KEY,  -- abc-123-def
        legacy_id   INTEGER NOT NULL UNIQUE, -- the numeric id /api/v1/dash shows
        title       TEXT    NOT NULL,
        description TEXT,
        layout_type TEXT    NOT NULL,     -- ordered | free
        body        TEXT    NOT NULL,     -- the dashboard JSON as stored
        legacy      TEXT,                 -- legacy graphs/template_variables/read_only as JSON
        created_ms  INTEGER NOT NULL,
        modified_ms INTEGER NOT NULL
    );
    CREATE INDEX dashboards_modified ON dashboards (modified_ms);",
    // 3: people and webhooks to notify, the notification outbox, and the in-app inbox.
    "CREATE TABLE users (
        handle     TEXT    PRIMARY KEY,   -- [a-z0-9._-]+, mentioned as @handle
        name       TEXT    NOT NULL,
        email      TEXT    NOT NULL,
        created_ms INTEGER NOT NULL
    );
    CREATE TABLE webhooks (
        name             TEXT    PRIMARY KEY, -- mentioned as @webhook-<name>
        url              TEXT    NOT NULL,    -- http(s)
        slack_compatible INTEGER NOT NULL,    -- 1: post Slack's text body instead of the payload
        created_ms       INTEGER NOT NULL
    );
    CREATE TABLE notifications (
        id              INTEGER PRIMARY KEY,
        dedupe_key      TEXT    NOT NULL UNIQUE, -- enqueueing the same key again is a no-op
        channel         TEXT    NOT NULL CHECK (channel IN ('email', 'webhook', 'inbox')),
        target          TEXT    NOT NULL,        -- address | webhook name | user handle
        subject         TEXT    NOT NULL,
        body            TEXT    NOT NULL,        -- plain text
        payload         TEXT,                    -- JSON posted to a (non-Slack) webhook
        created_ms      INTEGER NOT NULL,
        next_attempt_ms INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        last_error      TEXT,
        sent_ms         INTEGER
    );
    CREATE INDEX notifications_due ON notifications (state, next_attempt_ms);
    CREATE TABLE inbox (
        id              INTEGER PRIMARY KEY,
        notification_id INTEGER NOT NULL UNIQUE REFERENCES notifications (id),
        handle          TEXT    NOT NULL,
        subject         TEXT    NOT NULL,
        body            TEXT    NOT NULL,
        created_ms      INTEGER NOT NULL,
        read            INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX inbox_handle ON inbox (handle, id);",
    // 4: monitors, the persisted state of each of their groups, and the event stream.
    "CREATE TABLE monitors (
        id          INTEGER PRIMARY KEY,
        body        TEXT    NOT NULL,     -- the definition JSON as stored (type, name, query, message, tags, priority, options)
        silenced    TEXT    NOT NULL DEFAULT '{}', -- options.silenced: {scope: end_secs | null}
        created_ms  INTEGER NOT NULL,
        modified_ms INTEGER NOT NULL
    );
    CREATE TABLE monitor_groups (
        monitor_id         INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
        group_key          TEXT    NOT NULL,  -- '*' or the sorted, comma-joined `by` tags
        state              TEXT    NOT NULL,  -- OK | Warn | Alert | No Data
        since_ms           INTEGER NOT NULL,
        last_notified_ms   INTEGER,
        last_triggered_ms  INTEGER,
        first_triggered_ms INTEGER,
        last_resolved_ms   INTEGER,
        last_nodata_ms     INTEGER,
        last_value         REAL,
        last_data_ms       INTEGER,           -- the newest point seen in a window
        PRIMARY KEY (monitor_id, group_key)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        dedupe_key  TEXT    NOT NULL UNIQUE,  -- monitor, group, time, kind: a redone cycle adds nothing
        ts_ms       INTEGER NOT NULL,
        monitor_id  INTEGER,                  -- no foreign key: events outlive their monitor
        group_key   TEXT,
        transition  TEXT,                     -- trigger | recovery | alert_to_warning | no_data | renotify
        from_state  TEXT,
        to_state    TEXT,
        value       REAL,
        alert_type  TEXT    NOT NULL,         -- error | warning | success | info
        title       TEXT    NOT NULL,
        text        TEXT    NOT NULL,         -- plain text
        tags        TEXT    NOT NULL          -- JSON array of strings
    );
    CREATE INDEX events_ts ON events (ts_ms);
    CREATE INDEX events_monitor ON events (monitor_id, ts_ms);",
    // 5: when the evaluator first saw each group (options.new_group_delay counts from there), and
    // whether the group is still waiting out that delay (not evaluated yet).
    "ALTER TABLE monitor_groups ADD COLUMN first_seen_ms INTEGER; -- NULL: seen before version 5
    ALTER TABLE monitor_groups ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;",
    // 6: why a monitor's last evaluation could not run its query (over its budget), and since when.
    "ALTER TABLE monitors ADD COLUMN eval_error TEXT;
    ALTER TABLE monitors ADD COLUMN eval_error_ms INTEGER;",
    // 7: accounts. Users sign in with a role and a password (Argon2id, PHC string; NULL: cannot sign
    // in yet); sessions and keys are stored by the SHA-256 of their secret, never the secret.
    "ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'standard'
        CHECK (role IN ('admin', 'standard', 'read_only'));
    ALTER TABLE users ADD COLUMN password_hash TEXT;
    CREATE TABLE sessions (
        token_hash   TEXT    PRIMARY KEY,  -- hex SHA-256 of the cookie's token
        handle       TEXT    NOT NULL,
        created_ms   INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL
    );
    CREATE INDEX sessions_handle ON sessions (handle);
    CREATE TABLE keys (
        id           TEXT    PRIMARY KEY,
        kind         TEXT    NOT NULL CHECK (kind IN ('api_keys', 'application_keys')),
        name         TEXT    NOT NULL,
        key_hash     TEXT    NOT NULL UNIQUE, -- hex SHA-256 of the key
        last4        TEXT    NOT NULL,
        created_by   TEXT    NOT NULL,        -- handle; an application key acts as this user
        created_ms   INTEGER NOT NULL,
        modified_ms  INTEGER NOT NULL,
        last_used_ms INTEGER
    );",
    // 8: who made each dashboard and monitor (a handle; NULL: made before accounts existed).
    "ALTER TABLE dashboards ADD COLUMN author TEXT;
    ALTER TABLE monitors ADD COLUMN creator TEXT;",
    // 9: downtimes, what the evaluator has told of them, and recoveries a downtime's end muted.
    "CREATE TABLE downtimes (
        id                INTEGER PRIMARY KEY,
        body              TEXT    NOT NULL,  -- core::downtime::Spec as JSON
        creator           TEXT,              -- handle
        created_ms        INTEGER NOT NULL,
        modified_ms       INTEGER NOT NULL,
        canceled_ms       INTEGER,
        notified_start_ms INTEGER,           -- start of the last window whose start was told
        open              INTEGER NOT NULL DEFAULT 0 -- 1: told started, not yet told ended
    );
    CREATE TABLE muted_recoveries (
        monitor_id  INTEGER NOT NULL,
        group_key   TEXT    NOT NULL,
        downtime_id INTEGER NOT NULL,
        PRIMARY KEY (monitor_id, group_key)
    ) WITHOUT ROWID;",
    // 10: events posted through the API (`POST /api/v1/events`): what they say besides a
    // monitor event's members (priority, host, source, related event …) as JSON.
    "ALTER TABLE events ADD COLUMN posted TEXT;",
    // 11: snapshots (a graph frozen with its answers and its picture), the event that shares each
    // one and its comments (events with `snapshot_id`), and the picture a notification carries.
    "CREATE TABLE snapshots (
        id          TEXT    PRIMARY KEY,  -- 32 hex digits: 128 random bits
        title       TEXT    NOT NULL,
        sender      TEXT    NOT NULL,     -- handle (`dogwatch`: taken with the operator's keys)
        sender_name TEXT    NOT NULL,
        message     TEXT    NOT NULL,
        definition  TEXT    NOT NULL,     -- the timeseries widget definition, as JSON
        from_ms     INTEGER NOT NULL,
        to_ms       INTEGER NOT NULL,
        answers     TEXT    NOT NULL,     -- JSON array: one query answer per request
        png         BLOB    NOT NULL,     -- the picture the server drew
        public      INTEGER NOT NULL,     -- 1: readable by anyone with the link
        created_ms  INTEGER NOT NULL,
        expires_ms  INTEGER,              -- NULL: never
        event_id    INTEGER               -- the event that shares it
    );
    CREATE INDEX snapshots_expires ON snapshots (expires_ms) WHERE expires_ms IS NOT NULL;
    ALTER TABLE events ADD COLUMN snapshot_id TEXT;
    CREATE INDEX events_snapshot ON events (snapshot_id) WHERE snapshot_id IS NOT NULL;
    ALTER TABLE notifications ADD COLUMN snapshot_id TEXT;",
    // 12: APM spans, as the tracers send them (ids are u64 stored as their i64 bit pattern).
    "CREATE TABLE spans (
        trace_id    INTEGER NOT NULL,
        span_id     INTEGER NOT NULL,
        parent_id   INTEGER NOT NULL,     -- 0: the trace's root
        service     TEXT    NOT NULL,
        name        TEXT    NOT NULL,
        resource    TEXT    NOT NULL,
        type        TEXT    NOT NULL,
        start_ns    INTEGER NOT NULL,
        duration_ns INTEGER NOT NULL,
        error       INTEGER NOT NULL,
        meta        TEXT    NOT NULL,     -- JSON object of strings
        metrics     TEXT    NOT NULL,     -- JSON object of numbers
        PRIMARY KEY (trace_id, span_id)
    ) WITHOUT ROWID;
    CREATE INDEX spans_service_start ON spans (service, start_ns);
    CREATE INDEX spans_start ON spans (start_ns);",
    // 13: what the APM views select on: a service's entry spans (the agent's top level, marked at
    // intake) and their env; the latency sketch of each trace-metric series and minute.
    "ALTER TABLE spans ADD COLUMN top_level INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE spans ADD COLUMN env TEXT NOT NULL DEFAULT '';
    UPDATE spans SET top_level = 1
        WHERE parent_id = 0 OR json_extract(metrics, '$.\"_dd.top_level\"') = 1;
    UPDATE spans SET env = coalesce(json_extract(meta, '$.env'), '');
    CREATE INDEX spans_top_start ON spans (start_ns) WHERE top_level = 1;
    CREATE TABLE trace_sketches (
        metric TEXT    NOT NULL,          -- trace.<name>.duration
        tags   TEXT    NOT NULL,          -- canonical, as series.tags
        ts     INTEGER NOT NULL,          -- the minute, Unix seconds
        sketch BLOB    NOT NULL,          -- DDSketch, in its Java-compatible encoding
        PRIMARY KEY (metric, tags, ts)
    ) WITHOUT ROWID;",
];

pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // WAL lets readers run beside the writer; synchronous=FULL makes each commit durable before we
    // acknowledge it (NORMAL would survive a process crash but not a power cut).
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: usize = conn
        .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?
        .try_into()
        .unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "migrated the store");
    }
    Ok(())
}
