"""Loader for the UN Security Council Consolidated List XML (scsanctions.un.org, sc-sanctions.xsd).

Each INDIVIDUAL becomes a ``person`` record and each ENTITY an ``organization`` record in the canonical
record form of DESIGN.md, with these UN-specific choices:

- ``id`` is the REFERENCE_NUMBER (``QDi.001``): the identifier the UN publishes in its press releases and
  notices, stable across list versions, and what analysts search for. DATAID is an internal database key;
  it is kept as ``un_dataid`` and used as ``id`` (``UN-6907993``) only for a record without a reference
  number or whose reference number another record in the same file also carries.
- ``names``: the primary name (FIRST_NAME ... FOURTH_NAME), then the aliases of quality ``Good``,
  ``a.k.a.`` and ``f.k.a.`` (a former company name is still a full name that shipping papers use), then
  NAME_ORIGINAL_SCRIPT. ``weak_names``: aliases of quality ``Low`` (the UN's own "low quality": nicknames,
  kunyas, call signs that alone do not identify anyone). An alias field holding several names
  (``A; B``, ``a) A b) B``, ``A (B; C)``, ``A (A in its own script)``) is split, and a name given in an alias NOTE as
  ``original script: ...`` or ``In Arabic: ...`` is added with its alias's strength.
- ``original_script_names``: NAME_ORIGINAL_SCRIPT again, on its own.
- ``birth_dates``: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, including dates given under an alias; a
  BETWEEN range gives every year when it spans at most 10 years, else its two ends. ``birth_date_ranges``:
  ``{"from", "to", "circa"}`` for BETWEEN and APPROXIMATELY dates.
- ``nationalities`` and ``countries`` (address countries): ISO alpha-2 via countries.to_iso2; values that
  map to no present-day country ("former Soviet Union", "na") are dropped.
- ``documents``: ``{number, type, type_raw, country, expires}`` with type ``passport``, ``national_id`` or
  ``other``; country is ISSUING_COUNTRY, else COUNTRY_OF_ISSUE (which is strictly the place of issue:
  a passport issued at a consulate abroad gets the wrong country, rarely); prose around a number ("Libyan passport No. 513519") is cut away (the original is kept as
  ``number_raw``); a document without a number is dropped, as it cannot be matched.
- ``birth_places``: places of birth as text (not in DESIGN.md's record; kept for analysts).

Parsing streams with ElementTree's XMLPullParser (the machinery under iterparse), fed line by line so
that errors carry line numbers; finished records are cleared, so memory does not grow with the file.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any, BinaryIO, Iterator

from ._source import Source, open_source, source_name
from ._xmlstream import record_elements
from .errors import ListFormatError
from ._common import clean as _clean, country as _country, unique as _unique

__all__ = ["LIST_ID", "ROOT_TAG", "parse_un_xml", "split_names"]

LIST_ID = "un-sc"
ROOT_TAG = "CONSOLIDATED_LIST"

_log = logging.getLogger(__name__)

_KINDS = {"INDIVIDUAL": "person", "ENTITY": "organization"}
_NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_WEAK_QUALITIES = {"low"}
_ADDRESS_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
_PLACE_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")
_SEXES = {"male": "M", "female": "F"}
_MAX_YEARS_SPELLED_OUT = 10

_SEPARATORS = re.compile(r"\s*;\s*|\s+[b-z]\)\s+")  # "A; B", "a) A b) B"
_ENUM_START = re.compile(r"^[a-z]\)\s+")
_SCRIPT_REMARK = re.compile(r"\s*\((?:original script|in arabic)\)\s*$", re.I)
_ORIGINAL_SCRIPT_PREFIX = re.compile(r"^\s*original script\s*:\s*", re.I)
_LATIN = re.compile(r"[A-Za-z]")
_LETTER = re.compile(r"[^\W\d_]")
_NOTE_NAME = re.compile(r"(?:original script|in arabic)\s*:\s*(.+)$", re.I)

_DOC_PASSPORT = re.compile(r"pass(?:port|eport)|pasaporte", re.I)
_DOC_NATIONAL_ID = re.compile(r"national\s+identi", re.I)
_DOC_TRAILER = re.compile(r"\s+\([^()]*\)\s*$")  # "123 (Expires 18 Jun. 2018)", "423-31-3021 (US)"
_DOC_MARKER = re.compile(r"(?:\bno\b\.?|\bnumber\b|\bnr\b\.?|n°)\s*:?\s*", re.I)

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_NOTE_MONTH_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+((?:18|19|20)\d\d)$")
_NOTE_YEAR = re.compile(r"\b((?:18|19|20)\d\d)\b")


class _BadRecord(Exception):
    def __init__(self, message: str, element: str):
        super().__init__(message)
        self.message, self.element = message, element


def parse_un_xml(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of a UN consolidated list file (a path or binary stream; gzip is read transparently).

    Malformed or truncated XML, or a root other than CONSOLIDATED_LIST, raises ListFormatError with
    the file and line, always: a partly read list must never pass for the whole list. A record that
    cannot be used (no name, no identifier, a duplicate) raises ListFormatError naming it, unless
    `skip_bad`: then it is left out, logged, and appended to `problems` when a list is given.
    """
    with open_source(source) as stream:
        return read_un_xml(stream, source_name(source), skip_bad=skip_bad, problems=problems)


def read_un_xml(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """parse_un_xml on an open binary stream; `name` is how errors name the file."""
    records: list[dict[str, Any]] = []
    places: list[tuple[int, str]] = []  # (line, element) of each record, for errors found later

    def bad(message: str, line: int | None, element: str | None) -> None:
        err = ListFormatError(message, name, line, element)
        if not skip_bad:
            raise err
        _log.warning("skipped: %s", err)
        if problems is not None:
            problems.append(err)

    for line, element, elem in _record_elements(stream, name):
        try:
            records.append(_record(elem, element))
            places.append((line, element))
        except _BadRecord as e:
            bad(e.message, line, e.element)

    # Reference numbers are unique in every published file; fall back to DATAID where they are not.
    refs = Counter(r["id"] for r in records if r["id"])
    seen: set[str] = set()
    kept = []
    for rec, (line, element) in zip(records, places):
        if not rec["id"] or refs[rec["id"]] > 1:
            rec["id"] = f"UN-{rec['un_dataid']}" if rec["un_dataid"] else ""
        if not rec["id"]:
            bad(f"{element.split('[')[0]} {rec['names'][0]!r}: no REFERENCE_NUMBER or DATAID", line, element)
        elif rec["id"] in seen:
            bad(f"{element.split('[')[0]} DATAID {rec['un_dataid']}: duplicate record", line, element)
        else:
            seen.add(rec["id"])
            kept.append(rec)
    return kept


def _record_elements(stream: BinaryIO, name: str) -> Iterator[tuple[int, str, ET.Element]]:
    """(line, "INDIVIDUAL[3]", element) for each complete record, cleared once the caller is done."""
    return record_elements(stream, name, root=ROOT_TAG, records=tuple(_KINDS), what="a UN consolidated list", depth=3)


# --- one record ------------------------------------------------------------------------------------



def _text(elem: ET.Element, tag: str) -> str:
    child = elem.find(tag)
    return _clean(child.text) if child is not None else ""




def split_names(raw: str | None) -> list[str]:
    """The names in one name field: "A; B", "a) A b) B" and "A (B; C)" hold several, and so does
    "A (<A in another script>)"; a "(original script)" remark is dropped."""
    s = _clean(raw).rstrip(" ,")
    inner = ""
    if s.endswith(")"):
        depth = 0
        for i in range(len(s) - 1, -1, -1):  # the bracket that the final ")" closes
            depth += {")": 1, "(": -1}.get(s[i], 0)
            if depth == 0:
                content = _ORIGINAL_SCRIPT_PREFIX.sub("", s[i + 1 : -1])
                foreign = _LETTER.search(content) and not _LATIN.search(content)
                if i > 0 and (";" in content or foreign or content != s[i + 1 : -1]):
                    s, inner = s[:i], content
                break
    parts = _SEPARATORS.split(_ENUM_START.sub("", s)) + (_SEPARATORS.split(inner) if inner else [])
    return [p for p in (_SCRIPT_REMARK.sub("", part).strip(" ,") for part in parts) if p]


def _names(elem: ET.Element, alias_tag: str) -> tuple[list[str], list[str], list[str]]:
    """(names, weak_names, original_script_names); names[0] is the primary name."""
    primary = split_names(" ".join(p for p in (_text(elem, t) for t in _NAME_TAGS) if p))
    strong, weak = list(primary), []
    for alias in elem.iter(alias_tag):
        target = weak if _text(alias, "QUALITY").casefold() in _WEAK_QUALITIES else strong
        target.extend(split_names(_text(alias, "ALIAS_NAME")))
        note = _NOTE_NAME.search(_text(alias, "NOTE"))
        if note:
            target.extend(split_names(note.group(1)))
    original = _unique(split_names(_text(elem, "NAME_ORIGINAL_SCRIPT")))
    names = _unique(strong + original)
    if not names and weak:  # only weak aliases: the first must still serve as primary name
        names = [weak[0]]
    return names, _unique(weak, {n.casefold() for n in names}), original


def _date(value: str) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD when it is a real date, else None; "1970-00-00" degrades to "1970"."""
    m = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?!\d)", value)
    if not m or not 1800 <= int(m.group(1)) <= 2200:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day:
        return f"{year}-{month}"
    try:
        return _dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return f"{year}-{month}"


def _date_from_note(note: str) -> str | None:
    """A date given only as a remark: "Nov. 1973" -> 1973-11; "Between Aug. and Sep. 1977" -> 1977."""
    m = _NOTE_MONTH_YEAR.match(note)
    if m and m.group(1).casefold() in _MONTHS:
        return f"{m.group(2)}-{_MONTHS[m.group(1).casefold()]:02d}"
    years = set(_NOTE_YEAR.findall(note))
    return years.pop() if len(years) == 1 else None


def _birth_dates(elem: ET.Element) -> tuple[list[str], list[dict[str, Any]]]:
    dates: list[str] = []
    ranges: list[dict[str, Any]] = []
    for dob in elem.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = _text(dob, "TYPE_OF_DATE").upper()
        note = _text(dob, "NOTE")
        circa = kind == "APPROXIMATELY" or "approximately" in note.casefold()
        low, high = _date(_text(dob, "FROM_YEAR")), _date(_text(dob, "TO_YEAR"))
        if low and high:
            first, last = sorted((int(low[:4]), int(high[:4])))
            years = range(first, last + 1) if last - first <= _MAX_YEARS_SPELLED_OUT else (first, last)
            dates.extend(str(y) for y in years)
            ranges.append({"from": str(first), "to": str(last), "circa": circa})
            continue
        value = _date(_text(dob, "DATE")) or _date(_text(dob, "YEAR")) or low or high or _date_from_note(note)
        if value:
            dates.append(value)
            if circa:
                ranges.append({"from": value, "to": value, "circa": True})
    for alias in elem.iter("INDIVIDUAL_ALIAS"):  # a date of birth given with an alias identity
        value = _date(_text(alias, "DATE_OF_BIRTH"))
        if value:
            dates.append(value)
    return list(dict.fromkeys(dates)), ranges


def _document_number(raw: str) -> tuple[str, str]:
    """(number, prose before it) for a NUMBER field that carries prose: "CAR diplomatic passport no.
    D00004262" -> "D00004262", "Jordan 654781" -> ("654781", "Jordan"), "381110042 (Expired 25 Jan.
    2016)" -> "381110042". Plain numbers, letter prefixes included ("OB 0243318"), are left alone."""
    if not re.search(r"[a-z]{2}", raw):
        return raw, ""
    s = _DOC_TRAILER.sub("", raw)
    marker = _DOC_MARKER.search(s)
    if marker:  # "passport number 8208 No. 555627": all after the first marker, later markers dropped
        prefix, s = s[: marker.start()], _DOC_MARKER.sub(" ", s[marker.end() :])
    else:  # leading words of prose: "Diplomatic Passport D014433", "Libya B/002210"
        words = s.split()
        n = 0
        while n < len(words) and re.search(r"[a-z]", words[n]) and not re.search(r"\d", words[n]):
            n += 1
        prefix, s = " ".join(words[:n]), " ".join(words[n:])
    s = " ".join(s.split()).strip(" :,.")
    return (s, prefix.strip()) if re.search(r"\d", s) else (raw, "")


def _documents(elem: ET.Element) -> list[dict[str, Any]]:
    docs = []
    for doc in elem.iter("INDIVIDUAL_DOCUMENT"):
        kind, detail = _text(doc, "TYPE_OF_DOCUMENT"), _text(doc, "TYPE_OF_DOCUMENT2")
        # TYPE_OF_DOCUMENT2 refines the type ("national passport") and now and then holds the number
        # itself ("Afghan national identification card (tazkira) number 545167").
        raw_number = _text(doc, "NUMBER") or (detail if re.search(r"\d", detail) else "")
        if not raw_number:
            continue
        type_raw = "; ".join(_unique([kind, detail]))
        if _DOC_PASSPORT.search(type_raw):
            doc_type = "passport"
        elif _DOC_NATIONAL_ID.search(kind):
            doc_type = "national_id"
        else:
            doc_type = "other"
        number, prose = _document_number(raw_number)
        country = _text(doc, "ISSUING_COUNTRY") or _text(doc, "COUNTRY_OF_ISSUE") or prose  # "Jordan 654781"
        entry = {"number": number, "type": doc_type, "type_raw": type_raw,
                 "country": _country(country) if country else None, "expires": None}
        if number != raw_number:
            entry["number_raw"] = raw_number
        docs.append(entry)
    return docs


def _places(elem: ET.Element, tag: str, parts: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(places as text, their ISO countries)."""
    texts, countries = [], []
    for place in elem.iter(tag):
        texts.append(", ".join(p for p in (_text(place, t) for t in parts) if p))
        country = _country(_text(place, "COUNTRY"))
        if country:
            countries.append(country)
    return _unique([t for t in texts if t]), list(dict.fromkeys(countries))


def _record(elem: ET.Element, element: str) -> dict[str, Any]:
    tag = elem.tag
    dataid = _text(elem, "DATAID")
    names, weak, original = _names(elem, f"{tag}_ALIAS")
    if not names:
        raise _BadRecord(f"{tag} DATAID {dataid or '?'}: no name", element)
    person = tag == "INDIVIDUAL"
    birth_dates, birth_ranges = _birth_dates(elem) if person else ([], [])
    addresses, countries = _places(elem, f"{tag}_ADDRESS", _ADDRESS_PARTS)
    nationalities = [_country(_clean(v.text)) for n in elem.iter("NATIONALITY") for v in n.iter("VALUE")]
    listed_on = _date(_text(elem, "LISTED_ON")) or None
    return {
        "id": _text(elem, "REFERENCE_NUMBER"),
        "kind": _KINDS[tag],
        "names": names,
        "weak_names": weak,
        "original_script_names": original,
        "birth_dates": birth_dates,
        "birth_date_ranges": birth_ranges,
        "nationalities": list(dict.fromkeys(c for c in nationalities if c)),
        "countries": countries,
        "sex": _SEXES.get(_text(elem, "GENDER").casefold()),
        "documents": _documents(elem) if person else [],
        "addresses": addresses,
        "birth_places": _places(elem, "INDIVIDUAL_PLACE_OF_BIRTH", _PLACE_PARTS)[0] if person else [],
        "list_id": LIST_ID,
        "program": _text(elem, "UN_LIST_TYPE") or None,
        "remarks": _text(elem, "COMMENTS1") or None,
        "listed_on": listed_on,
        "un_dataid": dataid or None,
    }
