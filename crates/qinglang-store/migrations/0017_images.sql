-- #24 (REV-10): pictures submitted as content, kept with their record for as long as it is
-- (AUD-2), and the known-bad image lists every picture is matched against.
CREATE TABLE content_images (
    content_id INTEGER PRIMARY KEY,  -- content.id; removed with it by retention
    media_type TEXT    NOT NULL,     -- what the decoder found: image/png, image/jpeg, …
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    hash       INTEGER NOT NULL,     -- the 64-bit perceptual hash, its bits as a signed integer
    bytes      BLOB    NOT NULL
);

CREATE TABLE image_lists (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    category   TEXT    NOT NULL,
    action     TEXT    NOT NULL,     -- block | review
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- AUTOINCREMENT: entry ids are never reused, so (lists, entries, highest id) changes with
-- every change and other nodes notice it (as learned examples, 0011).
CREATE TABLE image_list_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id    INTEGER NOT NULL REFERENCES image_lists (id),
    hash       INTEGER NOT NULL,
    note       TEXT    NOT NULL,
    content_id INTEGER,
    added_by   TEXT    NOT NULL,
    added_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX image_list_entries_hash ON image_list_entries (list_id, hash);
