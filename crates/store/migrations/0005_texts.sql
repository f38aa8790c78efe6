-- Texts the platform writes for people to read later (version 5): kept as
-- a message id and its arguments (JSON) beside the text column, so each
-- reader sees them in their own language. Text people wrote (a
-- department's note, an operator's notice) stays in the text column.
ALTER TABLE application_events ADD COLUMN note_text TEXT;
ALTER TABLE application_events ADD COLUMN actor_text TEXT;
ALTER TABLE messages ADD COLUMN title_text TEXT;
ALTER TABLE messages ADD COLUMN body_text TEXT;

-- How a person reads the app (version 5 too): the language they chose
-- (zh-CN, zh-HK or en; none: the browser's) and 长辈版 (larger text,
-- larger targets, a simpler home).
ALTER TABLE accounts ADD COLUMN ui_lang TEXT;
ALTER TABLE accounts ADD COLUMN elder_mode BIGINT NOT NULL DEFAULT 0;
