-- AUD-1: the chain head and the retention anchor carry a keyed MAC, and the anchor its
-- time, so that removing entries (all of them, or the newest, or the oldest too early)
-- is detected.
ALTER TABLE audit_meta ADD COLUMN head_mac TEXT;
ALTER TABLE audit_meta ADD COLUMN anchor_at INTEGER;
ALTER TABLE audit_meta ADD COLUMN anchor_mac TEXT;
-- ID-4: one user per verified identity.
CREATE UNIQUE INDEX users_identity_unique ON users (id_hash) WHERE id_hash IS NOT NULL;
