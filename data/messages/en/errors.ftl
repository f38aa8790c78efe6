# Error explanations (the `detail` of problem+json). Titles are in problems.ftl.
# Written for the person using the service: say what is wrong and what to do; no technical details, and do not repeat what they entered.

## General

err-internal = Something went wrong on our side. We have recorded it. Please try again later.
err-not-ready = The service is starting. Please try again in a few seconds.
err-timeout = Your request took too long (more than { $ms } { $ms ->
        [one] millisecond
       *[other] milliseconds
    }). Please try again later.
err-unavailable = The service is temporarily unavailable. Please try again later.
err-storage-full = The server has run out of storage space, so what you sent was not saved. Please try again later.
err-storage-read-only = The server cannot save anything at the moment, so what you sent was not saved. Please try again later.
err-storage-failing = The server's storage has a fault, so what you sent was not saved. Please try again later.
err-busy = The service is busy. Please try again in { $seconds } { $seconds ->
        [one] second
       *[other] seconds
    }.
err-rate-limited = You are doing this too often. Please try again in { $seconds } { $seconds ->
        [one] second
       *[other] seconds
    }.
err-no-such-endpoint = There is no such endpoint. See the API description at /api/v1/openapi.json.
err-no-such-file = We could not find this page file.
err-method-not-allowed = This endpoint does not support this request method.
err-rejected = The request was not accepted (status code { $status }).
err-headers-too-large = The request headers are too large (the limit is { $max } { $max ->
        [one] byte
       *[other] bytes
    }).
err-body-too-large = What you sent is too large (the limit is { $max } { $max ->
        [one] byte
       *[other] bytes
    }).
err-body-over-limit = What you sent is larger than allowed.
err-body-unreadable = We could not read what you sent. Please try again.
err-centre-disabled = The personal centre is not turned on for this service.
err-wallet-disabled = Electronic licences (My licences) are not turned on for this service.

## Query parameters

err-required = This is required.
err-empty = This cannot be empty.
err-too-long = At most { $max } { $max ->
        [one] character
       *[other] characters
    }.
err-control-characters = This contains invisible control characters. Remove them and try again.
err-param-unknown = This parameter is not supported. Parameters you can use: { $accepted }
err-param-none-accepted = This endpoint does not take any query parameters.
err-param-repeated = This parameter can only be given once.
err-param-integer = Must be a whole number from { $min } to { $max }.
err-param-decimal = Must be a number.
err-param-range = Must be from { $min } to { $max }.
err-param-choice = This is not one of the allowed values. Choose from: { $choices }
err-param-boolean = Must be true or false.
err-param-utf8 = This contains characters in an encoding we cannot read.
err-not-found-id = We could not find anything with this ID.
err-lat-needs-lng = If you give a latitude (lat), give a longitude (lng) too.
err-lng-needs-lat = If you give a longitude (lng), give a latitude (lat) too.
err-latitude = Latitude must be from -90 to 90.
err-longitude = Longitude must be from -180 to 180.
err-page-from-one = Page numbers start at 1.
err-size = Results per page must be from 1 to { $max }.
err-result-window = That page is too far in: page number × results per page cannot be more than { $max }.
err-query-too-long = Your search can be at most { $max } { $max ->
        [one] character
       *[other] characters
    } long.
err-unknown-region = We could not find this area.
err-unknown-audience = This is not one of the allowed audiences. Choose from: { $choices }
err-unknown-service-type = This is not one of the allowed service types. Choose from: { $choices }
err-step-index = Step numbers must be whole numbers, starting from 0.
err-not-found-item = We could not find this service.
err-not-found-reconciliation = There is no reconciliation report for this day yet; run one first.

## What you sent (JSON)

err-json-content-type = Send the content as JSON (Content-Type: application/json).
err-json-not-object = What you send must be a JSON object ({"{"}…{"}"}).
err-json-syntax = What you sent is not valid JSON (near line { $line }, column { $column }).
err-json-eof = What you sent is incomplete.
err-json-missing-field = A required item is missing.
err-json-unknown-field = We do not recognise this item. Remove it and try again.
err-json-duplicate-field = This item appears more than once.
err-json-invalid-type = This item has the wrong type (for example, a number where text is expected).
err-json-invalid-value = The value of this item is not allowed.
err-whole-number = Must be a whole number.

## Signing in and accounts

err-unauthenticated = Please sign in. You also need to sign in again if your sign-in has expired or you signed out on another device.
err-bad-credentials = The mobile number, password or code is wrong, or this way of signing in has been turned off.
err-second-factor-required = To protect your account, you also need an SMS code to sign in this time.
err-sms-code-format = The SMS code is 6 digits.
err-password-too-long = Your password can be at most { $max } { $max ->
        [one] character
       *[other] characters
    } long.
err-password-length = Your password must be { $min } to { $max } { $max ->
        [one] character
       *[other] characters
    } long.
err-code-purpose = The purpose given for the code is not valid.
err-already-registered = This mobile number is already registered. Sign in instead.
err-phone = Enter an 11-digit mainland China mobile number.
err-email = Enter an email address in the correct format, like name@example.com.
err-ascii-token = Use only letters, digits and - _ . (at most { $max } { $max ->
        [one] character
       *[other] characters
    }).
err-login-validity = How long a sign-in lasts must be from { $min } to { $max } { $max ->
        [one] hour
       *[other] hours
    }.
err-login-methods = Keep at least one way to sign in.
err-centre-secret = The service key is not set up correctly. Contact the administrator.
err-step-up-required = To do this, you need to { $required ->
        [L2] verify your real name
        [L3] pass face verification
       *[other] sign in
    } (your current verification level: { $current }).
err-not-found-session = We could not find this signed-in device.

## Real-name and face verification

err-id-number-format = A Resident Identity Card number has 18 characters (the last one can be X).
err-id-number-check = The check digit of the ID number is wrong. Check the number and enter it again.
err-id-number-birth-date = The date of birth in the ID number is not valid.
err-identity-mismatch = The name and ID number do not match. Check them and enter them again.
err-account-bound-elsewhere = The name and ID number do not match. Check them and enter them again.
err-face-sample = The face photo is not valid or is too large (the limit is { $max } { $max ->
        [one] byte
       *[other] bytes
    }). Take the photo again.
err-face-mismatch = Face verification failed. Face the camera in good light and try again.

## Organisations

err-uscc-format = A Unified Social Credit Code has 18 characters: digits or capital letters.
err-uscc-check = The check character of the Unified Social Credit Code is wrong. Check the code and enter it again.
err-only-persons-register-orgs = Sign in as an individual to register an organisation.
err-org-registered = This organisation is already registered.
err-org-verified-by-agents = An organisation account must be verified by an agent signed in as an individual.
err-act-as-person = Sign in as an individual to act for an organisation.
err-not-found-organisation = We could not find this organisation, or you are not one of its agents.

## Applications

err-not-found-application = We could not find this application.
err-application-not-editable = This application can no longer be changed (status: { $status }).
err-too-many-answers = You can fill in at most { $max } { $max ->
        [one] item
       *[other] items
    } in each step.
err-step-out-of-range = There is no such step (there { $count ->
        [one] is { $count } step
       *[other] are { $count } steps
    }).
err-step-ahead = Complete the earlier steps first (you are on step { $current }).
err-application-answers-kind = This application's form has been updated. Reload the page and fill in this step again.
err-steps-not-done = Some steps are not filled in yet ({ $current } of { $count } { $count ->
        [one] step
       *[other] steps
    } done).
err-cannot-withdraw = This application cannot be withdrawn (status: { $status }).
err-cannot-move = An application cannot go from “{ $from }” to “{ $to }”.
err-result-too-long = The result text is too long.

## Feedback and messages

err-banned-word = Your text contains a word that is offensive or not allowed ({ $word }), so it was not sent. Change it and try again.
err-not-found-feedback = We could not find this feedback.
err-not-found-message = We could not find this message.
err-not-found-history-entry = We could not find this search history entry.
err-not-found-hot-rule = There is no such trending search rule.
err-hot-rule-query = A trending search must be 1 to 30 characters long, without control characters.

## My licences

err-not-found-licence = We could not find this licence.
err-not-found-account = We could not find this account.
err-licence-revoked = The issuing authority has revoked or cancelled this licence. You cannot add it or share it.
err-unknown-licence-type = There is no such type of licence ({ $type }).
err-licence-has-no-field = This type of licence does not have a “{ $field }” item.
err-field-names = Item names can only use lowercase letters, digits and underscores (at most { $max } { $max ->
        [one] character
       *[other] characters
    }).
err-too-many-fields = Choose at most { $max } { $max ->
        [one] item
       *[other] items
    } of information.
err-presentation-request = The verification request is not valid or has expired.
err-request-not-open = This verification request is closed or has expired. Ask the verifier to send a new one.
err-request-answered = A licence has already been shared for this verification request.
err-request-secret = Include the verification request's secret (Authorization: Bearer …).
err-not-found-request = We could not find this verification request.
err-presentation-code = This is not a valid share code.
err-presentation-unknown-code = We could not find this share code.
err-presentation-not-for-verifier = This share code was not shared with this verifier or for this verification request.
err-presentation-replayed = This share code has already been used. Ask the holder to share the licence again.
err-presentation-revoked = The holder has deleted this licence from My licences, or the issuing authority has revoked it.
err-presentation-not-disclosed = The holder did not share the information needed ({ $field }).
err-presentation-too-large = What was shared is too long (the limit is { $max } { $max ->
        [one] byte
       *[other] bytes
    }).
err-presentation-malformed = What was shared is not in the right format.
err-presentation-unknown-key = We do not recognise the signing key. The share code may no longer be valid.
err-presentation-bad-signature = The signature check failed. What was shared may be forged or altered.
err-presentation-expired = The share code has expired. Ask the holder to share the licence again.
err-presentation-not-yet-valid = The share code was issued later than the current time. Check the device's clock.
err-presentation-tampered = The licence information does not match what was issued. It may have been altered.
err-presentation-key-binding = We could not confirm that the person sharing the licence is its holder.
err-presentation-wrong-audience = This share code was not shared with this verifier.
err-presentation-wrong-nonce = This share code does not answer this verification request.

## Admin and department interfaces

err-admin-disabled = The admin interface is turned off: no admin token is set.
err-admin-token = Include the admin token (Authorization: Bearer …).
err-fixed-engine = This service uses fixed data, so it cannot be reloaded.
err-reload-failed = The data files have errors, so the previous data is still in use: { $reason }
err-operator-disabled = The department interface is turned off: no department token is set.
err-operator-token = Include the department token (Authorization: Bearer …).
err-unknown-lang = This language is not supported. Choose from: zh-CN (Simplified Chinese), zh-HK (Traditional Chinese, Hong Kong), en (English).

## Look-ups and certificates (departments)

err-not-a-records-item = This service has no online look-up.
err-not-a-certificate-item = This service does not issue certificates online.
err-param-unknown-filter = This look-up has no such filter.
err-filter-pattern = This is not in the right format. Check it and try again.
err-filter-month-range = Enter months as year-month/year-month, for example 2025-01/2025-12.
err-filter-date-range = Enter dates as year-month-day/year-month-day, for example 2025-01-01/2025-12-31.
err-filter-year = Enter a four-digit year, for example 2025.
err-filter-choice = Choose one of the options given.
err-filter-plate = Enter the full plate number (for example 粤A12345).
err-filter-order = The end cannot be before the start.
err-filter-span = A look-up can cover at most { $months } { $months ->
        [one] month
       *[other] months
    }.
err-records-foreign-identifier = You can only look up your own records (or your organisation's, or your own vehicles').
err-certificate-purpose = Choose what the certificate is for: { $choices }
err-idempotency-key = An idempotency key may only use letters, digits and . _ : -, at most 64 characters.
err-department-unavailable = The department's system cannot be reached right now. Please try again later. Other services are not affected.
err-department-busy = The department's system is busy. Please try again later.
err-department-not-connected = This service is not yet connected to the department's system, so it cannot be done online.
err-department-error = The department's system sent back something wrong. We have recorded it; please try again later.
err-department-refused = The department could not do this. Check your details or ask the department.
err-department-not-found = The department found nothing matching.
err-department-bad-request = The department cannot accept this request. Check what you entered.
