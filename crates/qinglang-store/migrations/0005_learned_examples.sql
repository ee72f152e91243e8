-- REV-9: texts moderators confirmed as violations (spam) or false positives (ham), replayed
-- in order onto the shipped classifier at start-up; deleting them resets the learning.
CREATE TABLE learned_examples (
    id INTEGER PRIMARY KEY,
    model TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('spam', 'ham')),
    text TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX learned_examples_model ON learned_examples (model, id);
