# Bills and payments: statuses and refusals.

## Refusals

err-payment-invalid-idempotency-key = The request has no valid Idempotency-Key; reload the page and try again.
err-payment-idempotency-key-reused = This request differs from the earlier payment request with the same key; reload the page and try again.
err-payment-identity-required = Paying needs real-name verification (L2) first.
err-payment-amount-invalid = The amount is not valid: a whole number of fen above zero, within the limit per payment.
err-payment-amount-out-of-range = Top up between { $min } and { $max } yuan, in steps of { $step } yuan.
err-payment-bill-not-found = There is no such bill; reload your bills.
err-payment-top-up-not-found = There is no such account to top up; reload and try again.
err-payment-bill-paid = This bill is paid already.
err-payment-bill-expired = This bill was due on { $due } and can no longer be paid online; contact the payee.
err-payment-payment-in-progress = A payment of this bill is in progress; finish it or wait until it ends.
err-payment-payment-not-found = There is no such payment.
err-payment-not-refundable = This payment cannot be refunded now.
err-payment-already-refunded = This payment is being refunded or was refunded already.
err-payment-refund-reason-required = Give a reason for the refund (at most 500 characters).
err-payment-department-unavailable = The payee's system cannot be reached right now; try again shortly.
err-payment-department-not-connected = This service cannot be paid online yet.
err-payment-department-refused = The payee did not accept this payment; contact the payee.
err-payment-department-failed = The payee's system answered wrongly; try again shortly.
err-payment-provider-unavailable = The payment provider cannot take the order right now; try again shortly (you will not be charged twice).
err-payment-provider-refused = The payment provider refused the order; try another method or try again later.
err-payment-bad-signature = The payment notification's signature is not valid; it was refused.
err-payment-notification-stale = The payment notification is too old; it was refused.
err-payment-notification-malformed = The payment notification is malformed.
err-payment-unknown-order = No order matches the payment notification.
err-payment-notification-mismatch = The notification's amount or order differs from the payment's.
err-payment-storage-unavailable = The server cannot store anything right now; no payment was started. Try again shortly.
err-payment-database-unavailable = The payment system is busy; try again shortly.
err-payment-internal = The payment system failed; try again shortly.
err-payment-not-configured = Payments are not available yet; try again later.
err-payment-target = Choose either a bill (bill_id) or a top-up (top_up) to pay.
err-payment-not-payable = This service cannot be paid online.

## Payment statuses

payment-status-created = Not ordered yet
payment-status-paying = Awaiting payment
payment-status-paid = Paid, being recorded by the payee
payment-status-settled = Paid
payment-status-failed = Failed
payment-status-expired = Expired
payment-status-refunding = Being refunded
payment-status-refunded = Refunded

## Bill statuses

bill-status-unpaid = Unpaid
bill-status-paying = Payment in progress
bill-status-paid = Paid
bill-status-expired = Overdue
