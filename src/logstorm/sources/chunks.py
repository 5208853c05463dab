"""What every source hands the spout: chunks of consecutive lines, tracked until acked.

A :class:`Chunk` is one spout tuple: consecutive lines of one file, or consecutive
records of one Kafka partition, with a message id naming where they came from.
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

from logstorm.sources.lines import Line


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive lines of one file (or records of one partition), emitted as one tuple."""

    msg_id: str
    path: str
    lines: tuple[Line, ...]

    @property
    def start(self) -> int:
        return self.lines[0].start

    @property
    def end(self) -> int:
        return self.lines[-1].end

    def values(self, event: dict[str, Any] | None = None) -> list:
        """The spout tuple for this chunk: [path, line offsets, line texts, indices of
        cut lines, chunk id, event-time stamp or None]; the first four are what
        :func:`logstorm.parsing.combiner.count_chunk` takes."""
        return [
            self.path,
            [line.start for line in self.lines],
            [line.text for line in self.lines],
            [i for i, line in enumerate(self.lines) if line.cut],
            self.msg_id,
            event,
        ]


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
