//! Stage 9 of the query pipeline: collapse and group — one entry per
//! service (see [`crate::collapse`]), then the per-category groups (分类展现)
//! and facet counts (see [`crate::facets`]) over the services that passed.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::catalogue::ServiceItem;
use crate::collapse::{self, ItemFacts, ServiceVariants, unlocated_preference, variant_preference};
use crate::facets::{FacetIndex, Facets};
use crate::gazetteer::Gazetteer;
use crate::locate::ResolvedLocation;
use crate::rank::{Ranked, Scorer};
use crate::request::Group;
use crate::retrieve::{Candidates, Retrieval};

type FastMap<K, V> = HashMap<K, V, RandomState>;

/// Ids of a group's best hits listed in [`Group::top`].
const GROUP_TOP: usize = 3;

/// What collapsing and grouping read of the catalogue.
pub(crate) struct Grouper<'a> {
    pub items: &'a [ServiceItem],
    pub gazetteer: &'a Gazetteer,
    pub facet_index: &'a FacetIndex,
    /// Per item: what collapsing reads of it.
    pub facts: &'a [ItemFacts],
    /// Per text group: its variants.
    pub services: &'a [ServiceVariants],
}

impl Grouper<'_> {
    /// The candidates of one retrieval in ranking order: one entry per
    /// service when `on` (the variant shown is the one
    /// [`variant_preference`] prefers for the location, and the service
    /// ranks by its score; only the variants that may be shown are scored),
    /// every item otherwise.
    pub(crate) fn collapse(
        &self,
        retrieval: &Retrieval,
        on: bool,
        location: Option<&ResolvedLocation>,
        scorer: &mut Scorer<'_>,
    ) -> Vec<Ranked> {
        let mut score = |ordinal, bm25| scorer.score(ordinal, bm25);
        if !on {
            let mut ranked: Vec<Ranked> = match &retrieval.candidates {
                Candidates::Items(items) => (items.iter())
                    .map(|&(ordinal, bm25)| score(ordinal as usize, bm25))
                    .collect(),
                Candidates::Groups(groups) => (groups.iter())
                    .flat_map(|&(group, bm25)| {
                        let variants = ServiceVariants::of_group(self.services, group);
                        variants.iter().map(move |&ordinal| (ordinal, bm25))
                    })
                    .map(|(ordinal, bm25)| score(ordinal as usize, bm25))
                    .collect(),
            };
            collapse::sort_best_first(&mut ranked);
            return ranked;
        }
        // Preference of each region, computed once per region; without a
        // location in Guangdong it only asks whether the item is
        // province-wide.
        let location = location.filter(|l| !l.outside);
        let mut preferences: FastMap<u32, u8> = FastMap::default();
        let located = location.map(|location| {
            move |ordinal: usize| {
                let region = self.facts[ordinal].region;
                *preferences.entry(region).or_insert_with(|| {
                    let code = &self.items[ordinal].region_code;
                    variant_preference(Some(location), self.gazetteer, code)
                })
            }
        });
        let items = match &retrieval.candidates {
            Candidates::Groups(groups) => {
                return collapse::collapse_whole(groups, self.facts, self.services, located, score);
            }
            Candidates::Items(items) => items.iter().map(|&(o, bm25)| (o as usize, bm25)),
        };
        match located {
            Some(preference) => {
                collapse::collapse(items, self.facts, self.services, preference, score)
            }
            None => {
                let preference = unlocated_preference(self.facts);
                collapse::collapse(items, self.facts, self.services, preference, score)
            }
        }
    }

    /// The hits grouped by category, in the order of each category's best
    /// hit.
    pub(crate) fn groups(&self, ranked: &[Ranked]) -> Vec<Group> {
        let mut groups: Vec<Group> = Vec::new();
        for r in ranked {
            let item = &self.items[r.ordinal];
            match groups.iter_mut().find(|g| g.category == item.category) {
                Some(g) => {
                    g.count += 1;
                    if g.top.len() < GROUP_TOP {
                        g.top.push(item.id.clone());
                    }
                }
                None => groups.push(Group {
                    category: item.category.clone(),
                    count: 1,
                    top: vec![item.id.clone()],
                }),
            }
        }
        groups
    }

    /// Facet counts of the hits (a service counts once under each city
    /// that offers it).
    pub(crate) fn facets(&self, ranked: &[Ranked]) -> Facets {
        self.facet_index
            .count(ranked.iter().map(|r| (r.ordinal, r.variants.as_slice())))
    }
}
