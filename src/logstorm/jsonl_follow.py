"""Reading a JSON-lines file while something appends to it.

A reader of a growing file can see a record half written: a writer's ``write`` lands
page by page, and a crash can leave a last line without its newline. Only lines that
end with a newline are records; the rest is left for the next read.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "windows.jsonl"
>>> _ = path.write_text('{"total": 1}\\n{"tot')
>>> follower = JsonLinesFollower(path)
>>> follower.read()
[{'total': 1}]
>>> with open(path, "a") as fh:
...     _ = fh.write('al": 2}\\n')
>>> follower.read()
[{'total': 2}]
>>> complete_records(path)
[{'total': 1}, {'total': 2}]
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

HEAD_BYTES = 256


def _complete(data: bytes) -> bytes:
    """The leading part of data that ends with a newline."""
    return data[: data.rfind(b"\n") + 1]


def _parse(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def complete_lines(path: str | os.PathLike[str]) -> list[str]:
    """Every whole line of the file now, without newlines ([] if it does not exist yet)."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return []
    return _complete(data).decode().splitlines()


def complete_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every whole record of the file now ([] if it does not exist yet)."""
    return [json.loads(line) for line in complete_lines(path) if line.strip()]


class JsonLinesFollower:
    """Hands out the records appended to a JSON-lines file since the last ``read``.

    A file that is missing reads as nothing new. One that was replaced (rotated by
    rename, as the window sink does) is read to its end through the handle still open
    on it, then the new one from its start, so no record written just before a rotation
    is missed; one that was truncated is read again from its start. A truncated file
    may have grown past the old offset by the next read, so its first bytes tell, as
    for the file spout.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.offset = 0
        self.inode: int | None = None
        self.head = b""  # the file's first bytes as read: a rewrite changes them
        self.fh: Any = None  # the file read last, kept open to finish it once rotated

    def start_at(self, offset: int) -> None:
        """Skip what lies before offset (the start of a line) in the file as it is now."""
        try:
            self.fh = open(self.path, "rb")  # noqa: SIM115 - kept open across reads
        except FileNotFoundError:
            return
        self.inode = os.fstat(self.fh.fileno()).st_ino
        self.head = self.fh.read(min(offset, HEAD_BYTES))
        self.offset = offset

    def read(self) -> list[dict[str, Any]]:
        """The records completed since the last call."""
        records = []
        try:
            inode = os.stat(self.path).st_ino
        except FileNotFoundError:
            inode = None
        if self.fh is not None and inode != self.inode:  # rotated: finish the old file
            self.fh.seek(self.offset)
            records = _parse(_complete(self.fh.read()))
            self.close()
            self.inode, self.offset, self.head = None, 0, b""
        if inode is None:
            return records
        try:
            if self.fh is None:
                self.fh = open(self.path, "rb")  # noqa: SIM115 - kept open across reads
            stat = os.fstat(self.fh.fileno())
            self.fh.seek(0)
            rewritten = stat.st_size < self.offset or self.fh.read(len(self.head)) != self.head
            if stat.st_ino != self.inode or rewritten:
                self.inode, self.offset, self.head = stat.st_ino, 0, b""
            self.fh.seek(self.offset)
            data = _complete(self.fh.read())
        except FileNotFoundError:  # replaced between the stat and the open
            return records
        if len(self.head) < HEAD_BYTES:
            self.head = (self.head + data)[:HEAD_BYTES]
        self.offset += len(data)
        return records + _parse(data)

    def close(self) -> None:
        """Close the file (a later read opens it again)."""
        if self.fh is not None:
            self.fh.close()
            self.fh = None
