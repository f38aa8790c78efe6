## Application materials (uploads)

err-material-not-found = This material cannot be found.
err-material-not-editable = This application is { $status }: its materials can no longer be added or removed.
err-material-too-large = The file is too large: each file may be at most { $max }.
err-material-quota-exceeded = This application's materials may total at most { $max }; delete ones you no longer need first.
err-material-slot-full = This material takes at most { $max } { $max ->
        [one] file
       *[other] files
    }; delete one first.
err-material-unsupported-type = Only JPEG, PNG or WebP images and PDF files can be uploaded (told by the file's content, not its name).
err-material-heic = HEIC/HEIF photos are not accepted yet: export the photo as JPEG in your phone's gallery and upload that (on an iPhone: Settings > Camera > Formats > Most Compatible).
err-material-images-only = This material takes images only (JPEG, PNG, WebP): take a photo or scan it.
err-material-pdf-only = This material takes PDF files only.
err-material-bad-image = The image cannot be read: it may be damaged or incompletely uploaded. Take or choose it again.
err-material-too-many-pixels = The image is too large ({ $width }×{ $height }): reduce it to at most { $max } megapixels.
err-material-bad-pdf = This is not a valid PDF file.
err-material-bad-name = The file name may not contain path separators (/ or \) or control characters: rename it first.
err-material-unknown-slot = This service's flow has no such material.
err-material-no-uploads = This service's flow takes no uploads.
err-material-not-multipart = Upload as multipart/form-data with two fields, slot and file.
err-material-missing-slot = Say which material this is (the slot field).
err-material-missing-file = Choose a file to upload (the file field).
err-material-one-file = Upload one file at a time.
err-material-unknown-field = The upload form takes two fields only: slot and file.
err-material-bad-form = The upload is malformed; try again.
err-material-incomplete = The file was not uploaded completely; try again.
err-material-unavailable = Material storage is unavailable for now; try again shortly.
