# Texts the platform writes to people: application statuses, application progress, messages, SMS templates.

platform-name = Guangdong Electronic Licence Platform (Yuesou)

## Application statuses

status-draft = Draft
status-waiting = More information needed
status-submitted = Submitted
status-processing = In progress
status-completed = Completed
status-rejected = Not accepted
status-withdrawn = Withdrawn

## Application progress (timeline)

event-started = Application started
event-submitted = Application submitted
event-appointment-booked = Booked { $start } at { $hall } for “{ $item }” in person
event-appointment-cancelled = Cancelled the visit of { $start } at { $hall } for “{ $item }”
event-appointment-moved = The visit for “{ $item }” moved from { $from } to { $start } ({ $hall })
event-resubmitted = Sent again with the requested changes
event-withdrawn = Application withdrawn
actor-self = Applicant
actor-agent = Agent { $id }

## Messages

message-application-status = Your application “{ $title }”: { $status }
message-application-submitted = Your application has been submitted. We will tell you how it is going once the department has accepted it.
message-feedback-replied = There is a reply to your feedback “{ $title }”

## SMS templates

sms-code = [Yuesou] Your { $purpose ->
        [register] registration code
        [login] sign-in code
       *[other] verification code
    } is { $code }. It expires in 5 minutes. Do not share it with anyone.

## Licence status

licence-valid = Valid
licence-expiring = Expiring soon
licence-expired = Expired
licence-revoked = Revoked
licence-no-expiry = No expiry
