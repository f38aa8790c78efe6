//! Autocomplete (联想): suggestions for a prefix typed in Chinese, full
//! pinyin, initials or a mix, in microseconds.
//!
//! Every suggestion text (item titles, thesaurus terms, hot queries) is keyed
//! four ways — its Chinese text, its full pinyin, its initials and a *fuzzy*
//! pinyin form — and aliases add keys that lead to their item's title. The
//! keys live in one [`fst::Map`] in sorted order; a prefix selects a
//! contiguous range of it, and a segment tree over the entries' popularity
//! pulls the best entries of that range in `O(k log n)`, however many keys
//! the prefix matches.
//!
//! Ranking is tiered by how the prefix matched (Chinese prefix ≫ full pinyin
//! ≫ initials ≫ fuzzy pinyin) and by popularity within a tier. Suggestions
//! are unique by text, and banned words are never indexed.

use std::collections::{BTreeMap, BinaryHeap};

use fst::raw::{Fst, Node, Output};
use fst::{Map, MapBuilder};
use serde::Serialize;

use crate::normalize::is_han;
use crate::pinyin::PinyinConverter;

/// Largest number of suggestions per request.
pub const MAX_SUGGESTIONS: usize = 20;
/// Longest prefix looked up, in characters.
pub const MAX_PREFIX_CHARS: usize = 50;

/// What a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SuggestionKind {
    /// A service item (its title).
    Item,
    /// A thesaurus term.
    Term,
    /// A hot query (热搜).
    Query,
}

/// How the typed prefix matched a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SuggestMatch {
    /// Fuzzy pinyin (z/zh, n/l, an/ang …).
    Fuzzy = 0,
    /// Pinyin initials.
    Initials = 1,
    /// Full pinyin.
    Pinyin = 2,
    /// The Chinese text itself.
    Prefix = 3,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    /// The text to show and search.
    pub text: String,
    /// Item, term or hot query.
    pub kind: SuggestionKind,
    /// For items: the id of the most popular item with this title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// How the prefix matched.
    pub matched: SuggestMatch,
    /// Ranking score (tier + popularity).
    pub score: f32,
}

/// One suggestion source before indexing.
#[derive(Debug, Clone)]
pub struct SuggestEntry {
    /// Display text (normalised).
    pub text: String,
    /// Other texts that lead to it (aliases).
    pub aliases: Vec<String>,
    /// Kind.
    pub kind: SuggestionKind,
    /// Item id, for items.
    pub id: Option<String>,
    /// Popularity, 0–100.
    pub popularity: f32,
}

/// The autocomplete index.
pub struct Suggester {
    keys: Map<Vec<u8>>,
    entries: Vec<SuggestEntry>,
    /// Per key ordinal: entry index and key kind.
    ordinals: Vec<(u32, SuggestMatch)>,
    /// Segment tree of argmax (by popularity) over key ordinals.
    tree: Vec<u32>,
    size: usize,
    pinyin: PinyinConverter,
}

impl std::fmt::Debug for Suggester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Suggester")
            .field("entries", &self.entries.len())
            .field("keys", &self.ordinals.len())
            .finish()
    }
}

impl Suggester {
    /// Indexes the entries. Entries with the same text are merged (the most
    /// popular wins).
    pub fn new(entries: Vec<SuggestEntry>, pinyin: PinyinConverter) -> Self {
        let mut merged: BTreeMap<String, SuggestEntry> = BTreeMap::new();
        for e in entries {
            match merged.get_mut(&e.text) {
                Some(existing) => {
                    // Items win over terms and queries (they carry an id);
                    // the merged entry keeps the highest popularity.
                    existing.aliases.extend(e.aliases.iter().cloned());
                    let popularity = existing.popularity.max(e.popularity);
                    let replace = match (existing.kind, e.kind) {
                        (SuggestionKind::Item, SuggestionKind::Item) => {
                            e.popularity > existing.popularity
                        }
                        (SuggestionKind::Item, _) => false,
                        (_, SuggestionKind::Item) => true,
                        _ => e.popularity > existing.popularity,
                    };
                    if replace {
                        let aliases = std::mem::take(&mut existing.aliases);
                        *existing = SuggestEntry { aliases, ..e };
                    }
                    existing.popularity = popularity;
                }
                None => {
                    merged.insert(e.text.clone(), e);
                }
            }
        }
        let entries: Vec<SuggestEntry> = merged.into_values().collect();
        let mut keyed: Vec<(Vec<u8>, u32, SuggestMatch)> = Vec::new();
        for (index, e) in entries.iter().enumerate() {
            let mut texts = vec![e.text.as_str()];
            texts.extend(e.aliases.iter().map(String::as_str));
            for text in texts {
                for (key, kind) in keys_of(text, &pinyin) {
                    let mut bytes = key.into_bytes();
                    bytes.push(0);
                    bytes.extend((index as u32).to_be_bytes());
                    bytes.push(kind as u8);
                    keyed.push((bytes, index as u32, kind));
                }
            }
        }
        keyed.sort();
        keyed.dedup_by(|a, b| a.0 == b.0);
        let mut builder = MapBuilder::memory();
        for (ordinal, (key, _, _)) in keyed.iter().enumerate() {
            // Keys are sorted and unique, so insertion cannot fail.
            let _ = builder.insert(key, ordinal as u64);
        }
        let keys = builder.into_map().into_fst().into_inner();
        let keys = Map::new(keys).unwrap_or_default();
        let ordinals: Vec<(u32, SuggestMatch)> = keyed.iter().map(|(_, e, k)| (*e, *k)).collect();
        let size = ordinals.len().next_power_of_two().max(1);
        let mut tree = vec![u32::MAX; 2 * size];
        for (i, _) in ordinals.iter().enumerate() {
            tree[size + i] = i as u32;
        }
        let mut s = Suggester {
            keys,
            entries,
            ordinals,
            tree,
            size,
            pinyin,
        };
        for node in (1..size).rev() {
            s.tree[node] = s.better(s.tree[2 * node], s.tree[2 * node + 1]);
        }
        s
    }

    /// Number of distinct suggestion texts.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is nothing to suggest.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn popularity(&self, ordinal: u32) -> f32 {
        match self.ordinals.get(ordinal as usize) {
            Some((entry, _)) => self.entries[*entry as usize].popularity,
            None => f32::MIN,
        }
    }

    fn better(&self, a: u32, b: u32) -> u32 {
        if a == u32::MAX {
            b
        } else if b == u32::MAX || self.popularity(a) >= self.popularity(b) {
            a
        } else {
            b
        }
    }

    /// Argmax over ordinals `[lo, hi)`.
    fn argmax(&self, lo: usize, hi: usize) -> u32 {
        let (mut l, mut r) = (lo + self.size, hi + self.size);
        let mut best = u32::MAX;
        while l < r {
            if l & 1 == 1 {
                best = self.better(best, self.tree[l]);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                best = self.better(best, self.tree[r]);
            }
            l >>= 1;
            r >>= 1;
        }
        best
    }

    /// Ordinal range of keys starting with `prefix` (of kind-tagged keys).
    fn range(&self, prefix: &[u8]) -> (usize, usize) {
        let fst = self.keys.as_fst();
        let first_at_or_after = |bound: &[u8]| -> usize {
            lower_bound(fst, fst.root(), Output::zero(), bound)
                .map_or(self.ordinals.len(), |o| o as usize)
        };
        let lo = first_at_or_after(prefix);
        let hi = match successor(prefix) {
            Some(upper) => first_at_or_after(&upper),
            None => self.ordinals.len(),
        };
        (lo, hi.max(lo))
    }

    /// The best entries (by popularity) among keys with this prefix, keeping
    /// only keys of `kind`.
    fn top(
        &self,
        prefix: &str,
        kind: SuggestMatch,
        want: usize,
        heap: &mut BinaryHeap<(OrderedScore, usize, usize, u32)>,
        out: &mut Vec<Suggestion>,
    ) {
        if prefix.is_empty() {
            return;
        }
        let (lo, hi) = self.range(prefix.as_bytes());
        heap.clear();
        let push = |heap: &mut BinaryHeap<_>, l: usize, r: usize| {
            if l < r {
                let m = self.argmax(l, r);
                heap.push((OrderedScore(self.popularity(m)), l, r, m));
            }
        };
        push(heap, lo, hi);
        let mut taken = 0;
        let mut visited = 0;
        while let Some((_, l, r, m)) = heap.pop() {
            visited += 1;
            let (entry, key_kind) = self.ordinals[m as usize];
            if key_kind == kind {
                let e = &self.entries[entry as usize];
                if !out.iter().any(|s| s.text == e.text) {
                    out.push(Suggestion {
                        text: e.text.clone(),
                        kind: e.kind,
                        id: e.id.clone(),
                        matched: kind,
                        score: kind as u8 as f32 + e.popularity / 100.0,
                    });
                    taken += 1;
                }
            }
            if taken >= want || visited > want * 16 {
                break;
            }
            push(heap, l, m as usize);
            push(heap, m as usize + 1, r);
        }
    }

    /// Suggestions for a normalised prefix, best first, unique by text.
    pub fn suggest(&self, prefix: &str, size: usize) -> Vec<Suggestion> {
        let size = size.clamp(1, MAX_SUGGESTIONS);
        let prefix: String = prefix
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\'')
            .take(MAX_PREFIX_CHARS)
            .collect();
        let mut out = Vec::with_capacity(size * 2);
        if prefix.is_empty() {
            return out;
        }
        let has_han = prefix.chars().any(is_han);
        let has_latin = prefix.chars().any(|c| c.is_ascii_alphabetic());
        let mut heap = BinaryHeap::with_capacity(4 * size + 4);
        if has_han && !has_latin {
            self.top(&prefix, SuggestMatch::Prefix, size, &mut heap, &mut out);
        }
        if out.len() < size {
            let full = self.pinyin.full(&prefix);
            if full.bytes().all(|b| b.is_ascii_alphanumeric()) {
                if has_latin {
                    self.top(&full, SuggestMatch::Pinyin, size, &mut heap, &mut out);
                    let initials = self.pinyin.initials(&prefix);
                    self.top(&initials, SuggestMatch::Initials, size, &mut heap, &mut out);
                }
                if out.len() < size {
                    let fuzzy = fuzzy_form(&full);
                    self.top(&fuzzy, SuggestMatch::Fuzzy, size, &mut heap, &mut out);
                }
            }
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.text.cmp(&b.text))
        });
        out.truncate(size);
        out
    }
}

/// A popularity ordered for the heap.
#[derive(PartialEq)]
struct OrderedScore(f32);
impl Eq for OrderedScore {}
impl PartialOrd for OrderedScore {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrderedScore {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The value (ordinal) of the smallest key at or below `node` that is at
/// least `bound`, read off the automaton without allocating: follow `bound`
/// while it matches; at the first byte that does not, the answer is the
/// smallest key under the next larger transition.
fn lower_bound<'a>(
    fst: &'a Fst<Vec<u8>>,
    node: Node<'a>,
    out: Output,
    bound: &[u8],
) -> Option<u64> {
    let Some((&b, rest)) = bound.split_first() else {
        return Some(smallest_key(fst, node, out));
    };
    // A key ending at this node is shorter than `bound`, hence smaller.
    let start = match node.find_input(b) {
        Some(i) => {
            let t = node.transition(i);
            if let Some(found) = lower_bound(fst, fst.node(t.addr), out.cat(t.out), rest) {
                return Some(found);
            }
            i + 1
        }
        None => (0..node.len())
            .find(|&i| node.transition(i).inp > b)
            .unwrap_or(node.len()),
    };
    (start < node.len()).then(|| {
        let t = node.transition(start);
        smallest_key(fst, fst.node(t.addr), out.cat(t.out))
    })
}

/// The value of the smallest key at or below `node`.
fn smallest_key<'a>(fst: &'a Fst<Vec<u8>>, mut node: Node<'a>, mut out: Output) -> u64 {
    loop {
        if node.is_final() || node.is_empty() {
            return out.cat(node.final_output()).value();
        }
        let t = node.transition(0);
        out = out.cat(t.out);
        node = fst.node(t.addr);
    }
}

/// The smallest byte string greater than every string with this prefix.
fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut upper = prefix.to_vec();
    while let Some(last) = upper.pop() {
        if last < u8::MAX {
            upper.push(last + 1);
            return Some(upper);
        }
    }
    None
}

/// The four keys of a text: Chinese, full pinyin, initials, fuzzy pinyin.
fn keys_of(text: &str, pinyin: &PinyinConverter) -> Vec<(String, SuggestMatch)> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut keys = vec![(compact.clone(), SuggestMatch::Prefix)];
    let full = pinyin.full(&compact);
    if full.bytes().all(|b| b.is_ascii_alphanumeric()) {
        keys.push((fuzzy_form(&full), SuggestMatch::Fuzzy));
        keys.push((pinyin.initials(&compact), SuggestMatch::Initials));
        keys.push((full, SuggestMatch::Pinyin));
    }
    keys
}

/// A letter-level folding applied identically to keys and typed prefixes, so
/// that prefixes match across the usual confusions: zh/z, ch/c, sh/s, ng/n,
/// n/l, f/h.
pub fn fuzzy_form(pinyin: &str) -> String {
    let mut out = String::with_capacity(pinyin.len());
    let mut chars = pinyin.chars().peekable();
    while let Some(ch) = chars.next() {
        let next = chars.peek().copied();
        match ch {
            'z' | 'c' | 's' if next == Some('h') => {
                chars.next();
                out.push(ch);
            }
            'n' if next == Some('g') => {
                chars.next();
                out.push('l');
            }
            'n' => out.push('l'),
            'f' => out.push('h'),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str, kind: SuggestionKind, popularity: f32) -> SuggestEntry {
        SuggestEntry {
            text: text.to_string(),
            aliases: Vec::new(),
            kind,
            id: (kind == SuggestionKind::Item).then(|| format!("id-{text}")),
            popularity,
        }
    }

    #[test]
    fn fuzzy_form_folds_the_usual_confusions() {
        // The reference: the foldings applied one after another.
        let reference = |p: &str| {
            p.replace("zh", "z")
                .replace("ch", "c")
                .replace("sh", "s")
                .replace("ng", "n")
                .replace('n', "l")
                .replace('f', "h")
        };
        for p in [
            "zhangsan",
            "shengyujintie",
            "chongqing",
            "nanning",
            "fuhua",
            "lvnng",
            "hukou",
            "shsh",
            "nng",
            "gongjijin",
            "社保kazh",
            "",
        ] {
            assert_eq!(fuzzy_form(p), reference(p), "{p}");
        }
    }

    #[test]
    fn lower_bound_agrees_with_a_range_stream() {
        use fst::{IntoStreamer, Streamer};
        let mut keys: Vec<Vec<u8>> = [
            "a",
            "ab",
            "abc",
            "abd",
            "b",
            "ba",
            "bb\u{0}1",
            "gongjijin",
            "gongjijin\u{0}2",
            "gonjijil",
            "社保",
            "社保卡",
            "社会",
            "zfgjj",
            "zz",
        ]
        .iter()
        .map(|k| k.as_bytes().to_vec())
        .collect();
        keys.sort();
        let mut builder = MapBuilder::memory();
        for (i, k) in keys.iter().enumerate() {
            builder.insert(k, i as u64).unwrap();
        }
        let map = builder.into_map();
        let fst = map.as_fst();
        let mut bounds: Vec<Vec<u8>> = vec![Vec::new(), vec![0], vec![0xff], b"c".to_vec()];
        for k in &keys {
            for n in 0..=k.len() {
                bounds.push(k[..n].to_vec());
                if let Some(s) = successor(&k[..n]) {
                    bounds.push(s);
                }
                let mut more = k[..n].to_vec();
                more.push(b'a');
                bounds.push(more);
            }
        }
        for bound in bounds {
            let expected = map.range().ge(&bound).into_stream().next().map(|(_, v)| v);
            let got = lower_bound(fst, fst.root(), Output::zero(), &bound);
            assert_eq!(got, expected, "bound {bound:?}");
        }
    }

    fn suggester() -> Suggester {
        let mut entries = vec![
            entry("住房公积金提取", SuggestionKind::Item, 90.0),
            entry("住房公积金贷款", SuggestionKind::Item, 70.0),
            entry("社会保障卡补换", SuggestionKind::Item, 80.0),
            entry("社保查询", SuggestionKind::Query, 95.0),
            entry("生育津贴申领", SuggestionKind::Item, 60.0),
            entry("户籍迁移", SuggestionKind::Item, 75.0),
        ];
        entries[2].aliases.push("社保卡补办".into());
        entries.push(entry("住房公积金提取", SuggestionKind::Item, 50.0));
        Suggester::new(entries, PinyinConverter::default())
    }

    fn texts(s: &[Suggestion]) -> Vec<&str> {
        s.iter().map(|x| x.text.as_str()).collect()
    }

    #[test]
    fn chinese_prefixes_rank_by_popularity_without_duplicates() {
        let s = suggester();
        assert_eq!(
            texts(&s.suggest("住房", 5)),
            vec!["住房公积金提取", "住房公积金贷款"]
        );
        let top = &s.suggest("住房", 1)[0];
        assert_eq!(top.id.as_deref(), Some("id-住房公积金提取"));
        assert_eq!(top.matched, SuggestMatch::Prefix);
    }

    #[test]
    fn pinyin_initials_mixed_and_fuzzy_prefixes() {
        let s = suggester();
        assert_eq!(texts(&s.suggest("zhufang", 1)), vec!["住房公积金提取"]);
        assert_eq!(texts(&s.suggest("zfgjjd", 3)), vec!["住房公积金贷款"]);
        assert_eq!(texts(&s.suggest("户ji", 3)), vec!["户籍迁移"]);
        assert_eq!(texts(&s.suggest("sengyu", 3)), vec!["生育津贴申领"]);
        assert_eq!(s.suggest("sengyu", 3)[0].matched, SuggestMatch::Fuzzy);
    }

    #[test]
    fn aliases_lead_to_their_item_and_exact_prefix_beats_pinyin() {
        let s = suggester();
        assert_eq!(texts(&s.suggest("社保卡", 3)), vec!["社会保障卡补换"]);
        let both = s.suggest("she", 5);
        assert!(
            both.iter().all(|x| x.matched == SuggestMatch::Pinyin),
            "{both:?}"
        );
        assert!(s.suggest("", 5).is_empty());
        assert!(s.suggest("没有这个", 5).is_empty());
    }
}
