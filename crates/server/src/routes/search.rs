//! `GET /api/v1/search`: full-text search with filters, location and paging.

use std::sync::{Arc, LazyLock};

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use yuesou_core::{
    AUDIENCES, Filters, LocationInput, MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW,
    SERVICE_TYPES, SearchRequest, SearchResponse,
};

use crate::cache::KeyBuilder;
use crate::config::SearchPool;
use crate::generation::Generation;
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::routes::{cached, to_json};
use crate::state::AppState;

/// 服务对象 — who a service is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum Audience {
    /// Individuals.
    #[serde(rename = "自然人")]
    Person,
    /// Organisations and companies.
    #[serde(rename = "法人")]
    Organisation,
}

impl Audience {
    const ALL: [Audience; 2] = [Audience::Person, Audience::Organisation];

    /// The catalogue's value.
    pub fn as_str(self) -> &'static str {
        AUDIENCES[self as usize]
    }
}

/// 事项类型 — the kind of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum ServiceType {
    /// 查询 — look something up.
    #[serde(rename = "查询")]
    Lookup,
    /// 办理 — apply for or carry out a procedure.
    #[serde(rename = "办理")]
    Apply,
    /// 预约 — book an appointment.
    #[serde(rename = "预约")]
    Book,
    /// 缴费 — pay.
    #[serde(rename = "缴费")]
    Pay,
    /// 证明 — obtain a certificate.
    #[serde(rename = "证明")]
    Certify,
}

impl ServiceType {
    const ALL: [ServiceType; 5] = [
        ServiceType::Lookup,
        ServiceType::Apply,
        ServiceType::Book,
        ServiceType::Pay,
        ServiceType::Certify,
    ];

    /// The catalogue's value.
    pub fn as_str(self) -> &'static str {
        SERVICE_TYPES[self as usize]
    }
}

/// Query parameters of `GET /api/v1/search`. Unknown names are rejected.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the person typed: Chinese, pinyin, initials, with typos or place
    /// names. Empty with filters browses the filtered items by popularity.
    #[param(max_length = 100, example = "社保卡补换")]
    pub q: Option<String>,
    /// 分类 filter (values: `GET /api/v1/categories`).
    #[param(max_length = 256)]
    pub category: Option<String>,
    /// 主题 filter (values: `GET /api/v1/categories`).
    #[param(max_length = 256)]
    pub theme: Option<String>,
    /// 实施部门 filter: an exact department name.
    #[param(max_length = 256)]
    pub department: Option<String>,
    /// Region filter, a 6-digit division code or a name (深圳, 天河区): items
    /// offered to people there (its own, its districts', and city- or
    /// province-wide ones above it).
    #[param(max_length = 256, example = "440300")]
    pub region: Option<String>,
    /// 服务对象 filter.
    #[param(inline)]
    pub audience: Option<Audience>,
    /// 事项类型 filter.
    #[param(inline)]
    pub service_type: Option<ServiceType>,
    /// Only online (`true`) or offline-only (`false`) services. Also accepts
    /// `1`/`0`.
    pub online: Option<bool>,
    /// Page number, from 1; `page × size` may not exceed 10,000.
    #[param(default = 1, minimum = 1, maximum = 10000)]
    pub page: Option<usize>,
    /// Hits per page.
    #[param(default = 10, minimum = 1, maximum = 100)]
    pub size: Option<usize>,
    /// Return every ranking factor per hit.
    #[param(default = false)]
    pub explain: Option<bool>,
    /// Read pinyin and correct typos (`false` searches exactly as typed).
    #[param(default = true)]
    pub correct: Option<bool>,
    /// The person's latitude (WGS-84 degrees, with `lng`; not with `city`).
    #[param(minimum = -90.0, maximum = 90.0, example = 23.129)]
    pub lat: Option<f64>,
    /// The person's longitude (WGS-84 degrees, with `lat`).
    #[param(minimum = -180.0, maximum = 180.0, example = 113.264)]
    pub lng: Option<f64>,
    /// The person's city or district (code or name) when no position is
    /// known; ranks local services first without filtering.
    #[param(max_length = 256, example = "广州")]
    pub city: Option<String>,
}

static NAMES: LazyLock<Vec<String>> = LazyLock::new(names_of::<SearchParams>);

impl SearchParams {
    /// Parses and validates a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self, Problem> {
        let params = Params::parse(raw, &NAMES)?;
        let size = params.integer("size", 10, 1, MAX_PAGE_SIZE)?;
        let page = params.integer("page", 1, 1, MAX_RESULT_WINDOW / size)?;
        let lat = params.latitude("lat")?;
        let lng = params.longitude("lng")?;
        let city = params.text("city").map(str::to_string);
        match (lat.is_some(), lng.is_some(), city.is_some()) {
            (true, true, true) => {
                return Err(Problem::invalid_parameter(
                    "city",
                    "give either lat and lng or city, not both",
                ));
            }
            (true, false, _) => return Err(Problem::invalid_parameter("lng", "lat needs lng")),
            (false, true, _) => return Err(Problem::invalid_parameter("lat", "lng needs lat")),
            _ => {}
        }
        Ok(SearchParams {
            q: params.text_max("q", MAX_QUERY_CHARS)?.map(str::to_string),
            category: params.text("category").map(str::to_string),
            theme: params.text("theme").map(str::to_string),
            department: params.text("department").map(str::to_string),
            region: params.text("region").map(str::to_string),
            audience: params.one_of("audience", &Audience::ALL, |a| a.as_str())?,
            service_type: params.one_of("service_type", &ServiceType::ALL, |t| t.as_str())?,
            online: params.boolean("online")?,
            page: Some(page),
            size: Some(size),
            explain: params.boolean("explain")?,
            correct: params.boolean("correct")?,
            lat,
            lng,
            city,
        })
    }

    /// Checks the catalogue-dependent values against this generation.
    fn check_values(&self, generation: &Generation) -> Result<(), Problem> {
        let vocabulary = &generation.vocabulary;
        let known =
            |name: &str, value: &Option<String>, set: &std::collections::BTreeSet<String>| {
                match value {
                    Some(v) if !set.contains(v) => Err(Problem::invalid_parameter(
                        name,
                        format!("unknown {name} {v:?}; see /api/v1/categories"),
                    )),
                    _ => Ok(()),
                }
            };
        known("category", &self.category, &vocabulary.categories)?;
        known("theme", &self.theme, &vocabulary.themes)?;
        known("department", &self.department, &vocabulary.departments)?;
        for (name, value) in [("region", &self.region), ("city", &self.city)] {
            if let Some(v) = value
                && generation.engine.resolve_region(v).is_none()
            {
                return Err(Problem::invalid_parameter(
                    name,
                    format!("unknown region {v:?}: give a 6-digit division code or a place name"),
                ));
            }
        }
        Ok(())
    }

    /// The canonical cache key of this request.
    fn cache_key(&self) -> String {
        KeyBuilder::new("search")
            .opt(self.q.as_deref())
            .opt(self.category.as_deref())
            .opt(self.theme.as_deref())
            .opt(self.department.as_deref())
            .opt(self.region.as_deref())
            .opt(self.audience.map(Audience::as_str))
            .opt(self.service_type.map(ServiceType::as_str))
            .opt(self.online)
            .opt(self.page)
            .opt(self.size)
            .opt(self.explain)
            .opt(self.correct)
            .opt(self.lat.map(f64::to_bits))
            .opt(self.lng.map(f64::to_bits))
            .opt(self.city.as_deref())
            .build()
    }

    fn into_request(self) -> SearchRequest {
        let location = match (self.lat, self.lng, self.city) {
            (Some(lat), Some(lng), _) => Some(LocationInput::Position { lat, lng }),
            (_, _, Some(city)) => Some(LocationInput::Region(city)),
            _ => None,
        };
        SearchRequest {
            query: self.q.unwrap_or_default(),
            filters: Filters {
                category: self.category,
                theme: self.theme,
                department: self.department,
                region: self.region,
                audience: self.audience.map(|a| a.as_str().to_string()),
                service_type: self.service_type.map(|t| t.as_str().to_string()),
                online: self.online,
            },
            page: self.page.unwrap_or(1),
            size: self.size.unwrap_or(10),
            explain: self.explain.unwrap_or(false),
            correct: self.correct.unwrap_or(true),
            location,
        }
    }
}

/// Searches the catalogue.
///
/// Hits are ranked by text relevance × match kind × popularity × region fit;
/// `explain=true` returns every factor. A query containing a banned word is
/// answered (200) with no hits, `blocked_by` and a message; so is a query of
/// only stop words. Answers are cached per engine generation (`x-cache`),
/// except those for a phone position (`lat`/`lng`), which rarely repeat.
#[utoipa::path(
    get,
    path = "/api/v1/search",
    tag = "search",
    operation_id = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Hits, category groups and facets", body = SearchResponse,
            headers(("x-cache" = String, description = "`hit` or `miss` when the response cache is on \
                (absent for searches with `lat`/`lng`, which are never cached)"))),
        (status = 400, description = "`invalid-parameter`: an unknown parameter, a malformed, repeated, \
            over-long or out-of-range value, invalid UTF-8, control characters, bad coordinates, an unknown \
            filter value; `invalid-request`: a request the engine rejects as a whole",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let params = SearchParams::parse(raw.as_deref())?;
    let generation = state.generation()?;
    params.check_values(&generation)?;
    // A phone position is all but unique per request: caching its answer
    // would only crowd out the answers that are asked again.
    let key = params.lat.is_none().then(|| params.cache_key());
    let request = params.into_request();
    let engine = generation.engine.clone();
    let pool = state.settings.search_pool;
    cached(&state, &generation, "search", key, async move {
        let response = run_search(engine, request, pool).await?;
        to_json(&response)
    })
    .await
}

async fn run_search(
    engine: Arc<yuesou_core::Engine>,
    request: SearchRequest,
    pool: SearchPool,
) -> Result<SearchResponse, Problem> {
    match pool {
        SearchPool::Inline => Ok(engine.search(&request)?),
        SearchPool::Blocking => tokio::task::spawn_blocking(move || engine.search(&request))
            .await
            .map_err(|e| Problem::internal(format!("the search task failed: {e}")))?
            .map_err(Problem::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_match_the_catalogue_vocabulary() {
        let audiences: Vec<_> = Audience::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(audiences, AUDIENCES);
        let types: Vec<_> = ServiceType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(types, SERVICE_TYPES);
        for a in Audience::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for t in ServiceType::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
    }

    #[test]
    fn documented_parameters_are_the_accepted_ones() {
        assert_eq!(NAMES.len(), 15);
        assert!(SearchParams::parse(Some("q=a&lat=1&lng=2&page=3&audience=法人")).is_ok());
        let e = SearchParams::parse(Some("audience=robot")).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("audience"));
        let e = SearchParams::parse(Some("lat=1")).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("lng"));
        let e = SearchParams::parse(Some("size=100&page=101")).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("page"));
    }

    #[test]
    fn cache_keys_distinguish_requests() {
        let a = SearchParams::parse(Some("q=社保&page=1"))
            .unwrap()
            .cache_key();
        let b = SearchParams::parse(Some("page=1&q=社保"))
            .unwrap()
            .cache_key();
        let c = SearchParams::parse(Some("q=社保&page=2"))
            .unwrap()
            .cache_key();
        let d = SearchParams::parse(Some("q=社保&region=社保"))
            .unwrap()
            .cache_key();
        assert_eq!(a, b, "parameter order does not matter");
        assert_ne!(a, c);
        assert_ne!(a, d);
    }
}
