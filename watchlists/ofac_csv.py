"""Loader for OFAC's legacy delimited SDN files (format ``ofac-csv``): ``sdn.csv`` + ``add.csv`` +
``alt.csv`` (+ optional ``sdn_comments.csv``), joined by ent_num (OFAC's dat_spec.txt; the ent_num is the
uid of sdn.xml). The files have no header; fields are comma-separated, text fields double-quoted;
``-0-`` (often ``-0- ``) is an empty value; lines end with CR LF and a file may end with a DOS
end-of-file byte (0x1A), which is passed over.

- sdn.csv (12 fields): ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
  Vess_flag, Vess_owner, Remarks.
- add.csv (6): ent_num, add_num, Address, City/State/Province/Postal Code, Country, Add_remarks.
- alt.csv (5): ent_num, alt_num, alt_type (aka / fka / nka), alt_name, alt_remarks.
- sdn_comments.csv (2): ent_num, text that continues the Remarks field. Remarks are cut at 1,000
  characters, mid-word (``... a.k.a. 'snowsjo`` + ``hn'; Linked To: ...``): the continuation is
  appended as is, then the whole remarks are read. It is optional (OFAC leaves it out of some sets);
  add.csv and alt.csv are required, since without them names and addresses would silently be missing.

Each sdn.csv row becomes one record, mapped as the XML loader (ofac.py) maps the same entry:

- ``id``: ``OFAC-<ent_num>`` (also ``ofac_uid``). ``kind``: SDN_Type ``individual`` -> person, empty ->
  organization (the CSV writes entities as ``-0-``), ``vessel`` -> vessel, ``aircraft`` -> vessel
  (``ofac_type`` keeps the type: Individual, Entity, Vessel, Aircraft). Another type is a bad record.
- ``names``: SDN_Name, then the alt.csv names, whatever their alt_type: alt.csv holds OFAC's strong
  aliases. An individual's ``SURNAME, Given`` (one comma) is written ``Given SURNAME``, as the XML loader
  writes lastName/firstName; other names stay as published. ``weak_names``: OFAC's weak aliases, which the
  delimited files carry only in Remarks, single-quoted (``a.k.a. 'BNC'``, also ``f.k.a. '...'`` and
  ``n.k.a. '...'``; OFAC FAQ 123).
- Remarks are ``; ``-separated items, read like this (``alt.`` before an item means another value):
  ``DOB 10 Dec 1948`` / ``DOB circa 1965`` / ``DOB 1960 to 1962`` / ``DOB Jan 1970`` -> ``birth_dates`` and
  ``birth_date_ranges`` (rules of ofac.birth_dates); ``POB ...`` -> ``birth_places``; ``nationality X`` and
  ``citizen X`` -> ``nationalities`` (ISO alpha-2, rules of ofac.country); ``Gender Male`` -> ``sex``;
  ``<idType> <number> (<country>) issued <date> expires <date>`` with one of the idTypes of sdn.xml
  (ofac.ID_TYPES: Passport, National ID No., Cedula No., ...) -> ``documents`` or ``ofac_ids_other``
  exactly as in the XML loader. Anything else (``Linked To: ...``, ``ICTY indictee``, a label this loader
  does not know) is left in ``remarks`` only. ``remarks`` keeps the complete text (with the continuation).
- ``addresses``: Address, City/State/Postal Code and Country joined by ", "; ``countries``: the address
  countries, and a vessel's flag. ``program``: Program (``SDGT] [IFSR`` as written, which is how the
  delimited format separates programs) as ``SDGT; IFSR``. ``title`` and the vessel fields
  (``vessel_call_sign``, ``vessel_type``, ``vessel_flag``, ``vessel_owner``, ``vessel_tonnage``,
  ``vessel_grt``) as in the XML loader. ``listed_on``: None (the files carry no listing date).
- ``list_id``: ``ofac-sdn``, by the same content rule as ofac.py (a set whose entries mostly carry a
  non-SDN mark would be ``ofac-nonsdn``). The non-SDN list's own delimited files (cons_prim.csv,
  cons_add.csv, cons_alt.csv) have other names and are not read by this loader.

**Encoding.** dat_spec says ASCII, and files have been Latin-1/Windows-1252; each line is read as
UTF-8 and, when it is not valid UTF-8, as Windows-1252. A line that is neither is a bad record.

**Errors.** Rows are read through _csvrows, so every error names its file and line: a row with the wrong
number of fields, an undecodable row, a duplicate ent_num, a record without a name or with an unknown
SDN_Type, and an add/alt/comments row whose ent_num is not in sdn.csv raise ListFormatError, or with
``skip_bad`` are reported and left out. A truncated file (last row cut short) or a missing add.csv or
alt.csv always raises.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from . import _common as c
from . import ofac
from ._xmlstream import non_latin
from ._csvrows import read_rows
from ._source import open_source
from .errors import ListFormatError

__all__ = ["FORMAT", "LIST_ID", "FILES", "find_files", "read_ofac_csv", "read_ofac_csv_path", "sniff", "sniff_path"]

FORMAT = "ofac-csv"
LIST_ID = ofac.LIST_ID
#: The files of the set, their widths, and whether the set is usable without them.
FILES = {"sdn.csv": (12, True), "add.csv": (6, True), "alt.csv": (5, True), "sdn_comments.csv": (2, False)}

_KINDS = {"individual": ("person", "Individual"), "": ("organization", "Entity"),
          "vessel": ("vessel", "Vessel"), "aircraft": ("vessel", "Aircraft")}
_NULL = "-0-"
_SNIFF = re.compile(rb'^\d+,"[^"\r\n]*",(?:-0- ?|"(?:individual|vessel|aircraft)"),"', re.I)
_WEAK = re.compile(r"^(?:alt\.\s+)?[afn]\.k\.a\.,?\s+'(.*)'$", re.I)
_ITEM = re.compile(r"^(?:alt\.\s+)?(DOB|POB|nationality|citizen|Gender)\s+(.+)$", re.I)
_ID_TAIL = re.compile(
    r"^(?P<number>.+?)(?:\s+\((?P<country>[^()]+)\))?(?:\s+issued\s+(?P<issued>[^()]+?))?"
    r"(?:\s+expires\s+(?P<expires>[^()]+?))?$"
)
_ID_LABELS = [(t, t.casefold()) for t in ofac.ID_TYPES]


def sniff(head: bytes) -> bool:
    """The head of an sdn.csv: ``<ent_num>,"<name>",<type>,"<program>"`` with type -0- or a known type."""
    return bool(_SNIFF.match(head.lstrip(b"\xef\xbb\xbf")))


def find_files(path: Path) -> dict[str, Path | None]:
    """The set's files: in the directory `path`, or beside the file `path` (which is then sdn.csv,
    whatever its name). Names are matched case-insensitively (OFAC's FTP writes SDN.CSV)."""
    folder = path if path.is_dir() else path.parent
    present = {p.name.casefold(): p for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
    found: dict[str, Path | None] = {name: present.get(name) for name in FILES}
    if not path.is_dir():
        found["sdn.csv"] = path
    return found


def sniff_path(path: Path) -> bool:
    """A directory holding sdn.csv, or a file named sdn.csv whose content looks like one (a missing
    add.csv is then reported by the reader, naming it, rather than the file going unrecognised)."""
    try:
        if path.is_dir():
            return any(p.name.casefold() == "sdn.csv" for p in path.iterdir())
        if path.name.casefold() != "sdn.csv":
            return False
        with open_source(path) as stream:
            return sniff(stream.read(4096))
    except OSError:
        return False


def read_ofac_csv(stream: BinaryIO, name: str, **_: Any) -> list[dict[str, Any]]:
    """A stream holds one file; the set is several: give the directory or the sdn.csv path."""
    raise ListFormatError(
        "the OFAC CSV set is several files (sdn.csv, add.csv, alt.csv, sdn_comments.csv): load the "
        "directory or the sdn.csv path, not a stream",
        name,
    )


def read_ofac_csv_path(
    path: Path, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None, **_: Any
) -> list[dict[str, Any]]:
    """Records of an OFAC CSV set, from its directory or its sdn.csv path."""
    path = Path(path)
    files = find_files(path)
    for file, (_, required) in FILES.items():
        if required and files[file] is None:
            raise ListFormatError(
                f"OFAC CSV set incomplete: no {file} beside {files['sdn.csv'] and files['sdn.csv'].name or 'sdn.csv'}",
                str(path / file if path.is_dir() else path.with_name(file)),
            )
    entries: dict[str, _Entry] = {}
    sdn_path = files["sdn.csv"]
    assert sdn_path is not None
    report = c.Reporter(str(sdn_path), skip_bad, problems)
    for line, row in _rows(sdn_path, report):
        ent = _value(row[0])
        if not (ent.isascii() and ent.isdigit()):
            report.bad(f"ent_num {row[0]!r} is not a number", line)
        elif ent in entries:
            report.bad(f"ent_num {ent}: duplicate record", line)
        else:
            entries[ent] = _Entry(line, row)
    for file, attach in (("add.csv", _Entry.add), ("alt.csv", _Entry.alt), ("sdn_comments.csv", _Entry.comment)):
        part = files[file]
        if part is None:
            continue
        part_report = c.Reporter(str(part), skip_bad, problems)
        for line, row in _rows(part, part_report, FILES[file][0]):
            entry = entries.get(_value(row[0]))
            if entry is None:
                part_report.bad(f"ent_num {_value(row[0]) or '?'} is not in sdn.csv", line)
            else:
                attach(entry, row)

    records, marked = [], 0
    for ent, entry in entries.items():
        try:
            rec, mark = entry.record(ent)
        except ValueError as e:
            report.bad(str(e), entry.line)
            continue
        records.append(rec)
        marked += mark
    list_id = ofac.file_list_id(marked, len(records))
    for rec in records:
        rec["list_id"] = list_id
    return records


# --- reading ---------------------------------------------------------------------------------------


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    """The stream's lines, a final DOS end-of-file byte dropped, a line that is not UTF-8 but is
    Windows-1252 re-encoded as UTF-8 (a line that is neither goes on as is: _csvrows reports it)."""
    for raw in stream:
        if raw.endswith(b"\x1a"):
            raw = raw.rstrip(b"\x1a")
            if not raw:
                continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                raw = raw.decode("cp1252").encode("utf-8")
            except UnicodeDecodeError:
                pass
        yield raw


def _rows(path: Path, report: c.Reporter, width: int = 12) -> Iterator[tuple[int, list[str]]]:
    with open_source(path) as stream:
        yield from read_rows(_lines(stream), report, expected=width)  # type: ignore[arg-type]


def _value(field: str) -> str:
    s = c.clean(field)
    return "" if s == _NULL else s


def _split_remarks(remarks: str) -> list[str]:
    """The ``; ``-separated items of Remarks, without the final period. An item is kept whole across a
    ``;`` inside a quoted weak alias, and an aside in parentheses (``(Following data derived from ...:
    Passport No.: 0310857, Eritrea; ...)``) stays one item, which is then left to the remarks text."""
    items: list[str] = []
    for piece in remarks.split(";"):
        if items and (_open_quote(items[-1]) or items[-1].count("(") > items[-1].count(")")):
            items[-1] += ";" + piece
        else:
            items.append(piece)
    items = [i.strip() for i in items]
    if items and items[-1].endswith("."):
        items[-1] = items[-1][:-1]
    return [i for i in items if i]


def _open_quote(item: str) -> bool:
    m = re.match(r"\s*(?:alt\.\s+)?[afn]\.k\.a\.,?\s+'", item, re.I)
    return bool(m) and not item.rstrip().rstrip(".").endswith("'")


def _identifier(item: str) -> tuple[str, str, dict[str, str | None]] | None:
    """(idType, number, {country, issued, expires}) for an item that starts with a known idType."""
    body = re.sub(r"^alt\.\s+", "", item, flags=re.I)
    low = body.casefold()
    for label, folded in _ID_LABELS:
        if low.startswith(folded) and len(body) > len(label) and body[len(label)] in " :":
            rest = body[len(label):].lstrip(" :")
            m = _ID_TAIL.match(rest)
            if not m or not rest:
                return None
            return label, m.group("number"), {k: m.group(k) for k in ("country", "issued", "expires")}
    return None


class _Entry:
    """One sdn.csv row and what the other files add to it."""

    __slots__ = ("line", "row", "addresses", "address_countries", "alts", "more_remarks")

    def __init__(self, line: int, row: list[str]):
        self.line, self.row = line, row
        self.addresses: list[str] = []
        self.address_countries: list[str] = []
        self.alts: list[str] = []
        self.more_remarks = ""

    def add(self, row: list[str]) -> None:
        address, city, country_text = (_value(f) for f in row[2:5])
        text = ", ".join(p for p in (address, city, country_text) if p)
        if text:
            self.addresses.append(text)
        if country_text:
            self.address_countries.append(country_text)

    def alt(self, row: list[str]) -> None:
        # alt_type is aka / fka / nka; whatever it says (even a new type), the name is a strong alias.
        name = _value(row[3])
        if name:
            self.alts.append(name)

    def comment(self, row: list[str]) -> None:
        self.more_remarks += row[1] if _value(row[1]) else ""

    def record(self, ent: str) -> tuple[dict[str, Any], bool]:
        (_, sdn_name, sdn_type, program, title, call_sign, vess_type, tonnage, grt, flag_text, owner,
         remarks_field) = (_value(f) for f in self.row)
        label = f"ent_num {ent}"
        if sdn_type.casefold() not in _KINDS:
            raise ValueError(f"{label}: unknown SDN_Type {sdn_type!r} (known: individual, vessel, aircraft, -0- for an entity)")
        kind, ofac_type = _KINDS[sdn_type.casefold()]
        person = kind == "person"
        remarks = c.clean(remarks_field + self.more_remarks) if remarks_field or self.more_remarks else ""
        names = [ofac.name_text(n, person) for n in [sdn_name, *self.alts] if n]
        weak, dob_texts, places, nationality_texts = [], [], [], []
        documents, other_ids, sex, id_types = [], [], None, []
        for item in _split_remarks(remarks):
            m = _WEAK.match(item)
            if m:
                weak.append(ofac.name_text(m.group(1), person))
                continue
            m = _ITEM.match(item)
            if m:
                key, value = m.group(1).casefold(), m.group(2).strip()
                if key == "dob":
                    dob_texts.append(value)
                elif key == "pob":
                    places.append(value)
                elif key in ("nationality", "citizen"):
                    nationality_texts.append(value)
                else:
                    sex = c.sex(value)
                continue
            ident = _identifier(item)
            if ident:
                id_type, number, parts = ident
                id_types.append(id_type)
                doc = ofac.document(id_type, number, parts["country"], parts["expires"], parts["issued"])
                if doc:
                    documents.append(doc)
                else:
                    other_ids.append(f"{id_type.rstrip(':').rstrip(' -')}: {number}")
        if not names and not weak:
            raise ValueError(f"{label}: no name")
        if not names:
            names = weak[:1]
        dates, ranges = ofac.birth_dates(dob_texts)
        programs = [p.strip(" []") for p in program.split("] [")] if program else []
        flag = ofac.country(flag_text)
        address_countries = ofac.countries(self.address_countries) + ([flag] if flag else [])
        extra = {
            "ofac_uid": ent, "ofac_type": ofac_type, "title": title, "vessel_call_sign": call_sign,
            "vessel_type": vess_type, "vessel_flag": flag, "vessel_owner": owner, "vessel_tonnage": tonnage,
            "vessel_grt": grt, "ofac_ids_other": other_ids,
        }
        rec = c.record(
            id=f"OFAC-{ent}",
            kind=kind,
            names=names,
            weak_names=weak,
            original_script_names=c.unique(n for n in names + weak if non_latin(n)),
            birth_dates=dates,
            birth_date_ranges=ranges,
            nationalities=ofac.countries(nationality_texts),
            countries=list(dict.fromkeys(address_countries)),
            sex=sex if person else None,
            documents=documents,
            addresses=c.unique(self.addresses),
            birth_places=c.unique(places),
            list_id=LIST_ID,
            program="; ".join(p for p in programs if p) or None,
            remarks=remarks or None,
            listed_on=None,
            **{k: v for k, v in extra.items() if v},
        )
        return rec, ofac.nonsdn_mark(programs, id_types)
