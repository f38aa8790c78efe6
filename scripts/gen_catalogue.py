#!/usr/bin/env python3
"""Generate data/catalogue.jsonl from the hand-written authoring files.

Inputs (relative to the repository root):
  data/authoring/services.json     list of service templates
  data/authoring/departments.json  {department_kind: {city_code: name}}; keys starting with "_" are notes

A template's "scope" is "city" (expanded into one item per prefecture-level city, 21 in all),
"province" (one item, region 440000) or a list of city codes (one item per listed city).
Its department is either a literal "department" string or a "department_kind" looked up per city.
An optional "eligibility" (适用对象: min_age, max_age, relations, mover, points) is copied to every item
of the template; the search engine matches it against who a query is for (crates/core/src/frames.rs).
Item ids are "<theme_slug>-<slug>-<region_code>". City variants get a popularity scaled by city size.

The output is deterministic: items sorted by id, one compact JSON object per line, UTF-8.
Any invalid input is reported (all problems at once) and the script exits with status 1.

Usage: python3 scripts/gen_catalogue.py
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "data/authoring/services.json"
DEPARTMENTS = ROOT / "data/authoring/departments.json"
OUTPUT = ROOT / "data/catalogue.jsonl"
PROVINCE = "440000"

# category -> themes, as in the platform spec (CATALOGUE.md, table 1)
THEMES = {
    "常用服务": ["公积金", "社保", "护照通行证", "行驶驾驶", "税务", "户政（治安）", "生活缴费", "交通出行"],
    "专项服务": ["不动产登记", "公共服务", "人才与就业", "法律服务", "调解仲裁", "社会救助", "信用信息"],
    "人生事": ["婚姻", "新生儿"],
    "营商服务": ["中介超市", "企业开办"],
    "群体服务": ["助残", "境外人士"],
    "专区": ["少数民族旅游服务", "智慧出行服务", "公安服务", "人社服务", "流动人口", "粤港澳大湾区服务"],
}
THEME_CATEGORY = {t: c for c, ts in THEMES.items() for t in ts}
# city code -> (short name, popularity weight reflecting size and app usage)
CITIES = {
    "440100": ("广州", 1.00), "440300": ("深圳", 0.99), "441900": ("东莞", 0.93), "440600": ("佛山", 0.92),
    "441300": ("惠州", 0.86), "442000": ("中山", 0.85), "440400": ("珠海", 0.84), "440700": ("江门", 0.83),
    "440500": ("汕头", 0.83), "440800": ("湛江", 0.82), "440900": ("茂名", 0.80), "445200": ("揭阳", 0.79),
    "441200": ("肇庆", 0.79), "441800": ("清远", 0.78), "441400": ("梅州", 0.77), "440200": ("韶关", 0.76),
    "445100": ("潮州", 0.75), "441600": ("河源", 0.75), "441700": ("阳江", 0.74), "441500": ("汕尾", 0.73),
    "445300": ("云浮", 0.72),
}
AUDIENCES = {"自然人", "法人"}
SERVICE_TYPES = {"查询", "办理", "预约", "缴费", "证明"}
LOGIN_LEVELS = {"L1", "L2", "L3"}
REQUIRED = ["slug", "theme_slug", "title", "aliases", "keywords", "category", "theme", "scope", "audience",
            "service_type", "online", "in_person", "login_level", "steps", "materials", "description", "popularity"]
SLUG = re.compile(r"^[a-z0-9]+$")
RELATIONS = {"parent", "child", "spouse", "grandparent", "grandchild", "elder", "infant", "self"}
ELIGIBILITY_KEYS = {"min_age", "max_age", "relations", "mover", "points"}
STR_LISTS = {"aliases": (0, 4), "keywords": (2, 8), "steps": (3, 6), "materials": (0, 6)}


def check_template(t, departments):
    """Return a list of problems with one template (empty if valid)."""
    errs = [f"missing field '{f}'" for f in REQUIRED if f not in t]
    if errs:
        return errs
    if not (SLUG.match(str(t["slug"])) and SLUG.match(str(t["theme_slug"]))):
        errs.append("slug and theme_slug must be lowercase ascii letters/digits")
    if THEME_CATEGORY.get(t["theme"]) != t["category"]:
        errs.append(f"theme '{t['theme']}' / category '{t['category']}' not in the spec table")
    for f, (lo, hi) in STR_LISTS.items():
        v = t[f]
        if not (isinstance(v, list) and lo <= len(v) <= hi and all(isinstance(x, str) and x for x in v)):
            errs.append(f"'{f}' must be a list of {lo}-{hi} non-empty strings")
    if not (t["audience"] and set(t["audience"]) <= AUDIENCES):
        errs.append(f"audience must be a non-empty subset of {sorted(AUDIENCES)}")
    if t["service_type"] not in SERVICE_TYPES:
        errs.append(f"service_type must be one of {sorted(SERVICE_TYPES)}")
    if t["login_level"] not in LOGIN_LEVELS:
        errs.append("login_level must be L1, L2 or L3")
    if not (isinstance(t["online"], bool) and isinstance(t["in_person"], bool) and (t["online"] or t["in_person"])):
        errs.append("online/in_person must be booleans, at least one true")
    if not (isinstance(t["popularity"], int) and 1 <= t["popularity"] <= 100):
        errs.append("popularity must be an integer 1-100")
    if not (isinstance(t["title"], str) and t["title"] and isinstance(t["description"], str) and t["description"]):
        errs.append("title and description must be non-empty strings")
    if "eligibility" in t:
        errs += check_eligibility(t["eligibility"])
    scope = t["scope"]
    if scope not in ("city", "province") and not (isinstance(scope, list) and scope and set(scope) <= set(CITIES)):
        errs.append("scope must be 'city', 'province' or a non-empty list of city codes")
    if scope == "city" and any(short in t["title"] for short, _ in CITIES.values()):
        errs.append("city templates must not carry a city name in the title")
    if ("department" in t) == ("department_kind" in t):
        errs.append("give exactly one of 'department' or 'department_kind'")
    elif "department_kind" in t:
        codes = list(CITIES) if scope == "city" else (scope if isinstance(scope, list) else [])
        names = departments.get(t["department_kind"])
        if not codes or names is None or any(not names.get(c) for c in codes):
            errs.append(f"department_kind '{t['department_kind']}' unknown or missing a city name")
    return errs


def check_eligibility(e):
    """Return the problems of one template's "eligibility" object."""
    if not isinstance(e, dict) or not e or set(e) - ELIGIBILITY_KEYS:
        return [f"eligibility must be a non-empty object with keys among {sorted(ELIGIBILITY_KEYS)}"]
    errs = []
    ages = [e.get(k) for k in ("min_age", "max_age") if k in e]
    if not all(isinstance(a, int) and 0 <= a <= 150 for a in ages):
        errs.append("eligibility ages must be integers 0-150")
    elif len(ages) == 2 and ages[0] > ages[1]:
        errs.append("eligibility min_age is above max_age")
    if "relations" in e and not (isinstance(e["relations"], list) and e["relations"]
                                 and set(e["relations"]) <= RELATIONS):
        errs.append(f"eligibility relations must be a non-empty subset of {sorted(RELATIONS)}")
    if "mover" in e and e["mover"] not in RELATIONS:
        errs.append(f"eligibility mover must be one of {sorted(RELATIONS)}")
    points = e.get("points", [0, 0])
    if not (isinstance(points, list) and len(points) == 2 and all(isinstance(p, int) for p in points)
            and 0 <= points[0] <= points[1] <= 12):
        errs.append("eligibility points must be [low, high] within 0-12")
    return errs


def expand(t, departments):
    """Yield catalogue items for one valid template."""
    scope = t["scope"]
    codes = [PROVINCE] if scope == "province" else (sorted(CITIES) if scope == "city" else scope)
    for code in codes:
        weight = CITIES[code][1] if scope == "city" else 1.0
        item = {
            "id": f"{t['theme_slug']}-{t['slug']}-{code}", "title": t["title"], "aliases": t["aliases"],
            "keywords": t["keywords"], "category": t["category"], "theme": t["theme"],
            "department": t.get("department") or departments[t["department_kind"]][code],
            "region_code": code, "audience": t["audience"], "service_type": t["service_type"],
            "online": t["online"], "in_person": t["in_person"], "login_level": t["login_level"],
            "steps": t["steps"], "materials": t["materials"], "description": t["description"],
            "popularity": max(1, min(100, round(t["popularity"] * weight))), "url": "",
        }
        if "eligibility" in t:
            item["eligibility"] = t["eligibility"]
        yield item


def main():
    try:
        templates = json.loads(SERVICES.read_text(encoding="utf-8"))
        departments = {k: v for k, v in json.loads(DEPARTMENTS.read_text(encoding="utf-8")).items()
                       if not k.startswith("_")}
    except (OSError, json.JSONDecodeError) as e:
        sys.exit(f"gen_catalogue: cannot read authoring files: {e}")
    if not isinstance(templates, list):
        sys.exit("gen_catalogue: services.json must be a JSON list of templates")
    errors, items, theme_slugs = [], {}, {}
    for i, t in enumerate(templates):
        where = f"template #{i} ({t.get('slug', '?') if isinstance(t, dict) else '?'})"
        problems = check_template(t, departments) if isinstance(t, dict) else ["not a JSON object"]
        if not problems and theme_slugs.setdefault(t["theme"], t["theme_slug"]) != t["theme_slug"]:
            problems.append(f"theme '{t['theme']}' already uses theme_slug '{theme_slugs[t['theme']]}'")
        if problems:
            errors += [f"{where}: {p}" for p in problems]
            continue
        for item in expand(t, departments):
            if item["id"] in items:
                errors.append(f"{where}: duplicate id {item['id']}")
            items[item["id"]] = item
    missing = sorted(set(THEME_CATEGORY) - {it["theme"] for it in items.values()})
    if missing:
        errors.append(f"themes without any item: {', '.join(missing)}")
    if errors:
        print("gen_catalogue: invalid input:\n  " + "\n  ".join(errors), file=sys.stderr)
        sys.exit(1)
    lines = [json.dumps(items[k], ensure_ascii=False, separators=(",", ":")) for k in sorted(items)]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"gen_catalogue: wrote {len(lines)} items ({len(templates)} templates) to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
