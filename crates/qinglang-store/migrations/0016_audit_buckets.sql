-- #23 (the soak): the dashboard's and the annual report's counts of audited actions come
-- from counts per quarter hour kept with every entry, not from a scan of the trail, which
-- holds every submission for 180 days (millions of rows). Kept when entries are pruned:
-- they are figures, not records.
CREATE TABLE audit_buckets (
    bucket INTEGER NOT NULL,   -- at / 900000
    action TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (bucket, action)
);
INSERT INTO audit_buckets (bucket, action, n)
    SELECT at / 900000, action, count(*) FROM audit GROUP BY 1, 2;
