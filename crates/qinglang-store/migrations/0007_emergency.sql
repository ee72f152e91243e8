-- ENF-3: emergency changes — operator terms added and review thresholds tightened in one
-- audited step; replayed onto the engine at start-up, newest thresholds winning.
CREATE TABLE emergency_changes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    lexicon TEXT NOT NULL,
    review_threshold INTEGER,
    block_threshold INTEGER,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL
);
