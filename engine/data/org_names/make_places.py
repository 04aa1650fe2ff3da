"""Derives places.tsv, the words that name a country or territory (IRAN, IRANIAN, KOREA, SYRIA) or its capital and
chief cities (TEHRAN, BELGRADE), from OpenSanctions rigour's territories (MIT, see PROVENANCE.md):
`territory<TAB>WORD`, one line per word, upper-case ASCII. In an organisation's name such a word says where it is,
not which one it is (`IRAN TIRE MANUFACTURING` and `IRAN AIRCRAFT MANUFACTURING` are two companies), as a trade's
word does. Single words only, of four letters at least, from the territory's names in many languages and its chief
places; left out are the words of legal forms and organisation abbreviations, and the words that are also a person's
name in the UN, OFAC and EU lists' person names (`ISRAEL`, `JORDAN`, `INDIA`, `SHAMI`, `BAGHDADI`), the nickname
table (`GEORGIA`) or FEBRL's name tables (`ALBERTA`, `WASHINGTON`), but for a country's own name, which FEBRL's
long tail also holds as a rare given name or surname (`IRAN`, `CHINA`, `FRANCE`).

    pip install rigour==2.6.1
    python engine/data/org_names/make_places.py ../shared/data
"""

import json
import re
import sys
import unicodedata
from pathlib import Path

from rigour.territories import lookup  # rigour 2.6.1

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here), str(here.parents[2])]  # make_tables beside it; engine and watchlists
from make_tables import nickname_names, person_names, upper_ascii  # noqa: E402


def list_person_tokens(data: Path) -> set[str]:
    """Every word of the UN, OFAC and EU lists' person names (engine normalisation)."""
    import watchlists
    from engine.text import normalize
    words = set()
    for path, form in ((data / "un_sc_consolidated", "un-xml"), (data / "ofac_sdn/sdn_xml_2021-03-10/sdn.xml", "ofac-xml"),
                       (data / "eu_fsf_consolidated/eu_fsf_2021-03-05.xml", "eu-xml")):
        path = next(path.glob("*.xml")) if path.is_dir() else path
        for r in watchlists.load_records(path, form):
            if r["kind"] == "person":
                for n in r["names"]:
                    words.update(normalize(n).split())
    return words


def word_of(text: str) -> str | None:
    word = upper_ascii(text.strip())
    return word if re.fullmatch(r"[A-Z]{4,}", word) else None


def main(data: Path) -> None:
    # always a person's name: the lists' and the nickname table's; FEBRL's long tail of given names and surnames
    # yields to a country's own name
    always = list_person_tokens(data) | nickname_names(data)
    names = person_names(data) | always
    legal = {w for line in (here / "legal_forms.tsv").read_text(encoding="utf-8").splitlines() for w in upper_ascii(line.split("\t")[1]).split()}
    symbols = {upper_ascii(line.split("\t")[1]) for line in (here / "org_symbols.tsv").read_text(encoding="utf-8").splitlines()}
    rows = set()
    for line in lookup.territories_jsonl().splitlines():
        if not line.strip():
            continue
        t = json.loads(line)
        own = word_of(t.get("name") or "") if t.get("is_country") else None
        for text in [t.get("name"), *t.get("names_strong", []), *t.get("names_weak", []), *t.get("places", [])]:
            word = word_of(text or "")
            person = word in always or (word in names and word != own)
            if word and not person and word not in legal and word not in symbols:
                rows.add((t["code"], word))
    (here / "places.tsv").write_text("".join(f"{c}\t{w}\n" for c, w in sorted(rows)), encoding="utf-8")
    print(len(rows), "words")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
