//! The personal centre's suite: its rules on SQLite and PostgreSQL, and a
//! full disk's refused commits.

mod support;

mod full_disk;
mod rules;
