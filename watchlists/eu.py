"""Loader for the EU Financial Sanctions Files (FSF) consolidated list, XML 1.1
(``xmlFullSanctionsList_1_1``: root ``<export xmlns="http://eu.europa.ec/fpi/fsd/export">`` holding one
``<sanctionEntity>`` per listed person or enterprise).

Each sanctionEntity becomes one canonical record (DESIGN.md 'Record'):

- ``id``: ``EU-<logicalId>`` (the entity's logicalId, stable across versions of the file, also kept as
  ``eu_logical_id``). One person listed under two programmes is two sanctionEntity elements with the
  same logicalId (21 in the 2021 file, AFG and TAQA): both then get ``EU-<logicalId>-<programme>``
  (``EU-516-AFG``, ``EU-516-TAQA``) and stay two records, one per legal listing. The EU reference
  number (``EU.27.28``) is kept as ``eu_reference_number``, the UN one (when the entry comes from a UN
  list) as ``un_reference``. A missing logicalId, or two elements with the same logicalId and
  programme, is a bad record.
- ``kind``: subjectType ``person`` -> ``person``, ``enterprise`` -> ``organization``; another code is a
  bad record (the loader will not guess what a new subject type means).
- ``names``: every nameAlias with ``strong="true"`` (absent counts as true), in file order: wholeName, or
  firstName middleName lastName when wholeName is empty. The first strong alias is names[0]. Aliases
  with ``strong="false"`` go to ``weak_names`` (the FSF's own flag for weak aliases; the 2021 file has
  none). ``original_script_names``: aliases written in a non-Latin script (Cyrillic, Arabic, Greek, ...),
  whatever their nameLanguage says (the file has Cyrillic names marked ``EN`` or blank); they stay in
  ``names`` too. A name in a Latin-script language (``nameLanguage="FR"``: "Abou Ali") is a transliteration,
  not an original script.
- ``sex``: the first nameAlias ``gender`` (M/F).
- ``birth_dates``: the ``birthdate`` attribute (a full Gregorian date) or year/monthOfYear/dayOfMonth
  (a partial date); the year of an ``ISLAMIC`` calendarType is a Hijri year and is used only through the
  Gregorian ``birthdate`` attribute. ``yearRangeFrom``/``yearRangeTo`` give every year of a range of at
  most 10 years (else its ends) and a ``birth_date_ranges`` entry; ``circa="true"`` marks the range (a
  single circa date gets a one-date range, as in the UN loader). ``birth_places``: city, place, region,
  country as text.
- ``nationalities``: citizenship ``countryIso2Code`` (``00`` = unknown and former states such as ``YU``
  are dropped), else countryDescription. ``addresses``: street, PO box, zip code, city, region, place,
  country as text; ``countries``: their ISO codes.
- ``documents``: every identification with a number: ``{number, type, type_raw, country, expires}``,
  type ``passport`` / ``national_id`` / ``driving_licence`` from identificationTypeCode, else ``other``
  (registration numbers, SWIFT BIC, IMO numbers of enterprises included); ``expires`` from validTo;
  ``status`` ``false`` / ``revoked`` / ``lost`` / ``expired`` from knownFalse / revokedByIssuer /
  reportedLost / knownExpired; ``diplomatic: True`` for diplomatic documents.
- ``program``: the regulation ``programme`` (``TAQA``, ``SYR``, ...). ``remarks``: the entity's remark
  elements. ``listed_on``: ``designationDate`` when given; else the earliest ``publicationDate`` of the
  entity's regulation and regulationSummary elements. The entity's one ``regulation`` element is the
  latest act touching it (often an amendment or repeal years after the listing), so its own date would
  say when the entry last changed, not when it was listed; the earliest act that published any part
  of the entry is the listing act.

Streams (see _xmlstream): memory stays flat and errors carry the line. Malformed or truncated XML and
a wrong root always raise ListFormatError; a record without a name, id or known subject type raises
it too unless ``skip_bad``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any, BinaryIO

from . import _common as c
from ._source import Source, open_source, source_name
from ._xmlstream import non_latin, record_elements
from .errors import ListFormatError

__all__ = ["FORMAT", "LIST_ID", "parse_eu_xml", "read_eu_xml", "sniff"]

FORMAT = "eu-xml"
LIST_ID = "eu-fsf"
ROOT_TAG = "export"
RECORD_TAG = "sanctionEntity"
NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"

_KINDS = {"person": "person", "enterprise": "organization"}
_DOC_TYPES = {"passport": "passport", "id": "national_id", "drivinglicence": "driving_licence"}
_DOC_STATUS = (("knownFalse", "false"), ("revokedByIssuer", "revoked"), ("reportedLost", "lost"), ("knownExpired", "expired"))
_MAX_YEARS_SPELLED_OUT = 10
_SNIFF_ROOT = re.compile(rb"<(?:[\w.-]+:)?export[\s>]")


def sniff(head: bytes) -> bool:
    """An FSF export: the ``export`` root with the FSF namespace or a sanctionEntity in sight."""
    return bool(_SNIFF_ROOT.search(head)) and (NAMESPACE.encode() in head or b"sanctionEntity" in head)


def parse_eu_xml(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of an EU FSF XML file (a path or binary stream; gzip is read transparently)."""
    with open_source(source) as stream:
        return read_eu_xml(stream, source_name(source), skip_bad=skip_bad, problems=problems)


def read_eu_xml(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """parse_eu_xml on an open binary stream; `name` is how errors name the file."""
    report = c.Reporter(name, skip_bad, problems)
    records: list[tuple[int, str, dict[str, Any]]] = []
    elements = record_elements(
        stream, name, root=ROOT_TAG, records=(RECORD_TAG,), what="an EU FSF sanctions list"
    )
    for line, element, elem in elements:
        try:
            records.append((line, element, _record(elem)))
        except _BadRecord as e:
            report.bad(str(e), line, element)

    # A person listed under two programmes (AFG and TAQA) is two sanctionEntity elements with one
    # logicalId: each keeps its own record, told apart by the programme.
    shared = Counter(rec["id"] for _, _, rec in records)
    kept, seen = [], set()
    for line, element, rec in records:
        if shared[rec["id"]] > 1:
            rec["id"] = f"{rec['id']}-{rec['program'] or ''}".rstrip("-")
        if rec["id"] in seen:
            report.bad(f"sanctionEntity logicalId {rec['eu_logical_id']}: duplicate record", line, element)
            continue
        seen.add(rec["id"])
        kept.append(rec)
    return kept


class _BadRecord(Exception):
    pass


def _attr(elem: ET.Element, key: str) -> str:
    return c.clean(elem.get(key))


def _true(elem: ET.Element, key: str) -> bool:
    return _attr(elem, key).casefold() == "true"


def _names(elem: ET.Element) -> tuple[list[str], list[str], list[str], str | None]:
    """(strong names, weak names, original-script names, sex)."""
    strong, weak, original = [], [], []
    sex = None
    for alias in elem.iter("nameAlias"):
        name = _attr(alias, "wholeName") or c.clean(
            " ".join(_attr(alias, k) for k in ("firstName", "middleName", "lastName"))
        )
        if sex is None:
            sex = c.sex(alias.get("gender"))
        if not name:
            continue
        (weak if _attr(alias, "strong").casefold() == "false" else strong).append(name)
        if non_latin(name):
            original.append(name)
    return strong, weak, c.unique(original), sex


def _int(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


def _birth_dates(elem: ET.Element) -> tuple[list[str], list[dict[str, Any]], list[str]]:
    """(birth dates, birth date ranges, birth places)."""
    dates: list[str] = []
    ranges: list[dict[str, Any]] = []
    places: list[str] = []
    for b in elem.iter("birthdate"):
        circa = _true(b, "circa")
        place = ", ".join(
            p for p in (_attr(b, "city"), _attr(b, "place"), _attr(b, "region"), _country_text(b)) if p
        )
        if place:
            places.append(place)
        low, high = _int(_attr(b, "yearRangeFrom")), _int(_attr(b, "yearRangeTo"))
        if low and high:
            first, last = sorted((low, high))
            years = range(first, last + 1) if last - first <= _MAX_YEARS_SPELLED_OUT else (first, last)
            dates.extend(str(y) for y in years)
            ranges.append({"from": str(first), "to": str(last), "circa": circa})
            continue
        value = c.parse_date(_attr(b, "birthdate"))[0]
        if value is None and _attr(b, "calendarType").upper() in ("", "GREGORIAN"):
            year = _int(_attr(b, "year"))
            if year:
                month, day = _int(_attr(b, "monthOfYear")), _int(_attr(b, "dayOfMonth"))
                value = c.parse_date(f"{year:04d}" + (f"-{month:02d}" + (f"-{day:02d}" if day else "") if month else ""))[0]
        if value is None and (low or high):
            value = str(low or high)
        if value:
            dates.append(value)
            if circa:
                ranges.append({"from": value, "to": value, "circa": True})
    return list(dict.fromkeys(dates)), ranges, c.unique(places)


def _country_code(elem: ET.Element) -> str | None:
    return c.country(_attr(elem, "countryIso2Code")) or c.country(_country_text(elem))


def _country_text(elem: ET.Element) -> str:
    text = _attr(elem, "countryDescription")
    return "" if text.upper() == "UNKNOWN" else text


def _documents(elem: ET.Element) -> list[dict[str, Any]]:
    docs = []
    for ident in elem.iter("identification"):
        number = _attr(ident, "number") or _attr(ident, "latinNumber")
        if not number:
            continue
        code = _attr(ident, "identificationTypeCode").casefold()
        doc: dict[str, Any] = {
            "number": number,
            "type": _DOC_TYPES.get(code) or c.document_type(_attr(ident, "identificationTypeDescription")),
            "type_raw": _attr(ident, "identificationTypeDescription") or code,
            "country": _country_code(ident),
            "expires": c.parse_date(_attr(ident, "validTo"))[0],
        }
        status = next((s for key, s in _DOC_STATUS if _true(ident, key)), None)
        if status:
            doc["status"] = status
        if _true(ident, "diplomatic"):
            doc["diplomatic"] = True
        docs.append(doc)
    return docs


def _addresses(elem: ET.Element) -> tuple[list[str], list[str]]:
    texts, codes = [], []
    for a in elem.iter("address"):
        keys = ("street", "poBox", "zipCode", "city", "region", "place")
        text = ", ".join(p for p in (*(_attr(a, k) for k in keys), _country_text(a)) if p)
        if text:
            texts.append(text)
        code = _country_code(a)
        if code:
            codes.append(code)
    return c.unique(texts), list(dict.fromkeys(codes))


def _listed_on(elem: ET.Element) -> str | None:
    designated = c.parse_date(_attr(elem, "designationDate"))[0]
    if designated:
        return designated
    acts = [e for e in elem.iter() if e.tag in ("regulation", "regulationSummary")]
    dates = sorted(d for d in (c.parse_date(_attr(e, "publicationDate"))[0] for e in acts) if d)
    return dates[0] if dates else None


def _record(elem: ET.Element) -> dict[str, Any]:
    logical_id = _attr(elem, "logicalId")
    subject = elem.find("subjectType")
    code = _attr(subject, "code") if subject is not None else ""
    strong, weak, original, sex = _names(elem)
    label = f"sanctionEntity logicalId {logical_id or '?'}"
    if not logical_id:
        raise _BadRecord(f"sanctionEntity {(strong + weak or ['?'])[0]!r}: no logicalId")
    if code not in _KINDS:
        raise _BadRecord(f"{label}: unknown subjectType code {code!r} (known: {', '.join(_KINDS)})")
    if not strong and not weak:
        raise _BadRecord(f"{label}: no name")
    if not strong:  # only weak aliases: the first must still serve as primary name
        strong = weak[:1]
    person = code == "person"
    birth_dates, birth_ranges, birth_places = _birth_dates(elem)
    addresses, countries = _addresses(elem)
    regulation = elem.find("regulation")
    extra = {
        "eu_logical_id": logical_id,
        "eu_reference_number": _attr(elem, "euReferenceNumber") or None,
        "un_reference": _attr(elem, "unitedNationId") or None,
    }
    return c.record(
        id=f"EU-{logical_id}",
        kind=_KINDS[code],
        names=strong,
        weak_names=weak,
        original_script_names=original,
        birth_dates=birth_dates,
        birth_date_ranges=birth_ranges,
        nationalities=list(dict.fromkeys(x for x in map(_country_code, elem.iter("citizenship")) if x)),
        countries=countries,
        sex=sex if person else None,
        documents=_documents(elem),
        addresses=addresses,
        birth_places=birth_places,
        list_id=LIST_ID,
        program=(_attr(regulation, "programme") or None) if regulation is not None else None,
        remarks=" ".join(t for t in (c.clean(r.text) for r in elem.findall("remark")) if t) or None,
        listed_on=_listed_on(elem),
        **{k: v for k, v in extra.items() if v},
    )
