"""Reading a delimited text list row by row for the loaders written on the csv module (csl, bis-dpl,
mapped CSV), with the line each row starts on.

- Lines are decoded one at a time, so a byte that is not valid in the file's encoding names its line:
  the row holding it is a bad record (raised, or skipped with ``skip_bad``), never silently mangled.
- Blank lines are passed over; a row with fewer fields than the header, or with more that are not
  empty, is a bad record.
- A file whose last record is cut off (a quote still open at the end of the file, with or without a
  final line break; or no final line break and fewer fields than the header) is truncated: ListFormatError whatever ``skip_bad`` says, as a partly read list
  must never pass for the whole list. So is corrupt or truncated gzip data.
"""

from __future__ import annotations

import csv
import zlib
from contextlib import contextmanager
from gzip import BadGzipFile
from typing import BinaryIO, Iterator

from ._common import Reporter

# A quote left open swallows the rest of the file into one field; stop at 16 MB, not the csv default
# (128 kB), which long real cells (the CSL "ids" column) must not hit. The limit is the csv module's
# one global setting: it is raised only while this reader parses a row (_parsing), so other readers
# (the UK loader counts on the default) see the process's own limit.
_FIELD_LIMIT = 16 << 20


@contextmanager
def _parsing() -> Iterator[None]:
    old = csv.field_size_limit()
    if old >= _FIELD_LIMIT:
        yield
        return
    csv.field_size_limit(_FIELD_LIMIT)
    try:
        yield
    finally:
        csv.field_size_limit(old)


class _Lines:
    """Decoded lines of a binary stream, counting them and remembering the undecodable ones."""

    def __init__(self, stream: BinaryIO, encoding: str, reporter: Reporter):
        self.stream, self.encoding, self.reporter = stream, encoding, reporter
        self.count = 0
        self.undecodable: dict[int, str] = {}  # line -> what was wrong
        self.pending: list[str] = []  # the lines of the row being read
        self.ended_with_newline = True
        self.exhausted = False  # the stream has been read to its end

    def __iter__(self) -> Iterator[str]:
        try:
            for raw in self.stream:
                self.count += 1
                if self.count == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                try:
                    text = raw.decode(self.encoding)
                except UnicodeDecodeError as e:
                    self.undecodable[self.count] = (
                        f"undecodable bytes: byte 0x{raw[e.start]:02x} at column {e.start + 1} is not valid "
                        f"{self.encoding} (is the file in another encoding?)"
                    )
                    text = raw.decode(self.encoding, errors="replace")
                self.ended_with_newline = text.endswith(("\n", "\r"))
                self.pending.append(text)
                yield text
            self.exhausted = True
        except (BadGzipFile, EOFError, zlib.error) as e:
            raise self.reporter.fatal(f"corrupt or truncated gzip data ({e})", self.count + 1) from None


def read_rows(
    stream: BinaryIO,
    reporter: Reporter,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    expected: int | None = None,
) -> Iterator[tuple[int, list[str]]]:
    """(first line, fields) of every non-blank row, the header included (it is the first row; rows are
    checked against its width, or against `expected` when given). Rows that are bad are reported via
    `reporter` and not yielded."""
    lines = _Lines(stream, encoding, reporter)
    reader = csv.reader(lines, delimiter=delimiter, strict=False)
    width = expected
    last_end = 0
    while True:
        start = last_end + 1
        try:
            with _parsing():
                row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise reporter.fatal(f"malformed CSV: {e}", lines.count) from None
        end = lines.count
        raw, lines.pending = lines.pending, []
        last_end = end
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        # readline gives a line without a line break only at the end of the file, and csv.reader never
        # reads ahead: a row whose last line has none is the file's last row.
        if not lines.ended_with_newline:
            open_quote = "".join(raw).count('"') % 2 == 1
            if open_quote or (width is not None and len(row) < width):
                where = "a quoted field" if open_quote else f"this record ({len(row)} of {width} fields)"
                raise reporter.fatal(f"truncated file: it ends inside {where}", start)
        elif lines.exhausted:
            # A line break ends a row unless a quoted field is open; a row the end of the file ended
            # although its last line has one was cut off inside a quoted field.
            raise reporter.fatal("truncated file: it ends inside a quoted field", start)
        bad_lines = lines.undecodable and [n for n in range(start, end + 1) if n in lines.undecodable]
        if bad_lines:
            reporter.bad(lines.undecodable[bad_lines[0]], bad_lines[0])
            continue
        if width is None:
            width = len(row)
        elif len(row) < width:
            reporter.bad(f"{len(row)} fields where the header has {width}", start)
            continue
        elif len(row) > width:
            if any(f.strip() for f in row[width:]):
                reporter.bad(f"{len(row)} fields where the header has {width}", start)
                continue
            row = row[:width]
        yield start, row

