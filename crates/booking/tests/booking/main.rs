//! 预约 — the booking crate's suite: calendars, the holder's and the hall's
//! sides, races and reminders, on SQLite and PostgreSQL.

mod support;

mod calendars;
mod hall;
mod race;
mod reminders;
mod rules;
