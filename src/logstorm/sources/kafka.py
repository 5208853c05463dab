"""The Kafka input of the log analyzer: one spout task's consumer of a topic's partitions.

It offers the log-file reader's surface (``next_chunk``, ``ack``, ``fail``,
``pending``, ``scan``, ``save``), so the spout drives either the same way; the
chunking and offset bookkeeping live in :mod:`logstorm.sources.partitions`. The consumer
is assigned its partitions by number (no group rebalance), starts at the consumer
group's committed offsets (a new group at ``earliest`` or ``latest``), and commits
to the group only the offsets of acknowledged records, so Kafka's own
``kafka-consumer-groups --describe`` shows the topology's lag. Auto-commit is off.

A broker that cannot be reached at start is an error naming it and the fix; one
that goes away later is retried by librdkafka, while the spout keeps its chunks in
flight and reports the outage in ``unreadable`` (the spout logs it).
"""

from __future__ import annotations

import time
from typing import Any

from logstorm.sources.partitions import KafkaChunks, Record, assigned_partitions

CONNECT_TIMEOUT_SECS = 10.0
COORDINATOR_WAIT_SECS = 60.0
POLL_RECORDS = 5000  # records taken per poll, at most
BUFFER_CHUNKS = 4  # poll again once fewer than this many chunks of records are buffered


class KafkaUnavailable(RuntimeError):
    """The broker or the topic is not there at start: the message names the fix."""


class KafkaSource:
    """The partitions ``partition mod task_count == task_index`` of ``topic``."""

    mode = "tail"  # a topic never ends

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
        consumer_factory: Any = None,
    ) -> None:
        if consumer_factory is None:
            from confluent_kafka import Consumer

            consumer_factory = Consumer
        self.servers, self.topic, self.group = servers, topic, group
        self.chunks = KafkaChunks(topic, batch_lines, max_line_bytes)
        self.unreadable: dict[str, str] = {}  # the broker, while it cannot be reached
        self.dirty = False
        self.max_time = None  # the spout's event-time checkpoint; Kafka keeps none here
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
        self.partitions = assigned_partitions(self._partition_count(), task_index, task_count)
        self._assign()

    def _partition_count(self) -> int:
        try:
            metadata = self.consumer.list_topics(self.topic, timeout=CONNECT_TIMEOUT_SECS)
        except Exception as err:  # KafkaException: no broker answered in time
            raise KafkaUnavailable(
                f"cannot reach the Kafka broker at {self.servers} ({err}); fix: start it "
                "(make kafka-up) or pass -o logstorm.input.kafka.servers=<host:port,...>"
            ) from err
        topic = metadata.topics.get(self.topic)
        if topic is None or topic.error is not None or not topic.partitions:
            raise KafkaUnavailable(
                f"the topic {self.topic!r} does not exist on {self.servers}; fix: create it "
                f"(tools/kafka topic {self.topic} 3) or pass -o logstorm.input.kafka.topic=<name>"
            )
        return len(topic.partitions)

    def _assign(self) -> None:
        from confluent_kafka import OFFSET_STORED, TopicPartition

        wanted = [TopicPartition(self.topic, p) for p in self.partitions]
        for tp in self._committed(wanted):
            self.chunks.resume(tp.partition, tp.offset if tp.offset >= 0 else None)
        # OFFSET_STORED: the group's committed offset, else auto.offset.reset (start)
        assignment = [TopicPartition(self.topic, p, OFFSET_STORED) for p in self.partitions]
        self.consumer.assign(assignment)

    def _committed(self, wanted: list) -> list:
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
                return self.consumer.committed(wanted, timeout=CONNECT_TIMEOUT_SECS)
            except KafkaException as err:
                if err.args[0].code() not in electing or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    # -- the reader surface the spout drives ---------------------------------------------
    @property
    def inflight(self) -> dict:
        return self.chunks.inflight

    def scan(self) -> None:
        """Periodic work: serve the client's callbacks (errors, commit results)."""
        self.consumer.poll(0)

    def next_chunk(self, allow_new: bool = True) -> Any:
        if allow_new and self.chunks.buffered() < BUFFER_CHUNKS * self.chunks.batch_lines:
            self._poll()
        return self.chunks.next_chunk(allow_new)

    def _poll(self) -> None:
        records = []
        for message in self.consumer.consume(POLL_RECORDS, timeout=0):
            if message.error() is None:
                records.append(Record(message.partition(), message.offset(), message.value()))
        if records:
            self.unreadable.pop(self.servers, None)
            self.chunks.add(records)

    def ack(self, msg_id: str) -> None:
        self.chunks.ack(msg_id)
        self.dirty = True

    def fail(self, msg_id: str) -> None:
        self.chunks.fail(msg_id)

    def pending(self) -> int:
        return self.chunks.pending()

    def drained(self) -> bool:
        return False  # a topic has no end

    def save(self, wait: bool = False) -> None:
        """Commit the acknowledged offsets that moved to the consumer group (in the
        background unless wait)."""
        from confluent_kafka import TopicPartition

        moved = self.chunks.commits()
        if moved:
            offsets = [TopicPartition(self.topic, p, offset) for p, offset in moved.items()]
            self.consumer.commit(offsets=offsets, asynchronous=not wait)

    def close(self) -> None:
        """Commit what was acknowledged, and leave."""
        self.save(wait=True)
        self.consumer.close()

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
