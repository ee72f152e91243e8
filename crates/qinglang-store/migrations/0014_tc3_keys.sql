-- Tencent Cloud API 3.0 key pairs (TC3-HMAC-SHA256) for the TMS-compatible endpoint (OPS-4).
-- The secret must be read back to check a signature, so it is sealed with the data key
-- (AES-256-GCM bound to the SecretId), never stored in clear. Revoking the principal
-- revokes the pair: look-ups join principals on revoked = 0.
CREATE TABLE tc3_keys (
    secret_id    TEXT    PRIMARY KEY,
    principal_id INTEGER NOT NULL REFERENCES principals(id),
    sealed_key   BLOB    NOT NULL,
    created_at   INTEGER NOT NULL
);
