"""A JSON-lines file that a crash cannot leave invalid, for the files the analyzer
appends to (windows, errors, the rankings' outbox, the spout's cut log)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class JsonLinesFile:
    """Appends JSON objects, one per line, each call in one ``write`` to a file opened
    for appending, so records of two writers never interleave and a crash leaves at
    most a cut last line. Opening the file removes such a line: the file stays valid
    JSON lines, and the record it was is written again by whoever replays it (a
    reader can still catch a record half written: read with ``logstorm.output.follow``).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> _ = path.write_text('{"n": 1}\\n{"n": 2, "cut by a cra')
    >>> out = JsonLinesFile(path)
    >>> out.cut_bytes
    22
    >>> out.write({"n": 2})
    >>> path.read_text()
    '{"n": 1}\\n{"n": 2}\\n'
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        self.cut_bytes = _remove_cut_line(self.fd)

    def write(self, record: dict[str, Any]) -> None:
        """Append record."""
        self.write_all([record])

    def write_all(self, records: list[dict[str, Any]]) -> None:
        """Append records, in one write."""
        data = jsonl(records).encode()
        while data:
            data = data[os.write(self.fd, data) :]

    def sync(self) -> None:
        """Make what was written durable (fsync)."""
        os.fsync(self.fd)

    def close(self) -> None:
        """Close the file."""
        os.close(self.fd)


def jsonl(records: list[dict[str, Any]]) -> str:
    """Records as JSON lines (UTF-8 text as is)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _remove_cut_line(fd: int) -> int:
    """Truncate an unfinished last line (no newline) off the file; return its length."""
    size = end = os.fstat(fd).st_size
    while end > 0:
        start = max(0, end - 65536)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            end = start + newline + 1
            break
        end = start
    if end < size:
        os.ftruncate(fd, end)
    return size - end
