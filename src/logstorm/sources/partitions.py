"""Reading a Kafka topic reliably: the core of the Kafka spout, without a broker.

Partitions are assigned to spout tasks by number, partition mod task count (like
storm-kafka-client's manual partitioner with round-robin assignment, not a consumer
group rebalance), so every task always reads the same partitions and a replay is
reproducible. Spout parallelism from 1 up to the partition count works:

>>> assigned_partitions(partitions=3, task_index=0, task_count=2)
[0, 2]
>>> assigned_partitions(partitions=3, task_index=1, task_count=2)
[1]

Records (one log line each) leave in :class:`~logstorm.sources.chunks.Chunk` s of
consecutive records of one partition, as the file spout's chunks do: the chunk's
path is ``<topic>/<partition>``, each line's offset is its record's offset (so a bad
line in the errors sink names topic, partition and offset), and the message id names
the offset range. The ranges of one partition are contiguous (a chunk starts where the
previous one ended, so offsets the broker skips, such as transaction markers, belong to
a range too), and acked ranges advance the partition's committed offset over their
contiguous prefix (:class:`~logstorm.sources.offsets.CommitTracker`): what Kafka stores for the
consumer group is always the next offset not yet acknowledged. A failed chunk is sent
again, however often, from memory.

A chunk never spans an offset that is a multiple of ``batch_lines``, so chunks are cut
at the same offsets whatever was polled when (a task restarted at its committed offset
re-cuts the chunks of its first run, and the event-time windows know them by id; a
chunk of long records ends earlier, at :data:`~logstorm.sources.chunks.CHUNK_CHARS`
of text, which the records alone decide); only a chunk cut short because the partition
had no more records yet can differ. For
those, ``cuts`` (start id -> end offset, from the spout's cut log,
:mod:`logstorm.sources.cuts`) says where a chunk starting there was cut before: it is
cut there again, once the records up to it were polled.
A partition may have an ``end`` (a bounded read, ``logstorm.input.mode=spool``):
records from there on are not read, and the partition is done once all before it
were acknowledged.

Nearly every batch polled is plain (consecutive offsets, ASCII values without a
newline, none too long): its records stay one string (a :class:`RecordRun`), not an
object per record.

>>> chunks = KafkaChunks("access-log", batch_lines=2, max_line_bytes=100)
>>> chunks.resume(partition=0, committed=6)
>>> chunks.add(0, [6, 7, 8], [b"a", b"b", b"c"])
>>> first, second = chunks.next_chunk(), chunks.next_chunk()
>>> first.msg_id, [line.text for line in first.lines], second.msg_id
('access-log/0/6-8', ['a', 'b'], 'access-log/0/8-9')
>>> chunks.ack(second.msg_id); chunks.commits()   # [6, 8) is not acked yet
{}
>>> chunks.ack(first.msg_id); chunks.commits()
{0: 9}
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from logstorm.sources.chunk_id import chunk_id, cut_key, parse_chunk_id
from logstorm.sources.chunks import CHUNK_CHARS, RECORDS, Chunk, InFlight
from logstorm.sources.lines import Line, LineQueue, LineRun, Piece
from logstorm.sources.offsets import CommitTracker


def assigned_partitions(partitions: int, task_index: int, task_count: int) -> list[int]:
    """The partitions of a topic that one spout task reads: partition mod task count."""
    return [p for p in range(partitions) if p % task_count == task_index]


@dataclass(slots=True)
class RecordRun(LineRun):
    """Records at consecutive offsets [start, end), one plain line each: ``text`` is
    their values joined by newlines. Like a :class:`~logstorm.sources.lines.LineRun`,
    but each line spans one offset, not its bytes.

    >>> head, rest = RecordRun(7, 10, "a\\nbb\\nc", 3).split(2)
    >>> head, rest.end_of(1)
    (RecordRun(start=7, end=9, text='a\\nbb', count=2), 10)
    >>> [(line.start, line.end, line.text) for line in rest.each()]
    [(9, 10, 'c')]
    """

    def each(self) -> Iterator[Line]:
        for i, text in enumerate(self.text.split("\n")):
            yield Line(self.start + i, self.start + i + 1, text)

    def end_of(self, n: int) -> int:
        return self.start + n

    def split(self, n: int) -> tuple[RecordRun, RecordRun]:
        at, middle = self._newline(n), self.start + n
        return (RecordRun(self.start, middle, self.text[:at], n),
                RecordRun(middle, self.end, self.text[at + 1 :], self.count - n))  # fmt: skip


def record_lines(
    offsets: Sequence[int], values: Sequence[bytes], max_line_bytes: int
) -> list[Piece]:
    """One partition's records (in offset order) as lines: one :class:`RecordRun` when
    they are plain, else a :class:`~logstorm.sources.lines.Line` each, its value without
    a trailing newline, any newline inside escaped (one record is one line), cut to
    max_line_bytes and decoded with U+FFFD for invalid UTF-8.

    >>> record_lines([3, 4], [b"GET /", b"PUT /"], 100)
    [RecordRun(start=3, end=5, text='GET /\\nPUT /', count=2)]
    >>> record_lines([3, 5], [b"GET /", b"a\\nb\\r\\n"], 100)
    [Line(start=3, end=4, text='GET /', cut=False), Line(start=5, end=6, text='a\\\\nb', cut=False)]
    """
    n = len(offsets)
    block = b"\n".join(values)
    if (offsets[-1] - offsets[0] == n - 1 and block.isascii() and block.count(b"\n") == n - 1
            and b"\r" not in block and max(map(len, values)) <= max_line_bytes):  # fmt: skip
        return [RecordRun(offsets[0], offsets[0] + n, block.decode("ascii"), n)]
    lines: list[Piece] = []
    for offset, value in zip(offsets, values, strict=True):
        value = value.rstrip(b"\n").rstrip(b"\r").replace(b"\n", b"\\n")
        cut = len(value) > max_line_bytes
        text = value[:max_line_bytes].decode("utf-8", errors="replace")
        lines.append(Line(offset, offset + 1, text, cut))
    return lines


def _lines_before(queue: LineQueue, offset: int) -> int:
    """How many of the queued records have an offset below offset."""
    n = 0
    for piece in queue.pieces():
        if piece.start >= offset:
            break
        n += piece.count if piece.end <= offset else offset - piece.start  # one offset a line
    return n


@dataclass
class _Partition:
    next_start: int | None  # where the next chunk's range starts (None: at its first record)
    tracker: CommitTracker | None
    end: int | None  # a bounded read stops here
    ready: LineQueue = field(default_factory=LineQueue)
    committed_sent: int | None = None  # the committed offset last handed to commits()


class KafkaChunks:
    """The chunks of the partitions one spout task reads, and their committed offsets."""

    def __init__(self, topic: str, batch_lines: int, max_line_bytes: int,
                 cuts: Mapping[str, int] | None = None) -> None:  # fmt: skip
        self.topic = topic
        self.batch_lines = batch_lines
        self.max_line_bytes = max_line_bytes
        self.cuts = cuts or {}  # where a chunk starting here was cut before a restart
        self.partitions: dict[int, _Partition] = {}
        self.inflight = InFlight()

    def resume(self, partition: int, committed: int | None, end: int | None = None) -> None:
        """Start a partition at the consumer group's committed offset (None: none yet,
        the first record read decides), reading up to end (None: forever)."""
        tracker = CommitTracker(committed) if committed is not None else None
        self.partitions[partition] = _Partition(committed, tracker, end, committed_sent=committed)

    def add(self, partition: int, offsets: Sequence[int], values: Sequence[bytes]) -> None:
        """One partition's records as polled, in offset order (their offsets and values)."""
        part = self.partitions.get(partition)
        if part is None or not offsets:
            return  # not one of ours
        if part.end is not None and offsets[-1] >= part.end:  # past the end of a bounded read
            n = bisect.bisect_left(offsets, part.end)
            offsets, values = offsets[:n], values[:n]
            if not n:
                return
        if part.next_start is None:
            part.next_start = offsets[0]
            part.tracker = CommitTracker(offsets[0])
        part.ready.extend(record_lines(offsets, values, self.max_line_bytes))

    def buffered(self) -> int:
        """Records polled and not yet in a chunk."""
        return sum(len(p.ready) for p in self.partitions.values())

    def next_chunk(self, allow_new: bool = True) -> Chunk | None:
        """A failed chunk to send again, else (if allow_new) new records, else None."""
        chunk = self.inflight.retry()
        if chunk is not None or not allow_new:
            return chunk
        busiest = sorted(self.partitions.items(), key=lambda kv: len(kv[1].ready), reverse=True)
        for number, part in busiest:
            if not part.ready:
                return None
            start = part.next_start
            assert start is not None  # set by the first record added
            path = f"{self.topic}/{number}"
            cut = self.cuts.get(cut_key(path, start))
            if cut is None:  # at the next multiple of batch_lines, or what was polled
                cut = (part.ready.start // self.batch_lines + 1) * self.batch_lines
                count = part.ready.fitting(min(_lines_before(part.ready, cut), len(part.ready)),
                                           CHUNK_CHARS)  # fmt: skip
            elif part.ready.end < cut and not (part.end is not None and cut > part.end):
                continue  # cut there before a restart: not polled that far yet
            else:
                count = min(_lines_before(part.ready, cut), len(part.ready))
            pieces = part.ready.take(count)
            end = part.next_start = pieces[-1].end
            return self.inflight.add(Chunk(chunk_id(path, start, end), path, pieces, RECORDS))
        return None

    def is_committed(self, cid: str, confirmed: Mapping[int, int]) -> bool:
        """Whether a chunk lies below its partition's offset that Kafka confirmed
        committed (``confirmed``: partition -> offset): it will never be read again."""
        source, start, _ = parse_chunk_id(cid)
        return start < confirmed.get(_partition_of(source), -1)

    def ack(self, msg_id: str) -> None:
        """Every record of the chunk was processed: commit its offset range."""
        if self.inflight.pop(msg_id) is None:
            return  # acked twice
        source, start, end = parse_chunk_id(msg_id)
        tracker = self.partitions[_partition_of(source)].tracker
        assert tracker is not None  # a chunk of it was read: the tracker is set
        tracker.ack(start, end)

    def fail(self, msg_id: str) -> None:
        """The chunk's tuple tree failed or timed out: send it again."""
        self.inflight.fail(msg_id)

    def pending(self) -> int:
        """Chunks emitted and not acknowledged yet (failed ones included)."""
        return len(self.inflight)

    def at_end(self, partition: int) -> bool:
        """A bounded partition whose records up to its end were all read."""
        part = self.partitions[partition]
        return part.end is not None and not part.ready and (part.next_start or 0) >= part.end

    def drained(self) -> bool:
        """A bounded read is over: every partition read to its end and acknowledged."""
        return not self.inflight and all(map(self.at_end, self.partitions))

    def commit_failed(self, partition: int) -> None:
        """Committing a partition's offset to Kafka failed: hand it out again next time."""
        self.partitions[partition].committed_sent = None

    def commits(self) -> dict[int, int]:
        """Committed offsets that moved since the last call, by partition: what to
        commit to the consumer group (Kafka's next offset to read)."""
        moved = {}
        for number, part in self.partitions.items():
            if part.tracker is not None and part.tracker.committed != part.committed_sent:
                moved[number] = part.committed_sent = part.tracker.committed
        return moved


def _partition_of(source: str) -> int:
    """The partition number of a chunk's source, ``<topic>/<partition>``."""
    return int(source.rsplit("/", 1)[1])
