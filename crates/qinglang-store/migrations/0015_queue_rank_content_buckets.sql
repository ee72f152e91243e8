-- #23 (the soak): the queue and the dashboard read only what they show.
--
-- The time-independent part of an item's priority (severity, reach, lane), written by the
-- store with each item, so that the queue is ordered and cut in SQL instead of every open
-- item being read to be sorted. Open items of older databases are filled in on open.
ALTER TABLE queue ADD COLUMN rank_base REAL;

-- Reviewed content counted per quarter hour, decision and labels, kept with every insert and
-- decision change: the dashboard's volumes read these instead of every message of the
-- period. Quarter hours, so that any time zone's days (whole or half hours off UTC) are sums
-- of them.
CREATE TABLE content_buckets (
    bucket   INTEGER NOT NULL,   -- at / 900000
    decision TEXT    NOT NULL,
    labels   TEXT    NOT NULL,
    n        INTEGER NOT NULL,
    PRIMARY KEY (bucket, decision, labels)
);
INSERT INTO content_buckets (bucket, decision, labels, n)
    SELECT at / 900000, decision, labels, count(*) FROM content GROUP BY 1, 2, 3;
