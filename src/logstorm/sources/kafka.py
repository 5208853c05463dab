"""The Kafka input of the log analyzer: one spout task's consumer of a topic's partitions.

It offers the log-file reader's surface (``next_chunk``, ``ack``, ``fail``,
``pending``, ``scan``, ``save``), so the spout drives either the same way; the
chunking and offset bookkeeping live in :mod:`logstorm.sources.partitions`. The consumer
is assigned its partitions by number (no group rebalance), starts at the consumer
group's committed offsets (a new group at ``earliest`` or ``latest``), and commits
to the group only the offsets of acknowledged records, so Kafka's own
``kafka-consumer-groups --describe`` shows the topology's lag. Auto-commit is off.

Mode ``tail`` reads forever; mode ``spool`` is a bounded read, Flink's bounded Kafka
source: each partition up to the end offset it had at start, then the read is over
(in event time, every window closes). Each commit carries, as its metadata, the run
whose window state goes with the offsets (:mod:`logstorm.protocol.run_state`) and, in event
time, the largest timestamp read up to the committed offset, so a restarted task
stamps the lines after it as the first run did.

A broker that cannot be reached at start is an error naming it and the fix; one
that goes away later is retried by librdkafka, while the spout keeps its chunks in
flight and reports the outage in ``unreadable`` (the spout logs it). While it lasts
the topic's silence says nothing about the log, so the source is not ``reachable``
and the spout does not count its partitions as idle (in event time, the windows wait
for the broker instead of closing by the wall clock and making the outage's lines
late); each scan asks the broker for an end offset, and an answer ends the outage.
"""

from __future__ import annotations

import itertools
import json
import operator
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from logstorm.kafka_topic import CONNECT_TIMEOUT_SECS, topic_partitions
from logstorm.sources.chunk_id import parse_chunk_id
from logstorm.sources.chunks import InFlight
from logstorm.sources.partitions import KafkaChunks, assigned_partitions

SERVERS_OPTION, TOPIC_OPTION = "logstorm.input.kafka.servers", "logstorm.input.kafka.topic"
COORDINATOR_WAIT_SECS = 60.0
POLL_RECORDS = 5000  # records taken per poll, at most
BUFFER_CHUNKS = 4  # poll again once fewer than this many chunks of records are buffered
PROBE_TIMEOUT_SECS = 0.5  # during an outage, how long a scan waits for the broker's answer
_partition = operator.methodcaller("partition")  # a message's partition


class KafkaSource:
    """The partitions ``partition mod task_count == task_index`` of ``topic``."""

    def __init__(
        self,
        servers: str,
        topic: str,
        group: str,
        start: str,
        task_index: int,
        task_count: int,
        *,
        batch_lines: int,
        max_line_bytes: int,
        mode: str = "tail",
        run: str | None = None,
        cuts: Mapping[str, int] | None = None,
        consumer_factory: Any = None,
    ) -> None:
        if consumer_factory is None:
            from confluent_kafka import Consumer

            consumer_factory = Consumer
        self.servers, self.topic, self.group = servers, topic, group
        self.mode, self.start, self.run = mode, start, run
        self.chunks = KafkaChunks(topic, batch_lines, max_line_bytes, cuts)
        self.confirmed: dict[int, int] = {}  # partition -> offset Kafka confirmed committed
        self.unreadable: dict[str, str] = {}  # the broker, while it cannot be reached
        self.dirty = False
        # event time: the largest timestamp at each partition's committed offset, as
        # committed (resumed_max_times) and as the spout's clocks say now (max_time)
        self.resumed_max_times: dict[str, int | None] = {}
        self.max_time: dict[str, int | None] = {}
        self.consumer = consumer_factory(
            {
                "bootstrap.servers": servers,
                "group.id": group,
                "enable.auto.commit": False,
                "auto.offset.reset": start,
                "error_cb": self._on_error,
                "on_commit": self._on_commit,
            }
        )
        partitions = topic_partitions(self.consumer, servers, topic,
                                      f"-o {SERVERS_OPTION}=", f"-o {TOPIC_OPTION}=")  # fmt: skip
        self.partitions = assigned_partitions(partitions, task_index, task_count)
        self._assign()

    def _assign(self) -> None:
        from confluent_kafka import OFFSET_STORED, TopicPartition

        wanted = [TopicPartition(self.topic, p) for p in self.partitions]
        for tp in _committed(self.consumer, wanted):
            committed, end = (tp.offset if tp.offset >= 0 else None), None
            if self.mode == "spool":  # bounded: up to the end offset there is now
                low, end = self.consumer.get_watermark_offsets(tp, timeout=CONNECT_TIMEOUT_SECS)
                if committed is None:
                    committed = low if self.start == "earliest" else end
            self.chunks.resume(tp.partition, committed, end)
            if committed is not None:
                self.confirmed[tp.partition] = committed
            self.resumed_max_times[self.source(tp.partition)] = _max_time(tp.metadata)
        # OFFSET_STORED: the group's committed offset, else auto.offset.reset (start)
        assignment = [TopicPartition(self.topic, p, OFFSET_STORED) for p in self.partitions]
        self.consumer.assign(assignment)

    def resumed_offsets(self) -> dict[int, int | None]:
        """Where each partition's reading starts: the group's committed offset (None:
        none committed yet, the start position decides)."""
        return {p: part.next_start for p, part in self.chunks.partitions.items()}

    def source(self, partition: int) -> str:
        """How chunks name a partition: ``<topic>/<partition>`` (their path)."""
        return f"{self.topic}/{partition}"

    @staticmethod
    def source_of(cid: str) -> str:
        """The partition a chunk id (``<topic>/<partition>/<start>-<end>``) is from."""
        return parse_chunk_id(cid).source

    # -- the reader surface the spout drives ---------------------------------------------
    @property
    def inflight(self) -> InFlight:
        return self.chunks.inflight

    def scan(self) -> None:
        """Periodic work: serve the client's callbacks (errors, commit results). The
        consumer serves them only while handing out records, so the record it may
        hand out here is kept like any other. During an outage, see if it is over."""
        self._add([self.consumer.poll(0)])
        if not self.reachable():
            self._probe()

    def reachable(self) -> bool:
        """Whether the broker has answered since its last error."""
        return self.servers not in self.unreadable

    def _probe(self) -> None:
        from confluent_kafka import KafkaException, TopicPartition

        try:
            self.consumer.get_watermark_offsets(TopicPartition(self.topic, self.partitions[0]),
                                                timeout=PROBE_TIMEOUT_SECS)  # fmt: skip
        except KafkaException:
            return  # still away
        self.unreadable.pop(self.servers, None)

    def next_chunk(self, allow_new: bool = True) -> Any:
        wanted = self.chunks.buffered() < BUFFER_CHUNKS * self.chunks.batch_lines
        if allow_new and wanted and not all(map(self.chunks.at_end, self.partitions)):
            self._poll()
        return self.chunks.next_chunk(allow_new)

    def _poll(self) -> None:
        self._add(self.consumer.consume(POLL_RECORDS, timeout=0))

    def _add(self, messages: list) -> None:
        """Messages as polled: each partition's run of records goes to the chunks at once."""
        # a message with an error is an event (e.g. an error), no record
        records = [m for m in messages if m is not None and m.error() is None]
        if records:
            self.unreadable.pop(self.servers, None)
        for partition, run in itertools.groupby(records, key=_partition):
            batch = list(run)
            self.chunks.add(partition, [m.offset() for m in batch], [m.value() for m in batch])

    def ack(self, msg_id: str) -> None:
        self.chunks.ack(msg_id)
        self.dirty = True

    def fail(self, msg_id: str) -> None:
        self.chunks.fail(msg_id)

    def pending(self) -> int:
        return self.chunks.pending()

    def drained(self) -> bool:
        """A bounded read (mode spool) is over; a tailed topic never ends."""
        return self.mode == "spool" and self.chunks.drained()

    def save(self, wait: bool = False) -> None:
        """Commit the acknowledged offsets that moved to the consumer group (in the
        background unless wait)."""
        from confluent_kafka import TopicPartition

        moved = self.chunks.commits()
        if moved:
            offsets = [self._commit_of(TopicPartition, p, o) for p, o in moved.items()]
            self.consumer.commit(offsets=offsets, asynchronous=not wait)

    def _commit_of(self, topic_partition: Any, partition: int, offset: int) -> Any:
        """What to commit for a partition: its offset, the run, and in event time its
        checkpoint."""
        metadata: dict[str, Any] = {"run": self.run}
        max_time = self.max_time.get(self.source(partition))
        if max_time is not None:
            metadata["max_time"] = max_time
        return topic_partition(self.topic, partition, offset, metadata=json.dumps(metadata))

    def close(self) -> None:
        """Commit what was acknowledged, and leave."""
        self.save(wait=True)
        self.consumer.close()

    def lag(self) -> dict[str, int]:
        """Records behind, per partition: its end offset minus the group's committed
        offset, Kafka's own "consumer lag". The offsets are those the last fetch
        brought (no request to the broker); with nothing committed yet the lag counts
        from the partition's first offset; a partition whose offsets are not known yet
        is left out."""
        from confluent_kafka import TopicPartition

        behind = {}
        for p in self.partitions:
            low, end = self.consumer.get_watermark_offsets(TopicPartition(self.topic, p),
                                                           cached=True)  # fmt: skip
            committed = self.confirmed.get(p, low)
            if end >= 0 and committed >= 0:
                behind[self.source(p)] = max(end - committed, 0)
        return behind

    # -- client callbacks (served inside poll, consume and commit) ------------------------
    def _on_error(self, error: Any) -> None:
        self.unreadable[self.servers] = f"{error.str()} (retrying)"

    def _on_commit(self, error: Any, partitions: list) -> None:
        if error is not None:
            for tp in partitions:
                self.chunks.commit_failed(tp.partition)
            self.unreadable[self.servers] = f"commit failed: {error} (retrying)"
            return
        for tp in partitions:
            if tp.error is not None:
                self.chunks.commit_failed(tp.partition)
            else:
                self.confirmed[tp.partition] = max(self.confirmed.get(tp.partition, -1), tp.offset)

    def is_committed(self, chunk_id: str) -> bool:
        """Whether a chunk will never be read again: Kafka confirmed an offset past its
        start (a commit sent and not yet confirmed does not count)."""
        return self.chunks.is_committed(chunk_id, self.confirmed)


def _committed(consumer: Any, wanted: list) -> list:
    """The group's committed offsets; a coordinator still being elected (a broker just
    started) answers with a retriable error, so ask again until the deadline."""
    from confluent_kafka import KafkaError, KafkaException

    electing = {
        KafkaError.NOT_COORDINATOR,
        KafkaError.COORDINATOR_NOT_AVAILABLE,
        KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
    }
    deadline = time.monotonic() + COORDINATOR_WAIT_SECS
    while True:
        try:
            return consumer.committed(wanted, timeout=CONNECT_TIMEOUT_SECS)
        except KafkaException as err:
            if err.args[0].code() not in electing or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def committed_run(servers: str, topic: str, group: str, consumer_factory: Any = None) -> str | None:
    """The run the group's committed offsets on topic name (the one most partitions
    name; None if none does)."""
    if consumer_factory is None:
        from confluent_kafka import Consumer

        consumer_factory = Consumer
    from confluent_kafka import TopicPartition

    consumer = consumer_factory({"bootstrap.servers": servers, "group.id": group,
                                 "enable.auto.commit": False})  # fmt: skip
    try:
        count = topic_partitions(consumer, servers, topic,
                                 f"-o {SERVERS_OPTION}=", f"-o {TOPIC_OPTION}=")  # fmt: skip
        wanted = [TopicPartition(topic, p) for p in range(count)]
        runs = [_run(tp.metadata) for tp in _committed(consumer, wanted)]
    finally:
        consumer.close()
    named = Counter(run for run in runs if run is not None)
    return min(named, key=lambda run: (-named[run], run)) if named else None


def _run(metadata: str | None) -> str | None:
    """The run a commit's metadata names (None: none, or not ours)."""
    try:
        run = json.loads(metadata or "")["run"]
    except (TypeError, ValueError, KeyError):
        return None
    return run if isinstance(run, str) else None


def _max_time(metadata: str | None) -> int | None:
    """The event-time checkpoint a commit's metadata carries (None: none, or not ours)."""
    try:
        return int(json.loads(metadata or "")["max_time"])
    except (TypeError, ValueError, KeyError):
        return None
