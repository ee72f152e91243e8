-- Issue #25: a group or an account may carry a default scene of the policy ([scenes.NAME]),
-- in which what is posted there is judged unless the request names another.
ALTER TABLE groups ADD COLUMN scene TEXT;
ALTER TABLE accounts ADD COLUMN scene TEXT;
