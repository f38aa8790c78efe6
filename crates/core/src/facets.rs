//! Facet counts (筛选项计数) over the hits of a search.
//!
//! Every item's facet values are interned once, when the engine opens, as
//! small integers; counting a search's hits is then array increments, not
//! string hashing — at a million items a broad query has thousands of hits.

use std::collections::HashMap;

use serde::Serialize;

use crate::catalogue::{AUDIENCES, SERVICE_TYPES, ServiceItem};
use crate::gazetteer::{Gazetteer, PROVINCE_CODE};

/// A facet value and how many hits carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacetCount {
    /// The value (as accepted by the matching filter).
    pub value: String,
    /// A display label where it differs from the value (region names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Number of hits.
    pub count: usize,
}

/// Counts per filter value over all hits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facets {
    /// 分类.
    pub category: Vec<FacetCount>,
    /// 主题.
    pub theme: Vec<FacetCount>,
    /// Region (city or province level).
    pub region: Vec<FacetCount>,
    /// 事项类型.
    pub service_type: Vec<FacetCount>,
    /// 服务对象.
    pub audience: Vec<FacetCount>,
    /// Online or not.
    pub online: Vec<FacetCount>,
}

/// The facet values of one item, as ids into [`FacetIndex`]'s value lists.
#[derive(Debug, Clone, Copy)]
struct ItemFacets {
    category: u32,
    theme: u32,
    /// The item's city, or the province for province-wide items.
    region: u32,
    /// Index into [`SERVICE_TYPES`], if set.
    service_type: Option<u8>,
    /// Bit `i` set when the item serves [`AUDIENCES`]`[i]`.
    audience: u8,
    online: bool,
}

/// Interned facet values of every item of a catalogue.
#[derive(Debug, Clone, Default)]
pub(crate) struct FacetIndex {
    categories: Vec<String>,
    themes: Vec<String>,
    /// Region codes, with their display names.
    regions: Vec<(String, String)>,
    items: Vec<ItemFacets>,
}

/// Interns strings as dense ids.
#[derive(Default)]
struct Interner<'a> {
    ids: HashMap<&'a str, u32>,
    values: Vec<String>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, value: &'a str) -> u32 {
        let next = self.values.len() as u32;
        *self.ids.entry(value).or_insert_with(|| {
            self.values.push(value.to_string());
            next
        })
    }
}

impl FacetIndex {
    /// Interns the facet values of every item.
    pub(crate) fn new(items: &[ServiceItem], gazetteer: &Gazetteer) -> Self {
        let mut categories = Interner::default();
        let mut themes = Interner::default();
        let mut regions = Interner::default();
        let facets = items
            .iter()
            .map(|item| {
                let city = gazetteer
                    .city_of(&item.region_code)
                    .map_or(PROVINCE_CODE, |c| c.code.as_str());
                ItemFacets {
                    category: categories.id(&item.category),
                    theme: themes.id(&item.theme),
                    region: regions.id(city),
                    service_type: item
                        .service_type
                        .as_deref()
                        .and_then(|t| SERVICE_TYPES.iter().position(|s| *s == t))
                        .map(|i| i as u8),
                    audience: item
                        .audience
                        .iter()
                        .filter_map(|a| AUDIENCES.iter().position(|x| x == a))
                        .fold(0, |mask, i| mask | (1 << i)),
                    online: item.online.unwrap_or(false),
                }
            })
            .collect();
        FacetIndex {
            categories: categories.values,
            themes: themes.values,
            regions: regions
                .values
                .into_iter()
                .map(|code| {
                    let name = gazetteer.display_name(&code);
                    (code, name)
                })
                .collect(),
            items: facets,
        }
    }

    /// Facet counts over hits, each an item ordinal with the ordinals of the
    /// variants it stands for (empty for a single item): every facet counts
    /// the hit once, the region facet once under each city its variants are
    /// offered in. Values are sorted by count, then by value; empty values
    /// are left out.
    pub(crate) fn count<'a>(&self, hits: impl Iterator<Item = (usize, &'a [u32])>) -> Facets {
        let mut category = vec![0usize; self.categories.len()];
        let mut theme = vec![0usize; self.themes.len()];
        let mut region = vec![0usize; self.regions.len()];
        let mut service_type = [0usize; SERVICE_TYPES.len()];
        let mut audience = [0usize; AUDIENCES.len()];
        let mut online = [0usize; 2];
        // Cities already counted for the current hit.
        let mut cities: Vec<u32> = Vec::new();
        for (ordinal, variants) in hits {
            let Some(f) = self.items.get(ordinal) else {
                continue;
            };
            category[f.category as usize] += 1;
            theme[f.theme as usize] += 1;
            cities.clear();
            cities.push(f.region);
            cities.extend(
                variants
                    .iter()
                    .filter_map(|&v| self.items.get(v as usize))
                    .map(|v| v.region),
            );
            cities.sort_unstable();
            cities.dedup();
            for &city in &cities {
                region[city as usize] += 1;
            }
            if let Some(t) = f.service_type {
                service_type[t as usize] += 1;
            }
            for (i, count) in audience.iter_mut().enumerate() {
                if f.audience & (1 << i) != 0 {
                    *count += 1;
                }
            }
            online[usize::from(f.online)] += 1;
        }
        let list = |counts: &[usize], value: &dyn Fn(usize) -> (String, Option<String>)| {
            let mut v: Vec<FacetCount> = counts
                .iter()
                .enumerate()
                .filter(|&(_, &count)| count > 0)
                .map(|(i, &count)| {
                    let (value, label) = value(i);
                    FacetCount {
                        value,
                        label,
                        count,
                    }
                })
                .filter(|f| !f.value.is_empty())
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            v
        };
        Facets {
            category: list(&category, &|i| (self.categories[i].clone(), None)),
            theme: list(&theme, &|i| (self.themes[i].clone(), None)),
            region: list(&region, &|i| {
                let (code, name) = &self.regions[i];
                (code.clone(), Some(name.clone()))
            }),
            service_type: list(&service_type, &|i| (SERVICE_TYPES[i].to_string(), None)),
            audience: list(&audience, &|i| (AUDIENCES[i].to_string(), None)),
            online: list(&online, &|i| ((i == 1).to_string(), None)),
        }
    }
}
