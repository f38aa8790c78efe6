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

/// Collapses candidates (item ordinal and BM25, in any order) into
/// services, best first: each service keeps the member
/// [`variant_preference`] prefers (ties: the most popular, then the best
/// scored, then the first in the catalogue), carrying the ordinals of every
/// member in region-code order ([`Member::set_variants`]). `facts` holds
/// every item's [`ItemFacts`], `preference` maps an ordinal to its
/// [`variant_preference`]; `group_sizes` holds the number of items of every
/// group (groups are numbered from 0).
///
/// Members are scored lazily: `score` runs only for the members tied for
/// the best preference and popularity of their service (usually one of a
/// city-run service's 21 variants), and only the services are sorted.
pub(crate) fn collapse<M: Member>(
    candidates: impl IntoIterator<Item = (usize, f32)>,
    facts: &[ItemFacts],
    group_sizes: &[u32],
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
    let mut index: Vec<u32> = vec![u32::MAX; group_sizes.len()];
    let mut services: Vec<Service> = Vec::new();
    for (ordinal, bm25) in candidates {
        let fact = &facts[ordinal];
        let pref = preference(ordinal);
        let popularity = fact.popularity;
        let group = fact.group as usize;
        let at = match index.get_mut(group) {
            Some(at) if *at != u32::MAX => *at as usize,
            slot => {
                if let Some(slot) = slot {
                    *slot = services.len() as u32;
                }
                let mut variants =
                    Vec::with_capacity(group_sizes.get(group).map_or(1, |&n| n as usize));
                variants.push(ordinal as u32);
                services.push(Service {
                    preference: pref,
                    popularity,
                    tied: (ordinal, bm25),
                    more_tied: Vec::new(),
                    variants,
                });
                continue;
            }
        };
        let service = &mut services[at];
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
    let mut collapsed: Vec<M> = services
        .into_iter()
        .map(|mut service| {
            if service.variants.len() > 1 {
                service
                    .variants
                    .sort_unstable_by_key(|&v| facts[v as usize].variant_key);
            }
            // The best scored of the tied members, then the first.
            let (ordinal, bm25) = service.tied;
            let mut shown = score(ordinal, bm25);
            for (ordinal, bm25) in service.more_tied {
                let other = score(ordinal, bm25);
                if other
                    .score()
                    .total_cmp(&shown.score())
                    .then_with(|| shown.ordinal().cmp(&other.ordinal()))
                    .is_gt()
                {
                    shown = other;
                }
            }
            shown.set_variants(service.variants);
            shown
        })
        .collect();
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
            &[3, 1],
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
            &[3, 1],
            |_| 4,
            |o: usize, s: f32| M(o, s, Vec::new()),
        );
        assert_eq!(out[0].0, 1);
    }
}
