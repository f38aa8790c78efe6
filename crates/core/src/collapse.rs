//! Field collapsing: one hit per *service*.
//!
//! City-run services exist once per city (住房公积金租房提取 in 广州, 深圳,
//! 东莞 …); their items share title, aliases, keywords and description and
//! so one text group (see [`crate::ItemText::group`]). Ranked items are
//! collapsed by group: each service is represented by the variant offered
//! where the person is, else the province-wide one, else the most popular,
//! and its other variants ride along. The service ranks by the score of the
//! variant it shows.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::catalogue::ServiceItem;
use crate::gazetteer::{Gazetteer, PROVINCE_CODE};
use crate::locate::{RegionFit, ResolvedLocation};

/// What collapsing reads of an item, side by side in one small record per
/// item (built when the engine opens): a broad query collapses about a
/// thousand items, and reading them from the catalogue's large item
/// records cost more than the collapsing itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemFacts {
    /// Its service (text group; see [`crate::ItemText::group`]).
    pub group: u32,
    /// Its rank by region code, then ordinal (the order of a service's
    /// variants).
    pub variant_key: u32,
    /// Its popularity.
    pub popularity: f32,
    /// Its region, numbered in order of first appearance.
    pub region: u32,
    /// Offered province-wide.
    pub province: bool,
}

impl ItemFacts {
    /// The facts of every item; `groups` holds each item's text group.
    pub(crate) fn of_items(items: &[ServiceItem], groups: impl Iterator<Item = u32>) -> Vec<Self> {
        let mut order: Vec<usize> = (0..items.len()).collect();
        order.sort_by(|&a, &b| {
            items[a]
                .region_code
                .cmp(&items[b].region_code)
                .then(a.cmp(&b))
        });
        let mut variant_keys = vec![0; items.len()];
        for (rank, ordinal) in order.into_iter().enumerate() {
            variant_keys[ordinal] = rank as u32;
        }
        let mut regions: HashMap<&str, u32> = HashMap::new();
        items
            .iter()
            .zip(groups)
            .zip(variant_keys)
            .map(|((item, group), variant_key)| {
                let next = regions.len() as u32;
                ItemFacts {
                    group,
                    variant_key,
                    popularity: item.popularity(),
                    region: *regions.entry(item.region_code.as_str()).or_insert(next),
                    province: item.region_code == PROVINCE_CODE,
                }
            })
            .collect()
    }
}

/// How well a variant suits the person, lower first: their district's,
/// their city's, the province-wide one, another district of their city,
/// then any other. Without a known location (or outside Guangdong): the
/// province-wide one, then any other.
pub(crate) fn variant_preference(
    location: Option<&ResolvedLocation>,
    gazetteer: &Gazetteer,
    region_code: &str,
) -> u8 {
    match location {
        Some(location) if !location.outside => match location.fit(gazetteer, region_code) {
            RegionFit::District => 0,
            RegionFit::City => 1,
            RegionFit::Province => PROVINCE_WIDE,
            RegionFit::SameCity => 3,
            RegionFit::AnyCity | RegionFit::OtherCity => 4,
        },
        _ if region_code == PROVINCE_CODE => PROVINCE_WIDE,
        _ => ELSEWHERE,
    }
}

/// The [`variant_preference`] of the province-wide variant.
pub(crate) const PROVINCE_WIDE: u8 = 2;

/// The [`variant_preference`] of a variant offered only elsewhere.
pub(crate) const ELSEWHERE: u8 = 4;

/// Whether a variant of [`variant_preference`] is offered to the person
/// (their district's, their city's or the province's).
pub(crate) const OFFERED_HERE: u8 = PROVINCE_WIDE;

/// One ranked member of a service: its item ordinal, its place in the
/// ranking (best first) and what it carries along.
pub(crate) trait Member {
    /// The item's ordinal in the catalogue.
    fn ordinal(&self) -> usize;
    /// Its score.
    fn score(&self) -> f32;
    /// Takes the ordinals of every variant of its service (itself
    /// included), in region-code order.
    fn set_variants(&mut self, variants: Vec<u32>);
}

/// Sorts members best first, ties in catalogue order (so results are
/// deterministic). The order is worked out on small keys and each member
/// moved into place once: members are large (a ranked hit carries its
/// explanation), and a comparison sort would move them many times.
pub(crate) fn sort_best_first<M: Member>(members: &mut [M]) {
    members.sort_by_cached_key(|m| (std::cmp::Reverse(total_order(m.score())), m.ordinal()));
}

/// A key that orders like [`f32::total_cmp`].
fn total_order(x: f32) -> i32 {
    let bits = x.to_bits() as i32;
    bits ^ (((bits >> 31) as u32) >> 1) as i32
}

/// A service's items as retrieval and collapsing read them, worked out when
/// the engine opens: what collapsing a whole service needs without looking
/// at its items one by one.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceVariants {
    /// Every item of the service, in region-code order.
    pub variants: Box<[u32]>,
    /// Without a location: the items tied for being shown (the province-wide
    /// one, else the most popular; see [`best_tied`]).
    pub unlocated: Box<[u32]>,
}

impl ServiceVariants {
    /// The items of text group `group` in region-code order (none for a
    /// group `services` does not have).
    pub(crate) fn of_group(services: &[Self], group: u32) -> &[u32] {
        services.get(group as usize).map_or(&[], |s| &s.variants)
    }

    /// The variants of every text group; `groups` holds each group's items.
    pub(crate) fn of_groups(groups: &[Vec<u32>], facts: &[ItemFacts]) -> Vec<Self> {
        let mut tied = Vec::new();
        groups
            .iter()
            .map(|members| {
                let mut variants = members.clone();
                variants.sort_unstable_by_key(|&v| facts[v as usize].variant_key);
                best_tied(&variants, facts, unlocated_preference(facts), &mut tied);
                ServiceVariants {
                    variants: variants.into(),
                    unlocated: tied.as_slice().into(),
                }
            })
            .collect()
    }
}

/// [`variant_preference`] without a location in Guangdong, read from an
/// item's facts: the province-wide variant, then any other.
pub(crate) fn unlocated_preference(facts: &[ItemFacts]) -> impl Fn(usize) -> u8 + '_ {
    |ordinal| {
        if facts[ordinal].province {
            PROVINCE_WIDE
        } else {
            ELSEWHERE
        }
    }
}

/// The members tied for the best (lowest) preference and then the highest
/// popularity, into `out` (cleared first), in the order given.
fn best_tied(
    members: &[u32],
    facts: &[ItemFacts],
    mut preference: impl FnMut(usize) -> u8,
    out: &mut Vec<u32>,
) {
    out.clear();
    let mut best: Option<(u8, f32)> = None;
    for &m in members {
        let key = (preference(m as usize), facts[m as usize].popularity);
        match best
            .map(|(pref, popularity)| key.0.cmp(&pref).then_with(|| popularity.total_cmp(&key.1)))
        {
            None | Some(Ordering::Less) => {
                best = Some(key);
                out.clear();
                out.push(m);
            }
            Some(Ordering::Equal) => out.push(m),
            Some(Ordering::Greater) => {}
        }
    }
}

/// The best scored of the members tied for being shown, ties to the first
/// in the catalogue (whatever the order they come in).
fn best_scored<M: Member>(
    tied: impl IntoIterator<Item = (usize, f32)>,
    score: &mut impl FnMut(usize, f32) -> M,
) -> Option<M> {
    let mut shown: Option<M> = None;
    for (ordinal, bm25) in tied {
        let other = score(ordinal, bm25);
        let better = shown.as_ref().is_none_or(|shown| {
            other
                .score()
                .total_cmp(&shown.score())
                .then_with(|| shown.ordinal().cmp(&other.ordinal()))
                .is_gt()
        });
        if better {
            shown = Some(other);
        }
    }
    shown
}

/// Collapses candidates (item ordinal and BM25, in any order) into
/// services, best first: each service keeps the member
/// [`variant_preference`] prefers (ties: the most popular, then the best
/// scored, then the first in the catalogue), carrying the ordinals of every
/// member in region-code order ([`Member::set_variants`]). `facts` holds
/// every item's [`ItemFacts`], `preference` maps an ordinal to its
/// [`variant_preference`]; `services` holds every text group's
/// [`ServiceVariants`] (groups are numbered from 0).
///
/// Members are scored lazily: `score` runs only for the members tied for
/// the best preference and popularity of their service (usually one of a
/// city-run service's 21 variants), and only the services are sorted.
pub(crate) fn collapse<M: Member>(
    candidates: impl IntoIterator<Item = (usize, f32)>,
    facts: &[ItemFacts],
    services: &[ServiceVariants],
    mut preference: impl FnMut(usize) -> u8,
    mut score: impl FnMut(usize, f32) -> M,
) -> Vec<M> {
    struct Service {
        preference: u8,
        popularity: f32,
        /// The first member tied for the best preference and popularity …
        tied: (usize, f32),
        /// … and the others (rare: no allocation for a service without).
        more_tied: Vec<(usize, f32)>,
        variants: Vec<u32>,
    }
    // Per group: its service's place in `services`, once it has one.
    let mut index: Vec<u32> = vec![u32::MAX; services.len()];
    let mut found: Vec<Service> = Vec::new();
    for (ordinal, bm25) in candidates {
        let fact = &facts[ordinal];
        let pref = preference(ordinal);
        let popularity = fact.popularity;
        let group = fact.group as usize;
        let at = match index.get_mut(group) {
            Some(at) if *at != u32::MAX => *at as usize,
            slot => {
                if let Some(slot) = slot {
                    *slot = found.len() as u32;
                }
                let mut variants =
                    Vec::with_capacity(services.get(group).map_or(1, |s| s.variants.len()));
                variants.push(ordinal as u32);
                found.push(Service {
                    preference: pref,
                    popularity,
                    tied: (ordinal, bm25),
                    more_tied: Vec::new(),
                    variants,
                });
                continue;
            }
        };
        let service = &mut found[at];
        service.variants.push(ordinal as u32);
        match pref
            .cmp(&service.preference)
            .then_with(|| service.popularity.total_cmp(&popularity))
        {
            Ordering::Less => {
                service.preference = pref;
                service.popularity = popularity;
                service.tied = (ordinal, bm25);
                service.more_tied.clear();
            }
            Ordering::Equal => service.more_tied.push((ordinal, bm25)),
            Ordering::Greater => {}
        }
    }
    let mut collapsed: Vec<M> = found
        .into_iter()
        .filter_map(|mut service| {
            if service.variants.len() > 1 {
                service
                    .variants
                    .sort_unstable_by_key(|&v| facts[v as usize].variant_key);
            }
            let tied = std::iter::once(service.tied).chain(service.more_tied);
            let mut shown = best_scored(tied, &mut score)?;
            shown.set_variants(service.variants);
            Some(shown)
        })
        .collect();
    sort_best_first(&mut collapsed);
    collapsed
}

/// [`collapse`] of whole services: every item of each retrieved text group
/// (group and BM25, in any order) is a candidate, so a service's variants
/// are read from `services` instead of gathered and sorted, and without a
/// location (`preference` `None`) so are the members tied for being shown.
pub(crate) fn collapse_whole<M: Member>(
    groups: &[(u32, f32)],
    facts: &[ItemFacts],
    services: &[ServiceVariants],
    mut preference: Option<impl FnMut(usize) -> u8>,
    mut score: impl FnMut(usize, f32) -> M,
) -> Vec<M> {
    let mut located_tied: Vec<u32> = Vec::new();
    let mut collapsed: Vec<M> = Vec::with_capacity(groups.len());
    for &(group, bm25) in groups {
        let Some(service) = services.get(group as usize) else {
            continue;
        };
        let tied: &[u32] = match preference.as_mut() {
            None => &service.unlocated,
            Some(preference) => {
                best_tied(&service.variants, facts, preference, &mut located_tied);
                &located_tied
            }
        };
        let tied = tied.iter().map(|&o| (o as usize, bm25));
        if let Some(mut shown) = best_scored(tied, &mut score) {
            shown.set_variants(service.variants.to_vec());
            collapsed.push(shown);
        }
    }
    sort_best_first(&mut collapsed);
    collapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    struct M(usize, f32, Vec<u32>);

    impl Member for M {
        fn ordinal(&self) -> usize {
            self.0
        }
        fn score(&self) -> f32 {
            self.1
        }
        fn set_variants(&mut self, variants: Vec<u32>) {
            self.2 = variants;
        }
    }

    fn item(id: &str, region: &str, popularity: f32) -> ServiceItem {
        let line = format!(
            r#"{{"id":"{id}","title":"t","category":"c","theme":"t","department":"d","region_code":"{region}","popularity":{popularity}}}"#
        );
        serde_json::from_str(&line).expect("a valid test item")
    }

    #[test]
    fn sorting_on_keys_orders_as_the_comparison_does() {
        let scores = [
            0.5,
            -0.0,
            0.0,
            1.25,
            -3.0,
            0.5,
            f32::INFINITY,
            1e-30,
            -1e-30,
            0.5,
            f32::MIN_POSITIVE,
        ];
        let mut by_keys: Vec<M> = (0..scores.len())
            .rev()
            .map(|o| M(o, scores[o], Vec::new()))
            .collect();
        sort_best_first(&mut by_keys);
        let mut by_comparison: Vec<(usize, f32)> = scores.iter().copied().enumerate().collect();
        by_comparison.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let got: Vec<usize> = by_keys.iter().map(|m| m.0).collect();
        let want: Vec<usize> = by_comparison.iter().map(|p| p.0).collect();
        assert_eq!(got, want);
        // Equal scores keep catalogue order; 0.0 ranks above -0.0.
        assert_eq!(&got[..5], &[6, 3, 0, 5, 9]);
        assert!(got.iter().position(|&o| o == 2) < got.iter().position(|&o| o == 1));
    }

    #[test]
    fn one_entry_per_group_represented_by_the_preferred_variant() {
        let items = vec![
            item("a-gz", "440100", 50.0),
            item("a-sz", "440300", 90.0),
            item("a-gd", "440000", 10.0),
            item("b-gz", "440100", 50.0),
        ];
        let facts = ItemFacts::of_items(&items, [0, 0, 0, 1].into_iter());
        let services = ServiceVariants::of_groups(&[vec![0, 1, 2], vec![3]], &facts);
        // The province-wide variant is preferred over more popular ones.
        let ranked = [(1, 0.9), (3, 0.8), (0, 0.7), (2, 0.6)];
        let calls = std::cell::Cell::new(0);
        let scored = |o: usize, s: f32| {
            calls.set(calls.get() + 1);
            M(o, s, Vec::new())
        };
        let out = collapse(
            ranked,
            &facts,
            &services,
            |o| u8::from(!facts[o].province),
            scored,
        );
        // Only the members shown were scored.
        assert_eq!(calls.get(), 2);
        let shown: Vec<usize> = out.iter().map(|m| m.0).collect();
        // The service ranks by the variant it shows.
        assert_eq!(shown, vec![3, 2]);
        assert_eq!(out[1].2, vec![2, 0, 1], "variants in region-code order");
        assert_eq!(out[0].2, vec![3]);
        // Equal preference: the most popular, whatever the input order.
        let ranked = [(1, 0.8), (0, 0.9)];
        let out = collapse(
            ranked,
            &facts,
            &services,
            |_| 4,
            |o: usize, s: f32| M(o, s, Vec::new()),
        );
        assert_eq!(out[0].0, 1);
    }

    #[test]
    fn whole_services_collapse_as_their_items_do() {
        let items = vec![
            item("a-sz", "440300", 90.0),
            item("a-gz", "440100", 90.0),
            item("a-fs", "440600", 20.0),
            item("b-gz", "440100", 30.0),
            item("b-gd", "440000", 10.0),
            item("c-sz", "440300", 60.0),
        ];
        let groups = vec![vec![0, 1, 2], vec![3, 4], vec![5]];
        let facts = ItemFacts::of_items(&items, [0, 0, 0, 1, 1, 2].into_iter());
        let services = ServiceVariants::of_groups(&groups, &facts);
        // Variants in region-code order; without a location the
        // province-wide variant, else every variant tied for most popular.
        assert_eq!(&*services[0].variants, &[1, 0, 2]);
        assert_eq!(&*services[0].unlocated, &[1, 0]);
        assert_eq!(&*services[1].unlocated, &[4]);
        assert_eq!(&*services[2].unlocated, &[5]);
        // Scores that differ between the tied variants of a service.
        let scores = [0.5, 0.7, 0.9, 0.3, 0.4, 0.6];
        let scored = |o: usize, s: f32| M(o, s * scores[o], Vec::new());
        let retrieved = [(2, 1.0), (0, 0.8), (1, 0.9)];
        let items_of = || {
            retrieved.iter().flat_map(|&(g, bm25): &(u32, f32)| {
                groups[g as usize]
                    .iter()
                    .rev()
                    .map(move |&o| (o as usize, bm25))
            })
        };
        let show = |out: Vec<M>| -> Vec<(usize, Vec<u32>)> {
            out.into_iter().map(|m| (m.0, m.2)).collect()
        };
        let unlocated = unlocated_preference(&facts);
        let whole = collapse_whole(
            &retrieved,
            &facts,
            &services,
            None::<fn(usize) -> u8>,
            scored,
        );
        let by_items = collapse(items_of(), &facts, &services, &unlocated, scored);
        assert_eq!(show(whole), show(by_items));
        // Located in 佛山 (its variant first, then the province-wide one).
        let here = |o: usize| match items[o].region_code.as_str() {
            "440600" => 1,
            "440000" => PROVINCE_WIDE,
            _ => ELSEWHERE,
        };
        let whole = show(collapse_whole(
            &retrieved,
            &facts,
            &services,
            Some(here),
            scored,
        ));
        assert_eq!(
            whole,
            show(collapse(items_of(), &facts, &services, here, scored))
        );
        let shown: Vec<usize> = whole.iter().map(|w| w.0).collect();
        assert_eq!(shown, vec![2, 5, 4]);
        assert_eq!(whole[0].1, vec![1, 0, 2]);
    }
}
