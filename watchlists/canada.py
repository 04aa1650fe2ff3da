"""Loader for Canada's Consolidated Autonomous Sanctions List XML (Global Affairs Canada: Special Economic
Measures Act and Justice for Victims of Corrupt Foreign Officials Act listings), ``<data-set>`` holding one
``<record>`` per listed person, entity or ship, with the fields Country, LastName, GivenName,
EntityOrShip, TitleOrShip, ShipIMONumber, DateOfBirthOrShipBuildDate, Aliases, Schedule, Item,
DateOfListing.

How the fields read, and what each record gets (DESIGN.md 'Record'):

- ``Country`` names the **sanctions regime**, not a nationality or a location: the regulations are
  per country ("Special Economic Measures (Russia) Regulations"), and the list also has regimes that are
  no country at all (JVCFOR, "Hamas Terrorist Attacks", "Extremist Settler Violence"). People and firms of
  other countries are listed under a country's regime: Hong Kong and mainland Chinese suppliers, an Irish
  airline, tankers under any flag, all under "Russia". A nationality or address country that is wrong
  for part of the list would not only fail to help, it would count against a true match (the engine
  scores a nationality or country conflict down), so neither ``nationalities`` nor ``countries`` is
  filled from it. The regime goes to ``program`` and ``ca_regime`` (English half of the bilingual value,
  "Russia"), its ISO code, when it is a country, to ``regime_country`` ("RU").
- ``id``: ``CA-<regime>-<schedule>-<item>``: the regime's ISO code (or the acronym in its name, JVCFOR,
  or its English name as a slug, HAMAS-TERRORIST-ATTACKS), the Schedule compacted ("1, Part 1.1" ->
  ``1-P1.1``, "Part 2" -> ``P2``, none -> left out) and the Item: ``CA-RU-1-P1-12``. Item numbers restart
  in every schedule of every regime and (Country, Schedule, Item) is unique in the 2025 file (4,759
  records, 4,759 ids). Schedule and Item are also kept as ``ca_schedule`` and ``ca_item``.
- ``program``: "<regime>: Schedule <schedule>" ("Russia: Schedule 1, Part 1", "Ukraine: Part 1", "Venezuela").
- ``kind``: ``vessel`` when there is a ShipIMONumber (or TitleOrShip is a ship type: "Oil Tanker"), else
  ``organization`` for an EntityOrShip, else ``person`` (GivenName / LastName).
- ``names``: a person's GivenName LastName first; an entity's or ship's EntityOrShip, split where it holds
  several names: the English/French pair "Iranian Army/Armée iranienne" and "(also known as ...)", but
  not at commas ("Tactical Missiles Corporation, PA Strela JSC" is one name). Then
  the Aliases, a free-text field split on ``;``, ``/``, `` or ``, commas (not before a lower-case word,
  which continues a phrase, nor before a bare legal form, "Униикм, АО", nor inside quotes), language labels ("Belarusian:",
  "Russian:", "Arabic:") and line breaks between scripts; a person's aliases also on `` and ``. A name in
  brackets after a word gives both readings: "Dzmitry (Zmitser) Karsiuk" -> "Dzmitry Karsiuk", "Zmitser
  Karsiuk". Single-word pieces of a person's aliases ("Nikolay or Nikolai / Vasilievich or ...") are
  ``weak_names``: alone they identify nobody. A piece that is only a legal form ("Акционерное общество")
  is dropped. Aliases in another script than Latin are also ``original_script_names``.
- ``birth_dates`` (persons): DateOfBirthOrShipBuildDate: ``1972``, ``1965-04``, ``1965-04-29``, several
  joined by "or", ``1963-1964`` (a range: both years and a ``birth_date_ranges`` entry; "circa 1963-1964"
  marks it circa), ``Sep-99``, "born in the early 1970s" (1970-1973, circa), "1950s". What does not parse is kept as ``birth_date_raw``. For a
  ship it is the build date: ``build_date``, not a birth date.
- ``documents``: a ship's IMO number, ``{"number": "9849887", "type": "other", "type_raw": "IMO"}``.
- ``listed_on``: DateOfListing. TitleOrShip is a person's ``title`` or a ship's ``vessel_type``.

Streams (see _xmlstream): memory stays flat and errors carry the line. Malformed or truncated XML and a
wrong root always raise ListFormatError; a record without a name, Country or Item, or one whose id another
record already has, raises it too unless ``skip_bad``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, BinaryIO

from . import _common as c
from ._source import Source, open_source, source_name
from ._xmlstream import non_latin, record_elements, text
from .errors import ListFormatError

__all__ = ["FORMAT", "LIST_ID", "parse_canada_xml", "read_canada_xml", "sniff", "split_aliases"]

FORMAT = "canada-xml"
LIST_ID = "ca-sema"
ROOT_TAG = "data-set"
RECORD_TAG = "record"

_VESSEL_TYPE = re.compile(r"tanker|cargo|carrier|vessel|\bship\b|ro-ro|bulk|container|\bFSO\b|tug|trawler", re.I)
_LABEL = re.compile(
    r"\b(?:Belarus+ian|Russian|Ukrainian|Arabic|Persian|Farsi|Chinese|Hebrew|Burmese|French|English)\s*:", re.I
)
_AKA = re.compile(r"\(\s*(?:also\s+known\s+as|a\.?k\.?a\.?|formerly(?:\s+known\s+as)?|f\.?k\.?a\.?)\s+([^()]*)\)?", re.I)
_STRONG_SEPARATORS = re.compile(r"\s*;\s*|\s*/\s*|\s+or\s+")
_AND = re.compile(r"\s+and\s+")
_PAREN_WORD = re.compile(r"^(.*?)(\S+)\s+\((\S+)\)(.*)$")
# Words that make up legal forms: a piece made only of these ("AO", "Акционерное общество") is no name.
_LEGAL_WORDS = set(
    """ao оао зао пао ооо сао ао фгуп аат ltd limited llc jsc pjsc ojsc cjsc co company inc corp corporation
    gmbh sa ag oao zao ooo pao fze fzco plc lp sarl tov joint stock liability public open closed private
    акционерное общество открытое закрытое публичное с ограниченной ответственностью""".split()
)
_SNIFF = re.compile(rb"<data-set[\s>]")


def sniff(head: bytes) -> bool:
    """A ``<data-set>`` of ``<record>`` elements with the SEMA field names."""
    return bool(_SNIFF.search(head)) and b"<record>" in head and b"<Country>" in head and b"<Item>" in head


def parse_canada_xml(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of a Canada consolidated autonomous sanctions XML file (path or binary stream, gzip or not)."""
    with open_source(source) as stream:
        return read_canada_xml(stream, source_name(source), skip_bad=skip_bad, problems=problems)


def read_canada_xml(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """parse_canada_xml on an open binary stream; `name` is how errors name the file."""
    report = c.Reporter(name, skip_bad, problems)
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    elements = record_elements(
        stream, name, root=ROOT_TAG, records=(RECORD_TAG,), what="a Canada autonomous sanctions list"
    )
    for line, element, elem in elements:
        try:
            rec = _record(elem)
        except _BadRecord as e:
            report.bad(str(e), line, element)
            continue
        if rec["id"] in seen:
            report.bad(f"record {rec['id']}: duplicate record (same Country, Schedule and Item)", line, element)
            continue
        seen.add(rec["id"])
        records.append(rec)
    return records


class _BadRecord(Exception):
    pass


# --- names -----------------------------------------------------------------------------------------


def _drop_unmatched_brackets(s: str) -> str:
    """ "(Ivan Test / Іван Тест" -> "Ivan Test / Іван Тест", "Комитет or СКР)" -> "Комитет or СКР": a
    bracket that nothing closes (or opens) would hide the separators after it."""
    drop, opened = set(), []
    for i, ch in enumerate(s):
        if ch == "(":
            opened.append(i)
        elif ch == ")":
            if opened:
                opened.pop()
            else:
                drop.add(i)
    drop.update(opened)
    return "".join(ch for i, ch in enumerate(s) if i not in drop) if drop else s


def _split_outside_brackets(s: str, pattern: re.Pattern[str]) -> list[str]:
    """s split at the matches of `pattern` that are not inside round brackets."""
    parts, start = [], 0
    for m in pattern.finditer(s):
        before = s[: m.start()]
        if before.count("(") <= before.count(")"):
            parts.append(s[start : m.start()])
            start = m.end()
    parts.append(s[start:])
    return parts


def _words(piece: str) -> list[str]:
    return re.sub(r"[()\"'«»“”„‘’.,]", " ", piece).casefold().split()


def _legal_form_only(piece: str) -> bool:
    words = _words(piece)
    return bool(words) and all(w in _LEGAL_WORDS for w in words)


def _in_quotes(before: str) -> bool:
    return before.count("«") > before.count("»") or before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _split_commas(piece: str) -> list[str]:
    out: list[str] = []
    for part in _split_outside_brackets(piece, re.compile(r"\s*,\s*")):
        first = part.lstrip(" \"'«“„(")[:1]
        if out and (not part.strip() or first.islower() or _legal_form_only(part) or _in_quotes(out[-1])):
            out[-1] = f"{out[-1]}, {part}"  # "Ministry of X, and of Y", "Униикм, АО", '"A, B"': one name
        else:
            out.append(part)
    return out


def _tidy(piece: str) -> str:
    """Whitespace and stray separators off; brackets left unbalanced by a split removed or closed."""
    piece = c.clean(piece).strip(" ,;:-–")
    while piece.endswith("(") or (piece.startswith("(") and piece.count("(") > piece.count(")")):
        piece = (piece[:-1] if piece.endswith("(") else piece[1:]).strip(" ,;:-–")
    while piece.startswith(")") or (piece.endswith(")") and piece.count(")") > piece.count("(")):
        piece = (piece[1:] if piece.startswith(")") else piece[:-1]).strip(" ,;:-–")
    if piece.count("(") > piece.count(")"):
        piece += ")"
    return piece


def _script_breaks(raw: str) -> str:
    """Line breaks become spaces (lists wrap long names), or ';' where the script changes across them
    ("Nilforushan\\n عباس نیلفروشان"): there they separate two names."""
    lines = [line for line in raw.splitlines() if line.strip()]
    out = lines[:1]
    for line in lines[1:]:
        before = re.findall(r"[^\W\d_]", out[-1])
        after = re.findall(r"[^\W\d_]", line)
        change = before and after and non_latin(before[-1]) != non_latin(after[0])
        out.append(";" if change else "" if out[-1].rstrip().endswith("-") else " ")  # "Almaz-\nAntey"
        out.append(line.lstrip() if out[-1] == "" else line)
    return "".join(out)


def split_aliases(raw: str | None, person: bool, commas: bool = True) -> list[str]:
    """The names in a free-text name field (see the module docstring for the rules); `commas=False`
    for a field that is one name with commas in it ("Tactical Missiles Corporation, PA Strela JSC")."""
    s = _script_breaks((raw or "").replace("\xa0", " "))
    s = _drop_unmatched_brackets(_AKA.sub(lambda m: f"; {m.group(1)};", s))
    s = _LABEL.sub(";", s)
    names = []
    for piece in _split_outside_brackets(s, _STRONG_SEPARATORS):
        for part in _split_commas(piece) if commas else [piece]:
            for name in _split_outside_brackets(part, _AND) if person else [part]:
                name = _tidy(name)
                if name and not _legal_form_only(name):
                    names.append(name)
    return c.unique(names)


def _readings(name: str) -> list[str]:
    """"Dzmitry (Zmitser) Karsiuk" -> ["Dzmitry Karsiuk", "Zmitser Karsiuk"]: a one-word alternative in
    brackets after a word. Other names are returned as they are."""
    m = _PAREN_WORD.match(name)
    if not m:
        return [name]
    head, word, alt, tail = m.groups()
    return [c.clean(f"{head}{word}{tail}"), c.clean(f"{head}{alt}{tail}")]


def _entity_names(raw: str) -> list[str]:
    """EntityOrShip: the English/French pair split at a '/' outside brackets, "(also known as ...)" out."""
    return split_aliases(raw, person=False, commas=False)


# --- dates -----------------------------------------------------------------------------------------

_DECADE = re.compile(r"^(?:born\s+)?(?:in\s+)?(?:the\s+)?(?:(early|mid|late)[- ]?)?(\d{3})0s$", re.I)
_YEAR_RANGE = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")
_CIRCA = re.compile(r"^(?:circa|ca\.|c\.|approx(?:imately|\.)?|about|around)\s*", re.I)
_MONTH_YY = re.compile(r"^([A-Za-z]{3,})\.?[- ](\d{2})$")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DECADE_PART = {"early": (0, 3), "mid": (3, 6), "late": (6, 9), None: (0, 9)}


def _birth_dates(raw: str) -> tuple[list[str], list[dict[str, Any]], bool]:
    """(dates, ranges, everything parsed) from DateOfBirthOrShipBuildDate."""
    dates: list[str] = []
    ranges: list[dict[str, Any]] = []
    complete = True
    for part in re.split(r"\s+or\s+|\s*;\s*", c.clean(raw), flags=re.I):
        if not part:
            continue
        value, circa = c.parse_date(part)
        if value:
            dates.append(value)
            if circa:
                ranges.append({"from": value, "to": value, "circa": True})
            continue
        m = _YEAR_RANGE.match(_CIRCA.sub("", part))
        if m:
            first, last = sorted(map(int, m.groups()))
            dates.extend(map(str, range(first, last + 1) if last - first <= 10 else (first, last)))
            ranges.append({"from": str(first), "to": str(last), "circa": bool(_CIRCA.match(part))})
            continue
        m = _MONTH_YY.match(part)
        if m and m.group(1)[:3].casefold() in _MONTHS:
            yy = int(m.group(2))
            dates.append(f"{1900 + yy if yy > 25 else 2000 + yy}-{_MONTHS[m.group(1)[:3].casefold()]:02d}")
            continue
        m = _DECADE.match(part)
        if m:
            low, high = _DECADE_PART[m.group(1) and m.group(1).casefold()]
            decade = int(m.group(2)) * 10
            dates.extend(str(decade + y) for y in range(low, high + 1))
            ranges.append({"from": str(decade + low), "to": str(decade + high), "circa": True})
            continue
        complete = False
    return list(dict.fromkeys(dates)), ranges, complete


# --- one record ------------------------------------------------------------------------------------


def regime(country_field: str) -> tuple[str, str, str | None]:
    """(English regime name, id slug, ISO code or None) from the bilingual Country field."""
    english = c.clean(country_field.split(" / ")[0])
    iso = c.country(english)
    if iso:
        return english, iso, iso
    acronym = re.search(r"\(([A-Z]{2,})\)", english)
    slug = acronym.group(1) if acronym else "-".join(re.findall(r"[A-Za-z0-9]+", english)).upper()
    return english, slug, None


def schedule_key(schedule: str) -> str:
    """"1, Part 1.1" -> "1-P1.1", "Part 2" -> "P2", "1.1" -> "1.1"."""
    parts = [p for p in re.split(r"\s*,\s*", c.clean(schedule)) if p]
    return "-".join(re.sub(r"^part\s*", "P", p, flags=re.I).replace(" ", "") for p in parts)


def _record(elem: ET.Element) -> dict[str, Any]:
    country, item, schedule = text(elem, "Country"), text(elem, "Item"), text(elem, "Schedule")
    given, last, entity = text(elem, "GivenName"), text(elem, "LastName"), text(elem, "EntityOrShip")
    title, imo = text(elem, "TitleOrShip"), text(elem, "ShipIMONumber")
    label = f"record {c.clean(' '.join((given, last, entity))) or '?'}"
    if not country:
        raise _BadRecord(f"{label}: no Country")
    if not item:
        raise _BadRecord(f"{label}: no Item")
    regime_name, slug, regime_iso = regime(country)
    rid = "-".join(p for p in ("CA", slug, schedule_key(schedule), item.replace(" ", "")) if p)
    person = bool(given or last) and not entity
    if person:
        kind = "person"
    elif imo or _VESSEL_TYPE.search(title):
        kind = "vessel"
    else:
        kind = "organization"

    raw_aliases = _raw(elem, "Aliases")
    alias_names = split_aliases(raw_aliases, person)
    weak: list[str] = []
    if person:
        primary = _readings(c.clean(f"{given} {last}"))
        strong = list(primary)
        for name in alias_names:
            readings = _readings(name)
            (weak if len(name.split()) == 1 else strong).extend(readings)
    else:
        strong = _entity_names(_raw(elem, "EntityOrShip")) + alias_names
    if not strong and not weak:
        raise _BadRecord(f"record {rid}: no name")
    if not strong:
        strong = weak[:1]

    dob = text(elem, "DateOfBirthOrShipBuildDate")
    birth_dates, birth_ranges, complete = _birth_dates(dob) if person else ([], [], True)
    documents = [{"number": imo, "type": "other", "type_raw": "IMO", "country": None, "expires": None}] if imo else []
    extra: dict[str, Any] = {
        "ca_regime": regime_name,
        "regime_country": regime_iso,
        "ca_schedule": schedule or None,
        "ca_item": item,
        "title": title if person else None,
        "vessel_type": title if kind == "vessel" else None,
        "build_date": dob if kind == "vessel" else None,
        "birth_date_raw": dob if person and dob and not complete else None,
    }
    return c.record(
        id=rid,
        kind=kind,
        names=strong,
        weak_names=weak,
        original_script_names=c.unique(n for n in strong + weak if non_latin(n)),
        birth_dates=birth_dates,
        birth_date_ranges=birth_ranges,
        documents=documents,
        list_id=LIST_ID,
        program=f"{regime_name}: {'Schedule ' if schedule[:1].isdigit() else ''}{schedule}" if schedule else regime_name,
        listed_on=c.parse_date(text(elem, "DateOfListing"))[0],
        **{k: v for k, v in extra.items() if v},
    )


def _raw(elem: ET.Element, tag: str) -> str:
    """A child's text with its line breaks (they matter to split_aliases); "" when absent."""
    child = elem.find(tag)
    return child.text or "" if child is not None else ""
