//! The vocabulary the corrector rewrites into, and its lookup indexes.
//!
//! Every vocabulary word (two to twelve Chinese characters with a reading
//! of one syllable per character) is stored once, as a [`Word`], and listed
//! under the keys a query may find it by: its text, its first character,
//! its first syllable's fuzzy key, its first two characters (each as typed
//! or as a fuzzy sound), the letters its pinyin may start with, and its
//! syllables. Syllables and fuzzy keys are interned as small integers
//! (*sound ids*), so matching compares numbers, not strings. All of this is
//! built once, when the engine opens.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use foldhash::fast::RandomState;

use crate::normalize::is_han;
use crate::pinyin::{PinyinConverter, char_readings, fuzzy_key, fuzzy_spellings, split_initial};

/// Longest vocabulary entry, in characters.
const MAX_WORD_CHARS: usize = 12;

/// One character of a vocabulary word with the ids of its syllable and of
/// its fuzzy key.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sound {
    pub(super) ch: char,
    pub(super) syllable: u16,
    pub(super) fuzzy: u16,
}

/// A vocabulary word.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub(super) text: String,
    /// Per character (the first `syllables.len()`): the character and the
    /// ids of its syllable and fuzzy key, inline in the word (no pointer to
    /// follow: matching is bound by memory, not arithmetic).
    pub(super) sounds: [Sound; MAX_WORD_CHARS],
    /// One per character (readings are validated to be).
    pub(super) syllables: Vec<String>,
    /// What the word adds to a reading's score: more for a frequent word.
    pub(super) prior: f32,
}

impl Word {
    /// Its characters' sounds.
    pub(super) fn sounds(&self) -> &[Sound] {
        &self.sounds[..self.syllables.len()]
    }

    /// Its characters.
    fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.sounds().iter().map(|s| s.ch)
    }
}

/// The vocabulary the corrector rewrites into, indexed for lookup by first
/// character, first syllable's fuzzy key and first letter.
///
/// Build it with [`Corrector::new`]; read a query with
/// [`Corrector::correct`].
#[derive(Debug, Clone, Default)]
pub struct Corrector {
    pub(super) words: Vec<Word>,
    pub(super) by_char: HashMap<char, Vec<u32>>,
    pub(super) by_fuzzy: HashMap<u16, Vec<u32>>,
    /// Words by how their first two characters may be typed: each word
    /// under the four keys (first character or its fuzzy sound id, second
    /// character or its fuzzy sound id) — see [`pair_key`].
    pub(super) by_pair: HashMap<(u32, u32), Vec<u32>, RandomState>,
    /// Words of three or more characters by their first character (a
    /// character edit may follow an exact first character).
    pub(super) by_char_long: HashMap<char, Vec<u32>, RandomState>,
    /// Syllables and fuzzy keys as small integers, so matching a typed
    /// character's readings compares numbers, not strings.
    sounds: HashMap<String, u16>,
    /// Per sound id that is a syllable of a word: how it may be spelt.
    pub(super) spellings: Vec<Option<Spellings>>,
    /// Words by the letters their pinyin may start with (see
    /// [`confusable_letters`]), partitioned by first syllable: how a first
    /// syllable may be typed depends on the syllable only, so a syllable
    /// that cannot start here rules out all of its words at once.
    pub(super) by_letter: HashMap<u8, Vec<SyllableWords>>,
    /// Words by the ids of their syllables (homophones share an entry).
    pub(super) by_sound: HashMap<Vec<u16>, Vec<u32>>,
    /// Words by their text.
    by_text: HashMap<String, u32>,
    /// Per character of the vocabulary and the shape confusions: the ids of
    /// its readings and of their fuzzy keys, computed once (other
    /// characters are read when a query has them).
    char_sounds: HashMap<char, CharSounds>,
    /// How many vocabulary words share each initials string (hk: 户口, 获客 …):
    /// a reading from initials is only as good as it is unambiguous.
    pub(super) initials_count: HashMap<String, u32>,
    /// Shape confusions: per character, the characters it may be a
    /// look-alike typo of.
    pub(super) shapes: HashMap<char, Vec<char>>,
}

/// The words of one letter list that share a first syllable.
#[derive(Debug, Clone)]
pub(super) struct SyllableWords {
    /// The first syllable's id.
    pub(super) syllable: u16,
    /// The words, in vocabulary order.
    pub(super) words: Vec<LetterProbe>,
}

/// What the letter scan reads of a word to rule it out, kept beside its id:
/// ruling out a word then reads this list in order, not the scattered
/// [`Word`] (whose loads dominated the scan).
#[derive(Debug, Clone, Copy)]
pub(super) struct LetterProbe {
    pub(super) id: u32,
    /// Letters that may follow the first typed letter when this word is
    /// typed as pinyin, fuzzy pinyin or initials (bit per letter a–z).
    pub(super) second_letters: u32,
    /// Letters the second syllable may start with when typed as pinyin,
    /// fuzzy pinyin or initials (bit per letter a–z; 0 for one syllable).
    pub(super) next_letters: u32,
    /// The second character, with its syllable's id and fuzzy key id.
    pub(super) second_char: char,
    pub(super) second_syllable: u16,
    pub(super) second_fuzzy: u16,
    /// Number of syllables (one per character).
    pub(super) syllables: u8,
}

/// How one syllable may be typed: spelt out, a fuzzy spelling of it, its
/// initial (see [`syllable_steps`](super::syllables::syllable_steps)). One
/// per syllable, shared by every word that has it.
#[derive(Debug, Clone)]
pub(super) struct Spellings {
    pub(super) syllable: String,
    /// The other spellings with the same fuzzy key.
    pub(super) fuzzy: Vec<String>,
    /// Its initial (声母), or its first letter when it has none.
    pub(super) initial: String,
}

/// The sounds of a character: ids of its readings and of their fuzzy keys
/// (sorted, unique); unknown sounds are `u16::MAX` and match nothing.
#[derive(Debug, Clone, Default)]
pub(super) struct CharSounds {
    pub(super) readings: Vec<u16>,
    pub(super) fuzzy: Vec<u16>,
}

/// How each syllable of a word may be typed besides spelt out.
struct Typings {
    /// Per syllable: its other spellings with the same fuzzy key.
    spellings: Vec<Vec<String>>,
    /// Per syllable: its initial, or its first letter when it has none.
    initials: Vec<String>,
}

impl Typings {
    fn of(syllables: &[String]) -> Self {
        let spellings = syllables
            .iter()
            .map(|s| fuzzy_spellings(s).into_iter().filter(|f| f != s).collect())
            .collect();
        let initials = syllables
            .iter()
            .map(|s| match split_initial(s) {
                ("", _) => s[..1].to_string(),
                (initial, _) => initial.to_string(),
            })
            .collect();
        Typings {
            spellings,
            initials,
        }
    }
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
            c.add_word(text, *freq, pinyin);
        }
        c.add_shapes(shapes);
        c.read_chars();
        c
    }

    /// Adds a vocabulary word under every key it may be found by; words
    /// that are not two to twelve Chinese characters with a reading are
    /// left out.
    fn add_word(&mut self, text: &str, freq: u32, pinyin: &PinyinConverter) {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() < 2 || chars.len() > MAX_WORD_CHARS || !chars.iter().all(|ch| is_han(*ch)) {
            return;
        }
        let Some(syllables) = pinyin
            .syllables(text)
            .into_iter()
            .collect::<Option<Vec<String>>>()
        else {
            return;
        };
        let fuzzy: Vec<String> = syllables.iter().map(|s| fuzzy_key(s)).collect();
        // Syllables first, then fuzzy keys: the order sound ids are given in.
        let syllable_ids: Vec<u16> = syllables.iter().map(|s| self.sound_id(s)).collect();
        let fuzzy_ids: Vec<u16> = fuzzy.iter().map(|f| self.sound_id(f)).collect();
        *self
            .initials_count
            .entry(initials_of(&syllables))
            .or_default() += 1;
        let id = self.words.len() as u32;
        self.index_chars(id, text, &chars, &syllable_ids, &fuzzy_ids);
        let typings = Typings::of(&syllables);
        self.add_spellings(&syllables, &syllable_ids, &typings);
        let probe = LetterProbe {
            id,
            second_letters: second_letters(&syllables, &typings.spellings, &typings.initials),
            next_letters: next_letters(&syllables, &typings.spellings),
            second_char: chars[1],
            second_syllable: syllable_ids[1],
            second_fuzzy: fuzzy_ids[1],
            syllables: syllables.len() as u8,
        };
        self.add_letter_probe(syllables[0].as_bytes()[0], syllable_ids[0], probe);
        let mut sounds = [Sound::default(); MAX_WORD_CHARS];
        for (k, sound) in sounds.iter_mut().enumerate().take(chars.len()) {
            *sound = Sound {
                ch: chars[k],
                syllable: syllable_ids[k],
                fuzzy: fuzzy_ids[k],
            };
        }
        self.words.push(Word {
            text: text.to_string(),
            sounds,
            syllables,
            prior: 0.05 * (1.0 + freq as f32).ln(),
        });
    }

    /// Lists word `id` by its sound, its text, its first character, its
    /// first fuzzy sound, its first two characters (see [`pair_key`]) and,
    /// when it has three or more characters, by its first character for
    /// edits.
    fn index_chars(
        &mut self,
        id: u32,
        text: &str,
        chars: &[char],
        syllable_ids: &[u16],
        fuzzy_ids: &[u16],
    ) {
        self.by_sound
            .entry(syllable_ids.to_vec())
            .or_default()
            .push(id);
        self.by_text.entry(text.to_string()).or_insert(id);
        self.by_char.entry(chars[0]).or_default().push(id);
        self.by_fuzzy.entry(fuzzy_ids[0]).or_default().push(id);
        for first in [PairKey::Char(chars[0]), PairKey::Sound(fuzzy_ids[0])] {
            for second in [PairKey::Char(chars[1]), PairKey::Sound(fuzzy_ids[1])] {
                let list = self.by_pair.entry((pair_key(first), pair_key(second)));
                list.or_default().push(id);
            }
        }
        if chars.len() >= 3 {
            self.by_char_long.entry(chars[0]).or_default().push(id);
        }
    }

    /// Records how each syllable may be spelt, the first time a word has it.
    fn add_spellings(&mut self, syllables: &[String], ids: &[u16], typings: &Typings) {
        for (k, &sound) in ids.iter().enumerate() {
            let slot = sound as usize;
            if self.spellings.len() <= slot {
                self.spellings.resize(slot + 1, None);
            }
            self.spellings[slot].get_or_insert_with(|| Spellings {
                syllable: syllables[k].clone(),
                fuzzy: typings.spellings[k].clone(),
                initial: typings.initials[k].clone(),
            });
        }
    }

    /// Lists a word's probe under every letter its first syllable (whose
    /// first letter is `first` and id `syllable`) may be typed with, in the
    /// list of that syllable.
    fn add_letter_probe(&mut self, first: u8, syllable: u16, probe: LetterProbe) {
        for letter in confusable_letters(first) {
            let lists = self.by_letter.entry(letter).or_default();
            match lists.iter_mut().find(|l| l.syllable == syllable) {
                Some(list) => list.words.push(probe),
                None => lists.push(SyllableWords {
                    syllable,
                    words: vec![probe],
                }),
            }
        }
    }

    /// Records shape confusions character by character (a word pair
    /// contributes the characters that differ).
    fn add_shapes(&mut self, shapes: &BTreeMap<String, String>) {
        for (wrong, right) in shapes {
            for (w, r) in wrong.chars().zip(right.chars()) {
                if w != r {
                    let alternatives = self.shapes.entry(w).or_default();
                    if !alternatives.contains(&r) {
                        alternatives.push(r);
                    }
                }
            }
        }
    }

    /// Reads the sounds of every character of the vocabulary and of the
    /// shape confusions, once.
    fn read_chars(&mut self) {
        let chars: Vec<char> = self
            .words
            .iter()
            .flat_map(Word::chars)
            .chain(self.shapes.keys().copied())
            .collect();
        for ch in chars {
            if !self.char_sounds.contains_key(&ch) {
                let sounds = self.read_char(ch);
                self.char_sounds.insert(ch, sounds);
            }
        }
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
    pub(super) fn sounds_of(&self, ch: char) -> Cow<'_, CharSounds> {
        match self.char_sounds.get(&ch) {
            Some(sounds) => Cow::Borrowed(sounds),
            None => Cow::Owned(self.read_char(ch)),
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

    /// Whether `text` is a vocabulary word.
    pub fn knows(&self, text: &str) -> bool {
        self.by_text.contains_key(text)
    }
}

/// One of the two characters a [`Corrector::by_pair`] key is made of.
#[derive(Clone, Copy)]
pub(super) enum PairKey {
    /// The character itself.
    Char(char),
    /// The id of its fuzzy sound.
    Sound(u16),
}

/// A [`PairKey`] as a number: characters below U+110000, sounds above.
pub(super) fn pair_key(key: PairKey) -> u32 {
    match key {
        PairKey::Char(c) => c as u32,
        PairKey::Sound(id) => 0x8000_0000 | u32::from(id),
    }
}

/// The first letters of a word's syllables (`hk` for 户口).
pub(super) fn initials_of(syllables: &[String]) -> String {
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

/// The letters a word's second syllable may start with when typed as
/// pinyin or fuzzy pinyin (bit per letter a–z; 0 for one syllable).
fn next_letters(syllables: &[String], spellings: &[Vec<String>]) -> u32 {
    syllables.get(1).map_or(0, |next| {
        std::iter::once(next)
            .chain(&spellings[1])
            .filter_map(|s| s.bytes().next())
            .filter(u8::is_ascii_lowercase)
            .fold(0u32, |mask, b| mask | 1 << (b - b'a'))
    })
}

/// The letters a syllable starting with `first` may be typed with (n/l and
/// f/h are confused).
fn confusable_letters(first: u8) -> Vec<u8> {
    match first {
        b'n' => vec![b'n', b'l'],
        b'l' => vec![b'l', b'n'],
        b'f' => vec![b'f', b'h'],
        b'h' => vec![b'h', b'f'],
        other => vec![other],
    }
}
