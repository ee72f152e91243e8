-- As SQLite's 0015: the stored time-independent part of a queue item's priority, and
-- reviewed content counted per quarter hour for the dashboard.
ALTER TABLE queue ADD COLUMN rank_base DOUBLE PRECISION;

CREATE TABLE content_buckets (
    bucket   BIGINT NOT NULL,
    decision TEXT   NOT NULL,
    labels   TEXT   NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (bucket, decision, labels)
);
INSERT INTO content_buckets (bucket, decision, labels, n)
    SELECT at / 900000, decision, labels, count(*) FROM content GROUP BY 1, 2, 3;
