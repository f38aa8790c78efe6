//! Vocabulary words that sound alike: the word a text sounds exactly like
//! (公基金 → 公积金), and the other words that share a word's syllables
//! (积分, 记分).

use std::borrow::Cow;

use super::vocabulary::{CharSounds, Corrector, Word};
use crate::normalize::is_han;

/// Most combinations of readings tried for one text.
const MAX_COMBINATIONS: usize = 64;
/// Most other words listed as sounding like a word.
const MAX_HOMOPHONES: usize = 6;

impl Corrector {
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
            if s.readings.is_empty() || combinations > MAX_COMBINATIONS {
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
            if !next_reading(&sounds, &mut at, &mut key) {
                return best.map(|id| self.words[id as usize].text.as_str());
            }
        }
    }

    /// Up to six other vocabulary words with the same syllables as `word`,
    /// in vocabulary order.
    pub(super) fn homophones_of(&self, word: &Word) -> Vec<String> {
        let ids: Vec<u16> = word.sounds().iter().map(|s| s.syllable).collect();
        self.by_sound
            .get(&ids)
            .into_iter()
            .flatten()
            .map(|&i| self.words[i as usize].text.clone())
            .filter(|t| *t != word.text)
            .take(MAX_HOMOPHONES)
            .collect()
    }
}

/// Turns the odometer of readings one step: `at` holds, per character, the
/// place of its reading in `sounds`, and `key` the readings themselves.
/// Returns `false` once every combination has been seen.
fn next_reading(sounds: &[Cow<'_, CharSounds>], at: &mut [usize], key: &mut [u16]) -> bool {
    for i in 0..at.len() {
        let readings = &sounds[i].readings;
        at[i] += 1;
        if at[i] < readings.len() {
            key[i] = readings[at[i]];
            return true;
        }
        at[i] = 0;
        key[i] = readings[0];
    }
    false
}
