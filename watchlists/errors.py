"""The one error a list loader raises for a file it cannot use."""

from __future__ import annotations

import os


class ListFormatError(ValueError):
    """A list file that is malformed, truncated, of an unknown format, or holds an unusable record.

    `path` is the file (as given), `line` the 1-based line where known, `element` where in the
    document (e.g. ``INDIVIDUAL[12]/DATAID``), `reason` the bare message. str() reads like
    ``consolidated.xml:1234: INDIVIDUAL DATAID 6907993: no name``, the form editors and CI logs link.
    """

    def __init__(
        self,
        message: str,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        element: str | None = None,
    ):
        self.reason = message
        self.path = os.fspath(path) if path is not None else None
        self.line = line
        self.element = element
        where = ":".join(str(p) for p in (self.path, line) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)

    def __reduce__(self):
        # The default pickling replays args (the formatted text) as `message`; Dask and
        # multiprocessing ship exceptions between processes, so keep the fields apart.
        return (type(self), (self.reason, self.path, self.line, self.element))
