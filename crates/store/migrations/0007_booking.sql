-- Bookings (预约), version 7: places per slot at a service hall, the
-- bookings that take them, the idempotency keys of booking requests,
-- suspensions after no-shows, and the reminders waiting to be sent.
-- Written by yuesou-booking (docs/BOOKING.md). Days are `YYYY-MM-DD` in
-- China Standard Time; times are Unix milliseconds.

-- One row per (hall, service family, slot start), created on demand. The
-- booking's transaction takes a place with a conditional update
-- (`taken < capacity AND closed = 0`), so the row lock, not a count read
-- before the write, decides who gets the last place.
CREATE TABLE booking_slots (
    hall_id TEXT NOT NULL,
    family TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    day TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    taken BIGINT NOT NULL DEFAULT 0,
    closed BIGINT NOT NULL DEFAULT 0,
    closed_reason TEXT,
    closed_at BIGINT,
    PRIMARY KEY (hall_id, family, start_at),
    CHECK (taken >= 0)
);
CREATE INDEX booking_slots_by_hall_day ON booking_slots (hall_id, day);

-- A booking. `account_id` is the subject (a person, or the organisation a
-- 经办人 acts for), `actor_id` the person who booked. The check-in code is
-- never stored: `code_hash` is its keyed hash (HMAC-SHA256 under a key
-- kept outside the database) and `code_salt` lets the key's holder show
-- the code again.
CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    family TEXT NOT NULL,
    hall_id TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    day TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('booked', 'cancelled', 'closed', 'checked_in', 'no_show')),
    code_salt TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    application_id TEXT,
    moved_from TEXT,
    moved_to TEXT,
    counts_as_no_show BIGINT NOT NULL DEFAULT 1,
    close_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    cancelled_at BIGINT,
    checked_in_at BIGINT,
    no_show_at BIGINT
);
-- One active booking per subject and service family.
CREATE UNIQUE INDEX bookings_one_active ON bookings (account_id, family)
    WHERE status = 'booked';
-- A check-in code is unique among a hall's bookings of a day.
CREATE UNIQUE INDEX bookings_code_of_day ON bookings (hall_id, day, code_hash)
    WHERE status IN ('booked', 'checked_in', 'no_show');
CREATE INDEX bookings_by_account ON bookings (account_id, start_at);
CREATE INDEX bookings_by_hall_day ON bookings (hall_id, day, start_at);
CREATE INDEX bookings_by_slot ON bookings (hall_id, family, start_at);
CREATE INDEX bookings_by_actor ON bookings (actor_id, status, day);
CREATE INDEX bookings_by_application ON bookings (application_id);

-- The idempotency key of a booking request, per subject: the same key and
-- request answer the booking made the first time.
CREATE TABLE booking_requests (
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

-- A person may not book from `starts_on` to `until_day` (both included),
-- after too many no-shows.
CREATE TABLE booking_suspensions (
    id TEXT PRIMARY KEY,
    actor_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    starts_on TEXT NOT NULL,
    until_day TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX booking_suspensions_by_actor ON booking_suspensions (actor_id, until_day);

-- Reminders to send (an outbox), written in the transaction of the event.
-- A dispatcher claims due rows with a lease (`claim`, `lease_until`), so
-- that several replicas send each one once.
CREATE TABLE booking_reminders (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL,
    booking_id TEXT,
    facts TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    claim TEXT,
    lease_until BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at BIGINT,
    voided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX booking_reminders_pending ON booking_reminders (due_at)
    WHERE sent_at IS NULL AND voided_at IS NULL;
CREATE INDEX booking_reminders_by_booking ON booking_reminders (booking_id);
