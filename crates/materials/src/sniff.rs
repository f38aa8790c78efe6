//! What a file is, read from its first bytes (magic numbers, the `infer`
//! crate) — never from the client's `Content-Type` or the file's name.
//!
//! ```
//! use yuesou_materials::{Kind, sniff};
//!
//! assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").unwrap(), Kind::Pdf);
//! // An executable named photo.jpg is still an executable.
//! assert!(sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0").is_err());
//! ```

use crate::error::{MaterialError, Result};

/// How many leading bytes [`sniff`] needs to decide (fewer only for a
/// shorter file).
pub const SNIFF_BYTES: usize = 64;

/// An accepted kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A JPEG photo.
    Jpeg,
    /// A PNG image.
    Png,
    /// A WebP image.
    Webp,
    /// A PDF document.
    Pdf,
}

impl Kind {
    /// Whether it is an image (decoded and re-encoded) rather than a PDF
    /// (kept as sent).
    pub fn is_image(self) -> bool {
        !matches!(self, Kind::Pdf)
    }

    /// `image` or `pdf`, as a flow's `accept` names it.
    pub fn accept_name(self) -> &'static str {
        if self.is_image() { "image" } else { "pdf" }
    }

    /// The media type of the bytes received.
    pub fn media_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
            Kind::Pdf => "application/pdf",
        }
    }
}

/// The kind of a file from its first bytes ([`SNIFF_BYTES`] of them, or
/// the whole file when shorter): JPEG, PNG, WebP or PDF, else
/// [`MaterialError::Heic`] for HEIC/HEIF photos and
/// [`MaterialError::UnsupportedType`] for everything else (executables,
/// archives, other image formats, text).
pub fn sniff(head: &[u8]) -> Result<Kind> {
    // A PDF may have a few bytes before its header; readers accept up to
    // 1024 of them, we accept none (the department's tools may not).
    if head.starts_with(b"%PDF-") {
        return Ok(Kind::Pdf);
    }
    let Some(found) = infer::get(head) else {
        return Err(MaterialError::UnsupportedType {
            found: "unknown".into(),
        });
    };
    match found.mime_type() {
        "image/jpeg" => Ok(Kind::Jpeg),
        "image/png" => Ok(Kind::Png),
        "image/webp" => Ok(Kind::Webp),
        "image/heif" | "image/heic" | "image/heif-sequence" | "image/heic-sequence" => {
            Err(MaterialError::Heic)
        }
        other => Err(MaterialError::UnsupportedType {
            found: other.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_kinds_are_told_by_their_magic_numbers() {
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0").unwrap(), Kind::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap(), Kind::Png);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 ").unwrap(), Kind::Webp);
        assert_eq!(sniff(b"%PDF-1.4\n").unwrap(), Kind::Pdf);
    }

    #[test]
    fn everything_else_is_refused() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert!(matches!(sniff(heic), Err(MaterialError::Heic)));
        for other in [
            &b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0"[..],
            b"\x7fELF\x02\x01\x01\0",
            b"PK\x03\x04\x14\0\0\0",
            b"GIF89a\x01\0\x01\0",
            b"<html><body>",
            b"",
            b"  %PDF-1.4",
        ] {
            assert!(
                matches!(sniff(other), Err(MaterialError::UnsupportedType { .. })),
                "{other:?}"
            );
        }
    }
}
