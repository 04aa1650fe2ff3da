"""Derives the native core's organisation tables from OpenSanctions rigour (MIT, see PROVENANCE.md).

legal_forms.tsv: `key<TAB>alias`, one line per alias of a legal form; key is the type's `generic` tag when it
has one (so LTD, LIMITED and LLC compare alike), else its `display` form.
org_symbols.tsv: `group<TAB>variant`, single words only (multi-word variants are left out): words that
stand for one another in organisation names (CO, COMPANY, CORP; INTL, INTERNATIONAL).
org_domains.tsv: `domain<TAB>word`, single words of the `org_domains` groups (BANK, SHIPPING, HOTEL, STEEL, and
their translations) and the English plural of each (METALS, FACTORIES): the trade an organisation is in, which
many organisations' names share. Left out: the groups that name one organisation (CIA, PLA, CCP, IRGC, AL-QAEDA,
HEZBOLLAH), and every word that is also a person's name in FEBRL's name tables or the nickname table (STEEL, POWER,
ISLAM, CASA) or in the sanctions lists' person names (`NAMES_IN_LISTS`), since a person called STEEL keeps their
surname's weight.

    python engine/data/org_names/make_tables.py ../shared/data/name_matching/rigour_names ../shared/data
"""

import csv
import re
import sys
import unicodedata
from pathlib import Path

import yaml

here = Path(__file__).resolve().parent

# org_domains groups that are one organisation, not a trade.
NAMED_ORGANISATIONS = {"cia", "pla", "ccp", "irgc", "alqaeda", "hezbollah"}
# Domain words found among the UN, OFAC and EU lists' person names but not in FEBRL's tables (checked when
# this table was made).
NAMES_IN_LISTS = {"ISLAMI", "ACERO", "MALI"}


def english_plural(word: str) -> str | None:
    """METAL -> METALS, FACTORY -> FACTORIES: company names use either; None for a word not in ASCII letters."""
    if not word.isascii() or not word.isalpha() or word.upper().endswith("S"):
        return None
    if word.upper().endswith("Y") and len(word) > 2 and word.upper()[-2] not in "AEIOU":
        return word[:-1] + ("ies" if word.islower() else "IES")
    return word + ("s" if word[-1].islower() else "S")


def upper_ascii(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().upper()


def person_names(data: Path) -> set[str]:
    febrl = data / "febrl" / "febrl_0.4.2_lookup"
    names = set(NAMES_IN_LISTS)
    for table in ("givenname_f.tbl", "givenname_m.tbl", "surname.tbl", "givenname-lookup.tbl", "surname-lookup.tbl"):
        for line in (febrl / table).read_text(encoding="latin-1").splitlines():
            if not line.startswith("#"):
                names.update(p.strip().upper() for p in re.split("[:,]", line) if p.strip())
    return names | nickname_names(data)


def nickname_names(data: Path) -> set[str]:
    """Every name of the nickname table (carltonnorthern/nicknames, ../shared/data/nicknames)."""
    with (data / "nicknames" / "names.csv").open(encoding="utf-8") as f:
        return {n.upper() for row in csv.DictReader(f) for n in (row["name1"], row["name2"])}


def main(src: Path, data: Path) -> None:
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

    domains = yaml.safe_load((src / "symbols.yml").read_text(encoding="utf-8"))["org_domains"]
    names = person_names(data)
    rows = set()
    for group, variants in domains.items():
        if group in NAMED_ORGANISATIONS:
            continue
        for v in [group] + list(variants or []):
            v = str(v).strip()
            for w in (v, english_plural(v)):
                if w and " " not in w and "\t" not in w and upper_ascii(w) not in names:
                    rows.add((str(group), w))
    (here / "org_domains.tsv").write_text("".join(f"{g}\t{v}\n" for g, v in sorted(rows)), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
