//! How one vocabulary word matches the query from a unit: syllable by
//! syllable, each against a Chinese character (as typed, a look-alike, a
//! reading, a fuzzy sound, or — once per word — an edit) or a run of
//! letters (the [`Step`]s of the syllable). Every way to finish the word is
//! reported with its end, its quality (summed per unit) and its flags.

use super::correction::{EDIT, EXACT, FUZZY, HOMOPHONE, INITIALS, PINYIN, SHAPE};
use super::syllables::{MAX_STEPS, Step, StepKind, one_edit_apart};
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
    if !at.edited && at.j > 0 && at.flags & INITIALS == 0 {
        slipped_tail(word, query, at, out);
    }
}

/// What a slip of the fingers costs against the letters spelt out.
const SLIP_COST: f32 = 1.1;

/// Longest rest of a word read as one slipped run of letters.
const MAX_TAIL: usize = 48;

/// Reads the rest of `word` (syllables `at.j..`, spelt out) from the run of
/// letters at `at.p` with one slip anywhere in it — a letter dropped,
/// doubled, wrong, two adjacent letters swapped, or a letter moved across
/// a syllable boundary (`shebakao` for she·bao·ka): the syllable lattice
/// reaches every syllable boundary of the word, so a slip at any of them is
/// found by comparing the rest of the word once, not by spelling out its
/// variants. The first syllable is never the one to start it (it chose the
/// word: see [`Corrector::candidates`](super::vocabulary::Corrector)), and
/// the word must not be edited yet.
fn slipped_tail(word: &Word, query: &Query<'_>, at: Partial, out: &mut Vec<WordMatch>) {
    let letters = query.letters_at(at.p);
    let mut tail = [0u8; MAX_TAIL];
    let mut n = 0;
    for syllable in &word.syllables[at.j..] {
        let bytes = syllable.as_bytes();
        let Some(slot) = tail.get_mut(n..n + bytes.len()) else {
            return;
        };
        slot.copy_from_slice(bytes);
        n += bytes.len();
    }
    let tail = &tail[..n];
    if n < 3 || letters.first() != tail.first() {
        return;
    }
    for len in n - 1..=n + 1 {
        let Some(typed) = letters.get(..len) else {
            break;
        };
        if typed != tail && one_slip_apart(typed, tail) {
            let gain = 0.95 * len as f32 - SLIP_COST;
            out.push((at.p + len, at.quality + gain, at.flags | PINYIN | FUZZY));
        }
    }
}

/// Whether `typed` is `spelt` with one slip: one edit in the optimal string
/// alignment sense, or one letter moved by two or three places (a letter
/// typed at the wrong side of the next syllable's first letters).
fn one_slip_apart(typed: &[u8], spelt: &[u8]) -> bool {
    if one_edit_apart(typed, spelt) {
        return true;
    }
    if typed.len() != spelt.len() {
        return false;
    }
    let first = typed.iter().zip(spelt).take_while(|(a, b)| a == b).count();
    let last = typed.len()
        - typed
            .iter()
            .rev()
            .zip(spelt.iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
    if last <= first || !(3..=4).contains(&(last - first)) {
        return false;
    }
    let (a, b) = (&typed[first..last], &spelt[first..last]);
    let k = a.len();
    // Moved forward (b's first letter typed last) or back (b's last typed first).
    (a[..k - 1] == b[1..] && a[k - 1] == b[0]) || (a[1..] == b[..k - 1] && a[0] == b[k - 1])
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

#[cfg(test)]
mod tests {
    use super::one_slip_apart;

    #[test]
    fn one_slip_covers_edits_and_letters_moved_across_a_syllable() {
        // Swapped, dropped, doubled, wrong.
        for typed in ["baoak", "baka", "baokka", "baoke"] {
            assert!(one_slip_apart(typed.as_bytes(), b"baoka"), "{typed}");
        }
        // A letter moved past the next syllable's first letters (bao·ka typed ba·kao).
        assert!(one_slip_apart(b"bakao", b"baoka"));
        assert!(one_slip_apart(b"chxaun", b"chaxun"));
        // Two slips, or a letter moved too far, are not one.
        assert!(!one_slip_apart(b"abkoa", b"baoka"));
        assert!(!one_slip_apart(b"hangzhou", b"hongzhao"));
        assert!(!one_slip_apart(b"abcdefg", b"bcdefga"));
    }
}
