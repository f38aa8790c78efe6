//! 预约 — booking a time at a service hall.
//!
//! - `GET /api/v1/items/{id}/slots` — public: days with slots and places
//!   left, at one hall or at the halls nearest the person;
//! - `POST /api/v1/me/appointments` (`Idempotency-Key`), `GET …`,
//!   `GET|DELETE …/{id}`, `POST …/{id}/reschedule` — the person's bookings;
//! - `/api/v1/operator/halls/{hall}/…` — the hall's side: the day's list,
//!   check-in by code, no-shows, closing and reopening slots (operator
//!   token).
//!
//! The rules live in `yuesou-booking` (docs/BOOKING.md); refusals become
//! problems in the reader's language ([`crate::features::booking::problem`]).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};
use yuesou_booking::{
    Appointment, Booking, CloseTarget, DayState, SlotDay, SlotState, Ticket, cst, split_item_id,
};

use crate::extract::{Authed, JsonBody, Operator, centre};
use crate::features::booking::{BookingDesk, clock_text, person_of, problem};
use crate::i18n::{ReaderLang, Speaker, Text};
use crate::params::{Params, checked_item_id, path_id};
use crate::problem::{Problem, ProblemKind};
use crate::state::AppState;

/// Halls listed at most when none is named.
pub const MAX_HALLS_LISTED: usize = 10;

/// One slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    /// Start (RFC 3339, +08:00).
    pub start: String,
    /// End.
    pub end: String,
    /// Places in all.
    pub capacity: u32,
    /// Places left.
    pub left: u32,
    /// `available`, `full` or `closed`.
    pub state: String,
}

/// One day at a hall.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `open`, `too_soon`, `not_yet_open`, `holiday`, `hall_closed` or
    /// `not_offered`.
    pub state: String,
    /// What the state means, in the reader's language.
    pub label: String,
    /// `not_yet_open`: when the day opens for booking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
    /// `holiday`: its name (国庆节).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holiday: Option<String>,
    /// Places left over the day's slots.
    pub left: u32,
    /// The day's slots that have not started (open days only).
    pub slots: Vec<SlotView>,
}

/// A hall's days.
#[derive(Debug, Serialize, ToSchema)]
pub struct HallSlots {
    /// The hall's id.
    pub hall_id: String,
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: String,
    /// Distance from the given position, in metres.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// The days asked for.
    pub days: Vec<DayView>,
}

/// Slots of a service.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsAnswer {
    /// The item.
    pub item_id: String,
    /// The service's name.
    pub service: String,
    /// Slot length in minutes.
    pub slot_minutes: u16,
    /// What to bring and know (from the service's data).
    pub notes: String,
    /// Halls, nearest first when a position is given.
    pub halls: Vec<HallSlots>,
}

/// Query parameters of the slot listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; `Params` parses them
pub struct SlotsParams {
    /// The hall (`hall-440106`); without it, the halls nearest `lat`/`lng`,
    /// or those of the item's region (empty counts as absent).
    #[param(max_length = 64, pattern = r"^[!-~]*$")]
    pub hall: Option<String>,
    /// First day (`YYYY-MM-DD`, default today).
    #[param(pattern = r"^(\d{4}-\d{2}-\d{2})?$")]
    pub from: Option<String>,
    /// Days (1–31, default 7).
    #[param(minimum = 1, maximum = 31)]
    pub days: Option<u32>,
    /// The person's latitude (GCJ-02).
    #[param(minimum = -90.0, maximum = 90.0)]
    pub lat: Option<f64>,
    /// The person's longitude.
    #[param(minimum = -180.0, maximum = 180.0)]
    pub lng: Option<f64>,
    /// Halls listed when none is named (1–10, default 3).
    #[param(minimum = 1, maximum = 10)]
    pub halls: Option<usize>,
}

/// A booking as its holder sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentView {
    /// Id (`bk_…`).
    pub id: String,
    /// The item booked.
    pub item_id: String,
    /// The item's title.
    pub title: String,
    /// The hall.
    pub hall_id: String,
    /// The hall's name.
    pub hall_name: String,
    /// The hall's address.
    pub hall_address: String,
    /// Start (RFC 3339, +08:00).
    pub start: String,
    /// End.
    pub end: String,
    /// `booked`, `cancelled`, `closed`, `checked_in` or `no_show`.
    pub status: String,
    /// The status in the reader's language.
    pub status_label: String,
    /// Check-in code (active bookings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_in_code: Option<String>,
    /// The check-in QR code (SVG), on a booking's own page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_in_qr_svg: Option<String>,
    /// The 办件 it serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_id: Option<String>,
    /// Cancel or move until then.
    pub change_deadline: String,
    /// Whether it can still be cancelled or moved.
    pub changeable: bool,
    /// The booking this one replaced (the hall closed its slot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<String>,
    /// The booking that replaced this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
    /// Why the hall closed the slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_reason: Option<String>,
    /// What to bring.
    pub notes: String,
    /// Booked at.
    pub created_at: String,
    /// Checked in at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_in_at: Option<String>,
}

/// The person's bookings.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentList {
    /// Active first (soonest first), then the others (latest first).
    pub items: Vec<AppointmentView>,
}

/// A booking request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppointment {
    /// The 预约 item (`hy-jhyy-440100`).
    #[schema(min_length = 1, max_length = 128, pattern = r"^[!-~]+$")]
    pub item_id: String,
    /// The hall.
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub hall_id: String,
    /// The slot's start (RFC 3339).
    #[schema(format = DateTime)]
    pub start: String,
    /// The 办件 whose in-person step this books.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub application_id: Option<String>,
}

/// A move to another slot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reschedule {
    /// The new slot's start (RFC 3339).
    #[serde(default)]
    #[schema(format = DateTime, required = true)]
    pub start: Option<String>,
}

/// A code the hall scanned or typed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// Eight characters (or the QR's `YUESOU-BK:` text).
    #[schema(min_length = 1, max_length = 40)]
    pub code: String,
}

/// Closing (or reopening) slots.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    /// One service family (`hy-jhyy`); every family without it.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 64, pattern = r"^[!-~]+$")]
    pub family: Option<String>,
    /// One slot (its start, RFC 3339) …
    #[serde(default)]
    #[schema(format = DateTime)]
    pub start: Option<String>,
    /// … or a whole day (`YYYY-MM-DD`).
    #[serde(default)]
    #[schema(pattern = r"^\d{4}-\d{2}-\d{2}$")]
    pub date: Option<String>,
    /// Why, in the hall's words (1–200 characters; closing only).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200)]
    pub reason: Option<String>,
}

/// What a closure did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureAnswer {
    /// Slots closed (or reopened).
    pub slots: u32,
    /// Bookings cancelled by it.
    pub displaced: usize,
    /// Of those, moved to another slot.
    pub moved: usize,
}

/// A booking on the hall's list (no codes, no personal data beyond the
/// booking).
#[derive(Debug, Serialize, ToSchema)]
pub struct HallAppointment {
    /// Id.
    pub id: String,
    /// Item.
    pub item_id: String,
    /// Start.
    pub start: String,
    /// Status.
    pub status: String,
    /// Checked in at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_in_at: Option<String>,
}

/// The hall's day.
#[derive(Debug, Serialize, ToSchema)]
pub struct HallDay {
    /// The bookings of the day, all statuses.
    pub items: Vec<HallAppointment>,
}

/// A no-show marked.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoShowAnswer {
    /// The booking.
    pub id: String,
    /// Whether it counts towards a suspension.
    pub counted: bool,
    /// The person's booking is suspended until then (inclusive).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspended_until: Option<String>,
}

fn desk(state: &AppState) -> Result<&BookingDesk, Problem> {
    state
        .booking
        .as_deref()
        .ok_or_else(|| Problem::new(ProblemKind::CentreDisabled, "err-centre-disabled"))
}

fn parse_time(field: &str, text: &str) -> Result<OffsetDateTime, Problem> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|_| Problem::invalid_parameter(field, "err-booking-time-format"))
}

fn parse_day(field: &str, text: &str) -> Result<time::Date, Problem> {
    cst::parse_date(text)
        .ok_or_else(|| Problem::invalid_parameter(field, "err-booking-date-format"))
}

fn ascii_id<'a>(field: &str, text: &'a str, max: usize) -> Result<&'a str, Problem> {
    if text.is_empty() || text.len() > max || !text.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::invalid_parameter(field, "err-booking-id-format"));
    }
    Ok(text)
}

/// Names of items and halls, from the engine of the moment.
struct Names<'a> {
    state: &'a AppState,
}

impl Names<'_> {
    fn item(&self, id: &str) -> String {
        self.state
            .generation()
            .ok()
            .and_then(|g| g.engine.item(id).map(|i| i.title.clone()))
            .unwrap_or_else(|| id.to_owned())
    }

    fn hall(&self, id: &str) -> (String, String) {
        self.state
            .generation()
            .ok()
            .and_then(|g| {
                g.engine
                    .halls()
                    .iter()
                    .find(|h| h.id == id)
                    .map(|h| (h.name.clone(), h.address.clone()))
            })
            .unwrap_or_else(|| (id.to_owned(), String::new()))
    }
}

fn view(
    state: &AppState,
    booking: &Booking,
    speaker: &Speaker,
    appointment: Appointment,
    qr: Option<String>,
) -> AppointmentView {
    let names = Names { state };
    let (hall_name, hall_address) = names.hall(&appointment.hall_id);
    let status = appointment.status.as_str().to_owned();
    let changeable = status == "booked" && booking.now() < appointment.change_deadline;
    AppointmentView {
        title: names.item(&appointment.item_id),
        status_label: speaker.say(&Text::new(format!(
            "booking-status-{}",
            status.replace('_', "-")
        ))),
        notes: booking
            .calendars()
            .service(&appointment.family)
            .map(|s| s.notes.clone())
            .unwrap_or_default(),
        id: appointment.id,
        item_id: appointment.item_id,
        hall_id: appointment.hall_id,
        hall_name,
        hall_address,
        start: cst::rfc3339(appointment.start),
        end: cst::rfc3339(appointment.end),
        status,
        check_in_code: appointment.check_in_code,
        check_in_qr_svg: qr,
        application_id: appointment.application_id,
        change_deadline: cst::rfc3339(appointment.change_deadline),
        changeable,
        moved_from: appointment.moved_from,
        moved_to: appointment.moved_to,
        close_reason: appointment.close_reason.map(|r| {
            if r.starts_with("booking-reason-") {
                speaker.say(&Text::new(r))
            } else {
                r
            }
        }),
        created_at: cst::rfc3339(appointment.created_at),
        checked_in_at: appointment.checked_in_at.map(cst::rfc3339),
    }
}

fn ticket_view(
    state: &AppState,
    booking: &Booking,
    speaker: &Speaker,
    ticket: Ticket,
) -> AppointmentView {
    view(
        state,
        booking,
        speaker,
        ticket.appointment,
        ticket.check_in_qr_svg,
    )
}

fn day_view(day: SlotDay, speaker: &Speaker) -> DayView {
    let (state, opens_at, holiday) = match &day.state {
        DayState::Open => ("open", None, None),
        DayState::TooSoon => ("too_soon", None, None),
        DayState::NotYetOpen { opens_at } => ("not_yet_open", Some(*opens_at), None),
        DayState::Holiday { name } => ("holiday", None, Some(name.clone())),
        DayState::HallClosed => ("hall_closed", None, None),
        DayState::NotOffered => ("not_offered", None, None),
    };
    let mut label = Text::new(format!("booking-day-{}", state.replace('_', "-")));
    if let Some(at) = opens_at {
        label = label.arg("opens_at", clock_text(at));
    }
    if let Some(name) = &holiday {
        label = label.arg("name", name.clone());
    }
    DayView {
        date: cst::date_text(day.date),
        state: state.to_owned(),
        label: speaker.say(&label),
        opens_at: opens_at.map(cst::rfc3339),
        holiday,
        left: day.slots.iter().map(|s| s.left).sum(),
        slots: day
            .slots
            .into_iter()
            .map(|s| SlotView {
                start: cst::rfc3339(s.start),
                end: cst::rfc3339(s.end),
                capacity: s.capacity,
                left: s.left,
                state: match s.state {
                    SlotState::Available => "available",
                    SlotState::Full => "full",
                    SlotState::Closed => "closed",
                }
                .to_owned(),
            })
            .collect(),
    }
}

/// Days with slots and places left for a 预约 item: at the named hall, or
/// at the halls that book it nearest the given position (without one,
/// the halls of the item's own region first).
#[utoipa::path(get, path = "/api/v1/items/{id}/slots", tag = "appointments", operation_id = "item_slots",
    params(("id" = String, Path, description = "The 预约 item", min_length = 1, max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$"), SlotsParams),
    responses(
        (status = 200, description = "Days and slots per hall", body = SlotsAnswer),
        (status = 400, description = "`invalid-parameter` or `invalid-request`: a date in the past, `days` out of range, a hall that does not book this item", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such item or hall", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn slots(
    State(state): State<AppState>,
    lang: ReaderLang,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SlotsAnswer>, Problem> {
    let params = Params::parse(
        raw.as_deref(),
        &["hall", "from", "days", "lat", "lng", "halls"],
    )?;
    checked_item_id(&id)?;
    let generation = state.generation()?;
    let item = generation
        .engine
        .item(&id)
        .ok_or_else(|| Problem::not_found("err-not-found-item"))?;
    let booking = desk(&state)?.booking();
    let (family, _) = split_item_id(&id).ok_or_else(|| problem(not_bookable(&id)))?;
    let service = booking
        .calendars()
        .service(family)
        .ok_or_else(|| problem(not_bookable(&id)))?
        .clone();
    let today = cst::date_of(booking.now());
    let from = match params.text("from") {
        Some(text) => parse_day("from", text)?,
        None => today,
    };
    let days = params.integer("days", 7, 1, 31)?;
    let days = u32::try_from(days).unwrap_or(7);
    let position = match (params.latitude("lat")?, params.longitude("lng")?) {
        (Some(lat), Some(lng)) => Some((lat, lng)),
        (None, None) => None,
        (None, Some(_)) => return Err(Problem::invalid_parameter("lat", "err-required")),
        (Some(_), None) => return Err(Problem::invalid_parameter("lng", "err-required")),
    };
    let listed = params.integer("halls", 3, 1, MAX_HALLS_LISTED)?;
    let engine_halls: BTreeMap<&str, &yuesou_core::ServiceHall> = generation
        .engine
        .halls()
        .iter()
        .map(|h| (h.id.as_str(), h))
        .collect();
    let hall_ids: Vec<String> = match params.text("hall") {
        Some(hall) => vec![ascii_id("hall", hall, 64)?.to_owned()],
        None => {
            let mut halls: Vec<(f64, String)> = booking
                .calendars()
                .halls_booking(family)
                .into_iter()
                .filter(|(h, _)| h.serves_region(&item.region_code))
                .map(|(h, _)| {
                    let rank = match (position, engine_halls.get(h.id.as_str())) {
                        (Some((lat, lng)), Some(e)) => {
                            yuesou_core::geo::distance_m(lat, lng, e.lat, e.lng)
                        }
                        // The item's own division first, then its city's.
                        _ if h.region_code == item.region_code => 0.0,
                        _ if h.region_code.get(..4) == item.region_code.get(..4) => 1.0,
                        _ => 2.0,
                    };
                    (rank, h.id.clone())
                })
                .collect();
            halls.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
            halls.into_iter().take(listed).map(|(_, id)| id).collect()
        }
    };
    let speaker = state.speaker(lang);
    let mut out = Vec::new();
    for hall_id in hall_ids {
        let days = booking
            .slots(&id, &hall_id, from, days)
            .await
            .map_err(problem)?;
        let engine_hall = engine_halls.get(hall_id.as_str());
        out.push(HallSlots {
            name: engine_hall.map(|h| h.name.clone()).unwrap_or_default(),
            address: engine_hall.map(|h| h.address.clone()).unwrap_or_default(),
            distance_m: match (position, engine_hall) {
                (Some((lat, lng)), Some(h)) => {
                    Some(yuesou_core::geo::distance_m(lat, lng, h.lat, h.lng).round())
                }
                _ => None,
            },
            hall_id,
            days: days.into_iter().map(|d| day_view(d, &speaker)).collect(),
        });
    }
    Ok(Json(SlotsAnswer {
        item_id: id.clone(),
        service: service.title,
        slot_minutes: service.slot_minutes,
        notes: service.notes,
        halls: out,
    }))
}

fn not_bookable(id: &str) -> yuesou_booking::BookingError {
    yuesou_booking::BookingError::NotBookable {
        item_id: id.to_owned(),
    }
}

/// The client's `Idempotency-Key`, checked.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, Problem> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 128 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::invalid_parameter(
            "Idempotency-Key",
            "err-idempotency-key",
        ));
    }
    Ok(Some(key.to_owned()))
}

/// Books a slot (real-name login, L2). The same `Idempotency-Key` with the
/// same request answers the booking it made (a double tap books once).
#[utoipa::path(post, path = "/api/v1/me/appointments", tag = "appointments", operation_id = "book",
    security(("session" = [])), request_body = NewAppointment,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–128 visible ASCII characters: the same key books once",
        min_length = 1, max_length = 128, pattern = r"^[!-~]+$")),
    responses(
        (status = 201, description = "Booked: the check-in code and its QR", body = AppointmentView),
        (status = 400, description = "`invalid-request` / `invalid-parameter`: a date in the past, too soon, beyond the window, a holiday, a closed day, not a slot's start, a hall that does not book the item", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required` (real-name, L2) or `booking-suspended` (until the day stated)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such item or hall", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot-full`, `slot-closed`, `already-booked`, or `conflict` (the key was used for another request)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`unavailable`: too many bookings at once; retry (`Retry-After`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn book(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewAppointment>,
) -> Result<(StatusCode, Json<AppointmentView>), Problem> {
    let key = idempotency_key(&headers)?;
    let item_id = ascii_id("item_id", &body.item_id, 128)?;
    let hall_id = ascii_id("hall_id", &body.hall_id, 64)?;
    let start = parse_time("start", &body.start)?;
    if let Some(application) = &body.application_id {
        ascii_id("application_id", application, 64)?;
        // Only one's own 办件 (another person's id is not found).
        centre(&state)?.application(&subject, application).await?;
    }
    if state.generation()?.engine.item(item_id).is_none() {
        return Err(Problem::not_found("err-not-found-item"));
    }
    let desk = desk(&state)?;
    let booking = desk.booking();
    let who = person_of(&subject);
    let ticket = desk
        .limited(booking.book(
            &who,
            item_id,
            hall_id,
            start,
            key.as_deref(),
            body.application_id.as_deref(),
        ))
        .await?;
    note_on_timeline(&state, &subject, &ticket.appointment, Change::Booked).await?;
    let speaker = state.speaker(lang);
    Ok((
        StatusCode::CREATED,
        Json(ticket_view(&state, &booking, &speaker, ticket)),
    ))
}

/// The person's bookings (an organisation's, for its 经办人): active ones
/// first with their check-in codes.
#[utoipa::path(get, path = "/api/v1/me/appointments", tag = "appointments", operation_id = "list_appointments",
    security(("session" = [])),
    responses(
        (status = 200, description = "The bookings", body = AppointmentList),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
) -> Result<Json<AppointmentList>, Problem> {
    let booking = desk(&state)?.booking();
    let items = booking.list(&person_of(&subject)).await.map_err(problem)?;
    let speaker = state.speaker(lang);
    Ok(Json(AppointmentList {
        items: items
            .into_iter()
            .map(|a| view(&state, &booking, &speaker, a, None))
            .collect(),
    }))
}

/// One booking with its check-in QR code.
#[utoipa::path(get, path = "/api/v1/me/appointments/{id}", tag = "appointments", operation_id = "get_appointment",
    security(("session" = [])),
    params(("id" = String, Path, description = "The booking", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "The booking", body = AppointmentView),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such booking of the caller's", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn get(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    Path(id): Path<String>,
) -> Result<Json<AppointmentView>, Problem> {
    let id = path_id(&id)?;
    let booking = desk(&state)?.booking();
    let ticket = booking
        .get(&person_of(&subject), id)
        .await
        .map_err(problem)?;
    let speaker = state.speaker(lang);
    Ok(Json(ticket_view(&state, &booking, &speaker, ticket)))
}

/// Cancels a booking (until an hour before; its place is free at once).
#[utoipa::path(delete, path = "/api/v1/me/appointments/{id}", tag = "appointments", operation_id = "cancel_appointment",
    security(("session" = [])),
    params(("id" = String, Path, description = "The booking", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Cancelled (cancelling again answers the same)", body = AppointmentView),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`too-late-to-change` or `conflict` (checked in, no-show, closed)", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn cancel(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    Path(id): Path<String>,
) -> Result<Json<AppointmentView>, Problem> {
    let id = path_id(&id)?;
    let booking = desk(&state)?.booking();
    let appointment = booking
        .cancel(&person_of(&subject), id)
        .await
        .map_err(problem)?;
    note_on_timeline(&state, &subject, &appointment, Change::Cancelled).await?;
    let speaker = state.speaker(lang);
    Ok(Json(view(&state, &booking, &speaker, appointment, None)))
}

/// What happened to a booking made for a 办件, for its timeline.
enum Change {
    Booked,
    Cancelled,
    /// Moved from the slot that started then.
    Moved(OffsetDateTime),
}

/// Puts a change of a booking made for an application (办件) on that
/// application's timeline — once, whatever the retries: the event is keyed
/// by the booking and the change. An application that is gone by now (a
/// withdrawn draft) gets nothing; the booking's change stands.
async fn note_on_timeline(
    state: &AppState,
    subject: &yuesou_centre::Subject,
    appointment: &Appointment,
    change: Change,
) -> Result<(), Problem> {
    let Some(application) = &appointment.application_id else {
        return Ok(());
    };
    let generation = state.generation()?;
    let item = generation
        .engine
        .item(&appointment.item_id)
        .map_or_else(|| appointment.item_id.clone(), |i| i.title.clone());
    let hall = generation
        .engine
        .halls()
        .iter()
        .find(|h| h.id == appointment.hall_id)
        .map_or_else(|| appointment.hall_id.clone(), |h| h.name.clone());
    let (message, suffix) = match change {
        Change::Booked => ("event-appointment-booked", "booked"),
        Change::Cancelled => ("event-appointment-cancelled", "cancelled"),
        Change::Moved(_) => ("event-appointment-moved", "moved"),
    };
    let mut note = Text::new(message)
        .arg("item", item)
        .arg("hall", hall)
        .arg("start", clock_text(appointment.start));
    if let Change::Moved(from) = change {
        note = note.arg("from", clock_text(from));
    }
    let key = format!("{}_{suffix}", appointment.id);
    match centre(state)?
        .note_on_application(subject, application, &key, note)
        .await
    {
        Err(yuesou_centre::CentreError::NotFound(_)) => {
            tracing::debug!("a booking's application is gone: no timeline event");
            Ok(())
        }
        other => Ok(other?),
    }
}

/// Moves a booking to another slot of the same service and hall (until an
/// hour before; a new check-in code).
#[utoipa::path(post, path = "/api/v1/me/appointments/{id}/reschedule", tag = "appointments", operation_id = "reschedule_appointment",
    security(("session" = [])), request_body = Reschedule,
    params(("id" = String, Path, description = "The booking", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Moved: the new code and QR", body = AppointmentView),
        (status = 400, description = "`invalid-request` / `invalid-parameter`: the new time is not bookable", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthenticated`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`step-up-required` or `booking-suspended`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`slot-full`, `slot-closed`, `too-late-to-change` or `conflict`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn reschedule(
    State(state): State<AppState>,
    lang: ReaderLang,
    Authed(subject): Authed,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Reschedule>,
) -> Result<Json<AppointmentView>, Problem> {
    let id = path_id(&id)?;
    let desk = desk(&state)?;
    let booking = desk.booking();
    let who = person_of(&subject);
    // Another person's booking is not found, whatever the body says.
    let before = booking.get(&who, id).await.map_err(problem)?;
    let start = body
        .start
        .as_deref()
        .ok_or_else(|| Problem::invalid_parameter("start", "err-required"))?;
    let start = parse_time("start", start)?;
    let ticket = desk.limited(booking.reschedule(&who, id, start)).await?;
    note_on_timeline(
        &state,
        &subject,
        &ticket.appointment,
        Change::Moved(before.appointment.start),
    )
    .await?;
    let speaker = state.speaker(lang);
    Ok(Json(ticket_view(&state, &booking, &speaker, ticket)))
}

/// Query parameters of the hall's day.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the parameters; `Params` parses them
pub struct DayParams {
    /// The day (`YYYY-MM-DD`, default today).
    #[param(pattern = r"^(\d{4}-\d{2}-\d{2})?$")]
    pub date: Option<String>,
}

/// The hall's bookings of a day (operator token).
#[utoipa::path(get, path = "/api/v1/operator/halls/{hall}/appointments", tag = "operator", operation_id = "hall_day",
    security(("operator_token" = [])),
    params(("hall" = String, Path, description = "The hall", min_length = 1, max_length = 64), DayParams),
    responses(
        (status = 200, description = "The day's bookings", body = HallDay),
        (status = 400, description = "`invalid-parameter`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such hall", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn hall_day(
    State(state): State<AppState>,
    _operator: Operator,
    Path(hall): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<HallDay>, Problem> {
    let params = Params::parse(raw.as_deref(), &["date"])?;
    let hall = path_id(&hall)?;
    let booking = desk(&state)?.booking();
    let date = match params.text("date") {
        Some(text) => parse_day("date", text)?,
        None => cst::date_of(booking.now()),
    };
    let items = booking.day_list(hall, date).await.map_err(problem)?;
    Ok(Json(HallDay {
        items: items
            .into_iter()
            .map(|a| HallAppointment {
                id: a.id,
                item_id: a.item_id,
                start: cst::rfc3339(a.start),
                status: a.status.as_str().to_owned(),
                checked_in_at: a.checked_in_at.map(cst::rfc3339),
            })
            .collect(),
    }))
}

/// Checks a person in by the code they show (operator token).
#[utoipa::path(post, path = "/api/v1/operator/halls/{hall}/check-in", tag = "operator", operation_id = "hall_check_in",
    security(("operator_token" = [])), request_body = CheckIn,
    params(("hall" = String, Path, description = "The hall", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Checked in", body = HallAppointment),
        (status = 400, description = "`invalid-request`: not a check-in code", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no booking of today here has this code", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: checked in already, or marked a no-show", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn check_in(
    State(state): State<AppState>,
    _operator: Operator,
    Path(hall): Path<String>,
    JsonBody(body): JsonBody<CheckIn>,
) -> Result<Json<HallAppointment>, Problem> {
    let hall = path_id(&hall)?;
    let booking = desk(&state)?.booking();
    let a = booking.check_in(hall, &body.code).await.map_err(problem)?;
    Ok(Json(HallAppointment {
        id: a.id,
        item_id: a.item_id,
        start: cst::rfc3339(a.start),
        status: a.status.as_str().to_owned(),
        checked_in_at: a.checked_in_at.map(cst::rfc3339),
    }))
}

/// Marks a booking a no-show once its slot has started (operator token);
/// the third in 90 days suspends the person's booking for 30 days.
#[utoipa::path(post, path = "/api/v1/operator/halls/{hall}/appointments/{id}/no-show", tag = "operator", operation_id = "hall_no_show",
    security(("operator_token" = [])),
    params(("hall" = String, Path, description = "The hall", min_length = 1, max_length = 64),
        ("id" = String, Path, description = "The booking", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Marked", body = NoShowAnswer),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: not started yet, or not active", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn no_show(
    State(state): State<AppState>,
    _operator: Operator,
    Path((hall, id)): Path<(String, String)>,
) -> Result<Json<NoShowAnswer>, Problem> {
    let hall = path_id(&hall)?;
    let id = path_id(&id)?;
    let booking = desk(&state)?.booking();
    let marked = booking.mark_no_show(hall, id).await.map_err(problem)?;
    Ok(Json(NoShowAnswer {
        id: marked.appointment.id,
        counted: marked.counted,
        suspended_until: marked.suspended_until.map(cst::date_text),
    }))
}

fn target(body: &Closure) -> Result<CloseTarget, Problem> {
    match (&body.start, &body.date) {
        (Some(start), None) => Ok(CloseTarget::Slot(parse_time("start", start)?)),
        (None, Some(date)) => Ok(CloseTarget::Day(parse_day("date", date)?)),
        _ => Err(Problem::invalid_request("err-booking-closure-target")),
    }
}

/// Closes a slot or a day (operator token): every booking in it is
/// cancelled, its holder moved first to the nearest free slot and told.
#[utoipa::path(post, path = "/api/v1/operator/halls/{hall}/closures", tag = "operator", operation_id = "hall_close",
    security(("operator_token" = [])), request_body = Closure,
    params(("hall" = String, Path, description = "The hall", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Closed", body = ClosureAnswer),
        (status = 400, description = "`invalid-request`: neither or both of `start` and `date`, no reason, a past date", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such hall", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn close(
    State(state): State<AppState>,
    _operator: Operator,
    Path(hall): Path<String>,
    JsonBody(body): JsonBody<Closure>,
) -> Result<Json<ClosureAnswer>, Problem> {
    let hall = path_id(&hall)?;
    let target = target(&body)?;
    let reason = body
        .reason
        .as_deref()
        .ok_or_else(|| Problem::invalid_parameter("reason", "err-required"))?;
    let booking = desk(&state)?.booking();
    let report = booking
        .close(hall, body.family.as_deref(), target, reason)
        .await
        .map_err(problem)?;
    Ok(Json(ClosureAnswer {
        slots: report.slots_closed,
        moved: report
            .displaced
            .iter()
            .filter(|d| d.moved_to.is_some())
            .count(),
        displaced: report.displaced.len(),
    }))
}

/// Opens closed slots again (operator token); cancelled bookings stay
/// cancelled.
#[utoipa::path(post, path = "/api/v1/operator/halls/{hall}/closures/reopen", tag = "operator", operation_id = "hall_reopen",
    security(("operator_token" = [])), request_body = Closure,
    params(("hall" = String, Path, description = "The hall", min_length = 1, max_length = 64)),
    responses(
        (status = 200, description = "Reopened", body = ClosureAnswer),
        (status = 400, description = "`invalid-request`", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`unauthorized`", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`operator-disabled`", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`not-found`: no such hall", body = Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn reopen(
    State(state): State<AppState>,
    _operator: Operator,
    Path(hall): Path<String>,
    JsonBody(body): JsonBody<Closure>,
) -> Result<Json<ClosureAnswer>, Problem> {
    let hall = path_id(&hall)?;
    let target = target(&body)?;
    let booking = desk(&state)?.booking();
    let slots = booking
        .reopen(hall, body.family.as_deref(), target)
        .await
        .map_err(problem)?;
    Ok(Json(ClosureAnswer {
        slots,
        displaced: 0,
        moved: 0,
    }))
}
