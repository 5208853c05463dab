"""What every source hands the spout: chunks of consecutive lines, tracked until acked.

A :class:`Chunk` is one spout tuple: consecutive lines of one file, or consecutive
records of one Kafka partition, with a message id naming where they came from. It
crosses Storm as one payload: its lines' text as one string, and where they start as
:class:`LineOffsets` (the first offset and the few lines that break the rule), not as
a list of texts and a list of offsets, so the multilang serializers handle one string
per chunk instead of two values per line.
:class:`InFlight` keeps each emitted chunk until Storm acknowledges it, and queues a
failed one to be sent again, however often: nothing is dropped, and a replay sends the
same lines under the same id.

>>> inflight = InFlight()
>>> chunk = inflight.add(Chunk("app.log/0/0", "app.log", (Line(0, 4, "GET"),)))
>>> inflight.fail("app.log/0/0"); inflight.retry() is chunk   # sent again
True
>>> inflight.pop("app.log/0/0") is chunk, len(inflight)       # acked: forgotten
(True, 0)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from logstorm.sources.lines import Line, LineRun, Piece
from logstorm.streams import ChunkTuple

# The most text a chunk carries, its lines' newlines included (unless its first line is
# longer): long lines make chunks of fewer lines, so that no tuple is huge, whatever
# the input (a file, or a topic of records up to logstorm.input.max.line.bytes each).
# Twice a default chunk of access-log lines (5,000 of about 210 bytes): only long
# lines meet it, so a Kafka chunk is not split short of its multiple of batch_lines.
CHUNK_CHARS = 2**21
BYTES, RECORDS = "bytes", "records"  # what a source's offsets count


@dataclass(frozen=True, slots=True)
class LineOffsets:
    """Where a chunk's lines start, compactly: the first line's offset, and the lines
    that do not start where the previous one ends by the rule of the unit. In a file
    (``bytes``) a line ends after its UTF-8 text and a newline; lines after a CRLF,
    after bytes that were not UTF-8 or after a line cut short start elsewhere. In a
    partition (``records``) each line is one offset; gaps (compaction, transaction
    markers) start elsewhere.

    >>> lines = [Line(10, 14, "GET"), Line(14, 19, "PUT"), Line(19, 22, "ab")]
    >>> at = LineOffsets.of(lines, BYTES)   # "PUT" ended with CRLF
    >>> at.as_list()
    [10, 'bytes', [[2, 19]]]
    >>> LineOffsets.from_list(at.as_list()).offsets(["GET", "PUT", "ab"])
    [10, 14, 19]
    """

    start: int
    unit: str
    elsewhere: tuple[tuple[int, int], ...] = ()  # (line index, its offset)

    @classmethod
    def of(cls, pieces: tuple[Piece, ...] | list[Piece], unit: str) -> LineOffsets:
        """The offsets of lines read from a source counting in unit (a run's lines
        follow each other by the rule)."""
        elsewhere = []
        expected, i = pieces[0].start, 0
        for piece in pieces:
            if piece.start != expected:
                elsewhere.append((i, piece.start))
            if isinstance(piece, LineRun):
                expected = piece.end
            else:
                expected = piece.start + (len(piece.text.encode()) + 1 if unit == BYTES else 1)
            i += piece.count
        return cls(pieces[0].start, unit, tuple(elsewhere))

    def as_list(self) -> list:
        """The JSON/msgpack form: [start, unit, [[index, offset], ...]]."""
        return [self.start, self.unit, [list(pair) for pair in self.elsewhere]]

    @classmethod
    def from_list(cls, value: list) -> LineOffsets:
        start, unit, elsewhere = value
        return cls(start, unit, tuple((i, offset) for i, offset in elsewhere))

    def offsets(self, texts: list[str]) -> list[int]:
        """Each line's offset, given the lines' texts."""
        out, at, jumps = [], self.start, dict(self.elsewhere)
        for i, text in enumerate(texts):
            at = jumps.get(i, at)
            out.append(at)
            at += len(text.encode()) + 1 if self.unit == BYTES else 1
        return out


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive lines of one file (or records of one partition), emitted as one tuple:
    its ``pieces`` are :class:`~logstorm.sources.lines.Line` s and, from files, the
    :class:`~logstorm.sources.lines.LineRun` s that hold most lines as one string.

    >>> chunk = Chunk("a.log/0/0", "a.log", (Line(0, 4, "GET"), LineRun(4, 12, "PUT\\nPOST", 2)))
    >>> chunk.values().values(), chunk.count
    (['a.log', 'GET\\nPUT\\nPOST', [0, 'bytes', []], [], 'a.log/0/0', None], 3)
    """

    msg_id: str
    path: str
    pieces: tuple[Piece, ...]
    unit: str = BYTES

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end

    @property
    def count(self) -> int:
        """How many lines it holds."""
        return sum(piece.count for piece in self.pieces)

    @property
    def lines(self) -> tuple[Line, ...]:
        """Its lines one by one (for the few callers that need an object per line)."""
        return tuple(line for piece in self.pieces for line in piece.each())

    def text(self) -> str:
        """The lines' texts joined by newlines."""
        return "\n".join([piece.text for piece in self.pieces])

    def values(self, event: dict[str, Any] | None = None) -> ChunkTuple:
        """The spout tuple for this chunk: path, :meth:`text`, the lines' offsets
        (:meth:`LineOffsets.as_list`), indices of cut lines, chunk id, event-time stamp
        or None; the first four are what :func:`logstorm.parsing.combiner.count_chunk`
        takes."""
        text = self.text()
        cut, index = [], 0
        for piece in self.pieces:
            if piece.cut:
                cut.append(index)
            index += piece.count
        at = self._offsets(text, cut).as_list()
        return ChunkTuple(self.path, text, at, cut, self.msg_id, event)

    def _offsets(self, text: str, cut: list[int]) -> LineOffsets:
        # Nearly always the lines follow each other as their texts say: then the whole
        # text's length tells it at once. Without a cut line or a U+FFFD, a line's
        # span is its text's bytes and a newline, or more (a CRLF, a gap), except a
        # file's last line without its newline: the last piece is checked alone.
        span, last = self.end - self.start, self.pieces[-1]
        if self.unit == BYTES:
            plain = (not cut and "\ufffd" not in text and span == len(text.encode()) + 1
                     and last.end - last.start == len(last.text.encode()) + 1)  # fmt: skip
        else:
            plain = span == self.count
        return (
            LineOffsets(self.start, self.unit) if plain else LineOffsets.of(self.pieces, self.unit)
        )


class InFlight:
    """The chunks emitted and not yet acknowledged, by message id, and the failed ones
    waiting to be sent again."""

    def __init__(self) -> None:
        self._chunks: dict[str, Chunk] = {}
        self._failed: deque[str] = deque()

    def add(self, chunk: Chunk) -> Chunk:
        """A chunk just emitted."""
        self._chunks[chunk.msg_id] = chunk
        return chunk

    def get(self, msg_id: str) -> Chunk | None:
        return self._chunks.get(msg_id)

    def pop(self, msg_id: str) -> Chunk | None:
        """The chunk was acknowledged: forget it (None if unknown or acked twice)."""
        return self._chunks.pop(msg_id, None)

    def fail(self, msg_id: str) -> None:
        """The chunk's tuple tree failed or timed out: send it again."""
        if msg_id in self._chunks:
            self._failed.append(msg_id)

    def retry(self) -> Chunk | None:
        """The next failed chunk still in flight, to send again (None: none)."""
        while self._failed:
            chunk = self._chunks.get(self._failed.popleft())
            if chunk is not None:
                return chunk
        return None

    def drop(self, prefix: str) -> None:
        """Forget every chunk whose id starts with prefix (its lines are gone)."""
        self._failed = deque(i for i in self._failed if not i.startswith(prefix))
        for msg_id in [i for i in self._chunks if i.startswith(prefix)]:
            del self._chunks[msg_id]

    def __len__(self) -> int:
        return len(self._chunks)

    def __iter__(self) -> Iterator[str]:
        return iter(self._chunks)

    def __contains__(self, msg_id: object) -> bool:
        return msg_id in self._chunks
