"""Reading a Kafka topic reliably: the core of the Kafka spout, without a broker.

Partitions are assigned to spout tasks by number, partition mod task count (like
storm-kafka-client's manual partitioner with round-robin assignment, not a consumer
group rebalance), so every task always reads the same partitions and a replay is
reproducible. Spout parallelism from 1 up to the partition count works:

>>> assigned_partitions(partitions=3, task_index=0, task_count=2)
[0, 2]
>>> assigned_partitions(partitions=3, task_index=1, task_count=2)
[1]

Records (one log line each) leave in :class:`~logstorm.sources.files.Chunk` s of
consecutive records of one partition, as the file spout's chunks do: the chunk's
path is ``<topic>/<partition>``, each line's offset is its record's offset (so a bad
line in the errors sink names topic, partition and offset), and the message id names
the offset range. The ranges of one partition are contiguous (a chunk starts where the
previous one ended, so offsets the broker skips, such as transaction markers, belong to
a range too), and acked ranges advance the partition's committed offset over their
contiguous prefix (:class:`~logstorm.sources.offsets.CommitTracker`): what Kafka stores for the
consumer group is always the next offset not yet acknowledged. A failed chunk is sent
again, however often, from memory.

>>> chunks = KafkaChunks("access-log", batch_lines=2, max_line_bytes=100)
>>> chunks.resume(partition=0, committed=7)
>>> chunks.add([Record(0, 7, b"a"), Record(0, 8, b"b"), Record(0, 9, b"c")])
>>> first, second = chunks.next_chunk(), chunks.next_chunk()
>>> first.msg_id, [line.text for line in first.lines], second.msg_id
('access-log/0/7-9', ['a', 'b'], 'access-log/0/9-10')
>>> chunks.ack(second.msg_id); chunks.commits()   # [7, 9) is not acked yet
{}
>>> chunks.ack(first.msg_id); chunks.commits()
{0: 10}
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from logstorm.sources.files import Chunk
from logstorm.sources.lines import Line
from logstorm.sources.offsets import CommitTracker


def assigned_partitions(partitions: int, task_index: int, task_count: int) -> list[int]:
    """The partitions of a topic that one spout task reads: partition mod task count."""
    return [p for p in range(partitions) if p % task_count == task_index]


@dataclass(frozen=True, slots=True)
class Record:
    """One Kafka record as the spout polled it: partition, offset and value."""

    partition: int
    offset: int
    value: bytes


@dataclass
class _Partition:
    next_start: int | None  # where the next chunk's range starts (None: at its first record)
    tracker: CommitTracker | None
    ready: deque[Line]
    committed_sent: int | None = None  # the committed offset last handed to commits()


class KafkaChunks:
    """The chunks of the partitions one spout task reads, and their committed offsets."""

    def __init__(self, topic: str, batch_lines: int, max_line_bytes: int) -> None:
        self.topic = topic
        self.batch_lines = batch_lines
        self.max_line_bytes = max_line_bytes
        self.partitions: dict[int, _Partition] = {}
        self.inflight: dict[str, Chunk] = {}
        self.failed: deque[str] = deque()

    def resume(self, partition: int, committed: int | None) -> None:
        """Start a partition at the consumer group's committed offset (None: none yet,
        the first record read decides)."""
        tracker = CommitTracker(committed) if committed is not None else None
        self.partitions[partition] = _Partition(committed, tracker, deque(), committed)

    def add(self, records: list[Record]) -> None:
        """Records as polled, in offset order within each partition."""
        for record in records:
            part = self.partitions.get(record.partition)
            if part is None:
                continue  # not one of ours (assignment is fixed; cannot happen in practice)
            if part.next_start is None:
                part.next_start = record.offset
                part.tracker = CommitTracker(record.offset)
            value = record.value.rstrip(b"\n").rstrip(b"\r")
            cut = len(value) > self.max_line_bytes
            text = value[: self.max_line_bytes].decode("utf-8", errors="replace")
            part.ready.append(Line(record.offset, record.offset + 1, text, cut))

    def buffered(self) -> int:
        """Records polled and not yet in a chunk."""
        return sum(len(p.ready) for p in self.partitions.values())

    def next_chunk(self, allow_new: bool = True) -> Chunk | None:
        """A failed chunk to send again, else (if allow_new) new records, else None."""
        while self.failed:
            chunk = self.inflight.get(self.failed.popleft())
            if chunk is not None:
                return chunk
        if not allow_new:
            return None
        busiest = max(self.partitions.items(), key=lambda kv: len(kv[1].ready), default=None)
        if busiest is None or not busiest[1].ready:
            return None
        number, part = busiest
        lines = tuple(part.ready.popleft() for _ in range(min(self.batch_lines, len(part.ready))))
        start, end = part.next_start, lines[-1].end
        part.next_start = end
        chunk = Chunk(f"{self.topic}/{number}/{start}-{end}", f"{self.topic}/{number}", lines)
        self.inflight[chunk.msg_id] = chunk
        return chunk

    def ack(self, msg_id: str) -> None:
        """Every record of the chunk was processed: commit its offset range."""
        if self.inflight.pop(msg_id, None) is None:
            return  # acked twice
        partition, offsets = msg_id.rsplit("/", 2)[1:]
        start, end = (int(x) for x in offsets.split("-"))
        self.partitions[int(partition)].tracker.ack(start, end)

    def fail(self, msg_id: str) -> None:
        """The chunk's tuple tree failed or timed out: send it again."""
        if msg_id in self.inflight:
            self.failed.append(msg_id)

    def pending(self) -> int:
        """Chunks emitted and not acknowledged yet (failed ones included)."""
        return len(self.inflight)

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
