//! Request and response types of a search, and the request's limits.
//!
//! A [`SearchRequest`] goes into [`Engine::search`](crate::Engine::search);
//! a [`SearchResponse`] comes out, its [`Hit`]s one per service (with their
//! city [`Variant`]s) unless the request asks for raw items.

use serde::Serialize;
use yuesou_messages::Text;

use crate::analyze::AnalyzedQuery;
use crate::correct::Correction;
use crate::error::{Error, Result};
use crate::explain::Explain;
use crate::facets::Facets;
use crate::locate::{LocationInput, ResolvedLocation};

/// Largest page size.
pub const MAX_PAGE_SIZE: usize = 100;
/// Deepest page (`page × size` beyond this is refused).
pub const MAX_RESULT_WINDOW: usize = 10_000;
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// Filters of a search (多条件筛选). All given filters must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filters {
    /// 分类.
    pub category: Option<String>,
    /// 主题.
    pub theme: Option<String>,
    /// 实施部门 (exact name).
    pub department: Option<String>,
    /// Region code or name: items offered to people there (the region's own,
    /// its districts', and the city-wide and province-wide ones above it).
    pub region: Option<String>,
    /// 服务对象: 自然人 or 法人.
    pub audience: Option<String>,
    /// 事项类型: 查询, 办理, 预约, 缴费 or 证明.
    pub service_type: Option<String>,
    /// Only items that can (true) or cannot (false) be done online.
    pub online: Option<bool>,
}

impl Filters {
    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

/// A search request.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The query as typed.
    pub query: String,
    /// Filters.
    pub filters: Filters,
    /// 1-based page number.
    pub page: usize,
    /// Hits per page.
    pub size: usize,
    /// Include the score factors of every hit.
    pub explain: bool,
    /// Read pinyin and correct typos when the query as typed matches poorly
    /// (default). `false` searches the query exactly as typed (仍然搜索).
    pub correct: bool,
    /// Where the person is (phone position or a region the app knows). A
    /// place named in the query wins over it.
    pub location: Option<LocationInput>,
    /// One hit per service, its city variants riding along (default).
    /// `false` returns every matching item (for operators).
    pub collapse: bool,
}

impl SearchRequest {
    /// A request for the first page of 10 hits.
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            filters: Filters::default(),
            page: 1,
            size: 10,
            explain: false,
            correct: true,
            location: None,
            collapse: true,
        }
    }

    /// From a phone's WGS-84 position.
    pub fn at_position(mut self, lat: f64, lng: f64) -> Self {
        self.location = Some(LocationInput::Position { lat, lng });
        self
    }

    /// For a person in this region (code or name, city or district).
    pub fn in_region(mut self, region: impl Into<String>) -> Self {
        self.location = Some(LocationInput::Region(region.into()));
        self
    }

    /// Without pinyin reading and typo correction (search as typed).
    pub fn as_typed(mut self) -> Self {
        self.correct = false;
        self
    }

    /// With filters.
    pub fn filters(mut self, filters: Filters) -> Self {
        self.filters = filters;
        self
    }

    /// With a page and page size.
    pub fn page(mut self, page: usize, size: usize) -> Self {
        self.page = page;
        self.size = size;
        self
    }

    /// With score explanations.
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// With one hit per service (`true`, the default) or every matching
    /// item (`false`).
    pub fn collapse(mut self, collapse: bool) -> Self {
        self.collapse = collapse;
        self
    }
}

/// Whether a total is exact or a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TotalRelation {
    /// Exact.
    Eq,
    /// At least this many.
    Gte,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// Item id.
    pub id: String,
    /// 事项名称.
    pub title: String,
    /// The title with matched fragments in `<em>…</em>` (HTML-escaped).
    pub title_highlight: String,
    /// 分类.
    pub category: String,
    /// 主题.
    pub theme: String,
    /// 实施部门.
    pub department: String,
    /// Region code.
    pub region_code: String,
    /// Region name (广东省, 深圳市, 广州市天河区).
    pub region_name: String,
    /// 事项类型.
    pub service_type: Option<String>,
    /// Can be done online.
    pub online: bool,
    /// Final score.
    pub score: f32,
    /// How many regions offer this service (its variants matching the
    /// request: "21 个城市可办"); 1 for an uncollapsed search.
    pub variant_count: usize,
    /// Every variant of the service matching the request, this hit's
    /// included, in region-code order (absent for an uncollapsed search).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<Variant>,
    /// Score factors, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
}

/// One regional variant of a service (the item a region offers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    /// Item id.
    pub id: String,
    /// Region code.
    pub region_code: String,
    /// Region name (广东省, 深圳市, 广州市天河区).
    pub region_name: String,
}

/// Results of one category (分类展现).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Group {
    /// 分类.
    pub category: String,
    /// Number of hits (services, or items when uncollapsed) in the category.
    pub count: usize,
    /// Its best hits (up to three ids, best first).
    pub top: Vec<String>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    /// How the query was understood.
    pub query: AnalyzedQuery,
    /// Hits in all (over every page): services, or items for an
    /// uncollapsed search.
    pub total: usize,
    /// Items in all: every matching variant of the services counted in
    /// `total`.
    pub total_items: usize,
    /// `eq` when `total` is exact; `gte` when more items matched than were
    /// ranked (very large catalogues), so `total` is a lower bound.
    pub total_relation: TotalRelation,
    /// Page number.
    pub page: usize,
    /// Page size.
    pub size: usize,
    /// Nothing matched the whole query; these are the best partial matches.
    pub relaxed: bool,
    /// The location the ranking used, and where it came from (a place in the
    /// query, the phone's position, or an explicit city/region).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<ResolvedLocation>,
    /// When the query was read as pinyin or had typos corrected: the query
    /// as typed and as searched. Search `correction.original` with
    /// `correct=false` to search it as typed (仍然搜索).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
    /// A message for the person when there is nothing to show or the query
    /// was blocked, in their language: rendered from `message_text` by
    /// whoever shows it (the daemon, the CLI); the engine leaves it empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The message as a message id with its arguments (`search-nothing` …;
    /// render it with the `yuesou-messages` catalogue).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub message_text: Option<Text>,
    /// The hits of this page.
    pub hits: Vec<Hit>,
    /// Hits grouped by category.
    pub groups: Vec<Group>,
    /// Facet counts of the hits (services, or items when uncollapsed; a
    /// service counts once under each city that offers it).
    pub facets: Facets,
}

/// Checks the limits of a request (page, size, result window, query length).
pub(crate) fn validate(request: &SearchRequest) -> Result<()> {
    if request.page == 0 {
        return Err(Error::InvalidRequest(Text::new("err-page-from-one")));
    }
    if request.size == 0 || request.size > MAX_PAGE_SIZE {
        return Err(Error::InvalidRequest(
            Text::new("err-size").arg("max", MAX_PAGE_SIZE),
        ));
    }
    if request.page.saturating_mul(request.size) > MAX_RESULT_WINDOW {
        return Err(Error::InvalidRequest(
            Text::new("err-result-window").arg("max", MAX_RESULT_WINDOW),
        ));
    }
    if request.query.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::InvalidRequest(
            Text::new("err-query-too-long").arg("max", MAX_QUERY_CHARS),
        ));
    }
    Ok(())
}

impl SearchResponse {
    /// An empty answer to a request, before any stage has run.
    pub(crate) fn new(query: AnalyzedQuery, request: &SearchRequest) -> Self {
        SearchResponse {
            query,
            total: 0,
            total_items: 0,
            total_relation: TotalRelation::Eq,
            page: request.page,
            size: request.size,
            relaxed: false,
            location: None,
            correction: None,
            message: None,
            message_text: None,
            hits: Vec::new(),
            groups: Vec::new(),
            facets: Facets::default(),
        }
    }

    /// With a message for the person (and no hits).
    pub(crate) fn with_message(mut self, message: impl Into<Text>) -> Self {
        self.message_text = Some(message.into());
        self
    }
}
