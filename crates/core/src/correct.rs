//! Stage 5 of the query pipeline: reading pinyin and correcting typos (错别字).
//!
//! People type full pinyin (`hukou qianyi`), initials (`hkqy`), a mix
//! (`港澳tong行证`, `jtwf查询`), characters that sound alike (`养老金查洵`) or
//! look alike (`证眀`). All of these are solved by one mechanism: find, over
//! the query, the best cover by words of the catalogue's own *vocabulary*
//! (title words, titles, aliases, keywords, thesaurus terms, place names, hot
//! queries), where a vocabulary word may match a stretch of the query
//!
//! - character for character (exact),
//! - by a similar-shape character (`similar_shapes.tsv`),
//! - by sound: any reading of the typed character, or its fuzzy key (z/zh,
//!   c/ch, s/sh, n/l, f/h, an/ang, en/eng, in/ing),
//! - by typed pinyin: a full syllable, a fuzzy spelling, a syllable with one
//!   letter dropped, added or swapped (optimal string alignment distance 1,
//!   checked against strsim in the tests), or its initial,
//! - and, in words of three or more characters, with one character wrong.
//!
//! A dynamic programme picks the cover that explains the most of the query
//! with the best match quality. The engine only uses the result when the
//! query as typed does not already match well (社保 never becomes 医保).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use foldhash::fast::RandomState;

use serde::Serialize;

use crate::normalize::is_han;
use crate::pinyin::{PinyinConverter, char_readings, fuzzy_key, fuzzy_spellings, split_initial};

/// Longest vocabulary entry, in characters.
const MAX_WORD_CHARS: usize = 12;
/// Longest query the corrector looks at, in characters (bounds the work).
const MAX_QUERY_UNITS: usize = 40;

/// How a stretch of the query was corrected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CorrectionKind {
    /// Typed as full pinyin.
    Pinyin,
    /// Typed as pinyin initials.
    Initials,
    /// Fuzzy pinyin (accent confusions) or a pinyin letter typo.
    FuzzyPinyin,
    /// A character that sounds like the intended one (同音/近音字).
    Homophone,
    /// A character that looks like the intended one (形近字).
    Shape,
    /// One character wrong in a longer word (edit distance).
    Edit,
}

/// One cell of the cover DP: (score, where the piece started, the vocabulary
/// word it was read as, or `None` for a unit kept as typed, correction flags).
type Cell = Option<(f32, usize, Option<u32>, u8)>;

const EXACT: u8 = 0;
const PINYIN: u8 = 1;
const INITIALS: u8 = 2;
const FUZZY: u8 = 4;
const HOMOPHONE: u8 = 8;
const SHAPE: u8 = 16;
const EDIT: u8 = 32;

fn kinds(flags: u8) -> Vec<CorrectionKind> {
    [
        (PINYIN, CorrectionKind::Pinyin),
        (INITIALS, CorrectionKind::Initials),
        (FUZZY, CorrectionKind::FuzzyPinyin),
        (HOMOPHONE, CorrectionKind::Homophone),
        (SHAPE, CorrectionKind::Shape),
        (EDIT, CorrectionKind::Edit),
    ]
    .into_iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, k)| k)
    .collect()
}

/// A query rewritten into vocabulary words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    /// The normalised query as typed.
    pub original: String,
    /// The rewritten query.
    pub corrected: String,
    /// What kinds of rewriting were involved.
    pub kinds: Vec<CorrectionKind>,
    /// Words read from sound (pinyin or homophones) with the other
    /// vocabulary words that sound the same (积分 → 记分): the ranking lets
    /// the catalogue decide between them.
    #[serde(skip)]
    pub homophones: Vec<(String, Vec<String>)>,
}

impl Correction {
    /// Whether the query was typed (at least partly) as pinyin rather than
    /// mistyped.
    pub fn is_pinyin_input(&self) -> bool {
        self.kinds.iter().all(|k| {
            matches!(
                k,
                CorrectionKind::Pinyin | CorrectionKind::Initials | CorrectionKind::FuzzyPinyin
            )
        })
    }
}

/// One character of a vocabulary word with the ids of its syllable and of
/// its fuzzy key.
#[derive(Debug, Clone, Copy, Default)]
struct Sound {
    ch: char,
    syllable: u16,
    fuzzy: u16,
}

#[derive(Debug, Clone)]
struct Word {
    text: String,
    /// Per character (the first `syllables.len()`): the character and the
    /// ids of its syllable and fuzzy key, inline in the word (no pointer to
    /// follow: matching is bound by memory, not arithmetic).
    sounds: [Sound; MAX_WORD_CHARS],
    /// One per character (readings are validated to be).
    syllables: Vec<String>,
    prior: f32,
}

impl Word {
    /// Its characters' sounds.
    fn sounds(&self) -> &[Sound] {
        &self.sounds[..self.syllables.len()]
    }

    /// Its characters.
    fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.sounds().iter().map(|s| s.ch)
    }
}

/// The vocabulary the corrector rewrites into, indexed for lookup by first
/// character, first syllable's fuzzy key and first letter.
#[derive(Debug, Clone, Default)]
pub struct Corrector {
    words: Vec<Word>,
    by_char: HashMap<char, Vec<u32>>,
    by_fuzzy: HashMap<u16, Vec<u32>>,
    /// Words by how their first two characters may be typed: each word
    /// under the four keys (first character or its fuzzy sound id, second
    /// character or its fuzzy sound id) — see [`pair_key`].
    by_pair: HashMap<(u32, u32), Vec<u32>, RandomState>,
    /// Words of three or more characters by their first character (a
    /// character edit may follow an exact first character).
    by_char_long: HashMap<char, Vec<u32>, RandomState>,
    /// Syllables and fuzzy keys as small integers, so matching a typed
    /// character's readings compares numbers, not strings.
    sounds: HashMap<String, u16>,
    /// Per sound id that is a syllable of a word: how it may be spelt.
    spellings: Vec<Option<Spellings>>,
    /// Words by the letters their pinyin may start with (see
    /// [`confusable_letters`]), partitioned by first syllable: how a first
    /// syllable may be typed depends on the syllable only, so a syllable
    /// that cannot start here rules out all of its words at once.
    by_letter: HashMap<u8, Vec<SyllableWords>>,
    /// Words by the ids of their syllables (homophones share an entry).
    by_sound: HashMap<Vec<u16>, Vec<u32>>,
    /// Words by their text.
    by_text: HashMap<String, u32>,
    /// Per character of the vocabulary and the shape confusions: the ids of
    /// its readings and of their fuzzy keys, computed once (other
    /// characters are read when a query has them).
    char_sounds: HashMap<char, CharSounds>,
    /// How many vocabulary words share each initials string (hk: 户口, 获客 …):
    /// a reading from initials is only as good as it is unambiguous.
    initials_count: HashMap<String, u32>,
    shapes: HashMap<char, Vec<char>>,
}

/// The words of one letter list that share a first syllable.
#[derive(Debug, Clone)]
struct SyllableWords {
    /// The first syllable's id.
    syllable: u16,
    /// The words, in vocabulary order.
    words: Vec<LetterProbe>,
}

/// What the letter scan reads of a word to rule it out, kept beside its id:
/// ruling out a word then reads this list in order, not the scattered
/// [`Word`] (whose loads dominated the scan).
#[derive(Debug, Clone, Copy)]
struct LetterProbe {
    id: u32,
    /// Letters that may follow the first typed letter when this word is
    /// typed as pinyin, fuzzy pinyin or initials (bit per letter a–z).
    second_letters: u32,
    /// Letters the second syllable may start with when typed as pinyin,
    /// fuzzy pinyin or initials (bit per letter a–z; 0 for one syllable).
    next_letters: u32,
    /// The second character, with its syllable's id and fuzzy key id.
    second_char: char,
    second_syllable: u16,
    second_fuzzy: u16,
    /// Number of syllables (one per character).
    syllables: u8,
}

/// How one syllable may be typed: spelt out, a fuzzy spelling of it, its
/// initial (see [`syllable_steps`]). One per syllable, shared by every word
/// that has it.
#[derive(Debug, Clone)]
struct Spellings {
    syllable: String,
    /// The other spellings with the same fuzzy key.
    fuzzy: Vec<String>,
    /// Its initial (声母), or its first letter when it has none.
    initial: String,
}

/// The sounds of a character: ids of its readings and of their fuzzy keys
/// (sorted, unique); unknown sounds are `u16::MAX` and match nothing.
#[derive(Debug, Clone, Default)]
struct CharSounds {
    readings: Vec<u16>,
    fuzzy: Vec<u16>,
}

#[derive(Debug, Clone)]
enum Unit {
    Han {
        ch: char,
        /// Ids of every reading of the character.
        readings: Vec<u16>,
        /// Ids of their fuzzy keys.
        fuzzy: Vec<u16>,
    },
    Letter(u8),
    Separator,
    Other(char),
}

impl Corrector {
    /// Builds the corrector from vocabulary entries (text → frequency) and
    /// shape confusions (wrong → right, characters or equal-length words).
    pub fn new(
        vocabulary: &BTreeMap<String, u32>,
        shapes: &BTreeMap<String, String>,
        pinyin: &PinyinConverter,
    ) -> Self {
        let mut c = Corrector::default();
        for (text, freq) in vocabulary {
            let chars: Vec<char> = text.chars().collect();
            if chars.len() < 2
                || chars.len() > MAX_WORD_CHARS
                || !chars.iter().all(|ch| is_han(*ch))
            {
                continue;
            }
            let Some(syllables) = pinyin
                .syllables(text)
                .into_iter()
                .collect::<Option<Vec<String>>>()
            else {
                continue;
            };
            let fuzzy: Vec<String> = syllables.iter().map(|s| fuzzy_key(s)).collect();
            let syllable_ids: Vec<u16> = syllables.iter().map(|s| c.sound_id(s)).collect();
            let fuzzy_ids: Vec<u16> = fuzzy.iter().map(|f| c.sound_id(f)).collect();
            *c.initials_count.entry(initials_of(&syllables)).or_default() += 1;
            let id = c.words.len() as u32;
            c.by_sound.entry(syllable_ids.clone()).or_default().push(id);
            c.by_text.entry(text.clone()).or_insert(id);
            c.by_char.entry(chars[0]).or_default().push(id);
            c.by_fuzzy.entry(fuzzy_ids[0]).or_default().push(id);
            for first in [PairKey::Char(chars[0]), PairKey::Sound(fuzzy_ids[0])] {
                for second in [PairKey::Char(chars[1]), PairKey::Sound(fuzzy_ids[1])] {
                    let list = c.by_pair.entry((pair_key(first), pair_key(second)));
                    list.or_default().push(id);
                }
            }
            if chars.len() >= 3 {
                c.by_char_long.entry(chars[0]).or_default().push(id);
            }
            let spellings: Vec<Vec<String>> = syllables
                .iter()
                .map(|s| fuzzy_spellings(s).into_iter().filter(|f| f != s).collect())
                .collect();
            let initials: Vec<String> = syllables
                .iter()
                .map(|s| match split_initial(s) {
                    ("", _) => s[..1].to_string(),
                    (initial, _) => initial.to_string(),
                })
                .collect();
            let second_letters = second_letters(&syllables, &spellings, &initials);
            let next_letters = syllables.get(1).map_or(0, |next| {
                std::iter::once(next)
                    .chain(&spellings[1])
                    .filter_map(|s| s.bytes().next())
                    .filter(u8::is_ascii_lowercase)
                    .fold(0u32, |mask, b| mask | 1 << (b - b'a'))
            });
            for (k, &sound) in syllable_ids.iter().enumerate() {
                let slot = sound as usize;
                if c.spellings.len() <= slot {
                    c.spellings.resize(slot + 1, None);
                }
                c.spellings[slot].get_or_insert_with(|| Spellings {
                    syllable: syllables[k].clone(),
                    fuzzy: spellings[k].clone(),
                    initial: initials[k].clone(),
                });
            }
            let probe = LetterProbe {
                id,
                second_letters,
                next_letters,
                second_char: chars[1],
                second_syllable: syllable_ids[1],
                second_fuzzy: fuzzy_ids[1],
                syllables: syllables.len() as u8,
            };
            for letter in confusable_letters(syllables[0].as_bytes()[0]) {
                let lists = c.by_letter.entry(letter).or_default();
                match lists.iter_mut().find(|l| l.syllable == syllable_ids[0]) {
                    Some(list) => list.words.push(probe),
                    None => lists.push(SyllableWords {
                        syllable: syllable_ids[0],
                        words: vec![probe],
                    }),
                }
            }
            let mut sounds = [Sound::default(); MAX_WORD_CHARS];
            for (k, sound) in sounds.iter_mut().enumerate().take(chars.len()) {
                *sound = Sound {
                    ch: chars[k],
                    syllable: syllable_ids[k],
                    fuzzy: fuzzy_ids[k],
                };
            }
            c.words.push(Word {
                text: text.clone(),
                sounds,
                syllables,
                prior: 0.05 * (1.0 + *freq as f32).ln(),
            });
        }
        for (wrong, right) in shapes {
            for (w, r) in wrong.chars().zip(right.chars()) {
                if w != r {
                    let alternatives = c.shapes.entry(w).or_default();
                    if !alternatives.contains(&r) {
                        alternatives.push(r);
                    }
                }
            }
        }
        let chars: Vec<char> = c
            .words
            .iter()
            .flat_map(Word::chars)
            .chain(c.shapes.keys().copied())
            .collect();
        for ch in chars {
            if !c.char_sounds.contains_key(&ch) {
                let sounds = c.read_char(ch);
                c.char_sounds.insert(ch, sounds);
            }
        }
        c
    }

    /// The sounds of a character, looked up in the sound table.
    fn read_char(&self, ch: char) -> CharSounds {
        let id = |sound: &str| self.sounds.get(sound).copied().unwrap_or(u16::MAX);
        let readings = char_readings(ch);
        let mut fuzzy: Vec<u16> = readings.iter().map(|r| id(&fuzzy_key(r))).collect();
        fuzzy.sort_unstable();
        fuzzy.dedup();
        CharSounds {
            readings: readings.iter().map(|r| id(r)).collect(),
            fuzzy,
        }
    }

    /// The sounds of a character (precomputed for the vocabulary's).
    fn sounds_of(&self, ch: char) -> std::borrow::Cow<'_, CharSounds> {
        match self.char_sounds.get(&ch) {
            Some(sounds) => std::borrow::Cow::Borrowed(sounds),
            None => std::borrow::Cow::Owned(self.read_char(ch)),
        }
    }

    /// The id of a syllable or fuzzy key, added to the table if new.
    fn sound_id(&mut self, sound: &str) -> u16 {
        let next = self.sounds.len().min(u16::MAX as usize - 1) as u16;
        *self.sounds.entry(sound.to_string()).or_insert(next)
    }

    /// Number of vocabulary words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary is empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether `text` (Chinese) is no vocabulary word but sounds exactly
    /// like one, tones aside (公基金 like 公积金, 婚姻等级 like 婚姻登记):
    /// a homophone typo whose parts are real words (公 + 基金) hides from
    /// an unknown-word check, not from its sound. Every reading of each
    /// character counts (at most 64 combinations are tried).
    pub fn sounds_like_another_word(&self, text: &str) -> bool {
        self.sound_alike(text).is_some()
    }

    /// The vocabulary word that sounds exactly like `text` (Chinese, tones
    /// aside) when `text` itself is no vocabulary word: the most frequent
    /// of them (婚姻等级 → 婚姻登记). See
    /// [`sounds_like_another_word`](Self::sounds_like_another_word).
    pub fn sound_alike(&self, text: &str) -> Option<&str> {
        if text.chars().count() < 2 || !text.chars().all(is_han) || self.knows(text) {
            return None;
        }
        let mut sounds = Vec::new();
        let mut combinations = 1;
        for ch in text.chars() {
            let s = self.sounds_of(ch);
            combinations *= s.readings.len();
            if s.readings.is_empty() || combinations > 64 {
                return None;
            }
            sounds.push(s);
        }
        // Every combination of readings, as syllable ids (an odometer).
        let mut best: Option<u32> = None;
        let mut at = vec![0usize; sounds.len()];
        let mut key: Vec<u16> = sounds.iter().map(|s| s.readings[0]).collect();
        loop {
            for &id in self.by_sound.get(&key).into_iter().flatten() {
                let prior = |i: u32| self.words[i as usize].prior;
                if best.is_none_or(|b| prior(id) > prior(b)) {
                    best = Some(id);
                }
            }
            let mut i = 0;
            loop {
                if i == at.len() {
                    return best.map(|id| self.words[id as usize].text.as_str());
                }
                at[i] += 1;
                if at[i] < sounds[i].readings.len() {
                    key[i] = sounds[i].readings[at[i]];
                    break;
                }
                at[i] = 0;
                key[i] = sounds[i].readings[0];
                i += 1;
            }
        }
    }

    /// Whether `text` is a vocabulary word.
    pub fn knows(&self, text: &str) -> bool {
        self.by_text.contains_key(text)
    }

    /// Rewrites a normalised query into vocabulary words, or `None` when the
    /// best reading is the query itself.
    pub fn correct(&self, query: &str) -> Option<Correction> {
        self.correct_keeping(query, &[])
    }

    /// [`correct`](Self::correct), leaving the given byte spans of the query
    /// as typed (filler such as 知道 or 怎么 is never a typo for 指导).
    pub fn correct_keeping(&self, query: &str, keep: &[(usize, usize)]) -> Option<Correction> {
        self.correct_guarded(query, keep, &[])
    }

    /// [`correct_keeping`](Self::correct_keeping), and no character of the
    /// `words` spans (real words of the query as typed, such as 乡下) is
    /// replaced by a mere edit: a word that exists was typed on purpose, and
    /// only its sound or shape can say it is a typo (货款 → 贷款 still is).
    pub fn correct_guarded(
        &self,
        query: &str,
        keep: &[(usize, usize)],
        words: &[(usize, usize)],
    ) -> Option<Correction> {
        let units = self.units(query);
        let within = |spans: &[(usize, usize)]| -> Vec<bool> {
            query
                .char_indices()
                .map(|(at, _)| spans.iter().any(|&(s, e)| at >= s && at < e))
                .collect()
        };
        let locked = within(keep);
        if units.is_empty() || units.len() > MAX_QUERY_UNITS {
            return None;
        }
        let n = units.len();
        let typed = Query::new(units, self, within(words));
        let units = &typed.units;
        // best[p] = (score, back pointer (start, word or None), flags)
        let mut best: Vec<Cell> = vec![None; n + 1];
        best[0] = Some((0.0, 0, None, EXACT));
        let mut matches = Vec::new();
        let mut candidates: Vec<u32> = Vec::new();
        let mut seen = vec![0u64; self.words.len().div_ceil(64)];
        for p in 0..n {
            let Some((base, ..)) = best[p] else { continue };
            // Keep the unit as typed. A run of letters is kept or read as a
            // whole: pinyin typed as one word is read completely or not at
            // all, so no reading picks syllables out of an English word
            // (`passport` is not 怕 + …).
            match units[p] {
                Unit::Han { .. } => relax(&mut best, p + 1, base + 0.2, p, None, EXACT),
                Unit::Letter(_) if p > 0 && matches!(units[p - 1], Unit::Letter(_)) => {}
                Unit::Letter(_) => {
                    relax(&mut best, typed.run_end[p], base, p, None, EXACT);
                }
                _ => relax(&mut best, p + 1, base, p, None, EXACT),
            }
            if matches!(units[p], Unit::Separator | Unit::Other(_)) || locked[p] {
                continue;
            }
            self.candidates(&typed, p, &mut candidates, &mut seen);
            for &id in &candidates {
                let word = &self.words[id as usize];
                matches.clear();
                match_word(word, &typed, 0, p, 0.0, EXACT, false, &mut matches);
                for &(end, quality, flags) in &matches {
                    if locked[p..end].iter().any(|l| *l) {
                        continue;
                    }
                    let consumed = units[p..end]
                        .iter()
                        .filter(|u| !matches!(u, Unit::Separator))
                        .count();
                    if !acceptable(word, flags, quality, consumed) {
                        continue;
                    }
                    let ambiguity = if flags & INITIALS != 0 {
                        let same = self
                            .initials_count
                            .get(&initials_of(&word.syllables))
                            .copied()
                            .unwrap_or(1);
                        INITIALS_AMBIGUITY * (same as f32).ln()
                    } else {
                        0.0
                    };
                    relax_word(
                        &mut best,
                        end,
                        base + quality + word.prior - ambiguity - WORD_COST,
                        p,
                        id,
                        flags,
                    );
                }
            }
        }
        // Walk back.
        let mut pieces: Vec<(usize, usize, Option<u32>, u8)> = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, start, word, flags) = best[end]?;
            pieces.push((start, end, word, flags));
            end = start;
        }
        pieces.reverse();
        let mut corrected = String::new();
        let mut all_flags = EXACT;
        let mut homophones = Vec::new();
        for (start, end, word, flags) in pieces {
            match word {
                Some(id) => {
                    if !corrected.is_empty() && !corrected.ends_with(' ') {
                        corrected.push(' ');
                    }
                    let word = &self.words[id as usize];
                    corrected.push_str(&word.text);
                    corrected.push(' ');
                    all_flags |= flags;
                    if flags & (PINYIN | HOMOPHONE) != 0 && flags & INITIALS == 0 {
                        let ids: Vec<u16> = word.sounds().iter().map(|s| s.syllable).collect();
                        let same: Vec<String> = self
                            .by_sound
                            .get(&ids)
                            .into_iter()
                            .flatten()
                            .map(|&i| self.words[i as usize].text.clone())
                            .filter(|t| *t != word.text)
                            .take(6)
                            .collect();
                        if !same.is_empty() {
                            homophones.push((word.text.clone(), same));
                        }
                    }
                }
                None => {
                    for unit in &units[start..end] {
                        match unit {
                            Unit::Han { ch, .. } | Unit::Other(ch) => corrected.push(*ch),
                            Unit::Letter(b) => corrected.push(*b as char),
                            Unit::Separator => corrected.push(' '),
                        }
                    }
                }
            }
        }
        let corrected =
            crate::normalize::join_han(&corrected.split_whitespace().collect::<Vec<_>>().join(" "));
        let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if all_flags == EXACT || compact(&corrected) == compact(query) {
            return None;
        }
        Some(Correction {
            original: query.to_string(),
            corrected,
            kinds: kinds(all_flags),
            homophones,
        })
    }

    /// Words that may start at unit `p`, each once, into `out`: by its
    /// character, look-alikes and sound for a Chinese character; by first
    /// letter (and what may follow it) for a letter. Words that
    /// [`second_may_match`] or [`AfterFirst::may_match`] rule out are left
    /// out. They come in no particular order ([`relax_word`] breaks ties as
    /// vocabulary order would); `seen` is a bit per vocabulary word, all
    /// clear, and is left clear.
    fn candidates(&self, typed: &Query<'_>, p: usize, out: &mut Vec<u32>, seen: &mut [u64]) {
        out.clear();
        match &typed.units[p] {
            Unit::Han { ch, fuzzy, .. } => {
                let mut q = p + 1;
                while q < typed.units.len() && matches!(typed.units[q], Unit::Separator) {
                    q += 1;
                }
                // Exactly the words [`second_may_match`] keeps: found by a
                // first and a second character (as typed, by shape or by
                // fuzzy sound — a reading always shares its fuzzy key), or
                // long enough for an edit after an exact first character.
                match &typed.units.get(q) {
                    Some(Unit::Han {
                        ch: next,
                        fuzzy: next_fuzzy,
                        ..
                    }) => {
                        let keys = |c: &char, alts: &[char], sounds: &[u16]| -> Vec<u32> {
                            std::iter::once(c)
                                .chain(alts)
                                .map(|&c| pair_key(PairKey::Char(c)))
                                .chain(sounds.iter().map(|&s| pair_key(PairKey::Sound(s))))
                                .collect()
                        };
                        let seconds = keys(next, typed.alts[q], next_fuzzy);
                        for first in keys(ch, typed.alts[p], fuzzy) {
                            for &second in &seconds {
                                if let Some(list) = self.by_pair.get(&(first, second)) {
                                    add_unseen(list, seen, out);
                                }
                            }
                        }
                        if !typed.no_edit.get(q).copied().unwrap_or(false)
                            && let Some(list) = self.by_char_long.get(ch)
                        {
                            add_unseen(list, seen, out);
                        }
                    }
                    Some(Unit::Letter(_)) => {
                        let lists = std::iter::once(ch)
                            .chain(typed.alts[p])
                            .filter_map(|c| self.by_char.get(c))
                            .chain(fuzzy.iter().filter_map(|key| self.by_fuzzy.get(key)));
                        for list in lists {
                            add_unseen(list, seen, out);
                        }
                    }
                    _ => {}
                }
                for &id in out.iter() {
                    seen[id as usize / 64] = 0;
                }
            }
            Unit::Letter(b) => {
                let letters = typed.letters_at(p);
                let second = match letters.get(1) {
                    Some(&second) if second.is_ascii_lowercase() => Some(1 << (second - b'a')),
                    _ => None,
                };
                // How a first syllable may be typed here depends on the
                // syllable only: computed once per first syllable, and its
                // words are skipped together when it cannot start here.
                for list in self.by_letter.get(b).into_iter().flatten() {
                    let advances = letter_advances(typed, list.syllable, p);
                    if advances == 0 {
                        continue;
                    }
                    // What may follow the first syllable is the same for
                    // every word of the list.
                    let after = AfterFirst::new(typed, p, advances);
                    for probe in &list.words {
                        if second.is_some_and(|bit| probe.second_letters & bit == 0) {
                            continue;
                        }
                        if after.may_match(probe, typed) {
                            out.push(probe.id);
                        }
                    }
                }
                // A word is in one list of its letter, once: no duplicates.
            }
            _ => {}
        }
    }
}

/// Appends the words of `list` not yet in `seen` (a bit per vocabulary word)
/// to `out`, marking them: a word is listed under every key it has, and
/// comes up under several of a query's keys, but is tried once.
fn add_unseen(list: &[u32], seen: &mut [u64], out: &mut Vec<u32>) {
    for &id in list {
        let (word, bit) = (id as usize / 64, 1 << (id % 64));
        if seen[word] & bit == 0 {
            seen[word] |= bit;
            out.push(id);
        }
    }
}

/// One of the two characters a [`Corrector::by_pair`] key is made of.
#[derive(Clone, Copy)]
enum PairKey {
    /// The character itself.
    Char(char),
    /// The id of its fuzzy sound.
    Sound(u16),
}

/// A [`PairKey`] as a number: characters below U+110000, sounds above.
fn pair_key(key: PairKey) -> u32 {
    match key {
        PairKey::Char(c) => c as u32,
        PairKey::Sound(id) => 0x8000_0000 | u32::from(id),
    }
}

fn relax(best: &mut [Cell], at: usize, score: f32, from: usize, word: Option<u32>, flags: u8) {
    if best[at].is_none_or(|(s, ..)| score > s) {
        best[at] = Some((score, from, word, flags));
    }
}

/// [`relax`] for vocabulary word `id` matched from unit `from`, whatever
/// the order the words of one unit are tried in: a tie goes to what comes
/// first in the order of the scan — an earlier unit, at the same unit the
/// query as typed, then the word first in vocabulary order.
fn relax_word(best: &mut [Cell], at: usize, score: f32, from: usize, id: u32, flags: u8) {
    let better = match best[at] {
        None => true,
        Some((s, f, word, _)) => {
            score > s || (score == s && f == from && word.is_some_and(|w| id < w))
        }
    };
    if better {
        best[at] = Some((score, from, Some(id), flags));
    }
}

/// Rejects matches that are more guess than evidence. `quality` is summed
/// per query unit (character or letter) consumed.
fn acceptable(word: &Word, flags: u8, quality: f32, consumed: usize) -> bool {
    // Initials alone need at least two letters; one-character guesses are noise.
    if flags & INITIALS != 0 && word.syllables.len() < 2 {
        return false;
    }
    // A character edit is the last resort: the rest of the word must be
    // as typed, not also misheard or misread (家里老人 is not 孤寡老人).
    if flags & EDIT != 0 && flags & (HOMOPHONE | SHAPE) != 0 {
        return false;
    }
    // A corrected word must still be mostly right.
    consumed > 0 && quality / consumed as f32 >= 0.55
}

/// Cost of each vocabulary word in a reading: like a language model, where
/// every further word multiplies in a probability below one, a reading with
/// fewer, longer words (身份证补领) beats one of more, shorter ones
/// (身份证 + 办理) that explains the input as well.
const WORD_COST: f32 = 0.3;

/// Cost, per natural-log unit of "how many words share these initials", of
/// reading a word from its initials.
const INITIALS_AMBIGUITY: f32 = 0.25;

fn initials_of(syllables: &[String]) -> String {
    syllables.iter().filter_map(|s| s.chars().next()).collect()
}

/// Every letter that can come second when a word is typed: the second
/// letter of its first syllable (or of a fuzzy spelling of it), the first
/// letter of its second syllable (initials or a one-letter first syllable),
/// with the n/l and f/h confusions, and the third letter (the second one
/// dropped by a typo). Typos in the first two letters of a word are not
/// read: they would make every word a candidate.
fn second_letters(syllables: &[String], spellings: &[Vec<String>], initials: &[String]) -> u32 {
    let mut mask = 0u32;
    let mut add = |b: u8| {
        for l in confusable_letters(b) {
            if l.is_ascii_lowercase() {
                mask |= 1 << (l - b'a');
            }
        }
    };
    let first = std::iter::once(&syllables[0]).chain(&spellings[0]);
    for spelling in first {
        match spelling.as_bytes().get(1) {
            Some(&b) => add(b),
            None => {
                if let Some(next) = syllables.get(1) {
                    add(next.as_bytes()[0]);
                }
            }
        }
        // A typo that drops the second letter puts the third one second.
        if let Some(&b) = spelling.as_bytes().get(2) {
            add(b);
        }
    }
    if let Some(next) = initials.get(1) {
        add(next.as_bytes()[0]);
    }
    // Initials may also be typed as single letters of a two-letter initial
    // (zh → z).
    if let Some(next) = syllables.get(1) {
        add(next.as_bytes()[0]);
    }
    mask
}

/// Whether two different ASCII strings are one edit apart in the optimal
/// string alignment sense: one substitution, insertion, deletion or swap of
/// adjacent letters (the typos of a syllable typed on a phone). Equivalent
/// to `strsim::osa_distance(a, b) == 1` (a test checks it) without the
/// allocations, since it runs for every candidate syllable of a query.
fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        // Substitution or adjacent transposition at the first difference.
        0 => {
            prefix < short.len()
                && (short[prefix + 1..] == long[prefix + 1..]
                    || (prefix + 1 < short.len()
                        && short[prefix] == long[prefix + 1]
                        && short[prefix + 1] == long[prefix]
                        && short[prefix + 2..] == long[prefix + 2..]))
        }
        // One letter more in the longer string, at or after the first difference.
        1 => short[prefix..] == long[prefix + 1..],
        _ => false,
    }
}

fn confusable_letters(first: u8) -> Vec<u8> {
    match first {
        b'n' => vec![b'n', b'l'],
        b'l' => vec![b'l', b'n'],
        b'f' => vec![b'f', b'h'],
        b'h' => vec![b'h', b'f'],
        other => vec![other],
    }
}

impl Corrector {
    /// The units of a query, each Chinese character with the ids of its
    /// readings and their fuzzy keys (unknown sounds match nothing).
    fn units(&self, query: &str) -> Vec<Unit> {
        query
            .chars()
            .map(|ch| {
                if is_han(ch) {
                    let sounds = self.sounds_of(ch).into_owned();
                    Unit::Han {
                        ch,
                        readings: sounds.readings,
                        fuzzy: sounds.fuzzy,
                    }
                } else if ch.is_ascii_lowercase() {
                    Unit::Letter(ch as u8)
                } else if ch.is_whitespace() || ch == '\'' || ch == '-' {
                    Unit::Separator
                } else {
                    Unit::Other(ch)
                }
            })
            .collect()
    }
}

/// A query being corrected: its units, and for each unit the run of
/// letters starting there.
struct Query<'a> {
    units: Vec<Unit>,
    /// The letters of the query, a zero byte for every other unit.
    letters: Vec<u8>,
    /// Per unit: where its run of letters ends.
    run_end: Vec<usize>,
    /// Per unit: the characters it may be a look-alike typo of.
    alts: Vec<&'a [char]>,
    /// How each syllable may be spelt (see [`Corrector::spellings`]).
    spellings: &'a [Option<Spellings>],
    /// Per unit: part of a real word as typed, so never replaced by an edit.
    no_edit: Vec<bool>,
    /// How each syllable may be typed at each letter, worked out once per
    /// query (see [`Query::steps_of`]).
    steps: RefCell<StepMemo>,
}

/// The most ways one syllable can be typed at one place: as is, a few fuzzy
/// spellings, three one-letter-off lengths, two initials.
const MAX_STEPS: usize = 16;

/// One way a syllable may be typed at the start of a run of letters: how
/// many letters it takes, and how.
#[derive(Debug, Clone, Copy, Default)]
struct Step {
    len: u8,
    kind: StepKind,
}

/// How a syllable was typed (see [`Step`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum StepKind {
    /// Spelt out.
    #[default]
    Whole,
    /// A fuzzy spelling (zh/z, n/l, -ng/-n …).
    Spelling,
    /// One letter off; only for a word not edited yet.
    OneOff,
    /// Its initial (声母), whole or its first letter.
    Initial,
}

impl StepKind {
    /// Quality gained per letter read this way.
    fn gain(self) -> f32 {
        match self {
            StepKind::Whole => 0.95,
            StepKind::Spelling => 0.75,
            StepKind::OneOff | StepKind::Initial => 0.6,
        }
    }
}

/// [`Step`]s by (syllable id, unit), in the order [`syllable_steps`] finds
/// them.
#[derive(Debug, Default)]
struct StepMemo {
    /// Per unit, once a syllable is first tried there: per sound id, 1 + the
    /// place of its steps in `steps`, or 0 when not worked out yet (one
    /// `u32` per sound id for each letter a syllable is tried at; a hash
    /// lookup per call cost more instructions than the table's set-up).
    index: Vec<Vec<u32>>,
    /// The steps, each set in a fixed array (copied out whole).
    steps: Vec<([Step; MAX_STEPS], u8)>,
    /// Scratch space for [`syllable_steps`].
    found: Vec<Step>,
}

impl<'a> Query<'a> {
    fn new(units: Vec<Unit>, corrector: &'a Corrector, no_edit: Vec<bool>) -> Self {
        let shapes = &corrector.shapes;
        let letters: Vec<u8> = units
            .iter()
            .map(|u| match u {
                Unit::Letter(b) => *b,
                _ => 0,
            })
            .collect();
        let alts = units
            .iter()
            .map(|u| match u {
                Unit::Han { ch, .. } => shapes.get(ch).map_or(&[][..], Vec::as_slice),
                _ => &[],
            })
            .collect();
        let mut run_end = vec![0; units.len()];
        let mut end = units.len();
        for p in (0..units.len()).rev() {
            if letters[p] == 0 {
                end = p;
            }
            run_end[p] = end.max(p);
        }
        Query {
            units,
            letters,
            run_end,
            alts,
            spellings: &corrector.spellings,
            no_edit,
            steps: RefCell::default(),
        }
    }

    /// The ways syllable `syllable` (a sound id) may be typed at the letter
    /// at unit `p`, into `out` (in [`syllable_steps`] order); returns how
    /// many. They depend on the syllable alone, so they are worked out once
    /// per syllable and unit.
    fn steps_of(&self, syllable: u16, p: usize, out: &mut [Step; MAX_STEPS]) -> usize {
        let Some(Some(spellings)) = self.spellings.get(usize::from(syllable)) else {
            return 0;
        };
        let mut memo = self.steps.borrow_mut();
        let memo = &mut *memo;
        if memo.index.len() < self.units.len() {
            memo.index.resize_with(self.units.len(), Vec::new);
        }
        let slots = &mut memo.index[p];
        if slots.is_empty() {
            slots.resize(self.spellings.len(), 0);
        }
        let slot = &mut slots[usize::from(syllable)];
        if *slot == 0 {
            memo.found.clear();
            syllable_steps(spellings, self.letters_at(p), &mut memo.found);
            debug_assert!(
                memo.found.len() <= MAX_STEPS,
                "{} ways to type one syllable",
                memo.found.len()
            );
            let n = memo.found.len().min(MAX_STEPS);
            let mut steps = [Step::default(); MAX_STEPS];
            steps[..n].copy_from_slice(&memo.found[..n]);
            memo.steps.push((steps, n as u8));
            *slot = memo.steps.len() as u32;
        }
        let (steps, n) = memo.steps[*slot as usize - 1];
        *out = steps;
        usize::from(n)
    }

    /// The letters of the run starting at `p` (up to the next non-letter).
    fn letters_at(&self, p: usize) -> &[u8] {
        &self.letters[p..self.run_end[p]]
    }
}

/// Whether `word`, whose first character matches the Chinese character at
/// unit `p` (as typed, by shape or by sound), can match the next unit too
/// — a check that [`match_word`] would find nothing. Always true when it
/// cannot tell (letters, or a first character that only an edit would
/// match). [`Corrector::candidates`] finds exactly the words it keeps
/// through [`Corrector::by_pair`]; a test checks the two agree.
#[cfg(test)]
fn second_may_match(word: &Word, query: &Query<'_>, p: usize) -> bool {
    let units = &query.units;
    let Unit::Han {
        ch,
        readings,
        fuzzy,
    } = &units[p]
    else {
        return true;
    };
    let sounds = word.sounds();
    if sounds.len() < 2 {
        return true;
    }
    let first = sounds[0].ch;
    let exact = *ch == first;
    let by_shape_or_sound = query.alts[p].contains(&first)
        || readings.contains(&sounds[0].syllable)
        || fuzzy.contains(&sounds[0].fuzzy);
    if !exact && !by_shape_or_sound {
        return true;
    }
    let mut q = p + 1;
    while q < units.len() && matches!(units[q], Unit::Separator) {
        q += 1;
    }
    match units.get(q) {
        Some(Unit::Han {
            ch,
            readings,
            fuzzy,
        }) => {
            let second = sounds[1].ch;
            *ch == second
                || query.alts[q].contains(&second)
                || readings.contains(&sounds[1].syllable)
                || fuzzy.contains(&sounds[1].fuzzy)
                // An edit only after an exact first character (never with a
                // sound or shape typo in the same word).
                || (exact
                    && sounds.len() >= 3
                    && !query.no_edit.get(q).copied().unwrap_or(false))
        }
        Some(Unit::Letter(_)) => true,
        _ => false,
    }
}

/// The ways syllable `j` of `word` may be typed at the letter at unit `p`
/// by a word not edited yet: bit `n` set when it may take `n` letters — as
/// [`match_word`] reads letters (see [`syllable_steps`]).
fn letter_advances(query: &Query<'_>, syllable: u16, p: usize) -> u16 {
    let mut steps = [Step::default(); MAX_STEPS];
    let n = query.steps_of(syllable, p, &mut steps);
    steps[..n]
        .iter()
        .filter(|step| step.len < 16)
        .fold(0, |mask, step| mask | 1 << step.len)
}

/// The units that may follow a first syllable typed from the letter at
/// unit `p` taking one of `advances` letters (see [`letter_advances`]):
/// worked out once per first syllable, so that [`AfterFirst::may_match`]
/// rules out a word in a few operations.
struct AfterFirst {
    /// No advance: nothing can start here.
    none: bool,
    /// The letters that may follow (bit per letter a–z).
    letters: u32,
    /// The Chinese characters that may follow (their units).
    han: Vec<usize>,
}

impl AfterFirst {
    fn new(query: &Query<'_>, p: usize, advances: u16) -> Self {
        let units = &query.units;
        let mut after = AfterFirst {
            none: advances == 0,
            letters: 0,
            han: Vec::new(),
        };
        let mut rest = advances;
        while rest != 0 {
            let n = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            let mut q = p + n;
            while q < units.len() && matches!(units[q], Unit::Separator) {
                q += 1;
            }
            match units.get(q) {
                Some(Unit::Letter(b)) => after.letters |= 1 << (b - b'a'),
                Some(Unit::Han { .. }) if !after.han.contains(&q) => after.han.push(q),
                _ => {}
            }
        }
        after
    }

    /// Exactly [`letters_may_match`]: whether `word` can match the unit
    /// after its first syllable too (it never rejects a word [`match_word`]
    /// would read).
    fn may_match(&self, word: &LetterProbe, query: &Query<'_>) -> bool {
        if self.none {
            return false;
        }
        word.syllables < 2
            || word.next_letters & self.letters != 0
            || self
                .han
                .iter()
                .any(|&q| second_han_may_match(word, query, q))
    }
}

/// Whether the second character of `word` may be the Chinese character at
/// unit `q`: as typed, a look-alike, a reading or a fuzzy sound of it, or
/// (in a word of three or more) replaced by an edit.
fn second_han_may_match(word: &LetterProbe, query: &Query<'_>, q: usize) -> bool {
    let Some(Unit::Han {
        ch,
        readings,
        fuzzy,
    }) = query.units.get(q)
    else {
        return false;
    };
    let second = word.second_char;
    *ch == second
        || query.alts[q].contains(&second)
        || readings.contains(&word.second_syllable)
        || fuzzy.contains(&word.second_fuzzy)
        || (word.syllables >= 3 && !query.no_edit.get(q).copied().unwrap_or(false))
}

/// Whether `word`, typed from the letter at unit `p` with its first
/// syllable taking one of `advances` (see [`letter_advances`]), can match
/// the unit after that first syllable too — a cheap check that
/// [`match_word`] would find nothing (it never rejects a word `match_word`
/// would read). The reference [`AfterFirst`] is checked against.
#[cfg(test)]
fn letters_may_match(word: &LetterProbe, query: &Query<'_>, p: usize, advances: u16) -> bool {
    if advances == 0 {
        return false;
    }
    if word.syllables < 2 {
        return true;
    }
    let units = &query.units;
    let mut rest = advances;
    std::iter::from_fn(|| {
        (rest != 0).then(|| {
            let n = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            n
        })
    })
    .any(|n| {
        let mut q = p + n;
        while q < units.len() && matches!(units[q], Unit::Separator) {
            q += 1;
        }
        match units.get(q) {
            Some(Unit::Letter(b)) => word.next_letters >> (b - b'a') & 1 == 1,
            Some(Unit::Han {
                ch,
                readings,
                fuzzy,
            }) => {
                let second = word.second_char;
                *ch == second
                    || query.alts[q].contains(&second)
                    || readings.contains(&word.second_syllable)
                    || fuzzy.contains(&word.second_fuzzy)
                    || (word.syllables >= 3 && !query.no_edit.get(q).copied().unwrap_or(false))
            }
            _ => false,
        }
    })
}

/// The ways syllable `j` of `word` may be typed at the start of `letters`
/// (a non-empty run of letters), pushed in the order [`match_word`] tries
/// them: the syllable, its fuzzy spellings, one letter off (for a syllable
/// of three letters or more), and — when not spelt out — its initial.
fn syllable_steps(spellings: &Spellings, letters: &[u8], out: &mut Vec<Step>) {
    let mut push = |len: usize, kind: StepKind| {
        if let Ok(len) = u8::try_from(len) {
            out.push(Step { len, kind });
        }
    };
    let syl = spellings.syllable.as_bytes();
    let whole = letters.starts_with(syl);
    if whole {
        push(syl.len(), StepKind::Whole);
    }
    for spelling in &spellings.fuzzy {
        if letters.starts_with(spelling.as_bytes()) {
            push(spelling.len(), StepKind::Spelling);
        }
    }
    if syl.len() >= 3 {
        for len in [syl.len() - 1, syl.len(), syl.len() + 1] {
            if len > letters.len() || &letters[..len] == syl || letters[0] != syl[0] {
                continue;
            }
            if one_edit_apart(&letters[..len], syl) {
                push(len, StepKind::OneOff);
            }
        }
    }
    if !whole {
        let initial = spellings.initial.as_bytes();
        if letters.starts_with(initial) {
            push(initial.len(), StepKind::Initial);
        }
        if initial.len() > 1 && letters.starts_with(&initial[..1]) {
            push(1, StepKind::Initial);
        }
    }
}

/// Matches syllable `j` onwards of `word` against the query from unit `p`,
/// pushing every way to finish the word as (end, quality, flags).
#[allow(clippy::too_many_arguments)]
fn match_word(
    word: &Word,
    query: &Query<'_>,
    j: usize,
    p: usize,
    quality: f32,
    flags: u8,
    edited: bool,
    out: &mut Vec<(usize, f32, u8)>,
) {
    if j == word.syllables.len() {
        out.push((p, quality, flags));
        return;
    }
    let units = &query.units;
    let mut p = p;
    // Spaces may separate syllables typed as pinyin, never split Chinese words.
    if j > 0 {
        while p < units.len() && matches!(units[p], Unit::Separator) {
            p += 1;
        }
    }
    if p >= units.len() || out.len() > 8 {
        return;
    }
    let mut next = |advance: usize, gain: f32, more: u8, edit: bool| {
        match_word(
            word,
            query,
            j + 1,
            p + advance,
            quality + gain,
            flags | more,
            edit,
            out,
        )
    };
    match &units[p] {
        Unit::Han {
            ch,
            readings,
            fuzzy,
        } => {
            let sound = word.sounds[j];
            let target = sound.ch;
            // A character edit never combines with a sound or shape typo in
            // the same word (see `acceptable`): such paths are not explored.
            let sound_or_shape_ok = flags & EDIT == 0;
            if *ch == target {
                next(1, 1.0, EXACT, edited);
            } else if query.alts[p].contains(&target) {
                if sound_or_shape_ok {
                    next(1, 0.75, SHAPE, edited);
                }
            } else if readings.contains(&sound.syllable) {
                if sound_or_shape_ok {
                    next(1, 0.8, HOMOPHONE, edited);
                }
            } else if fuzzy.contains(&sound.fuzzy) {
                if sound_or_shape_ok {
                    next(1, 0.65, HOMOPHONE | FUZZY, edited);
                }
            } else if !edited
                && flags & (HOMOPHONE | SHAPE) == 0
                && word.syllables.len() >= 3
                && !query.no_edit.get(p).copied().unwrap_or(false)
            {
                next(1, 0.3, EDIT, true);
            }
        }
        Unit::Letter(_) => {
            let mut steps = [Step::default(); MAX_STEPS];
            let n = query.steps_of(word.sounds[j].syllable, p, &mut steps);
            for step in &steps[..n] {
                let len = step.len as usize;
                let gain = step.kind.gain() * len as f32;
                match step.kind {
                    StepKind::Whole => next(len, gain, PINYIN, edited),
                    StepKind::Spelling => next(len, gain, PINYIN | FUZZY, edited),
                    StepKind::OneOff if !edited => next(len, gain, PINYIN | FUZZY, true),
                    StepKind::OneOff => {}
                    StepKind::Initial => next(len, gain, INITIALS, edited),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrector(words: &[&str]) -> Corrector {
        let vocabulary: BTreeMap<String, u32> = words.iter().map(|w| (w.to_string(), 10)).collect();
        let mut shapes = BTreeMap::new();
        shapes.insert("眀".to_string(), "明".to_string());
        shapes.insert("徼".to_string(), "缴".to_string());
        Corrector::new(&vocabulary, &shapes, &PinyinConverter::default())
    }

    fn corrected(c: &Corrector, q: &str) -> Option<String> {
        c.correct(q).map(|c| c.corrected)
    }

    #[test]
    fn reads_pinyin_in_every_form() {
        let c = corrector(&["户口", "迁移", "交通违法", "查询", "港澳通行证", "生育津贴"]);
        assert_eq!(corrected(&c, "hukou qianyi").as_deref(), Some("户口迁移"));
        assert_eq!(corrected(&c, "hukouqianyi").as_deref(), Some("户口迁移"));
        assert_eq!(corrected(&c, "hu kou qian yi").as_deref(), Some("户口迁移"));
        assert_eq!(corrected(&c, "jtwf").as_deref(), Some("交通违法"));
        assert_eq!(corrected(&c, "jtwf查询").as_deref(), Some("交通违法查询"));
        assert_eq!(corrected(&c, "港澳tong行证").as_deref(), Some("港澳通行证"));
        assert_eq!(corrected(&c, "sengyu jintie").as_deref(), Some("生育津贴"));
        assert_eq!(corrected(&c, "hukuo qianyi").as_deref(), Some("户口迁移"));
    }

    #[test]
    fn fixes_sound_and_shape_typos() {
        let c = corrector(&["养老金", "查询", "生育津贴", "证明", "缴费"]);
        assert_eq!(corrected(&c, "养老金查洵").as_deref(), Some("养老金查询"));
        assert_eq!(corrected(&c, "生育经贴").as_deref(), Some("生育津贴"));
        assert_eq!(corrected(&c, "证眀").as_deref(), Some("证明"));
        let c2 = corrector(&["驾驶证", "记分", "积分"]);
        let read = c2.correct("jiashizheng jifen").unwrap();
        assert!(
            read.homophones
                .iter()
                .any(|(w, o)| w == "积分" && o == &["记分"] || w == "记分" && o == &["积分"]),
            "{read:?}"
        );
        let correction = c.correct("徼费").unwrap();
        assert_eq!(correction.corrected, "缴费");
        assert_eq!(correction.kinds, vec![CorrectionKind::Shape]);
    }

    #[test]
    fn kept_spans_stay_as_typed() {
        let c = corrector(&["指导", "出国", "记录"]);
        let query = "怎么知道出国记录";
        assert_eq!(corrected(&c, query).as_deref(), Some("怎么指导出国记录"));
        let start = query.find("知道").unwrap();
        assert_eq!(
            c.correct_keeping(query, &[(start, start + "知道".len())]),
            None
        );
    }

    #[test]
    fn an_edit_never_combines_with_other_typos_in_one_word() {
        let c = corrector(&["孤寡老人", "老人"]);
        // 家 can be read gū, and 里 is one character off 寡: two guesses in
        // one word are not a correction.
        assert_eq!(corrected(&c, "家里老人"), None);
        assert_eq!(corrected(&c, "孤家老人").as_deref(), Some("孤寡老人"));
    }

    #[test]
    fn one_edit_apart_agrees_with_strsim() {
        let words = [
            "shen", "sheng", "qian", "zhuang", "hukou", "kou", "xiang", "jin", "ab",
        ];
        let letters = b"abcdefghijklmnopqrstuvwxyz";
        for w in words {
            let w = w.as_bytes();
            // Every substitution, deletion, insertion and transposition.
            let mut variants: Vec<Vec<u8>> = Vec::new();
            for i in 0..=w.len() {
                for &c in letters {
                    let mut v = w.to_vec();
                    v.insert(i, c);
                    variants.push(v);
                    if i < w.len() {
                        let mut v = w.to_vec();
                        v[i] = c;
                        variants.push(v);
                    }
                }
                if i < w.len() {
                    let mut v = w.to_vec();
                    v.remove(i);
                    variants.push(v);
                }
                if i + 1 < w.len() {
                    let mut v = w.to_vec();
                    v.swap(i, i + 1);
                    variants.push(v);
                }
            }
            // And some two edits away.
            for i in 0..w.len().saturating_sub(1) {
                let mut v = w.to_vec();
                v[i] = b'x';
                v[i + 1] = b'y';
                variants.push(v);
                let mut v = w.to_vec();
                v.remove(i);
                v.push(b'q');
                variants.push(v);
            }
            for v in variants {
                let (a, b) = (
                    std::str::from_utf8(&v).unwrap(),
                    std::str::from_utf8(w).unwrap(),
                );
                assert_eq!(
                    one_edit_apart(&v, w),
                    strsim::osa_distance(a, b) == 1,
                    "{a} / {b}"
                );
            }
        }
        assert!(!one_edit_apart(b"xyzw", b"shen"));
        assert!(!one_edit_apart(b"shen", b"shen"));
        assert!(one_edit_apart(b"hukuo", b"hukou"));
    }

    #[test]
    fn a_real_word_as_typed_is_not_edited_into_another() {
        let c = corrector(&["回乡证", "大巴"]);
        let query = "回乡下";
        // 下 is one character off 证, but 乡下 is a word (countryside).
        assert_eq!(corrected(&c, query).as_deref(), Some("回乡证"));
        let at = query.find("乡下").unwrap();
        assert_eq!(
            c.correct_guarded(query, &[], &[(at, at + "乡下".len())]),
            None
        );
    }

    #[test]
    fn han_candidates_are_the_words_second_may_match_keeps() {
        let c = corrector(&[
            "养老金",
            "查询",
            "生育津贴",
            "证明",
            "缴费",
            "社保",
            "医保",
            "户口",
            "迁移",
            "孤寡老人",
            "老人",
            "回乡证",
            "大巴",
            "身份证",
            "生育",
            "社会保险",
            "查档",
            "长者",
        ]);
        let queries = [
            "养老金查洵",
            "生育经贴",
            "证眀",
            "徼费",
            "社保查询",
            "家里老人",
            "孤家老人",
            "回乡下",
            "户口qianyi",
            "户 口",
            "身份正补办",
            "涨者",
            "生 育津贴",
        ];
        for query in queries {
            for no_edit in [false, true] {
                let units = c.units(query);
                let n = units.len();
                let typed = Query::new(units, &c, vec![no_edit; n]);
                let mut got = Vec::new();
                for p in 0..n {
                    let Unit::Han { ch, fuzzy, .. } = &typed.units[p] else {
                        continue;
                    };
                    let mut seen = vec![0; c.words.len().div_ceil(64)];
                    c.candidates(&typed, p, &mut got, &mut seen);
                    assert!(seen.iter().all(|&bits| bits == 0), "seen left clear");
                    let listed = got.len();
                    got.sort_unstable();
                    got.dedup();
                    assert_eq!(got.len(), listed, "each word once");
                    let want: Vec<u32> = (0..c.words.len() as u32)
                        .filter(|&id| {
                            let w = &c.words[id as usize];
                            (w.sounds[0].ch == *ch
                                || typed.alts[p].contains(&w.sounds[0].ch)
                                || fuzzy.contains(&w.sounds[0].fuzzy))
                                && second_may_match(w, &typed, p)
                        })
                        .collect();
                    assert_eq!(got, want, "{query} at {p}");
                }
            }
        }
    }

    #[test]
    fn letter_candidates_are_every_word_of_the_letter_that_may_match() {
        let c = corrector(&[
            "户口",
            "户籍",
            "护照",
            "湖口",
            "换证",
            "居住证",
            "就业",
            "社保",
            "生育津贴",
            "深圳",
            "出生",
            "出入境",
            "住房",
            "公积金",
            "港澳通行证",
            "农村",
            "龙岗",
            "南山",
            "发票",
            "罚款",
        ]);
        let queries = [
            "hukou",
            "hk",
            "huzhao",
            "jzz",
            "shebao",
            "sebao",
            "shengyu jintie",
            "chusheng",
            "zhufang gjj",
            "gangao",
            "nongcun",
            "longgang",
            "lanshan",
            "fapiao",
            "huakuan",
            "hkqy",
            // Letters then Chinese: the character after a first syllable.
            "hu口",
            "sheng育津贴",
            "gong积金",
            "h 籍",
            "chu生",
            "ju住证",
        ];
        for query in queries {
            let units = c.units(query);
            let n = units.len();
            let typed = Query::new(units, &c, vec![false; n]);
            let mut got = Vec::new();
            for p in 0..n {
                let Unit::Letter(b) = typed.units[p] else {
                    continue;
                };
                let mut seen = vec![0; c.words.len().div_ceil(64)];
                c.candidates(&typed, p, &mut got, &mut seen);
                // The whole letter list, word by word, as the scan read it
                // before it was partitioned by first syllable.
                let lists = c.by_letter.get(&b).into_iter().flatten();
                let mut want: Vec<u32> = lists
                    .flat_map(|list| &list.words)
                    .filter(|probe| {
                        let word = &c.words[probe.id as usize];
                        let letters = typed.letters_at(p);
                        let second_ok = match letters.get(1) {
                            Some(&l) if l.is_ascii_lowercase() => {
                                probe.second_letters >> (l - b'a') & 1 == 1
                            }
                            _ => true,
                        };
                        second_ok
                            && letters_may_match(
                                probe,
                                &typed,
                                p,
                                letter_advances(&typed, word.sounds[0].syllable, p),
                            )
                    })
                    .map(|probe| probe.id)
                    .collect();
                want.sort_unstable();
                let listed = got.len();
                got.sort_unstable();
                got.dedup();
                assert_eq!(got.len(), listed, "each word once");
                assert_eq!(got, want, "{query} at {p}");
            }
        }
        let units = c.units("hukou");
        let typed = Query::new(units, &c, vec![false; 5]);
        let mut got = Vec::new();
        let mut seen = vec![0; c.words.len().div_ceil(64)];
        c.candidates(&typed, 0, &mut got, &mut seen);
        let texts: Vec<&str> = got
            .iter()
            .map(|&id| c.words[id as usize].text.as_str())
            .collect();
        assert!(
            texts.contains(&"户口") && texts.contains(&"湖口"),
            "{texts:?}"
        );
        assert!(!texts.contains(&"护照"), "{texts:?}");
    }

    #[test]
    fn word_ties_go_as_the_scan_in_vocabulary_order_would() {
        let mut best: Vec<Cell> = vec![None; 4];
        relax_word(&mut best, 3, 1.0, 1, 7, PINYIN);
        assert_eq!(best[3], Some((1.0, 1, Some(7), PINYIN)));
        // Same score and unit: the word first in vocabulary order wins,
        // whichever was tried first.
        relax_word(&mut best, 3, 1.0, 1, 9, EXACT);
        assert_eq!(best[3], Some((1.0, 1, Some(7), PINYIN)));
        relax_word(&mut best, 3, 1.0, 1, 4, HOMOPHONE);
        assert_eq!(best[3], Some((1.0, 1, Some(4), HOMOPHONE)));
        // A later unit never takes a tie; a better score always wins.
        relax_word(&mut best, 3, 1.0, 2, 1, EXACT);
        assert_eq!(best[3], Some((1.0, 1, Some(4), HOMOPHONE)));
        relax_word(&mut best, 3, 1.5, 2, 8, EXACT);
        assert_eq!(best[3], Some((1.5, 2, Some(8), EXACT)));
        // The query as typed at the same unit was tried first: it keeps a tie.
        relax(&mut best, 2, 0.5, 1, None, EXACT);
        relax_word(&mut best, 2, 0.5, 1, 0, PINYIN);
        assert_eq!(best[2], Some((0.5, 1, None, EXACT)));
    }

    #[test]
    fn leaves_correct_queries_alone() {
        let c = corrector(&["社保", "医保", "查询"]);
        assert_eq!(c.correct("社保查询"), None);
        assert_eq!(c.correct("社保"), None);
    }
}
