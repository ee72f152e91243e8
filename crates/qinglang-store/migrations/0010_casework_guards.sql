-- One open queue item and one open report per target, guaranteed by the database and not
-- only by the writer's transactions.
CREATE UNIQUE INDEX queue_one_open ON queue (target_kind, target_id) WHERE decision IS NULL;
CREATE UNIQUE INDEX reports_one_open ON reports (target_kind, target_id) WHERE status = 'open';
-- CMP-2: what an upheld appeal must give back — the strike that led to the sanction, and the
-- credit the violation and the sanction cost (as applied, after clamping).
ALTER TABLE sanctions ADD COLUMN strike INTEGER;
ALTER TABLE sanctions ADD COLUMN credit_cost INTEGER NOT NULL DEFAULT 0;
