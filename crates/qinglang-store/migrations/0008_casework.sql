-- CMP-1, CMP-2, the review queue, and console sign-in (issue 4).

-- A report is one target under complaint; every complaint about the same target while the
-- report is open is a filing merged into it (CMP-1: deduplicated).
CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT    NOT NULL,   -- content | user | account | group
    target_id   INTEGER NOT NULL,
    category    TEXT    NOT NULL,
    status      TEXT    NOT NULL,   -- open | upheld | rejected
    lane        TEXT    NOT NULL,   -- normal | low (screened: low-reputation reporters only)
    deadline_at INTEGER NOT NULL,
    assignee    TEXT,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT,
    action      TEXT,               -- what was done when upheld
    feedback    TEXT                -- what the reporters are told
);
CREATE INDEX reports_target ON reports (target_kind, target_id, status);
CREATE INDEX reports_created ON reports (created_at);

CREATE TABLE report_filings (
    id       INTEGER PRIMARY KEY,
    report   INTEGER NOT NULL REFERENCES reports (id),
    reporter INTEGER,               -- the platform user who reported; NULL: anonymous
    category TEXT    NOT NULL,
    note     TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX report_filings_report ON report_filings (report);
CREATE INDEX report_filings_reporter ON report_filings (reporter);

-- The review queue: one open item per target, fed by `review` verdicts (held content) and
-- by reports. An item is claimed by one moderator at a time (the claim lapses).
CREATE TABLE queue (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT    NOT NULL,
    target_id   INTEGER NOT NULL,
    held        INTEGER NOT NULL,   -- 1: the content is held by a verdict
    severity    INTEGER NOT NULL,
    reach       INTEGER NOT NULL DEFAULT 1,  -- members or followers who would see it
    lane        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    claimed_by  TEXT,
    claimed_at  INTEGER,
    decision    TEXT,               -- NULL while open: approve | remove | remove_and_sanction
    decided_by  TEXT,
    decided_at  INTEGER,
    note        TEXT
);
CREATE INDEX queue_open ON queue (target_kind, target_id) WHERE decision IS NULL;
CREATE INDEX queue_decided ON queue (decided_at);

-- Content held before this migration enters the queue.
INSERT INTO queue (target_kind, target_id, held, severity, lane, created_at, deadline_at)
SELECT 'content', id, 1, score, 'normal', at, at + 86400000 FROM content WHERE decision = 'held';

-- CMP-2: who imposed a sanction (an appeal is decided by someone else), the content it was
-- imposed for, and its revocation when an appeal is upheld.
ALTER TABLE sanctions ADD COLUMN imposed_by TEXT NOT NULL DEFAULT 'system';
ALTER TABLE sanctions ADD COLUMN content INTEGER;
ALTER TABLE sanctions ADD COLUMN revoked_at INTEGER;
-- A strike voided by an upheld appeal no longer counts towards the ladder.
ALTER TABLE strikes ADD COLUMN voided INTEGER NOT NULL DEFAULT 0;

CREATE TABLE appeals (
    id         INTEGER PRIMARY KEY,
    sanction   INTEGER NOT NULL UNIQUE REFERENCES sanctions (id),
    appellant  INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    filed_at   INTEGER NOT NULL,
    status     TEXT    NOT NULL,    -- pending | upheld | rejected
    decided_by TEXT,
    decided_at INTEGER,
    note       TEXT
);
CREATE INDEX appeals_status ON appeals (status, filed_at);

-- Console sign-in (OPS-1). An operator who signs in with a password is a principal like a
-- token holder (one id space, one audit label, revoked the same way); its `token_hash` is
-- `password:<name>`, which no SHA-256 hex can equal, and its password an argon2id PHC string.
ALTER TABLE principals ADD COLUMN password_hash TEXT;

CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY,  -- SHA-256 of the cookie value
    principal  INTEGER NOT NULL REFERENCES principals (id),
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
