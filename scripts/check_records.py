#!/usr/bin/env python3
"""Check the records data: data/records/{kinds,services,certificates,dev_words}.json
and the licence types they lean on (data/wallet/licence_types.json).

Run from the repository root:

    python3 scripts/check_records.py

Standard library only. Prints every problem found and exits 1 if there is any;
prints a short summary and exits 0 otherwise. The format and the dev-hint
language are described in data/records/README.md; this script is their
executable reading.
"""

import json
import re
import sys
from collections import Counter, defaultdict

CATALOGUE = "data/catalogue.jsonl"
KINDS = "data/records/kinds.json"
SERVICES = "data/records/services.json"
CERTIFICATES = "data/records/certificates.json"
WORDS = "data/records/dev_words.json"
LICENCE_TYPES = "data/wallet/licence_types.json"

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")

COLUMN_TYPES = {"text", "date", "month", "year", "money", "number", "points", "status", "datetime"}
SUMMARY_TYPES = {"money", "number", "points", "text", "date", "month"}
FILTER_TYPES = {"month_range", "date_range", "year", "choice", "text", "plate"}
SUBJECTS = {"person", "organisation", "vehicle", "none"}
LEVELS = {"L1": 1, "L2": 2, "L3": 3}
PLACEHOLDERS = {"plate", "n2", "n4", "num", "year", "city", "district", "road", "name",
                "masked_name", "org", "brand", "phone", "department", "theme", "item"}

TIME_TYPES = {"month", "date", "datetime", "year"}
NUMERIC = {"money", "number", "points"}
STRINGY = {"text", "status", "date", "month", "datetime"}

# Which column types each value generator may fill.
VALUE_TARGETS = {
    "sequence_month": {"month", "year"},
    "sequence_date": {"date", "datetime"},
    "date": {"date", "datetime", "month", "text"},
    "period": {"text"},
    "money": {"money"},
    "number": {"number", "points", "year"},
    "pick": {"text", "status", "number", "points", "year", "money"},
    "cycle": {"text", "status"},
    "text": {"text", "status"},
    "const": COLUMN_TYPES,
    "copy": COLUMN_TYPES,
    "add": NUMERIC,
    "scale": NUMERIC,
    "map": {"text", "status", "number", "points", "money"},
    "filter": {"text", "status", "date"},
}
COLUMN_ONLY = {"sequence_month", "sequence_date", "cycle", "copy", "add", "scale", "filter"}
AGGREGATES = {"sum", "count", "latest", "avg", "max"}
FACT_GENS = {"text", "pick", "money", "number", "date", "period", "const", "map"}
STEADY_OK = {"money", "number", "pick", "text", "date"}
# latest: column type -> summary types it may fill
LATEST_TO = {
    "month": {"month", "text"}, "date": {"date", "text"}, "datetime": {"date", "text"},
    "year": {"number", "text"}, "money": {"money"}, "number": {"number"},
    "points": {"points", "number"}, "text": {"text"}, "status": {"text"},
}
# sum/avg/max: column type -> summary types
AGG_TO = {"money": {"money"}, "number": {"number"}, "points": {"points", "number"}}

# Licence-type rules mirrored from crates/wallet/src/types.rs.
STANDARD_FIELDS = {"number", "holder", "holder_name", "authority", "issued_on", "expires_on"}
RESERVED = {"iss", "sub", "aud", "iat", "exp", "nbf", "jti", "vct", "cnf", "status",
            "licence_ref", "licence_valid", "..."}
PLATFORM_FILLED = {"holder", "holder_name", "authority", "issued_on", "expires_on", "purpose"}

problems = []


def bad(where, message):
    problems.append(f"{where}: {message}")


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        bad(path, f"cannot read: {e}")
        return None


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return (isinstance(v, (int, float))) and not isinstance(v, bool)


def int_range(where, v, lo=None, hi=None, name="range"):
    """A [min, max] pair of integers with min <= max."""
    if not (isinstance(v, list) and len(v) == 2 and all(is_int(x) for x in v) and v[0] <= v[1]):
        bad(where, f"`{name}` must be [min, max] integers with min <= max, got {v!r}")
        return False
    if lo is not None and v[0] < lo:
        bad(where, f"`{name}` below {lo}: {v!r}")
    if hi is not None and v[1] > hi:
        bad(where, f"`{name}` above {hi}: {v!r}")
    return True


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in ("gen", "from", "of", "name", "column"):
                yield from strings_in(v)


def check_placeholders(where, hint):
    for s in strings_in(hint):
        for p in PLACEHOLDER_RE.findall(s):
            if p not in PLACEHOLDERS:
                bad(where, f"unknown template placeholder {{{p}}} in {s!r}")


def value_fits(v, target):
    """Whether a literal value (pick/cycle/map/const) fits a column or summary type."""
    if target in ("number", "points", "year", "money"):
        return is_int(v)
    return isinstance(v, str)


def possible_values(hint):
    """The literal values a hint can produce, or None when open-ended."""
    g = hint.get("gen")
    if g in ("pick", "cycle"):
        return set(hint.get("values", []))
    if g == "const":
        return {hint.get("value")}
    if g == "map":
        if "values" in hint:
            vals = set(hint["values"].values())
            if "default" in hint:
                vals.add(hint["default"])
            return vals
        return {b[1] for b in hint.get("bands", []) if isinstance(b, list) and len(b) == 2}
    return None


class Ctx:
    """What a hint may refer to: the kind's columns and filters, or a certificate's facts."""

    def __init__(self, where, columns=None, filters=None, facts=None, first=None):
        self.where = where
        self.columns = columns or {}   # name -> (type, default hint)
        self.filters = filters or {}   # name -> filter
        self.facts = facts             # name -> hint (certificates)
        self.first = first             # first column name


def check_value_hint(where, hint, target, ctx, slot, is_first=False):
    """slot: 'column', 'summary' or 'fact'. Returns the names the hint depends on."""
    deps = set()
    if not isinstance(hint, dict) or not isinstance(hint.get("gen"), str):
        bad(where, f"dev hint must be an object with a `gen`, got {hint!r}")
        return deps
    g = hint["gen"]
    check_placeholders(where, hint)
    if slot == "fact":
        if g not in FACT_GENS:
            bad(where, f"`{g}` is not usable for certificate facts")
            return deps
    elif slot == "summary":
        if g in COLUMN_ONLY or g == "map":
            bad(where, f"`{g}` is a column generator, not usable in a summary")
            return deps
    elif g in AGGREGATES:
        bad(where, f"`{g}` is a summary aggregate, not usable in a column")
        return deps

    allowed = {"gen"}
    if "steady" in hint:
        allowed.add("steady")
        if g not in STEADY_OK or slot != "column":
            bad(where, f"`steady` is only for column generators {sorted(STEADY_OK)}")
        elif not (is_int(hint["steady"]) and hint["steady"] >= 1):
            bad(where, "`steady` must be a positive integer")
    if "rows" in hint:
        allowed.add("rows")
        if not (slot == "column" and is_first):
            bad(where, "`rows` is only allowed on the kind's first column")
        else:
            r = hint["rows"]
            if not (isinstance(r, dict) and is_int(r.get("min")) and is_int(r.get("max"))
                    and 0 <= r["min"] <= r["max"] and set(r) <= {"min", "max", "empty", "empty_summary"}):
                bad(where, f"`rows` must be {{min, max[, empty, empty_summary]}} with 0 <= min <= max, got {r!r}")
            elif "empty" in r and not (is_num(r["empty"]) and 0 <= r["empty"] < 1):
                bad(where, "`rows.empty` must be a share in [0, 1)")
            elif "empty_summary" in r and not isinstance(r["empty_summary"], bool):
                bad(where, "`rows.empty_summary` must be true or false")
    elif slot == "column" and is_first:
        bad(where, "the first column's hint needs `rows` (how many rows a subject has)")

    if g in AGGREGATES:
        return check_aggregate(where, hint, target, ctx, allowed)

    if slot == "column" and target not in VALUE_TARGETS.get(g, set()):
        if g in VALUE_TARGETS:
            bad(where, f"`{g}` cannot fill a `{target}` column")
        else:
            bad(where, f"unknown generator `{g}`")
            return deps
    if slot == "summary" and g not in VALUE_TARGETS:
        bad(where, f"unknown generator `{g}`")
        return deps
    if slot == "summary" and target not in VALUE_TARGETS[g] and not (g == "date" and target in ("date", "month")):
        bad(where, f"`{g}` cannot fill a `{target}` summary")

    if g == "sequence_month":
        allowed |= {"step", "start_months", "repeat"}
        if not (is_int(hint.get("step")) and hint["step"] != 0):
            bad(where, "`step` must be a non-zero integer")
        elif target == "year" and hint["step"] % 12:
            bad(where, "on a year column `step` must be a multiple of 12")
        if "start_months" in hint and not is_int(hint["start_months"]):
            bad(where, "`start_months` must be an integer")
    elif g == "sequence_date":
        allowed |= {"every_days", "start_days", "forward", "repeat"}
        int_range(where, hint.get("every_days"), lo=0, name="every_days")
        if "start_days" in hint:
            int_range(where, hint["start_days"], name="start_days")
        if "forward" in hint and not isinstance(hint["forward"], bool):
            bad(where, "`forward` must be true or false")
    elif g == "date":
        allowed |= {"days", "as"}
        int_range(where, hint.get("days"), name="days")
        if "as" in hint and hint["as"] not in ("date", "month"):
            bad(where, "`as` must be \"date\" or \"month\"")
    elif g == "period":
        allowed |= {"unit", "length", "end"}
        if hint.get("unit") not in ("month", "day"):
            bad(where, "`unit` must be \"month\" or \"day\"")
        int_range(where, hint.get("length"), lo=0, name="length")
        int_range(where, hint.get("end"), name="end")
    elif g == "money":
        allowed |= {"min_fen", "max_fen", "round_fen"}
        lo, hi, rnd = hint.get("min_fen"), hint.get("max_fen"), hint.get("round_fen", 1)
        if not (is_int(lo) and is_int(hi) and 0 <= lo <= hi):
            bad(where, "`min_fen`/`max_fen` must be integers with 0 <= min <= max")
        if not (is_int(rnd) and rnd >= 1):
            bad(where, "`round_fen` must be a positive integer")
    elif g == "number":
        allowed |= {"min", "max"}
        if not (is_int(hint.get("min")) and is_int(hint.get("max")) and hint["min"] <= hint["max"]):
            bad(where, "`min`/`max` must be integers with min <= max")
    elif g in ("pick", "cycle"):
        allowed |= {"values", "weights"} if g == "pick" else {"values"}
        vals = hint.get("values")
        if not (isinstance(vals, list) and vals):
            bad(where, "`values` must be a non-empty list")
        else:
            for v in vals:
                if not value_fits(v, target if slot != "fact" else "text") and not (slot == "fact" and is_int(v)):
                    bad(where, f"value {v!r} does not fit a `{target}`")
            if len(set(map(json.dumps, vals))) != len(vals):
                bad(where, "`values` has duplicates (use `weights` to favour a value)")
        if "weights" in hint:
            w = hint["weights"]
            if not (isinstance(w, list) and isinstance(vals, list) and len(w) == len(vals)
                    and all(is_int(x) and x > 0 for x in w)):
                bad(where, "`weights` must be positive integers, one per value")
    elif g == "text":
        if ("template" in hint) == ("values" in hint):
            bad(where, "`text` takes exactly one of `template` or `values`")
        if "template" in hint:
            allowed.add("template")
            if not isinstance(hint["template"], str) or not hint["template"]:
                bad(where, "`template` must be a non-empty string")
        if "values" in hint:
            allowed.add("values")
            if not (isinstance(hint["values"], list) and hint["values"]
                    and all(isinstance(v, str) and v for v in hint["values"])):
                bad(where, "`values` must be a non-empty list of strings")
    elif g == "const":
        allowed.add("value")
        if "value" not in hint or not (value_fits(hint["value"], target) or slot == "fact"):
            bad(where, f"`value` missing or not a `{target}`")
    elif g == "copy":
        allowed.add("from")
        src = hint.get("from")
        if src not in ctx.columns:
            bad(where, f"`copy` from unknown column {src!r}")
        else:
            deps.add(src)
            if ctx.columns[src][0] != target:
                bad(where, f"`copy` from a `{ctx.columns[src][0]}` column into a `{target}` column")
    elif g == "add":
        allowed.add("of")
        of = hint.get("of")
        if not (isinstance(of, list) and len(of) >= 2):
            bad(where, "`add` needs `of`: a list of at least two columns")
        else:
            for src in of:
                if src not in ctx.columns:
                    bad(where, f"`add` of unknown column {src!r}")
                    continue
                deps.add(src)
                st = ctx.columns[src][0]
                if (target == "money") != (st == "money") or st not in NUMERIC:
                    bad(where, f"`add` mixes a `{st}` column into a `{target}` column")
    elif g == "scale":
        allowed |= {"of", "factor", "round_fen"}
        src = hint.get("of")
        if src not in ctx.columns:
            bad(where, f"`scale` of unknown column {src!r}")
        else:
            deps.add(src)
            if ctx.columns[src][0] not in NUMERIC:
                bad(where, f"`scale` of a `{ctx.columns[src][0]}` column")
        f = hint.get("factor")
        if not ((is_num(f) and f >= 0) or (isinstance(f, list) and len(f) == 2
                                           and all(is_num(x) and x >= 0 for x in f) and f[0] <= f[1])):
            bad(where, "`factor` must be a number >= 0 or [min, max]")
        if "round_fen" in hint and (target != "money" or not (is_int(hint["round_fen"]) and hint["round_fen"] >= 1)):
            bad(where, "`round_fen` is a positive integer and only for money columns")
    elif g == "map":
        allowed |= {"from", "values", "bands", "default"}
        src = hint.get("from")
        names = ctx.facts if ctx.facts is not None else ctx.columns
        if src not in names:
            bad(where, f"`map` from unknown {'fact' if ctx.facts is not None else 'column'} {src!r}")
            src_hint, src_type = None, None
        else:
            deps.add(src)
            if ctx.facts is not None:
                src_hint, src_type = ctx.facts[src], None
            else:
                src_type, src_hint = ctx.columns[src]
        if ("values" in hint) == ("bands" in hint):
            bad(where, "`map` takes exactly one of `values` or `bands`")
        elif "values" in hint:
            vals = hint["values"]
            if not (isinstance(vals, dict) and vals):
                bad(where, "`values` must be a non-empty object")
            else:
                for v in vals.values():
                    if slot != "fact" and not value_fits(v, target):
                        bad(where, f"mapped value {v!r} does not fit a `{target}`")
                if src_type is not None and src_type not in ("text", "status"):
                    bad(where, "`map` with `values` needs a text or status source; use `bands` for numbers")
                can = possible_values(src_hint) if isinstance(src_hint, dict) else None
                if can is not None and "default" not in hint:
                    missing = sorted(str(x) for x in can - set(vals))
                    if missing:
                        bad(where, f"`map` does not cover source values {missing}")
        else:
            bands = hint["bands"]
            ok = isinstance(bands, list) and bands and all(
                isinstance(b, list) and len(b) == 2 and is_num(b[0]) for b in bands)
            if not ok:
                bad(where, "`bands` must be a non-empty list of [min, value]")
            else:
                mins = [b[0] for b in bands]
                if mins != sorted(mins) or len(set(mins)) != len(mins):
                    bad(where, "`bands` minimums must rise strictly")
                for b in bands:
                    if slot != "fact" and not value_fits(b[1], target):
                        bad(where, f"band value {b[1]!r} does not fit a `{target}`")
            if src_type is not None and src_type not in NUMERIC:
                bad(where, f"`bands` needs a numeric source, {src!r} is `{src_type}`")
    elif g == "filter":
        allowed |= {"name", "else"}
        name = hint.get("name")
        if name not in ctx.filters:
            bad(where, f"`filter` names unknown filter {name!r}")
        elif ctx.filters[name].get("type") not in ("text", "plate", "choice"):
            bad(where, f"`filter` can only echo a text, plate or choice filter, not {ctx.filters[name].get('type')}")
        elif not ctx.filters[name].get("required") and "else" not in hint:
            bad(where, f"filter {name!r} is optional, so the hint needs an `else` hint")
        if "else" in hint:
            deps |= check_value_hint(where + " (else)", hint["else"], target, ctx, slot)
    extra = set(hint) - allowed
    if extra:
        bad(where, f"unknown keys {sorted(extra)} for `{g}`")
    return deps


def check_where(where, cond, ctx):
    if not (isinstance(cond, dict) and set(cond) == {"column", "in"}):
        bad(where, "`where` must be {column, in}")
        return
    col = cond["column"]
    if col not in ctx.columns:
        bad(where, f"`where` names unknown column {col!r}")
        return
    vals = cond["in"]
    if not (isinstance(vals, list) and vals):
        bad(where, "`where.in` must be a non-empty list")
        return
    can = possible_values(ctx.columns[col][1] or {})
    if can is not None:
        unknown = [v for v in vals if v not in can]
        if unknown:
            bad(where, f"`where` values {unknown} never occur in column {col!r}")


def check_aggregate(where, hint, target, ctx, allowed):
    g = hint["gen"]
    if g == "count":
        allowed.add("where")
        if target != "number":
            bad(where, "`count` fills a number summary")
    else:
        allowed.add("of")
        if g == "sum":
            allowed.add("where")
        src = hint.get("of")
        if src not in ctx.columns:
            bad(where, f"`{g}` of unknown column {src!r}")
        else:
            st = ctx.columns[src][0]
            if g == "latest":
                if target not in LATEST_TO.get(st, set()):
                    bad(where, f"`latest` of a `{st}` column cannot fill a `{target}` summary")
                first_type = ctx.columns[ctx.first][0] if ctx.first in ctx.columns else None
                if first_type not in TIME_TYPES:
                    bad(where, "`latest` needs a kind whose first column is a month, date, datetime or year")
            elif target not in AGG_TO.get(st, set()):
                bad(where, f"`{g}` of a `{st}` column cannot fill a `{target}` summary")
    if "where" in hint:
        check_where(where, hint["where"], ctx)
    extra = set(hint) - allowed
    if extra:
        bad(where, f"unknown keys {sorted(extra)} for `{g}`")
    return set()


def find_cycle(graph):
    state = {}

    def visit(n, path):
        state[n] = 1
        for m in graph.get(n, ()):
            if state.get(m) == 1:
                return path + [n, m]
            if m not in state:
                found = visit(m, path + [n])
                if found:
                    return found
        state[n] = 2
        return None

    for n in graph:
        if n not in state:
            found = visit(n, [])
            if found:
                return found
    return None


def check_kind(kind, families_of):
    code = kind.get("code")
    where = f"{KINDS} kind {code!r}"
    known = {"code", "title", "source", "scope", "level", "subject", "columns", "filters", "summary",
             "sort", "page_size", "history_months", "empty_text", "note", "dev_variants"}
    extra = set(kind) - known
    if extra:
        bad(where, f"unknown keys {sorted(extra)}")
    if not (isinstance(code, str) and CODE_RE.match(code)):
        bad(where, "code must match ^[a-z][a-z0-9_]{1,39}$")
    for key in ("title", "empty_text"):
        if not (isinstance(kind.get(key), str) and HAN_RE.search(kind[key])):
            bad(where, f"`{key}` must be Chinese text")
    if "note" in kind and not (isinstance(kind["note"], str) and HAN_RE.search(kind["note"])):
        bad(where, "`note` must be Chinese text")
    source = kind.get("source", "department")
    if source not in ("department", "platform"):
        bad(where, "`source` must be \"department\" or \"platform\"")
    scope, level, subject = kind.get("scope"), kind.get("level"), kind.get("subject")
    if scope == "personal":
        if level not in ("L2", "L3"):
            bad(where, "a personal kind needs level L2 or L3")
        if subject not in SUBJECTS - {"none"}:
            bad(where, "a personal kind's subject is person, organisation or vehicle")
    elif scope == "public":
        if level is not None:
            bad(where, "a public kind has level null")
        if subject != "none":
            bad(where, "a public kind's subject is none")
        if source == "platform":
            bad(where, "platform kinds answer a signed-in person's own data; make it personal")
    else:
        bad(where, "`scope` must be personal or public")

    columns = kind.get("columns")
    if not (isinstance(columns, list) and 2 <= len(columns) <= 8):
        bad(where, "needs 2–8 columns")
        columns = columns if isinstance(columns, list) else []
    filters = kind.get("filters")
    if not (isinstance(filters, list) and len(filters) <= 4):
        bad(where, "needs a list of 0–4 filters")
        filters = filters if isinstance(filters, list) else []
    summary = kind.get("summary")
    if not (isinstance(summary, list) and len(summary) <= 6):
        bad(where, "needs a list of 0–6 summary entries")
        summary = summary if isinstance(summary, list) else []

    cols = {}
    for c in columns:
        cw = f"{where} column {c.get('name')!r}"
        if set(c) - {"name", "label", "type", "dev"}:
            bad(cw, f"unknown keys {sorted(set(c) - {'name', 'label', 'type', 'dev'})}")
        if not (isinstance(c.get("name"), str) and NAME_RE.match(c["name"])):
            bad(cw, "name must be ASCII snake case")
        if c.get("name") in cols:
            bad(cw, "listed twice")
        if not (isinstance(c.get("label"), str) and c["label"].strip()):
            bad(cw, "needs a label")
        if c.get("type") not in COLUMN_TYPES:
            bad(cw, f"type must be one of {sorted(COLUMN_TYPES)}")
        cols[c.get("name")] = (c.get("type"), c.get("dev"))
    first = columns[0].get("name") if columns else None

    fils = {}
    plates = 0
    for f in filters:
        fw = f"{where} filter {f.get('name')!r}"
        t = f.get("type")
        allowed = {"name", "label", "type", "required"}
        if not (isinstance(f.get("name"), str) and NAME_RE.match(f["name"])):
            bad(fw, "name must be ASCII snake case")
        if f.get("name") in fils:
            bad(fw, "listed twice")
        if not (isinstance(f.get("label"), str) and HAN_RE.search(f["label"])):
            bad(fw, "needs a Chinese label")
        if not isinstance(f.get("required"), bool):
            bad(fw, "`required` must be true or false")
        if t not in FILTER_TYPES:
            bad(fw, f"type must be one of {sorted(FILTER_TYPES)}")
        col = cols.get(f.get("name"))
        if t in ("month_range", "date_range"):
            allowed.add("max_span_months")
            if not (is_int(f.get("max_span_months")) and f["max_span_months"] >= 1):
                bad(fw, "a range filter needs a positive `max_span_months`")
            want = {"month"} if t == "month_range" else {"date", "datetime"}
            if not col or col[0] not in want:
                bad(fw, f"a {t} filter must name a {'/'.join(sorted(want))} column")
        elif t == "year":
            if not col or col[0] not in TIME_TYPES:
                bad(fw, "a year filter must name a year, month, date or datetime column")
        elif t == "choice":
            allowed.add("options")
            opts = f.get("options")
            if not (isinstance(opts, list) and opts and all(isinstance(o, str) and o for o in opts)
                    and len(set(opts)) == len(opts)):
                bad(fw, "a choice filter needs distinct string `options`")
            elif col:
                if col[0] not in ("text", "status"):
                    bad(fw, "a choice filter on a column needs a text or status column")
                can = possible_values(col[1] or {})
                if can is not None and source == "department":
                    unknown = [o for o in opts if o not in can]
                    if unknown:
                        bad(fw, f"options {unknown} never occur in column {f['name']!r}")
        elif t == "text":
            allowed.add("pattern")
            p = f.get("pattern")
            if not (isinstance(p, str) and p.startswith("^") and p.endswith("$")):
                bad(fw, "a text filter needs an anchored `pattern` (^…$)")
            else:
                try:
                    re.compile(p)
                except re.error as e:
                    bad(fw, f"pattern does not compile: {e}")
            if col and col[0] not in ("text", "status"):
                bad(fw, "a text filter on a column needs a text or status column")
        elif t == "plate":
            plates += 1
            if subject != "vehicle":
                bad(fw, "plate filters belong to vehicle kinds")
            if f.get("required") is not True:
                bad(fw, "the plate filter of a vehicle kind is required")
        extra = set(f) - allowed
        if extra:
            bad(fw, f"unknown keys {sorted(extra)}")
        fils[f.get("name")] = f
    if subject == "vehicle" and plates != 1:
        bad(where, "a vehicle kind needs exactly one plate filter")

    sums = set()
    for s in summary:
        sw = f"{where} summary {s.get('name')!r}"
        if set(s) - {"name", "label", "type", "dev"}:
            bad(sw, "unknown keys")
        if not (isinstance(s.get("name"), str) and NAME_RE.match(s["name"])):
            bad(sw, "name must be ASCII snake case")
        if s.get("name") in sums:
            bad(sw, "listed twice")
        sums.add(s.get("name"))
        if not (isinstance(s.get("label"), str) and s["label"].strip()):
            bad(sw, "needs a label")
        if s.get("type") not in SUMMARY_TYPES:
            bad(sw, f"type must be one of {sorted(SUMMARY_TYPES)}")

    sort = kind.get("sort")
    if not (isinstance(sort, dict) and set(sort) == {"column", "order"}
            and sort["column"] in cols and sort["order"] in ("asc", "desc")):
        bad(where, "`sort` must be {column: <a column>, order: asc|desc}")
    if not (is_int(kind.get("page_size")) and 10 <= kind["page_size"] <= 50):
        bad(where, "`page_size` must be 10–50")
    if not (is_int(kind.get("history_months")) and 0 <= kind["history_months"] <= 600):
        bad(where, "`history_months` must be 0–600")

    ctx = Ctx(where, cols, fils, first=first)
    if source == "platform":
        for c in columns + summary:
            if "dev" in c:
                bad(f"{where} {c.get('name')!r}", "platform kinds carry no dev hints")
        if "dev_variants" in kind:
            bad(where, "platform kinds carry no dev variants")
        return
    graph = {}
    for i, c in enumerate(columns):
        cw = f"{where} column {c.get('name')!r}"
        if "dev" not in c:
            bad(cw, "needs a dev hint")
            continue
        graph[c.get("name")] = check_value_hint(cw, c["dev"], c.get("type"), ctx, "column", is_first=(i == 0))
    cyc = find_cycle(graph)
    if cyc:
        bad(where, f"dev hints depend on each other in a circle: {' → '.join(cyc)}")
    for s in summary:
        sw = f"{where} summary {s.get('name')!r}"
        if "dev" not in s:
            bad(sw, "needs a dev hint")
            continue
        check_value_hint(sw, s["dev"], s.get("type"), ctx, "summary")

    variants = kind.get("dev_variants", {})
    if not isinstance(variants, dict):
        bad(where, "`dev_variants` must be an object keyed by family")
        return
    mine = families_of.get(code, set())
    types = {c.get("name"): ("column", c.get("type")) for c in columns}
    types.update({s.get("name"): ("summary", s.get("type")) for s in summary})
    for fam, over in variants.items():
        vw = f"{where} dev_variants {fam!r}"
        if fam not in mine:
            bad(vw, "family is not mapped to this kind in services.json")
        if not (isinstance(over, dict) and over):
            bad(vw, "must be a non-empty object of column or summary hints")
            continue
        vcols = {n: (t, over.get(n, h)) for n, (t, h) in cols.items()}
        vctx = Ctx(vw, vcols, fils, first=first)
        vgraph = dict(graph)
        for name, hint in over.items():
            if name not in types:
                bad(vw, f"no column or summary named {name!r}")
                continue
            slot, t = types[name]
            deps = check_value_hint(f"{vw} {name!r}", hint, t, vctx, slot, is_first=(name == first))
            if slot == "column":
                vgraph[name] = deps
        cyc = find_cycle(vgraph)
        if cyc:
            bad(vw, f"dev hints depend on each other in a circle: {' → '.join(cyc)}")
        # summaries that read columns a variant changed must still make sense
        for s in summary:
            if s.get("name") in over or "dev" not in s:
                continue
            check_value_hint(f"{vw} summary {s.get('name')!r}", s["dev"], s.get("type"), vctx, "summary")


def check_licence_types(types_doc, ids):
    where = LICENCE_TYPES
    if not types_doc or types_doc.get("format") != 1:
        bad(where, "format must be 1")
        return {}
    out = {}
    for t in types_doc.get("types", []):
        tw = f"{where} type {t.get('code')!r}"
        code = t.get("code")
        if not (isinstance(code, str) and NAME_RE.match(code)):
            bad(tw, "code must be lower-case ASCII")
        if code in out:
            bad(tw, "listed twice")
        if t.get("kind") not in ("card", "certificate", "organisation"):
            bad(tw, "kind must be card, certificate or organisation")
        names = []
        for f in t.get("fields", []):
            n = f.get("name")
            if not (isinstance(n, str) and NAME_RE.match(n)) or n in RESERVED:
                bad(tw, f"field name {n!r} is not lower-case ASCII or is reserved")
            if not (isinstance(f.get("label"), str) and f["label"].strip()):
                bad(tw, f"field {n!r} has no label")
            if not isinstance(f.get("sensitive"), bool):
                bad(tw, f"field {n!r} needs `sensitive` true or false")
            names.append(n)
        if len(set(names)) != len(names):
            bad(tw, "a field is listed twice")
        for req in ("number", "holder", "holder_name", "issued_on"):
            if req not in names:
                bad(tw, f"lacks the standard field {req!r}")
        v = t.get("validity", {})
        expires = v.get("expires")
        if expires is True and not ("expires_on" in names and is_int(v.get("expiring_within_days"))):
            bad(tw, "an expiring type needs `expires_on` and `expiring_within_days`")
        if expires is False and ("expires_on" in names or "expiring_within_days" in v):
            bad(tw, "a non-expiring type has neither `expires_on` nor `expiring_within_days`")
        for sid in t.get("related_services", []) + ([t["renewal_service"]] if t.get("renewal_service") else []):
            if sid not in ids:
                bad(tw, f"service id {sid!r} is not in the catalogue")
        out[code] = t
    return out


def check_words(words):
    if not words or words.get("format") != 1:
        bad(WORDS, "format must be 1")
        return
    for key in ("surnames", "given_chars", "roads", "org_names", "org_trades", "org_forms"):
        v = words.get(key)
        if not (isinstance(v, list) and len(v) >= 3 and all(isinstance(x, str) and x for x in v)):
            bad(WORDS, f"`{key}` must be a list of at least 3 non-empty strings")
    codes = words.get("area_codes", {})
    if not (isinstance(codes, dict) and len(codes) == 21 and all(re.match(r"^0\d{2,3}$", x) for x in codes.values())):
        bad(WORDS, "`area_codes` must give the 21 cities' telephone area codes")
    pc = words.get("plate_chars", "")
    if not (isinstance(pc, str) and len(pc) >= 20 and "I" not in pc and "O" not in pc):
        bad(WORDS, "`plate_chars` must list plate serial characters without I and O")


def main():
    items = []
    try:
        with open(CATALOGUE, encoding="utf-8") as f:
            items = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        bad(CATALOGUE, f"cannot read: {e}")
    ids = {i["id"] for i in items}
    fam_items = defaultdict(list)
    for i in items:
        fam_items[i["id"].rsplit("-", 1)[0]].append(i)
    query_fams = {f for f, its in fam_items.items() if any(i["service_type"] == "查询" for i in its)}
    proof_fams = {f for f, its in fam_items.items() if any(i["service_type"] == "证明" for i in its)}

    def fam_level(f):
        return max(LEVELS.get(i.get("login_level"), 1) for i in fam_items[f])

    kinds_doc = load_json(KINDS) or {}
    services_doc = load_json(SERVICES) or {}
    certs_doc = load_json(CERTIFICATES) or {}
    types_doc = load_json(LICENCE_TYPES)
    check_words(load_json(WORDS))

    if kinds_doc.get("format") != 1:
        bad(KINDS, "format must be 1")
    kinds = kinds_doc.get("kinds", [])
    codes = Counter(k.get("code") for k in kinds)
    for c, n in codes.items():
        if n > 1:
            bad(KINDS, f"kind code {c!r} listed {n} times")
    by_code = {k.get("code"): k for k in kinds}

    if services_doc.get("format") != 1:
        bad(SERVICES, "format must be 1")
    services = services_doc.get("services", {})
    families_of = defaultdict(set)
    notes = []
    for fam, code in services.items():
        sw = f"{SERVICES} {fam!r}"
        if fam not in query_fams:
            bad(sw, "is not a 查询 family of the catalogue")
            continue
        if code not in by_code:
            bad(sw, f"maps to unknown kind {code!r}")
            continue
        families_of[code].add(fam)
        k = by_code[code]
        if k.get("scope") == "personal" and k.get("level") in LEVELS:
            if LEVELS[k["level"]] < fam_level(fam):
                bad(sw, f"personal kind {code!r} is {k['level']} but the item asks for L{fam_level(fam)}")
            if fam_level(fam) == 1:
                notes.append(f"{fam} ({fam_items[fam][0]['title']}) is an L1 item answered by personal kind "
                             f"{code!r}: the page will ask for {k['level']} login")
    for fam in sorted(query_fams - set(services)):
        bad(SERVICES, f"查询 family {fam!r} ({fam_items[fam][0]['title']}) is not mapped")

    for k in kinds:
        check_kind(k, families_of)

    ltypes = check_licence_types(types_doc, ids)

    if certs_doc.get("format") != 1:
        bad(CERTIFICATES, "format must be 1")
    certs = certs_doc.get("certificates", {})
    for fam in sorted(proof_fams - set(certs)):
        bad(CERTIFICATES, f"证明 family {fam!r} ({fam_items[fam][0]['title']}) is not mapped")
    for fam, c in certs.items():
        cw = f"{CERTIFICATES} {fam!r}"
        if fam not in proof_fams:
            bad(cw, "is not a 证明 family of the catalogue")
            continue
        known = {"licence_type", "valid_days", "level", "purpose_required", "purposes", "facts", "dev"}
        if set(c) - known:
            bad(cw, f"unknown keys {sorted(set(c) - known)}")
        t = ltypes.get(c.get("licence_type"))
        if t is None:
            bad(cw, f"unknown licence type {c.get('licence_type')!r}")
            continue
        if t.get("kind") != "certificate":
            bad(cw, f"licence type {t['code']!r} is not a certificate")
        if not any(sid.rsplit("-", 1)[0] == fam for sid in t.get("related_services", [])):
            bad(cw, f"licence type {t['code']!r} does not list an item of this family in related_services")
        expires = t.get("validity", {}).get("expires")
        vd = c.get("valid_days")
        if expires and not (is_int(vd) and vd > 0):
            bad(cw, f"{t['code']!r} expires, so `valid_days` must be a positive integer")
        if expires is False and vd is not None:
            bad(cw, f"{t['code']!r} does not expire, so `valid_days` must be null")
        if is_int(vd) and expires and vd <= t["validity"].get("expiring_within_days", 0):
            bad(cw, "`valid_days` is not longer than the type's `expiring_within_days`")
        if c.get("level") not in ("L2", "L3"):
            bad(cw, "`level` must be L2 or L3")
        elif LEVELS[c["level"]] < fam_level(fam):
            bad(cw, f"level {c['level']} is below the item's L{fam_level(fam)}")
        fields = {f["name"] for f in t.get("fields", [])}
        pr, purposes = c.get("purpose_required"), c.get("purposes", [])
        if not isinstance(pr, bool):
            bad(cw, "`purpose_required` must be true or false")
        if pr and not (isinstance(purposes, list) and purposes and all(isinstance(p, str) and HAN_RE.search(p) for p in purposes)):
            bad(cw, "`purposes` must list the Chinese choices when a purpose is required")
        if not pr and purposes:
            bad(cw, "`purposes` must be empty when no purpose is required")
        if "purpose" in fields and not pr:
            bad(cw, f"{t['code']!r} prints a purpose, so `purpose_required` must be true")
        facts = c.get("facts", [])
        if not (isinstance(facts, list) and "number" in facts and len(set(facts)) == len(facts)):
            bad(cw, "`facts` must list distinct field names including `number`")
            facts = facts if isinstance(facts, list) else []
        for f in facts:
            if f not in fields:
                bad(cw, f"fact {f!r} is not a field of {t['code']!r}")
            elif f in PLATFORM_FILLED:
                bad(cw, f"fact {f!r} is filled by the platform, not the department")
        for f in fields - STANDARD_FIELDS - {"purpose"}:
            if f not in facts:
                bad(cw, f"field {f!r} of {t['code']!r} is supplied by nobody: add it to `facts`")
        dev = c.get("dev", {})
        if not isinstance(dev, dict) or set(dev) != set(facts):
            bad(cw, "`dev` must give one hint per fact, and no other")
            continue
        fctx = Ctx(cw, facts=dev)
        graph = {}
        for f, hint in dev.items():
            graph[f] = check_value_hint(f"{cw} dev {f!r}", hint, "text", fctx, "fact")
        cyc = find_cycle(graph)
        if cyc:
            bad(cw, f"dev hints depend on each other in a circle: {' → '.join(cyc)}")

    if problems:
        for p in problems:
            print(p)
        print(f"\n{len(problems)} problem(s).")
        return 1
    per_kind = Counter(services.values())
    print(f"ok: {len(kinds)} kinds "
          f"({sum(1 for k in kinds if k.get('scope') == 'personal')} personal, "
          f"{sum(1 for k in kinds if k.get('scope') == 'public')} public, "
          f"{sum(1 for k in kinds if k.get('source') == 'platform')} answered by the platform); "
          f"{len(services)} 查询 families mapped to {len(per_kind)} kinds; "
          f"{len(certs)} 证明 families; {len(ltypes)} licence types.")
    for n in notes:
        print("note:", n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
