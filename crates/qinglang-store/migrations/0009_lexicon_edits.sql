-- The console's lexicon page (issue 4): terms added, demoted (block → review) or removed by
-- an operator, replayed in order onto the shipped lexicons and the emergency terms whenever
-- the engine is built. `action` NULL: the term is removed.
CREATE TABLE lexicon_edits (
    id       INTEGER PRIMARY KEY,
    term     TEXT    NOT NULL,
    category TEXT,
    action   TEXT,
    reason   TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
