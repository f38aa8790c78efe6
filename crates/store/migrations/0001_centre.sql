-- The personal centre (个人中心), version 1. Portable SQL: the same file
-- runs on SQLite and PostgreSQL. Times are Unix milliseconds (BIGINT),
-- flags are 0/1 BIGINT, identifiers are opaque TEXT made by the application.

-- 账户 — natural persons (自然人) and organisations (法人和其他组织).
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    phone TEXT UNIQUE,
    password_hash TEXT,
    level BIGINT NOT NULL,
    real_name TEXT,
    id_number TEXT UNIQUE,
    uscc TEXT UNIQUE,
    org_name TEXT,
    email TEXT,
    postal_address TEXT,
    contact_phone TEXT,
    login_validity_secs BIGINT NOT NULL,
    allow_password BIGINT NOT NULL,
    allow_sms BIGINT NOT NULL,
    demo BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- 经办人 — persons acting for an organisation.
CREATE TABLE org_agents (
    org_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, person_id)
);

-- 会话 — a login on one device. Only the token's hash is stored.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    method TEXT NOT NULL,
    device TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    elevated_until BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_by_account ON sessions (account_id);

-- One-time SMS codes, hashed, per phone and purpose.
CREATE TABLE sms_codes (
    phone TEXT NOT NULL,
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (phone, purpose)
);

-- Rate-limit events (failed logins, codes sent), shared by every replica.
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rate_events_by_bucket ON rate_events (bucket, at);

-- 办件 — an application a person or organisation submitted (or drafted).
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    item_title TEXT NOT NULL,
    region_code TEXT NOT NULL,
    department TEXT NOT NULL,
    login_level BIGINT NOT NULL,
    status TEXT NOT NULL,
    steps_json TEXT NOT NULL,
    answers_json TEXT NOT NULL,
    current_step BIGINT NOT NULL,
    result_json TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT
);
CREATE INDEX applications_by_account ON applications (account_id, updated_at);

-- 办件进度 — the timeline of an application.
CREATE TABLE application_events (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX application_events_by_application ON application_events (application_id, seq);

-- 帮助与反馈 — 问题咨询 (consultation) and 建议投诉 (complaint or suggestion).
CREATE TABLE feedback (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    item_id TEXT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX feedback_by_account ON feedback (account_id, created_at);

CREATE TABLE feedback_replies (
    id TEXT PRIMARY KEY,
    feedback_id TEXT NOT NULL REFERENCES feedback(id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX feedback_replies_by_feedback ON feedback_replies (feedback_id, created_at);

-- 消息 — a personal message (account_id set) or a public broadcast (NULL).
CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT,
    pinned BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_by_account ON messages (account_id, created_at);

-- Per-person state of a message: read, and (for a pinned notice) dismissed.
CREATE TABLE message_states (
    message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    read_at BIGINT,
    dismissed_at BIGINT,
    PRIMARY KEY (message_id, account_id)
);

-- Who did what for an account (经办人 actions on organisations included).
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_log_by_account ON audit_log (account_id, at);
