//! Search quality per input kind on the graded query set in
//! `tests/queries.tsv`: prints success@1 and success@3 for each kind and
//! requires the intended item in the top 3 for every query. Also checks that
//! queries which already match well are never "corrected".

use std::collections::BTreeMap;

use crate::support::{engine, root, search, titles};

/// Outcome of one graded query set, per input kind.
#[derive(Default)]
struct Graded {
    /// kind → (queries, hits at rank 1, hits in the top 3).
    per_kind: BTreeMap<String, (usize, usize, usize)>,
    failures: Vec<String>,
}

impl Graded {
    fn total(&self) -> (usize, usize) {
        self.per_kind
            .values()
            .fold((0, 0), |(n, ok), (k, _, at3)| (n + k, ok + at3))
    }

    fn print(&self, name: &str) {
        println!("{name}");
        println!(
            "{:<16} {:>3} {:>10} {:>10}",
            "kind", "n", "success@1", "success@3"
        );
        for (kind, (n, at1, at3)) in &self.per_kind {
            println!(
                "{kind:<16} {n:>3} {:>9.0}% {:>9.0}%",
                100.0 * *at1 as f32 / *n as f32,
                100.0 * *at3 as f32 / *n as f32
            );
        }
        let (n, ok) = self.total();
        println!(
            "{:<16} {n:>3} {:>10} {:>9.1}%",
            "all",
            "",
            100.0 * ok as f32 / n as f32
        );
    }
}

/// Runs a graded set: `kind<TAB>query<TAB>fragment[|fragment…]`; a query
/// succeeds when a top-3 hit's title contains one of the fragments, and a
/// `must_not_change` query must also come back uncorrected.
fn grade(file: &str) -> Graded {
    let path = root().join("tests").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut graded = Graded::default();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [kind, query, expected] = fields[..] else {
            panic!("bad line {line:?} in {file}");
        };
        let fragments: Vec<&str> = expected.split('|').collect();
        let r = search(query);
        let rank = r
            .hits
            .iter()
            .position(|h| fragments.iter().any(|f| h.title.contains(f)));
        let rewritten = kind == "must_not_change" && r.correction.is_some();
        let entry = graded.per_kind.entry(kind.to_string()).or_default();
        entry.0 += 1;
        if rank == Some(0) && !rewritten {
            entry.1 += 1;
        }
        if rank.is_some_and(|r| r < 3) && !rewritten {
            entry.2 += 1;
        } else {
            graded.failures.push(format!(
                "[{kind}] {query:?} → {:?} (wanted {expected:?}{})",
                titles(&r.hits, 3),
                if rewritten { ", and no correction" } else { "" }
            ));
        }
    }
    graded
}

#[test]
fn every_input_kind_finds_the_intended_item_in_the_top_3() {
    let dev = grade("queries.tsv");
    dev.print("development set (tests/queries.tsv)");
    assert!(
        dev.failures.is_empty(),
        "{} queries missed the top 3:\n{}",
        dev.failures.len(),
        dev.failures.join("\n")
    );
}

/// Grades a set that is measured but never tuned on, prints its report and
/// misses, and requires success@3 of at least `floor`.
fn assert_generalises(file: &str, floor: f32) {
    let graded = grade(file);
    graded.print(&format!("{file} (never tuned on)"));
    for failure in &graded.failures {
        println!("  miss: {failure}");
    }
    let (n, ok) = graded.total();
    let rate = ok as f32 / n as f32;
    assert!(rate >= floor, "{file}: success@3 {rate:.3} < {floor}");
}

/// The held-out set is never tuned on: it measures how well the mechanisms
/// generalise. Its floor guards against regressions, not against misses.
#[test]
fn the_held_out_queries_generalise() {
    assert_generalises("queries_holdout.tsv", HELD_OUT_FLOOR);
}

/// The blind set (tests/queries_blind.tsv) was written on 2026-11-30 without
/// running the engine, to find weaknesses; like the held-out set it is
/// measured, never tuned on query by query.
#[test]
fn the_blind_queries_generalise() {
    assert_generalises("queries_blind.tsv", BLIND_FLOOR);
}

/// The round-3 set (tests/queries_round3.tsv, issue 28): pinyin slips,
/// family and age frames, points, English names of registrations and long
/// spoken sentences — written before the mechanisms were run on it, never
/// tuned query by query. Each kind keeps its own floor.
#[test]
fn the_round3_queries_generalise() {
    let graded = grade("queries_round3.tsv");
    graded.print("queries_round3.tsv (never tuned on)");
    for failure in &graded.failures {
        println!("  miss: {failure}");
    }
    let mut low = Vec::new();
    for (kind, (n, _, at3)) in &graded.per_kind {
        let floor = ROUND3_FLOORS
            .iter()
            .find(|(k, _)| k == kind)
            .map_or(1.0, |(_, f)| *f);
        let rate = *at3 as f32 / *n as f32;
        if rate < floor {
            low.push(format!("{kind}: success@3 {rate:.3} < {floor}"));
        }
    }
    assert!(low.is_empty(), "{}", low.join("\n"));
}

/// Success@3 per kind of the round-3 set (measured on 2026-12-07; see
/// docs/BENCHMARKS.md).
/// Before issue 28: pinyin_slip 88 %, spaced_slip 83 %, family 56 %, age
/// 83 %, points 100 %, english_specific 29 %, spoken_long 88 %; after:
/// 100 % for every kind but spoken_long (88 %). The floors leave room for
/// one miss in the larger kinds.
const ROUND3_FLOORS: [(&str, f32); 7] = [
    ("pinyin_slip", 0.9),
    ("spaced_slip", 0.8),
    ("family", 0.85),
    ("age", 0.8),
    ("points", 1.0),
    ("english_specific", 0.85),
    ("spoken_long", 0.85),
];

/// Success@3 the blind set must keep (measured 96.7 % on 2026-11-30,
/// 97.9 % on 2026-12-07; see docs/BENCHMARKS.md).
const BLIND_FLOOR: f32 = 0.95;

/// Success@3 the held-out set must keep (measured 99.2 % on 2026-11-30; see
/// docs/BENCHMARKS.md for the current figure).
const HELD_OUT_FLOOR: f32 = 0.97;

#[test]
fn queries_that_already_match_are_left_alone() {
    for query in [
        "社保",
        "医保",
        "公积金提取",
        "护照",
        "户籍迁移",
        "居住证",
        "个税",
        "结婚登记",
        "低保",
    ] {
        let r = search(query);
        assert!(
            r.correction.is_none(),
            "{query:?} was rewritten to {:?}",
            r.correction
        );
        assert!(r.total > 0, "{query:?} found nothing");
    }
    // 社保 must not become 医保: the top hits are social-insurance items.
    let r = search("社保");
    assert!(
        r.hits.iter().take(5).all(|h| !h.title.contains("医保")),
        "{:?}",
        titles(&r.hits, 5)
    );
}

#[test]
fn a_corrected_search_reports_both_queries_and_can_be_searched_as_typed() {
    let r = search("养老金查洵");
    let c = r.correction.as_ref().expect("the typo is corrected");
    assert_eq!(c.original, "养老金查洵");
    assert!(c.corrected.contains("查询"), "{c:?}");
    assert_eq!(r.query.original, "养老金查洵");
    let hit = r.hits[0].explain.as_ref().unwrap();
    assert_eq!(hit.match_kind, yuesou_core::MatchKind::Corrected);

    let typed = engine()
        .search(&yuesou_core::SearchRequest::new("养老金查洵").as_typed())
        .unwrap();
    assert!(typed.correction.is_none());

    let pinyin = search("hukou qianyi");
    assert_eq!(
        pinyin.hits[0].explain.as_ref().unwrap().match_kind,
        yuesou_core::MatchKind::Pinyin
    );
}

#[test]
fn autocomplete_answers_every_input_kind() {
    let e = engine();
    let first = |prefix: &str| {
        e.suggest(prefix, 5)
            .into_iter()
            .map(|s| s.text)
            .collect::<Vec<_>>()
    };
    for (prefix, wanted) in [
        ("公积", "公积金"),
        ("gongjij", "公积金"),
        ("gjj", "公积金"),
        ("户kou", "户"),
        ("sengyu", "生育"),
        ("港澳", "港澳"),
        ("jtwf", "交通违法"),
        ("jiash", "驾驶"),
    ] {
        let got = first(prefix);
        assert!(
            !got.is_empty() && got.iter().all(|t| t.contains(wanted)),
            "{prefix:?} → {got:?}"
        );
    }
    // Unique texts, items carry their id, exact Chinese prefix before pinyin.
    let s = e.suggest("社保", 10);
    let mut texts: Vec<&str> = s.iter().map(|x| x.text.as_str()).collect();
    texts.dedup();
    assert_eq!(texts.len(), s.len());
    assert!(
        s.iter()
            .all(|x| x.matched == yuesou_core::SuggestMatch::Prefix)
    );
    assert!(
        e.suggest("zfgjj", 10)
            .iter()
            .any(|x| x.kind == yuesou_core::SuggestionKind::Item && x.id.is_some())
    );
    // A slip in a prefix of full pinyin (a letter doubled, swapped, or moved
    // across a syllable) finds the words it was meant to spell, as fuzzy
    // matches, when the prefix as typed finds nothing.
    for (prefix, wanted) in [
        ("jiehunndengji", "结婚登记"),
        ("shebaokabuabn", "社会保障卡"),
        ("budongchandnegji", "不动产登记"),
    ] {
        let got = e.suggest(prefix, 5);
        assert!(
            got.iter().any(|s| s.text.contains(wanted))
                && got
                    .iter()
                    .all(|s| s.matched == yuesou_core::SuggestMatch::Fuzzy),
            "{prefix:?} → {:?}",
            got.iter().map(|s| &s.text).collect::<Vec<_>>()
        );
    }
    // Banned words are never suggested, nor completed.
    let banned = e.dictionaries().banned[0].clone();
    assert!(e.suggest(&banned, 10).is_empty());
    for prefix in ["d", "s", "赌", "k", "z"] {
        for s in e.suggest(prefix, 20) {
            assert!(
                !e.analyzer().guard().is_banned(&s.text),
                "{prefix:?} suggested {:?}",
                s.text
            );
        }
    }
}

/// Latin words that are neither an English service name, nor pinyin, nor a
/// word the catalogue uses: the engine says it cannot read them (no hits and
/// a hint) rather than answering noise.
#[test]
fn a_query_we_cannot_read_says_so() {
    for query in [
        "lorem ipsum dolor",
        "quixotic zebra",
        "the weather tomorrow",
    ] {
        let r = search(query);
        assert!(
            r.hits.is_empty(),
            "{query:?} → {:?} (read as {:?})",
            titles(&r.hits, 3),
            r.correction.as_ref().map(|c| &c.corrected)
        );
        let message = r.message_text.as_ref().map(|m| m.id());
        assert_eq!(message, Some("search-unreadable"), "{query:?}");
    }
    // English names are read.
    for (query, fragment) in [
        ("passport", "护照"),
        ("Social Security Card", "社会保障卡"),
        ("driving licence", "驾驶证"),
        ("how do I renew my passport", "护照"),
    ] {
        let r = search(query);
        assert!(
            r.hits.iter().take(3).any(|h| h.title.contains(fragment)),
            "{query:?} → {:?}",
            titles(&r.hits, 3)
        );
        assert_eq!(r.query.original, query);
    }
}
