//! `GET /api/v1/suggest`: autocomplete (联想) for what has been typed so far.

use std::sync::LazyLock;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use yuesou_core::{MAX_PREFIX_CHARS, MAX_SUGGESTIONS, SuggestMatch, Suggestion, SuggestionKind};

use crate::features::activity::{HotEntry, key_of};

use crate::cache::KeyBuilder;
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::routes::{cached, to_json};
use crate::state::AppState;

/// Query parameters of `GET /api/v1/suggest`. Unknown names are rejected.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// The prefix typed so far: Chinese, full pinyin, initials or a mix
    /// (`shebao`, `sbk`, `社保k`). Empty gives no suggestions.
    #[param(
        max_length = 50,
        example = "shebao",
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub q: Option<String>,
    /// How many suggestions.
    #[param(default = 10, minimum = 1, maximum = 20)]
    pub size: Option<usize>,
}

static NAMES: LazyLock<Vec<String>> = LazyLock::new(names_of::<SuggestParams>);

impl SuggestParams {
    /// Parses and validates a raw query string.
    pub fn parse(raw: Option<&str>) -> Result<Self, Problem> {
        let params = Params::parse(raw, &NAMES)?;
        Ok(SuggestParams {
            q: params.text_max("q", MAX_PREFIX_CHARS)?.map(str::to_string),
            size: Some(params.integer("size", 10, 1, MAX_SUGGESTIONS)?),
        })
    }
}

/// Autocomplete suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// The prefix as given.
    pub query: String,
    /// Suggestions, best first, unique by text.
    pub suggestions: Vec<Suggestion>,
}

/// Suggests completions for a prefix.
///
/// Keys are item titles (and their aliases), thesaurus terms and hot
/// queries, matched by Chinese prefix ≫ full pinyin ≫ initials ≫ fuzzy
/// pinyin, then by popularity. A prefix containing a banned word gets none.
#[utoipa::path(
    get,
    path = "/api/v1/suggest",
    tag = "search",
    operation_id = "suggest",
    params(SuggestParams),
    responses(
        (status = 200, description = "Suggestions, best first", body = SuggestResponse,
            headers(("x-cache" = String, description = "`hit` or `miss` when the response cache is on"))),
        (status = 400, description = "`invalid-parameter`: an unknown parameter, an over-long prefix, \
            a size out of range, invalid UTF-8 or control characters",
            body = Problem, content_type = "application/problem+json"),
    )
)]
pub(crate) async fn suggest(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let params = SuggestParams::parse(raw.as_deref())?;
    let generation = state.generation()?;
    let prefix = params.q.unwrap_or_default();
    let size = params.size.unwrap_or(10);
    let hot = state.activity().map(|a| a.current_hot());
    let version = hot.as_ref().map_or(0, |h| h.version);
    let key = KeyBuilder::new("suggest")
        .part(&prefix)
        .part(size)
        .part(version)
        .build();
    let engine = &generation.engine;
    cached(&state, &generation, "suggest", Some(key), async {
        let mut suggestions = engine.suggest(&prefix, size);
        if let Some(hot) = hot.filter(|h| h.entries.len() >= LIVE_HOT_MIN) {
            merge_hot(engine, &prefix, &hot.entries, &mut suggestions, size);
        }
        to_json(&SuggestResponse {
            query: prefix.clone(),
            suggestions,
        })
    })
    .await
}

/// Live hot searches replace the bundled hot-query list in suggestions once
/// at least this many are listed.
const LIVE_HOT_MIN: usize = 5;

/// Merges the live hot searches matching `prefix` (as Chinese, full pinyin
/// or initials) into `suggestions`, weighted by how many people search
/// them, in place of the bundled hot queries.
fn merge_hot(
    engine: &yuesou_core::Engine,
    prefix: &str,
    hot: &[HotEntry],
    suggestions: &mut Vec<Suggestion>,
    size: usize,
) {
    let typed = key_of(&engine.analyzer().normalizer().normalize(prefix));
    if typed.is_empty() || engine.analyzer().guard().is_banned(&typed) {
        return;
    }
    suggestions.retain(|s| s.kind != SuggestionKind::Query);
    let top = hot.iter().map(|e| e.score).fold(0.0f64, f64::max).max(1.0);
    for entry in hot {
        let matched = if key_of(&entry.query).starts_with(&typed) {
            SuggestMatch::Prefix
        } else if entry.pinyin.starts_with(&typed) {
            SuggestMatch::Pinyin
        } else if entry.initials.starts_with(&typed) {
            SuggestMatch::Initials
        } else {
            continue;
        };
        let popularity = 40.0 + 60.0 * (entry.score / top) as f32;
        let score = matched as u8 as f32 + popularity / 100.0;
        match suggestions.iter_mut().find(|s| s.text == entry.query) {
            Some(existing) => existing.score = existing.score.max(score),
            None => suggestions.push(Suggestion {
                text: entry.query.clone(),
                kind: SuggestionKind::Query,
                id: None,
                matched,
                score,
            }),
        }
    }
    suggestions.sort_by(|a, b| b.score.total_cmp(&a.score));
    suggestions.truncate(size);
}
