//! How the corrector reads a query: as *units*, one per character — a
//! Chinese character with the ids of its readings and their fuzzy keys, a
//! letter, a separator (space, `'`, `-`) or anything else — gathered in a
//! [`Query`] with what matching asks of each unit (its run of letters, its
//! look-alikes, whether an edit may replace it).

use std::cell::RefCell;

use super::syllables::StepMemo;
use super::vocabulary::{Corrector, Spellings};
use crate::normalize::is_han;

/// One character of a query.
#[derive(Debug, Clone)]
pub(super) enum Unit {
    /// A Chinese character.
    Han {
        ch: char,
        /// Ids of every reading of the character.
        readings: Vec<u16>,
        /// Ids of their fuzzy keys.
        fuzzy: Vec<u16>,
    },
    /// A lower-case ASCII letter (pinyin, or a Latin word).
    Letter(u8),
    /// A space, `'` or `-`: may separate syllables typed as pinyin.
    Separator,
    /// Anything else (digits, punctuation): kept as typed.
    Other(char),
}

impl Corrector {
    /// The units of a query, each Chinese character with the ids of its
    /// readings and their fuzzy keys (unknown sounds match nothing).
    pub(super) fn units(&self, query: &str) -> Vec<Unit> {
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

/// The first unit at or after `from` that is no separator (`units.len()`
/// when there is none).
pub(super) fn skip_separators(units: &[Unit], from: usize) -> usize {
    let mut q = from;
    while q < units.len() && matches!(units[q], Unit::Separator) {
        q += 1;
    }
    q
}

/// A query being corrected: its units, and for each unit the run of
/// letters starting there.
pub(super) struct Query<'a> {
    pub(super) units: Vec<Unit>,
    /// The letters of the query, a zero byte for every other unit.
    letters: Vec<u8>,
    /// Per unit: where its run of letters ends.
    pub(super) run_end: Vec<usize>,
    /// Per unit: the characters it may be a look-alike typo of.
    pub(super) alts: Vec<&'a [char]>,
    /// How each syllable may be spelt (see [`Corrector::spellings`]).
    pub(super) spellings: &'a [Option<Spellings>],
    /// Per unit: part of a real word as typed, so never replaced by an edit.
    no_edit: Vec<bool>,
    /// How each syllable may be typed at each letter, worked out once per
    /// query (see [`Query::steps_of`]).
    pub(super) steps: RefCell<StepMemo>,
}

impl<'a> Query<'a> {
    /// The query of `units`, whose units marked in `no_edit` belong to
    /// real words as typed.
    pub(super) fn new(units: Vec<Unit>, corrector: &'a Corrector, no_edit: Vec<bool>) -> Self {
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

    /// The letters of the run starting at `p` (up to the next non-letter).
    pub(super) fn letters_at(&self, p: usize) -> &[u8] {
        &self.letters[p..self.run_end[p]]
    }

    /// Whether the unit at `q` belongs to a real word as typed, so an edit
    /// never replaces it.
    pub(super) fn no_edit_at(&self, q: usize) -> bool {
        self.no_edit.get(q).copied().unwrap_or(false)
    }
}
