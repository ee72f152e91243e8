-- GRP-3: the tools creators and managers use: mute members, and the group notice.
ALTER TABLE memberships ADD COLUMN muted_until INTEGER;
ALTER TABLE groups ADD COLUMN notice TEXT NOT NULL DEFAULT '';
