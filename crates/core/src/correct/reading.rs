//! The best cover read out: its text (vocabulary words spaced apart, units
//! kept as typed as they were), the flags of every word, and the words read
//! from sound with the other words that sound the same.

use super::correction::{Correction, EXACT, HOMOPHONE, INITIALS, PINYIN, kinds};
use super::cover::Piece;
use super::units::Unit;
use super::vocabulary::Corrector;
use crate::normalize::join_han;

/// A cover read out, before it is compared with the query.
pub(super) struct Reading {
    /// The words and kept units, words spaced apart.
    text: String,
    /// Every word's flags, together.
    flags: u8,
    /// Words read from sound, with the other words that sound the same.
    homophones: Vec<(String, Vec<String>)>,
}

impl Corrector {
    /// Reads out the `pieces` of a cover of `units`.
    pub(super) fn read_out(&self, units: &[Unit], pieces: &[Piece]) -> Reading {
        let mut reading = Reading {
            text: String::new(),
            flags: EXACT,
            homophones: Vec::new(),
        };
        for piece in pieces {
            match piece.word {
                Some(id) => self.push_word(&mut reading, id, piece.flags),
                None => push_typed(&mut reading.text, &units[piece.start..piece.end]),
            }
        }
        reading
    }

    /// Appends vocabulary word `id`, read with `flags`, as a word of its
    /// own.
    fn push_word(&self, reading: &mut Reading, id: u32, flags: u8) {
        let text = &mut reading.text;
        if !text.is_empty() && !text.ends_with(' ') {
            text.push(' ');
        }
        let word = &self.words[id as usize];
        text.push_str(&word.text);
        text.push(' ');
        reading.flags |= flags;
        if flags & (PINYIN | HOMOPHONE) != 0 && flags & INITIALS == 0 {
            let same = self.homophones_of(word);
            if !same.is_empty() {
                reading.homophones.push((word.text.clone(), same));
            }
        }
    }
}

/// Appends units kept as typed.
fn push_typed(text: &mut String, units: &[Unit]) {
    for unit in units {
        match unit {
            Unit::Han { ch, .. } | Unit::Other(ch) => text.push(*ch),
            Unit::Letter(b) => text.push(*b as char),
            Unit::Separator => text.push(' '),
        }
    }
}

impl Reading {
    /// The correction of `query` this reading makes, or `None` when it
    /// reads the query as typed (no word corrected, or the same text).
    pub(super) fn into_correction(self, query: &str) -> Option<Correction> {
        let corrected = join_han(&self.text.split_whitespace().collect::<Vec<_>>().join(" "));
        let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if self.flags == EXACT || compact(&corrected) == compact(query) {
            return None;
        }
        Some(Correction {
            original: query.to_string(),
            corrected,
            kinds: kinds(self.flags),
            homophones: self.homophones,
        })
    }
}
