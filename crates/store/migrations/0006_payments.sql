-- Payments (缴费), version 1. Portable SQL: the same file runs on SQLite and
-- PostgreSQL. Times are Unix milliseconds (BIGINT), money is integer fen
-- (BIGINT), identifiers are opaque TEXT made by the application.
--
-- Payments deliberately have no foreign key to accounts: a financial record
-- outlives the account that made it (an account's deletion must not delete
-- the record of money it paid).

-- 支付单 — one attempt to pay one bill or top-up. Every change of `status`
-- is a conditional update (WHERE status = <expected>) that also bumps
-- `version`; the change is recorded in payment_transitions with that version.
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_digest TEXT NOT NULL,
    target_type TEXT NOT NULL CHECK (target_type IN ('bill', 'top_up')),
    item_id TEXT NOT NULL,
    department TEXT NOT NULL,
    target_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    item_title TEXT NOT NULL,
    payee TEXT NOT NULL,
    account_masked TEXT NOT NULL,
    period TEXT,
    payer_name TEXT NOT NULL,
    payer_id_masked TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    status TEXT NOT NULL CHECK (status IN ('created', 'paying', 'paid', 'settled',
        'failed', 'expired', 'refunding', 'refunded')),
    version BIGINT NOT NULL,
    provider TEXT NOT NULL,
    provider_order_id TEXT,
    pay_url TEXT,
    failure TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    paid_at BIGINT,
    settled_at BIGINT,
    refunded_at BIGINT,
    -- Recovery's backoff after a failed settlement or query.
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL
);
-- The same Idempotency-Key of the same account is the same payment.
CREATE UNIQUE INDEX payments_idempotency ON payments (account_id, idempotency_key);
-- A bill has at most one payment that is live or succeeded.
CREATE UNIQUE INDEX payments_one_per_bill ON payments (department, target_id)
    WHERE target_type = 'bill' AND status IN ('created', 'paying', 'paid', 'settled');
CREATE INDEX payments_by_account ON payments (account_id, created_at);
CREATE INDEX payments_by_status ON payments (status, next_attempt_at);
CREATE INDEX payments_by_paid_at ON payments (paid_at);
CREATE INDEX payments_by_target ON payments (department, target_id);

-- Every transition of every payment: when, why, by whom.
CREATE TABLE payment_transitions (
    payment_id TEXT NOT NULL REFERENCES payments(id),
    version BIGINT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    at BIGINT NOT NULL,
    cause TEXT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (payment_id, version)
);

-- Every notification that passed the signature check, once per provider
-- notification id, with what it did (applied, duplicate, refused …).
CREATE TABLE payment_notifications (
    provider TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    event TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    PRIMARY KEY (provider, notification_id)
);
CREATE INDEX payment_notifications_by_payment ON payment_notifications (payment_id);

-- The department's acknowledgement (销账), one per payment.
CREATE TABLE payment_settlements (
    payment_id TEXT PRIMARY KEY REFERENCES payments(id),
    settlement_id TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    settled_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);

-- 电子票据 — the receipt of a settled payment, one per payment. The daemon
-- puts it in the person's wallet and writes the entry's id back; a refund
-- voids it (the daemon then withdraws the wallet entry).
CREATE TABLE payment_receipts (
    payment_id TEXT PRIMARY KEY REFERENCES payments(id),
    number TEXT NOT NULL,
    account_id TEXT NOT NULL,
    facts TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    wallet_entry_id TEXT,
    voided_at BIGINT,
    withdrawn_at BIGINT
);
CREATE INDEX payment_receipts_by_account ON payment_receipts (account_id);

-- 退款 — at most one (full) refund per payment: who asked, why, and when the
-- provider completed it.
CREATE TABLE payment_refunds (
    payment_id TEXT PRIMARY KEY REFERENCES payments(id),
    refund_id TEXT NOT NULL UNIQUE,
    amount_fen BIGINT NOT NULL,
    reason TEXT NOT NULL,
    operator_id TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    completed_at BIGINT,
    provider_refund_id TEXT
);

-- 对账 — one report per day (re-running replaces it) and its mismatches.
CREATE TABLE payment_reconciliations (
    day TEXT PRIMARY KEY,
    ran_at BIGINT NOT NULL,
    provider_lines BIGINT NOT NULL,
    platform_payments BIGINT NOT NULL,
    matched BIGINT NOT NULL,
    mismatches BIGINT NOT NULL,
    report TEXT NOT NULL
);
CREATE TABLE payment_mismatches (
    day TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payment_id TEXT,
    provider_order_id TEXT,
    platform_amount_fen BIGINT,
    provider_amount_fen BIGINT,
    PRIMARY KEY (day, seq)
);
