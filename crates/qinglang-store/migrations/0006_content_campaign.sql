-- REV-7: the flood campaign each fingerprinted message belongs to (the key of the
-- campaign's first message), so that a moderator can see and act on all its copies.
ALTER TABLE content ADD COLUMN campaign INTEGER;
CREATE INDEX content_campaign ON content (campaign) WHERE campaign IS NOT NULL;
