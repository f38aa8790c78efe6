#!/usr/bin/env python3
"""Check the typed 办理 flows under data/flows/ against their format and the catalogue.

Run from the repository root:

    python3 scripts/check_flows.py                      # check everything, exit 1 on problems
    python3 scripts/check_flows.py --stats              # also print the derivation's statistics
    python3 scripts/check_flows.py --dump-derived F     # write every derived flow to F (JSON Lines)

What it checks (data/flows/README.md is the reference):

* data/flows/services/<family>.json — the hand-authored flows: keys and types, field and
  material rules, `when` conditions, the step order (citizen steps, one confirm, department
  steps), the family and title against data/catalogue.jsonl, the wallet licence types and
  their disclosed fields against data/wallet/licence_types.json;
* data/flows/materials.json — material names are catalogue names, each listed once, with
  known licence types and fields;
* data/flows/derive.json — its keyword lists, and that the derivation rule written in the
  README, applied to every 办理 item, yields a valid flow (this file carries a reference
  implementation of the rule, `derive_flow`, so that the Rust one can be compared with it);
* coverage — every 办理 title ranked in the top 60 by popularity (ties included) has a
  hand-authored flow.

Standard library only. Problems are printed as `file: reason`, one a line.
"""

import datetime
import json
import os
import re
import sys
from collections import Counter, OrderedDict

ROOT = os.getcwd()
CATALOGUE = "data/catalogue.jsonl"
LICENCES = "data/wallet/licence_types.json"
FLOWS = "data/flows"
SERVICES = "data/flows/services"
MATERIALS = "data/flows/materials.json"
DERIVE = "data/flows/derive.json"

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CJK_RE = re.compile(r"[\u3400-\u9fff]")
DATE_RE = re.compile(r"^(today|today[+-][0-9]{1,4}d|[0-9]{4}-[0-9]{2}-[0-9]{2})$")
FIELD_TYPES = {"text", "number", "date", "choice", "id_number", "uscc", "phone", "address", "yes_no"}
PREFILL_TYPES = {
    "name": {"text"},
    "id_number": {"id_number"},
    "phone": {"phone"},
    "address": {"address"},
    "org_name": {"text"},
    "uscc": {"uscc"},
}
ORG_PREFILLS = {"org_name", "uscc"}
RESULT_KINDS = {"licence", "certificate", "document", "funds", "registration", "decision"}
AUDIENCES = {"person", "organisation", "any"}
ACCEPT = {"image", "pdf"}
TOP_TITLES = 60

# Keys each object may carry (beyond these is an error: a typo would silently be ignored).
FLOW_KEYS = {"format", "service", "title", "audience", "steps", "result"}
STEP_KEYS = {
    "form": ({"kind", "title", "fields"}, {"description"}),
    "materials": ({"kind", "title", "materials"}, {"description"}),
    "confirm": ({"kind", "title", "declaration"}, set()),
    "department": (
        {"kind", "title", "duration_days", "working_days", "in_person", "description"},
        {"actor"},
    ),
}
FIELD_COMMON = {"name", "label", "type", "required"}
FIELD_OPTIONAL = {"help", "prefill", "when"}
FIELD_SPECIFIC = {
    "text": {"min_length", "max_length", "pattern"},
    "number": {"min", "max", "decimals", "unit"},
    "date": {"min_date", "max_date"},
    "choice": {"options"},
    "yes_no": set(),
    "address": set(),
    "id_number": set(),
    "uscc": set(),
    "phone": set(),
}
MATERIAL_KEYS = ({"slot", "name", "required", "wallet_types", "disclose", "accept", "max_files"}, {"help"})
RESULT_KEYS = ({"name", "kind", "collect"}, {"wallet_type", "valid_years"})


class Problems:
    """Collects `file: reason` lines."""

    def __init__(self):
        self.lines = []

    def add(self, where, reason):
        self.lines.append(f"{where}: {reason}")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def nonempty_str(v, max_chars=None):
    return isinstance(v, str) and v.strip() != "" and (max_chars is None or len(v) <= max_chars)


def check_keys(p, where, obj, required, optional):
    if not isinstance(obj, dict):
        p.add(where, "is not an object")
        return False
    for k in sorted(required - obj.keys()):
        p.add(where, f"missing key `{k}`")
    for k in sorted(obj.keys() - required - optional):
        p.add(where, f"unknown key `{k}`")
    return required <= obj.keys()


def parse_date_spec(s):
    """Returns a date for an absolute spec, the string 'relative' for a today-based one, None if bad."""
    if not isinstance(s, str) or not DATE_RE.match(s):
        return None
    if s.startswith("today"):
        return "relative"
    try:
        return datetime.date.fromisoformat(s)
    except ValueError:
        return None


def relative_days(s):
    if s == "today":
        return 0
    sign = 1 if s[5] == "+" else -1
    return sign * int(s[6:-1])


RUST_UNSUPPORTED = re.compile(r"\(\?[=!<]|\\[1-9]|\(\?P=")


def check_pattern(p, where, pat):
    if not isinstance(pat, str) or not pat.startswith("^") or not pat.endswith("$"):
        p.add(where, "pattern must be a string anchored with ^…$")
        return
    if RUST_UNSUPPORTED.search(pat):
        p.add(where, "pattern uses look-around or back-references, which Rust's regex lacks")
        return
    try:
        re.compile(pat)
    except re.error as e:
        p.add(where, f"pattern does not compile: {e}")


# ---------------------------------------------------------------------------
# Reference data
# ---------------------------------------------------------------------------


def load_catalogue():
    items = []
    with open(os.path.join(ROOT, CATALOGUE), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                items.append(json.loads(line))
    return items


def family_of(item_id):
    return item_id.rsplit("-", 1)[0]


def load_licences():
    with open(os.path.join(ROOT, LICENCES), encoding="utf-8") as f:
        doc = json.load(f)
    return {t["code"]: {fld["name"] for fld in t["fields"]} for t in doc["types"]}


def audience_of(item_audience):
    """Catalogue audience (自然人 / 法人) → flow audience."""
    person = "自然人" in item_audience
    org = "法人" in item_audience
    if person and org:
        return "any"
    return "organisation" if org else "person"


# ---------------------------------------------------------------------------
# Flow validation (shared by hand-authored and derived flows)
# ---------------------------------------------------------------------------


def check_field(p, where, fld, audience, earlier):
    """Checks one field; `earlier` maps names of earlier fields to their field objects."""
    if not isinstance(fld, dict):
        p.add(where, "field is not an object")
        return
    ftype = fld.get("type")
    if ftype not in FIELD_TYPES:
        p.add(where, f"unknown field type {ftype!r}")
        return
    if not check_keys(p, where, fld, FIELD_COMMON, FIELD_OPTIONAL | FIELD_SPECIFIC[ftype]):
        return
    name = fld["name"]
    if not isinstance(name, str) or not NAME_RE.match(name):
        p.add(where, f"field name {name!r} is not ^[a-z][a-z0-9_]{{0,39}}$")
    if not nonempty_str(fld["label"], 20) or not CJK_RE.search(fld["label"]):
        p.add(where, f"label {fld['label']!r} must be Chinese, 1–20 characters")
    if not isinstance(fld["required"], bool):
        p.add(where, "required must be true or false")
    if "help" in fld and not nonempty_str(fld["help"], 60):
        p.add(where, "help must be 1–60 characters")
    if "prefill" in fld:
        pf = fld["prefill"]
        if pf not in PREFILL_TYPES:
            p.add(where, f"unknown prefill {pf!r}")
        elif ftype not in PREFILL_TYPES[pf]:
            p.add(where, f"prefill {pf} does not fit a {ftype} field")
        elif pf in ORG_PREFILLS and audience == "person":
            p.add(where, f"prefill {pf} in a flow for persons")
    if ftype == "text":
        lo, hi = fld.get("min_length", 1), fld.get("max_length", 200)
        if not is_int(lo) or not is_int(hi) or lo < 0 or hi < 1 or lo > hi or hi > 2000:
            p.add(where, "min_length / max_length must be integers with 0 ≤ min ≤ max ≤ 2000")
        if "pattern" in fld:
            check_pattern(p, where, fld["pattern"])
    elif ftype == "number":
        lo, hi = fld.get("min"), fld.get("max")
        if not is_num(lo) or not is_num(hi) or lo >= hi:
            p.add(where, "number needs numeric min < max")
        if fld.get("decimals", 0) not in (0, 1, 2) or isinstance(fld.get("decimals", 0), bool):
            p.add(where, "decimals must be 0, 1 or 2")
        if "unit" in fld and not nonempty_str(fld["unit"], 8):
            p.add(where, "unit must be a short string")
    elif ftype == "date":
        specs = {}
        for k in ("min_date", "max_date"):
            if k in fld:
                v = parse_date_spec(fld[k])
                if v is None:
                    p.add(where, f"{k} {fld[k]!r} is not today, today±Nd or YYYY-MM-DD")
                specs[k] = v
        if specs.get("min_date") and specs.get("max_date"):
            a, b = specs["min_date"], specs["max_date"]
            if a != "relative" and b != "relative" and a > b:
                p.add(where, "min_date is after max_date")
            if a == "relative" and b == "relative":
                if relative_days(fld["min_date"]) > relative_days(fld["max_date"]):
                    p.add(where, "min_date is after max_date")
    elif ftype == "choice":
        opts = fld.get("options")
        if (
            not isinstance(opts, list)
            or not 2 <= len(opts) <= 20
            or not all(nonempty_str(o, 40) for o in opts)
            or len(set(opts)) != len(opts)
        ):
            p.add(where, "options must be 2–20 distinct non-empty strings")
        elif not all(CJK_RE.search(o) for o in opts):
            p.add(where, "options must be Chinese")
    if "when" in fld:
        w = fld["when"]
        if not check_keys(p, where + " when", w, {"field", "equals"}, set()):
            return
        ref = earlier.get(w["field"])
        if ref is None:
            p.add(where, f"when refers to {w['field']!r}, which is not an earlier field")
        elif isinstance(w["equals"], bool):
            if ref.get("type") != "yes_no":
                p.add(where, f"when equals a boolean but {w['field']} is not a yes_no field")
        elif isinstance(w["equals"], str):
            if ref.get("type") != "choice" or w["equals"] not in ref.get("options", []):
                p.add(where, f"when equals {w['equals']!r}, not an option of {w['field']}")
        else:
            p.add(where, "when equals must be an option string or a boolean")


def check_step_applies(p, where, fields, earlier):
    """A form step whose every field is conditional must show at least one field whatever the
    answer: all conditions on one earlier field, together covering all its values."""
    conds = [f.get("when") for f in fields if isinstance(f, dict)]
    if not conds or not all(isinstance(c, dict) for c in conds):
        return
    refs = {c.get("field") for c in conds}
    if len(refs) != 1:
        p.add(where, "every field is conditional on different fields; the step could be empty")
        return
    ref = earlier.get(refs.pop())
    if ref is None:
        return
    values = set(ref.get("options", [])) if ref.get("type") == "choice" else {True, False}
    missing = values - {c.get("equals") for c in conds}
    if missing:
        p.add(where, f"no field applies when {ref.get('name')} is {sorted(map(str, missing))}")


def check_material(p, where, mat, licences):
    if not check_keys(p, where, mat, *MATERIAL_KEYS):
        return
    if not isinstance(mat["slot"], str) or not NAME_RE.match(mat["slot"]):
        p.add(where, f"slot {mat['slot']!r} is not ^[a-z][a-z0-9_]{{0,39}}$")
    if not nonempty_str(mat["name"], 60):
        p.add(where, "name must be 1–60 characters")
    if not isinstance(mat["required"], bool):
        p.add(where, "required must be true or false")
    wt, disc = mat["wallet_types"], mat["disclose"]
    if not isinstance(wt, list) or len(set(map(str, wt))) != len(wt):
        p.add(where, "wallet_types must be a list without repeats")
        wt = []
    for code in wt:
        if code not in licences:
            p.add(where, f"unknown wallet type {code!r}")
    if not isinstance(disc, list) or len(set(map(str, disc))) != len(disc):
        p.add(where, "disclose must be a list without repeats")
        disc = []
    if wt and not disc:
        p.add(where, "disclose must not be empty when wallet_types is not")
    if disc and not wt:
        p.add(where, "disclose must be empty when wallet_types is")
    for d in disc:
        for code in wt:
            if code in licences and d not in licences[code]:
                p.add(where, f"disclose field {d!r} is not a field of {code}")
    acc = mat["accept"]
    if not isinstance(acc, list) or not acc or not set(acc) <= ACCEPT or len(set(acc)) != len(acc):
        p.add(where, "accept must be a non-empty subset of image, pdf")
    if not is_int(mat["max_files"]) or not 1 <= mat["max_files"] <= 10:
        p.add(where, "max_files must be 1–10")
    if "help" in mat and not nonempty_str(mat["help"], 60):
        p.add(where, "help must be 1–60 characters")


def check_flow(p, where, flow, licences):
    """Checks one flow object (hand-authored or derived). Returns True if its shape was readable."""
    if not check_keys(p, where, flow, FLOW_KEYS, set()):
        return False
    if flow["format"] != 1 or isinstance(flow["format"], bool):
        p.add(where, "format must be 1")
    if not nonempty_str(flow["title"]):
        p.add(where, "title must be a non-empty string")
    audience = flow["audience"]
    if audience not in AUDIENCES:
        p.add(where, f"audience {audience!r} is not person, organisation or any")
    steps = flow["steps"]
    if not isinstance(steps, list) or not 3 <= len(steps) <= 10:
        p.add(where, "steps must be a list of 3–10 steps")
        return False
    kinds = []
    earlier = {}
    slots = set()
    for n, step in enumerate(steps, 1):
        sw = f"{where} step {n}"
        kind = step.get("kind") if isinstance(step, dict) else None
        if kind not in STEP_KEYS:
            p.add(sw, f"unknown step kind {kind!r}")
            kinds.append("?")
            continue
        kinds.append(kind)
        if not check_keys(p, sw, step, *STEP_KEYS[kind]):
            continue
        if not nonempty_str(step["title"], 30):
            p.add(sw, "title must be 1–30 characters")
        if "description" in step and not nonempty_str(step["description"], 120):
            p.add(sw, "description must be 1–120 characters")
        if kind == "form":
            fields = step["fields"]
            if not isinstance(fields, list) or not 1 <= len(fields) <= 20:
                p.add(sw, "a form step has 1–20 fields")
                continue
            for fld in fields:
                name = fld.get("name") if isinstance(fld, dict) else None
                fw = f"{sw} field {name}"
                check_field(p, fw, fld, audience, earlier)
                if name in earlier:
                    p.add(fw, "field name repeats an earlier field")
                if isinstance(name, str):
                    earlier[name] = fld
            check_step_applies(p, sw, fields, earlier)
        elif kind == "materials":
            mats = step["materials"]
            if not isinstance(mats, list) or not 1 <= len(mats) <= 12:
                p.add(sw, "a materials step has 1–12 materials")
                continue
            for mat in mats:
                slot = mat.get("slot") if isinstance(mat, dict) else None
                mw = f"{sw} material {slot}"
                check_material(p, mw, mat, licences)
                if slot in slots:
                    p.add(mw, "slot repeats an earlier slot")
                slots.add(slot)
        elif kind == "confirm":
            if not nonempty_str(step["declaration"], 200):
                p.add(sw, "declaration must be 1–200 characters")
        elif kind == "department":
            d = step["duration_days"]
            if not is_int(d) or not 0 <= d <= 60:
                p.add(sw, "duration_days must be an integer 0–60")
            for k in ("working_days", "in_person"):
                if not isinstance(step[k], bool):
                    p.add(sw, f"{k} must be true or false")
            if "actor" in step and not nonempty_str(step["actor"], 40):
                p.add(sw, "actor must be 1–40 characters")
    # Step order: citizen steps (form / materials), exactly one confirm, then department steps.
    order = "".join({"form": "f", "materials": "m", "confirm": "c", "department": "d"}.get(k, "?") for k in kinds)
    if not re.fullmatch(r"[fm]+cd+", order):
        p.add(where, f"step order {order!r} is not (form|materials)+ confirm department+")
    if "f" not in order:
        p.add(where, "no form step")
    # Result
    res = flow["result"]
    if check_keys(p, where + " result", res, *RESULT_KEYS):
        if not nonempty_str(res["name"], 40):
            p.add(where, "result name must be 1–40 characters")
        if res["kind"] not in RESULT_KINDS:
            p.add(where, f"result kind {res['kind']!r} is unknown")
        if "wallet_type" in res and res["wallet_type"] not in licences:
            p.add(where, f"result wallet_type {res['wallet_type']!r} is unknown")
        if "valid_years" in res and (not is_int(res["valid_years"]) or not 1 <= res["valid_years"] <= 100):
            p.add(where, "result valid_years must be an integer 1–100")
        if not nonempty_str(res["collect"], 40):
            p.add(where, "result collect must be 1–40 characters")
    return True


# ---------------------------------------------------------------------------
# materials.json and derive.json
# ---------------------------------------------------------------------------


def check_materials_doc(p, doc, licences, catalogue_materials):
    where = MATERIALS
    if not check_keys(p, where, doc, {"format", "materials"}, set()):
        return {}
    if doc["format"] != 1:
        p.add(where, "format must be 1")
    table = {}
    for n, entry in enumerate(doc["materials"], 1):
        ew = f"{where} entry {n}"
        if not check_keys(p, ew, entry, {"names", "wallet_types", "disclose"}, set()):
            continue
        if not entry["names"] or not entry["wallet_types"] or not entry["disclose"]:
            p.add(ew, "names, wallet_types and disclose must all be non-empty")
        for code in entry["wallet_types"]:
            if code not in licences:
                p.add(ew, f"unknown wallet type {code!r}")
        for d in entry["disclose"]:
            for code in entry["wallet_types"]:
                if code in licences and d not in licences[code]:
                    p.add(ew, f"disclose field {d!r} is not a field of {code}")
        for name in entry["names"]:
            if name not in catalogue_materials:
                p.add(ew, f"material name {name!r} is not in the catalogue")
            if name in table:
                p.add(ew, f"material name {name!r} is listed twice")
            table[name] = entry
    return table


def check_derive_doc(p, doc, licences):
    where = DERIVE
    lists = ["skip", "form", "materials", "review", "confirm", "in_person", "remote", "strip", "department_strip",
             "data_materials", "title_trim", "strip_end"]
    required = {"format", "department", "default_department", "results", "default_result", "applicant",
                "confirm_step", "material_defaults", "department_text"} | set(lists)
    if not check_keys(p, where, doc, required, {"note"}):
        return False
    ok = True
    for k in lists:
        v = doc[k]
        if not isinstance(v, list) or not v or not all(nonempty_str(x) for x in v) or len(set(v)) != len(v):
            p.add(where, f"`{k}` must be a non-empty list of distinct strings")
            ok = False
    for n, e in enumerate(doc["department"], 1):
        ew = f"{where} department {n}"
        if not check_keys(p, ew, e, {"keyword", "duration_days", "working_days"}, set()):
            ok = False
            continue
        if not nonempty_str(e["keyword"]) or not is_int(e["duration_days"]) or not 0 <= e["duration_days"] <= 60:
            p.add(ew, "keyword must be a string and duration_days 0–60")
        if not isinstance(e["working_days"], bool):
            p.add(ew, "working_days must be true or false")
    dd = doc["default_department"]
    if not check_keys(p, where + " default_department", dd, {"title", "duration_days", "working_days"}, set()):
        ok = False
    ap = doc["applicant"]
    if check_keys(p, where + " applicant", ap, {"title", "person", "organisation"}, set()):
        for key, audience in (("person", "person"), ("organisation", "organisation")):
            earlier = {}
            for fld in ap[key]:
                check_field(p, f"{where} applicant {key} {fld.get('name')}", fld, audience, earlier)
                earlier[fld.get("name")] = fld
                if fld.get("name", "").startswith(("answer_", "data_")):
                    p.add(where, "applicant field names must not start with answer_ or data_")
    else:
        ok = False
    if not check_keys(p, where + " confirm_step", doc["confirm_step"], {"title", "declaration"}, set()):
        ok = False
    elif not nonempty_str(doc["confirm_step"]["declaration"], 200):
        p.add(where, "confirm_step declaration must be 1–200 characters")
    md = doc["material_defaults"]
    if not check_keys(p, where + " material_defaults", md, {"title", "accept", "max_files"}, set()):
        ok = False
    dt = doc["department_text"]
    if not check_keys(p, where + " department_text", dt,
                      {"instant", "timed", "in_person", "working_unit", "calendar_unit"}, set()):
        ok = False
    elif "{days}" not in dt["timed"] or "{unit}" not in dt["timed"]:
        p.add(where, "department_text timed must contain {days} and {unit}")
    if not check_keys(p, where + " default_result", doc["default_result"], {"name", "kind", "collect"}, set()):
        ok = False
    for n, e in enumerate(doc["results"], 1):
        ew = f"{where} results {n}"
        if not check_keys(p, ew, e, {"kind", "name", "collect"}, {"suffix", "contains", "wallet_type", "valid_years"}):
            ok = False
            continue
        if ("suffix" in e) == ("contains" in e):
            p.add(ew, "give exactly one of suffix or contains")
        if not nonempty_str(e.get("name", "")) or not nonempty_str(e.get("collect", "")):
            p.add(ew, "name and collect must be non-empty strings")
        if e["kind"] not in RESULT_KINDS:
            p.add(ew, f"unknown kind {e['kind']!r}")
        if "wallet_type" in e and e["wallet_type"] not in licences:
            p.add(ew, f"unknown wallet type {e['wallet_type']!r}")
    return ok


# ---------------------------------------------------------------------------
# The derivation rule (reference implementation of data/flows/README.md § Derivation)
# ---------------------------------------------------------------------------


def _any_in(text, words):
    return any(w in text for w in words)


def classify(text, rules, late):
    """Classifies one catalogue step text, reading the classes in a fixed order. Returns one of
    skip, form, form+materials, materials, confirm, department; `late` tells whether a
    confirm or department step came before (it decides texts that no keyword matches)."""
    if _any_in(text, rules["skip"]):
        return "skip"
    if any(text.startswith(v) for v in rules["form"]):
        return "form+materials" if _any_in(text, rules["materials"]) else "form"
    if any(text.startswith(v) for v in rules["materials"]):
        return "materials"
    if any(text.startswith(v) for v in rules["review"]):
        return "confirm"
    if _first_department(text, rules) is not None:
        return "department"
    if _any_in(text, rules["confirm"]):
        return "confirm"
    if _any_in(text, rules["form"]):
        return "form+materials" if _any_in(text, rules["materials"]) else "form"
    if _any_in(text, rules["materials"]):
        return "materials"
    return "department" if late else "form"


def _first_department(text, rules):
    for e in rules["department"]:
        if e["keyword"] in text:
            return e
    return None


def strip_prefix(text, words):
    """Removes the longest of `words` that begins the text, once."""
    for w in sorted(words, key=len, reverse=True):
        if text.startswith(w):
            return text[len(w):]
    return text


def make_label(text, rules):
    """A field or material label from a step text: the leading verb (`strip`) and a trailing
    「并提交」-like tail (`strip_end`) removed, at most 20 characters; the text itself if nothing is left."""
    label = strip_prefix(text, rules["strip"])
    for w in sorted(rules["strip_end"], key=len, reverse=True):
        if label.endswith(w):
            label = label[: -len(w)]
            break
    label = label.strip("，、,；; ")
    return (label or text)[:20]


def split_fill_upload(text, rules):
    """「填写…并上传…」 → (form part, materials part), cut before the first materials keyword."""
    cut = min(text.find(w) for w in rules["materials"] if w in text)
    form_part = text[:cut]
    if form_part.endswith("并"):
        form_part = form_part[:-1]
    return form_part, text[cut:]


def trim_title(title, rules):
    """The title without one trailing procedural word (申领, 申请, 补发换发 …): 「生育津贴申领」 → 「生育津贴」."""
    for w in sorted(rules["title_trim"], key=len, reverse=True):
        if title.endswith(w) and len(title) > len(w):
            return title[: -len(w)]
    return title


def derive_result(title, rules):
    """The result from the first `results` entry that matches: `contains` on the title,
    `suffix` on the trimmed title; `{title}` in a name is the trimmed title."""
    short = trim_title(title, rules)
    chosen = rules["default_result"]
    for e in rules["results"]:
        if ("contains" in e and e["contains"] in title) or ("suffix" in e and short.endswith(e["suffix"])):
            chosen = e
            break
    res = OrderedDict()
    res["name"] = chosen["name"].replace("{title}", short)[:40]
    res["kind"] = chosen["kind"]
    if "wallet_type" in chosen:
        res["wallet_type"] = chosen["wallet_type"]
    if "valid_years" in chosen:
        res["valid_years"] = chosen["valid_years"]
    res["collect"] = chosen["collect"]
    return res


def derive_flow(item, rules, material_table):
    """Derives the flow of one 办理 item from its steps and materials (README § 派生规则)."""
    audience = audience_of(item["audience"])
    # Materials that are data, not documents (用电户号, 准考证号 …) are asked as text fields.
    data_names = [m for m in item["materials"] if any(m.endswith(x) for x in rules["data_materials"])]
    documents = [m for m in item["materials"] if m not in data_names]
    citizen, departments = [], []
    seen_department = False  # a department step has been read
    seen_late = False  # a department or confirm step has been read
    materials_done = False
    form_count = 0

    def label_of(text):
        return make_label(text, rules)

    def add_form(text):
        nonlocal form_count
        form_count += 1
        fld = OrderedDict()
        fld["name"] = f"answer_{form_count}"
        fld["label"] = label_of(text)
        fld["type"] = "text"
        fld["required"] = True
        fld["max_length"] = 500
        fld["help"] = text[:60]
        citizen.append(OrderedDict([("kind", "form"), ("title", text[:30]), ("fields", [fld])]))

    def materials_step(text):
        md = rules["material_defaults"]
        names = documents or [label_of(text)]
        mats = []
        for n, name in enumerate(names[:12], 1):
            entry = material_table.get(name)
            m = OrderedDict()
            m["slot"] = f"material_{n}"
            m["name"] = name
            m["required"] = bool(documents)
            m["wallet_types"] = list(entry["wallet_types"]) if entry else []
            m["disclose"] = list(entry["disclose"]) if entry else []
            m["accept"] = list(md["accept"])
            m["max_files"] = md["max_files"]
            mats.append(m)
        title = md["title"] if documents else (text or md["title"])
        return OrderedDict([("kind", "materials"), ("title", title[:30]), ("materials", mats)])

    def add_materials(text):
        nonlocal materials_done
        if not materials_done:
            materials_done = True
            citizen.append(materials_step(text))

    for text in item["steps"]:
        cls = classify(text, rules, seen_late)
        if cls in ("form", "form+materials", "materials") and seen_department:
            cls = "department"  # a citizen action listed after the department's work
        if cls == "skip":
            continue
        if cls == "confirm":
            seen_late = True
            continue
        if cls == "form":
            add_form(text)
        elif cls == "form+materials":
            form_part, mat_part = split_fill_upload(text, rules)
            add_form(form_part or text)
            add_materials(mat_part)
        elif cls == "materials":
            add_materials(text)
        else:
            seen_department = seen_late = True
            e = _first_department(text, rules)
            step = OrderedDict()
            step["kind"] = "department"
            step["title"] = (strip_prefix(text, rules["department_strip"]) or text)[:30]
            step["actor"] = item["department"][:40]
            step["duration_days"] = e["duration_days"] if e else 0
            step["working_days"] = e["working_days"] if e else True
            step["in_person"] = _any_in(text, rules["in_person"]) and not _any_in(text, rules["remote"])
            step["description"] = department_description(step, rules)
            departments.append(step)

    # A materials step after the last form step when there are documents and no step uploads.
    if documents and not materials_done:
        last_form = max((i for i, s in enumerate(citizen) if s["kind"] == "form"), default=-1)
        citizen.insert(last_form + 1, materials_step(rules["material_defaults"]["title"]))

    # The applicant block, then the data materials, go first into the first form step.
    block = applicant_block(audience, rules)
    labels = {f["label"] for s in citizen if s["kind"] == "form" for f in s["fields"]}
    for n, name in enumerate(data_names, 1):
        if name[:20] not in labels:
            block.append(OrderedDict([("name", f"data_{n}"), ("label", name[:20]), ("type", "text"),
                                      ("required", True), ("max_length", 50)]))
    first_form = next((s for s in citizen if s["kind"] == "form"), None)
    if first_form is None:
        first_form = OrderedDict([("kind", "form"), ("title", rules["applicant"]["title"]), ("fields", [])])
        citizen.insert(0, first_form)
    first_form["fields"] = block + first_form["fields"]

    if not departments:
        dd = rules["default_department"]
        step = OrderedDict([
            ("kind", "department"), ("title", dd["title"]), ("actor", item["department"][:40]),
            ("duration_days", dd["duration_days"]), ("working_days", dd["working_days"]),
            ("in_person", False),
        ])
        step["description"] = department_description(step, rules)
        departments.append(step)

    confirm = OrderedDict([
        ("kind", "confirm"),
        ("title", rules["confirm_step"]["title"]),
        ("declaration", rules["confirm_step"]["declaration"]),
    ])
    room = 10 - len(citizen) - 1
    if len(departments) > room:
        # Never more than 10 steps: keep the first department steps and the last one.
        departments = departments[: room - 1] + departments[-1:]
    return OrderedDict([
        ("format", 1),
        ("service", family_of(item["id"])),
        ("title", item["title"]),
        ("audience", audience),
        ("steps", citizen + [confirm] + departments),
        ("result", derive_result(item["title"], rules)),
    ])


def applicant_block(audience, rules):
    key = "organisation" if audience == "organisation" else "person"
    return [OrderedDict(f) for f in rules["applicant"][key]]


def department_description(step, rules):
    dt = rules["department_text"]
    days = step["duration_days"]
    unit = dt["working_unit"] if step["working_days"] else dt["calendar_unit"]
    if days == 0:
        text = dt["in_person"] if step["in_person"] else dt["instant"]
    else:
        text = dt["timed"].replace("{days}", str(days)).replace("{unit}", unit)
        if step["in_person"]:
            text += dt["in_person"]
    return text[:120]


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def main(argv):
    stats = "--stats" in argv
    dump = None
    if "--dump-derived" in argv:
        i = argv.index("--dump-derived")
        if i + 1 >= len(argv):
            print("usage: check_flows.py [--stats] [--dump-derived FILE]", file=sys.stderr)
            return 2
        dump = argv[i + 1]
    p = Problems()
    items = load_catalogue()
    licences = load_licences()
    banli = [i for i in items if i.get("service_type") == "办理"]
    families = {}
    for item in banli:
        families.setdefault(family_of(item["id"]), []).append(item)
    catalogue_materials = {m for i in items for m in i.get("materials", [])}

    # materials.json
    try:
        with open(os.path.join(ROOT, MATERIALS), encoding="utf-8") as f:
            material_table = check_materials_doc(p, json.load(f), licences, catalogue_materials)
    except (OSError, json.JSONDecodeError) as e:
        p.add(MATERIALS, f"cannot read: {e}")
        material_table = {}

    # Hand-authored flows
    authored = {}
    sdir = os.path.join(ROOT, SERVICES)
    for fname in sorted(os.listdir(sdir)) if os.path.isdir(sdir) else []:
        where = f"{SERVICES}/{fname}"
        if not fname.endswith(".json"):
            p.add(where, "not a .json file")
            continue
        try:
            with open(os.path.join(sdir, fname), encoding="utf-8") as f:
                raw = f.read()
            flow = json.loads(raw, object_pairs_hook=OrderedDict)
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
            p.add(where, f"cannot read: {e}")
            continue
        if not check_flow(p, where, flow, licences):
            continue
        fam = fname[:-5]
        authored[fam] = flow
        if flow["service"] != fam:
            p.add(where, f"service {flow['service']!r} differs from the file name")
        if fam not in families:
            p.add(where, f"no 办理 item of family {fam!r} in the catalogue")
            continue
        cat = families[fam][0]
        if flow["title"] != cat["title"]:
            p.add(where, f"title {flow['title']!r} differs from the catalogue's {cat['title']!r}")
        want = audience_of(cat["audience"])
        if flow["audience"] != want:
            p.add(where, f"audience {flow['audience']!r} but the catalogue says {want!r}")
        for step in flow["steps"]:
            if step.get("kind") == "materials":
                for m in step["materials"]:
                    entry = material_table.get(m.get("name"))
                    if entry and not m.get("wallet_types"):
                        p.add(where, f"material {m.get('name')!r} has wallet types in materials.json but none here")

    # Coverage of the most popular titles
    best = {}
    for item in banli:
        best[item["title"]] = max(best.get(item["title"], 0), item.get("popularity", 0))
    ranked = sorted(best.values(), reverse=True)
    if len(ranked) >= TOP_TITLES:
        cutoff = ranked[TOP_TITLES - 1]
        for fam, its in sorted(families.items()):
            if best[its[0]["title"]] >= cutoff and fam not in authored:
                p.add(SERVICES, f"top-{TOP_TITLES} title {its[0]['title']} ({fam}) has no hand-authored flow")

    # derive.json and the derivation over every 办理 item
    try:
        with open(os.path.join(ROOT, DERIVE), encoding="utf-8") as f:
            rules = json.load(f)
        rules_ok = check_derive_doc(p, rules, licences)
    except (OSError, json.JSONDecodeError) as e:
        p.add(DERIVE, f"cannot read: {e}")
        rules_ok = False
    if rules_ok:
        derived = []
        for item in banli:
            flow = derive_flow(item, rules, material_table)
            check_flow(p, f"{DERIVE} (derived for {item['id']})", flow, licences)
            derived.append(flow)
        if dump:
            with open(dump, "w", encoding="utf-8") as f:
                for item, flow in zip(banli, derived):
                    f.write(json.dumps({"id": item["id"], "flow": flow}, ensure_ascii=False) + "\n")
        if stats:
            print_stats(banli, derived, authored, rules)

    for line in p.lines:
        print(line)
    if p.lines:
        print(f"{len(p.lines)} problem(s)", file=sys.stderr)
        return 1
    print(
        f"flows ok: {len(authored)} hand-authored families, "
        f"{sum(len(families[f]) for f in authored if f in families)} items covered by them, "
        f"{len(banli)} 办理 items derive a valid flow"
    )
    return 0


def print_stats(banli, derived, authored, rules):
    by_len = Counter(len(f["steps"]) for f in derived)
    print("derived flows by number of steps:", dict(sorted(by_len.items())))
    rest = [(i, f) for i, f in zip(banli, derived) if family_of(i["id"]) not in authored]
    print(f"items without a hand-authored flow: {len(rest)}")
    print("  by number of steps:", dict(sorted(Counter(len(f["steps"]) for _, f in rest).items())))
    texts = Counter(t for i in banli for t in i["steps"])
    print("classes of the 200 most common step texts (the order they are read in):")
    for t, n in texts.most_common(200):
        c = classify(t, rules, False)
        if c == "form" and classify(t, rules, True) == "department":
            c = "(by position)"
        print(f"  {n:5d}  {c:15s} {t}")
    words = rules["skip"] + rules["form"] + rules["materials"] + rules["review"] + rules["confirm"]
    fallback = Counter()
    for i in banli:
        for t in i["steps"]:
            if not _any_in(t, words) and _first_department(t, rules) is None:
                fallback[t] += 1
    print("step texts that no keyword matches (classified by position):")
    for t, n in fallback.most_common(40):
        print(f"  {n:5d}  {t}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
