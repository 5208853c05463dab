"""A JSON-lines file that a crash cannot leave invalid, for the files the analyzer
appends to (windows, errors, the rankings' outbox, the spout's cut log), and that can
be kept to a size by rotation (the windows and errors files)."""

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
    reader can still catch a record half written: read with ``logstorm.jsonl_follow``).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> _ = path.write_text('{"n": 1}\\n{"n": 2, "cut by a cra')
    >>> out = JsonLinesFile(path)
    >>> out.cut_bytes
    22
    >>> out.write({"n": 2})
    >>> path.read_text()
    '{"n": 1}\\n{"n": 2}\\n'

    With ``max_bytes`` the file rotates as logrotate would: a write that would take it
    past max_bytes first renames it ``<path>.1`` (``.1`` to ``.2``, and so on, the
    oldest past ``keep`` deleted) and starts a new one, so the files together stay
    under ``(keep + 1) * max_bytes`` (a single record larger than max_bytes is written
    alone). Readers that follow the file by name (:mod:`logstorm.jsonl_follow`) read
    the rest of the old file, then the new one.

    >>> small = JsonLinesFile(path.with_name("small.jsonl"), max_bytes=20, keep=1)
    >>> for n in range(6): small.write({"n": n})   # 9 bytes each: two to a file
    >>> [(p.name, p.read_text().count("n")) for p in rotated_paths(small.path, 2)[:2]]
    [('small.jsonl', 2), ('small.jsonl.1', 2)]
    >>> rotated_paths(small.path, 2)[2].exists()   # keep=1: the oldest two were dropped
    False
    """

    def __init__(
        self, path: str | os.PathLike[str], max_bytes: int | None = None, keep: int = 1
    ) -> None:
        self.path = Path(path)
        self.max_bytes, self.keep = max_bytes, keep
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        self.cut_bytes = _remove_cut_line(self.fd)
        self.size = os.fstat(self.fd).st_size

    def write(self, record: dict[str, Any]) -> None:
        """Append record."""
        self.write_all([record])

    def write_all(self, records: list[dict[str, Any]]) -> None:
        """Append records, in one write (with max_bytes, one write each)."""
        if self.max_bytes is None:
            self._write(jsonl(records).encode())
            return
        for record in records:  # each checked against the size (one writer rotates)
            data = jsonl([record]).encode()
            if self.size and self.size + len(data) > self.max_bytes:
                self.rotate()
            self._write(data)

    def _write(self, data: bytes) -> None:
        self.size += len(data)
        while data:
            data = data[os.write(self.fd, data) :]

    def rotate(self) -> None:
        """Move the file to ``<path>.1`` (and older ones along) and start a new one."""
        os.fsync(self.fd)  # what was written stays, whatever happens next
        os.close(self.fd)
        paths = rotated_paths(self.path, self.keep)
        for older, newer in reversed(list(zip(paths[1:], paths[:-1], strict=False))):
            if newer.exists():
                newer.replace(older)  # the oldest is overwritten: dropped
        self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        self.size = 0

    def sync(self) -> None:
        """Make what was written durable (fsync)."""
        os.fsync(self.fd)

    def close(self) -> None:
        """Close the file."""
        os.close(self.fd)


def rotated_paths(path: Path, keep: int) -> list[Path]:
    """The file and its rotated copies, newest first: path, path.1, ..., path.keep."""
    return [path, *(path.with_name(f"{path.name}.{n}") for n in range(1, keep + 1))]


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
