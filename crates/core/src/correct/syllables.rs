//! How a syllable may be typed at a letter of the query: spelt out, in a
//! fuzzy spelling (zh/z, n/l, -ng/-n …), one letter off, or as its initial —
//! each a [`Step`] that takes some letters. The steps depend on the
//! syllable and the letters alone, so a query works them out once per
//! syllable and letter ([`Query::steps_of`]).

use super::units::Query;
use super::vocabulary::Spellings;

/// The most ways one syllable can be typed at one place: as is, a few fuzzy
/// spellings, three one-letter-off lengths, two initials.
pub(super) const MAX_STEPS: usize = 16;

/// One way a syllable may be typed at the start of a run of letters: how
/// many letters it takes, and how.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Step {
    pub(super) len: u8,
    pub(super) kind: StepKind,
}

/// How a syllable was typed (see [`Step`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum StepKind {
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
    pub(super) fn gain(self) -> f32 {
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
pub(super) struct StepMemo {
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

impl Query<'_> {
    /// The ways syllable `syllable` (a sound id) may be typed at the letter
    /// at unit `p`, into `out` (in [`syllable_steps`] order); returns how
    /// many. They depend on the syllable alone, so they are worked out once
    /// per syllable and unit.
    pub(super) fn steps_of(&self, syllable: u16, p: usize, out: &mut [Step; MAX_STEPS]) -> usize {
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
}

/// The ways a syllable may be typed at the start of `letters`
/// (a non-empty run of letters), pushed in the order [`match_word`](super::matching) tries
/// them: the syllable, its fuzzy spellings, one letter off (for a syllable
/// of three letters or more), and — when not spelt out — its initial.
pub(super) fn syllable_steps(spellings: &Spellings, letters: &[u8], out: &mut Vec<Step>) {
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

/// Whether two different ASCII strings are one edit apart in the optimal
/// string alignment sense: one substitution, insertion, deletion or swap of
/// adjacent letters (the typos of a syllable typed on a phone). Equivalent
/// to `strsim::osa_distance(a, b) == 1` (a test checks it) without the
/// allocations, since it runs for every candidate syllable of a query.
pub(super) fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
