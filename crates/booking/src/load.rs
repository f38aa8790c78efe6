//! Reading the calendar files strictly: `halls.jsonl` (only `id`,
//! `region_code`, `hours` and `bookings` of each line), `booking/services.json`
//! and `calendar/holidays.json`. Every error names its file and line.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use time::Weekday;

use crate::calendar::{
    Calendars, Hall, Holidays, Interval, PersonRules, Service, ServiceKind, WEEKDAYS,
};
use crate::cst;

/// The files, under the data directory.
pub const HALLS_FILE: &str = "halls.jsonl";
/// Bookable services and their rules.
pub const SERVICES_FILE: &str = "booking/services.json";
/// Public holidays and 调休 working days.
pub const HOLIDAYS_FILE: &str = "calendar/holidays.json";

/// A calendar file could not be read or is wrong.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file cannot be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is malformed or inconsistent at `line`.
    #[error("{file}:{line}: {reason}")]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The line (1-based) of the offending entry.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

fn invalid(file: &Path, line: usize, reason: impl Into<String>) -> LoadError {
    LoadError::Invalid {
        file: file.to_path_buf(),
        line,
        reason: reason.into(),
    }
}

/// The first line of `text` containing `needle` (1-based), or 1.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(1, |i| i + 1)
}

impl Calendars {
    /// Loads `halls.jsonl` (`id`, `region_code`, `hours`, `bookings` of
    /// each line), `booking/services.json` and `calendar/holidays.json`
    /// from `data_dir`. Strict: a malformed or inconsistent entry fails,
    /// naming its file and line.
    pub fn load(data_dir: &Path) -> Result<Calendars, LoadError> {
        load(data_dir)
    }

    /// The same from the three files' texts (`names` for messages: halls,
    /// services, holidays).
    pub fn from_texts(
        halls_jsonl: &str,
        services_json: &str,
        holidays_json: &str,
        names: [&Path; 3],
    ) -> Result<Calendars, LoadError> {
        from_texts(halls_jsonl, services_json, holidays_json, names)
    }
}

pub(crate) fn load(dir: &Path) -> Result<Calendars, LoadError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .map(|text| (text, path.clone()))
            .map_err(|source| LoadError::Io { file: path, source })
    };
    let (halls, halls_path) = read(HALLS_FILE)?;
    let (services, services_path) = read(SERVICES_FILE)?;
    let (holidays, holidays_path) = read(HOLIDAYS_FILE)?;
    from_texts(
        &halls,
        &services,
        &holidays,
        [&halls_path, &services_path, &holidays_path],
    )
}

pub(crate) fn from_texts(
    halls: &str,
    services: &str,
    holidays: &str,
    [halls_path, services_path, holidays_path]: [&Path; 3],
) -> Result<Calendars, LoadError> {
    let (services, rules) = parse_services(services, services_path)?;
    let holidays = parse_holidays(holidays, holidays_path)?;
    let halls = parse_halls(halls, halls_path, &services, &rules)?;
    Ok(Calendars {
        halls,
        services,
        rules,
        holidays,
    })
}

// ---- services.json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    format: u32,
    defaults: Defaults,
    services: Vec<ServiceEntry>,
    #[serde(default)]
    excluded: Vec<Excluded>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Defaults {
    // Every service writes out its own numbers; these four are read only
    // by the authoring scripts.
    #[allow(dead_code)]
    slot_minutes: u16,
    capacity: u32,
    #[allow(dead_code)]
    window_days: u16,
    #[allow(dead_code)]
    lead_days: u16,
    opens_at: String,
    cancel_before_minutes: u32,
    no_show_limit: u32,
    no_show_days: u32,
    suspend_days: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceEntry {
    family: String,
    title: String,
    kind: ServiceKind,
    at_hall: bool,
    slot_minutes: u16,
    window_days: u16,
    lead_days: u16,
    opens_at: String,
    /// Optional: the default applies when absent.
    #[serde(default)]
    cancel_before_minutes: Option<u32>,
    #[serde(default)]
    notes: String,
}

impl<'de> Deserialize<'de> for ServiceKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "appointment" => Ok(ServiceKind::Appointment),
            "in_person_step" => Ok(ServiceKind::InPersonStep),
            other => Err(serde::de::Error::custom(format!(
                "kind `{other}`: expected appointment or in_person_step"
            ))),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Excluded {
    family: String,
    #[allow(dead_code)]
    reason: String,
}

fn json_error(file: &Path, e: &serde_json::Error) -> LoadError {
    invalid(file, e.line().max(1), e.to_string())
}

fn is_family(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 40
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

fn parse_services(
    text: &str,
    file: &Path,
) -> Result<(BTreeMap<String, Service>, PersonRules), LoadError> {
    let parsed: ServicesFile = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    if parsed.format != 1 {
        return Err(invalid(
            file,
            line_of(text, "\"format\""),
            format!("format {} (this build reads format 1)", parsed.format),
        ));
    }
    let d = &parsed.defaults;
    let defaults_line = line_of(text, "\"defaults\"");
    if d.capacity == 0 || d.no_show_limit == 0 || d.no_show_days == 0 || d.suspend_days == 0 {
        return Err(invalid(
            file,
            defaults_line,
            "defaults: capacity and the no-show numbers must be at least 1",
        ));
    }
    cst::parse_minute(&d.opens_at, false)
        .ok_or_else(|| invalid(file, defaults_line, "defaults: opens_at must be HH:MM"))?;
    let rules = PersonRules {
        no_show_limit: d.no_show_limit,
        no_show_days: d.no_show_days,
        suspend_days: d.suspend_days,
        capacity: d.capacity,
    };
    let mut services = BTreeMap::new();
    for entry in parsed.services {
        let line = line_of(text, &format!("\"family\": \"{}\"", entry.family));
        let fail = |reason: String| invalid(file, line, format!("{}: {reason}", entry.family));
        if !is_family(&entry.family) {
            return Err(fail(
                "not a family (lower-case letters, digits, hyphens)".into(),
            ));
        }
        if entry.title.trim().is_empty() {
            return Err(fail("empty title".into()));
        }
        if !(5..=480).contains(&entry.slot_minutes) {
            return Err(fail(format!(
                "slot_minutes {} (5 to 480)",
                entry.slot_minutes
            )));
        }
        if !(1..=90).contains(&entry.window_days) {
            return Err(fail(format!("window_days {} (1 to 90)", entry.window_days)));
        }
        if entry.lead_days >= entry.window_days {
            return Err(fail(format!(
                "lead_days {} must be less than window_days {}",
                entry.lead_days, entry.window_days
            )));
        }
        let opens_at = cst::parse_minute(&entry.opens_at, false)
            .ok_or_else(|| fail(format!("opens_at `{}` is not HH:MM", entry.opens_at)))?;
        let cancel = entry
            .cancel_before_minutes
            .unwrap_or(d.cancel_before_minutes);
        if cancel > 7 * 24 * 60 {
            return Err(fail(format!(
                "cancel_before_minutes {cancel} (at most a week)"
            )));
        }
        let service = Service {
            family: entry.family.clone(),
            title: entry.title,
            kind: entry.kind,
            at_hall: entry.at_hall,
            slot_minutes: entry.slot_minutes,
            window_days: entry.window_days,
            lead_days: entry.lead_days,
            opens_at,
            cancel_before_minutes: cancel,
            notes: entry.notes,
        };
        if services.insert(entry.family.clone(), service).is_some() {
            return Err(fail("listed twice".into()));
        }
    }
    for excluded in &parsed.excluded {
        if services.contains_key(&excluded.family) {
            let line = line_of(text, &format!("\"family\": \"{}\"", excluded.family));
            return Err(invalid(
                file,
                line,
                format!("{}: both bookable and excluded", excluded.family),
            ));
        }
    }
    Ok((services, rules))
}

// ---- holidays.json ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidaysFile {
    format: u32,
    years: BTreeMap<String, Year>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Year {
    #[allow(dead_code)]
    source: String,
    status: String,
    holidays: Vec<Period>,
    workdays: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Period {
    name: String,
    dates: Vec<String>,
}

fn parse_holidays(text: &str, file: &Path) -> Result<Holidays, LoadError> {
    let parsed: HolidaysFile = serde_json::from_str(text).map_err(|e| json_error(file, &e))?;
    if parsed.format != 1 {
        return Err(invalid(
            file,
            line_of(text, "\"format\""),
            format!("format {} (this build reads format 1)", parsed.format),
        ));
    }
    let mut out = Holidays::default();
    for (year_text, year) in &parsed.years {
        let year_line = line_of(text, &format!("\"{year_text}\":"));
        let y: i32 = year_text
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or_else(|| invalid(file, year_line, format!("year `{year_text}`")))?;
        if !matches!(year.status.as_str(), "published" | "statutory-only") {
            return Err(invalid(
                file,
                year_line,
                format!(
                    "{y}: status `{}` (published or statutory-only)",
                    year.status
                ),
            ));
        }
        if year.status == "statutory-only" && !year.workdays.is_empty() {
            return Err(invalid(
                file,
                year_line,
                format!("{y}: a statutory-only year has no working days"),
            ));
        }
        out.years.insert(y);
        let date_in_year = |t: &str| -> Result<time::Date, LoadError> {
            let line = line_of(text, &format!("\"{t}\""));
            let date = cst::parse_date(t)
                .ok_or_else(|| invalid(file, line, format!("`{t}` is not a date YYYY-MM-DD")))?;
            // The 元旦 period and its make-up day may fall in the previous
            // December.
            if date.year() != y && !(date.year() == y - 1 && u8::from(date.month()) == 12) {
                return Err(invalid(file, line, format!("{t} is not in {y}")));
            }
            Ok(date)
        };
        for period in &year.holidays {
            if period.name.trim().is_empty() || period.dates.is_empty() {
                return Err(invalid(
                    file,
                    year_line,
                    format!("{y}: a holiday period needs a name and dates"),
                ));
            }
            for t in &period.dates {
                let date = date_in_year(t)?;
                if out.holidays.insert(date, period.name.clone()).is_some() {
                    return Err(invalid(
                        file,
                        line_of(text, &format!("\"{t}\"")),
                        format!("{t} is listed twice"),
                    ));
                }
            }
        }
        for t in &year.workdays {
            let date = date_in_year(t)?;
            let line = line_of(text, &format!("\"{t}\""));
            if !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday) {
                return Err(invalid(
                    file,
                    line,
                    format!("working day {t} is not a Saturday or Sunday"),
                ));
            }
            if !out.workdays.insert(date) {
                return Err(invalid(file, line, format!("{t} is listed twice")));
            }
        }
    }
    if let Some(both) = out.workdays.iter().find(|d| out.holidays.contains_key(d)) {
        let t = cst::date_text(*both);
        return Err(invalid(
            file,
            line_of(text, &format!("\"{t}\"")),
            format!("{t} is both a holiday and a working day"),
        ));
    }
    Ok(out)
}

// ---- halls.jsonl ----

#[derive(Deserialize)]
struct HallLine {
    id: String,
    region_code: String,
    hours: Option<BTreeMap<String, Vec<Vec<String>>>>,
    bookings: Option<BTreeMap<String, Option<u32>>>,
}

fn parse_week(hours: &BTreeMap<String, Vec<Vec<String>>>) -> Result<[Vec<Interval>; 7], String> {
    if let Some(unknown) = hours.keys().find(|k| !WEEKDAYS.contains(&k.as_str())) {
        return Err(format!("hours: unknown day `{unknown}`"));
    }
    let mut week: [Vec<Interval>; 7] = Default::default();
    for (i, day) in WEEKDAYS.iter().enumerate() {
        let intervals = hours
            .get(*day)
            .ok_or_else(|| format!("hours: `{day}` is missing"))?;
        let mut last_end = 0u16;
        for pair in intervals {
            let [from, to] = pair.as_slice() else {
                return Err(format!("hours.{day}: an interval is two times"));
            };
            let from = cst::parse_minute(from, false)
                .ok_or_else(|| format!("hours.{day}: `{from}` is not HH:MM"))?;
            let to = cst::parse_minute(to, true)
                .ok_or_else(|| format!("hours.{day}: `{to}` is not HH:MM"))?;
            if from >= to {
                return Err(format!("hours.{day}: an interval ends before it starts"));
            }
            if from < last_end {
                return Err(format!(
                    "hours.{day}: intervals overlap or are not in order"
                ));
            }
            last_end = to;
            week[i].push((from, to));
        }
    }
    Ok(week)
}

fn parse_halls(
    text: &str,
    file: &Path,
    services: &BTreeMap<String, Service>,
    rules: &PersonRules,
) -> Result<HashMap<String, Hall>, LoadError> {
    let mut halls = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let parsed: HallLine =
            serde_json::from_str(raw).map_err(|e| invalid(file, line, e.to_string()))?;
        let fail = |reason: String| invalid(file, line, format!("{}: {reason}", parsed.id));
        if parsed.id.is_empty() || parsed.id.len() > 64 {
            return Err(invalid(file, line, "a hall id is 1 to 64 characters"));
        }
        if parsed.region_code.len() != 6 || !parsed.region_code.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(fail(format!("region_code `{}`", parsed.region_code)));
        }
        let hours = parsed
            .hours
            .as_ref()
            .ok_or_else(|| fail("no `hours` (run scripts/author_hall_calendars.py)".into()))?;
        let week = parse_week(hours).map_err(fail)?;
        let listed = parsed
            .bookings
            .as_ref()
            .ok_or_else(|| fail("no `bookings` (run scripts/author_hall_calendars.py)".into()))?;
        let mut bookings = BTreeMap::new();
        for (family, capacity) in listed {
            let service = services
                .get(family)
                .ok_or_else(|| fail(format!("bookings: `{family}` is not in {SERVICES_FILE}")))?;
            if !service.at_hall {
                return Err(fail(format!(
                    "bookings: `{family}` is not booked at halls (at_hall false)"
                )));
            }
            let capacity = capacity.unwrap_or(rules.capacity);
            if !(1..=10_000).contains(&capacity) {
                return Err(fail(format!(
                    "bookings: `{family}` has {capacity} places per slot (1 to 10000)"
                )));
            }
            let fits = week
                .iter()
                .any(|day| !Calendars::slot_minutes_in(service, day).is_empty());
            if !fits {
                return Err(fail(format!(
                    "bookings: no {}-minute slot of `{family}` fits in the hall's week",
                    service.slot_minutes
                )));
            }
            bookings.insert(family.clone(), capacity);
        }
        if !bookings.is_empty() {
            // 调休 working days open with the Monday–Friday hours: they
            // must be one set of hours, and open.
            if week[0].is_empty() || week[1..5].iter().any(|d| *d != week[0]) {
                return Err(fail(
                    "a hall that books must have the same, non-empty hours Monday to Friday".into(),
                ));
            }
        }
        let hall = Hall {
            id: parsed.id.clone(),
            region_code: parsed.region_code.clone(),
            week,
            bookings,
        };
        if halls.insert(parsed.id.clone(), hall).is_some() {
            return Err(fail("listed twice".into()));
        }
    }
    if halls.is_empty() {
        return Err(invalid(file, 1, "no halls"));
    }
    Ok(halls)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICES: &str = r#"{"format": 1,
 "defaults": {"slot_minutes": 30, "capacity": 4, "window_days": 7, "lead_days": 0, "opens_at": "08:00", "cancel_before_minutes": 60, "no_show_limit": 3, "no_show_days": 90, "suspend_days": 30},
 "services": [
  {"family": "hy-jhyy", "title": "结婚登记预约", "kind": "appointment", "at_hall": true, "slot_minutes": 30, "window_days": 15, "lead_days": 1, "opens_at": "08:30", "notes": ""}
 ]}"#;
    const HOLIDAYS: &str = r#"{"format": 1, "years": {"2026": {"source": "s", "status": "published",
 "holidays": [{"name": "国庆节", "dates": ["2026-10-01"]}],
 "workdays": ["2026-10-10"]}}}"#;
    const HALL: &str = r#"{"id":"hall-1","region_code":"440100","hours":{"mon":[["09:00","12:00"]],"tue":[["09:00","12:00"]],"wed":[["09:00","12:00"]],"thu":[["09:00","12:00"]],"fri":[["09:00","12:00"]],"sat":[],"sun":[]},"bookings":{"hy-jhyy":3}}"#;

    fn load(halls: &str, services: &str, holidays: &str) -> Result<Calendars, String> {
        from_texts(
            halls,
            services,
            holidays,
            [
                Path::new("halls.jsonl"),
                Path::new("services.json"),
                Path::new("holidays.json"),
            ],
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn a_small_set_loads() {
        let c = load(HALL, SERVICES, HOLIDAYS).unwrap();
        assert_eq!(c.capacity("hall-1", "hy-jhyy"), Some(3));
        assert_eq!(c.totals(), (1, 3));
    }

    #[test]
    fn broken_entries_name_their_file_and_line() {
        let two = format!(
            "{HALL}\n{}",
            HALL.replace("\"hall-1\"", "\"hall-2\"")
                .replace("\"09:00\",\"12:00\"]],\"wed", "\"12:00\",\"09:00\"]],\"wed")
        );
        let e = load(&two, SERVICES, HOLIDAYS).unwrap_err();
        assert!(e.starts_with("halls.jsonl:2: hall-2: hours.tue"), "{e}");

        let unknown = HALL.replace("\"hy-jhyy\":3", "\"hy-xxxx\":3");
        let e = load(&unknown, SERVICES, HOLIDAYS).unwrap_err();
        assert!(e.contains("halls.jsonl:1:") && e.contains("hy-xxxx"), "{e}");

        let zero = HALL.replace("\"hy-jhyy\":3", "\"hy-jhyy\":0");
        assert!(
            load(&zero, SERVICES, HOLIDAYS)
                .unwrap_err()
                .contains("places per slot")
        );

        let no_hours = r#"{"id":"hall-1","region_code":"440100","bookings":{}}"#;
        assert!(
            load(no_hours, SERVICES, HOLIDAYS)
                .unwrap_err()
                .contains("no `hours`")
        );

        let short = HALL.replace(
            "[[\"09:00\",\"12:00\"]],\"tue\"",
            "[[\"09:00\",\"09:20\"]],\"tue\"",
        );
        assert!(
            load(&short, SERVICES, HOLIDAYS)
                .unwrap_err()
                .contains("Monday to Friday")
        );

        let lead = SERVICES.replace("\"lead_days\": 1", "\"lead_days\": 15");
        let e = load(HALL, &lead, HOLIDAYS).unwrap_err();
        assert!(e.starts_with("services.json:4: hy-jhyy: lead_days"), "{e}");

        let extra = SERVICES.replace("\"notes\": \"\"", "\"notes\": \"\", \"colour\": 1");
        assert!(load(HALL, &extra, HOLIDAYS).unwrap_err().contains("colour"));

        let weekday = HOLIDAYS.replace("2026-10-10", "2026-10-09");
        let e = load(HALL, SERVICES, &weekday).unwrap_err();
        assert!(
            e.starts_with("holidays.json:3: working day 2026-10-09"),
            "{e}"
        );

        let both = HOLIDAYS.replace("[\"2026-10-01\"]", "[\"2026-10-01\", \"2026-10-10\"]");
        assert!(
            load(HALL, SERVICES, &both)
                .unwrap_err()
                .contains("both a holiday and a working day")
        );

        let bad_date = HOLIDAYS.replace("2026-10-01", "2026-13-01");
        assert!(
            load(HALL, SERVICES, &bad_date)
                .unwrap_err()
                .contains("is not a date")
        );
    }
}
