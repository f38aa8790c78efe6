//! Which vocabulary words may start at a unit of the query: the
//! candidates the cover tries there, found through the vocabulary's
//! indexes and cheap checks of the next unit, so that most words are never
//! matched at all.
//!
//! A Chinese character finds words by its first two characters (as typed,
//! a look-alike or a fuzzy sound, see [`Corrector::by_pair`]); a letter
//! finds them in the lists of that letter, partitioned by first syllable
//! (a syllable that cannot be typed here rules out all of its words at
//! once, and what may follow it is worked out once per list).

use super::syllables::{MAX_STEPS, Step};
use super::units::{Query, Unit, skip_separators};
#[cfg(test)]
use super::vocabulary::Word;
use super::vocabulary::{Corrector, LetterProbe, PairKey, pair_key};

impl Corrector {
    /// Words that may start at unit `p`, each once, into `out`: by its
    /// character, look-alikes and sound for a Chinese character; by first
    /// letter (and what may follow it) for a letter. Words that the tests'
    /// `second_may_match` or [`AfterFirst::may_match`] rule out are left
    /// out. They come in no particular order
    /// ([`relax_word`](super::cover) breaks ties as vocabulary order
    /// would); `seen` is a bit per vocabulary word, all clear, and is left
    /// clear.
    pub(super) fn candidates(
        &self,
        typed: &Query<'_>,
        p: usize,
        out: &mut Vec<u32>,
        seen: &mut [u64],
    ) {
        out.clear();
        match &typed.units[p] {
            Unit::Han { ch, fuzzy, .. } => {
                self.han_candidates(typed, p, (*ch, fuzzy), out, seen);
                for &id in out.iter() {
                    seen[id as usize / 64] = 0;
                }
            }
            Unit::Letter(b) => self.letter_candidates(typed, p, *b, out),
            _ => {}
        }
    }

    /// The candidates at the Chinese character `ch` (with the ids of its
    /// fuzzy sounds) at unit `p`: exactly the words `second_may_match` (the
    /// tests' reference) keeps — found by a first and a second character (as typed, by shape
    /// or by fuzzy sound; a reading always shares its fuzzy key), or long
    /// enough for an edit after an exact first character.
    fn han_candidates(
        &self,
        typed: &Query<'_>,
        p: usize,
        (ch, fuzzy): (char, &[u16]),
        out: &mut Vec<u32>,
        seen: &mut [u64],
    ) {
        let q = skip_separators(&typed.units, p + 1);
        match typed.units.get(q) {
            Some(Unit::Han {
                ch: next,
                fuzzy: next_fuzzy,
                ..
            }) => {
                let firsts = pair_keys(ch, typed.alts[p], fuzzy);
                let seconds = pair_keys(*next, typed.alts[q], next_fuzzy);
                let pairs = firsts
                    .iter()
                    .flat_map(|&first| seconds.iter().map(move |&second| (first, second)));
                for list in pairs.filter_map(|pair| self.by_pair.get(&pair)) {
                    add_unseen(list, seen, out);
                }
                if !typed.no_edit_at(q)
                    && let Some(list) = self.by_char_long.get(&ch)
                {
                    add_unseen(list, seen, out);
                }
            }
            Some(Unit::Letter(_)) => {
                let lists = std::iter::once(&ch)
                    .chain(typed.alts[p])
                    .filter_map(|c| self.by_char.get(c))
                    .chain(fuzzy.iter().filter_map(|key| self.by_fuzzy.get(key)));
                for list in lists {
                    add_unseen(list, seen, out);
                }
            }
            _ => {}
        }
    }

    /// The candidates at the letter `b` at unit `p`. A word is in one list
    /// of its letter, once: no duplicates.
    fn letter_candidates(&self, typed: &Query<'_>, p: usize, b: u8, out: &mut Vec<u32>) {
        let letters = typed.letters_at(p);
        let second = match letters.get(1) {
            Some(&second) if second.is_ascii_lowercase() => Some(1 << (second - b'a')),
            _ => None,
        };
        // How a first syllable may be typed here depends on the syllable
        // only: computed once per first syllable, and its words are skipped
        // together when it cannot start here.
        for list in self.by_letter.get(&b).into_iter().flatten() {
            let advances = letter_advances(typed, list.syllable, p);
            if advances == 0 {
                continue;
            }
            // What may follow the first syllable is the same for every
            // word of the list.
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
    }
}

/// The [`Corrector::by_pair`] keys of a character: itself, its look-alikes
/// `alts`, and its fuzzy sounds.
fn pair_keys(c: char, alts: &[char], sounds: &[u16]) -> Vec<u32> {
    std::iter::once(&c)
        .chain(alts)
        .map(|&c| pair_key(PairKey::Char(c)))
        .chain(sounds.iter().map(|&s| pair_key(PairKey::Sound(s))))
        .collect()
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

/// The ways syllable `syllable` (a sound id) may be typed at the letter
/// at unit `p` by a word not edited yet: bit `n` set when it may take `n`
/// letters — as [`match_word`](super::matching) reads letters (see
/// [`syllable_steps`](super::syllables::syllable_steps)).
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
            let q = skip_separators(units, p + n);
            match units.get(q) {
                Some(Unit::Letter(b)) => after.letters |= 1 << (b - b'a'),
                Some(Unit::Han { .. }) if !after.han.contains(&q) => after.han.push(q),
                _ => {}
            }
        }
        after
    }

    /// Exactly `letters_may_match` (the tests' reference): whether `word` can match the unit
    /// after its first syllable too (it never rejects a word
    /// [`match_word`](super::matching) would read).
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
        || (word.syllables >= 3 && !query.no_edit_at(q))
}

/// Whether `word`, whose first character matches the Chinese character at
/// unit `p` (as typed, by shape or by sound), can match the next unit too
/// — a check that [`match_word`](super::matching) would find nothing. Always true when it
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
                    && !query.no_edit_at(q))
        }
        Some(Unit::Letter(_)) => true,
        _ => false,
    }
}

/// Whether `word`, typed from the letter at unit `p` with its first
/// syllable taking one of `advances` (see [`letter_advances`]), can match
/// the unit after that first syllable too — a cheap check that
/// [`match_word`](super::matching) would find nothing (it never rejects a word `match_word`
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
                    || (word.syllables >= 3 && !query.no_edit_at(q))
            }
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::corrector;
    use super::*;

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
}
