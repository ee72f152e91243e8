-- REV-9: learned example ids are never reused (AUTOINCREMENT). A node notices that the
-- examples changed by their (count, highest id); without it, forgetting the newest example
-- and then learning another gave the same pair back and a second node kept the old model.
-- Ids freed before this migration are not known to it: restart every node after upgrading
-- (a restart replays all examples), so none relies on a pair seen before it.
CREATE TABLE learned_examples_v2 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    model TEXT NOT NULL,
    label TEXT NOT NULL CHECK (label IN ('spam', 'ham')),
    text TEXT NOT NULL,
    actor TEXT NOT NULL,
    at INTEGER NOT NULL
);
INSERT INTO learned_examples_v2 (id, model, label, text, actor, at)
    SELECT id, model, label, text, actor, at FROM learned_examples;
DROP TABLE learned_examples;
ALTER TABLE learned_examples_v2 RENAME TO learned_examples;
CREATE INDEX learned_examples_model ON learned_examples (model, id);
