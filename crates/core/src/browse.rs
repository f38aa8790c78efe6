//! Browsing the catalogue: the category → theme → service tree of a home
//! screen (分类 → 主题 → 事项).
//!
//! City-run services exist once per city; the tree lists each service once.
//! For a person in a region it shows the variant offered there (their
//! district's, else their city's, else the province-wide one) and leaves out
//! services their region does not offer; without a region it shows the
//! province-wide or most popular variant and how many regions offer it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalogue::ServiceItem;
use crate::collapse::{OFFERED_HERE, variant_preference};
use crate::engine::Engine;
use crate::error::Result;
use crate::locate::ResolvedLocation;

/// One 分类 with its themes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryNode {
    /// 分类.
    pub category: String,
    /// Services listed under it.
    pub count: usize,
    /// Its themes, most popular first.
    pub themes: Vec<ThemeNode>,
}

/// One 主题 with its services.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeNode {
    /// 主题.
    pub theme: String,
    /// Services listed under it.
    pub count: usize,
    /// Its services, most popular first.
    pub services: Vec<ServiceEntry>,
}

/// One service (one title), represented by the variant that fits best.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceEntry {
    /// Id of the chosen variant.
    pub id: String,
    /// 事项名称.
    pub title: String,
    /// Region of the chosen variant.
    pub region_code: String,
    /// Its display name.
    pub region_name: String,
    /// How many regions offer this service.
    pub variants: usize,
    /// Popularity prior of the chosen variant.
    pub popularity: f32,
}

impl Engine {
    /// The catalogue as a category → theme → service tree, for a person in
    /// `region` (a code or name) when given.
    pub fn categories(&self, region: Option<&str>) -> Result<Vec<CategoryNode>> {
        let location = match region {
            Some(r) => Some(self.resolve_location(&crate::LocationInput::Region(r.to_string()))?),
            None => None,
        };
        // (category, theme, title) → the items with that title.
        let mut services: BTreeMap<(&str, &str, &str), Vec<&ServiceItem>> = BTreeMap::new();
        for item in self.catalogue.items() {
            services
                .entry((&item.category, &item.theme, &item.title))
                .or_default()
                .push(item);
        }
        let mut categories: Vec<CategoryNode> = Vec::new();
        for ((category, theme, title), variants) in services {
            let Some(chosen) = choose_variant(self, &variants, location.as_ref()) else {
                continue;
            };
            let entry = ServiceEntry {
                id: chosen.id.clone(),
                title: title.to_string(),
                region_code: chosen.region_code.clone(),
                region_name: self.gazetteer.display_name(&chosen.region_code),
                variants: variants.len(),
                popularity: chosen.popularity(),
            };
            let index = match categories.iter().position(|c| c.category == category) {
                Some(index) => index,
                None => {
                    categories.push(CategoryNode {
                        category: category.to_string(),
                        count: 0,
                        themes: Vec::new(),
                    });
                    categories.len() - 1
                }
            };
            let node = &mut categories[index];
            node.count += 1;
            match node.themes.iter_mut().find(|t| t.theme == theme) {
                Some(t) => {
                    t.count += 1;
                    t.services.push(entry);
                }
                None => node.themes.push(ThemeNode {
                    theme: theme.to_string(),
                    count: 1,
                    services: vec![entry],
                }),
            }
        }
        let top =
            |services: &[ServiceEntry]| services.iter().map(|s| s.popularity).fold(0.0, f32::max);
        for c in &mut categories {
            for t in &mut c.themes {
                t.services.sort_by(|a, b| {
                    b.popularity
                        .total_cmp(&a.popularity)
                        .then_with(|| a.title.cmp(&b.title))
                });
            }
            c.themes.sort_by(|a, b| {
                top(&b.services)
                    .total_cmp(&top(&a.services))
                    .then_with(|| a.theme.cmp(&b.theme))
            });
        }
        let category_top = |c: &CategoryNode| {
            c.themes
                .iter()
                .map(|t| top(&t.services))
                .fold(0.0, f32::max)
        };
        categories.sort_by(|a, b| {
            category_top(b)
                .total_cmp(&category_top(a))
                .then_with(|| a.category.cmp(&b.category))
        });
        Ok(categories)
    }
}

/// The variant of a service to show: for a location, the best-fitting one it
/// can use (its district's, its city's, the province's; none when it can use
/// none); otherwise the province-wide one, else the most popular (the rule
/// search hits follow too, see [`variant_preference`]).
fn choose_variant<'a>(
    engine: &Engine,
    variants: &[&'a ServiceItem],
    location: Option<&ResolvedLocation>,
) -> Option<&'a ServiceItem> {
    let (preference, chosen) = variants
        .iter()
        .map(|v| {
            (
                variant_preference(location, &engine.gazetteer, &v.region_code),
                *v,
            )
        })
        .min_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| b.1.popularity().total_cmp(&a.1.popularity()))
                .then_with(|| a.1.id.cmp(&b.1.id))
        })?;
    let located = location.is_some_and(|l| !l.outside);
    (!located || preference <= OFFERED_HERE).then_some(chosen)
}
