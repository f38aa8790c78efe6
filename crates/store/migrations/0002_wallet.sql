-- 我的证照 — licences a person or organisation added to their wallet. The
-- licence record is kept as the issuer sent it (JSON); presentations name
-- the entry id, so deleting or revoking an entry voids its presentations.
CREATE TABLE wallet_entries (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    type_code TEXT NOT NULL,
    number TEXT NOT NULL,
    licence_json TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    revoked_at BIGINT,
    UNIQUE (account_id, type_code, number)
);
CREATE INDEX wallet_entries_by_number ON wallet_entries (type_code, number);
