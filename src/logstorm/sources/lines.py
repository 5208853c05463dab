"""Cutting a byte stream into lines, as a log-file reader needs it.

Bytes arrive in arbitrary pieces; complete lines come out with their byte offsets.
A trailing line without its newline is held back until it completes (or until the
caller declares the file complete). A line longer than ``max_line_bytes`` is cut
to that many bytes and flagged, and the rest of it is skipped without being held
in memory. Invalid UTF-8 is decoded with U+FFFD replacement characters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Line:
    """One line: its bytes span [start, end) in the file (terminator included).

    Not frozen, though never changed: a frozen dataclass's ``__init__`` sets each field
    through ``object.__setattr__``, which made a Line cost three times as much to make,
    once per line read (docs/benchmarks-history.md, notes of 2026-12-02, second round).
    """

    start: int
    end: int
    text: str
    cut: bool = False


def _decode(raw: bytes | bytearray) -> str:
    return raw.rstrip(b"\r").decode("utf-8", errors="replace")


class LineSplitter:
    """Turns consecutive byte pieces of one file, starting at ``start``, into Lines."""

    def __init__(self, start: int, max_line_bytes: int) -> None:
        self.max_line_bytes = max_line_bytes
        self.pending = bytearray()
        self.pending_start = start  # offset of pending[0]
        self.long_prefix: bytes | None = None  # head of an over-long line being skipped
        self.long_start = 0
        self._skip = 0  # offset just past the skipped bytes of that line

    @property
    def consumed(self) -> int:
        """Offset just past every byte fed so far."""
        return self.pending_start + len(self.pending) if self.long_prefix is None else self._skip

    def feed(self, data: bytes) -> list[Line]:
        """Take the next bytes of the file; return the lines they complete."""
        out: list[Line] = []
        if self.long_prefix is not None:
            newline = data.find(b"\n")
            if newline < 0:
                self._skip += len(data)
                return out
            end = self._skip + newline + 1
            out.append(Line(self.long_start, end, _decode(self.long_prefix), cut=True))
            self.long_prefix = None
            self.pending_start = end
            data = data[newline + 1 :]
        self.pending += data
        complete = self.pending.rfind(b"\n") + 1  # lines end there
        if complete:
            start, limit = self.pending_start, self.max_line_bytes
            block = self.pending[:complete]
            if block.isascii() and b"\r" not in block:  # nearly always: one decode
                texts = block.decode("ascii").split("\n")
                texts.pop()  # the nothing after the last newline
                for text in texts:
                    n = len(text)
                    out.append(Line(start, start + n + 1, text[:limit], n > limit))
                    start += n + 1
            else:
                raws = block.split(b"\n")
                raws.pop()
                for raw in raws:
                    n = len(raw)
                    text = _decode(raw) if n <= limit else _decode(raw[:limit])
                    out.append(Line(start, start + n + 1, text, n > limit))
                    start += n + 1
            del self.pending[:complete]
            self.pending_start = start
        if len(self.pending) > self.max_line_bytes:  # an over-long line with no end yet
            self.long_prefix = bytes(self.pending[: self.max_line_bytes])
            self.long_start = self.pending_start
            self._skip = self.pending_start + len(self.pending)
            self.pending.clear()
        return out

    def flush(self) -> list[Line]:
        """The file is complete: return its last line even without a newline."""
        if self.long_prefix is not None:
            line = Line(self.long_start, self._skip, _decode(self.long_prefix), cut=True)
            self.long_prefix = None
            self.pending_start = self._skip
            return [line]
        if not self.pending:
            return []
        raw = bytes(self.pending)
        line = Line(
            self.pending_start,
            self.pending_start + len(raw),
            _decode(raw[: self.max_line_bytes]),
            len(raw) > self.max_line_bytes,
        )
        self.pending_start += len(raw)
        self.pending.clear()
        return [line]
