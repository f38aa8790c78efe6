# Bookings at service halls: refusals, statuses and reminders.

## Refusals

err-booking-real-name-required = Booking needs real-name verification (L2) first.
err-booking-not-bookable = This service cannot be booked at a service hall.
err-booking-hall-not-found = There is no such service hall.
err-booking-hall-does-not-book = This hall does not take bookings for this service; choose another hall.
err-booking-date-in-past = This slot has started or the date has passed; choose a later slot.
err-booking-too-soon = This service is booked ahead; the earliest day is { $earliest }.
err-booking-window-not-open = Booking for this day opens at { $opens_at }.
err-booking-date-not-offered = The public holidays of { $date }'s year are not published yet, so it cannot be booked.
err-booking-holiday = { $date } is a public holiday ({ $name }); the hall is closed.
err-booking-hall-closed-day = The hall is closed on { $date }.
err-booking-not-slot-start = That time is not the start of a slot; choose a slot from the list.
err-booking-days-out-of-range = At most { $max } days can be listed at once.
err-booking-booking-not-found = There is no such booking.
err-booking-suspended = After repeated no-shows, booking is suspended until { $until } (inclusive).
err-booking-slot-closed = The hall closed this slot; choose another one.
err-booking-slot-full = This slot is fully booked; choose another one.
err-booking-already-booked = You already hold a booking for this service; move or cancel it instead.
err-booking-idempotency-key-reused = This request differs from the earlier booking request with the same key; reload and try again.
err-booking-too-late-to-change = Bookings can be cancelled or moved until one hour before they start (until { $deadline }).
err-booking-booking-not-active = This booking is "{ $status }" and can no longer be changed.
err-booking-invalid-check-in-code = A check-in code has eight letters or digits.
err-booking-check-in-code-not-found = No booking of today at this hall has this check-in code.
err-booking-already-checked-in = Checked in already at { $at }.
err-booking-slot-not-started = The slot has not started yet ({ $start }); it cannot be marked as a no-show.
err-booking-invalid-input = Something in the request is malformed; check it and try again.
err-booking-busy = Too many people are booking right now; try again shortly.
err-booking-unavailable = The booking system cannot be reached; try again shortly.
err-booking-storage-unavailable = The server cannot store anything right now; nothing was booked. Try again shortly.
err-booking-internal = The booking system failed; try again shortly.
err-booking-time-format = The time must be RFC 3339 (for example 2026-12-08T09:00:00+08:00).
err-booking-date-format = The date must be year-month-day (for example 2026-12-08).
err-booking-id-format = The identifier is malformed.
err-booking-closure-target = Give either one slot (start) or a whole day (date) to close.

## Statuses

booking-status-booked = Booked
booking-status-cancelled = Cancelled
booking-status-closed = Slot closed by the hall
booking-status-checked-in = Checked in
booking-status-no-show = No-show

## Days

booking-day-open = Open
booking-day-too-soon = Book further ahead
booking-day-not-yet-open = Opens at { $opens_at }
booking-day-holiday = { $name }, closed
booking-day-hall-closed = Closed
booking-day-not-offered = Not open yet

booking-reason-calendar-changed = the hall's opening hours or the holiday arrangements changed

## Reminders

booking-reminder-booked-title = Booked: { $item }
booking-reminder-booked = You booked "{ $item }" at { $hall } on { $start }. Please come on time and show your check-in code; cancel or move it at least one hour before.
booking-reminder-rescheduled-title = Booking moved: { $item }
booking-reminder-rescheduled = Your booking for "{ $item }" is now on { $start } at { $hall }. Your check-in code has changed; use the new one.
booking-reminder-day-before-title = Tomorrow: { $item }
booking-reminder-day-before = Reminder: you booked "{ $item }" at { $hall } tomorrow, { $start }. Please bring your documents and come on time.
booking-reminder-slot-closed-title = Slot closed: { $item }
booking-reminder-slot-closed = We are sorry: { $hall } closed your slot on { $start } ({ $reason }) and no other place was free. Please book again.
booking-reminder-slot-closed-moved-title = Booking moved for you: { $item }
booking-reminder-slot-closed-moved = We are sorry: { $hall } closed your slot on { $start } ({ $reason }); you were moved first to { $moved_to }. You can move or cancel it if it does not suit you.
booking-reminder-suspended-title = Booking suspended
booking-reminder-suspended = After three no-shows within 90 days, booking is suspended until { $until } (inclusive).
