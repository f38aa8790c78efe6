#!/usr/bin/env python3
"""Add structured opening hours and bookings to data/halls.jsonl.

For every hall, two keys are written right after `opening_hours`:

  hours     {"mon": [["09:00","12:00"], ...], ..., "sun": []}, parsed from the
            `opening_hours` text; the parser fails on any text it does not
            understand rather than guess.
  bookings  {"<family>": <places per slot>, ...}: the bookable services
            (data/booking/services.json, `at_hall` true) the hall takes
            bookings for, with capacities from
            data/authoring/booking_capacity.json.

A hall books a service when it handles an item of the service's family under
the engine's rule (crates/core/src/halls.rs, `ServiceHall::handles`) and the
service's capacity group gives a capacity for the hall's class. Every other
key, value and the row order stay as they are, byte for byte.

Usage: python3 scripts/author_hall_calendars.py [--check]
  --check  write nothing; exit 1 if data/halls.jsonl differs from what this
           script would write.

Standard library only. See docs/CALENDARS.md.
"""

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HALLS = ROOT / "data/halls.jsonl"
CATALOGUE = ROOT / "data/catalogue.jsonl"
DIVISIONS = ROOT / "data/divisions.jsonl"
TOWNS = ROOT / "data/towns.jsonl"
SERVICES = ROOT / "data/booking/services.json"
CAPACITY = ROOT / "data/authoring/booking_capacity.json"

PROVINCE = "440000"
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class HoursError(ValueError):
    """Opening-hours text the parser does not understand."""


# ---------------------------------------------------------------- hours text

# One weekday: 周一 … 周日 (周天, 星期一 …, 礼拜一 … too).
_DAY_NUMERAL = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY = r"(?:周|星期|礼拜)([一二三四五六日天])"
# Separators between the two ends of a range (days or times).
_RANGE_SEP = r"\s*(?:至|到|-|－|—|–|~|～)\s*"
# Words naming a set of days.
_DAY_WORDS = {
    "工作日": [0, 1, 2, 3, 4],
    "周六日": [5, 6],
    "周六周日": [5, 6],
    "周末": [5, 6],
    "双休日": [5, 6],
    "每天": list(range(7)),
    "每日": list(range(7)),
    "全周": list(range(7)),
}
# Notes in brackets that carry no hours. 法定节假日除外 is the rule for every
# hall anyway (holidays come from data/calendar/holidays.json).
_KNOWN_NOTES = {"法定节假日除外", "节假日除外", "法定节假日休息"}
# Whole-day and closed words in place of times.
_ALL_DAY = {"全天", "24小时"}
_CLOSED = {"休息", "不办公", "闭馆", "暂停办理"}

_TIME = r"(\d{1,2})[:：](\d{2})"
_INTERVAL_RE = re.compile(_TIME + _RANGE_SEP + _TIME)


def _parse_time(h, m, text):
    hour, minute = int(h), int(m)
    if minute > 59 or hour > 24 or (hour == 24 and minute != 0):
        raise HoursError(f"bad time {h}:{m} in {text!r}")
    return f"{hour:02d}:{minute:02d}"


def _parse_days(spec, text):
    """The weekday indexes a day specification names, or raise."""
    if spec in _DAY_WORDS:
        return list(_DAY_WORDS[spec])
    m = re.fullmatch(_DAY + _RANGE_SEP + _DAY, spec)
    if m:
        a, b = _DAY_NUMERAL[m.group(1)], _DAY_NUMERAL[m.group(2)]
        if a >= b:
            raise HoursError(f"day range {spec!r} does not run forward in {text!r}")
        return list(range(a, b + 1))
    parts = re.split(r"\s*(?:、|和|及|/)\s*", spec)
    days = []
    for part in parts:
        m = re.fullmatch(_DAY, part)
        if not m:
            raise HoursError(f"unknown days {spec!r} in {text!r}")
        days.append(_DAY_NUMERAL[m.group(1)])
    if len(set(days)) != len(days):
        raise HoursError(f"a day repeats in {spec!r} in {text!r}")
    return days


def _parse_times(spec, text):
    """The intervals of a times specification, or raise."""
    spec = spec.strip()
    if spec in _ALL_DAY:
        return [["00:00", "24:00"]]
    if spec in _CLOSED:
        return []
    intervals = []
    pos = 0
    for m in _INTERVAL_RE.finditer(spec):
        gap = spec[pos : m.start()]
        if gap.strip(" 、/"):
            raise HoursError(f"unexpected {gap!r} between times in {text!r}")
        if pos > 0 and not gap:
            raise HoursError(f"no separator between two intervals in {text!r}")
        start = _parse_time(m.group(1), m.group(2), text)
        end = _parse_time(m.group(3), m.group(4), text)
        if start >= end:
            raise HoursError(f"interval {start}-{end} does not run forward in {text!r}")
        intervals.append([start, end])
        pos = m.end()
    if not intervals or spec[pos:].strip():
        raise HoursError(f"cannot read times {spec!r} in {text!r}")
    intervals.sort()
    for a, b in zip(intervals, intervals[1:]):
        if a[1] > b[0]:
            raise HoursError(f"intervals {a} and {b} overlap in {text!r}")
    return intervals


_SEGMENT_RE = re.compile(
    r"(?P<days>" + "|".join(sorted(map(re.escape, _DAY_WORDS), key=len, reverse=True))
    + r"|" + _DAY + r"(?:" + _RANGE_SEP + _DAY + r"|(?:\s*(?:、|和|及|/)\s*" + _DAY + r")+)?)"
    r"\s*(?P<times>.*)$"
)


def parse_hours(text):
    """Parse an `opening_hours` text into {day: [[start, end], ...]}.

    Raises HoursError on anything it does not understand.
    """
    if not text or not text.strip():
        raise HoursError("empty opening_hours")
    body = text.strip()
    # Bracketed notes: only known ones, and only at the end.
    while True:
        m = re.search(r"[（(]([^（）()]*)[)）]\s*$", body)
        if not m:
            break
        if m.group(1).strip() not in _KNOWN_NOTES:
            raise HoursError(f"unknown note {m.group(1)!r} in {text!r}")
        body = body[: m.start()].rstrip()
    if re.search(r"[（()）]", body):
        raise HoursError(f"brackets in the middle of {text!r}")
    hours = {d: None for d in DAYS}
    segments = [s.strip() for s in re.split(r"[；;，,。]", body)]
    for segment in segments:
        if not segment:
            raise HoursError(f"empty part in {text!r}")
        m = _SEGMENT_RE.match(segment)
        if not m:
            raise HoursError(f"cannot read {segment!r} in {text!r}")
        days = _parse_days(m.group("days").strip(), text)
        intervals = _parse_times(m.group("times"), text)
        for d in days:
            if hours[DAYS[d]] is not None:
                raise HoursError(f"{DAYS[d]} is given twice in {text!r}")
            hours[DAYS[d]] = intervals
    return {d: (v if v is not None else []) for d, v in hours.items()}


def hours_pattern(text):
    """The shape of an opening-hours text, times replaced by HH:MM."""
    return re.sub(_TIME, "HH:MM", text)


# ---------------------------------------------------------------- data


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def family_of(item_id):
    """The family of an item id: the id without its last `-…` part."""
    return item_id.rsplit("-", 1)[0]


class Gazetteer:
    """Division codes with their level and parent (divisions and towns)."""

    def __init__(self):
        self.div = {}
        for path in (DIVISIONS, TOWNS):
            for d in read_jsonl(path):
                self.div[d["code"]] = d

    def level(self, code):
        d = self.div.get(code)
        return d["level"] if d else None

    def is_within(self, code, ancestor):
        seen = set()
        d = self.div.get(code)
        while d and d["code"] not in seen:
            if d["code"] == ancestor:
                return True
            seen.add(d["code"])
            d = self.div.get(d["parent_code"])
        return False

    def city_of(self, code):
        d = self.div.get(code)
        while d and d["level"] not in ("city", "province"):
            d = self.div.get(d["parent_code"])
        return d["code"] if d and d["level"] == "city" else None


def handles(hall, item, gaz):
    """The engine's rule: does `hall` handle `item`? (ServiceHall::handles)"""
    if item["theme"] not in hall.get("themes", []):
        return False
    if item["region_code"] == PROVINCE or item["region_code"] == hall["region_code"]:
        return True
    level = gaz.level(item["region_code"])
    if level is None:
        return False
    if level == "city":
        return gaz.is_within(hall["region_code"], item["region_code"])
    return gaz.is_within(item["region_code"], hall["region_code"]) and gaz.level(
        hall["region_code"]
    ) not in (None, "province")


def hall_class(hall, gaz):
    """province, city, county, town, or a department's own hall
    (exit_entry, vehicle, fund, social). Raises on a hall it cannot place."""
    name, region, hid = hall["name"], hall["region_code"], hall["id"]
    level = gaz.level(region)
    if region == PROVINCE:
        return "province"
    if "出入境" in name:
        return "exit_entry"
    if "车辆管理所" in name:
        return "vehicle"
    if "住房公积金" in name:
        return "fund"
    if "社会保险" in name:
        return "social"
    if hid == f"hall-{region}" and level == "city":
        return "city"
    if hid == f"hall-{region}" and level == "county":
        return "county"
    if level == "city" and re.search(r"(镇|街道|开发区|松山湖)政务服务中心$", name):
        return "town"
    raise SystemExit(f"author_hall_calendars: cannot classify hall {hid} {name}")


def capacity_table(cap_doc, services):
    """{family: {class: capacity}} from booking_capacity.json; every
    at-hall service must be in exactly one group."""
    table = {}
    for group in cap_doc["groups"]:
        for fam in group["families"]:
            if fam in table:
                raise SystemExit(f"author_hall_calendars: {fam} is in two capacity groups")
            table[fam] = group["capacity"]
    at_hall = {s["family"] for s in services["services"] if s.get("at_hall", True)}
    missing = at_hall - table.keys()
    extra = table.keys() - at_hall
    if missing or extra:
        raise SystemExit(
            f"author_hall_calendars: capacity groups and services.json disagree: "
            f"missing {sorted(missing)}, not bookable at halls {sorted(extra)}"
        )
    return table


def scaled(base, percent):
    return (base * percent + 50) // 100


def compute_bookings(halls, catalogue, gaz, services, cap_doc, report=None):
    """{hall id: {family: capacity}} and, in `report`, what was left out."""
    table = capacity_table(cap_doc, services)
    items_by_family = defaultdict(list)
    for item in catalogue:
        fam = family_of(item["id"])
        if fam in table:
            items_by_family[fam].append(item)
    large = set(cap_doc["large_cities"]["codes"])
    percent = cap_doc["large_cities"]["percent"]
    result = {}
    for hall in halls:
        cls = hall_class(hall, gaz)
        city = gaz.city_of(hall["region_code"])
        bookings = {}
        for fam in sorted(table):
            if not any(handles(hall, it, gaz) for it in items_by_family[fam]):
                continue
            base = table[fam].get(cls)
            if base is None:
                if report is not None:
                    report[(fam, cls)] += 1
                continue
            bookings[fam] = scaled(base, percent) if city in large and cls != "province" else base
        result[hall["id"]] = bookings
    return result


# ---------------------------------------------------------------- raw lines


def split_top_level(line):
    """[(key, raw value text)] of a one-line JSON object, keeping each
    value's text exactly as written (so 23.1280 stays 23.1280)."""
    dec = json.JSONDecoder()
    s = line.strip()
    if not s.startswith("{"):
        raise SystemExit("author_hall_calendars: a line is not a JSON object")
    i, pairs = 1, []
    ws = re.compile(r"\s*")
    i = ws.match(s, i).end()
    if s[i] == "}":
        return pairs
    while True:
        key, i = json.decoder.scanstring(s, i + 1)
        i = ws.match(s, i).end()
        if s[i] != ":":
            raise SystemExit("author_hall_calendars: bad JSON line")
        i = ws.match(s, i + 1).end()
        _, end = dec.raw_decode(s, i)
        pairs.append((key, s[i:end]))
        i = ws.match(s, end).end()
        if s[i] == "}":
            return pairs
        if s[i] != ",":
            raise SystemExit("author_hall_calendars: bad JSON line")
        i = ws.match(s, i + 1).end()


def dump(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def rewrite_line(line, hours, bookings):
    pairs = [(k, v) for k, v in split_top_level(line) if k not in ("hours", "bookings")]
    out = []
    for k, v in pairs:
        out.append(f"{dump(k)}:{v}")
        if k == "opening_hours":
            out.append(f'"hours":{dump(hours)}')
            out.append(f'"bookings":{dump(bookings)}')
    if not any(k == "opening_hours" for k, _ in pairs):
        raise SystemExit("author_hall_calendars: a hall has no opening_hours")
    return "{" + ",".join(out) + "}"


# ---------------------------------------------------------------- main


def main(argv):
    check_only = "--check" in argv[1:]
    raw_lines = [l for l in HALLS.read_text(encoding="utf-8").splitlines() if l.strip()]
    halls = [json.loads(l) for l in raw_lines]
    catalogue = read_jsonl(CATALOGUE)
    services = read_json(SERVICES)
    cap_doc = read_json(CAPACITY)
    gaz = Gazetteer()

    failures, parsed = [], {}
    for hall in halls:
        try:
            parsed[hall["id"]] = parse_hours(hall.get("opening_hours", ""))
        except HoursError as e:
            failures.append(f"{hall['id']}: {e}")
    if failures:
        sys.exit("author_hall_calendars: cannot parse opening hours:\n  " + "\n  ".join(failures))

    left_out = Counter()
    bookings = compute_bookings(halls, catalogue, gaz, services, cap_doc, left_out)
    new_lines = [rewrite_line(l, parsed[h["id"]], bookings[h["id"]]) for l, h in zip(raw_lines, halls)]

    print("halls per opening-hours text:")
    for text, n in Counter(h["opening_hours"] for h in halls).most_common():
        print(f"  {n:4d}  {text}")
    print("halls per pattern:")
    for text, n in Counter(hours_pattern(h["opening_hours"]) for h in halls).most_common():
        print(f"  {n:4d}  {text}")
    classes = Counter(hall_class(h, gaz) for h in halls)
    print("halls per class:", dict(classes))
    counts = [len(b) for b in bookings.values()]
    per_family = Counter(f for b in bookings.values() for f in b)
    print(f"bookings: {sum(counts)} (hall, service) pairs; per hall min {min(counts)}, "
          f"max {max(counts)}, mean {sum(counts) / len(counts):.1f}")
    print("bookings per hall class:")
    by_class = defaultdict(list)
    for h in halls:
        by_class[hall_class(h, gaz)].append(len(bookings[h["id"]]))
    for cls, ns in sorted(by_class.items()):
        print(f"  {cls:10s} {len(ns):3d} halls, {min(ns)}–{max(ns)} services each")
    at_hall = [s["family"] for s in services["services"] if s.get("at_hall", True)]
    print("halls per bookable service:")
    for fam in at_hall:
        print(f"  {per_family.get(fam, 0):4d}  {fam}")
    if left_out:
        print("handled but not booked (class not in the service's capacity group):")
        for (fam, cls), n in sorted(left_out.items()):
            print(f"  {n:4d}  {fam} at {cls}")

    text = "\n".join(new_lines) + "\n"
    if check_only:
        if HALLS.read_text(encoding="utf-8") != text:
            sys.exit("author_hall_calendars: data/halls.jsonl is not up to date; run the script")
        print("data/halls.jsonl is up to date")
        return
    HALLS.write_text(text, encoding="utf-8")
    print(f"wrote {HALLS.relative_to(ROOT)} ({len(new_lines)} halls)")


if __name__ == "__main__":
    main(sys.argv)
