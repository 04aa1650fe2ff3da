"""Streaming the record elements out of a list XML file, the way un.py does it, for any list whose
records are the children of its root (EU FSF ``export/sanctionEntity``, Canada ``data-set/record``).

An XMLPullParser is fed line by line (capped at 64 KiB for files without line breaks), so every parser
event is known to come from the line being fed: ElementTree elements carry no line numbers. Each record
is yielded with the line of its start tag and handed back cleared, so memory stays flat on any size.
Namespaces are stripped from the tags of a yielded record (``{http://eu.europa.ec/...}nameAlias`` ->
``nameAlias``), so mapping code reads plain names.
"""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
import zlib
from collections import Counter
from functools import lru_cache
from gzip import BadGzipFile
from typing import BinaryIO, Iterator

from .errors import ListFormatError

_CHUNK = 1 << 16


def local(tag: str) -> str:
    """A tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def _strip_namespaces(elem: ET.Element) -> None:
    for e in elem.iter():
        if isinstance(e.tag, str) and e.tag[:1] == "{":
            e.tag = local(e.tag)


def record_elements(
    stream: BinaryIO, name: str, *, root: str, records: tuple[str, ...], what: str, depth: int = 2
) -> Iterator[tuple[int, str, ET.Element]]:
    """(line of the start tag, "sanctionEntity[3]", element) for each element at `depth` (the root is
    1: children of the root by default, 3 for the UN's CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL) whose
    local name is in `records`; other elements there are skipped. A root other than `root` raises
    ListFormatError ("not <what> ..."); so do malformed or truncated XML and corrupt gzip data, with
    the line where the parser stopped. Raised whatever skip_bad says: half a list is never the list."""
    parser = ET.XMLPullParser(events=("start", "end"))
    # Expat >= 2.6 may defer parsing small feeds; flush() (Python >= 3.12.3) keeps events on their line.
    flush = getattr(parser, "flush", lambda: None)
    stack: list[ET.Element] = []
    counts = Counter[str]()
    start = 0
    line = 1

    def events() -> Iterator[tuple[int, str, ET.Element]]:
        nonlocal start
        for event, elem in parser.read_events():
            if event == "start":
                if not stack and local(elem.tag) != root:
                    raise ListFormatError(
                        f"not {what} (root element <{local(elem.tag)}>, expected <{root}>)", name, line
                    )
                stack.append(elem)
                if len(stack) == depth:
                    start = line
                continue
            stack.pop()
            if len(stack) == depth - 1 and stack:
                tag = local(elem.tag)
                if tag in records:
                    counts[tag] += 1
                    _strip_namespaces(elem)
                    yield start, f"{tag}[{counts[tag]}]", elem
                stack[-1].clear()  # drop the finished record: memory stays flat on any list size

    def feed(chunk: bytes | None) -> None:
        try:
            parser.feed(chunk) if chunk is not None else parser.close()
        except (LookupError, ValueError) as e:  # an XML declaration naming an encoding expat cannot read
            raise ListFormatError(f"malformed XML: unreadable encoding ({e})", name, line) from None

    try:
        while chunk := stream.readline(_CHUNK):
            feed(chunk)
            flush()
            yield from events()
            line += chunk.count(b"\n")
        feed(None)
        yield from events()
    except ET.ParseError as e:
        err_line, column = e.position
        reason = re.sub(r": line \d+, column \d+$", "", str(e))
        raise ListFormatError(f"malformed XML: {reason} (column {column + 1})", name, err_line) from None
    except (BadGzipFile, EOFError, zlib.error) as e:
        raise ListFormatError(f"corrupt or truncated gzip data ({e})", name, line) from None


def text(elem: ET.Element, tag: str) -> str:
    """The whitespace-normalised text of the first child `tag`, "" when absent."""
    child = elem.find(tag)
    return " ".join(child.text.split()) if child is not None and child.text else ""


_LETTER = re.compile(r"[^\W\d_]")


@lru_cache(maxsize=4096)
def _foreign_letter(c: str) -> bool:
    # Modifier letters (ʼ, ʹ) go with any script; everything else is Latin only by its Unicode name.
    return unicodedata.category(c) != "Lm" and not unicodedata.name(c, "").startswith(("LATIN", "FULLWIDTH LATIN"))


def non_latin(name: str) -> bool:
    """Whether a name is written (at least partly) in a script other than Latin: Cyrillic, Arabic,
    Greek, CJK... A Latin name with diacritics (Qoussaï, Mašadzev) is Latin."""
    return any(_foreign_letter(c) for c in _LETTER.findall(name))
