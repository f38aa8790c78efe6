-- Materials (申请材料), version 9: the files a person uploads for an
-- application (issue 24 part 3). Written by yuesou-materials. The content
-- is a blob in the object store named by its sha256 (identical content is
-- stored once; a blob no row names is swept after a grace period); this
-- table holds what is known of it. Times are Unix milliseconds.
CREATE TABLE materials (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    application_id TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    -- The person who uploaded it (the 经办人 for an organisation).
    actor_id TEXT NOT NULL,
    -- The flow's material slot (`^[a-z][a-z0-9_]{0,39}$`).
    slot TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size >= 0),
    width BIGINT,
    height BIGINT,
    pages BIGINT,
    -- The client's file name, sanitised, to show back; never a path.
    display_name TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX materials_by_application ON materials (application_id, created_at);
CREATE INDEX materials_by_sha256 ON materials (sha256);
