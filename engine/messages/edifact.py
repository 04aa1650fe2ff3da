"""UN/EDIFACT interchange reader (ISO 9735 syntax versions 3 and 4) for PAXLST and PNRGOV.

An interchange is `[UNA] UNB [UNG] UNH ... UNT [UNE] ... UNZ`: the optional UNA service string advice
sets the six service characters (component `:`, element `+`, decimal mark `.`, release `?`, reserved or
repetition ` `/`*`, terminator `'`); UNB/UNZ wrap the interchange, UNG/UNE optional functional groups,
UNH/UNT each message. This module splits the text into numbered segments and checks that envelope.

Segment numbers count every segment from the start of the data, the UNA advice included (as 1), so they
match line numbers when each segment sits on its own line; errors read `segment 14 (NAD): ...`.

Airline feeds bend the syntax, so the reader tolerates, with a warning each time:
- line breaks anywhere (dropped: feeds fold long segments mid-word, `SMITHJ\\nR`), blanks before a tag;
- a UNA advice of the wrong length or with an impossible decimal mark (read leniently), a UNA whose
  terminator never occurs while `'` does, a typographic apostrophe `’` ending a segment where `'` is the
  terminator (copy-paste from word processors), no UNA but a non-default element separator after UNB;
- control counts and references that disagree (UNT, UNE, UNZ): warnings, since the data is still
  usable; `strict=True` makes them errors.
Structural damage (a message without UNT, a UNB without UNZ, a segment outside any message, an
unbalanced UNG/UNE, data after UNZ) raises `MessageError`: whole messages may be missing.

Bytes are decoded as the UNB syntax identifier says (UNOA/UNOB and IATA: ASCII, UNOC: Latin-1,
UNOD-UNOK: the other ISO 8859 parts, UNOW/UNOY: UTF-8); bytes outside that set fall back to UTF-8,
then Latin-1 (which reads any byte), with a warning.

The repetition separator (syntax 4) is not split on: PAXLST and PNRGOV do not repeat data elements.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from ..countries import ALPHA3_TO_ALPHA2, MRZ_CODES, to_iso2
from .model import MessageError, digits, segment_where

__all__ = [
    "DEFAULT_SEPARATORS",
    "EDIFACT_FORMATS",
    "FlightLeg",
    "Group",
    "Interchange",
    "Message",
    "Segment",
    "Separators",
    "decode",
    "detect_edifact",
    "read_interchange",
    "sniff_message_type",
    "tokenize",
    "write_interchange",
]


# --------------------------------------------------------------------------------------------------
# Service characters


@dataclass(frozen=True, slots=True)
class Separators:
    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"  # "" when the advice says none (a space)
    repetition: str = " "  # syntax 3 "reserved"; syntax 4 repetition separator, often `*`
    terminator: str = "'"

    def una(self) -> str:
        return "UNA" + self.component + self.element + self.decimal + (self.release or " ") + self.repetition + self.terminator

    def service_characters(self) -> str:
        """The characters a release character may escape."""
        chars = self.component + self.element + self.terminator + self.release
        return chars + (self.repetition if self.repetition.strip() else "")


DEFAULT_SEPARATORS = Separators()
_LINE_BREAKS = "\r\n"
_TYPOGRAPHIC_APOSTROPHE = "\u2019"
_TAG = re.compile(r"[A-Z][A-Z0-9]{2}\Z")


def read_service_advice(text: str) -> tuple[Separators, int, list[str]]:
    """The separators and the offset of the first segment after the UNA advice (0 without one)."""
    if not text.startswith("UNA"):
        return _infer_without_una(text)
    where = segment_where(1, "UNA")
    if len(text) < 9:
        raise MessageError(where, "truncated service string advice (UNA needs six characters)")
    comp, elem, dec, rel, rep, term = text[3:9]
    seps = Separators(comp, elem, dec, "" if rel == " " else rel, rep, term)
    if dec in ".," and _distinct(seps):
        return seps, 9, []
    # ISO 9735 allows only '.' or ',' as decimal mark: anything else means a character is missing or
    # extra (seen: `UNA:+\*'` without the decimal mark). Read the advice up to the first header tag.
    tags = [i for i in (text.find("UNB", 3), text.find("UNG", 3), text.find("UNH", 3)) if i > 0]
    if not tags:
        raise MessageError(where, f"malformed service string advice {text[:9]!r} and no UNB/UNH after it")
    end = min(tags)
    advice = text[3:end].replace("\r", "").replace("\n", "").rstrip(" \t")
    if len(advice) < 3:
        raise MessageError(where, f"malformed service string advice {text[:end]!r}")
    middle = advice[2:-1]
    decimal = next((c for c in middle if c in ".,"), ".")
    release = next((c for c in middle if c not in "., "), "")
    repetition = next((c for c in middle if c not in (decimal, release)), " ")
    seps = Separators(advice[0], advice[1], decimal, release, repetition, advice[-1])
    if not _distinct(seps):
        raise MessageError(where, f"malformed service string advice {text[:end]!r}: separators repeat or are letters/digits")
    warning = (
        f"{where}: service string advice {'UNA' + advice!r} is malformed; read as component {seps.component!r}, "
        f"element {seps.element!r}, release {seps.release!r}, terminator {seps.terminator!r}"
    )
    return seps, end, [warning]


def _distinct(seps: Separators) -> bool:
    core = [seps.component, seps.element, seps.terminator] + ([seps.release] if seps.release else [])
    return len(set(core)) == len(core) and not any(c.isalnum() for c in core)


def _infer_without_una(text: str) -> tuple[Separators, int, list[str]]:
    """Defaults, unless the UNB shows another element separator or no `'` occurs at all."""
    seps = DEFAULT_SEPARATORS
    warnings: list[str] = []
    if text.startswith("UNB") and len(text) > 3 and text[3] != "+" and not text[3].isalnum():
        element = text[3]
        m = re.match(r"(?:UNO[A-Z]|IAT[A-Z])([^A-Za-z0-9])", text[4:])
        component = m.group(1) if m and m.group(1) != element else ":"
        # The terminator is the visible character just before the next header tag.
        nxt = re.search(r"([^A-Za-z0-9\s])\s*UN[GH]" + re.escape(element), text)
        terminator = nxt.group(1) if nxt and nxt.group(1) not in (element, component) else "'"
        seps = Separators(component=component, element=element, terminator=terminator)
        warnings.append(
            f"{segment_where(1, 'UNB')}: no UNA advice but UNB uses {element!r}; separators read as "
            f"component {component!r}, element {element!r}, terminator {terminator!r}"
        )
    if seps.terminator not in text and _TYPOGRAPHIC_APOSTROPHE not in text and "\n" in text.strip():
        seps = Separators(seps.component, seps.element, seps.decimal, seps.release, seps.repetition, "\n")
        warnings.append(
            f"{segment_where(1, text[:3])}: no {DEFAULT_SEPARATORS.terminator!r} terminator; segments read one per line"
        )
    return seps, 0, warnings


# --------------------------------------------------------------------------------------------------
# Segments


@dataclass(slots=True)
class Segment:
    """One segment: its 1-based number in the interchange, its tag and its data elements (after the
    tag), each a tuple of components exactly as written (release characters removed). Tuples of
    strings, unlike lists, drop out of the cyclic garbage collector's sight, which keeps the reader
    linear on large interchanges."""

    number: int
    tag: str
    elements: tuple[tuple[str, ...], ...]
    tag_ok: bool = True

    @property
    def where(self) -> str:
        return segment_where(self.number, self.tag)

    def get(self, element: int, component: int = 0) -> str:
        """Component `component` of data element `element` (both 0-based, the tag not counted),
        stripped; "" when absent. `NAD+FL+++SMITH:JOHN`: get(0) 'FL', get(3, 1) 'JOHN'."""
        try:
            return self.elements[element][component].strip()
        except IndexError:
            return ""

    def components(self, element: int) -> list[str]:
        """The stripped components of one data element ([] when absent)."""
        if element < len(self.elements):
            return [c.strip() for c in self.elements[element]]
        return []


def _display_tag(raw: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in raw.strip())
    return shown[:8] + ("..." if len(shown) > 8 else "") or "?"


def _placeholders(text: str, count: int) -> list[str]:
    """Private-use characters absent from the text, to stand for escaped service characters."""
    present = set(text)
    found: list[str] = []
    code = 0xE000
    while len(found) < count:
        if chr(code) not in present:
            found.append(chr(code))
        code += 1
    return found


def tokenize(body: str, seps: Separators, first_number: int = 1) -> tuple[list[Segment], list[str]]:
    """Split text (after any UNA) into segments. Linear: str.split and one regex pass for escapes."""
    warnings: list[str] = []
    for ch in _LINE_BREAKS:
        if ch not in (seps.component, seps.element, seps.terminator, seps.release):
            body = body.replace(ch, "")
    term, elem, comp, rel = seps.terminator, seps.element, seps.component, seps.release

    restore: dict[int, str] | None = None
    if rel and rel in body:
        service = seps.service_characters()
        marks = _placeholders(body, len(service))
        to_mark = dict(zip(service, marks))
        restore = {ord(m): c for c, m in to_mark.items()}

        def unescape(m: re.Match[str]) -> str:
            ch = m.group(1)
            return to_mark.get(ch, m.group(0))  # a release before an ordinary character stays literal

        body = re.sub(re.escape(rel) + "(.)", unescape, body, flags=re.DOTALL)

    if term not in body:
        other = {"'": _TYPOGRAPHIC_APOSTROPHE, _TYPOGRAPHIC_APOSTROPHE: "'"}.get(term)
        if other and other in body:
            warnings.append(f"segment terminator {term!r} never occurs; {other!r} read as the terminator")
            term = other
    if term == "'" and _TYPOGRAPHIC_APOSTROPHE in body:
        # Only where a segment would end: followed by a tag and a separator, or the end of the data.
        pattern = _TYPOGRAPHIC_APOSTROPHE + r"(?=[ \t]*(?:[A-Z][A-Z0-9]{2}[" + re.escape(elem + term) + r"]|\Z))"
        body, n = re.subn(pattern, term, body)
        if n:
            warnings.append(f"{n} typographic apostrophe(s) '\u2019' read as segment terminator")

    raw_segments = body.split(term)
    tail = raw_segments.pop()
    if tail.strip():
        raw_segments.append(tail)
    strip_chars = "".join(c for c in " \t\x0b\x0c\x00" if c not in (elem, comp, term))
    segments: list[Segment] = []
    number = first_number
    for raw in raw_segments:
        raw = raw.lstrip(strip_chars)
        if not raw:
            continue
        if restore is None:
            elements = tuple([tuple(e.split(comp)) for e in raw.split(elem)])
        else:
            elements = tuple([tuple([c.translate(restore) for c in e.split(comp)]) for e in raw.split(elem)])
        tag_raw = elements[0][0]
        tag = tag_raw.strip()
        ok = bool(_TAG.match(tag))
        segments.append(Segment(number, tag if ok else _display_tag(tag_raw), elements[1:], ok))
        number += 1
    if tail.strip() and segments:
        last = segments[-1]
        warnings.append(f"{last.where}: the last segment has no terminator {term!r}")
    return segments, warnings


# --------------------------------------------------------------------------------------------------
# Envelope


@dataclass
class Message:
    """One UNH ... UNT message; `segments` runs from UNH to UNT inclusive."""

    number: int  # 1-based, in the interchange
    reference: str
    type: str  # PAXLST, PNRGOV, ...
    version: str  # D (directory) for PAXLST, 11 for PNRGOV 11.1
    release: str  # 05B, 1
    agency: str  # UN, IA
    association: str  # IATA
    common_access_reference: str = ""
    transfer: str = ""  # S010: sequence:first/last, e.g. "01:C" (continued)
    group: str = ""  # the UNG reference when inside a functional group
    segments: list[Segment] = field(default_factory=list)

    @property
    def identifier(self) -> str:
        return ":".join(p for p in (self.type, self.version, self.release, self.agency, self.association) if p)

    @property
    def body(self) -> list[Segment]:
        """The segments between UNH and UNT."""
        return self.segments[1:-1]

    @property
    def where(self) -> str:
        return self.segments[0].where if self.segments else "message"


@dataclass
class Group:
    reference: str
    message_type: str
    sender: str
    recipient: str
    message_count: int = 0


@dataclass
class Interchange:
    separators: Separators
    syntax: str = ""  # UNOA, UNOC, IATA, ...
    syntax_version: str = ""
    sender: str = ""
    recipient: str = ""
    prepared: str = ""  # YYYY-MM-DD[THH:MM] from UNB
    reference: str = ""
    application: str = ""
    encoding: str = ""  # how bytes were decoded ("" for str input)
    messages: list[Message] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def year(self) -> int:
        """The year the interchange was prepared (today's when UNB gives no date): two-digit years
        in the messages are read relative to it."""
        if digits(self.prepared[:4]):
            return int(self.prepared[:4])
        return _dt.date.today().year


_SYNTAX_CODECS = {
    "UNOA": "ascii", "UNOB": "ascii", "IATA": "ascii", "IATB": "ascii",
    "UNOC": "latin-1", "UNOD": "iso8859-2", "UNOE": "iso8859-5", "UNOF": "iso8859-7",
    "UNOG": "iso8859-3", "UNOH": "iso8859-4", "UNOI": "iso8859-6", "UNOJ": "iso8859-8",
    "UNOK": "iso8859-9", "UNOL": "iso8859-15", "UNOW": "utf-8", "UNOY": "utf-8",
}  # fmt: skip
_SYNTAX_IN_BYTES = re.compile(rb"UNB[^A-Za-z0-9]\s*(UNO[A-Z]|IAT[A-Z])")


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Text, the codec used and warnings. The UNB syntax identifier names the character set; bytes
    outside it fall back to UTF-8, then Latin-1 (which reads any byte), never a UnicodeDecodeError."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    m = _SYNTAX_IN_BYTES.search(data[:1024])
    syntax = m.group(1).decode("ascii") if m else ""
    declared = _SYNTAX_CODECS.get(syntax, "")
    failure = ""
    for codec in dict.fromkeys(c for c in (declared, "utf-8", "latin-1") if c):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as e:
            if codec == declared:
                failure = f"byte {e.start} is not {codec} as the UNB syntax identifier {syntax} declares"
            continue
        return text, codec, [f"{failure}; read as {codec}"] if failure else []
    raise AssertionError("latin-1 decodes any byte")  # pragma: no cover


F = TypeVar("F", bound=Callable)


def guarded(func: F) -> F:
    """The parser contract: nothing but MessageError leaves a parser. A bug that raises anything else
    is reported as a MessageError too (tests switch this off with GUARD = False to see the bug)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if not GUARD:
            return func(*args, **kwargs)
        try:
            return func(*args, **kwargs)
        except MessageError:
            raise
        except RecursionError as e:
            raise MessageError("input", f"too deeply nested: {e}") from e
        except Exception as e:
            raise MessageError("input", f"internal error {type(e).__name__}: {e}") from e

    return wrapper  # type: ignore[return-value]


GUARD = True


@guarded
def read_interchange(data: bytes | str, *, strict: bool = False) -> Interchange:
    """Decode, tokenize and check the envelope of one interchange (a bare UNH ... UNT is accepted
    with a warning). `strict`: control counts and references that disagree raise instead of warn."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        text, encoding, warnings = decode(bytes(data))
    elif isinstance(data, str):
        text, encoding, warnings = data, "", []
    else:
        raise MessageError("input", f"expected bytes or str, got {type(data).__name__}")
    text = text.lstrip("\ufeff \t\r\n\x00")
    if not text.strip():
        raise MessageError("input", "empty message")
    seps, offset, advice_warnings = read_service_advice(text)
    first_number = 2 if offset else 1
    segments, token_warnings = tokenize(text[offset:], seps, first_number)
    if not segments:
        raise MessageError(segment_where(first_number, "UNA" if offset else "?"), "no segments")
    ic = Interchange(separators=seps, encoding=encoding, segments=segments)
    ic.warnings.extend(warnings + advice_warnings + token_warnings)
    _Envelope(ic, strict).run()
    return ic


class _Envelope:
    """Checks UNB/UNG/UNH/UNT/UNE/UNZ nesting and control counts, and cuts the messages out."""

    def __init__(self, ic: Interchange, strict: bool):
        self.ic = ic
        self.strict = strict

    def problem(self, seg: Segment, text: str) -> None:
        if self.strict:
            raise MessageError(seg.where, text)
        self.ic.warnings.append(f"{seg.where}: {text}")

    def run(self) -> None:
        ic, segs = self.ic, self.ic.segments
        i = 0
        if segs[0].tag == "UNB":
            self.header(segs[0])
            i = 1
        else:
            ic.warnings.append(f"{segs[0].where}: no UNB interchange header")
        group: Group | None = None
        group_seg: Segment | None = None
        message: Message | None = None
        closed = None  # the UNZ segment
        for seg in segs[i:]:
            tag = seg.tag
            if closed is not None:
                raise MessageError(seg.where, f"data after the UNZ trailer ({closed.where}); one interchange per input")
            if message is not None:
                if tag == "UNT":
                    message.segments.append(seg)
                    self.close_message(message, seg)
                    message = None
                elif tag in ("UNH", "UNB", "UNG", "UNE", "UNZ"):
                    raise MessageError(
                        seg.where, f"{tag} inside message {message.reference!r} ({message.where}): its UNT is missing"
                    )
                else:
                    message.segments.append(seg)
                continue
            if tag == "UNH":
                message = self.open_message(seg, group)
            elif tag == "UNG":
                if group is not None:
                    raise MessageError(seg.where, f"UNG while group {group.reference!r} ({group_seg.where}) has no UNE")  # type: ignore[union-attr]
                group, group_seg = self.open_group(seg), seg
            elif tag == "UNE":
                if group is None:
                    raise MessageError(seg.where, "UNE without UNG")
                self.close_group(group, seg)
                group = None
            elif tag == "UNZ":
                if group is not None:
                    raise MessageError(seg.where, f"UNZ while group {group.reference!r} ({group_seg.where}) has no UNE")  # type: ignore[union-attr]
                self.close_interchange(seg)
                closed = seg
            elif tag == "UNB":
                raise MessageError(seg.where, "a second UNB: one interchange per input")
            elif tag == "UNT":
                raise MessageError(seg.where, "UNT without UNH")
            else:
                raise MessageError(seg.where, "segment outside a message (no UNH before it)")
        last = segs[-1]
        if message is not None:
            raise MessageError(last.where, f"message {message.reference!r} ({message.where}) has no UNT: the data is truncated")
        if not ic.messages:
            raise MessageError(last.where, "no UNH message in the interchange")
        # A missing trailer is an error even after complete messages: whole messages may be lost.
        if group is not None:
            raise MessageError(last.where, f"group {group.reference!r} ({group_seg.where}) has no UNE: the data is truncated")  # type: ignore[union-attr]
        if closed is None and segs[0].tag == "UNB":
            raise MessageError(last.where, "no UNZ trailer: the data is truncated")

    def header(self, seg: Segment) -> None:
        ic = self.ic
        ic.syntax, ic.syntax_version = seg.get(0, 0), seg.get(0, 1)
        ic.sender, ic.recipient = seg.get(1, 0), seg.get(2, 0)
        ic.prepared = _prepared(seg.get(3, 0), seg.get(3, 1))
        ic.reference = seg.get(4)
        ic.application = seg.get(6)
        if not ic.reference:
            ic.warnings.append(f"{seg.where}: no interchange control reference")

    def open_message(self, seg: Segment, group: Group | None) -> Message:
        if not seg.get(1):
            raise MessageError(seg.where, "UNH without a message type")
        transfer = ":".join(c for c in seg.components(3) if c)
        message = Message(
            number=len(self.ic.messages) + 1,
            reference=seg.get(0),
            type=seg.get(1, 0).upper(),
            version=seg.get(1, 1),
            release=seg.get(1, 2),
            agency=seg.get(1, 3),
            association=seg.get(1, 4),
            common_access_reference=seg.get(2),
            transfer=transfer,
            group=group.reference if group else "",
            segments=[seg],
        )
        if group is not None:
            group.message_count += 1
        self.ic.messages.append(message)
        return message

    def close_message(self, message: Message, unt: Segment) -> None:
        declared, ref = unt.get(0), unt.get(1)
        if not digits(declared):
            self.problem(unt, f"segment count {declared!r} is not a number")
        elif int(declared) != len(message.segments):
            self.problem(
                unt,
                f"UNT counts {int(declared)} segments, message {message.reference!r} has {len(message.segments)} (UNH and UNT included)",
            )
        if not ref:
            self.ic.warnings.append(f"{unt.where}: no message reference (UNH has {message.reference!r})")
        elif ref != message.reference:
            self.problem(unt, f"message reference {ref!r} differs from UNH's {message.reference!r}")

    def open_group(self, seg: Segment) -> Group:
        group = Group(reference=seg.get(4), message_type=seg.get(0), sender=seg.get(1), recipient=seg.get(2))
        self.ic.groups.append(group)
        return group

    def close_group(self, group: Group, une: Segment) -> None:
        declared, ref = une.get(0), une.get(1)
        if digits(declared) and int(declared) != group.message_count:
            self.problem(une, f"UNE counts {int(declared)} messages, group {group.reference!r} has {group.message_count}")
        if ref and ref != group.reference:
            self.problem(une, f"group reference {ref!r} differs from UNG's {group.reference!r}")

    def close_interchange(self, unz: Segment) -> None:
        ic = self.ic
        declared, ref = unz.get(0), unz.get(1)
        actual = len(ic.groups) if ic.groups else len(ic.messages)
        if digits(declared) and int(declared) != actual:
            what = "groups" if ic.groups else "messages"
            self.problem(unz, f"UNZ counts {int(declared)} {what}, the interchange has {actual}")
        if ref and ic.reference and ref != ic.reference:
            self.problem(unz, f"interchange reference {ref!r} differs from UNB's {ic.reference!r}")


def _prepared(date: str, time: str) -> str:
    date = date.replace(" ", "")
    try:
        if len(date) == 6 and digits(date):
            day = _dt.date(nearest_year(int(date[:2]), _dt.date.today().year), int(date[2:4]), int(date[4:6]))
        elif len(date) == 8 and digits(date):
            day = _dt.date(int(date[:4]), int(date[4:6]), int(date[6:8]))
        else:
            return ""
    except ValueError:
        return ""
    if len(time) == 4 and digits(time) and int(time[:2]) < 24 and int(time[2:]) < 60:
        return f"{day.isoformat()}T{time[:2]}:{time[2:]}"
    return day.isoformat()


def sniff_message_type(text: str) -> str:
    """The first UNH message type (PAXLST, PNRGOV, ...) without tokenizing everything; "" if none."""
    seps, _, _ = read_service_advice(text.lstrip("\ufeff \t\r\n\x00"))
    element, reference = re.escape(seps.element), "[^" + re.escape(seps.element + seps.terminator) + "]*"
    pattern = "UNH" + element + reference + element + r"\s*([A-Z]+)"
    m = re.search(pattern, text[:65536].replace("\r", "").replace("\n", ""))
    return m.group(1) if m else ""


#: UNH message types this package reads, and the format names `engine.messages.parse` knows them by.
EDIFACT_FORMATS = {"PAXLST": "paxlst", "PNRGOV": "pnrgov"}


@guarded
def detect_edifact(data: bytes | str) -> str | None:
    """`paxlst` or `pnrgov` from the first UNH message type; None when the data is not EDIFACT (no
    UNA/UNB/UNH at the start). An EDIFACT message of another type raises MessageError."""
    head = data[:65536]
    text = head.decode("latin-1") if isinstance(head, (bytes, bytearray)) else str(head)
    text = text.lstrip("\ufeff\xef\xbb\xbf \t\r\n\x00")
    if not text.startswith(("UNA", "UNB", "UNH")):
        return None
    message_type = sniff_message_type(text)
    if not message_type:
        raise MessageError("input", "EDIFACT data without a UNH message type")
    if message_type not in EDIFACT_FORMATS:
        raise MessageError("input", f"EDIFACT message type {message_type!r} is not supported (PAXLST, PNRGOV)")
    return EDIFACT_FORMATS[message_type]


def write_interchange(
    segments: list[list[list[str]]], seps: Separators = DEFAULT_SEPARATORS, *, una: bool = True, newline: str = "\n"
) -> str:
    """Serialise segments (each a list of elements, the first holding the tag) with the given
    separators, escaping service characters: the inverse of tokenize, used by tests and tools."""
    escape = seps.service_characters() if seps.release else ""

    def esc(value: str) -> str:
        if not escape:
            return value
        return "".join(seps.release + c if c in escape else c for c in value)

    lines = [seps.una()] if una else []
    for seg in segments:
        lines.append(seps.element.join(seps.component.join(esc(c) for c in e) for e in seg) + seps.terminator)
    return newline.join(lines) + newline


# --------------------------------------------------------------------------------------------------
# Data values shared by PAXLST and PNRGOV


def birth_year(yy: int, reference_year: int) -> int:
    """Century rule for two-digit birth years: a year later than the message's own year is last
    century (message of 2020: 20 -> 2020, 21 -> 1921). Travellers over 100 are rarer than infants."""
    year = (reference_year // 100) * 100 + yy
    return year - 100 if year > reference_year else year


def nearest_year(yy: int, reference_year: int) -> int:
    """Century rule for flight and expiry dates: the year closest to the message's year."""
    base = (reference_year // 100) * 100 + yy
    return min((base - 100, base, base + 100), key=lambda y: abs(y - reference_year))


_DTM_FORMATS = {"101": 6, "102": 8, "201": 10, "203": 12, "204": 14, "602": 4, "610": 6, "616": 6}
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}


def edifact_date(value: str, fmt: str, reference_year: int, *, birth: bool = False) -> str:
    """A DTM value as ISO 8601: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (format 101/102/201/203/204 or
    guessed from the length). Raises ValueError with a readable reason."""
    v = value.replace(" ", "")
    if not digits(v):
        raise ValueError(f"date {value!r} is not digits")
    if fmt == "610" and len(v) == 6:  # CCYYMM
        return f"{v[:4]}-{_month(v[4:6])}"
    if fmt == "602" and len(v) == 4:
        return v
    if fmt and fmt in _DTM_FORMATS and len(v) != _DTM_FORMATS[fmt]:
        raise ValueError(f"date {value!r} does not fit format {fmt}")
    if len(v) in (6, 10):
        yy = int(v[:2])
        year = birth_year(yy, reference_year) if birth else nearest_year(yy, reference_year)
        rest = v[2:]
    elif len(v) in (8, 12, 14):
        year, rest = int(v[:4]), v[4:]
    else:
        raise ValueError(f"date {value!r} has {len(v)} digits")
    day = _calendar(year, int(rest[:2]), int(rest[2:4]), value)
    if len(rest) >= 8:
        hh, mm = int(rest[4:6]), int(rest[6:8])
        if hh > 23 or mm > 59:
            raise ValueError(f"time in {value!r} is not a time of day")
        return f"{day}T{hh:02d}:{mm:02d}"
    return day


def ddmmyy_date(value: str, reference_year: int) -> str:
    """PNRGOV dates (TVL, DAT): DDMMYY."""
    v = value.replace(" ", "")
    if len(v) != 6 or not digits(v):
        raise ValueError(f"date {value!r} is not DDMMYY")
    return _calendar(nearest_year(int(v[4:]), reference_year), int(v[2:4]), int(v[:2]), value)


def ddmmmyy_date(value: str, reference_year: int, *, birth: bool = False) -> str:
    """Dates in SSR free text: `12JUL82` or `12JUL1982`."""
    v = value.strip().upper()
    m = re.fullmatch(r"([0-9]{1,2})([A-Z]{3})([0-9]{2}|[0-9]{4})", v)
    if not m or m.group(2) not in _MONTHS:
        raise ValueError(f"date {value!r} is not DDMMMYY")
    yy = m.group(3)
    if len(yy) == 4:
        year = int(yy)
    else:
        year = birth_year(int(yy), reference_year) if birth else nearest_year(int(yy), reference_year)
    return _calendar(year, _MONTHS[m.group(2)], int(m.group(1)), value)


def _month(mm: str) -> str:
    if not 1 <= int(mm) <= 12:
        raise ValueError(f"month {mm!r} out of range")
    return mm


def _calendar(year: int, month: int, day: int, original: str) -> str:
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        raise ValueError(f"date {original!r} is not a calendar date") from None


_ALPHA2_TO_ALPHA3 = {a2: a3 for a3, a2 in ALPHA3_TO_ALPHA2.items()}


def country_alpha3(code: str) -> str:
    """ISO 3166-1 alpha-3 for a code as messages write it (alpha-2 `KR`, alpha-3, ICAO `D`);
    ICAO codes that are no ISO country (GBD, XXA, UNO ...) and unknown values stay as written."""
    c = code.strip().upper()
    if not c or c in ALPHA3_TO_ALPHA2 or (len(c) == 3 and c in MRZ_CODES):
        return c
    a2 = to_iso2(c) if len(c) <= 3 else None
    return _ALPHA2_TO_ALPHA3.get(a2, c) if a2 else c


DOCUMENT_TYPES = {
    "P": "passport", "PT": "passport", "PP": "passport", "V": "visa", "I": "id-card", "ID": "id-card",
    "IP": "passport-card", "C": "id-card", "A": "crew-certificate", "AC": "crew-certificate",
    "M": "military-id", "F": "other", "L": "pilot-licence", "R": "refugee-document",
    "T": "travel-document", "G": "border-crossing-card",
}  # fmt: skip


def document_type(code: str) -> str:
    """A document type code (PAXLST DOC, SSR DOCS) as a word; unknown codes stay as written."""
    c = code.strip().upper()
    return DOCUMENT_TYPES.get(c, c)


_FLIGHT = re.compile(r"([A-Z0-9]{2}|[A-Z]{3})\s*([0-9]{1,4})([A-Z]?)")


def split_flight(identifier: str, carrier: str = "") -> tuple[str, str]:
    """(`LA`, `0532`) from `LA532`; the number is zero-padded to four digits as airlines print it."""
    ident = identifier.replace(" ", "").upper()
    carrier = carrier.strip().upper()
    if carrier and ident.startswith(carrier) and digits(ident[len(carrier) :][:1]):
        ident = ident[len(carrier) :]
    elif not carrier:
        m = _FLIGHT.fullmatch(ident)
        if m:
            return m.group(1), m.group(2).zfill(4) + m.group(3)
        return "", ident
    return carrier, pad_flight_number(ident)


def pad_flight_number(number: str) -> str:
    """`624` -> `0624`, `12A` -> `0012A`; anything else as written."""
    n = number.replace(" ", "").upper()
    m = re.fullmatch(r"([0-9]{1,4})([A-Z]?)", n)
    return m.group(1).zfill(4) + m.group(2) if m else n


@dataclass
class FlightLeg:
    """One flight as a message states it; times are local, as the message gives them."""

    carrier: str = ""
    number: str = ""
    departure: str = ""  # IATA airport code
    arrival: str = ""
    departure_time: str = ""  # YYYY-MM-DD or YYYY-MM-DDTHH:MM
    arrival_time: str = ""
    operating_carrier: str = ""  # codeshare: who flies it
    operating_number: str = ""

    @property
    def flight(self) -> str:
        return self.carrier + self.number

    @property
    def label(self) -> str:
        """How Traveller.flights names it: `BA0123 2025-06-14`."""
        date = (self.departure_time or self.arrival_time)[:10]
        return f"{self.flight} {date}".strip()
