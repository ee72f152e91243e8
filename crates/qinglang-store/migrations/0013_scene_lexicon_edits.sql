-- Issue #25: an operator's lexicon edit may apply to one scene of the policy only (NULL: the
-- main engine, and every scene with it).
ALTER TABLE lexicon_edits ADD COLUMN scene TEXT;
