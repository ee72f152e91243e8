-- qinglang governance schema, version 1. Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    nickname        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    credit          INTEGER NOT NULL,
    credit_at       INTEGER NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'active',
    -- Identity (ID-1..3): the clear value and name only sealed (AES-256-GCM).
    id_kind         TEXT,
    id_subject      TEXT,
    id_hash         TEXT,
    id_sealed       BLOB,
    id_name_sealed  BLOB,
    id_masked       TEXT,
    id_name_masked  TEXT,
    id_verified_at  INTEGER
);
CREATE INDEX users_id_hash ON users (id_hash);

CREATE TABLE identity_blacklist (
    id_hash TEXT PRIMARY KEY,
    reason  TEXT NOT NULL,
    at      INTEGER NOT NULL
);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    owner         INTEGER NOT NULL REFERENCES users (id),
    name          TEXT    NOT NULL,
    bio           TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    news_licence  INTEGER NOT NULL,
    followers     INTEGER NOT NULL,
    monthly_reads INTEGER NOT NULL,
    closed        INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_open_name ON accounts (name) WHERE closed = 0;
CREATE INDEX accounts_owner ON accounts (owner);

-- PA-1: names of closed accounts, normalised, never reusable.
CREATE TABLE name_tombstones (
    name_key TEXT PRIMARY KEY,
    account  INTEGER NOT NULL,
    at       INTEGER NOT NULL
);

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    owner       INTEGER NOT NULL REFERENCES users (id),
    name        TEXT    NOT NULL,
    max_members INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX groups_owner ON groups (owner);

CREATE TABLE memberships (
    group_id INTEGER NOT NULL REFERENCES groups (id),
    user_id  INTEGER NOT NULL REFERENCES users (id),
    role     TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE content (
    id             INTEGER PRIMARY KEY,
    author         INTEGER NOT NULL,
    group_id       INTEGER,
    account_id     INTEGER,
    kind           TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    decision       TEXT    NOT NULL,
    suggestion     TEXT    NOT NULL,
    score          INTEGER NOT NULL,
    labels         TEXT    NOT NULL,
    verdict        TEXT    NOT NULL,
    policy_version TEXT    NOT NULL,
    at             INTEGER NOT NULL
);
CREATE INDEX content_at ON content (at);
CREATE INDEX content_author ON content (author, at);

CREATE TABLE strikes (
    id          INTEGER PRIMARY KEY,
    target_kind TEXT    NOT NULL,
    target_id   INTEGER NOT NULL,
    content     INTEGER,
    at          INTEGER NOT NULL
);
CREATE INDEX strikes_target ON strikes (target_kind, target_id, at);

CREATE TABLE sanctions (
    id             INTEGER PRIMARY KEY,
    target_kind    TEXT    NOT NULL,
    target_id      INTEGER NOT NULL,
    kind           TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    starts_at      INTEGER NOT NULL,
    ends_at        INTEGER,
    policy_version TEXT    NOT NULL
);
CREATE INDEX sanctions_target ON sanctions (target_kind, target_id);

-- AUD-1: append-only, hash-chained.
CREATE TABLE audit (
    seq            INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    actor          TEXT    NOT NULL,
    action         TEXT    NOT NULL,
    target         TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    evidence       TEXT    NOT NULL,
    policy_version TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL
);
CREATE INDEX audit_at ON audit (at);

-- The chain head is kept apart from the entries, so removing entries from the end is
-- detected; the anchor is where the retained chain starts after a retention sweep.
CREATE TABLE audit_meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    head_seq    INTEGER NOT NULL,
    head_hash   TEXT    NOT NULL,
    anchor_seq  INTEGER,
    anchor_hash TEXT
);

CREATE TABLE principals (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);
