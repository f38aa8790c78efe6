//! The dynamic programme: the best cover of the query by pieces, each a
//! vocabulary word read from some units or a unit kept as typed.
//!
//! `best[p]` is the best score of a cover of the first `p` units, with a
//! back pointer to where its last piece started. Keeping a unit as typed
//! scores little (a Chinese character 0.2, anything else nothing); a word
//! scores its match quality and prior, less a cost per word (fewer, longer
//! words win) and, read from initials, a cost for how many words share
//! them.

use super::correction::{EXACT, INITIALS};
use super::matching::{WordMatch, acceptable, match_word};
use super::units::{Query, Unit};
use super::vocabulary::{Corrector, Word, initials_of};

/// One cell of the cover DP: (score, where the piece started, the vocabulary
/// word it was read as, or `None` for a unit kept as typed, correction flags).
pub(super) type Cell = Option<(f32, usize, Option<u32>, u8)>;

/// Cost of each vocabulary word in a reading: like a language model, where
/// every further word multiplies in a probability below one, a reading with
/// fewer, longer words (身份证补领) beats one of more, shorter ones
/// (身份证 + 办理) that explains the input as well.
const WORD_COST: f32 = 0.3;

/// Cost, per natural-log unit of "how many words share these initials", of
/// reading a word from its initials.
const INITIALS_AMBIGUITY: f32 = 0.25;

/// One piece of the best cover: units `start..end`, read as vocabulary
/// word `word` (`None`: kept as typed) with `flags`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Piece {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) word: Option<u32>,
    pub(super) flags: u8,
}

/// What the cover reuses from unit to unit.
struct Scratch {
    /// The words that may start at the unit.
    candidates: Vec<u32>,
    /// A bit per vocabulary word (see [`Corrector::candidates`]).
    seen: Vec<u64>,
    /// The ways one word may be read there.
    matches: Vec<WordMatch>,
}

impl Corrector {
    /// The cover DP over `typed`; no word is read over a unit marked in
    /// `locked`. Returns `best` (one cell per unit boundary).
    pub(super) fn cover(&self, typed: &Query<'_>, locked: &[bool]) -> Vec<Cell> {
        let n = typed.units.len();
        let mut best: Vec<Cell> = vec![None; n + 1];
        best[0] = Some((0.0, 0, None, EXACT));
        let mut scratch = Scratch {
            candidates: Vec::new(),
            seen: vec![0u64; self.words.len().div_ceil(64)],
            matches: Vec::new(),
        };
        for p in 0..n {
            let Some((base, ..)) = best[p] else { continue };
            keep_as_typed(&mut best, typed, p, base);
            if matches!(typed.units[p], Unit::Separator | Unit::Other(_)) || locked[p] {
                continue;
            }
            self.read_words_at(&mut best, typed, locked, (p, base), &mut scratch);
        }
        best
    }

    /// Relaxes every vocabulary word that may be read from unit `p`, whose
    /// best cover scores `base`.
    fn read_words_at(
        &self,
        best: &mut [Cell],
        typed: &Query<'_>,
        locked: &[bool],
        (p, base): (usize, f32),
        scratch: &mut Scratch,
    ) {
        self.candidates(typed, p, &mut scratch.candidates, &mut scratch.seen);
        for &id in &scratch.candidates {
            let word = &self.words[id as usize];
            scratch.matches.clear();
            match_word(word, typed, p, &mut scratch.matches);
            for &(end, quality, flags) in &scratch.matches {
                if locked[p..end].iter().any(|l| *l) {
                    continue;
                }
                let consumed = typed.units[p..end]
                    .iter()
                    .filter(|u| !matches!(u, Unit::Separator))
                    .count();
                if !acceptable(word, flags, quality, consumed) {
                    continue;
                }
                let ambiguity = self.initials_ambiguity(word, flags);
                let score = base + quality + word.prior - ambiguity - WORD_COST;
                relax_word(best, end, score, p, id, flags);
            }
        }
    }

    /// What reading `word` from its initials costs (nothing when it was
    /// not read so): the more words share them, the more.
    fn initials_ambiguity(&self, word: &Word, flags: u8) -> f32 {
        if flags & INITIALS == 0 {
            return 0.0;
        }
        let same = self
            .initials_count
            .get(&initials_of(&word.syllables))
            .copied()
            .unwrap_or(1);
        INITIALS_AMBIGUITY * (same as f32).ln()
    }
}

/// Relaxes keeping unit `p` as typed. A run of letters is kept or read as
/// a whole: pinyin typed as one word is read completely or not at all, so
/// no reading picks syllables out of an English word (`passport` is not
/// 怕 + …).
fn keep_as_typed(best: &mut [Cell], typed: &Query<'_>, p: usize, base: f32) {
    let units = &typed.units;
    match units[p] {
        Unit::Han { .. } => relax(best, p + 1, base + 0.2, p, None, EXACT),
        Unit::Letter(_) if p > 0 && matches!(units[p - 1], Unit::Letter(_)) => {}
        Unit::Letter(_) => relax(best, typed.run_end[p], base, p, None, EXACT),
        _ => relax(best, p + 1, base, p, None, EXACT),
    }
}

/// The pieces of the best cover, first to last, walked back from the
/// last cell (`None` when no cover reaches the end).
pub(super) fn pieces(best: &[Cell]) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut end = best.len() - 1;
    while end > 0 {
        let (_, start, word, flags) = best[end]?;
        pieces.push(Piece {
            start,
            end,
            word,
            flags,
        });
        end = start;
    }
    pieces.reverse();
    Some(pieces)
}

/// Sets `best[at]` to the piece from `from` when it scores better.
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

#[cfg(test)]
mod tests {
    use super::super::correction::{HOMOPHONE, PINYIN};
    use super::*;

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
}
