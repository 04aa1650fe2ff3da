"""Loader for the UK HM Treasury / OFSI Consolidated List of Financial Sanctions Targets, CSV
(``ConList.csv``): a "Last Updated,<date>" line, then the header (Name 6, Name 1..5, Title, Name
Non-Latin Script, ..., DOB, Town of Birth, Country of Birth, Nationality, Passport Number, Passport
Details, National Identification Number, NI Details, Position, Address 1..6, Post/Zip Code, Country,
Other Information, Group Type, Alias Type, Alias Quality, Regime, Listed On, UK Sanctions List Date
Designated, Last Updated, Group ID), then one row per name of a target and per date of birth: a person
with two names and three dates of birth has six rows. Rows are grouped by Group ID (they need not be
next to each other: the file is sorted by name) and each group becomes one record (DESIGN.md 'Record'):

- ``id``: ``UK-<Group ID>``. ``kind``: Group Type Individual / Entity / Ship -> person / organization /
  vessel; another Group Type is a bad record.
- names: Name 1..5 then Name 6 (the surname), whitespace-normalised. The "Primary name" row ("Prime
  Alias" in older files) gives names[0]; "Primary name variation" rows and "AKA" rows are ``names`` too,
  unless Alias Quality says the alias is weak ("Low", "weak"): then ``weak_names``. A group without a
  primary row takes its first strong name as primary. "Name Non-Latin Script" is a name (strong) and an
  ``original_script_names`` entry.
- ``birth_dates``: DOB ``dd/mm/yyyy`` with ``00`` for an unknown day or month: ``00/00/1936`` -> ``1936``,
  ``00/04/1984`` -> ``1984-04``, ``10/00/1983`` -> ``1983`` (a day without a month is no date).
  ``birth_places``: "Town of Birth, Country of Birth".
- ``nationalities``: Nationality, which holds country names or demonyms ("Pakistani"), sometimes
  enumerated ("(1) Iraqi (2) Syrian"); demonyms are read with a table of this module (to_iso2 reads names
  and codes only). ``countries``: the address Country.
- ``documents``: Passport Number (type ``passport``) and National Identification Number (type
  ``national_id``), each possibly enumerated "(1) ... (2) ..."; a trailing "(Pakistani)" or the matching
  Passport Details / NI Details entry gives the issuing country when it names one. Numbers without a
  digit ("N/A") are dropped.
- A ship's IMO number, when Other Information gives one ("IMO number: 9123456"), is a document
  ``{"number": "9123456", "type": "other", "type_raw": "IMO"}``.
- ``addresses``: Address 1..6, Post/Zip Code and Country joined. ``remarks``: Other Information.
  ``program``: Regime. ``listed_on``: Listed On (else UK Sanctions List Date Designated). Title and
  Position are kept as ``title`` and ``position``.

**Encoding.** The published files have been UTF-8 (with or without a byte-order mark) and Windows-1252,
and copies re-saved by spreadsheets mix them. A UTF-16 BOM selects UTF-16; a UTF-8 BOM is dropped;
otherwise every line is decoded as UTF-8 and, when it is not valid UTF-8, as Windows-1252 (cp1252, the
superset of Latin-1's printable characters that Excel writes). A line that is neither (bytes 0x81, 0x8D,
0x8F, 0x90, 0x9D, undefined in cp1252), or one with a NUL byte (binary data, UTF-16 without a BOM),
raises ListFormatError with its line number. Deciding per line
keeps the reader streaming (no need to read the whole file before knowing its encoding) and reads mixed
files right; valid UTF-8 is vanishingly unlikely to be cp1252 text by accident.

Streaming: the csv module reads decoded lines one at a time; what grows with the file is the groups
being built, i.e. the result. A missing required column (Name 6, Group Type, Alias Type, Group ID) or a
header that is not there raises ListFormatError naming the column and line, always; a short row, a row
without Group ID, or a group without any name raises it unless ``skip_bad``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

from . import _common as c
from ._source import Source, open_source, peek, source_name
from ._xmlstream import non_latin
from .errors import ListFormatError

__all__ = ["FORMAT", "LIST_ID", "REQUIRED_COLUMNS", "demonym", "parse_uk_csv", "read_uk_csv", "sniff"]

FORMAT = "uk-csv"
LIST_ID = "uk-ofsi"
REQUIRED_COLUMNS = ("Name 6", "Group Type", "Alias Type", "Group ID")
NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
ADDRESS_COLUMNS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6", "Post/Zip Code", "Country")

_KINDS = {"individual": "person", "entity": "organization", "ship": "vessel"}
_PRIMARY = {"primary name", "prime alias"}
_IMO = re.compile(r"\bIMO(?:\s+(?:number|no\.?))?\s*:?\s*(\d{7})\b", re.I)
_NO_COUNTRY = {"na", "n/a", "n.a.", "unknown", "not known", "none", "-"}
_WEAK = re.compile(r"^\s*(?:low|weak)", re.I)
_ENUMERATION = re.compile(r"\(\s*\d{1,2}\s*\)")
_TRAILING_NOTE = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
_SNIFF = re.compile(r'^(?:"?Last Updated"?,[^\n]*\n)?"?Name 6"?,"?Name 1"?,', re.I)

# Demonyms as the UK list writes nationalities, -> ISO alpha-2. Ambiguous ones ("Congolese", "Guinean"
# as Guinea-Bissau or Equatorial Guinea, "Korean") are left out: no nationality beats a wrong one.
_DEMONYMS = {
    "afghan": "AF", "afghani": "AF", "albanian": "AL", "algerian": "DZ", "american": "US", "angolan": "AO",
    "argentinian": "AR", "argentine": "AR", "armenian": "AM", "australian": "AU", "austrian": "AT",
    "azerbaijani": "AZ", "azeri": "AZ", "bahraini": "BH", "bangladeshi": "BD", "belarusian": "BY",
    "belarussian": "BY", "belgian": "BE", "bosnian": "BA", "brazilian": "BR", "british": "GB",
    "bulgarian": "BG", "burmese": "MM", "burundian": "BI", "cambodian": "KH", "cameroonian": "CM",
    "canadian": "CA", "central african": "CF", "chadian": "TD", "chilean": "CL", "chinese": "CN",
    "colombian": "CO", "croatian": "HR", "cuban": "CU", "cypriot": "CY", "czech": "CZ", "danish": "DK",
    "djiboutian": "DJ", "dominican": "DO", "dutch": "NL", "ecuadorian": "EC", "egyptian": "EG",
    "emirati": "AE", "eritrean": "ER", "estonian": "EE", "ethiopian": "ET", "finnish": "FI", "french": "FR",
    "georgian": "GE", "german": "DE", "ghanaian": "GH", "greek": "GR", "guatemalan": "GT", "haitian": "HT",
    "honduran": "HN", "hungarian": "HU", "indian": "IN", "indonesian": "ID", "iranian": "IR", "iraqi": "IQ",
    "irish": "IE", "israeli": "IL", "italian": "IT", "ivorian": "CI", "jamaican": "JM", "japanese": "JP",
    "jordanian": "JO", "kazakh": "KZ", "kazakhstani": "KZ", "kenyan": "KE", "kosovan": "XK", "kosovar": "XK",
    "kuwaiti": "KW", "kyrgyz": "KG", "latvian": "LV", "lebanese": "LB", "liberian": "LR", "libyan": "LY",
    "lithuanian": "LT", "macedonian": "MK", "malaysian": "MY", "malian": "ML", "maldivian": "MV",
    "maltese": "MT", "mauritanian": "MR", "mexican": "MX", "moldovan": "MD", "mongolian": "MN",
    "montenegrin": "ME", "moroccan": "MA", "mozambican": "MZ", "myanmar": "MM", "nicaraguan": "NI",
    "nigerian": "NG", "nigerien": "NE", "north korean": "KP", "norwegian": "NO", "omani": "OM",
    "pakistani": "PK", "palestinian": "PS", "panamanian": "PA", "filipino": "PH", "philippine": "PH",
    "polish": "PL", "portuguese": "PT", "qatari": "QA", "romanian": "RO", "russian": "RU", "rwandan": "RW",
    "saudi": "SA", "saudi arabian": "SA", "senegalese": "SN", "serbian": "RS", "singaporean": "SG",
    "slovak": "SK", "slovenian": "SI", "somali": "SO", "south african": "ZA", "south korean": "KR",
    "south sudanese": "SS", "spanish": "ES", "sri lankan": "LK", "sudanese": "SD", "swedish": "SE",
    "swiss": "CH", "syrian": "SY", "taiwanese": "TW", "tajik": "TJ", "tajikistani": "TJ", "tanzanian": "TZ",
    "thai": "TH", "tunisian": "TN", "turkish": "TR", "turkmen": "TM", "ugandan": "UG", "ukrainian": "UA",
    "uruguayan": "UY", "uzbek": "UZ", "uzbekistani": "UZ", "venezuelan": "VE", "vietnamese": "VN",
    "yemeni": "YE", "zambian": "ZM", "zimbabwean": "ZW",
}


def demonym(value: str | None) -> str | None:
    """ISO alpha-2 for a nationality written as a demonym ("Pakistani", "North Korean"), else None."""
    return _DEMONYMS.get(c.clean(value).casefold().rstrip("."))


def _nation(value: str | None) -> str | None:
    """A country name, code or demonym -> ISO alpha-2. Short words count only as capitalised codes:
    "no" or "in" in prose is not Norway or India."""
    s = c.clean(value).strip(" .,;:")
    if len(s) < 4 and not (s.isupper() and len(s) in (2, 3)):
        return None
    return c.country(s) or demonym(s)


def _find_country(text: str) -> str | None:
    """The first country a free-text note names: "Pakistani", "issued in Iran (Islamic Republic of)"."""
    found = _nation(text)
    if found:
        return found
    for part in re.split(r"[,;]|\b(?:issued|in|by|on|no|number|expires?|expiry)\b\.?", text, flags=re.I):
        found = _nation(part)
        if found:
            return found
    words = re.findall(r"[^\W\d_][\w'-]*", text)  # "Iraqi passport issued 2010": a demonym among words
    for i in range(len(words)):
        found = demonym(" ".join(words[i : i + 2])) or demonym(words[i])
        if found:
            return found
    return None


def sniff(head: bytes) -> bool:
    """A ConList CSV: (after an optional BOM and "Last Updated" line) a header starting Name 6, Name 1."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(codec, "ignore")
            break
    else:
        text = head.removeprefix(codecs.BOM_UTF8).decode("utf-8", "replace")
    return bool(_SNIFF.match(text.replace("\r\n", "\n")))


def parse_uk_csv(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of a UK OFSI ConList CSV file (path or binary stream, gzip or not)."""
    with open_source(source) as stream:
        return read_uk_csv(stream, source_name(source), skip_bad=skip_bad, problems=problems)


# --- decoding --------------------------------------------------------------------------------------


class _Lines:
    """Decoded lines of the file (see "Encoding" above), counting them for error messages."""

    def __init__(self, stream: BinaryIO, name: str):
        self.name, self.line = name, 0
        head, self._stream = peek(stream, 4)
        self._utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))

    def __iter__(self) -> Iterator[str]:
        if self._utf16:
            wrapper = io.TextIOWrapper(self._stream, encoding="utf-16", newline="")  # type: ignore[arg-type]
            try:
                for text in wrapper:
                    self.line += 1
                    yield text
            except UnicodeDecodeError as e:
                raise ListFormatError(f"undecodable bytes in UTF-16 text ({e.reason})", self.name, self.line + 1) from None
            finally:
                wrapper.detach()
            return
        while raw := self._stream.readline():
            self.line += 1
            if self.line == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            if b"\x00" in raw:
                raise ListFormatError(
                    f"NUL byte (column {raw.index(0) + 1}): binary data, or UTF-16 without a byte-order mark",
                    self.name,
                    self.line,
                )
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    yield raw.decode("cp1252")
                except UnicodeDecodeError as e:
                    bad = raw[e.start : e.end]
                    raise ListFormatError(
                        f"undecodable bytes {bad!r} (column {e.start + 1}): neither UTF-8 nor Windows-1252",
                        self.name,
                        self.line,
                    ) from None


# --- rows to records -------------------------------------------------------------------------------


@dataclass
class _Group:
    line: int
    kinds: list[str] = field(default_factory=list)
    primary: list[str] = field(default_factory=list)
    strong: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    original: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    sexes: list[str] = field(default_factory=list)
    first: dict[str, str] = field(default_factory=dict)  # first non-empty value of single-valued columns


_FIRST_COLUMNS = ("Other Information", "Regime", "Listed On", "UK Sanctions List Date Designated", "Title", "Position")


def read_uk_csv(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """parse_uk_csv on an open binary stream; `name` is how errors name the file."""
    report = c.Reporter(name, skip_bad, problems)
    lines = _Lines(stream, name)
    reader = csv.reader(iter(lines))
    groups: dict[str, _Group] = {}
    header: list[str] | None = None
    index: dict[str, int] = {}
    row_number = 0
    start = 1
    try:
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                if row[0].strip().casefold() == "last updated" and start == 1:
                    continue
                header = [c.clean(h) for h in row]
                index = {h: i for i, h in reversed(list(enumerate(header)))}
                missing = [col for col in REQUIRED_COLUMNS if col not in index]
                if missing:
                    raise report.fatal(
                        f"not a UK OFSI ConList CSV: missing column {missing[0]!r}"
                        + (f" (and {', '.join(map(repr, missing[1:]))})" if missing[1:] else "")
                        + f"; the header has {', '.join(header[:8])}{', ...' if len(header) > 8 else ''}",
                        start,
                    )
                continue
            row_number += 1
            element = f"row {row_number}"
            if len(row) < len(header):
                report.bad(f"short row: {len(row)} fields, the header has {len(header)}", start, element)
                continue
            if any(cell.strip() for cell in row[len(header) :]):
                report.bad(f"long row: {len(row)} fields, the header has {len(header)}", start, element)
                continue
            values = {h: c.clean(row[i]) for h, i in index.items()}
            gid = values["Group ID"]
            if not gid:
                report.bad("row without a Group ID", start, element)
                continue
            _add_row(groups.setdefault(gid, _Group(start)), values)
    except csv.Error as e:  # the record that starts here never ends (an unclosed quote) or is not CSV
        raise ListFormatError(f"malformed CSV: {e}", name, start) from None
    if header is None:
        raise report.fatal("not a UK OFSI ConList CSV: no header row (Name 6, Name 1, ...)", lines.line or 1)

    records = []
    for gid, group in groups.items():
        try:
            records.append(_record(gid, group))
        except ValueError as e:
            report.bad(str(e), group.line, f"Group ID {gid}")
    return records


def _enumerated(value: str) -> list[str]:
    """ "(1) A (2) B" -> ["A", "B"]; a value without numbering is one item."""
    parts = [p.strip(" ,;") for p in _ENUMERATION.split(value)]
    return [p for p in parts if p]


def _documents(numbers: str, details: str, doc_type: str, type_raw: str) -> list[dict[str, Any]]:
    docs = []
    notes = _enumerated(details)
    for i, item in enumerate(_enumerated(numbers)):
        number, note = item, ""
        m = _TRAILING_NOTE.match(item)
        if m:
            number, note = m.group(1).strip(" ,;"), m.group(2)
        if not re.search(r"\d", number):
            continue
        detail = notes[i] if len(notes) > i else (notes[0] if len(notes) == 1 else "")
        country = (_find_country(note) if note else None) or (_find_country(detail) if detail else None)
        doc: dict[str, Any] = {"number": number, "type": doc_type, "type_raw": type_raw, "country": country, "expires": None}
        if note or detail:
            doc["details"] = "; ".join(x for x in (note, detail) if x)
        docs.append(doc)
    return docs


def _add_row(group: _Group, v: dict[str, str]) -> None:
    group.kinds.append(v["Group Type"])
    name = c.clean(" ".join(v.get(col, "") for col in NAME_COLUMNS))
    alias_type = v["Alias Type"].casefold()
    if name:
        if alias_type in _PRIMARY:
            group.primary.append(name)
        elif _WEAK.match(v.get("Alias Quality", "")):
            group.weak.append(name)
        else:
            group.strong.append(name)
    script = v.get("Name Non-Latin Script", "")
    if script:
        group.original.append(script)
    dob = c.parse_date(v.get("DOB"), day_first=True)[0]
    if dob:
        group.dates.append(dob)
    place = ", ".join(p for p in (v.get("Town of Birth", ""), v.get("Country of Birth", "")) if p)
    if place:
        group.places.append(place)
    for item in _enumerated(v.get("Nationality", "")):
        code = _nation(item) or next((x for x in map(_nation, item.split(",")) if x), None)
        if code:
            group.nationalities.append(code)
    group.documents += _documents(v.get("Passport Number", ""), v.get("Passport Details", ""), "passport", "Passport")
    group.documents += _documents(
        v.get("National Identification Number", ""), v.get("NI Details", ""), "national_id", "National Identification Number"
    )
    parts = [v.get(col, "") for col in ADDRESS_COLUMNS]
    if parts[-1].casefold() in _NO_COUNTRY:  # "na": no country, not Namibia
        parts[-1] = ""
    address = ", ".join(p for p in parts if p)
    if address:
        group.addresses.append(address)
    country = c.country(v.get("Country")) or _find_country(v.get("Country", ""))
    if country:
        group.countries.append(country)
    sex = c.sex(v.get("Gender"))
    if sex:
        group.sexes.append(sex)
    for col in _FIRST_COLUMNS:
        if v.get(col) and col not in group.first:
            group.first[col] = v[col]


def _record(gid: str, g: _Group) -> dict[str, Any]:
    kind_raw = g.kinds[0]
    kind = _KINDS.get(kind_raw.casefold())
    if kind is None:
        raise ValueError(f"Group ID {gid}: unknown Group Type {kind_raw!r} (known: Individual, Entity, Ship)")
    strong = g.primary + g.strong + g.original
    if not strong and not g.weak:
        raise ValueError(f"Group ID {gid}: no name")
    if not strong:
        strong = g.weak[:1]
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    for d in g.documents:  # the same passport is repeated on every row of the group
        docs.setdefault((d["type"], d["number"]), d)
    imo = _IMO.search(g.first.get("Other Information", "")) if kind == "vessel" else None
    if imo:
        docs[("other", imo.group(1))] = {"number": imo.group(1), "type": "other", "type_raw": "IMO", "country": None, "expires": None}
    listed = c.parse_date(g.first.get("Listed On"))[0] or c.parse_date(g.first.get("UK Sanctions List Date Designated"))[0]
    person = kind == "person"
    return c.record(
        id=f"UK-{gid}",
        kind=kind,
        names=strong,
        weak_names=g.weak,
        original_script_names=c.unique(n for n in g.original + strong if non_latin(n)),
        birth_dates=list(dict.fromkeys(g.dates)) if person else [],
        nationalities=list(dict.fromkeys(g.nationalities)),
        countries=list(dict.fromkeys(g.countries)),
        sex=g.sexes[0] if person and g.sexes else None,
        documents=list(docs.values()),
        addresses=c.unique(g.addresses),
        birth_places=c.unique(g.places) if person else [],
        list_id=LIST_ID,
        program=g.first.get("Regime"),
        remarks=g.first.get("Other Information"),
        listed_on=listed,
        **{k: g.first[col] for k, col in (("title", "Title"), ("position", "Position")) if col in g.first},
    )
