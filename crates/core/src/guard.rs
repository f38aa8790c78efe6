//! Stage 2 of the query pipeline: the banned-word guard (敏感词).
//!
//! A query containing a banned word returns no hits and is never recorded.
//! Matching is on the normalised query with spaces and punctuation removed, so
//! `赌 博` or `赌-博` is caught like `赌博`.
//!
//! ```
//! use yuesou_core::BannedWords;
//! let guard = BannedWords::new(&["赌博".to_string()]);
//! assert_eq!(guard.find("网上 赌-博"), Some("赌博".to_string()));
//! assert_eq!(guard.find("社保查询"), None);
//! ```

use aho_corasick::{AhoCorasick, MatchKind};

use crate::segment::is_content;

/// A set of banned words matched in linear time (Aho–Corasick).
#[derive(Debug, Clone)]
pub struct BannedWords {
    matcher: Option<AhoCorasick>,
    words: Vec<String>,
}

impl BannedWords {
    /// Builds the guard from normalised banned words.
    pub fn new(words: &[String]) -> Self {
        let words: Vec<String> = words
            .iter()
            .map(|w| compact(w))
            .filter(|w| !w.is_empty())
            .collect();
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&words)
            .ok()
            .filter(|_| !words.is_empty());
        BannedWords { matcher, words }
    }

    /// The first banned word in a normalised text, if any.
    pub fn find(&self, text: &str) -> Option<String> {
        let matcher = self.matcher.as_ref()?;
        let compacted = compact(text);
        matcher
            .find(&compacted)
            .map(|m| self.words[m.pattern().as_usize()].clone())
    }

    /// Whether a normalised text contains a banned word.
    pub fn is_banned(&self, text: &str) -> bool {
        self.find(text).is_some()
    }
}

/// The text with everything but letters, digits and Chinese characters removed.
fn compact(text: &str) -> String {
    text.chars()
        .filter(|c| is_content(c.encode_utf8(&mut [0; 4])))
        .collect()
}
