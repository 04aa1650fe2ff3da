"""Log hygiene: no names, birth dates or document numbers in application logs.

The rule for server code: log methods, callers, counts, list versions, timings and status codes, never a query
or a hit payload. Where a structure has to be logged, pass it through `redact` first::

    log.debug("screening %s", redact(request))

`RedactingFilter` enforces the rule for records of the server's loggers (`server.*`, `interdict.*`): mapping,
sequence and protobuf-message arguments are redacted, and `extra=` attributes named like payloads
(`request`, `queries`, `hits`, `payload`, ...) are replaced. It cannot see inside f-strings; don't build
messages with personal data in them. `install()` puts the filter on every record the process creates.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"

# Keys whose values are personal data in queries, hits and list entries (compared case-insensitively, with '-'
# as '_'). Shared with server.audit, which keeps these only as keyed hashes when depersonalising.
PERSONAL_FIELDS = frozenset(
    {
        "name", "names", "full_name", "fullname", "surname", "last_name", "family_name", "given_name",
        "given_names", "first_name", "middle_name", "middle_names", "maiden_name", "alias", "aliases",
        "original_name", "original_script_name", "transliterated_name", "raw_name", "text",
        "birth_date", "birth_dates", "date_of_birth", "dob", "birth_year", "birth_place", "place_of_birth",
        "document", "documents", "document_number", "document_numbers", "doc_number", "passport",
        "passport_number", "id_number", "number", "national_id", "travel_document", "mrz", "pnr", "record_locator",
        "matched_name", "matched_number",
        "address", "email", "phone", "telephone",
    }
)

# extra= attributes that would put a payload into a log record
PAYLOAD_ATTRIBUTES = frozenset(
    {"request", "requests", "query", "queries", "hits", "payload", "entries", "message_bytes"}
)

_SERVER_LOGGERS = ("server", "interdict")


_field_cache: dict[str, bool] = {}


def is_personal_field(key: Any) -> bool:
    if type(key) is not str:
        return False
    known = _field_cache.get(key)
    if known is None:
        known = key.lower().replace("-", "_") in PERSONAL_FIELDS
        if len(_field_cache) < 10_000:
            _field_cache[key] = known
    return known


def redact(obj: Any, _depth: int = 0) -> Any:
    """A copy of `obj` safe to log: values under personal-data keys become '[redacted]'.

    Mappings and sequences are walked; protobuf messages are converted to dicts first; dataclass-like objects with
    a __dict__ are treated as mappings. Bytes (raw PAXLST / PNRGOV messages) are reduced to their length. Plain
    strings at the top level are returned unchanged: redact works on keys, so log structures, not free text.
    """
    if _depth > 32:
        return REDACTED
    if isinstance(obj, (bytes, bytearray, memoryview)):
        return f"<{len(obj)} bytes>"
    if _is_protobuf(obj):
        try:
            from google.protobuf.json_format import MessageToDict

            obj = MessageToDict(obj, preserving_proto_field_name=True)
        except Exception:  # noqa: BLE001 - never let logging fail
            return f"<{type(obj).__name__}>"
    if isinstance(obj, Mapping):
        return {k: (REDACTED if is_personal_field(k) else redact(v, _depth + 1)) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [redact(v, _depth + 1) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {
            k: (REDACTED if is_personal_field(k) else redact(getattr(obj, k, None), _depth + 1))
            for k in obj.__dataclass_fields__
        }
    return obj


def _is_protobuf(obj: Any) -> bool:
    return hasattr(obj, "DESCRIPTOR") and hasattr(obj, "SerializeToString")


def _is_structured(obj: Any) -> bool:
    return isinstance(obj, (Mapping, list, tuple, set, frozenset, bytes, bytearray, memoryview)) or _is_protobuf(
        obj
    ) or hasattr(obj, "__dataclass_fields__")


class RedactingFilter(logging.Filter):
    """Redacts structured arguments and payload attributes of records from the server's loggers.

    With `all_loggers=True` it applies to every record (use on a handler that also receives library logs).
    """

    def __init__(self, prefixes: tuple[str, ...] = _SERVER_LOGGERS, all_loggers: bool = False) -> None:
        super().__init__()
        self.prefixes = prefixes
        self.all_loggers = all_loggers

    def applies(self, record: logging.LogRecord) -> bool:
        return self.all_loggers or any(
            record.name == p or record.name.startswith(p + ".") for p in self.prefixes
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if self.applies(record):
            sanitise(record)
        return True


def sanitise(record: logging.LogRecord) -> logging.LogRecord:
    args = record.args
    if isinstance(args, Mapping):  # log.debug("%(x)s", {...})
        record.args = {k: (REDACTED if is_personal_field(k) else redact(v)) for k, v in args.items()}
    elif isinstance(args, tuple):
        record.args = tuple(redact(a) if _is_structured(a) else a for a in args)
    if _is_structured(record.msg):  # log.debug(request)
        record.msg = str(redact(record.msg))
    for attr in PAYLOAD_ATTRIBUTES:
        if attr in record.__dict__:
            record.__dict__[attr] = REDACTED
    return record


_installed = False


def install(prefixes: tuple[str, ...] = _SERVER_LOGGERS) -> None:
    """Sanitise every record of the server's loggers as it is made, whichever handlers are attached later.

    Wraps logging.Logger.makeRecord (so `extra=` attributes are seen too); idempotent.
    """
    global _installed
    if _installed:
        return
    flt = RedactingFilter(prefixes)
    make_record = logging.Logger.makeRecord

    def sanitising_make_record(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(self, *args, **kwargs)
        if flt.applies(record):
            sanitise(record)
        return record

    sanitising_make_record.__wrapped__ = make_record  # type: ignore[attr-defined]
    logging.Logger.makeRecord = sanitising_make_record  # type: ignore[method-assign]
    _installed = True


def uninstall() -> None:
    """Undo install() (tests)."""
    global _installed
    wrapped = getattr(logging.Logger.makeRecord, "__wrapped__", None)
    if _installed and wrapped is not None:
        logging.Logger.makeRecord = wrapped  # type: ignore[method-assign]
    _installed = False
