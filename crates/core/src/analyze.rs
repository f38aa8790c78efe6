//! The query pipeline up to retrieval: normalise ─► guard ─► locate (place
//! names) ─► segment (and drop stop words) ─► expand. Its output, an
//! [`AnalyzedQuery`], is what retrieval and ranking work from, and what a
//! search response reports back.

use serde::Serialize;

use crate::english::EnglishNames;
use crate::expand::{Thesaurus, ThesaurusMatch};
use crate::frames::{Frame, FrameLexicon};
use crate::guard::BannedWords;
use crate::locate::{PlaceMention, PlaceRecognizer};
use crate::normalize::{Normalizer, is_han};
use crate::segment::{QueryWord, Segmenter};

/// How a concept of the query was recognised; it weighs the hits it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MatchKind {
    /// The words as typed.
    Exact,
    /// An official term the thesaurus maps the words to.
    Synonym,
    /// The query was typed as pinyin and read into Chinese.
    Pinyin,
    /// The query had typos (sound, shape or edit) and was corrected.
    Corrected,
}

impl MatchKind {
    /// The ranking weight of a hit matched this way.
    pub fn weight(self) -> f32 {
        match self {
            MatchKind::Exact => 1.0,
            MatchKind::Synonym => 0.92,
            MatchKind::Pinyin => 0.9,
            MatchKind::Corrected => 0.85,
        }
    }
}

/// One unit of meaning in a query: one or more adjacent content words plus the
/// official terms they stand for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Concept {
    /// The words as they appear in the (normalised) query.
    pub text: String,
    /// Its content words.
    pub words: Vec<String>,
    /// Official terms from the thesaurus (may be empty).
    pub synonyms: Vec<String>,
    /// An aspect word (材料, 多久): it asks about a facet of any service and
    /// weighs little in ranking.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub aspect: bool,
}

/// A query after analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyzedQuery {
    /// The query as typed.
    pub original: String,
    /// After normalisation (half-width, lower case, simplified).
    pub normalized: String,
    /// The banned word that blocked the query, if any.
    pub blocked_by: Option<String>,
    /// Stop words that were removed.
    pub stopwords: Vec<String>,
    /// Byte spans of the Chinese stop words of two or more characters in
    /// `normalized` (the corrector leaves them as typed; Latin stop words
    /// such as `can` may be pinyin).
    #[serde(skip)]
    pub filler_spans: Vec<(usize, usize)>,
    /// Byte spans of the Chinese words of two or more characters that
    /// jieba's dictionary knows: the corrector may fix their sound or shape
    /// but not replace a character by a mere edit.
    #[serde(skip)]
    pub word_spans: Vec<(usize, usize)>,
    /// Place names found in the query (they set the location and leave the
    /// text query, unless the query is nothing but places).
    pub places: Vec<PlaceMention>,
    /// The concepts retrieval looks for.
    pub concepts: Vec<Concept>,
    /// The aspect words of the query (what the person wants to know about
    /// the service: 材料, 流程, 多久 …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aspects: Vec<String>,
    /// Who the query is for, when it says (relatives, ages, points): see
    /// [`Frame`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frame: Option<Frame>,
    /// The query names a service in English and asks for no look-up
    /// (`marriage registration`, not `check marriage records`): the service
    /// itself ranks before look-ups about it.
    #[serde(skip)]
    pub english_name: bool,
}

/// Words of an English query's translation that ask for a look-up (check,
/// query, status, records), so look-up services are not demoted.
const LOOKUP_WORDS: [&str; 3] = ["查询", "进度", "记录"];

impl AnalyzedQuery {
    /// Whether the query was blocked by the banned-word guard.
    pub fn is_blocked(&self) -> bool {
        self.blocked_by.is_some()
    }

    /// The content of the query with stop words removed, joined without spaces.
    pub fn content(&self) -> String {
        self.concepts.iter().map(|c| c.text.as_str()).collect()
    }
}

/// Runs the analysis stages in order.
#[derive(Debug, Clone)]
pub struct QueryAnalyzer {
    normalizer: std::sync::Arc<Normalizer>,
    guard: BannedWords,
    places: PlaceRecognizer,
    segmenter: Segmenter,
    thesaurus: Thesaurus,
    aspects: std::collections::HashSet<String>,
    english: EnglishNames,
    frames: FrameLexicon,
}

impl QueryAnalyzer {
    /// Assembles the pipeline from its stages.
    pub fn new(
        normalizer: std::sync::Arc<Normalizer>,
        guard: BannedWords,
        places: PlaceRecognizer,
        segmenter: Segmenter,
        thesaurus: Thesaurus,
    ) -> Self {
        QueryAnalyzer {
            normalizer,
            guard,
            places,
            segmenter,
            thesaurus,
            aspects: std::collections::HashSet::new(),
            english: EnglishNames::default(),
            frames: FrameLexicon::default(),
        }
    }

    /// With these frame words (`frames.tsv`).
    pub fn with_frames(mut self, frames: FrameLexicon) -> Self {
        self.frames = frames;
        self
    }

    /// With these English names of services (`english.tsv`).
    pub fn with_english(mut self, english: EnglishNames) -> Self {
        self.english = english;
        self
    }

    /// The English names.
    pub fn english(&self) -> &EnglishNames {
        &self.english
    }

    /// With these aspect words (材料, 流程, 多久 …).
    pub fn with_aspects(mut self, aspects: &[String]) -> Self {
        self.aspects = aspects.iter().cloned().collect();
        self
    }

    /// The segmenter (shared with indexing).
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The normaliser (shared with indexing).
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// The place-name recogniser.
    pub fn places(&self) -> &PlaceRecognizer {
        &self.places
    }

    /// The thesaurus.
    pub fn thesaurus(&self) -> &Thesaurus {
        &self.thesaurus
    }

    /// The banned-word guard.
    pub fn guard(&self) -> &BannedWords {
        &self.guard
    }

    /// Analyses a raw query.
    pub fn analyze(&self, raw: &str) -> AnalyzedQuery {
        let mut normalized = self.normalizer.normalize(raw);
        let mut english_name = false;
        // English names become Chinese before anything else reads the query.
        if let Some(translated) = self.english.translate(&normalized) {
            normalized = self.normalizer.normalize(&translated);
            english_name = !LOOKUP_WORDS.iter().any(|w| normalized.contains(w));
        }
        let mut analyzed = AnalyzedQuery {
            original: raw.to_string(),
            normalized: normalized.clone(),
            blocked_by: self.guard.find(&normalized),
            stopwords: Vec::new(),
            filler_spans: Vec::new(),
            word_spans: Vec::new(),
            places: Vec::new(),
            concepts: Vec::new(),
            aspects: Vec::new(),
            frame: None,
            english_name,
        };
        if analyzed.is_blocked() {
            return analyzed;
        }
        let entries = self.thesaurus.find(&normalized);
        let words = split_at_entry_ends(
            &self.segmenter,
            &normalized,
            &entries,
            self.segmenter.query_words(&normalized),
        );
        analyzed.filler_spans = words
            .iter()
            .filter(|w| w.stop && w.text.chars().count() >= 2 && w.text.chars().all(is_han))
            .map(|w| (w.start, w.end))
            .collect();
        analyzed.word_spans = words
            .iter()
            .filter(|w| {
                w.text.chars().count() >= 2
                    && w.text.chars().all(is_han)
                    && self.segmenter.has_word(&w.text)
            })
            .map(|w| (w.start, w.end))
            .collect();
        let starts_word = |at: usize| words.iter().any(|w| w.start == at);
        let ends_word = |at: usize| words.iter().any(|w| w.end == at);
        analyzed.places = self.places.find_aligned(&normalized, |start, end| {
            starts_word(start) && ends_word(end)
        });
        let in_place = |w: &QueryWord| {
            analyzed
                .places
                .iter()
                .any(|p| w.start >= p.start && w.end <= p.end)
        };
        let (content, place_words): (Vec<QueryWord>, Vec<QueryWord>) =
            words.iter().cloned().partition(|w| !in_place(w));
        let places = analyzed.places.clone();
        self.build_concepts(&entries, &content, &places, &mut analyzed);
        if analyzed.concepts.is_empty() && !place_words.is_empty() {
            // Nothing but places (深圳): search for the place itself.
            analyzed.stopwords.clear();
            self.build_concepts(&entries, &words, &[], &mut analyzed);
        }
        for concept in &mut analyzed.concepts {
            if self.aspects.contains(&concept.text) {
                concept.aspect = true;
                analyzed.aspects.push(concept.text.clone());
            }
        }
        let frame = self.frames.read(&normalized);
        if !frame.is_empty() {
            analyzed.frame = Some(frame);
        }
        analyzed
    }

    /// Groups words into concepts: a thesaurus entry that starts at a word
    /// and ends on a word boundary (and touches no place) becomes one concept
    /// carrying its official terms; other content words are concepts of their
    /// own; stop words are set aside.
    fn build_concepts(
        &self,
        entries: &[ThesaurusMatch],
        words: &[QueryWord],
        places: &[PlaceMention],
        analyzed: &mut AnalyzedQuery,
    ) {
        let entries: Vec<&ThesaurusMatch> = entries
            .iter()
            .filter(|e| places.iter().all(|p| e.end <= p.start || e.start >= p.end))
            .collect();
        let mut i = 0;
        while i < words.len() {
            let word = &words[i];
            let entry = entries
                .iter()
                .find(|e| e.start == word.start && words[i..].iter().any(|w| w.end == e.end));
            if let Some(entry) = entry {
                let covered: Vec<&QueryWord> = words[i..]
                    .iter()
                    .take_while(|w| w.end <= entry.end)
                    .collect();
                i += covered.len();
                let content: Vec<String> = covered
                    .iter()
                    .filter(|w| !w.stop)
                    .map(|w| w.text.clone())
                    .collect();
                analyzed
                    .stopwords
                    .extend(covered.iter().filter(|w| w.stop).map(|w| w.text.clone()));
                let words_in = if content.is_empty() {
                    vec![entry.term.clone()]
                } else {
                    content
                };
                analyzed.concepts.push(Concept {
                    text: entry.term.clone(),
                    words: words_in,
                    synonyms: entry.officials.clone(),
                    aspect: false,
                });
                continue;
            }
            if word.stop {
                analyzed.stopwords.push(word.text.clone());
            } else {
                analyzed.concepts.push(Concept {
                    text: word.text.clone(),
                    words: vec![word.text.clone()],
                    synonyms: self
                        .thesaurus
                        .officials(&word.text)
                        .map(<[String]>::to_vec)
                        .unwrap_or_default(),
                    aspect: false,
                });
            }
            i += 1;
        }
    }
}

/// Splits a word that a thesaurus entry ends inside of, when both pieces are
/// words: jieba reads 房屋抵押登记 as 房屋 / 抵押登记, which hides the entry
/// 房屋抵押 (→ 不动产抵押权登记); 房屋 / 抵押 / 登记 lets the entry match on
/// word boundaries.
fn split_at_entry_ends(
    segmenter: &Segmenter,
    normalized: &str,
    entries: &[ThesaurusMatch],
    words: Vec<QueryWord>,
) -> Vec<QueryWord> {
    if entries.is_empty() {
        return words;
    }
    let mut out: Vec<QueryWord> = Vec::with_capacity(words.len() + 1);
    for word in words {
        let cut = entries.iter().find(|e| {
            e.start < word.start
                && e.end > word.start
                && e.end < word.end
                && out.iter().any(|w| w.start == e.start)
                && segmenter.has_word(&normalized[word.start..e.end])
                && segmenter.has_word(&normalized[e.end..word.end])
        });
        match cut {
            Some(e) => {
                for (start, end) in [(word.start, e.end), (e.end, word.end)] {
                    let text = normalized[start..end].to_string();
                    out.push(QueryWord {
                        stop: segmenter.is_stopword(&text),
                        text,
                        start,
                        end,
                    });
                }
            }
            None => out.push(word),
        }
    }
    out
}
