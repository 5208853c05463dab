"""Cutting a byte stream into lines, as a log-file reader needs it.

Bytes arrive in arbitrary pieces; complete lines come out with their byte offsets.
A trailing line without its newline is held back until it completes (or until the
caller declares the file complete). A line longer than ``max_line_bytes`` is cut
to that many bytes and flagged, and the rest of it is skipped without being held
in memory. Invalid UTF-8 is decoded with U+FFFD replacement characters.

Nearly every block a log file gives is plain (ASCII, newlines only, no line too
long): its lines come out as one :class:`LineRun`, one string for thousands of lines,
not an object per line; only the others come out as :class:`Line` s. A
:class:`LineQueue` holds what was read until the reader cuts it into chunks.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar


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
    count: ClassVar[int] = 1

    def each(self) -> Iterator[Line]:
        yield self

    def end_of(self, n: int) -> int:
        return self.end


@dataclass(slots=True)
class LineRun:
    """Consecutive plain lines: ASCII, each ended by one newline, none cut, so the
    bytes [start, end) are ``text`` (the lines joined by newlines) and a newline.

    >>> run = LineRun(10, 20, "GET\\nPUT /", 2)
    >>> [(line.start, line.end, line.text) for line in run.each()]
    [(10, 14, 'GET'), (14, 20, 'PUT /')]
    """

    start: int
    end: int
    text: str
    count: int
    cut: ClassVar[bool] = False

    def each(self) -> Iterator[Line]:
        """Its lines one by one (for the few callers that need objects per line)."""
        start = self.start
        for text in self.text.split("\n"):
            yield Line(start, start + len(text) + 1, text)
            start += len(text) + 1

    def _newline(self, n: int) -> int:
        """Where in text the n-th line ends (0 < n < count)."""
        at = -1
        for _ in range(n):
            at = self.text.index("\n", at + 1)
        return at

    def end_of(self, n: int) -> int:
        """The offset just past its n-th line (0 < n <= count)."""
        return self.end if n == self.count else self.start + self._newline(n) + 1

    def split(self, n: int) -> tuple[LineRun, LineRun]:
        """Its first n lines and the rest (0 < n < count).

        >>> head, rest = LineRun(10, 20, "GET\\nPUT /", 2).split(1)
        >>> head
        LineRun(start=10, end=14, text='GET', count=1)
        >>> rest
        LineRun(start=14, end=20, text='PUT /', count=1)
        """
        at = self._newline(n)
        middle = self.start + at + 1
        return (
            LineRun(self.start, middle, self.text[:at], n),
            LineRun(middle, self.end, self.text[at + 1 :], self.count - n),
        )


Piece = Line | LineRun


def _decode(raw: bytes | bytearray) -> str:
    return raw.rstrip(b"\r").decode("utf-8", errors="replace")


def _longer_than(block: bytes | bytearray, limit: int) -> bool:
    """Whether a line of block (which ends in a newline) has more than limit bytes:
    from each line start found, the last newline within limit + 1 bytes is the next.

    >>> _longer_than(b"1234\\n12\\n", 4), _longer_than(b"12\\n12345\\n", 4)
    (False, True)
    """
    start = 0
    while start < len(block):
        newline = block.rfind(b"\n", start, start + limit + 1)
        if newline < 0:
            return True
        start = newline + 1
    return False


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

    def feed(self, data: bytes) -> list[Piece]:
        """Take the next bytes of the file; return the lines they complete."""
        out: list[Piece] = []
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
            if block.isascii() and b"\r" not in block and not _longer_than(block, limit):
                count = block.count(b"\n")  # nearly always: one run, one decode
                out.append(LineRun(start, start + complete, block[:-1].decode("ascii"), count))
                start += complete
            elif block.isascii() and b"\r" not in block:
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


class LineQueue:
    """Lines read from one file and not yet put in a chunk, in order, counted in lines:
    a run stays one string until a chunk takes part of it.

    >>> queue = LineQueue()
    >>> queue.extend([LineRun(0, 9, "a\\nbb\\nc", 3), Line(9, 12, "d", cut=True)])
    >>> len(queue), queue.start, queue.end_of(2), queue.end_of(4)
    (4, 0, 5, 12)
    >>> [(piece.start, piece.end, piece.text) for piece in queue.take(2)]
    [(0, 5, 'a\\nbb')]
    >>> len(queue), queue.start, [line.end for line in queue.lines()]
    (2, 5, [7, 12])
    """

    def __init__(self, pieces: Iterable[Piece] = ()) -> None:
        self._pieces: deque[Piece] = deque()
        self._count = 0
        self.extend(pieces)

    def __len__(self) -> int:
        return self._count

    def extend(self, pieces: Iterable[Piece]) -> None:
        for piece in pieces:
            self._pieces.append(piece)
            self._count += piece.count

    @property
    def start(self) -> int:
        """The offset of the first line (the queue is not empty)."""
        return self._pieces[0].start

    @property
    def end(self) -> int:
        """The offset just past the last line (the queue is not empty)."""
        return self._pieces[-1].end

    def pieces(self) -> Iterator[Piece]:
        """The queued pieces, in order."""
        return iter(self._pieces)

    def end_of(self, n: int) -> int:
        """The offset just past the n-th line (0 < n <= len)."""
        for piece in self._pieces:
            if n <= piece.count:
                return piece.end_of(n)
            n -= piece.count
        raise IndexError("fewer lines queued")

    def fitting(self, n: int, limit: int) -> int:
        """How many of the first n lines (0 < n <= len) hold at most limit characters,
        each line's text with its newline: at least one (a longer first line goes
        alone). A run's lines are counted by its newlines, with no object per line.

        >>> queue = LineQueue([LineRun(0, 9, "a\\nbb\\nc", 3), Line(9, 12, "d", cut=True)])
        >>> queue.fitting(4, 5), queue.fitting(4, 7), queue.fitting(4, 9), queue.fitting(4, 1)
        (2, 3, 4, 1)
        """
        taken, budget = 0, limit
        for piece in self._pieces:
            size = len(piece.text) + 1  # a run's lines, each with its newline
            if size <= budget:
                fit = piece.count
            elif isinstance(piece, LineRun):  # its j-th line, newline included, ends there
                fit = piece.text.count("\n", 0, max(budget, 0))
            else:
                fit = 0
            if taken + fit >= n:
                return n
            taken += fit
            if fit < piece.count:
                break
            budget -= size
        return max(taken, 1)

    def lines(self) -> Iterator[Line]:
        """The queued lines one by one (for the rare uses that need each one)."""
        for piece in self._pieces:
            yield from piece.each()

    def take(self, n: int) -> tuple[Piece, ...]:
        """Remove the first n lines (0 < n <= len) and return them, in pieces."""
        taken: list[Piece] = []
        self._count -= n
        while n:
            piece = self._pieces[0]
            if n < piece.count:
                assert isinstance(piece, LineRun)  # a Line is one line
                head, self._pieces[0] = piece.split(n)
                taken.append(head)
                break
            taken.append(self._pieces.popleft())
            n -= piece.count
        return tuple(taken)
