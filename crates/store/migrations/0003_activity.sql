-- 搜索历史, 热门搜索 — what people search. Version 3.

-- Whether a person paused their search history (a setting).
ALTER TABLE accounts ADD COLUMN history_paused BIGINT NOT NULL DEFAULT 0;

-- 搜索历史 — one row per person and query reading; searching the same
-- query again moves it up (searched_at). Capped per person by the
-- application.
CREATE TABLE search_history (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    query_key TEXT NOT NULL,
    query TEXT NOT NULL,
    searched_at BIGINT NOT NULL,
    UNIQUE (account_id, query_key)
);
CREATE INDEX search_history_by_time ON search_history (account_id, searched_at);

-- 热门搜索 — who searched what, once per person or client and query per
-- day: the fingerprint is a keyed hash of (client, query key), never the
-- client itself. Rows older than the window are pruned.
CREATE TABLE hot_seen (
    day BIGINT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (day, fingerprint)
);

-- Distinct people per query and hour: the sliding window with time decay
-- is computed from these buckets, so its cost depends on the number of
-- distinct queries, not on the number of searches.
CREATE TABLE hot_counts (
    hour BIGINT NOT NULL,
    query_key TEXT NOT NULL,
    display TEXT NOT NULL,
    people BIGINT NOT NULL,
    PRIMARY KEY (hour, query_key)
);

CREATE INDEX hot_counts_by_key ON hot_counts (query_key, hour);

-- Distinct people per query over the hours still kept: the candidates of
-- the hot list are read from here by an index, so computing the list costs
-- the same however many searches and distinct queries the window holds.
CREATE TABLE hot_totals (
    query_key TEXT PRIMARY KEY,
    display TEXT NOT NULL,
    people BIGINT NOT NULL
);
CREATE INDEX hot_totals_by_people ON hot_totals (people);

-- Operator rules: pin a query to the hot list or block it.
CREATE TABLE hot_rules (
    query_key TEXT PRIMARY KEY,
    display TEXT NOT NULL,
    action TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Secrets the replicas share (the salt of hot-search fingerprints).
CREATE TABLE centre_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
