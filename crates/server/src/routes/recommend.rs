//! `GET /api/v1/recommendations` (anyone: where they are and what people
//! search) and `GET /api/v1/me/recommendations` (the person's wallet,
//! applications, real-name facts and recent searches too) — 智能推荐, each
//! service with its reason.

use axum::Json;
use axum::extract::{RawQuery, State};
use utoipa::IntoParams;
use yuesou_core::LocationInput;

use crate::extract::{Authed, centre};
use crate::features::recommend::{Recommendations, Signals, recommend};
use crate::i18n::{Localize, ReaderLang};
use crate::params::{Params, names_of};
use crate::problem::Problem;
use crate::routes::search::Position;
use crate::state::AppState;

/// Query parameters of recommendations.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecommendParams {
    /// Where the person is: a city or district name or code (wins over the
    /// position).
    #[param(max_length = 64, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")]
    pub city: Option<String>,
    /// The phone's WGS-84 position: `lat` and `lng` together.
    #[param(inline, style = Form, explode)]
    pub position: Option<Position>,
    /// Services, 1–20 (default 10).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<usize>,
}

struct Parsed {
    location: Option<LocationInput>,
    limit: usize,
}

fn parse(raw: Option<&str>) -> Result<Parsed, Problem> {
    let params = Params::parse(raw, &names_of::<RecommendParams>())?;
    let position = match (params.latitude("lat")?, params.longitude("lng")?) {
        (Some(lat), Some(lng)) => Some(Position { lat, lng }),
        (None, None) => None,
        (Some(_), None) => return Err(Problem::invalid_parameter("lng", "err-lat-needs-lng")),
        (None, Some(_)) => return Err(Problem::invalid_parameter("lat", "err-lng-needs-lat")),
    };
    let p = RecommendParams {
        city: params.text_max("city", 64)?.map(str::to_string),
        position,
        limit: Some(params.integer("limit", 10, 1, 20)?),
    };
    let limit = p.limit.unwrap_or(10);
    let city = p.city;
    let position = p
        .position
        .map(|Position { lat, lng }| LocationInput::Position { lat, lng });
    Ok(Parsed {
        location: city.map(LocationInput::Region).or(position),
        limit,
    })
}

/// Recommendations for `signals` with the hot searches and life-stage
/// rules of now.
fn ranked(
    state: &AppState,
    lang: ReaderLang,
    engine: &yuesou_core::Engine,
    signals: &Signals,
    limit: usize,
) -> Recommendations {
    let hot = state
        .activity()
        .map(|a| a.current_hot().entries.clone())
        .unwrap_or_default();
    recommend(engine, &state.life_stages.current(), signals, &hot, limit)
        .localized(&state.speaker(lang))
}

/// Recommended services for anyone: popular where they are and what people
/// search now, each with its reason.
#[utoipa::path(get, path = "/api/v1/recommendations", tag = "search", operation_id = "recommendations",
    params(RecommendParams),
    responses(
        (status = 200, description = "Services with reasons", body = Recommendations),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn anonymous(
    State(state): State<AppState>,
    lang: ReaderLang,
    RawQuery(raw): RawQuery,
) -> Result<Json<Recommendations>, Problem> {
    let parsed = parse(raw.as_deref())?;
    let generation = state.generation()?;
    let signals = Signals {
        location: parsed.location,
        ..Signals::default()
    };
    Ok(Json(ranked(
        &state,
        lang,
        &generation.engine,
        &signals,
        parsed.limit,
    )))
}

/// Recommended services for the person: licences to renew, applications to
/// resume or collect, their life stage, recent searches, where they are
/// and what people search now — each with its reason.
#[utoipa::path(get, path = "/api/v1/me/recommendations", tag = "me", operation_id = "my_recommendations",
    security(("session" = [])), params(RecommendParams),
    responses(
        (status = 200, description = "Services with reasons", body = Recommendations),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn personal(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(s): Authed,
    RawQuery(raw): RawQuery,
) -> Result<Json<Recommendations>, Problem> {
    let parsed = parse(raw.as_deref())?;
    let generation = state.generation()?;
    let centre = centre(&state)?;
    if let Some(activity) = state.activity() {
        activity.flush().await?;
    }
    let licences = match centre.wallet() {
        Ok(_) => centre.wallet_list(&s).await?,
        Err(_) => Vec::new(),
    };
    let (applications, _) = centre.applications(&s, None, 1, 50).await?;
    let facts = centre.person_facts(&s).await?;
    let recent = centre.recent_queries(&s, 5).await?;
    // Without a place from the app, the household city.
    let location = parsed.location.or_else(|| {
        facts.as_ref().and_then(|f| {
            let city = format!("{}00", f.household_region.get(..4)?);
            generation
                .engine
                .gazetteer()
                .division(&city)
                .map(|_| LocationInput::Region(city))
        })
    });
    let signals = Signals {
        licences,
        applications,
        facts,
        recent,
        location,
    };
    Ok(Json(ranked(
        &state,
        lang,
        &generation.engine,
        &signals,
        parsed.limit,
    )))
}
