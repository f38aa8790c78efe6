#!/usr/bin/env python3
"""Writes data/messages/zh-CN/licences.ftl from data/wallet/licence_types.json.

Licence type names and field labels are data (the licence types file is
where they are decided); the message files carry them in the three
languages. This script regenerates the zh-CN file from the data; the zh-HK
and en files are translated by hand and checked (same ids) when the daemon
loads the catalogue.

    python3 scripts/licence_messages.py          # rewrite zh-CN/licences.ftl
    python3 scripts/licence_messages.py --check  # fail when it is stale
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = ROOT / "data/wallet/licence_types.json"
OUT = ROOT / "data/messages/zh-CN/licences.ftl"


def ident(code: str) -> str:
    return code.replace("_", "-")


def render() -> str:
    types = json.loads(TYPES.read_text(encoding="utf-8"))["types"]
    lines = [
        "# 证照类型名称与信息项名称。由 scripts/licence_messages.py 从",
        "# data/wallet/licence_types.json 生成：请改数据文件，再运行脚本。",
        "",
    ]
    for t in types:
        lines.append(f"## {t['name']}")
        lines.append("")
        lines.append(f"licence-type-{ident(t['code'])} = {t['name']}")
        for f in t["fields"]:
            lines.append(f"licence-field-{ident(t['code'])}-{ident(f['name'])} = {f['label']}")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT} is stale: run scripts/licence_messages.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
