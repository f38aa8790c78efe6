#!/usr/bin/env python3
"""Check the hall calendars, the bookable services and the public holidays.

  data/halls.jsonl             `hours` and `bookings` of every hall
  data/booking/services.json   what can be booked, with the office's rules
  data/calendar/holidays.json  public holidays and 调休 working days

Exits 1 and lists every problem found; prints a short summary otherwise.
Standard library only. See docs/CALENDARS.md.

Usage: python3 scripts/check_calendars.py
"""

import datetime
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.dont_write_bytecode = True  # no scripts/__pycache__ from importing the authoring script
sys.path.insert(0, str(Path(__file__).resolve().parent))
import author_hall_calendars as author  # noqa: E402  (the one hours parser and hall rule)

ROOT = author.ROOT
HOLIDAYS = ROOT / "data/calendar/holidays.json"

DAYS = author.DAYS
HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
# A step that brings a person to a hall (see docs/CALENDARS.md).
IN_PERSON_STEP = re.compile(r"现场|窗口|领取|领证|采集|查验|交验|到.{0,12}(?:机关|大厅|窗口|受理点)")
DEFAULT_KEYS = {
    "slot_minutes": int, "capacity": int, "window_days": int, "lead_days": int,
    "opens_at": str, "cancel_before_minutes": int, "no_show_limit": int,
    "no_show_days": int, "suspend_days": int,
}
SERVICE_KEYS = {
    "family": str, "title": str, "kind": str, "at_hall": bool, "slot_minutes": int,
    "window_days": int, "lead_days": int, "opens_at": str, "notes": str,
}
# Days off each festival must have at least (全国年节及纪念日放假办法, 2024 revision).
STATUTORY = {"元旦": 1, "春节": 4, "清明节": 1, "劳动节": 2, "端午节": 1, "中秋节": 1, "国庆节": 3}
STATUSES = {"published", "statutory-only"}


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


class Checker:
    def __init__(self):
        self.errors = []

    def fail(self, where, reason):
        self.errors.append(f"{where}: {reason}")

    # ------------------------------------------------------------ services

    def check_services(self, services, catalogue):
        where = "data/booking/services.json"
        by_family = defaultdict(list)
        for item in catalogue:
            by_family[author.family_of(item["id"])].append(item)
        if services.get("format") != 1:
            self.fail(where, "`format` must be 1")
        defaults = services.get("defaults", {})
        if set(defaults) != set(DEFAULT_KEYS):
            self.fail(where, f"`defaults` keys must be {sorted(DEFAULT_KEYS)}")
        for k, t in DEFAULT_KEYS.items():
            v = defaults.get(k)
            if t is int and not (is_int(v) and v >= 0):
                self.fail(where, f"defaults.{k} must be a non-negative integer")
        if not HHMM.match(str(defaults.get("opens_at", ""))):
            self.fail(where, "defaults.opens_at must be HH:MM")
        if is_int(defaults.get("slot_minutes")) and defaults["slot_minutes"] <= 0:
            self.fail(where, "defaults.slot_minutes must be positive")

        seen = {}
        for i, s in enumerate(services.get("services", [])):
            fam = s.get("family", f"#{i}")
            w = f"{where} service {fam}"
            if set(s) != set(SERVICE_KEYS):
                self.fail(w, f"keys must be exactly {sorted(SERVICE_KEYS)}")
            for k, t in SERVICE_KEYS.items():
                if k in s and not (is_int(s[k]) if t is int else isinstance(s[k], t)):
                    self.fail(w, f"`{k}` must be {t.__name__}")
            if fam in seen:
                self.fail(w, "listed twice")
            seen[fam] = s
            items = by_family.get(fam)
            if not items:
                self.fail(w, "no catalogue item has this family")
                continue
            titles = {it["title"] for it in items}
            if titles != {s.get("title")}:
                self.fail(w, f"title {s.get('title')!r} is not the catalogue's {sorted(titles)}")
            types = {it["service_type"] for it in items}
            kind = s.get("kind")
            if kind == "appointment":
                if types != {"预约"}:
                    self.fail(w, f"kind appointment but the items are {sorted(types)}")
            elif kind == "in_person_step":
                if types != {"办理"}:
                    self.fail(w, f"kind in_person_step but the items are {sorted(types)}")
                if not any(IN_PERSON_STEP.search(st) for it in items for st in it["steps"]):
                    self.fail(w, "no step of its items brings a person to a hall")
                if s.get("at_hall") is not True:
                    self.fail(w, "an in_person_step service is booked at halls")
            else:
                self.fail(w, f"unknown kind {kind!r}")
            sm, wd, ld = s.get("slot_minutes"), s.get("window_days"), s.get("lead_days")
            if is_int(sm) and not (5 <= sm <= 240 and sm % 5 == 0):
                self.fail(w, "slot_minutes must be 5–240, a multiple of 5")
            if is_int(wd) and is_int(ld) and not (wd >= 1 and 0 <= ld <= wd):
                self.fail(w, "need window_days ≥ 1 and 0 ≤ lead_days ≤ window_days")
            if not HHMM.match(str(s.get("opens_at", ""))) or s.get("opens_at") == "24:00":
                self.fail(w, "opens_at must be HH:MM")
            if not re.search(r"[\u4e00-\u9fff]", str(s.get("notes", ""))):
                self.fail(w, "notes must be Chinese text")

        bookable_families = {f for f, items in by_family.items() if items[0]["service_type"] == "预约"}
        for fam in sorted(bookable_families - seen.keys()):
            self.fail(where, f"预约 family {fam} is missing")

        excluded = {}
        for e in services.get("excluded", []):
            fam = e.get("family")
            w = f"{where} excluded {fam}"
            if set(e) != {"family", "reason"} or not str(e.get("reason", "")).strip():
                self.fail(w, "needs exactly `family` and a `reason`")
            if fam in seen or fam in excluded:
                self.fail(w, "also listed as a service or excluded twice")
            if fam not in by_family:
                self.fail(w, "no catalogue item has this family")
            excluded[fam] = e
        for fam, items in sorted(by_family.items()):
            if items[0]["service_type"] != "办理" or fam in seen or fam in excluded:
                continue
            hits = sorted({st for it in items for st in it["steps"] if IN_PERSON_STEP.search(st)})
            if hits:
                self.fail(where, f"办理 family {fam} has in-person steps {hits}: "
                                 "list it as a service or under `excluded`")
        return seen

    # ------------------------------------------------------------ halls

    def check_halls(self, raw_lines, halls, catalogue, services_by_family, gaz, services, cap_doc):
        items_by_family = defaultdict(list)
        for item in catalogue:
            items_by_family[author.family_of(item["id"])].append(item)
        expected = author.compute_bookings(halls, catalogue, gaz, services, cap_doc)
        for line, hall in zip(raw_lines, halls):
            w = f"data/halls.jsonl {hall.get('id')}"
            keys = [k for k, _ in author.split_top_level(line)]
            if "opening_hours" not in keys or "hours" not in keys or "bookings" not in keys:
                self.fail(w, "needs `opening_hours`, `hours` and `bookings`")
                continue
            at = keys.index("opening_hours")
            if keys[at + 1 : at + 3] != ["hours", "bookings"]:
                self.fail(w, "`hours` and `bookings` must follow `opening_hours`")
            hours = hall["hours"]
            self.check_hours_shape(w, hours)
            try:
                parsed = author.parse_hours(hall["opening_hours"])
            except author.HoursError as e:
                self.fail(w, f"opening_hours does not parse: {e}")
                parsed = None
            if parsed is not None and parsed != hours:
                self.fail(w, f"hours {hours} differ from opening_hours parsed: {parsed}")
            if isinstance(hours, dict):
                weekdays = [json.dumps(hours.get(d)) for d in DAYS[:5]]
                if len(set(weekdays)) != 1 or hours.get("mon") == []:
                    self.fail(w, "Monday–Friday hours must be the same and not empty "
                                 "(a 调休 working day takes them)")

            bookings = hall["bookings"]
            if not isinstance(bookings, dict):
                self.fail(w, "`bookings` must be an object")
                continue
            if list(bookings) != sorted(bookings):
                self.fail(w, "bookings must be sorted by family")
            for fam, cap in bookings.items():
                if not (is_int(cap) and 1 <= cap <= 100):
                    self.fail(w, f"capacity of {fam} must be an integer 1–100")
                if fam not in items_by_family:
                    self.fail(w, f"booked family {fam} is not in the catalogue")
                    continue
                service = services_by_family.get(fam)
                if service is None:
                    self.fail(w, f"booked family {fam} is not in services.json")
                    continue
                if service.get("at_hall") is not True:
                    self.fail(w, f"{fam} is not booked at halls (at_hall false)")
                if not any(author.handles(hall, it, gaz) for it in items_by_family[fam]):
                    self.fail(w, f"books {fam} but handles none of its items")
                if isinstance(hours, dict) and is_int(service.get("slot_minutes")):
                    longest = max((minutes(b) - minutes(a) for d in DAYS for a, b in hours.get(d, [])
                                   if HHMM.match(a) and HHMM.match(b)), default=0)
                    if longest < service["slot_minutes"]:
                        self.fail(w, f"no {service['slot_minutes']}-minute slot of {fam} fits its hours")
            if bookings != expected.get(hall["id"]):
                self.fail(w, "bookings differ from what scripts/author_hall_calendars.py computes; rerun it")

    def check_hours_shape(self, w, hours):
        if not isinstance(hours, dict) or list(hours) != DAYS:
            self.fail(w, f"hours must have exactly the keys {DAYS} in that order")
            return
        for day in DAYS:
            intervals = hours[day]
            if not isinstance(intervals, list):
                self.fail(w, f"hours.{day} must be a list")
                continue
            prev_end = None
            for iv in intervals:
                if not (isinstance(iv, list) and len(iv) == 2 and all(isinstance(t, str) and HHMM.match(t) for t in iv)):
                    self.fail(w, f"hours.{day}: {iv!r} is not [\"HH:MM\",\"HH:MM\"]")
                    prev_end = None
                    continue
                a, b = iv
                if iv[0] == "24:00" or minutes(a) >= minutes(b):
                    self.fail(w, f"hours.{day}: {a}-{b} does not run forward")
                if prev_end is not None and minutes(a) < minutes(prev_end):
                    self.fail(w, f"hours.{day}: intervals not sorted or overlapping at {a}")
                prev_end = b

    # ------------------------------------------------------------ holidays

    def check_holidays(self, doc):
        where = "data/calendar/holidays.json"
        if doc.get("format") != 1:
            self.fail(where, "`format` must be 1")
        years = doc.get("years")
        if not isinstance(years, dict) or not years:
            self.fail(where, "`years` must be a non-empty object")
            return
        if list(years) != sorted(years):
            self.fail(where, "years must be in order")
        for year, y in years.items():
            w = f"{where} {year}"
            if not re.fullmatch(r"\d{4}", year):
                self.fail(w, "a year key must be four digits")
                continue
            yr = int(year)
            first, last = datetime.date(yr - 1, 12, 1), datetime.date(yr, 12, 31)
            if set(y) != {"source", "status", "holidays", "workdays"}:
                self.fail(w, "keys must be source, status, holidays, workdays")
            if not str(y.get("source", "")).strip():
                self.fail(w, "`source` is empty")
            status = y.get("status")
            if status not in STATUSES:
                self.fail(w, f"status must be one of {sorted(STATUSES)}")

            def date_of(text, what):
                try:
                    d = datetime.date.fromisoformat(text)
                except (TypeError, ValueError):
                    self.fail(w, f"{what}: {text!r} is not a YYYY-MM-DD date")
                    return None
                if d.isoformat() != text:
                    self.fail(w, f"{what}: {text!r} is not written YYYY-MM-DD")
                if not first <= d <= last:
                    self.fail(w, f"{what}: {text} is outside {first}…{last}")
                return d

            off = {}
            festivals_seen = set()
            prev_start = None
            for period in y.get("holidays", []):
                name = period.get("name", "")
                pw = f"holiday {name}"
                if set(period) != {"name", "dates"}:
                    self.fail(w, f"{pw}: keys must be name and dates")
                parts = name.split("、")
                if not parts or any(p not in STATUTORY for p in parts):
                    self.fail(w, f"{pw}: name must be festivals of {sorted(STATUTORY)} joined by 、")
                    parts = [p for p in parts if p in STATUTORY]
                for p in parts:
                    if p in festivals_seen:
                        self.fail(w, f"{pw}: {p} appears twice")
                    festivals_seen.add(p)
                dates = [date_of(t, pw) for t in period.get("dates", [])]
                if not dates or None in dates:
                    if not dates:
                        self.fail(w, f"{pw}: no dates")
                    continue
                if dates != sorted(dates) or len(set(dates)) != len(dates):
                    self.fail(w, f"{pw}: dates must be sorted and unique")
                if any((b - a).days != 1 for a, b in zip(dates, dates[1:])):
                    self.fail(w, f"{pw}: dates must be consecutive days")
                need = sum(STATUTORY[p] for p in parts)
                if status == "statutory-only" and len(dates) != need:
                    self.fail(w, f"{pw}: statutory-only lists exactly the {need} statutory day(s)")
                if status == "published" and len(dates) < need:
                    self.fail(w, f"{pw}: fewer days off than the {need} statutory day(s)")
                if prev_start is not None and dates[0] < prev_start:
                    self.fail(w, f"{pw}: periods must be in date order")
                prev_start = dates[0]
                for d in dates:
                    if d in off:
                        self.fail(w, f"{d} is in both {off[d]} and {name}")
                    off[d] = name
            missing = set(STATUTORY) - festivals_seen
            if missing:
                self.fail(w, f"festivals missing: {sorted(missing)}")

            workdays = [date_of(t, "workday") for t in y.get("workdays", [])]
            workdays = [d for d in workdays if d is not None]
            if workdays != sorted(set(workdays)):
                self.fail(w, "workdays must be sorted and unique")
            if status == "statutory-only" and workdays:
                self.fail(w, "statutory-only years have no 调休 workdays until the notice is published")
            for d in workdays:
                if d.weekday() < 5:
                    self.fail(w, f"workday {d} is a {d.strftime('%A')}, not a Saturday or Sunday")
                if d in off:
                    self.fail(w, f"{d} is both a holiday ({off[d]}) and a workday")


def main():
    checker = Checker()
    try:
        raw_lines = [l for l in author.HALLS.read_text(encoding="utf-8").splitlines() if l.strip()]
        halls = [json.loads(l) for l in raw_lines]
        catalogue = author.read_jsonl(author.CATALOGUE)
        services = author.read_json(author.SERVICES)
        cap_doc = author.read_json(author.CAPACITY)
        holidays = author.read_json(HOLIDAYS)
    except (OSError, ValueError) as e:
        sys.exit(f"check_calendars: cannot read the data: {e}")
    gaz = author.Gazetteer()

    services_by_family = checker.check_services(services, catalogue)
    try:
        checker.check_halls(raw_lines, halls, catalogue, services_by_family, gaz, services, cap_doc)
    except SystemExit as e:  # the authoring rules refused the data
        checker.fail("authoring", str(e))
    checker.check_holidays(holidays)

    if checker.errors:
        print(f"check_calendars: {len(checker.errors)} problem(s):", file=sys.stderr)
        for e in checker.errors:
            print(f"  {e}", file=sys.stderr)
        sys.exit(1)
    booked = sum(len(h["bookings"]) for h in halls)
    kinds = defaultdict(int)
    for s in services["services"]:
        kinds[s["kind"]] += 1
    years = ", ".join(f"{y} {v['status']}" for y, v in holidays["years"].items())
    print(f"check_calendars: ok — {len(halls)} halls, {booked} bookings, "
          f"{len(services['services'])} services ({dict(kinds)}), holidays {years}")


if __name__ == "__main__":
    main()
