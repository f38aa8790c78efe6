//! Stage 10 of the query pipeline: hits — the page of ranked services
//! turned into [`Hit`]s, with highlighted titles, region names, variants
//! and, when asked for, their [`crate::Explain`].

use crate::catalogue::ServiceItem;
use crate::forms::{QueryForms, highlight};
use crate::gazetteer::Gazetteer;
use crate::item_text::ItemText;
use crate::rank::Ranked;
use crate::request::{Hit, Variant};

/// What hit building reads of the catalogue.
pub(crate) struct HitBuilder<'a> {
    pub items: &'a [ServiceItem],
    pub texts: &'a [ItemText],
    pub gazetteer: &'a Gazetteer,
}

impl HitBuilder<'_> {
    /// One hit.
    pub(crate) fn hit(&self, r: Ranked, forms: &QueryForms, explain: bool) -> Hit {
        let item = &self.items[r.ordinal];
        let text = &self.texts[r.ordinal];
        Hit {
            id: item.id.clone(),
            title: item.title.clone(),
            title_highlight: highlight(&item.title, &text.title, forms),
            category: item.category.clone(),
            theme: item.theme.clone(),
            department: item.department.clone(),
            region_code: item.region_code.clone(),
            region_name: self.gazetteer.display_name(&item.region_code),
            service_type: item.service_type.clone(),
            online: item.online.unwrap_or(false),
            score: r.score,
            variant_count: r.variants.len().max(1),
            variants: r
                .variants
                .iter()
                .map(|&v| {
                    let item = &self.items[v as usize];
                    Variant {
                        id: item.id.clone(),
                        region_code: item.region_code.clone(),
                        region_name: self.gazetteer.display_name(&item.region_code),
                    }
                })
                .collect(),
            explain: explain.then_some(r.explain),
        }
    }
}
