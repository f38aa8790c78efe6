//! How one vocabulary word matches the query from a unit: syllable by
//! syllable, each against a Chinese character (as typed, a look-alike, a
//! reading, a fuzzy sound, or — once per word — an edit) or a run of
//! letters (the [`Step`]s of the syllable). Every way to finish the word is
//! reported with its end, its quality (summed per unit) and its flags.

use super::correction::{EDIT, EXACT, FUZZY, HOMOPHONE, INITIALS, PINYIN, SHAPE};
use super::syllables::{MAX_STEPS, Step, StepKind};
use super::units::{Query, Unit, skip_separators};
use super::vocabulary::Word;

/// One way a word was read: (end unit, quality, flags).
pub(super) type WordMatch = (usize, f32, u8);

/// Most ways to read one word that are followed further: a word that can
/// be read more ways is ambiguous enough.
const MAX_MATCHES: usize = 8;

/// How far a match of a word has got: syllable `j` is next, at unit `p`.
#[derive(Debug, Clone, Copy)]
struct Partial {
    j: usize,
    p: usize,
    quality: f32,
    flags: u8,
    /// Whether the word already has its one letter or character edit.
    edited: bool,
}

impl Partial {
    /// The match once syllable `j` has taken `advance` units, gaining
    /// `gain` and the flags `more`; `edited` as it is afterwards.
    fn next(self, advance: usize, gain: f32, more: u8, edited: bool) -> Self {
        Partial {
            j: self.j + 1,
            p: self.p + advance,
            quality: self.quality + gain,
            flags: self.flags | more,
            edited,
        }
    }
}

/// Pushes every way `word` may be read from unit `p` of the query into
/// `out`.
pub(super) fn match_word(word: &Word, query: &Query<'_>, p: usize, out: &mut Vec<WordMatch>) {
    let start = Partial {
        j: 0,
        p,
        quality: 0.0,
        flags: EXACT,
        edited: false,
    };
    extend(word, query, start, out);
}

/// Matches syllable `at.j` onwards of `word` against the query from unit
/// `at.p`, pushing every way to finish the word.
fn extend(word: &Word, query: &Query<'_>, at: Partial, out: &mut Vec<WordMatch>) {
    if at.j == word.syllables.len() {
        out.push((at.p, at.quality, at.flags));
        return;
    }
    let units = &query.units;
    // Spaces may separate syllables typed as pinyin, never split Chinese words.
    let p = if at.j > 0 {
        skip_separators(units, at.p)
    } else {
        at.p
    };
    if p >= units.len() || out.len() > MAX_MATCHES {
        return;
    }
    let at = Partial { p, ..at };
    match &units[p] {
        Unit::Han { .. } => {
            if let Some((gain, more, edited)) = han_step(word, query, at) {
                extend(word, query, at.next(1, gain, more, edited), out);
            }
        }
        Unit::Letter(_) => extend_letters(word, query, at, out),
        _ => {}
    }
}

/// How syllable `at.j` of `word` reads the Chinese character at unit
/// `at.p`: (gain, flags, edited afterwards), or `None` when it cannot.
fn han_step(word: &Word, query: &Query<'_>, at: Partial) -> Option<(f32, u8, bool)> {
    let Unit::Han {
        ch,
        readings,
        fuzzy,
    } = &query.units[at.p]
    else {
        return None;
    };
    let sound = word.sounds[at.j];
    let target = sound.ch;
    // A character edit never combines with a sound or shape typo in the
    // same word (see `acceptable`): such paths are not explored.
    let sound_or_shape_ok = at.flags & EDIT == 0;
    if *ch == target {
        Some((1.0, EXACT, at.edited))
    } else if query.alts[at.p].contains(&target) {
        sound_or_shape_ok.then_some((0.75, SHAPE, at.edited))
    } else if readings.contains(&sound.syllable) {
        sound_or_shape_ok.then_some((0.8, HOMOPHONE, at.edited))
    } else if fuzzy.contains(&sound.fuzzy) {
        sound_or_shape_ok.then_some((0.65, HOMOPHONE | FUZZY, at.edited))
    } else if !at.edited
        && at.flags & (HOMOPHONE | SHAPE) == 0
        && word.syllables.len() >= 3
        && !query.no_edit_at(at.p)
    {
        Some((0.3, EDIT, true))
    } else {
        None
    }
}

/// Reads syllable `at.j` of `word` from the run of letters at unit `at.p`,
/// every way it may be typed there, and goes on from each.
fn extend_letters(word: &Word, query: &Query<'_>, at: Partial, out: &mut Vec<WordMatch>) {
    let mut steps = [Step::default(); MAX_STEPS];
    let n = query.steps_of(word.sounds[at.j].syllable, at.p, &mut steps);
    for step in &steps[..n] {
        let len = step.len as usize;
        let gain = step.kind.gain() * len as f32;
        let (more, edited) = match step.kind {
            StepKind::Whole => (PINYIN, at.edited),
            StepKind::Spelling => (PINYIN | FUZZY, at.edited),
            StepKind::OneOff if !at.edited => (PINYIN | FUZZY, true),
            StepKind::OneOff => continue,
            StepKind::Initial => (INITIALS, at.edited),
        };
        extend(word, query, at.next(len, gain, more, edited), out);
    }
}

/// Rejects matches that are more guess than evidence. `quality` is summed
/// per query unit (character or letter) consumed.
pub(super) fn acceptable(word: &Word, flags: u8, quality: f32, consumed: usize) -> bool {
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
