//! Stage 6 of the query pipeline: thesaurus expansion (同义词).
//!
//! The government thesaurus maps what people say to what the government calls
//! it (车检 → 机动车检验, 港澳证 → 往来港澳通行证). Entries are found in the
//! normalised query with an Aho–Corasick automaton (leftmost-longest), so a
//! colloquial phrase spanning several words (查违章) is found as a whole.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, MatchKind};

/// A thesaurus entry found in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThesaurusMatch {
    /// Byte offset of the colloquial phrase in the query.
    pub start: usize,
    /// Byte offset of its end.
    pub end: usize,
    /// The colloquial phrase as found.
    pub term: String,
    /// The official terms it stands for.
    pub officials: Vec<String>,
}

/// Colloquial → official term mappings.
#[derive(Debug, Clone)]
pub struct Thesaurus {
    matcher: Option<AhoCorasick>,
    keys: Vec<String>,
    targets: Vec<Vec<String>>,
}

impl Thesaurus {
    /// Builds the matcher from normalised mappings.
    pub fn new(map: &BTreeMap<String, Vec<String>>) -> Self {
        let keys: Vec<String> = map.keys().cloned().collect();
        let targets = map.values().cloned().collect();
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&keys)
            .ok()
            .filter(|_| !keys.is_empty());
        Thesaurus {
            matcher,
            keys,
            targets,
        }
    }

    /// Non-overlapping thesaurus entries in a normalised query, left to right.
    pub fn find(&self, query: &str) -> Vec<ThesaurusMatch> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        matcher
            .find_iter(query)
            .map(|m| ThesaurusMatch {
                start: m.start(),
                end: m.end(),
                term: self.keys[m.pattern().as_usize()].clone(),
                officials: self.targets[m.pattern().as_usize()].clone(),
            })
            .collect()
    }

    /// The official terms of a colloquial term, if it is an entry.
    pub fn officials(&self, term: &str) -> Option<&[String]> {
        self.keys
            .binary_search_by(|k| k.as_str().cmp(term))
            .ok()
            .map(|i| self.targets[i].as_slice())
    }

    /// Every term of the thesaurus, colloquial and official.
    pub fn all_terms(&self) -> impl Iterator<Item = &str> {
        self.keys
            .iter()
            .map(String::as_str)
            .chain(self.targets.iter().flatten().map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_longest_entries() {
        let mut map = BTreeMap::new();
        map.insert("港澳证".to_string(), vec!["往来港澳通行证".to_string()]);
        map.insert("查违章".to_string(), vec!["交通违法查询".to_string()]);
        map.insert("违章".to_string(), vec!["交通违法".to_string()]);
        let t = Thesaurus::new(&map);
        let found = t.find("查违章和港澳证");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].term, "查违章");
        assert_eq!(found[1].officials, vec!["往来港澳通行证"]);
        assert_eq!(t.officials("违章").unwrap(), ["交通违法"]);
        assert!(t.officials("社保").is_none());
    }
}
