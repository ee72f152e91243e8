-- As SQLite's 0016: audited actions counted per quarter hour.
CREATE TABLE audit_buckets (
    bucket BIGINT NOT NULL,
    action TEXT   NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (bucket, action)
);
INSERT INTO audit_buckets (bucket, action, n)
    SELECT at / 900000, action, count(*) FROM audit GROUP BY 1, 2;
