# Online applications (办理): messages of a form check (problem+json detail and errors[].message).

err-not-found-flow = This service cannot be applied for online: it has no application steps.
err-not-found-flow-step = This application has no such step.
err-flows-unavailable = Online applications are not available right now. Please try again later.
err-flow-too-many-answers = At most { $max } answers can be checked at once.
err-invalid-answers = { $count ->
        [one] One answer needs correcting; see the note beside it.
       *[other] { $count } answers need correcting; see the note beside each.
    }

## Each field

err-field-required = This is required.
err-field-unknown = This step has no such field.
err-field-wrong-type-string = Enter text here.
err-field-wrong-type-number = Enter a number here.
err-field-wrong-type-boolean = Choose yes or no.
err-field-wrong-type-object = Choose the area and enter the street address.
err-field-too-short = Enter at least { $min } { $min ->
        [one] character
       *[other] characters
    }.
err-field-too-long = Enter at most { $max } { $max ->
        [one] character
       *[other] characters
    }.
err-field-pattern = This is not in the expected format; see the hint.
err-field-not-a-number = Enter a number only, without units or words.
err-field-too-small = Must be at least { $min }.
err-field-too-large = Must be at most { $max }.
err-field-too-many-decimals = { $decimals ->
        [0] Enter a whole number.
        [one] At most { $decimals } digit after the decimal point.
       *[other] At most { $decimals } digits after the decimal point.
    }
err-field-not-a-date = Choose a date (year-month-day).
err-field-too-early = The date cannot be before { $min }.
err-field-too-late = The date cannot be after { $max }.
err-field-not-an-option = Choose one of the options.
err-field-id-number = A Resident Identity Card number has 18 characters (the last one can be X).
err-field-id-number-check = The check digit of the ID number is wrong. Check the number and enter it again.
err-field-id-number-birth-date = The date of birth in the ID number is not valid.
err-field-uscc = A Unified Social Credit Code has 18 characters: digits or capital letters.
err-field-uscc-check = The check character of the Unified Social Credit Code is wrong. Check the code and enter it again.
err-field-phone = Enter an 11-digit mainland China mobile number.
err-field-address-code = Choose a district, county, town or street in Guangdong.
err-field-address-detail = Enter the street address (street, number, building).
err-field-control-characters = This contains invisible control characters. Delete them and try again.
err-field-read-only = This comes from your verified identity and cannot be changed.

## Typed answers in applications (issue 24)

err-step-department = The department carries out “{ $title }”; there is nothing for you to fill in.
err-answers-text = Each answer of this application must be text.
err-submit-invalid-answers = { $count ->
        [one] One answer
       *[other] { $count } answers
    } in step { $step } (“{ $title }”) { $count ->
        [one] needs
       *[other] need
    } correcting. Go back to that step, correct { $count ->
        [one] it
       *[other] them
    } as noted, and submit again.
