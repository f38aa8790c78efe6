//! How a search reads: the key two searches share when they ask the same
//! thing (after normalisation, pinyin and typo correction), what a hot list
//! shows, and what a history keeps — never for blocked queries or queries
//! holding personal numbers.

use yuesou_centre::identity::contains_personal_number;
use yuesou_core::{Engine, SearchResponse};

/// Longest query (in characters) that may appear in the hot list.
pub(crate) const HOT_QUERY_CHARS: usize = 30;

/// How a search reads, for counting and remembering it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    /// What makes two queries the same: the searched reading (after
    /// normalisation, pinyin and typo correction) without spaces.
    pub key: String,
    /// The reading to show in hot lists.
    pub display: String,
    /// The query as typed (trimmed), for history.
    pub typed: String,
    /// Whether it may count towards hot searches (it found something).
    pub countable: bool,
}

impl Reading {
    /// The reading of a search's response; none for blocked queries,
    /// empty ones and those holding personal numbers.
    pub fn of(typed: &str, response: &SearchResponse) -> Option<Reading> {
        let typed = typed.trim();
        if typed.is_empty()
            || response.query.is_blocked()
            || contains_personal_number(typed)
            || contains_personal_number(&response.query.normalized)
        {
            return None;
        }
        let searched = response
            .correction
            .as_ref()
            .map_or(response.query.normalized.as_str(), |c| c.corrected.as_str());
        Reading::build(typed, searched, response.total > 0 && !response.relaxed)
    }

    /// The reading of a query from analysis alone (when the search's own
    /// response is no longer at hand): no correction, not counted as hot.
    pub fn analysed(typed: &str, engine: &Engine) -> Option<Reading> {
        let typed = typed.trim();
        let analysed = engine.analyzer().analyze(typed);
        if typed.is_empty() || analysed.is_blocked() || contains_personal_number(typed) {
            return None;
        }
        Reading::build(typed, &analysed.normalized, false)
    }

    fn build(typed: &str, searched: &str, found: bool) -> Option<Reading> {
        let display = searched.split_whitespace().collect::<Vec<_>>().join(" ");
        let key = key_of(&display);
        if key.is_empty() {
            return None;
        }
        let countable = found
            && display.chars().count() <= HOT_QUERY_CHARS
            && !contains_personal_number(&display);
        Some(Reading {
            key,
            display,
            typed: typed.to_string(),
            countable,
        })
    }
}

/// The key of a normalised reading: without spaces, lower case.
pub fn key_of(normalised: &str) -> String {
    normalised
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_key_on_what_was_searched() {
        let a = Reading::build("公积金 提取", "公积金 提取", true).unwrap();
        let b = Reading::build("gjjtq", "公积金提取", true).unwrap();
        assert_eq!(a.key, b.key);
        assert_eq!(b.typed, "gjjtq");
        assert_eq!(a.display, "公积金 提取");
        assert!(Reading::build(" ", " ", true).is_none());
        let long = "很".repeat(HOT_QUERY_CHARS + 1);
        assert!(!Reading::build(&long, &long, true).unwrap().countable);
        assert!(!Reading::build("社保", "社保", false).unwrap().countable);
    }
}
