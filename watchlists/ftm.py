"""Loader for OpenSanctions / FollowTheMoney (FtM) entities as JSON lines: one entity per line,
``{"id", "schema", "properties": {prop: [values]}, "datasets": [...], ...}``, as in OpenSanctions'
``entities.ftm.json`` (flat: a passport, a sanction or an address is an entity of its own, linked by id)
and ``targets.nested.json`` (nested: linked entities are objects inside the properties).

Format ``ftm-json``, list id ``opensanctions``. Which entities become records, and how:

- Schemas Person -> ``person``; Organization, Company, LegalEntity, PublicBody -> ``organization``;
  Vessel -> ``vessel``; Airplane -> ``vessel`` too (the engine has no aircraft kind; an aircraft is
  screened like a vessel, by name and registration), with ``ftm_schema`` saying which it was.
- Passport and Identification entities are attached to their ``holder``; Sanction entities to their
  ``entity`` (``program``, ``listed_on``); Address entities to whoever names them in ``addressEntity``.
  Nested objects (``properties.passport``, ``properties.identification``, ``properties.sanctions``,
  ``properties.addressEntity``) are read the same way; a plain string where an object may stand
  (``"passport": ["C01X00T47"]``) is a number. Every other schema (Ownership, Family, Directorship,
  Occupancy, Position, ...) is passed over. So is an entity marked ``"target": false``: OpenSanctions'
  entities.ftm.json also holds the non-sanctioned people and companies its targets are linked to (a
  director, a relative, an owner), and screening against them would raise hits on people nobody listed;
  an entity without the flag (plain FtM, other publishers) is a target.
- ``id``: the entity id as published (OpenSanctions ids are stable: ``NK-...``, ``Q7747``, ``ofac-1234``).
- ``names``: ``name``, ``alias``, ``previousName`` (a former name still appears on papers), and for a
  person without a ``name`` the parts (firstName, secondName, middleName, fatherName, lastName);
  ``weak_names``: ``weakAlias``. ``original_script_names``: those in a non-Latin script (OpenSanctions
  puts the Cyrillic or Arabic spelling in ``name`` or ``alias``).
- ``birth_dates``: ``birthDate`` (FtM dates are ISO prefixes: 1970, 1970-05, 1970-05-06);
  ``nationalities``: ``nationality`` and ``citizenship``; ``countries``: ``country``, ``jurisdiction``,
  ``mainCountry``, a vessel's ``flag``, and the countries of attached addresses; ``sex``: ``gender``; ``birth_places``:
  ``birthPlace``; ``addresses``: ``address`` and attached address entities' ``full`` text.
- ``documents``: passports and identifications (``{number, type, type_raw, country, expires}``: type
  ``passport`` for a Passport, else from the entity's ``type`` by _common.document_type (``national_id``
  when it has none); ``expires`` its ``endDate``), ``passportNumber`` (passport), ``idNumber`` (national_id), and
  registration identifiers (``registrationNumber``, ``taxNumber``, ``innCode``, ``ogrnCode``,
  ``leiCode``, ``vatCode``, ``imoNumber`` without its "IMO" prefix, ``mmsi``: type ``other``, ``type_raw``
  the property). A plain string in ``passport`` / ``identification`` is a number unless it is the id of
  an entity of the file (a reference).
- ``program``: ``program`` / ``programId`` of the entity and its sanctions; ``listed_on``: the earliest
  sanction ``listingDate`` / ``startDate``, else the entity's own ``listingDate`` (not ``createdAt`` nor
  ``first_seen``: when a record was made or crawled is not when it was listed);
  ``remarks``: ``notes``. ``ftm_schema``, ``ftm_topics`` and ``ftm_datasets`` are kept.

Errors name the line: a line that is not JSON or not an entity object, a target without a name, and a
duplicate id raise ListFormatError unless ``skip_bad``. A last line cut off before its end (no line
break, not JSON) is a truncated file and always raises.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from collections import Counter, defaultdict
from gzip import BadGzipFile
from typing import Any, BinaryIO, Iterable

from . import _common as c
from ._source import Source, open_source, source_name
from ._xmlstream import non_latin
from .errors import ListFormatError

__all__ = ["FORMAT", "LIST_ID", "TARGET_SCHEMAS", "parse_ftm_json", "read_ftm_json", "sniff"]

FORMAT = "ftm-json"
LIST_ID = "opensanctions"

_log = logging.getLogger("watchlists")

TARGET_SCHEMAS = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "LegalEntity": "organization",
    "PublicBody": "organization",
    "Vessel": "vessel",
    "Airplane": "vessel",
}
_IDENTIFICATIONS = {"Passport": "passport", "Identification": None}
_NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
_REGISTRATIONS = ("registrationNumber", "taxNumber", "innCode", "ogrnCode", "leiCode", "vatCode", "imoNumber", "mmsi")
_NESTED_IDENTIFICATION = ("passport", "passports", "identification", "identifications")
_NESTED_SANCTION = ("sanctions", "sanction")
_NESTED_ADDRESS = ("addressEntity",)
_IMO = re.compile(r"^IMO\s*", re.I)  # "IMO9123456" -> "9123456", as the other loaders write IMO numbers


def sniff(head: bytes) -> bool:
    """A JSON-lines file whose first line is an FtM entity: an object with "schema" and "properties"."""
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    return first.startswith(b"{") and b'"schema"' in first and b'"properties"' in first


def parse_ftm_json(
    source: Source, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """Records of an FtM JSON-lines file (a path or binary stream; gzip is read transparently)."""
    with open_source(source) as stream:
        return read_ftm_json(stream, source_name(source), skip_bad=skip_bad, problems=problems)


def _values(props: dict[str, Any], *keys: str) -> list[Any]:
    out: list[Any] = []
    for key in keys:
        value = props.get(key)
        if value is None:
            continue
        out.extend(value if isinstance(value, list) else [value])
    return out


def _strings(props: dict[str, Any], *keys: str) -> list[str]:
    return [s for s in (c.clean(v) if isinstance(v, str) else "" for v in _values(props, *keys)) if s]


def _ids(values: Iterable[Any]) -> list[str]:
    """Entity ids in a reference property: strings, or nested objects' ids."""
    out = []
    for v in values:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict) and isinstance(v.get("id"), str):
            out.append(v["id"])
    return out


class _Entities:
    """What the lines hold: target entities in order, and the linked entities to attach to them."""

    def __init__(self) -> None:
        self.targets: list[tuple[int, dict[str, Any]]] = []
        self.identifications: dict[str, list[dict[str, Any]]] = defaultdict(list)  # holder -> entities
        self.sanctions: dict[str, list[dict[str, Any]]] = defaultdict(list)  # entity -> sanctions
        self.addresses: dict[str, dict[str, Any]] = {}  # address id -> address entity
        self.skipped: Counter[str] = Counter()
        self.ids: set[str] = set()  # every entity id in the file

    def add(self, line: int, entity: dict[str, Any]) -> None:
        schema = entity["schema"]
        props = entity["properties"]
        self.ids.add(entity["id"])
        if schema in TARGET_SCHEMAS:
            if entity.get("target") is False:  # linked to a target, not listed itself
                self.skipped["not a target"] += 1
            else:
                self.targets.append((line, entity))
        elif schema in _IDENTIFICATIONS:
            for holder in _ids(_values(props, "holder")):
                self.identifications[holder].append(entity)
        elif schema == "Sanction":
            for target in _ids(_values(props, "entity")):
                self.sanctions[target].append(entity)
        elif schema == "Address":
            self.addresses[entity["id"]] = entity
        else:
            self.skipped[schema] += 1


def read_ftm_json(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    reporter = c.Reporter(name, skip_bad, problems)
    entities = _Entities()
    line = 0
    try:
        for raw in stream:
            line += 1
            if not raw.strip():
                continue
            truncated = not raw.endswith(b"\n")
            try:
                entity = json.loads(raw)
            except UnicodeDecodeError as e:
                reporter.bad(f"undecodable bytes: not UTF-8 JSON ({e.reason} at byte {e.start + 1})", line)
                continue
            except json.JSONDecodeError as e:
                if truncated:
                    raise reporter.fatal(f"truncated file: the last line ends inside its JSON ({e.msg})", line) from None
                reporter.bad(f"not JSON: {e.msg} (column {e.colno})", line)
                continue
            problem = _entity_problem(entity)
            if problem:
                reporter.bad(problem, line)
                continue
            entities.add(line, entity)
    except (BadGzipFile, EOFError, zlib.error) as e:
        raise reporter.fatal(f"corrupt or truncated gzip data ({e})", line + 1) from None

    if entities.skipped:
        _log.info("%s: passed over %s", name, ", ".join(f"{n} {k}" for k, n in entities.skipped.most_common()))
    records = []
    seen: dict[str, int] = {}
    for line, entity in entities.targets:
        rec = _record(entity, entities)
        if not rec["names"]:
            reporter.bad(f"{entity['schema']} {entity['id']}: no name", line)
        elif rec["id"] in seen:
            reporter.bad(f"{entity['schema']} {entity['id']}: duplicate id (first on line {seen[rec['id']]})", line)
        else:
            seen[rec["id"]] = line
            records.append(rec)
    return records


def _entity_problem(entity: Any) -> str | None:
    if not isinstance(entity, dict):
        return f"not an FtM entity: a JSON {type(entity).__name__}, not an object"
    if not isinstance(entity.get("id"), str) or not entity["id"].strip():
        return "not an FtM entity: no \"id\""
    if not isinstance(entity.get("schema"), str):
        return f"entity {entity['id']}: no \"schema\""
    if not isinstance(entity.get("properties", {}), dict):
        return f"entity {entity['id']}: \"properties\" is not an object"
    entity.setdefault("properties", {})
    return None


def _nested(props: dict[str, Any], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [v for v in _values(props, *keys) if isinstance(v, dict) and isinstance(v.get("properties"), dict)]


def _record(entity: dict[str, Any], linked: _Entities) -> dict[str, Any]:
    schema, props, eid = entity["schema"], entity["properties"], entity["id"].strip()
    kind = TARGET_SCHEMAS[schema]

    names = _strings(props, "name", "alias", "previousName")
    if not names and kind == "person":
        parts = " ".join(_strings(props, *_NAME_PARTS))
        names = [parts] if parts else []

    identifications = linked.identifications.get(eid, []) + _nested(props, _NESTED_IDENTIFICATION)
    documents = [d for d in (_identification(e) for e in identifications) if d]
    for key in _NESTED_IDENTIFICATION:  # flat numbers where an object may stand (not references to one)
        for value in _values(props, key):
            if isinstance(value, str) and c.clean(value) and value not in linked.ids:
                documents.append(_doc(c.clean(value), "passport" if key.startswith("passport") else "national_id", key))
    documents += [_doc(n, "passport", "passportNumber") for n in _strings(props, "passportNumber")]
    documents += [_doc(n, "national_id", "idNumber") for n in _strings(props, "idNumber")]
    for key in _REGISTRATIONS:
        documents += [_doc(_IMO.sub("", n) if key == "imoNumber" else n, "other", key) for n in _strings(props, key)]

    sanctions = linked.sanctions.get(eid, []) + _nested(props, _NESTED_SANCTION)
    programs = _strings(props, "program", "programId")
    listing_dates = []
    for sanction in sanctions:
        sp = sanction["properties"]
        programs += _strings(sp, "program", "programId") or _strings(sp, "authority")
        listing_dates += [d for d in (c.parse_date(v)[0] for v in _strings(sp, "listingDate", "startDate")) if d]
    listed_on = min(listing_dates) if listing_dates else next(
        (d for d in (c.parse_date(v)[0] for v in _strings(props, "listingDate")) if d), None
    )

    addresses = _strings(props, "address")
    countries = _strings(props, "country", "jurisdiction", "mainCountry", "flag")
    address_entities = _nested(props, _NESTED_ADDRESS) + [
        linked.addresses[ref] for ref in _values(props, *_NESTED_ADDRESS) if isinstance(ref, str) and ref in linked.addresses
    ]
    for address in address_entities:
        ap = address["properties"]
        addresses += _strings(ap, "full") or [", ".join(_strings(ap, "street", "city", "postalCode", "region"))]
        countries += _strings(ap, "country")

    birth_dates, ranges = [], []
    for value in _strings(props, "birthDate"):
        date, circa = c.parse_date(value)
        if date:
            birth_dates.append(date)
            if circa:
                ranges.append({"from": date, "to": date, "circa": True})

    rec = c.record(
        id=eid,
        kind=kind,
        names=names,
        weak_names=_strings(props, "weakAlias"),
        original_script_names=c.unique(n for n in names + _strings(props, "weakAlias") if non_latin(n)),
        birth_dates=list(dict.fromkeys(birth_dates)),
        birth_date_ranges=ranges,
        nationalities=c.countries(_strings(props, "nationality", "citizenship")),
        countries=c.countries(countries),
        sex=next((s for s in map(c.sex, _strings(props, "gender")) if s), None),
        documents=_dedupe(documents),
        addresses=c.unique([a for a in addresses if a]),
        birth_places=_strings(props, "birthPlace"),
        list_id=LIST_ID,
        program="; ".join(c.unique(programs)),
        remarks=" ".join(_strings(props, "notes")),
        listed_on=listed_on,
        ftm_schema=schema,
    )
    topics = _strings(props, "topics")
    if topics:
        rec["ftm_topics"] = topics
    datasets = entity.get("datasets")
    if isinstance(datasets, list) and datasets:
        rec["ftm_datasets"] = [d for d in datasets if isinstance(d, str)]
    return rec


def _doc(number: str, doc_type: str, type_raw: str, country: str | None = None, expires: str | None = None) -> dict[str, Any]:
    return {"number": number, "type": doc_type, "type_raw": type_raw, "country": country, "expires": expires}


def _identification(entity: dict[str, Any]) -> dict[str, Any] | None:
    props = entity["properties"]
    numbers = _strings(props, "number", "passportNumber")
    if not numbers:
        return None
    schema = entity.get("schema", "")
    type_text = next(iter(_strings(props, "type")), "")
    # A Passport is a passport whatever its "type" says ("diplomatic"); an Identification is what its
    # type says, and a national identity document when it says nothing.
    doc_type = _IDENTIFICATIONS.get(schema) or (c.document_type(type_text) if type_text else "national_id")
    type_raw = type_text or schema
    country = next((x for x in map(c.country, _strings(props, "country")) if x), None)
    expires = next((d for d in (c.parse_date(v)[0] for v in _strings(props, "endDate", "expiryDate")) if d), None)
    doc = _doc(numbers[0], doc_type, type_raw, country, expires)
    issued = next((d for d in (c.parse_date(v)[0] for v in _strings(props, "startDate")) if d), None)
    if issued:
        doc["issued"] = issued
    return doc


def _dedupe(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One document per number: the fullest one (with a country, an expiry) wins."""
    best: dict[str, dict[str, Any]] = {}
    for doc in documents:
        key = doc["number"].casefold()
        if key not in best or sum(v is not None for v in doc.values()) > sum(v is not None for v in best[key].values()):
            best[key] = doc
    return list(best.values())
