"""Travel and cargo messages into screening queries (DESIGN.md 'engine.messages').

Parsers: PAXLST and PNRGOV (UN/EDIFACT), MRZ (ICAO Doc 9303), air cargo (Cargo-IMP FWB/FHL,
Cargo-XML XFWB/XFZB). Each yields `Traveller` or `Party` objects whose `to_query()` feeds
`engine.Screener.screen`; malformed input raises `MessageError` naming the segment, line or element.

    result = engine.messages.parse(data)          # format detected; or parse(data, format="paxlst")
    queries = [t.to_query() for t in result.travellers]
"""

from collections.abc import Callable
from typing import Any

from .cargo import CargoResult, Waybill, detect_cargo_imp, parse_cargo_imp
from .cargo_xml import detect_cargo_xml, parse_cargo_xml
from .edifact import detect_edifact
from .model import MessageError, Party, TravelDocumentInfo, Traveller, segment_where
from .mrz import MrzResult, detect_mrz, parse_mrz
from .paxlst import PaxlstMessage, PaxlstResult, parse_paxlst
from .pnrgov import Pnr, PnrgovMessage, PnrgovResult, parse_pnrgov

# Format name -> parser; detectors name the format of some data (None when it is not theirs).
PARSERS: dict[str, Callable[[bytes | str], Any]] = {
    "paxlst": parse_paxlst,
    "pnrgov": parse_pnrgov,
    "mrz": parse_mrz,
    "fwb": parse_cargo_imp,
    "fhl": parse_cargo_imp,
    "xfwb": parse_cargo_xml,
    "xfzb": parse_cargo_xml,
}
DETECTORS: list[Callable[[bytes | str], str | None]] = [detect_edifact, detect_cargo_xml, detect_cargo_imp, detect_mrz]


def detect(data: bytes | str) -> str:
    """The format of a message (`paxlst`, `pnrgov`, `mrz`, `fwb`, ...); MessageError when no detector knows it."""
    for detector in DETECTORS:
        found = detector(data)
        if found:
            return found
    raise MessageError("input", "unrecognised message format")


def parse(data: bytes | str, format: str | None = None) -> Any:
    """Parse a message of the given format, or of the detected one; raises only MessageError."""
    name = (format or detect(data)).lower()
    parser = PARSERS.get(name)
    if parser is None:
        raise MessageError("input", f"unknown format {name!r}; known: {', '.join(sorted(PARSERS))}")
    return parser(data)


__all__ = [
    "DETECTORS", "PARSERS", "CargoResult", "MessageError", "MrzResult", "Party", "PaxlstMessage", "PaxlstResult",
    "Pnr", "PnrgovMessage", "PnrgovResult", "TravelDocumentInfo", "Traveller", "Waybill", "detect", "parse",
    "parse_cargo_imp", "parse_cargo_xml", "parse_mrz", "parse_paxlst", "parse_pnrgov", "segment_where",
]
