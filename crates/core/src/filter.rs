//! The filters of a request (多条件筛选), checked against the catalogue's
//! own values and ready to match items.
//!
//! A filter value the catalogue does not know (a category, theme,
//! department or region that names nothing) is an answer — nothing matches
//! — not an error: the catalogue may have changed since the client read its
//! values. A value outside a closed list (audience, service type) is an
//! error.

use std::collections::BTreeSet;
use yuesou_messages::Text;

use crate::catalogue::{AUDIENCES, SERVICE_TYPES, ServiceItem};
use crate::error::{Error, Result};
use crate::gazetteer::{Division, Gazetteer};
use crate::request::Filters;

/// Known filter values, to tell unknown ones apart.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocabulary {
    pub categories: BTreeSet<String>,
    pub themes: BTreeSet<String>,
    pub departments: BTreeSet<String>,
}

impl Vocabulary {
    /// The first category, theme or department filter that names nothing in
    /// this catalogue, described for the person.
    pub(crate) fn unknown_value(&self, f: &Filters) -> Option<Text> {
        fn named<'a>(value: &'a Option<String>, set: &BTreeSet<String>) -> Option<&'a str> {
            value.as_deref().filter(|v| !set.contains(*v))
        }
        if let Some(v) = named(&f.category, &self.categories) {
            return Some(Text::new("search-unknown-category").arg("value", v));
        }
        if let Some(v) = named(&f.theme, &self.themes) {
            return Some(Text::new("search-unknown-theme").arg("value", v));
        }
        if let Some(v) = named(&f.department, &self.departments) {
            return Some(Text::new("search-unknown-department").arg("value", v));
        }
        None
    }
}

/// The filters of a request, checked, with the region filter resolved.
pub(crate) struct ItemFilter<'a> {
    filters: &'a Filters,
    region: Option<&'a Division>,
    gazetteer: &'a Gazetteer,
}

impl<'a> ItemFilter<'a> {
    /// Checks the closed-list filters (audience, service type); `region` is
    /// the region filter, already resolved.
    pub(crate) fn new(
        filters: &'a Filters,
        region: Option<&'a Division>,
        gazetteer: &'a Gazetteer,
    ) -> Result<Self> {
        if let Some(v) = &filters.audience
            && !AUDIENCES.contains(&v.as_str())
        {
            return Err(Error::InvalidRequest(
                Text::new("err-unknown-audience").arg("choices", AUDIENCES.join(" ")),
            ));
        }
        if let Some(v) = &filters.service_type
            && !SERVICE_TYPES.contains(&v.as_str())
        {
            return Err(Error::InvalidRequest(
                Text::new("err-unknown-service-type").arg("choices", SERVICE_TYPES.join(" ")),
            ));
        }
        Ok(ItemFilter {
            filters,
            region,
            gazetteer,
        })
    }

    /// Whether an item passes every filter. The region filter accepts items
    /// of the region or inside it, and those offered above it (city- or
    /// province-wide).
    pub(crate) fn accepts(&self, item: &ServiceItem) -> bool {
        let f = self.filters;
        let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        is(&f.category, &item.category)
            && is(&f.theme, &item.theme)
            && is(&f.department, &item.department)
            && f.audience
                .as_deref()
                .is_none_or(|a| item.audience.iter().any(|x| x == a))
            && f.service_type
                .as_deref()
                .is_none_or(|t| item.service_type.as_deref() == Some(t))
            && f.online.is_none_or(|o| item.online.unwrap_or(false) == o)
            && self.region.is_none_or(|r| {
                self.gazetteer.is_within(&item.region_code, &r.code)
                    || self.gazetteer.is_within(&r.code, &item.region_code)
            })
    }

    /// Whether every item passes (no filter is set).
    pub(crate) fn accepts_all(&self) -> bool {
        self.filters.is_empty()
    }
}
