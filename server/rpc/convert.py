"""Messages <-> the engine's dicts and hits. Only fields the caller set are passed on, so the
engine's validation names them as the proto does (`passengers[3].birth_date`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import engine
from server.proto_gen.interdict.v1 import common_pb2 as pb

BANDS = {"match": pb.BAND_MATCH, "review": pb.BAND_REVIEW}
PARTY_KINDS = {pb.PARTY_KIND_PERSON: "person", pb.PARTY_KIND_ORGANIZATION: "organization", pb.PARTY_KIND_VESSEL: "vessel"}
ENTRY_KINDS = {
    "person": pb.ENTRY_KIND_PERSON,
    "organization": pb.ENTRY_KIND_ORGANIZATION,
    "vessel": pb.ENTRY_KIND_VESSEL,
    "document": pb.ENTRY_KIND_DOCUMENT,
}
ENTRY_KIND_NAMES = {v: k for k, v in ENTRY_KINDS.items()}

_DOC_FIELDS = ("number", "type", "country", "expires", "mrz")
_QUERY_TEXT = ("name", "surname", "given_names", "birth_date", "nationality", "sex", "address", "country")


def document_dict(d: pb.TravelDocument) -> dict[str, Any]:
    return {f: getattr(d, f) for f in _DOC_FIELDS if getattr(d, f)}


def passenger_dict(p: pb.Passenger, default_kind: str = "person") -> dict[str, Any]:
    q: dict[str, Any] = {f: getattr(p, f) for f in _QUERY_TEXT if getattr(p, f)}
    q["kind"] = PARTY_KINDS.get(p.kind, default_kind)
    if p.documents:
        q["documents"] = [document_dict(d) for d in p.documents]
    return q


def add_hits(into: Any, hits: Iterable[engine.Hit | engine.DocumentHit], matched: str = "matched_name") -> None:
    """Appends `hits` to the repeated Hit (or DocumentHit, `matched="matched_number"`) field `into`,
    each built in place: a message handed to a constructor or to `append` is copied, and a response
    of 100 passengers holds hundreds of hits."""
    add = into.add
    for h in hits:
        message = add(
            entry_id=h.entry_id, list_id=h.list_id, list_version=h.list_version, score=h.score,
            band=BANDS.get(h.band, pb.BAND_UNSPECIFIED), explanation=h.explanation,
        )
        set_map(message.features, h.features)
        setattr(message, matched, getattr(h, matched))


def set_map(into: Any, values: Mapping[str, Any]) -> None:
    """Fills the map field `into`: item by item, as `update` (and a constructor's keyword) does too,
    but in one loop here, not through MutableMapping.update's checks (a few microseconds a hit)."""
    for key, value in values.items():
        into[key] = value


def add_passenger_results(
    into: Any, first_index: int, passengers: Sequence[pb.Passenger], results: Sequence[Sequence[engine.Hit]]
) -> None:
    """Appends a PassengerResult per passenger (index from `first_index`) to the repeated field `into`,
    built in place (add_hits)."""
    add = into.add
    for k, (p, hits) in enumerate(zip(passengers, results)):
        add_hits(add(index=first_index + k, passenger_id=p.id).hits, hits)


def entry_record(e: pb.Entry) -> dict[str, Any]:
    """An Entry message as a store record (DESIGN.md "Record")."""
    r: dict[str, Any] = {"id": e.id, "kind": ENTRY_KIND_NAMES.get(e.kind, "person"), "names": list(e.names)}
    for f in ("weak_names", "birth_dates", "nationalities", "countries", "addresses"):
        if getattr(e, f):
            r[f] = list(getattr(e, f))
    for f in ("sex", "list_id", "program", "remarks", "listed_on"):
        if getattr(e, f):
            r[f] = getattr(e, f)
    if e.documents:
        r["documents"] = [document_dict(d) for d in e.documents]
    return r


def _strings(values: Any) -> list[str]:
    return [str(v) for v in values or () if v not in (None, "")]


def entry_message(e: engine.Entry) -> pb.Entry:
    return pb.Entry(
        id=e.id,
        kind=ENTRY_KINDS.get(e.kind, pb.ENTRY_KIND_UNSPECIFIED),
        names=e.names,
        weak_names=e.weak_names,
        birth_dates=[str(b) for b in e.birth_dates],
        nationalities=e.nationalities,
        countries=e.countries,
        sex=e.sex,
        documents=[
            pb.TravelDocument(number=d.number, type=d.type, country=d.country, expires=d.expires) for d in e.documents
        ],
        addresses=e.addresses,
        list_id=e.list_id,
        program=e.program,
        remarks=e.remarks,
        listed_on=e.listed_on,
    )


def version_message(v: Any, active: str | None) -> Any:
    from server.proto_gen.interdict.v1 import watchlist_pb2

    return watchlist_pb2.VersionInfo(
        list_id=v.list_id,
        version=v.version,
        rows=v.rows,
        checksum=v.checksum,
        change=v.change,
        parent=v.parent or "",
        created_at=v.created_at,
        source_name=v.source_name,
        source_format=v.source_format,
        skipped=v.skipped,
        active=v.version == active,
    )


def field_path(prefix: str, engine_field: str, engine_prefix: str) -> str:
    """`query.birth_date` (engine) -> `passengers[3].birth_date` (proto)."""
    return prefix + engine_field[len(engine_prefix):] if engine_field.startswith(engine_prefix) else engine_field


def versions_of(screener: engine.Screener) -> Mapping[str, str]:
    return screener.versions
