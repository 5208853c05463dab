"""Cutting a byte stream into lines, as a log-file reader needs it.

Bytes arrive in arbitrary pieces; complete lines come out with their byte offsets.
A trailing line without its newline is held back until it completes (or until the
caller declares the file complete). A line longer than ``max_line_bytes`` is cut
to that many bytes and flagged, and the rest of it is skipped without being held
in memory. Invalid UTF-8 is decoded with U+FFFD replacement characters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Line:
    """One line: its bytes span [start, end) in the file (terminator included)."""

    start: int
    end: int
    text: str
    cut: bool = False


def _decode(raw: bytes) -> str:
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
        pos = 0
        while True:
            newline = self.pending.find(b"\n", pos)
            if newline < 0:
                break
            raw = bytes(self.pending[pos:newline])
            cut = len(raw) > self.max_line_bytes
            start = self.pending_start + pos
            out.append(Line(start, start + len(raw) + 1, _decode(raw[: self.max_line_bytes]), cut))
            pos = newline + 1
        del self.pending[:pos]
        self.pending_start += pos
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
