# Titles of error pages: one for each kind of problem (the `type` of problem+json).
# The explanation (detail) comes from errors.ftl.

problem-invalid-parameter = Invalid parameter
problem-invalid-request = Invalid request
problem-unauthorized = Admin token needed
problem-admin-disabled = Admin interface is turned off
problem-not-found = Not found
problem-no-such-endpoint = No such endpoint
problem-method-not-allowed = Request method not supported
problem-payload-too-large = What you sent is too large
problem-request-header-fields-too-large = Request headers too large
problem-reload-failed = Data could not be reloaded
problem-internal = Something went wrong
problem-not-ready = The service is starting
problem-timeout = Request timed out
problem-unauthenticated = Please sign in
problem-bad-credentials = Sign-in details are wrong
problem-second-factor-required = SMS code needed as well
problem-busy = The service is busy
problem-step-up-required = Higher verification level needed
problem-forbidden = You are not allowed to do this
problem-operator-disabled = Department interface is turned off
problem-conflict = This cannot be done
problem-banned-word = Contains words that are not allowed
problem-rate-limited = Too many requests
problem-unavailable = Service temporarily unavailable
problem-centre-disabled = Personal centre is turned off
problem-presentation-malformed = Not a valid share code
problem-presentation-expired = Share code has expired
problem-presentation-invalid = Share code is not valid
problem-presentation-revoked = Licence deleted or revoked
problem-field-not-disclosed = Required details not shared
problem-presentation-not-for-verifier = This share code was not shared with you
problem-presentation-replayed = Share code already used
problem-licence-revoked = Licence has been revoked
