//! Field collapsing: one hit per *service*.
//!
//! City-run services exist once per city (住房公积金租房提取 in 广州, 深圳,
//! 东莞 …); their items share title, aliases, keywords and description and
//! so one text group (see [`crate::ItemText::group`]). Ranked items are
//! collapsed by group: each service is represented by the variant offered
//! where the person is, else the province-wide one, else the most popular,
//! and its other variants ride along. The service ranks by the score of the
//! variant it shows.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::catalogue::ServiceItem;
use crate::gazetteer::{Gazetteer, PROVINCE_CODE};
use crate::locate::{RegionFit, ResolvedLocation};

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
            RegionFit::Province => 2,
            RegionFit::SameCity => 3,
            RegionFit::AnyCity | RegionFit::OtherCity => 4,
        },
        _ if region_code == PROVINCE_CODE => 2,
        _ => 4,
    }
}

/// Whether a variant of [`variant_preference`] is offered to the person
/// (their district's, their city's or the province's).
pub(crate) const OFFERED_HERE: u8 = 2;

/// One ranked member of a service: its item ordinal, its place in the
/// ranking (best first) and what it carries along.
pub(crate) trait Member {
    /// The item's ordinal in the catalogue.
    fn ordinal(&self) -> usize;
    /// Its score.
    fn score(&self) -> f32;
}

/// Collapses ranked items (best first) into services, best first: each
/// service keeps the member [`variant_preference`] prefers (ties: the most
/// popular, then the best scored) with the ordinals of every member in
/// region-code order. `group_of` maps an ordinal to its service.
pub(crate) fn collapse<M: Member>(
    ranked: Vec<M>,
    items: &[ServiceItem],
    group_of: impl Fn(usize) -> u32,
    preference: impl Fn(&ServiceItem) -> u8,
) -> Vec<(M, Vec<u32>)> {
    let mut index: HashMap<u32, usize, RandomState> = HashMap::default();
    // Per service: members in ranking order.
    let mut services: Vec<Vec<M>> = Vec::new();
    for member in ranked {
        let group = group_of(member.ordinal());
        let next = services.len();
        let at = *index.entry(group).or_insert(next);
        if at == next {
            services.push(Vec::new());
        }
        services[at].push(member);
    }
    let mut collapsed: Vec<(M, Vec<u32>)> = services
        .into_iter()
        .filter_map(|mut members| {
            let mut variants: Vec<u32> = members.iter().map(|m| m.ordinal() as u32).collect();
            variants.sort_unstable_by(|&a, &b| {
                items[a as usize]
                    .region_code
                    .cmp(&items[b as usize].region_code)
                    .then(a.cmp(&b))
            });
            // Members are in ranking order, so `min_by_key` keeps the best
            // scored among equally preferred, equally popular variants.
            let chosen = members
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| {
                    let (ia, ib) = (&items[a.ordinal()], &items[b.ordinal()]);
                    preference(ia)
                        .cmp(&preference(ib))
                        .then_with(|| ib.popularity().total_cmp(&ia.popularity()))
                })
                .map(|(i, _)| i)?;
            Some((members.swap_remove(chosen), variants))
        })
        .collect();
    // Ties in catalogue order, so results are deterministic.
    collapsed.sort_by(|(a, _), (b, _)| {
        b.score()
            .total_cmp(&a.score())
            .then_with(|| a.ordinal().cmp(&b.ordinal()))
    });
    collapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    struct M(usize, f32);

    impl Member for M {
        fn ordinal(&self) -> usize {
            self.0
        }
        fn score(&self) -> f32 {
            self.1
        }
    }

    fn item(id: &str, region: &str, popularity: f32) -> ServiceItem {
        let line = format!(
            r#"{{"id":"{id}","title":"t","category":"c","theme":"t","department":"d","region_code":"{region}","popularity":{popularity}}}"#
        );
        serde_json::from_str(&line).expect("a valid test item")
    }

    #[test]
    fn one_entry_per_group_represented_by_the_preferred_variant() {
        let items = vec![
            item("a-gz", "440100", 50.0),
            item("a-sz", "440300", 90.0),
            item("a-gd", "440000", 10.0),
            item("b-gz", "440100", 50.0),
        ];
        let group = |o: usize| if o < 3 { 0 } else { 1 };
        // The province-wide variant is preferred over more popular ones.
        let ranked = vec![M(1, 0.9), M(3, 0.8), M(0, 0.7), M(2, 0.6)];
        let out = collapse(ranked, &items, group, |i| {
            u8::from(i.region_code != "440000")
        });
        let shown: Vec<usize> = out.iter().map(|(m, _)| m.0).collect();
        // The service ranks by the variant it shows.
        assert_eq!(shown, vec![3, 2]);
        assert_eq!(out[1].1, vec![2, 0, 1], "variants in region-code order");
        assert_eq!(out[0].1, vec![3]);
        // Equal preference: the most popular.
        let ranked = vec![M(0, 0.9), M(1, 0.8)];
        let out = collapse(ranked, &items, group, |_| 4);
        assert_eq!(out[0].0.0, 1);
    }
}
