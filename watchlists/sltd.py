"""Loader for stolen / lost travel-document lists (INTERPOL SLTD style) exported as CSV: one row per
document, up to ~100M rows. The key of a row is (issuing country, type, number) (DESIGN.md 'Documents');
the row becomes a ``kind: document`` record with one entry in ``documents`` (schema.from_document_row)
or, for a whole list, a row of schema.DOCUMENT_LIST_SCHEMA in Arrow batches (iter_sltd_batches, which
Store.import_file uses so that the list is never held whole in memory).

**Header.** The first line is the header (required). Column names are matched case-insensitively with
spaces, ``_``, ``-`` and ``.`` treated alike; accepted names (COLUMNS):

- number: ``number``, ``document number``, ``doc number``, ``document no``, ``travel document number``
- type: ``type``, ``document type``, ``doc type``
- issuing country: ``issuing country``, ``country``, ``issuing state``, ``issuer``, ``country code``
- status (optional): ``status``, ``document status``
- reported date (optional): ``reported date``, ``reported on``, ``date reported``, ``report date``, ``date``

Other columns are ignored. A missing number, type or issuing-country column, or two columns for one
field, raises ListFormatError naming the column (line 1) whatever ``skip_bad`` says.

**Values** (surrounding whitespace dropped):

- ``number``: upper case, letters and digits only (``75 1234567`` -> ``751234567``, as
  engine.documents.clean_number); the trimmed original is kept as ``number_raw`` when it differs.
  A number with no letter or digit (empty, blank, ``---``) makes a bad row.
- ``type``: ``passport`` (P, PP, passport, diplomatic/service passport, ...), ``national_id`` (I, ID,
  ID card, identity card, national id, ...), ``visa`` (V, visa), ``travel_document`` (travel document,
  refugee travel document, laissez-passer, C, T, ...), else ``other``; empty -> null (the record id then
  says ``other``, schema.document_record_id).
- issuing country: ISO 3166-1 alpha-2 from an alpha-2 or alpha-3 code, an ICAO code (``D``) or a
  country name (engine.countries.to_iso2); empty or ``-`` -> null (unknown); anything else that names
  no country (``XXA``, ``SUN``, a typo) makes a bad row. ``NA`` is Namibia: in a code column it is a code.
- ``status``: ``stolen`` (also theft, stolen blank), ``lost`` (also missing), ``revoked`` (also
  cancelled), ``invalidated`` (also invalid, void), else ``other``; empty -> null.
- reported date: ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (one or two digit day and month), strictly (no
  ``2020-02-30``) -> date32; empty -> null; anything else makes a bad row.

**Lines.** The header is line 1 and every row is one line: values must not hold line breaks (SLTD values
never do), so a quoted value with a line break ends the load with ListFormatError, as the line numbers
after it could not be trusted. Lines end with LF or CRLF. Blank lines (empty, whitespace only, or only
delimiters) are passed over. A row with another number of fields than the header is a bad row. A file
whose last line has no line break and is cut short (fewer fields than the header, or a quote left open)
is truncated: ListFormatError whatever ``skip_bad`` says, as a partly read list must never pass for the
whole list. So are corrupt or truncated gzip data. Bytes that are not UTF-8 make their row a bad row.

**Bad rows** raise ListFormatError naming the file and the line, or with ``skip_bad`` are dropped and
reported in ``problems``: at most MAX_PROBLEMS of them are kept (and logged), then one last
ListFormatError says how many more were skipped (its ``skipped`` attribute holds the count), so a file of
100M bad rows cannot exhaust memory.

**Speed.** Rows are read by pyarrow's streaming CSV reader (one thread; every column as bytes) and
normalised with pyarrow.compute; type, country, status and date are mapped through the batch's *unique*
values (dictionary encoding), with the mapping cached across batches, so Python runs once per distinct
value, not per row.

**Records.** read_sltd_csv returns ``kind: document`` records (for small files and watchlists.load): the
same rows as iter_sltd_batches, through schema.from_document_row; a second row with the same key
(country, type, number) is a bad row there, as a watchlist's ids are unique. The batch reader does not
look for repeated keys (that needs every key of a 100M-row list in memory).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import logging
import re
import zlib
from gzip import BadGzipFile
from typing import Any, BinaryIO, Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from engine.countries import to_iso2

from . import _common as c
from ._source import Source, open_source, peek, source_name
from .errors import ListFormatError
from .schema import DOCUMENT_LIST_SCHEMA, document_record_id, from_document_row

__all__ = [
    "COLUMNS",
    "FORMAT",
    "LIST_ID",
    "MAX_PROBLEMS",
    "document_status",
    "iter_sltd_batches",
    "read_sltd_csv",
    "sltd_document_type",
    "sniff",
]

FORMAT = "sltd-csv"
LIST_ID = "sltd"
#: How many bad rows `problems` receives before it only counts them.
MAX_PROBLEMS = 1000

#: field -> accepted header names (compared after _header_key).
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("number", "document number", "doc number", "document no", "doc no", "travel document number"),
    "type": ("type", "document type", "doc type"),
    "country": ("issuing country", "country", "issuing state", "issuer", "country code", "issuing country code"),
    "status": ("status", "document status"),
    "reported_on": ("reported date", "reported on", "date reported", "report date", "date"),
}
REQUIRED = ("number", "type", "country")
_LABELS = {"number": "number", "type": "type", "country": "issuing country", "status": "status",
           "reported_on": "reported date"}
_HEADER_LIMIT = 1 << 16  # a header line longer than this is no SLTD header

_log = logging.getLogger("watchlists")


def _header_key(name: str) -> str:
    return " ".join(re.split(r"[\s_.\-]+", name.strip().lstrip("\ufeff").casefold())).strip()


_ALIASES = {_header_key(a): field for field, names in COLUMNS.items() for a in names}


def _header_fields(line: bytes) -> list[str]:
    text = line.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        return next(csv.reader([text.rstrip("\r\n")]), [])
    except csv.Error:  # a stray CR or the like: not an SLTD header (sniffing must never raise)
        return []


def _columns(fields: list[str]) -> tuple[dict[str, int], list[str]]:
    """(field -> column index, fields named twice) of a header row."""
    found: dict[str, int] = {}
    twice = []
    for i, name in enumerate(fields):
        field = _ALIASES.get(_header_key(name))
        if field is None:
            continue
        if field in found:
            twice.append(field)
        else:
            found[field] = i
    return found, twice


def sniff(head: bytes) -> bool:
    """A header line naming a number, a type and an issuing country column, and no name column."""
    line = head.split(b"\n", 1)[0]
    if not line.strip() or b"\x00" in line:
        return False
    fields = _header_fields(line)
    found, _ = _columns(fields)
    return all(f in found for f in REQUIRED) and not any("name" in _header_key(f) for f in fields)


# -- value vocabularies (applied to unique values) --------------------------------------------------

_TYPE_CODES = {
    "p": "passport", "pp": "passport", "pa": "passport", "pd": "passport", "ps": "passport", "po": "passport",
    "i": "national_id", "id": "national_id", "ic": "national_id", "ni": "national_id", "nid": "national_id",
    "v": "visa", "vi": "visa",
    "c": "travel_document", "t": "travel_document", "td": "travel_document", "ac": "travel_document",
}


def sltd_document_type(raw: str | None) -> str | None:
    """passport | national_id | visa | travel_document | other; None when empty."""
    t = c.clean(raw).casefold()
    if not t:
        return None
    if t in _TYPE_CODES:
        return _TYPE_CODES[t]
    if re.search(r"travel\s*doc|laissez|refugee|emergency|seafarer|crew\s+member|certificate of identity", t):
        return "travel_document"
    kind = c.document_type(t)
    if kind == "other" and re.search(r"\bid\b|identity|identification|national\s*id", t):
        return "national_id"
    return kind if kind in ("passport", "national_id", "visa") else "other"


_STATUSES = (
    ("stolen", r"stolen|theft|robbed"),
    ("lost", r"lost|missing|mislaid"),
    ("revoked", r"revoked|cancel+ed|withdrawn"),
    ("invalidated", r"invalid|void"),
)


def document_status(raw: str | None) -> str | None:
    """stolen | lost | revoked | invalidated | other; None when empty."""
    t = c.clean(raw).casefold()
    if not t:
        return None
    return next((s for s, pattern in _STATUSES if re.search(pattern, t)), "other")


_NO_COUNTRY = {"", "-", "--"}


def _country(raw: str) -> tuple[str | None, bool]:
    """(ISO alpha-2 or None, ok)."""
    value = raw.strip()
    if value in _NO_COUNTRY:
        return None, True
    iso = to_iso2(value)
    return iso, iso is not None


_EPOCH = _dt.date(1970, 1, 1)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMY_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _days(raw: str) -> tuple[int | None, bool]:
    """(days since 1970-01-01 or None, ok) of YYYY-MM-DD or DD/MM/YYYY, strictly."""
    value = raw.strip()
    if not value:
        return None, True
    m = _ISO_DATE.fullmatch(value)
    if m:
        y, mo, d = map(int, m.groups())
    else:
        m = _DMY_DATE.fullmatch(value)
        if not m:
            return None, False
        d, mo, y = map(int, m.groups())
    try:
        return (_dt.date(y, mo, d) - _EPOCH).days, True
    except ValueError:
        return None, False


class _Vocabulary:
    """A mapping of raw values to (normalised value, ok), applied to an Arrow column through its
    unique values; what was mapped once is cached for later batches (a 100M-row list has a few
    thousand distinct types, countries, statuses and dates)."""

    def __init__(self, function: Callable[[str], tuple[Any, bool]], type: pa.DataType):
        self.function, self.type = function, type
        self.cache: dict[str, tuple[Any, bool]] = {}

    def apply(self, column: pa.Array) -> tuple[pa.Array, pa.Array, list[str]]:
        """(normalised values, ok mask, the distinct raw values)."""
        encoded = pc.dictionary_encode(column)
        uniques = encoded.dictionary.to_pylist()
        cache, function = self.cache, self.function
        mapped = []
        for u in uniques:
            hit = cache.get(u)
            if hit is None:
                hit = cache[u] = function(u)
            mapped.append(hit)
        values = pa.array([m[0] for m in mapped], self.type).take(encoded.indices)
        ok = pa.array([m[1] for m in mapped], pa.bool_()).take(encoded.indices)
        return values, ok, uniques


def _checked(function: Callable[[str], Any]) -> Callable[[str], tuple[Any, bool]]:
    return lambda raw: (function(raw), True)


# -- reading ------------------------------------------------------------------------------------------


class _Counting(io.RawIOBase):
    """The stream pyarrow reads: counts line breaks and keeps the end of what was read, so the reader
    knows the number of the last line, whether it ends with a line break and what it holds.

    It hands out whole lines, checked for UTF-8 (a fast test per block): pyarrow decodes a row with
    the wrong number of fields as text before the invalid-row handler sees it, and fails the whole
    file when it cannot. On such a line (another number of fields than the header's) the bytes that
    are not UTF-8 become ``?``: the row is reported for its field count, as any short row is. A line
    with the right number of fields keeps its bytes, and the row is reported naming the column."""

    _LONGEST_LINE = 1 << 24  # a "line" longer than this is passed on unchecked (pyarrow refuses it)

    def __init__(self, stream: BinaryIO, head: bytes, fields: int = 0):
        self.stream, self.pending = stream, head
        self.fields = fields
        self.carry = b""  # read but not yet handed out: an unfinished last line
        self.ready = b""  # checked, waiting to be handed out
        self.newlines = 0
        self.tail = b""
        self.eof = False

    def readable(self) -> bool:
        return True

    def _source_read(self, n: int) -> bytes:
        if self.pending:
            data, self.pending = self.pending[:n], self.pending[n:]
            return data
        return self.stream.read(n)

    def _fill(self, n: int) -> None:
        while not self.ready:
            data = self._source_read(max(n, 1 << 16))
            block = self.carry + data if self.carry else data
            if not data:
                self.ready, self.carry = block, b""  # the last line, without a line break
            else:
                cut = block.rfind(b"\n") + 1
                if cut == 0 and len(block) < self._LONGEST_LINE:
                    self.carry = block
                    continue
                cut = cut or len(block)
                self.ready, self.carry = block[:cut], block[cut:]
            if not self.ready:
                return
            if not self.ready.isascii():
                self.ready = self._decodable(self.ready)

    def _decodable(self, block: bytes) -> bytes:
        try:
            block.decode("utf-8")
            return block
        except UnicodeDecodeError:
            pass
        lines = block.split(b"\n")
        for i, line in enumerate(lines):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                if self._field_count(line) != self.fields:
                    lines[i] = _question_marks_for_undecodable(line)
        return b"\n".join(lines)

    @staticmethod
    def _field_count(line: bytes) -> int:
        try:
            return len(next(csv.reader([line.rstrip(b"\r").decode("latin-1")]), []))
        except csv.Error:
            return -1

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if not self.ready:
            self._fill(len(buffer))
        data, self.ready = self.ready[: len(buffer)], self.ready[len(buffer):]
        if not data:
            self.eof = True
            return 0
        buffer[: len(data)] = data
        self.newlines += data.count(b"\n")
        self.tail = (self.tail + data)[-_HEADER_LIMIT:] if len(data) < _HEADER_LIMIT else data[-_HEADER_LIMIT:]
        return len(data)

    @property
    def last_line(self) -> bytes:
        """The file's last line when it has no line break at its end, else b""."""
        if not self.tail or self.tail.endswith(b"\n"):
            return b""
        return self.tail.rsplit(b"\n", 1)[-1]


def _question_marks_for_undecodable(line: bytes) -> bytes:
    """`line` with each byte that is not part of valid UTF-8 replaced by ``?`` (same length)."""
    while True:
        try:
            line.decode("utf-8")
            return line
        except UnicodeDecodeError as e:
            line = line[: e.start] + b"?" * (e.end - e.start) + line[e.end :]


class _Problems:
    """Bad rows: raised, or (skip_bad) reported into `problems` up to MAX_PROBLEMS and counted after."""

    def __init__(self, name: str, skip_bad: bool, problems: list[ListFormatError] | None):
        self.name, self.skip_bad, self.problems = name, skip_bad, problems
        self.count = 0

    def bad(self, message: str, line: int | None) -> None:
        err = ListFormatError(message, self.name, line)
        if not self.skip_bad:
            raise err
        self.count += 1
        if self.count <= MAX_PROBLEMS:
            _log.warning("skipped: %s", err)
            if self.problems is not None:
                self.problems.append(err)

    def finish(self) -> None:
        more = self.count - MAX_PROBLEMS
        if more > 0:
            err = ListFormatError(
                f"{more} more bad rows skipped and not listed (only the first {MAX_PROBLEMS} are)", self.name
            )
            err.skipped = more  # type: ignore[attr-defined]
            _log.warning("skipped: %s", err)
            if self.problems is not None:
                self.problems.append(err)

    def fatal(self, message: str, line: int | None = None) -> ListFormatError:
        return ListFormatError(message, self.name, line)


class _Lines:
    """Line numbers of data rows. Every physical line is one row of the reader's output or one row it
    passed to the invalid-row handler (wrong number of fields, whitespace only): the numbers of those
    `skipped` lines give the line of every output row (the header is line 1)."""

    def __init__(self) -> None:
        self.skipped: list[int] = []  # lines not in the output after the current batch's first, in order
        self.dropped = 0  # skipped lines before the current batch (only their count is needed)

    def of(self, rows: np.ndarray) -> np.ndarray:
        """Lines of data rows by their 0-based index among all output rows (sorted indices)."""
        # The g-th output row is on line g + 2 + #{i : s_i - i <= g + 2}, s_i the i-th skipped line.
        s = np.asarray(self.skipped, dtype=np.int64)
        shifted = s - (self.dropped + np.arange(len(s), dtype=np.int64))
        base = rows.astype(np.int64) + 2 + self.dropped
        return base + np.searchsorted(shifted, base, side="right")

    def forget_before(self, line: int) -> None:
        keep = next((i for i, s in enumerate(self.skipped) if s >= line), len(self.skipped))
        self.dropped += keep
        del self.skipped[:keep]


def iter_sltd_batches(
    source: Source,
    name: str | None = None,
    *,
    skip_bad: bool = False,
    problems: list[ListFormatError] | None = None,
    batch_rows: int = 1 << 20,
) -> Iterator[pa.RecordBatch]:
    """RecordBatches of schema.DOCUMENT_LIST_SCHEMA (at most `batch_rows` rows each) of an SLTD CSV file
    (path or binary stream, plain or gzip). Bad rows raise ListFormatError, or with `skip_bad` are
    left out and reported in `problems` (the first MAX_PROBLEMS, then a count)."""
    name = name or source_name(source)
    with open_source(source) as stream:
        for batch, _ in _batches(stream, name, skip_bad, problems, batch_rows, want_lines=False):
            yield batch


def read_sltd_csv(
    stream: BinaryIO, name: str, *, skip_bad: bool = False, problems: list[ListFormatError] | None = None
) -> list[dict[str, Any]]:
    """The ``kind: document`` records of an SLTD CSV stream; a repeated key is a bad row."""
    report = _Problems(name, skip_bad, problems)
    records: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for batch, lines in _batches(stream, name, skip_bad, problems, 1 << 16, want_lines=True, report=report):
        for row, line in zip(batch.to_pylist(), lines.tolist()):
            rid = document_record_id(row["number"], row["type"], row["country"])
            if rid in first:
                report.bad(f"document {rid}: duplicate (first on line {first[rid]})", line)
                continue
            first[rid] = line
            records.append(from_document_row(row, LIST_ID))
    report.finish()
    return records


def _batches(
    stream: BinaryIO,
    name: str,
    skip_bad: bool,
    problems: list[ListFormatError] | None,
    batch_rows: int,
    *,
    want_lines: bool,
    report: _Problems | None = None,
) -> Iterator[tuple[pa.RecordBatch, np.ndarray | None]]:
    """(batch, the line of each of its rows when `want_lines`) of a decompressed SLTD stream."""
    own_report = report is None
    report = report or _Problems(name, skip_bad, problems)
    try:
        head, stream = peek(stream, _HEADER_LIMIT)
    except (BadGzipFile, EOFError, zlib.error) as e:
        raise report.fatal(f"corrupt or truncated gzip data ({e})", 1) from None
    if not head.strip():
        raise report.fatal("empty file: no SLTD header (number, type, issuing country, ...)", 1)
    if b"\n" not in head and len(head) >= _HEADER_LIMIT:
        raise report.fatal(f"no SLTD header: the first line is longer than {_HEADER_LIMIT} bytes", 1)
    header = _header_fields(head.split(b"\n", 1)[0])
    found, twice = _columns(header)
    missing = [f for f in REQUIRED if f not in found]
    if missing:
        raise report.fatal(
            f"missing column {_LABELS[missing[0]]!r} (accepted names: {', '.join(COLUMNS[missing[0]])}); "
            f"the header has: {', '.join(header)}",
            1,
        )
    if twice:
        raise report.fatal(f"two columns for {_LABELS[twice[0]]!r} in the header", 1)
    if b"\n" not in head:
        return  # a header and no rows

    counting = _Counting(stream, b"", fields=len(header))
    lines = _Lines()
    invalid: list[tuple[int, int, str]] = []  # (line, fields, text) of rows with a wrong number of fields

    def on_invalid(row: Any) -> str:
        lines.skipped.append(row.number)
        if row.text.strip():
            invalid.append((row.number, row.actual_columns, row.text))
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    wanted = {field: names[i] for field, i in found.items()}
    block = min(max(batch_rows * 40, 1 << 12), 1 << 26)  # ~batch_rows rows of ~40 bytes
    try:
        reader = pcsv.open_csv(
            io.BufferedReader(counting, buffer_size=1 << 20),
            read_options=pcsv.ReadOptions(use_threads=False, block_size=block, skip_rows=1, column_names=names),
            parse_options=pcsv.ParseOptions(
                ignore_empty_lines=False, newlines_in_values=False, invalid_row_handler=on_invalid
            ),
            convert_options=pcsv.ConvertOptions(
                include_columns=list(wanted.values()),
                column_types={col: pa.binary() for col in wanted.values()},
                strings_can_be_null=False,
            ),
        )
    except (BadGzipFile, EOFError, zlib.error) as e:
        raise report.fatal(f"corrupt or truncated gzip data ({e})", counting.newlines + 1) from None
    except pa.ArrowInvalid as e:
        raise report.fatal(f"malformed CSV: {e}", counting.newlines + 1) from None

    normaliser = _Normaliser()
    rows_seen = 0
    while True:
        try:
            raw = reader.read_next_batch()
        except StopIteration:
            break
        except (BadGzipFile, EOFError, zlib.error) as e:
            raise report.fatal(f"corrupt or truncated gzip data ({e})", counting.newlines + 1) from None
        except pa.ArrowInvalid as e:
            raise report.fatal(f"malformed CSV: {e}", counting.newlines + 1) from None
        n = raw.num_rows
        out, bad, messages, blank = normaliser.apply(raw, wanted)
        problem_rows: list[tuple[int, str]] = []
        if messages.get("newline") is not None:
            where = int(messages["newline"])
            line = int(lines.of(np.array([rows_seen + where]))[0])
            raise report.fatal("a value holds a line break (not allowed in an SLTD list)", line)
        if bad is not None:
            idx = np.flatnonzero(bad)
            row_lines = lines.of(rows_seen + idx)
            problem_rows = [(int(line), messages["text"][int(i)]) for i, line in zip(idx, row_lines)]
        last_line = int(lines.of(np.array([rows_seen + n - 1]))[0]) if n else 0
        _truncation(counting, invalid, report)
        # Rows with a wrong number of fields up to this batch's end, in line order with the others.
        due = [r for r in invalid if r[0] <= last_line or counting.eof]
        invalid[:] = [r for r in invalid if not (r[0] <= last_line or counting.eof)]
        problem_rows += [(line, f"{fields} fields where the header has {len(header)}") for line, fields, _ in due]
        for line, message in sorted(problem_rows):
            report.bad(message, line)
        keep = None if bad is None and blank is None else ~(_or(bad, blank))
        row_lines_all = lines.of(rows_seen + np.arange(n)) if want_lines else None
        if keep is not None:
            out = out.filter(pa.array(keep))
            if row_lines_all is not None:
                row_lines_all = row_lines_all[keep]
        rows_seen += n
        lines.forget_before(last_line + 1 if n else 0)
        for start in range(0, out.num_rows, batch_rows):
            part = out.slice(start, batch_rows)
            yield part, (row_lines_all[start : start + batch_rows] if row_lines_all is not None else None)
    _truncation(counting, invalid, report)
    for line, fields, _ in invalid:
        report.bad(f"{fields} fields where the header has {len(header)}", line)
    # Each line is one output row or one skipped line; more line breaks than that means a quoted
    # value held one (in a column this reader does not keep).
    total = counting.newlines + (1 if counting.last_line else 0)
    if total != 1 + rows_seen + lines.dropped + len(lines.skipped):
        raise report.fatal("a quoted value holds a line break (not allowed in an SLTD list)")
    if own_report:
        report.finish()


def _or(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray:
    if a is None:
        return b  # type: ignore[return-value]
    return a if b is None else (a | b)


def _truncation(counting: _Counting, invalid: list[tuple[int, int, str]], report: _Problems) -> None:
    """A last line without a line break that is cut short (a quote left open, or too few fields)."""
    if not counting.eof:
        return
    last = counting.last_line
    if not last:
        return
    line = counting.newlines + 1
    short = any(r[0] == line for r in invalid)
    if last.count(b'"') % 2 == 1 or short:
        what = "a quoted field" if last.count(b'"') % 2 == 1 else "this row (too few fields)"
        raise report.fatal(f"truncated file: it ends inside {what}", line)


class _Normaliser:
    """Raw byte columns of one batch -> a DOCUMENT_LIST_SCHEMA batch, bad and blank rows."""

    def __init__(self) -> None:
        self.type = _Vocabulary(_checked(sltd_document_type), pa.string())
        self.status = _Vocabulary(_checked(document_status), pa.string())
        self.country = _Vocabulary(_country, pa.string())
        self.date = _Vocabulary(_days, pa.int32())

    def apply(
        self, raw: pa.RecordBatch, wanted: dict[str, str]
    ) -> tuple[pa.RecordBatch, np.ndarray | None, dict[str, Any], np.ndarray | None]:
        """(normalised batch, bad-row mask or None, {"text": row -> message, "newline": first row
        with a line break or None}, blank-row mask or None). Masks cover every row of `raw`."""
        n = raw.num_rows
        cols: dict[str, pa.Array] = {}
        messages: dict[str, Any] = {"text": {}, "newline": None}
        bad = np.zeros(n, dtype=bool)
        for field, col in wanted.items():
            cols[field] = self._text(raw.column(col), field, bad, messages)
        number = cols["number"]
        ascii = pc.all(pc.string_is_ascii(number)).as_py() is not False
        trimmed = (pc.ascii_trim_whitespace if ascii else pc.utf8_trim_whitespace)(number)
        upper = (pc.ascii_upper if ascii else pc.utf8_upper)(trimmed)
        # Most numbers are letters and digits already: the regex runs on the others only.
        dirty = pc.invert((pc.ascii_is_alnum if ascii else pc.utf8_is_alnum)(upper))
        normal = upper
        if pc.any(dirty).as_py():
            others = upper.filter(dirty)
            newline = pc.match_substring(others, "\n")
            if pc.any(newline).as_py():
                where = np.flatnonzero(dirty.to_numpy(zero_copy_only=False))
                messages["newline"] = int(where[np.flatnonzero(newline.to_numpy(zero_copy_only=False))[0]])
            pattern = "[^A-Z0-9]+" if ascii else r"[^\p{L}\p{N}]+"
            normal = pc.replace_with_mask(upper, dirty, pc.replace_substring_regex(others, pattern, ""))
        number_raw = pc.if_else(pc.equal(normal, trimmed), pa.scalar(None, pa.string()), trimmed)
        empty_number = pc.equal(pc.binary_length(normal), 0).to_numpy(zero_copy_only=False)

        values: dict[str, pa.Array] = {}
        checks: dict[str, np.ndarray] = {}
        for field, vocab in (("type", self.type), ("country", self.country), ("status", self.status),
                             ("reported_on", self.date)):
            if field not in cols:
                values[field] = pa.nulls(n, pa.int32() if field == "reported_on" else pa.string())
                continue
            v, ok, uniques = vocab.apply(cols[field])
            if messages["newline"] is None and any("\n" in u for u in uniques):
                nl = pc.match_substring(cols[field], "\n").to_numpy(zero_copy_only=False)
                messages["newline"] = int(np.flatnonzero(nl)[0])
            values[field] = v
            checks[field] = ~ok.to_numpy(zero_copy_only=False)

        # A blank row (an empty line, or only delimiters) is passed over; only rows without a number
        # can be blank, so the other columns are looked at for those rows only.
        blank = empty_number.copy()
        if blank.any():
            where = np.flatnonzero(blank)
            for field in ("type", "country", "status", "reported_on"):
                if field in cols:
                    values_there = cols[field].take(pa.array(where))
                    blank[where] &= pc.equal(pc.binary_length(pc.utf8_trim_whitespace(values_there)), 0).to_numpy(
                        zero_copy_only=False
                    )
        blank &= ~bad  # an undecodable row is bad, not blank
        text = messages["text"]
        problems = [
            (empty_number & ~blank, lambda i: "no document number"),
            (checks.get("country"), lambda i: f"unknown issuing country {cols['country'][i].as_py().strip()!r}"),
            (checks.get("reported_on"), lambda i: f"not a date (YYYY-MM-DD or DD/MM/YYYY): "
                                                  f"{cols['reported_on'][i].as_py().strip()!r}"),
        ]
        for mask, message in problems:
            if mask is None:
                continue
            for i in np.flatnonzero(mask & ~bad):
                text.setdefault(int(i), message(int(i)))
            bad |= mask
        bad &= ~blank
        out = pa.RecordBatch.from_arrays(
            [
                normal,
                values["type"],
                values["country"],
                values["status"],
                values["reported_on"].cast(pa.date32()),
                number_raw,
            ],
            schema=DOCUMENT_LIST_SCHEMA,
        )
        return out, (bad if bad.any() else None), messages, (blank if blank.any() else None)

    @staticmethod
    def _text(column: pa.Array, field: str, bad: np.ndarray, messages: dict[str, Any]) -> pa.Array:
        """The byte column as UTF-8 text; rows with bytes that are not UTF-8 are marked bad (and read
        as empty)."""
        try:
            return column.cast(pa.string())
        except pa.ArrowInvalid:
            pass
        values = column.to_pylist()
        fixed = []
        for i, v in enumerate(values):
            try:
                fixed.append(v.decode("utf-8"))
            except UnicodeDecodeError as e:
                bad[i] = True
                messages["text"].setdefault(
                    i, f"undecodable bytes: byte 0x{v[e.start]:02x} in the {_LABELS[field]} column is not valid UTF-8"
                )
                fixed.append("")
        return pa.array(fixed, pa.string())
