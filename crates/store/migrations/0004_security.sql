-- Security round 2 (version 4): child sessions of 经办人, rate limits that
-- hold under concurrency, revocation keyed to the licence, presentations
-- bound to a verifier's challenge and published in a status list.

-- An organisation session (经办) is a child of the person's session: it
-- ends with it, is listed under it and can be revoked from it.
ALTER TABLE sessions ADD COLUMN parent_id TEXT;
CREATE INDEX sessions_by_parent ON sessions (parent_id);

-- One row per rate-limit bucket, locked (by an upsert) while a
-- reservation is counted and written, so concurrent requests queue on it
-- instead of all passing the count. Events get an id so that a
-- reservation can be given back.
CREATE TABLE rate_buckets (
    bucket TEXT PRIMARY KEY,
    touched_at BIGINT NOT NULL
);
ALTER TABLE rate_events ADD COLUMN id TEXT;
CREATE INDEX rate_events_by_id ON rate_events (id);

-- SMS codes: attempts per code across every address (a per-address limit
-- comes on top). The hash is now keyed (HMAC with a secret kept outside
-- the database); rows written before are unusable and expire.
ALTER TABLE sms_codes ADD COLUMN keyed BIGINT NOT NULL DEFAULT 0;

-- Revocation by the issuer, keyed to the licence itself (not to a wallet
-- entry), so deleting and re-adding it changes nothing.
CREATE TABLE licence_revocations (
    type_code TEXT NOT NULL,
    number TEXT NOT NULL,
    reason TEXT NOT NULL,
    revoked_at BIGINT NOT NULL,
    PRIMARY KEY (type_code, number)
);

-- What a presentation answers: a verifier's request (its audience, a fresh
-- nonce and the fields it asks for), or a holder's one-time QR code that a
-- verifier redeems online. Each is used once. The short code people type
-- or scan is stored as a keyed hash; the presentation waits here for its
-- verifier (token) only until it is fetched or expires.
CREATE TABLE presentation_challenges (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    code_hash TEXT NOT NULL UNIQUE,
    audience TEXT NOT NULL,
    nonce TEXT NOT NULL UNIQUE,
    verifier_name TEXT NOT NULL,
    fields_json TEXT NOT NULL,
    secret_hash TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    presentation_id TEXT,
    token TEXT,
    used_at BIGINT
);
CREATE INDEX presentation_challenges_by_expiry ON presentation_challenges (expires_at);

-- Presentations made: the index each got in the status list (one per
-- presentation, so presentations of one licence are not linkable), the
-- licence it shows, and whether it was voided (licence revoked or deleted).
CREATE TABLE presentations (
    id TEXT PRIMARY KEY,
    status_idx BIGINT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    entry_id TEXT NOT NULL,
    type_code TEXT NOT NULL,
    number TEXT NOT NULL,
    challenge_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    voided_at BIGINT
);
CREATE INDEX presentations_by_licence ON presentations (type_code, number);
CREATE INDEX presentations_by_entry ON presentations (entry_id);

-- Named counters (the next status-list index).
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
