-- PA-4: when a public account last published; inactive accounts are closed by a sweep.
ALTER TABLE accounts ADD COLUMN last_active_at INTEGER;
UPDATE accounts SET last_active_at = created_at WHERE last_active_at IS NULL;
CREATE INDEX accounts_activity ON accounts (closed, last_active_at);
