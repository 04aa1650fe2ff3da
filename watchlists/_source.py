"""Opening a list file: a path or a binary stream, gzip-compressed or not, and peeking at its start."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from contextlib import contextmanager
from gzip import BadGzipFile
from typing import BinaryIO, Iterator, Union

from .errors import ListFormatError

Source = Union[str, "os.PathLike[str]", BinaryIO]

_GZIP_MAGIC = b"\x1f\x8b"


class _Prefixed(io.RawIOBase):
    """A non-seekable stream with bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO, name: str):
        self._head, self._rest, self.name = head, rest, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peek(stream: BinaryIO, size: int) -> tuple[bytes, BinaryIO]:
    """The first `size` bytes (fewer at end of file) and a stream that still starts at them."""
    try:
        if stream.seekable():
            pos = stream.tell()
            head = stream.read(size)
            stream.seek(pos)
            return head, stream
        head = stream.read(size)
    except (BadGzipFile, EOFError, zlib.error) as e:  # the first bytes of a gzip stream that is corrupt
        raise ListFormatError(f"corrupt or truncated gzip data ({e})", source_name(stream) or "<stream>", 1) from None
    name = getattr(stream, "name", "<stream>")
    return head, io.BufferedReader(_Prefixed(head, stream, str(name)))  # type: ignore[return-value]


def source_name(source: Source) -> str:
    """How errors name the source: the path as given, else the stream's name."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return str(getattr(source, "name", "<stream>"))


@contextmanager
def open_source(source: Source) -> Iterator[BinaryIO]:
    """A binary stream over the (decompressed) content. Gzip is recognised by its magic bytes, not by
    the name, so a compressed file that lost its ``.gz`` still loads. Closes only what it opened."""
    if isinstance(source, io.TextIOBase):
        raise TypeError("list files are read as binary streams (the file names its own encoding): open with 'rb'")
    owned = isinstance(source, (str, os.PathLike))
    raw: BinaryIO = open(source, "rb") if owned else source  # type: ignore[arg-type, assignment]
    try:
        head, raw = peek(raw, 2)
        if head == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                yield unzipped  # type: ignore[misc]
        else:
            yield raw
    finally:
        if owned:
            raw.close()
