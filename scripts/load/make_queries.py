#!/usr/bin/env python3
"""Builds the mixed request sets scripts/load.sh replays (run from the repo root).

search.txt: every graded query of tests/queries.tsv (Chinese, colloquial, traditional, pinyin,
initials, fuzzy pinyin, homophone and shape typos, filler words, questions), the location-aware
queries of tests/location_queries.tsv with their phone position or city, hot queries, and a share
of filtered and paged requests.
suggest.txt: prefixes as people type them: growing Chinese prefixes of hot queries, growing
pinyin and initials prefixes of the graded pinyin queries.
Deterministic (fixed seed); paths are percent-encoded.
"""

import random
import urllib.parse

random.seed(20261126)


def rows(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                yield line.split("\t")


def url(path, **params):
    return path + "?" + urllib.parse.urlencode({k: v for k, v in params.items() if v != ""})


graded = list(rows("tests/queries.tsv"))
located = list(rows("tests/location_queries.tsv"))
hot = [r[0] for r in rows("dictionaries/hot_queries.tsv")]

search = []
for kind, query, *_ in graded:
    search.append(url("/api/v1/search", q=query))
for query, position, city, *_ in located:
    if position:
        lat, lng = position.split(",")
        search.append(url("/api/v1/search", q=query, lat=lat, lng=lng))
    else:
        search.append(url("/api/v1/search", q=query, city=city))
for query in hot:
    search.append(url("/api/v1/search", q=query))
regions = ["440100", "440300", "440600", "441900", "深圳", "佛山", "天河区"]
themes = ["社保", "公积金", "户政（治安）", "护照通行证", "交通出行"]
types = ["查询", "办理", "预约", "缴费"]
for query in random.sample(hot, 60):
    choice = random.randrange(4)
    if choice == 0:
        search.append(url("/api/v1/search", q=query, region=random.choice(regions)))
    elif choice == 1:
        search.append(url("/api/v1/search", q=query, service_type=random.choice(types)))
    elif choice == 2:
        search.append(url("/api/v1/search", q=query, page=2, size=10))
    else:
        search.append(url("/api/v1/search", q=query, city=random.choice(regions), size=5))
for theme in themes:
    search.append(url("/api/v1/search", theme=theme, region=random.choice(regions)))
random.shuffle(search)

suggest = set()
for query in hot:
    for n in range(1, min(len(query), 4) + 1):
        suggest.add(query[:n])
for kind, query, *_ in graded:
    if kind in ("pinyin", "initials", "fuzzy_pinyin", "spaced_pinyin", "mixed"):
        for n in range(1, min(len(query), 8) + 1):
            if not query[:n].endswith(" "):
                suggest.add(query[:n])
suggest = [url("/api/v1/suggest", q=p) for p in sorted(suggest)]
random.shuffle(suggest)

for name, paths in (("search", search), ("suggest", suggest)):
    with open(f"scripts/load/{name}.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(paths) + "\n")
    print(f"scripts/load/{name}.txt: {len(paths)} requests")
