"""Loader for OFAC's legacy XML ``sdnList`` schema (sdn.xsd): the SDN list (``sdn.xml``) and the non-SDN
consolidated list (``consolidated.xml``, CONSOLIDATED.XML) share it. The root ``<sdnList>`` (namespace
``http://tempuri.org/sdnList.xsd`` in the classic files, the sanctionslistservice URL in newer ones)
holds ``<publshInformation>`` (sic) and one ``<sdnEntry>`` per listed party. Each sdnEntry becomes one
canonical record (DESIGN.md 'Record'):

- ``id``: ``OFAC-<uid>`` (the entry's uid, also ``ofac_uid``; OFAC keeps it across publications, and
  the legacy CSV set's ent_num is the same number). A missing uid or a uid seen twice is a bad record.
- ``kind``: sdnType Individual / Entity / Vessel -> person / organization / vessel. Aircraft -> vessel
  (the engine's kinds are person, organization, vessel, document; an aircraft is screened like a
  vessel: by name, operator and registration); ``ofac_type`` keeps the sdnType as written. Another
  sdnType is a bad record (the loader will not guess what a new type means).
- ``names``: the entry's own name first, then every aka of category ``strong``; akas of category
  ``weak`` (OFAC's own flag: nicknames, short acronyms, noms de guerre; FAQ 122/123) go to
  ``weak_names``. The aka type (``a.k.a.``, ``f.k.a.`` former name, ``n.k.a.`` new name) does not change
  strength: a former company name still appears on shipping papers. A name is "firstName lastName"
  (OFAC's lastName is the surname; the engine matches tokens in any order); a person's aka written
  ``SURNAME, Given`` in lastName alone becomes ``Given SURNAME``, and quotes around a weak aka
  (``"FOOPIE"``) are dropped. A name in a non-Latin script
  is also in ``original_script_names`` (the legacy files have hardly any).
- ``birth_dates`` from dateOfBirthItem: ``10 Dec 1948``, ``Jan 1970``, ``1965``, ``circa 1965`` (also a
  one-date ``birth_date_ranges`` entry with circa, as in the UN and EU loaders), ``1960 to 1962`` and
  ``01 Jan 1953 to 31 Dec 1954`` (every year of a range of at most 10 years, else its two ends, and a
  ``{"from", "to", "circa"}`` range at the precision written). ``birth_places``: placeOfBirth.
- ``nationalities``: nationality and citizenship countries, ISO 3166 alpha-2. OFAC writes countries as
  names, sometimes as ``Region: Gaza`` or ``Cabo Verde.  Previously Cape Verde.``: the region prefix
  and a trailing note are cut, and regions map to their country (Gaza, West Bank -> PS; Crimea -> UA;
  Northern Mali -> ML); ``undetermined``, a disputed region (Kafia Kingi) and former states
  (Netherlands Antilles) give no code. ``countries``: the address countries, and a vessel's flag.
- ``documents``: idList entries that identify a document or registration: ``{number, type, type_raw,
  country, expires}`` (+ ``issued`` when given), type passport (also Diplomatic Passport, which adds
  ``diplomatic: True``), national_id (National ID No., Cedula No., D.N.I., C.U.R.P., Tazkira, ...),
  driving_licence, visa, else ``other`` (registration and tax numbers, SWIFT/BIC, vessel IMO and MMSI,
  aircraft serial and tail numbers; a vessel's ``IMO 9187629`` becomes number ``9187629``; a place
  after a number, ``121398 (Manizales)``, goes to ``note``). Entries that
  are not identifiers (Gender, which gives ``sex``; websites, e-mail, phone, digital currency addresses;
  sanctions notes and directives; dates; aircraft model and operator; former flags) are kept as
  ``"type: value"`` text in ``ofac_ids_other``, as is an entry whose value holds no digit (``Passport
  issued in Sarajevo``; SWIFT/BIC codes excepted): a number without a digit is no number. An idType
  this loader does not know is a document ``other``: nothing is dropped.
- ``addresses``: address1..3, city, stateOrProvince, postalCode, country joined by ", ".
- ``program``: the programList, ``"; "``-joined (``SDGT; IRGC``). ``remarks``: remarks. ``title``: title.
  Vessel details as ``vessel_call_sign``, ``vessel_type``, ``vessel_flag`` (ISO2), ``vessel_owner``,
  ``vessel_tonnage``, ``vessel_grt``.
- ``listed_on``: the SDN file has no listing date (None). Non-SDN entries carry ``Listing Date (...)``
  idList entries (``Listing Date (CMIC): 03 Jun 2021``): the earliest is ``listed_on``.
- ``list_id``: ``ofac-sdn`` or ``ofac-nonsdn`` for the whole file, decided from content, since both
  lists share schema, root, namespaces and publshInformation (which holds only a date and a count). An
  entry carries a **non-SDN mark** when one of its programs exists only on the non-SDN lists (NS-PLC,
  NS-ISA, CMIC-EO13959, 561-Related, CAPTA) or one of its idTypes is a non-SDN list detail (sectoral
  directive determinations ``Executive Order 13662 Directive ...`` of the SSI list, ``Executive Order
  14024 Directive ...`` of the NS-MBS list, ``Listing Date (...)`` / ``Effective Date (...)``). A file
  in which at least half of the entries carry a mark is the non-SDN list. Measured: consolidated.xml
  (2026) 441 of 442 entries marked; sdn.xml (2021) 4 of 8,832 (people and companies on both lists).

Streams through _xmlstream: memory stays flat and errors carry the line. Malformed or truncated XML and a
wrong root always raise ListFormatError; an entry without a name or uid, or with an unknown sdnType,
raises it too unless ``skip_bad``. The parsing helpers for dates, countries and id types are shared with
the legacy CSV loader (ofac_csv.py), whose remarks carry the same data as text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, BinaryIO, Iterable

from . import _common as c
from ._source import Source, open_source, source_name
from ._xmlstream import non_latin, record_elements, text
from .errors import ListFormatError

__all__ = [
    "FORMAT",
    "LIST_ID",
    "NONSDN_LIST_ID",
    "birth_dates",
    "country",
    "document",
    "parse_ofac_xml",
    "read_ofac_xml",
    "sniff",
]

FORMAT = "ofac-xml"
LIST_ID = "ofac-sdn"
NONSDN_LIST_ID = "ofac-nonsdn"
ROOT_TAG = "sdnList"
RECORD_TAG = "sdnEntry"

KINDS = {"individual": "person", "entity": "organization", "vessel": "vessel", "aircraft": "vessel"}
_MAX_YEARS_SPELLED_OUT = 10
_SNIFF_ROOT = re.compile(rb"<(?:[\w.-]+:)?sdnList[\s>]")

# --- countries -------------------------------------------------------------------------------------

# Regions OFAC names instead of a country ("Region: Gaza"). Kafia Kingi is disputed (Sudan / South
# Sudan): no code beats a wrong one.
_REGIONS = {"gaza": "PS", "gaza strip": "PS", "west bank": "PS", "crimea": "UA", "northern mali": "ML", "kafia kingi": None}


def country(value: str | None) -> str | None:
    """ISO alpha-2 for an OFAC country text: ``Iran``, ``Korea, North``, ``Region: Gaza``,
    ``Cabo Verde.  Previously Cape Verde.``; None for ``undetermined`` and former states."""
    s = c.clean(value)
    s = re.sub(r"^region:\s*", "", s, flags=re.I)
    s = re.split(r"\.\s", s, maxsplit=1)[0].rstrip(".")  # "Cabo Verde.  Previously Cape Verde."
    if s.casefold() in _REGIONS:
        return _REGIONS[s.casefold()]
    return None if s.casefold() == "undetermined" else c.country(s)


def countries(values: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(x for x in map(country, values) if x))


# --- birth dates -----------------------------------------------------------------------------------


def birth_dates(values: Iterable[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """(birth dates, birth date ranges) from OFAC's date texts: ``10 Dec 1948``, ``Jan 1970``, ``1965``,
    ``circa 1965``, ``1960 to 1962``, ``01 Jan 1953 to 31 Dec 1954``. Unreadable texts are left out."""
    dates: list[str] = []
    ranges: list[dict[str, Any]] = []
    for raw in values:
        s = c.clean(raw)
        circa = bool(re.match(r"circa\b", s, re.I))
        s = re.sub(r"^circa\s+", "", s, flags=re.I)
        ends = re.split(r"\s+to\s+", s, maxsplit=1)
        low = c.parse_date(ends[0])[0]
        high = c.parse_date(ends[1])[0] if len(ends) == 2 else low
        if low is None or high is None:
            continue
        if high < low:  # "Mar 1962 to Feb 1960": a typo the wrong way round
            low, high = high, low
        if low == high:
            dates.append(low)
            if circa:
                ranges.append({"from": low, "to": low, "circa": True})
            continue
        first, last = int(low[:4]), int(high[:4])
        years = range(first, last + 1) if last - first <= _MAX_YEARS_SPELLED_OUT else (first, last)
        dates.extend(str(y) for y in years)
        ranges.append({"from": low, "to": high, "circa": circa})
    return list(dict.fromkeys(dates)), ranges


# --- identifiers -----------------------------------------------------------------------------------

# idTypes that are not document or registration numbers (matched anywhere in the type, case-folded).
_NOT_AN_ID = re.compile(
    r"gender|website|e-?mail|phone|fax|telephone|digital currency|sanction|directive|executive order|"
    r"caatsa|ifca|transactions prohibited|information|risk|\bdate\b|target type|issuer name|equity ticker|"
    r"isin|organization type|aircraft model|aircraft operator|vessel flag|vessel type|"
    r"nationality of registration|established",
    re.I,
)
_NATIONAL_IDS = {
    "national id no.", "cedula no.", "d.n.i.", "personal id card", "tazkira national id card",
    "turkish identification number", "kenyan id no.", "bosnian personal id no.", "moroccan personal id no.",
    "c.u.r.p.", "credencial electoral", "i.f.e.", "citizen's card number", "national foreign id number",
    "refugee id card", "stateless person id card", "uae identification", "cnp (personal numerical code)",
    "numero de identidad",
}
_DOC_TYPES = {"driver's license no.": "driving_licence", "visanumberid": "visa"}
_IMO = re.compile(r"^IMO\s*(\d{7})$", re.I)

#: Every idType of the 2021 sdn.xml and the 2026 consolidated.xml. The CSV set writes the same
#: identifiers in its remarks as "<idType> <number> (<country>) issued <date> expires <date>", so
#: these are what ofac_csv recognises there (longest first, so "Passport" does not take "Passport
#: Number"-like longer types).
ID_TYPES = sorted(
    """Additional Sanctions Information -|Afghan Money Service Provider License Number|Aircraft Construction Number (also called L/N or S/N or F/N)|
Aircraft Manufacture Date|Aircraft Manufacturer's Serial Number (MSN)|Aircraft Mode S Transponder Code|Aircraft Model|Aircraft Operator|
Aircraft Serial Identification|Aircraft Tail Number|BIK (RU)|Birth Certificate Number|Bosnian Personal ID No.|Branch Unit Number|
British National Overseas Passport|Business Number|Business Registration Document #|Business Registration Number|C.I.F.|C.R. No.|C.U.I.|
C.U.I.P.|C.U.I.T.|C.U.R.P.|CAATSA Section 235 Information:|CNP (Personal Numerical Code)|Cartilla de Servicio Militar Nacional|Cedula No.|
Certificate of Incorporation Number|Chamber of Commerce Number|Chinese Commercial Code|Citizen's Card Number|Commercial Registry Number|
Company Number|Credencial electoral|D-U-N-S Number|D.N.I.|Digital Currency Address - BCH|Digital Currency Address - BSV|
Digital Currency Address - BTG|Digital Currency Address - DASH|Digital Currency Address - ETC|Digital Currency Address - ETH|
Digital Currency Address - LTC|Digital Currency Address - XBT|Digital Currency Address - XMR|Digital Currency Address - XRP|
Digital Currency Address - XVG|Digital Currency Address - ZEC|Digital Currency Address - USDT|Diplomatic Passport|Driver's License No.|
Dubai Chamber of Commerce Membership No.|Electoral Registry No.|Email Address|Enterprise Number|Equity Ticker|
Executive Order 13662 Directive Determination -|Executive Order 13846 information:|Executive Order 14014 Directive Information:|
Executive Order 14024 Directive Information -|Executive Order 14024 Directive Information|Executive Order 14059 information:|File Number|
Fiscal Code|Folio Mercantil No.|Former Vessel Flag|Gender|Government Gazette Number|I.F.E.|IFCA Determination -|ISIN|
Identification Number|Immigration No.|Issuer Name|Istanbul Chamber of Comm. No.|Italian Fiscal Code|Kenyan ID No.|LE Number|
Legal Entity Number|License|MICEX Code|MMSI|MSB Registration Number|Matricula Mercantil No|Moroccan Personal ID No.|N.I.E.|NIT #|
National Foreign ID Number|National ID No.|Nationality of Registration|Numero Unico de Identificacao Tributaria (NUIT)|Numero de Identidad|
Organization Established Date|Organization Type:|Other Vessel Call Sign|Other Vessel Flag|Other Vessel Type|
Paraguayan tax identification number|Passport|Personal ID Card|Phone Number|Pilot License Number|Previous Aircraft Tail Number|
Public Registration Number|Public Security and Immigration No.|R.F.C.|RFC|RIF #|RSIN|RTN|RUC #|Refugee ID Card|Registered Charity No.|
Registration ID|Registration Number|Residency Number|Romanian C.R.|Romanian Permanent Resident|Romanian Tax Registration|SRE Permit No.|
SSN|SWIFT/BIC|Seafarer's Identification Document|Secondary sanctions risk:|Serial No.|Stateless Person ID Card|Stateless Person Passport|
Target Type|Tarjeta Profesional|Tax ID No.|Tazkira National ID Card|Tourism License No.|Trade License No.|
Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions:|Travel Document Number|
Turkish Identification Number|UAE Identification|UK Company Number|UN/LOCODE|US FEIN|Unified Social Credit Code (USCC)|
United Social Credit Code Certificate (USCCC)|V.A.T. Number|Vessel Registration Identification|VisaNumberID|Website""".replace("\n", "").split("|"),
    key=len,
    reverse=True,
)


def document_type(id_type: str) -> str:
    """passport / national_id / driving_licence / visa / other for an OFAC idType."""
    t = c.clean(id_type).casefold()
    if t in _NATIONAL_IDS:
        return "national_id"
    return _DOC_TYPES.get(t) or ("passport" if "passport" in t else "other")


def document(id_type: str, number: str, country_text: str | None = None, expires: str | None = None,
             issued: str | None = None) -> dict[str, Any] | None:
    """A document dict for an identifier entry, or None when the entry is no document (see the module
    docstring): its type is not an identifier, or (for a type this loader does not know) its value
    holds no digit."""
    id_type, number = c.clean(id_type), c.clean(number)
    if not number or _NOT_AN_ID.search(id_type):
        return None
    if not re.search(r"\d", number) and id_type.casefold() != "swift/bic":
        return None  # "Passport issued in Sarajevo": no number (BICs alone may be all letters)
    note = re.fullmatch(r"(.*?\d.*?)\s*\(([^()]*)\)", number)  # "121398 (Manizales)": the place is no part of it
    if note:
        number = note.group(1)
    imo = _IMO.match(number)
    doc: dict[str, Any] = {
        "number": imo.group(1) if imo else number,
        "type": document_type(id_type),
        "type_raw": id_type,
        "country": country(country_text),
        "expires": c.parse_date(expires)[0],
    }
    if note:
        doc["note"] = note.group(2)
    issued_on = c.parse_date(issued)[0]
    if issued_on:
        doc["issued"] = issued_on
    if id_type.casefold() == "diplomatic passport":
        doc["diplomatic"] = True
    return doc


# --- list membership -------------------------------------------------------------------------------

NONSDN_PROGRAMS = {"NS-PLC", "NS-ISA", "CMIC-EO13959", "561-RELATED", "CAPTA"}
_NONSDN_ID = re.compile(r"^(?:Executive Order (?:13662|14024|14014) Directive|Listing Date \(|Effective Date \()", re.I)


def nonsdn_mark(programs: Iterable[str], id_types: Iterable[str]) -> bool:
    """Whether an entry carries a mark of the non-SDN lists (see the module docstring)."""
    return any(p.upper() in NONSDN_PROGRAMS for p in programs) or any(_NONSDN_ID.match(t) for t in id_types)


def file_list_id(marked: int, total: int) -> str:
    return NONSDN_LIST_ID if total and 2 * marked >= total else LIST_ID


# --- the XML ---------------------------------------------------------------------------------------


def sniff(head: bytes) -> bool:
    """An sdnList document: its root with an sdnEntry or publshInformation (OFAC's spelling) in sight."""
    return bool(_SNIFF_ROOT.search(head)) and (b"sdnEntry" in head or b"publshInformation" in head)


def parse_ofac_xml(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of an OFAC sdnList XML file (a path or binary stream; gzip is read transparently)."""
    with open_source(source) as stream:
        return read_ofac_xml(stream, source_name(source), skip_bad=skip_bad, problems=problems)


def read_ofac_xml(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """parse_ofac_xml on an open binary stream; `name` is how errors name the file."""
    report = c.Reporter(name, skip_bad, problems)
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    marked = total = 0
    elements = record_elements(stream, name, root=ROOT_TAG, records=(RECORD_TAG,), what="an OFAC sdnList XML file")
    for line, element, elem in elements:
        total += 1
        try:
            rec, mark = _record(elem)
        except _BadRecord as e:
            report.bad(str(e), line, element)
            continue
        if rec["id"] in seen:
            report.bad(f"sdnEntry uid {rec['ofac_uid']}: duplicate uid", line, element)
            continue
        seen.add(rec["id"])
        marked += mark
        records.append(rec)
    list_id = file_list_id(marked, total)
    for rec in records:
        rec["list_id"] = list_id
    return records


class _BadRecord(Exception):
    pass


def name_text(name: str, person: bool) -> str:
    """A name as both loaders write it: the quotes around some weak akas (``"FOOPIE"``, ``'FUPI'``)
    dropped, and a person's ``SURNAME, Given`` (exactly one comma; the CSV set's form, and some akas'
    lastName) written ``Given SURNAME``, the order of the XML's firstName lastName."""
    name = _unquote(c.clean(name))
    if person and name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        if last and first:
            return _unquote(f"{first} {last}")  # lastName "ABU-AL-KARKH', 'Yusuf" (sic)
    return name


def _unquote(name: str) -> str:
    while len(name) > 1 and name[0] == name[-1] and name[0] in "'\"":
        name = name[1:-1].strip()
    return name


def _name(elem: ET.Element, person: bool) -> str:
    first = text(elem, "firstName")
    if first:
        return _unquote(c.clean(f"{first} {text(elem, 'lastName')}"))
    return name_text(text(elem, "lastName"), person)


def _texts(elem: ET.Element, path: str) -> list[str]:
    return [t for t in (c.clean(e.text) for e in elem.iterfind(path)) if t]


def _address(a: ET.Element) -> str:
    keys = ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode", "country")
    return ", ".join(p for p in (text(a, k) for k in keys) if p)


def _record(elem: ET.Element) -> tuple[dict[str, Any], bool]:
    uid = text(elem, "uid")
    sdn_type = text(elem, "sdnType")
    primary = _name(elem, sdn_type.casefold() == "individual")
    if not uid:
        raise _BadRecord(f"sdnEntry {primary or '?'!r}: no uid")
    label = f"sdnEntry uid {uid}"
    if sdn_type.casefold() not in KINDS:
        raise _BadRecord(f"{label}: unknown sdnType {sdn_type!r} (known: Individual, Entity, Vessel, Aircraft)")
    strong, weak = [primary], []
    for aka in elem.iterfind("akaList/aka"):
        category = text(aka, "category").casefold()
        (weak if category == "weak" else strong).append(_name(aka, sdn_type.casefold() == "individual"))
    strong = [n for n in strong if n]
    if not strong and not weak:
        raise _BadRecord(f"{label}: no name")
    if not strong:  # only weak akas: the first must still serve as primary name
        strong = weak[:1]
    kind = KINDS[sdn_type.casefold()]

    documents, other_ids, sex, listed = [], [], None, []
    id_types = []
    for ident in elem.iterfind("idList/id"):
        id_type, number = text(ident, "idType"), text(ident, "idNumber")
        id_types.append(id_type)
        if id_type.casefold() == "gender":
            sex = c.sex(number)
            continue
        if id_type.casefold().startswith("listing date"):
            listed.append(c.parse_date(number)[0])
        doc = document(id_type, number, text(ident, "idCountry"), text(ident, "expirationDate"), text(ident, "issueDate"))
        if doc:
            documents.append(doc)
        else:
            other_ids.append(f"{id_type}: {number}" if number else id_type)

    programs = _texts(elem, "programList/program")
    dates, ranges = birth_dates(_texts(elem, "dateOfBirthList/dateOfBirthItem/dateOfBirth"))
    addresses = [a for a in map(_address, elem.iterfind("addressList/address")) if a]
    address_countries = countries(_texts(elem, "addressList/address/country"))
    vessel = elem.find("vesselInfo")
    extra: dict[str, Any] = {"ofac_uid": uid, "ofac_type": sdn_type, "title": text(elem, "title")}
    if vessel is not None:
        flag = country(text(vessel, "vesselFlag"))
        extra.update(
            vessel_call_sign=text(vessel, "callSign"), vessel_type=text(vessel, "vesselType"), vessel_flag=flag,
            vessel_owner=text(vessel, "vesselOwner"), vessel_tonnage=text(vessel, "tonnage"),
            vessel_grt=text(vessel, "grossRegisteredTonnage"),
        )
        address_countries = list(dict.fromkeys(address_countries + ([flag] if flag else [])))
    if other_ids:
        extra["ofac_ids_other"] = other_ids
    names = strong + weak
    rec = c.record(
        id=f"OFAC-{uid}",
        kind=kind,
        names=strong,
        weak_names=weak,
        original_script_names=c.unique(n for n in names if non_latin(n)),
        birth_dates=dates,
        birth_date_ranges=ranges,
        nationalities=countries(
            _texts(elem, "nationalityList/nationality/country") + _texts(elem, "citizenshipList/citizenship/country")
        ),
        countries=address_countries,
        sex=sex if kind == "person" else None,
        documents=documents,
        addresses=c.unique(addresses),
        birth_places=c.unique(_texts(elem, "placeOfBirthList/placeOfBirthItem/placeOfBirth")),
        list_id=LIST_ID,
        program="; ".join(programs) or None,
        remarks=text(elem, "remarks") or None,
        listed_on=min((d for d in listed if d), default=None),
        **{k: v for k, v in extra.items() if v},
    )
    return rec, nonsdn_mark(programs, id_types)
