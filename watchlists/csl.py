"""Loaders for the US Consolidated Screening List CSV (trade.gov: the export-screening lists of Commerce,
State and Treasury in one file) and the BIS Denied Persons List (tab-separated).

CSL (format ``csl-csv``, list id ``us-csl``): one row per listing, header ``_id, source, entity_number,
type, programs, name, title, addresses, ..., alt_names, citizenships, dates_of_birth, nationalities,
places_of_birth, source_information_url, ids``; multi-valued cells are ``;``-separated. What each record gets
(DESIGN.md 'Record'):

- ``id``: ``CSL-<list code>-<entity_number>`` for the Treasury (OFAC) lists, ``CSL-<_id>`` for the
  others. OFAC's entity number names the entity, not the listing, and one entity can be on two OFAC
  lists (SSI and NS-MBS, SDN and PLC: 7 such pairs in the 2023-11-30 excerpt), so the list code makes
  each listing a record of its own with an id that does not change when the other listing goes; the
  Commerce and State lists have no entity number and an ``_id`` (a content hash) per listing. Two rows
  with the same id are a duplicate record.
- ``kind``: ``type`` Individual / Entity / Vessel / Aircraft -> person / organization / vessel (the
  engine has no aircraft kind; an aircraft is screened like a vessel, by name and registration).
  The Commerce and State lists (Entity List, DPL, Unverified List, MEU, ISN, ITAR Debarred) leave
  ``type`` empty (2,039 of the 4,226 rows of the excerpt), and the kind is then guessed, in this order:
  the Unverified, MEU, CMIC, NS-MBS, SSI and CAP lists hold only organisations -> organization; a date of
  birth or a "(... individual)" note -> person; a name (dots removed, so "S.L." reads as "SL") with a
  legal form or a word no person's name has ("Ltd", "GmbH", "OOO", "Institute", "Trading", "Airlines",
  "Concern", "Obshchestvo", ...), a digit, a web domain or "&", or of a single word -> organization; a
  mixed-case name with an acronym in brackets ("Air Weapons Complex (AWC)") -> organization; otherwise
  person. ``kind_guessed`` is True on such records. Checked on the excerpt: of the 952 rows guessed as
  persons (every one read) about 30 are organisations with no telling word ("Nexus Empire", "Video
  Logic", "Strategic Force"), i.e. ~97% right; the 1,087 guessed organisations hold no person that a
  read of the DPL, ITAR and ISN ones found; a random sample of 30 guessed rows was all right. A wrong
  kind costs the organisation-name scoring, not the match.
- ``names``: ``name``, then ``alt_names``; an alias written in double quotes (``"FOOPIE"``, OFAC's weak
  a.k.a.s) goes to ``weak_names``. A name carrying its alias ("PEARL (A.K.A. NEI-CHIEN CHU) LI", "SIBERIAN
  AIRLINES D/B/A S7 AIRLINES", "X [aka Y, Z]") also gives the alias. A State Department qualifier ("...
  and any successor, sub-unit, or subsidiary thereof", "..., and its sub-units and successors") is not
  part of the name: it is cut off and kept in ``csl_name_note``. C1 control characters left by a cp1252
  -> UTF-8 mix-up ("Xi\\x92an", 3 rows) are read as the cp1252 characters they were ("Xi\u2019an").
  ``original_script_names``: the names in a non-Latin script (none in the excerpt).
- ``addresses``: each ``;``-separated address as text; ``countries``: their countries (the last
  comma-separated part, an ISO code or a name; an address that ends in a US state and ZIP code is
  in the US), plus a vessel's ``vessel_flag`` and the country of an ``ids`` entry "Nationality of
  Registration".
- ``nationalities``: ``citizenships`` and ``nationalities`` (and an ``ids`` "Nationality Country").
- ``birth_dates``: ``dates_of_birth`` ("1962", "1980-02-08", "Sep 1938", "circa 1951"); circa dates also
  in ``birth_date_ranges``. ``birth_places``: ``places_of_birth``.
- ``documents``: the ``ids`` entries ("Passport, U00242309, TR", "Cedula No., 6067015, CO", "Tax ID No.,
  7702070139, RU", "Vessel Registration Identification, IMO 7406784") whose value holds a digit:
  ``{number, type, type_raw, country, expires}`` (type by _common.document_type, plus D.N.I., "Personal ID",
  "<country> ID No." and "National Foreign ID Number" as ``national_id``; an IMO number is type
  ``other``, type_raw ``IMO``). The country is the part after the number when it is a 2- or 3-letter code;
  OFAC writes a passport's dates after it ("Passport, G 649385, 08 Sep 2006, 17 Jul 2011"): two dates
  are ``issued`` and ``expires``, one date (issue or expiry, OFAC does not say) stays in ``detail``.
  Entries that are not identifiers (dates, directives, websites, e-mail addresses, equity tickers, ISINs,
  SWIFT/BIC, "Target Type", "Gender", sanctions notes) are kept as text in ``csl_ids_other``; "Gender"
  gives ``sex``.
- ``program``: ``programs`` (``SDGT; IRAN``), else the list's code (``EL``, ``DPL``); ``listed_on``:
  ``start_date``; ``remarks``: ``remarks``. The source list and its code, ``entity_number``, ``title``,
  the licence and Federal Register fields and the vessel fields are kept as ``csl_*`` keys.
- The file's header may be repeated (a row equal to the header is passed over).

BIS Denied Persons List (format ``bis-dpl``, list id ``us-bis-dpl``): ``Name, Street_Address, City, State,
Country, Postal_Code, Effective_Date, Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation``,
tab-separated. It has no identifier: ``id`` is ``DPL-`` and the first 12 hex digits of the SHA-256 of
name, address and effective date, so the same listing keeps its id across downloads. A person listed at
several addresses has a row, hence a record, per address. A row that repeats an earlier one field for
field is the same listing published twice: it is passed over (logged, not a bad record); the
test file has 665 data rows of which 2 are such repeats (DAQING ZHOU, NEI-CHIEN CHU), so 663 records.
Two rows with the same name, address and date that differ elsewhere are a bad record. ``kind`` is
guessed from the name as for the CSL. ``listed_on`` is the
effective date (US order, MM/DD/YYYY), ``dpl_expires`` the expiration date, ``remarks`` the action.

Both read through _csvrows: errors name the line; an undecodable row, a row of the wrong width, a record
without a name or id, or a duplicate id raises ListFormatError unless ``skip_bad``; a truncated file
always raises.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, BinaryIO

from . import _common as c
from ._csvrows import read_rows
from ._source import Source, open_source, source_name
from ._xmlstream import non_latin
from .errors import ListFormatError

__all__ = [
    "DPL_FORMAT",
    "DPL_LIST_ID",
    "FORMAT",
    "LIST_ID",
    "guess_kind",
    "parse_csl_csv",
    "parse_dpl",
    "read_csl_csv",
    "read_dpl",
    "sniff",
    "sniff_dpl",
]

FORMAT = "csl-csv"
LIST_ID = "us-csl"
DPL_FORMAT = "bis-dpl"
DPL_LIST_ID = "us-bis-dpl"

_log = logging.getLogger("watchlists")

_KINDS = {"individual": "person", "entity": "organization", "vessel": "vessel", "aircraft": "vessel"}
_REQUIRED = ("source", "name")
_C1_FIX = {i: bytes([i]).decode("cp1252", errors="ignore") or None for i in range(0x80, 0xA0)}
_SOURCE_CODE = re.compile(r"\(([^()]+)\)")
_ALIAS_IN_NAME = re.compile(r"\s*\(\s*(?:a\.?k\.?a\.?|f\.?k\.?a\.?|also known as|formerly)\s*:?\s+([^()]+)\)", re.I)
_ALIAS_LIST_IN_NAME = re.compile(r"\s*\[\s*(?:a\.?k\.?a\.?|also known as)\s*:?\s+([^\[\]]+)\]", re.I)  # "X [aka Y, Z]"
# State's qualifiers: "... and any successor, sub-unit, or subsidiary thereof", ", and its sub-units and successors".
_QUALIFIER = re.compile(r"\s*[;,]?\s+and\s+(?:any|its)\s+(?:successors?|sub-units?|subsidiar(?:y|ies))\b.*$", re.I)
_DBA = re.compile(r"\s+(?:d/b/a|a/k/a|a\.k\.a\.?|aka|f\.k\.a\.?|t/a|trading as)\s+", re.I)
_INDIVIDUAL_NOTE = re.compile(r"\s*\((?:[A-Z]+\s+)?individual\)\s*$", re.I)
_QUOTED = re.compile(r'^["“”]\s*(.+?)\s*["“”]$')

# An organisation's name: legal forms and words that no person's name has.
_ORG_WORDS = re.compile(
    r"""\b(?:ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|co|company|companies|gmbh|ag|sa|s\.a|
    sarl|s\.r\.l|srl|s\.r\.o|bv|b\.v|nv|plc|pte|pvt|private|fze|fzc|fzco|fz|llp|lp|jsc|ojsc|pjsc|cjsc|oao|zao|ooo|
    pao|kg|oy|ab|a\.s|spa|sdn|bhd|tic|est|establishment|group|holding|holdings|industries|industry|
    industrial|international|intl|trading|trade|import|export|exports|imports|exporters|importers|enterprise|
    enterprises|technology|technologies|tech|electronics|electronic|systems|solutions|services|logistics|
    shipping|airlines|airline|airways|aviation|aerospace|engineering|institute|institution|university|
    academy|laboratory|laboratories|lab|center|centre|bureau|ministry|department|government|organization|
    organisation|committee|council|agency|authority|association|foundation|bank|fund|partners|associates|
    factory|plant|works|bureau|research|design|office|firm|network|project|projects|manufacturing|
    manufacturer|products|materials|equipment|instruments|machinery|chemical|chemicals|petrochemical|energy|
    oil|gas|marine|maritime|navigation|transport|freight|forwarding|express|supply|supplies|store|stores|
    mart|market|general|global|worldwide|overseas|army|corps|brigade|front|movement|party|league|
    network|media|telecom|communications|computer|computers|software|devices|components|parts|motors|
    metals|steel|mining|construction|consulting|consultants|management|investment|investments|capital|
    finance|financial|insurance|exchange|brothers|sons|hk|semiconductors?|concern|complex|system|successors?|
    subsidiary|subsidiaries|makina|elektronik|kimya|sanayi|ticaret|tekstil|institut|technik|development|
    anstalt|a\.g|ports?|
    sl|slu|sas|sau|sae|ltda|kft|doo|sro|eood|ead|ou|oü|vertriebs|production|productions|
    aktsionernoe|obshchestvo|obschestvo|otkrytoe|zakrytoe|byuro|gosudarstvennoe|uchrezhdenie|predpriyatie|
    zavod|kombinat|fau|fku|fgup|npo|npc|okb|air|airways|railways?|shipyard|directorate|republic|resort|
    engineers|promoters|gazprom)\b|,\s*(?:ao|tov|ap)\b|\.(?:com|net|org)\b|&""",
    re.I | re.X,
)
_ACRONYM = re.compile(r"\([A-Z0-9]{2,}\)")
# Lists that hold only organisations.
_ORG_ONLY_SOURCES = {"UVL", "MEU", "CMIC", "NS-MBS", "SSI", "CAP"}

# ids entries that are not identifiers of the listed party.
# ids types that are a national identity number (document_type reads them as "other").
_NATIONAL_ID = re.compile(r"^d\.?n\.?i\.?$|personal id|^(?:\w+\s+)?id no\.?$|national foreign id", re.I)
_ID_DATE = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}$")  # "08 Sep 2006"

_NOT_AN_ID = re.compile(
    r"date|directive|sanction|executive order|website|e-?mail|ticker|isin|target type|issuer name|"
    r"organization type|caatsa|ifca|transactions prohibited|gender|nationality|phone|fax|swift|bic\b|"
    r"additional|risk|information|subject to|established",
    re.I,
)
_US_STATES = set(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH
    OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP""".split()
)
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
_DPL_COLUMNS = (
    "Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date",
    "Expiration_Date", "Standard_Order", "Last_Update", "Action", "FR_Citation",
)  # fmt: skip

_CSL_EXTRA = {  # column -> record key, kept when not empty
    "entity_number": "csl_entity_number",
    "title": "csl_title",
    "federal_register_notice": "csl_federal_register_notice",
    "end_date": "csl_end_date",
    "standard_order": "csl_standard_order",
    "license_requirement": "csl_license_requirement",
    "license_policy": "csl_license_policy",
    "call_sign": "csl_call_sign",
    "vessel_type": "csl_vessel_type",
    "gross_tonnage": "csl_gross_tonnage",
    "gross_registered_tonnage": "csl_gross_registered_tonnage",
    "vessel_flag": "csl_vessel_flag",
    "vessel_owner": "csl_vessel_owner",
    "source_list_url": "csl_source_list_url",
    "source_information_url": "csl_source_information_url",
}


# --- detection -------------------------------------------------------------------------------------


def _first_line_fields(head: bytes, delimiter: bytes) -> list[str]:
    line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")
    return [f.strip(b' "').decode("utf-8", "replace").casefold() for f in line.split(delimiter)]


def sniff(head: bytes) -> bool:
    """A CSL CSV: its first line is the header, with ``source``, ``name``, ``alt_names`` and ``_id`` or
    ``entity_number`` (OFAC's headerless CSV, the UK list's "Last Updated" line and XML do not match)."""
    fields = set(_first_line_fields(head, b","))
    return {"source", "name", "alt_names"} <= fields and bool(fields & {"_id", "id", "entity_number"})


def sniff_dpl(head: bytes) -> bool:
    fields = _first_line_fields(head, b"\t")
    return fields[:3] == ["name", "street_address", "city"]


# --- shared ----------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return c.clean(value.translate(_C1_FIX)) if value else ""


def _split(value: str | None) -> list[str]:
    return [p for p in (_text(x) for x in (value or "").split(";")) if p]


def guess_kind(name: str, source_code: str = "", has_birth_date: bool = False) -> str:
    """person or organization for a listing that does not say: from the list and the name's words."""
    if source_code in _ORG_ONLY_SOURCES:
        return "organization"
    if has_birth_date or _INDIVIDUAL_NOTE.search(name):
        return "person"
    if _ORG_WORDS.search(name) or _ORG_WORDS.search(name.replace(".", "")) or re.search(r"\d", name):
        return "organization"
    if len(name.split()) == 1:
        return "organization"
    if not name.isupper() and _ACRONYM.search(name):  # "Air Weapons Complex (AWC)"
        return "organization"
    return "person"


def _split_qualifier(raw: str) -> tuple[str, str]:
    """(name, qualifier): "Synnat Pharma Pvt Ltd.; and any successor, sub-unit, or subsidiary thereof"
    -> ("Synnat Pharma Pvt Ltd.", "and any successor, sub-unit, or subsidiary thereof")."""
    text = _text(raw)
    m = _QUALIFIER.search(text)
    return (text[: m.start()].strip(" ,;"), m.group(0).strip(" ,;")) if m and m.start() else (text, "")


def _names_of(raw: str) -> list[str]:
    """The names a name cell holds: "PEARL (A.K.A. NEI-CHIEN CHU) LI" -> PEARL LI, NEI-CHIEN CHU;
    "SIBERIAN AIRLINES D/B/A S7 AIRLINES" -> both; "X [aka Y, Z]" -> X, Y, Z; "(DPRK individual)" and a
    successor qualifier are dropped."""
    name = _INDIVIDUAL_NOTE.sub("", _split_qualifier(raw)[0])
    aliases = [m.strip(" ,") for m in _ALIAS_IN_NAME.findall(name)]
    aliases += [a.strip() for m in _ALIAS_LIST_IN_NAME.findall(name) for a in m.split(",")]
    name = c.clean(_ALIAS_LIST_IN_NAME.sub(" ", _ALIAS_IN_NAME.sub(" ", name)))
    parts = [p.strip(" ,") for p in _DBA.split(name)]
    return [p for p in parts + aliases if p]


def _address_country(address: str) -> str | None:
    parts = [p.strip() for p in address.split(",")]
    if not parts:
        return None
    found = c.country(parts[-1]) if not parts[-1].isdigit() else None
    if found:
        return found
    if len(parts) >= 2 and _ZIP.match(parts[-1]) and parts[-2].upper() in _US_STATES:
        return "US"
    return None


def _birth(values: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    dates, ranges = [], []
    for value in values:
        date, circa = c.parse_date(value)
        if date:
            dates.append(date)
            if circa:
                ranges.append({"from": date, "to": date, "circa": True})
    return list(dict.fromkeys(dates)), ranges


# --- CSL -------------------------------------------------------------------------------------------


def parse_csl_csv(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of a CSL CSV file (a path or binary stream; gzip is read transparently)."""
    with open_source(source) as stream:
        return read_csl_csv(stream, source_name(source), skip_bad=skip_bad, problems=problems)


def read_csl_csv(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    reporter = c.Reporter(name, skip_bad, problems)
    rows = read_rows(stream, reporter)
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise reporter.fatal("empty file: no CSL header", 1) from None
    columns = [h.strip().casefold() for h in header]
    index = {col: i for i, col in enumerate(columns)}
    if "_id" not in index and "id" in index:
        index["_id"] = index["id"]
    missing = [col for col in _REQUIRED if col not in index]
    if missing or not ({"_id", "entity_number"} & set(index)):
        need = missing or ["_id or entity_number"]
        raise reporter.fatal(f"not a CSL file: no column {need[0]!r} in the header ({', '.join(header)})", header_line)

    records: list[dict[str, Any]] = []
    seen: dict[str, int] = {}  # id -> line
    for line, row in rows:
        if [f.strip().casefold() for f in row] == columns:
            continue  # a repeated header
        cell = {col: row[i] for col, i in index.items()}
        rec = _csl_record(cell)
        if not rec["names"]:
            reporter.bad(f"CSL {rec['id'] or 'row'}: no name", line)
        elif not rec["id"]:
            reporter.bad(f"CSL {rec['names'][0]!r}: no _id or entity_number", line)
        elif rec["id"] in seen:
            reporter.bad(f"CSL {rec['id']} ({rec['names'][0]!r}): duplicate record (first on line {seen[rec['id']]})", line)
        else:
            seen[rec["id"]] = line
            records.append(rec)
    return records


def _csl_record(cell: dict[str, str]) -> dict[str, Any]:
    source = _text(cell.get("source"))
    code_match = _SOURCE_CODE.search(source)
    code = re.sub(r"\s+list$", "", code_match.group(1), flags=re.I).strip() if code_match else ""
    entity_number = _text(cell.get("entity_number"))
    if entity_number:  # OFAC's entity number: one entity, possibly on several OFAC lists
        rid = f"CSL-{code}-{entity_number}" if code else f"CSL-{entity_number}"
    else:
        rid = f"CSL-{_text(cell.get('_id'))}" if _text(cell.get("_id")) else ""

    names = _names_of(cell.get("name", ""))
    weak: list[str] = []
    for alias in _split(cell.get("alt_names")):
        quoted = _QUOTED.match(alias)
        if quoted:
            weak.append(quoted.group(1))
        else:
            names.extend(_names_of(alias))

    addresses = _split(cell.get("addresses"))
    address_countries = [_address_country(a) for a in addresses]
    nationalities = c.countries(_split(cell.get("citizenships")) + _split(cell.get("nationalities")))
    countries = [x for x in address_countries if x]
    flag = c.country(cell.get("vessel_flag"))
    if flag:
        countries.append(flag)
    documents, other_ids, sex = [], [], None
    for entry in _split(cell.get("ids")):
        parts = [p.strip() for p in entry.split(",")]
        kind_raw, value = parts[0].rstrip(":").strip(), ", ".join(parts[1:]).strip()
        low = kind_raw.casefold()
        if low == "gender":
            sex = c.sex(value)
        elif low == "nationality country" and c.country(value):
            nationalities.append(c.country(value))  # type: ignore[arg-type]
        elif low == "nationality of registration" and c.country(value):
            countries.append(c.country(value))  # type: ignore[arg-type]
        doc = None if _NOT_AN_ID.search(kind_raw) else _document(kind_raw, [p for p in parts[1:] if p])
        if doc:
            documents.append(doc)
        elif low not in ("gender",):
            other_ids.append(f"{kind_raw}: {value}" if value else kind_raw)

    birth_dates, ranges = _birth(_split(cell.get("dates_of_birth")))
    type_raw = _text(cell.get("type"))
    kind = _KINDS.get(type_raw.casefold())
    guessed = kind is None
    if kind is None:
        kind = guess_kind(_text(cell.get("name")), code, bool(birth_dates))
    listed_on, _ = c.parse_date(cell.get("start_date"))
    rec = c.record(
        id=rid,
        kind=kind,
        names=names,
        weak_names=weak,
        original_script_names=c.unique(n for n in names + weak if non_latin(n)),
        birth_dates=birth_dates,
        birth_date_ranges=ranges,
        nationalities=list(dict.fromkeys(nationalities)),
        countries=list(dict.fromkeys(countries)),
        sex=sex,
        documents=_dedupe_documents(documents),
        addresses=addresses,
        birth_places=_split(cell.get("places_of_birth")),
        list_id=LIST_ID,
        program="; ".join(_split(cell.get("programs"))) or code,
        remarks=_text(cell.get("remarks")),
        listed_on=listed_on,
        csl_source=source,
        csl_source_code=code,
        csl_raw_id=_text(cell.get("_id")),
    )
    note = _split_qualifier(cell.get("name", ""))[1]
    if note:
        rec["csl_name_note"] = note
    if guessed:
        rec["kind_guessed"] = True
        if type_raw:
            rec["csl_type"] = type_raw
    for column, key in _CSL_EXTRA.items():
        value = _text(cell.get(column))
        if value:
            rec[key] = value
    if other_ids:
        rec["csl_ids_other"] = other_ids
    return rec


def _document(kind_raw: str, parts: list[str]) -> dict[str, Any] | None:
    """{number, type, type_raw, country, expires} from an ids entry's parts after its type, when it is
    one: "Passport, G 649385, TN, 08 Sep 2006, 17 Jul 2011" -> G 649385, TN, issued 2006-09-08, expires
    2011-07-17."""
    if not parts:
        return None
    number, rest = parts[0], parts[1:]
    if ":" in number:  # "RNE: W031645-8"
        number = number.split(":", 1)[1].strip()
    while rest and re.fullmatch(r"\d{3}", rest[0]) and re.search(r"\d{3}$", number):
        number, rest = f"{number},{rest[0]}", rest[1:]  # "BE 454, 419, 759": a number written with commas
    imo = re.match(r"^IMO\s*(\d{7})$", number, re.I)
    if imo:
        number, kind_raw = imo.group(1), "IMO"
    if not re.search(r"\d", number) or len(number) > 40:
        return None
    if re.search(r"\btax\b", kind_raw, re.I):  # "Tax ID No.": a tax number, not an identity document
        doc_type = "other"
    else:
        doc_type = "national_id" if _NATIONAL_ID.search(kind_raw) else c.document_type(kind_raw)
    country = c.country(rest[0]) if rest and len(rest[0]) <= 3 and rest[0].isalpha() else None
    rest = rest[1:] if country else rest
    doc: dict[str, Any] = {"number": number, "type": doc_type, "type_raw": kind_raw, "country": country, "expires": None}
    dates = [c.parse_date(p)[0] for p in rest if _ID_DATE.match(p)]
    if len(dates) == 2 and all(dates) and len(rest) == 2:
        doc["issued"], doc["expires"] = dates
        rest = []
    if rest:
        doc["detail"] = ", ".join(rest)
    return doc


def _dedupe_documents(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for doc in documents:
        key = (doc["number"].casefold(), doc.get("country"), doc["type"])
        if key not in seen:
            seen.add(key)
            out.append(doc)
    return out


# --- BIS Denied Persons List -----------------------------------------------------------------------


def parse_dpl(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of a BIS Denied Persons List file (dpl.txt: tab-separated, quoted)."""
    with open_source(source) as stream:
        return read_dpl(stream, source_name(source), skip_bad=skip_bad, problems=problems)


def read_dpl(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    reporter = c.Reporter(name, skip_bad, problems)
    rows = read_rows(stream, reporter, delimiter="\t")
    try:
        header_line, header = next(rows)
    except StopIteration:
        raise reporter.fatal("empty file: no Denied Persons List header", 1) from None
    index = {h.strip().casefold(): i for i, h in enumerate(header)}
    for col in ("name", "street_address", "city", "country", "effective_date"):
        if col not in index:
            raise reporter.fatal(f"not a Denied Persons List: no column {col!r} in the header", header_line)
    records: list[dict[str, Any]] = []
    seen: dict[str, tuple[int, tuple[str, ...]]] = {}
    for line, row in rows:
        cell = {col: _text(row[i]) for col, i in index.items()}
        names = _names_of(cell["name"])
        if not names:
            reporter.bad("Denied Persons List row: no name", line)
            continue
        key = tuple(cell.get(col.casefold(), "") for col in _DPL_COLUMNS[:7])
        rid = "DPL-" + hashlib.sha256("\x1f".join(key).casefold().encode()).hexdigest()[:12]
        if rid in seen:
            if seen[rid][1] == tuple(row):
                _log.info("%s:%d: the same Denied Persons List row as line %d: kept once", name, line, seen[rid][0])
                continue  # the same listing published twice
            reporter.bad(f"DPL {names[0]!r}: listed twice with the same address and date (line {seen[rid][0]})", line)
            continue
        seen[rid] = (line, tuple(row))
        state, postal = cell.get("state", ""), cell.get("postal_code", "")
        country = c.country(cell.get("country"))
        if not country and state.upper() in _US_STATES and _ZIP.match(postal):
            country = "US"
        address = ", ".join(p for p in (cell.get("street_address"), cell.get("city"), state, postal, cell.get("country")) if p)
        listed_on, _ = c.parse_date(cell.get("effective_date"), day_first=False)
        expires, _ = c.parse_date(cell.get("expiration_date"), day_first=False)
        rec = c.record(
            id=rid,
            kind=guess_kind(cell["name"]),
            names=names,
            countries=[country] if country else [],
            addresses=[address] if address else [],
            list_id=DPL_LIST_ID,
            program="DPL",
            remarks=cell.get("action", ""),
            listed_on=listed_on,
            kind_guessed=True,
        )
        for col, k in (("standard_order", "dpl_standard_order"), ("last_update", "dpl_last_update"), ("fr_citation", "dpl_fr_citation")):
            if cell.get(col):
                rec[k] = cell[col]
        if expires:
            rec["dpl_expires"] = expires
        records.append(rec)
    return records
