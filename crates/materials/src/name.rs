//! The display name of an upload: the client's file name, kept only to be
//! shown back (never a path on the server: blobs are named by their
//! sha256). A name with path separators, control characters or bidi
//! overrides is refused rather than silently changed, so that what the
//! person sees is what they sent (docs/DECISIONS.md).
//!
//! ```
//! use yuesou_materials::display_name;
//!
//! assert_eq!(display_name(" 房产证明.pdf ").unwrap().as_deref(), Some("房产证明.pdf"));
//! assert!(display_name("../../etc/passwd").is_err());
//! assert_eq!(display_name("").unwrap(), None);
//! ```

use crate::error::{MaterialError, Result};

/// The most characters of a display name.
pub const MAX_NAME_CHARS: usize = 120;

/// Characters that reorder text on screen (`evil\u{202e}gpj.exe` shows as
/// `evilexe.jpg`).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The display name of `raw` (trimmed), `None` when blank; refused when it
/// holds `/` or `\`, a control character (C0, DEL, C1), a bidi control,
/// is `.` or `..`, or is longer than [`MAX_NAME_CHARS`].
pub fn display_name(raw: &str) -> Result<Option<String>> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.contains(['/', '\\']) {
        return Err(MaterialError::BadName {
            reason: "path separator",
        });
    }
    if name.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(MaterialError::BadName {
            reason: "control character",
        });
    }
    if name == "." || name == ".." {
        return Err(MaterialError::BadName {
            reason: "not a file name",
        });
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(MaterialError::BadName { reason: "too long" });
    }
    Ok(Some(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_kept_and_dangerous_ones_refused() {
        assert_eq!(
            display_name("身份证 正面.JPG").unwrap().as_deref(),
            Some("身份证 正面.JPG")
        );
        assert_eq!(display_name("   ").unwrap(), None);
        for bad in [
            "a/b.jpg",
            "C:\\x.jpg",
            "x\0.jpg",
            "x\n.jpg",
            "x\u{7f}.jpg",
            "x\u{85}.jpg",
            "evil\u{202e}gpj.exe",
            "..",
        ] {
            assert!(
                matches!(display_name(bad), Err(MaterialError::BadName { .. })),
                "{bad:?}"
            );
        }
        assert!(display_name(&"证".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(display_name(&"证".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
