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

/// Deepest page: with pages of at most [`MAX_PAGE_SIZE`] hits, every page
/// stays within the engine's result window whatever the size, so the rule
/// needs no other parameter (and the OpenAPI document can state it).
pub const MAX_PAGES: usize = MAX_RESULT_WINDOW / MAX_PAGE_SIZE;

use crate::cache::KeyBuilder;
use crate::config::SearchPool;
use crate::extract::{Caller, Searcher};
use crate::features::reading::Reading;
use crate::i18n::ReaderLang;
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::routes::{cached, to_json_sized};
use crate::state::AppState;

/// The buffer a search response body starts with: a page of ten hits is
/// about 6 KB (a city-run service carries its 21 variants).
const SEARCH_BODY_CAPACITY: usize = 8 * 1024;

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
    #[param(
        max_length = 100,
        example = "社保卡补换",
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub q: Option<String>,
    /// 分类 filter (values: `GET /api/v1/categories`).
    #[param(max_length = 256, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub category: Option<String>,
    /// 主题 filter (values: `GET /api/v1/categories`).
    #[param(max_length = 256, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub theme: Option<String>,
    /// 实施部门 filter: an exact department name.
    #[param(max_length = 256, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub department: Option<String>,
    /// Region filter, a 6-digit division code or a name (深圳, 天河区): items
    /// offered to people there (its own, its districts', and city- or
    /// province-wide ones above it).
    #[param(
        max_length = 256,
        example = "440300",
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
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
    /// Page number, from 1 (a hundred pages of up to a hundred hits).
    #[param(default = 1, minimum = 1, maximum = 100)]
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
    /// One hit per service, its city variants listed in `variants`
    /// (default); `false` returns every matching item (for operators).
    #[param(default = true)]
    pub collapse: Option<bool>,
    /// The phone's position, sent as two parameters `lat` and `lng` (both or
    /// neither): ranks the person's district first. `city`, when also
    /// given, wins.
    #[param(inline, style = Form, explode)]
    pub position: Option<Position>,
    /// The person's city or district (code or name); ranks local services
    /// first without filtering. One that names no place answers no hits and
    /// a message.
    #[param(
        max_length = 256,
        example = "广州",
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub city: Option<String>,
}

/// A WGS-84 position, as phones report it. No other properties: every
/// parameter name is known (`additionalProperties: false`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Latitude in degrees.
    #[schema(minimum = -90.0, maximum = 90.0, example = 23.129)]
    pub lat: f64,
    /// Longitude in degrees.
    #[schema(minimum = -180.0, maximum = 180.0, example = 113.264)]
    pub lng: f64,
}

static NAMES: LazyLock<Vec<String>> = LazyLock::new(names_of::<SearchParams>);

impl SearchParams {
    /// Parses and validates a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self, Problem> {
        let params = Params::parse(raw, &NAMES)?;
        let size = params.integer("size", 10, 1, MAX_PAGE_SIZE)?;
        let page = params.integer("page", 1, 1, MAX_PAGES)?;
        let lat = params.latitude("lat")?;
        let lng = params.longitude("lng")?;
        let position = match (lat, lng) {
            (Some(lat), Some(lng)) => Some(Position { lat, lng }),
            (Some(_), None) => return Err(Problem::invalid_parameter("lng", "err-lat-needs-lng")),
            (None, Some(_)) => return Err(Problem::invalid_parameter("lat", "err-lng-needs-lat")),
            (None, None) => None,
        };
        Ok(SearchParams {
            q: params.text_max("q", MAX_QUERY_CHARS)?.map(str::to_string),
            category: params.text("category").map(str::to_string),
            theme: params.text("theme").map(str::to_string),
            department: params.text("department").map(str::to_string),
            region: params.text("region").map(str::to_string),
            city: params.text("city").map(str::to_string),
            audience: params.one_of("audience", &Audience::ALL, |a| a.as_str())?,
            service_type: params.one_of("service_type", &ServiceType::ALL, |t| t.as_str())?,
            online: params.boolean("online")?,
            page: Some(page),
            size: Some(size),
            explain: params.boolean("explain")?,
            correct: params.boolean("correct")?,
            collapse: params.boolean("collapse")?,
            position,
        })
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
            .opt(self.collapse)
            .opt(self.position.map(|p| p.lat.to_bits()))
            .opt(self.position.map(|p| p.lng.to_bits()))
            .opt(self.city.as_deref())
            .build()
    }

    fn into_request(self) -> SearchRequest {
        // An explicit city wins over the position (docs/DECISIONS.md).
        let location = match (self.city, self.position) {
            (Some(city), _) => Some(LocationInput::Region(city)),
            (None, Some(Position { lat, lng })) => Some(LocationInput::Position { lat, lng }),
            (None, None) => None,
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
            collapse: self.collapse.unwrap_or(true),
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
        (status = 200, description = "Hits (one per service unless `collapse=false`), category \
            groups and facets", body = SearchResponse,
            headers(("x-cache" = String, description = "`hit` or `miss` when the response cache is on \
                (absent for searches with `lat`/`lng`, which are never cached)"))),
        (status = 400, description = "`invalid-parameter`: an unknown parameter, a malformed, repeated, \
            over-long or out-of-range value, invalid UTF-8, control characters, `lat` without `lng` or the \
            reverse; `invalid-request`: a request the engine rejects as a whole. A filter value or `city` \
            that names nothing in the catalogue is not an error: the answer has no hits and a `message`",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    lang: ReaderLang,
    searcher: Searcher,
    Caller(client): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let params = SearchParams::parse(raw.as_deref())?;
    let generation = state.generation()?;
    // A phone position is all but unique per request: caching its answer
    // would only crowd out the answers that are asked again.
    // The message of an answer without hits is in the reader's language.
    let key = (params.position.is_none() || params.city.is_some())
        .then(|| format!("{}|{}", params.cache_key(), lang.0.tag()));
    // A new search (not a further page) is remembered: in the person's
    // history and in the hot counts.
    let remembered = params
        .q
        .as_ref()
        .filter(|q| {
            !q.trim().is_empty()
                && params.page.unwrap_or(1) == 1
                && state.activity.is_some()
                && searcher.remember
        })
        .map(|q| (q.clone(), params.correct.unwrap_or(true)));
    let request = params.into_request();
    let engine = generation.engine.clone();
    let pool = state.settings.search_pool;
    let readings = &generation.readings;
    let reading_key = remembered.clone();
    let speaker = state.speaker(lang);
    let response = cached(&state, &generation, "search", key, async move {
        let mut response = run_search(engine, request, pool).await?;
        response.message = response.message_text.as_ref().map(|m| speaker.say(m));
        if let Some(k) = reading_key {
            let reading = Reading::of(&k.0, &response).map(Arc::new);
            readings.insert(k, reading);
        }
        to_json_sized(&response, SEARCH_BODY_CAPACITY)
    })
    .await?;
    if let (Some(activity), Some(k)) = (state.activity(), remembered) {
        let reading = match readings.get(&k) {
            Some(reading) => reading,
            None => Reading::analysed(&k.0, &generation.engine).map(Arc::new),
        };
        if let Some(reading) = reading {
            let now = state.centre().map_or(0, yuesou_centre::Centre::now_ms);
            activity.observe(searcher.person.as_ref(), &client.address, &reading, now);
        }
    }
    Ok(response)
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
        assert_eq!(NAMES.len(), 16);
        assert!(SearchParams::parse(Some("q=a&lat=1&lng=2&page=3&audience=法人")).is_ok());
        let e = SearchParams::parse(Some("audience=robot")).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("audience"));
        let e = SearchParams::parse(Some("lat=1")).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("lng"));
        let e = SearchParams::parse(Some("size=10&page=101")).unwrap_err();
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
