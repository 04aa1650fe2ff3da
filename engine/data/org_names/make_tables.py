"""Derives the native core's organisation tables from OpenSanctions rigour (MIT, see PROVENANCE.md).

    python engine/data/org_names/make_tables.py ../shared/data/name_matching/rigour_names

legal_forms.tsv: `key<TAB>alias`, one line per alias of a legal form; key is the type's `generic` tag when it
has one (so LTD, LIMITED and LLC compare alike), else its `display` form.
org_symbols.tsv: `group<TAB>variant`, single words only (multi-word variants are left out): words that
stand for one another in organisation names (CO, COMPANY, CORP; INTL, INTERNATIONAL).
"""

import sys
from pathlib import Path

import yaml

src = Path(sys.argv[1])
here = Path(__file__).resolve().parent

types = yaml.safe_load((src / "org_types.yml").read_text(encoding="utf-8"))["types"]
rows = set()
for t in types:
    key = t.get("generic") or t.get("display") or (t.get("aliases") or [""])[0]
    for alias in [t.get("display")] + list(t.get("aliases") or []):
        if alias and "\t" not in alias:
            rows.add((str(key).strip(), str(alias).strip()))
(here / "legal_forms.tsv").write_text("".join(f"{k}\t{a}\n" for k, a in sorted(rows)), encoding="utf-8")

symbols = yaml.safe_load((src / "symbols.yml").read_text(encoding="utf-8"))["org_symbols"]
rows = set()
for group, variants in symbols.items():
    for v in [group] + list(variants or []):
        v = str(v).strip()
        if v and " " not in v and "\t" not in v:
            rows.add((str(group), v))
(here / "org_symbols.tsv").write_text("".join(f"{g}\t{v}\n" for g, v in sorted(rows)), encoding="utf-8")
