//! Stage 4 of the query pipeline: word segmentation (jieba with the
//! government user dictionary) and stop-word removal.
//!
//! The same segmenter tokenises catalogue text for the index and queries for
//! retrieval, so both sides agree on what a word is.

use std::collections::HashSet;
use std::sync::Arc;

use jieba_rs::Jieba;

use crate::dictionaries::UserWord;
use crate::normalize::is_han;

/// A word of a query with its byte span in the normalised query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    /// The word.
    pub text: String,
    /// Byte offset of its start in the normalised query.
    pub start: usize,
    /// Byte offset of its end.
    pub end: usize,
    /// Whether it is a stop word (query filler such as 我想, 怎么).
    pub stop: bool,
}

/// jieba segmentation shared by indexing and querying. Cheap to clone: the
/// dictionary (~33 MB) is held behind an `Arc`.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
    stopwords: Arc<HashSet<String>>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("stopwords", &self.stopwords.len())
            .finish()
    }
}

impl Segmenter {
    /// Builds jieba's default dictionary plus the user dictionary. The
    /// `extra_words` (catalogue titles' vocabulary, thesaurus terms, place
    /// names) are added with a modest frequency so they segment whole unless
    /// the user dictionary says otherwise.
    pub fn new(user_words: &[UserWord], extra_words: &[String], stopwords: &[String]) -> Self {
        let mut jieba = Jieba::new();
        for word in extra_words {
            if word.chars().count() >= 2 && !jieba.has_word(word) {
                jieba.add_word(word, Some(3_000), None);
            }
        }
        for w in user_words {
            jieba.add_word(&w.word, Some(w.freq), w.tag.as_deref());
        }
        Segmenter {
            jieba: Arc::new(jieba),
            stopwords: Arc::new(stopwords.iter().cloned().collect()),
        }
    }

    /// Whether jieba's dictionary (default, user and extra words) has `word`.
    pub fn has_word(&self, word: &str) -> bool {
        self.jieba.has_word(word)
    }

    /// Whether a word is a stop word.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// Index tokens of a normalised text: jieba search mode (whole words and
    /// the dictionary words inside them), without punctuation or spaces.
    pub fn index_tokens(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .jieba
            .cut_for_search(text, false)
            .into_iter()
            .filter(|t| is_content(t.word))
            .map(|t| t.word.to_string())
            .collect();
        out.dedup();
        out
    }

    /// Byte spans of the search-mode words of a normalised text (whole words
    /// and the dictionary words inside them), content only.
    pub fn search_spans(&self, text: &str) -> Vec<(usize, usize)> {
        let mut spans: Vec<(usize, usize)> = self
            .jieba
            .cut_for_search(text, false)
            .into_iter()
            .filter(|t| is_content(t.word))
            .map(|t| (t.byte_start, t.byte_end))
            .collect();
        spans.sort_unstable();
        spans.dedup();
        spans
    }

    /// The search-mode sub-words of one query word (the word itself first).
    pub fn subwords(&self, word: &str) -> Vec<String> {
        let mut out = vec![word.to_string()];
        for t in self.jieba.cut_for_search(word, false) {
            if is_content(t.word) && !out.iter().any(|w| w == t.word) {
                out.push(t.word.to_string());
            }
        }
        out
    }

    /// Words of a normalised query (jieba precise mode), each flagged as stop
    /// word or content. Punctuation and spaces are dropped.
    pub fn query_words(&self, query: &str) -> Vec<QueryWord> {
        self.jieba
            .cut(query, false)
            .into_iter()
            .filter(|t| is_content(t.word))
            .map(|t| QueryWord {
                text: t.word.to_string(),
                start: t.byte_start,
                end: t.byte_end,
                stop: self.stopwords.contains(t.word),
            })
            .collect()
    }
}

/// Whether a token carries content: it has a letter, digit or Chinese character.
pub fn is_content(token: &str) -> bool {
    token.chars().any(|c| c.is_alphanumeric() || is_han(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segmenter() -> Segmenter {
        let words = ["社会保障卡", "社保卡", "补换", "往来港澳通行证", "我想"]
            .iter()
            .map(|w| UserWord {
                word: w.to_string(),
                freq: 50_000,
                tag: None,
            })
            .collect::<Vec<_>>();
        Segmenter::new(&words, &[], &["我想".into(), "一下".into(), "怎么".into()])
    }

    #[test]
    fn keeps_government_terms_whole_and_flags_stop_words() {
        let s = segmenter();
        let words = s.query_words("我想补换社保卡，怎么办");
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert!(texts.contains(&"社保卡"), "{texts:?}");
        assert!(texts.contains(&"补换"), "{texts:?}");
        assert!(
            words
                .iter()
                .find(|w| w.text == "我想")
                .is_some_and(|w| w.stop)
        );
        assert!(!texts.contains(&"，"));
    }

    #[test]
    fn index_tokens_include_whole_words_and_parts() {
        let s = segmenter();
        let tokens = s.index_tokens("往来港澳通行证签注");
        assert!(tokens.contains(&"往来港澳通行证".to_string()), "{tokens:?}");
        assert!(tokens.contains(&"通行证".to_string()), "{tokens:?}");
    }
}
