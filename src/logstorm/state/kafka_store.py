"""The cluster state backend: one compacted changelog topic per owner, in Kafka.

On a cluster Storm may restart a task on another host, which does not have the
first host's disk. So each owner of state (a window task, the rankings, the sink,
a spout task) writes it to a topic of its own, ``<prefix>.<owner>``: one partition
(its records stay in order), ``cleanup.policy=compact`` (Kafka keeps the newest
record of each key), replicated on up to three brokers. A task started anywhere
reads its topic back to the end and goes on. Writes are produced idempotently with
``acks=all``; ``sync`` waits until every broker in sync has them.

- A document is one key: the owner's ``put`` produces its new value under its name.
- A log is records keyed ``<name>#<generation>#<sequence>``, plus a head record
  ``<name>#head`` naming the current generation. ``rewrite`` produces the new
  generation's records, then the head, then a tombstone (a null value, which
  compaction removes with the key) for each older record: a reader sees the old
  generation or the new one whole, and compaction drops the old.

A store given a ``transactional_id`` writes in Kafka transactions (begun by the
first write, committed by ``sync``), readers reading committed records only: the
window sink writes the windows topic and its own progress in one transaction, so a
consumer with ``isolation.level=read_committed`` sees each window once. A restarted
sink's ``init_transactions`` aborts what its predecessor left open.

Run against a real broker in ``tests/test_kafka_store.py``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from logstorm.state.names import owner

MAX_RECORD_BYTES = 64 * 1024 * 1024  # a URL window's journal snapshot can be MiBs
TOPIC_CONFIG = {
    "cleanup.policy": "compact",
    "max.message.bytes": str(MAX_RECORD_BYTES),
    "segment.ms": str(10 * 60 * 1000),  # closed segments are what compaction cleans
    "min.cleanable.dirty.ratio": "0.1",
}
HEAD = "head"


class StateUnavailable(RuntimeError):
    """Kafka did not take or return the state in time (the message names the brokers)."""


def owner_topic(prefix: str, name: str) -> str:
    """The topic of the owner that a state name belongs to (its part before the dot).

    >>> owner_topic("logstorm-state.logs-1-17.6d8a", "url_window-3.sent.json")
    'logstorm-state.logs-1-17.6d8a.url_window-3'
    """
    return f"{prefix}.{owner(name)}"


class TopicState:
    """What one state topic holds, read into memory: documents and logs by name."""

    def __init__(self, servers: str, topic: str, timeout: float) -> None:
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

        self.topic, self.servers, self.timeout = topic, servers, timeout
        self.consumer = Consumer({
            "bootstrap.servers": servers,
            "group.id": "logstorm-state-reader",  # assigned, never subscribed nor committed
            "enable.auto.commit": False,
            "enable.partition.eof": True,
            "isolation.level": "read_committed",
            "max.partition.fetch.bytes": MAX_RECORD_BYTES,
            "fetch.max.bytes": MAX_RECORD_BYTES,
            "log_level": 0,
        })  # fmt: skip
        self.partition = TopicPartition(topic, 0)
        self.consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
        self.next_offset = 0
        self.docs: dict[str, bytes] = {}
        # name -> {"head": generation, generation: {sequence: value}}
        self.logs: dict[str, dict[Any, Any]] = {}
        self.read_to_end()

    def read_to_end(self) -> None:
        """Read every record committed up to now."""
        deadline = time.monotonic() + self.timeout
        end = self._end_offset(deadline)
        while self.next_offset < end:
            if time.monotonic() > deadline:
                raise self._unavailable(f"records up to offset {end} (at {self.next_offset})")
            self._take(self.consumer.consume(num_messages=10_000, timeout=0.2))

    def _end_offset(self, deadline: float) -> int:
        """The partition's end offset, once answered: a topic just created is unknown, or
        has no leader yet, for a moment (librdkafka flags neither retriable here), and a
        moved leader answers "Not leader"; so any error is asked again until deadline."""
        from confluent_kafka import KafkaException

        while True:
            try:
                return self.consumer.get_watermark_offsets(self.partition, timeout=self.timeout)[1]
            except KafkaException as err:
                if time.monotonic() > deadline:
                    raise self._unavailable(f"its end offset ({err.args[0]})") from None
                time.sleep(0.2)

    def read_new(self) -> None:
        """Read what has arrived since, without waiting."""
        while self._take(self.consumer.consume(num_messages=10_000, timeout=0)):
            pass

    def _unavailable(self, what: str) -> StateUnavailable:
        return StateUnavailable(
            f"state topic {self.topic} on {self.servers}: no answer with {what} within "
            f"{self.timeout:.0f}s; fix: start the brokers (make kafka-up), or check "
            f"logstorm.state.kafka.servers"
        )

    def _take(self, messages: list[Any]) -> int:
        from confluent_kafka import KafkaError

        for msg in messages:
            error = msg.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    self.next_offset = max(self.next_offset, msg.offset())
                continue  # a transient fetch error: librdkafka retries
            self.next_offset = msg.offset() + 1
            self._apply(msg.key().decode(), msg.value())
        return len(messages)

    def _apply(self, key: str, value: bytes | None) -> None:
        if "#" not in key:
            if value is None:
                self.docs.pop(key, None)
            else:
                self.docs[key] = value
            return
        name, generation, *sequence = key.split("#")
        log = self.logs.setdefault(name, {HEAD: 0})
        if generation == HEAD:
            log[HEAD] = json.loads(value)["generation"] if value is not None else 0
        elif value is None:
            log.get(int(generation), {}).pop(int(sequence[0]), None)
        else:
            log.setdefault(int(generation), {})[int(sequence[0])] = value

    def close(self) -> None:
        self.consumer.close()


class KafkaLog:
    """A log kept in its owner's topic (see the module's docstring)."""

    def __init__(self, store: KafkaStore, name: str) -> None:
        self.store, self.name = store, name
        self.state = store.topic_state(name)
        generation = self._head()
        self.generation = generation
        self.next_sequence = max(self._generation(generation), default=-1) + 1

    def _head(self) -> int:
        return self.state.logs.get(self.name, {HEAD: 0})[HEAD]

    def _generation(self, generation: int) -> dict[int, bytes]:
        return self.state.logs.get(self.name, {}).get(generation, {})

    def _key(self, generation: int, sequence: int) -> str:
        return f"{self.name}#{generation}#{sequence}"

    def append(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self.store.produce_state(self.name, self._key(self.generation, self.next_sequence),
                                     json.dumps(record).encode())  # fmt: skip
            self.next_sequence += 1

    def records(self) -> list[dict[str, Any]]:
        self.state.read_to_end()
        values = self._generation(self._head())
        return [json.loads(values[s]) for s in sorted(values)]

    def rewrite(self, records: list[dict[str, Any]]) -> None:
        self.store.sync()
        self.state.read_to_end()  # every older record, ours included, to be deleted
        old = [(g, s) for g, values in self.state.logs.get(self.name, {}).items()
               if g != HEAD for s in values]  # fmt: skip
        self.generation, self.next_sequence = self.generation + 1, 0
        self.generation = max([self.generation, *(g + 1 for g, _ in old)])
        self.append(records)
        head = json.dumps({"generation": self.generation}).encode()
        self.store.produce_state(self.name, f"{self.name}#{HEAD}", head)
        for generation, sequence in old:
            self.store.produce_state(self.name, self._key(generation, sequence), None)
        self.store.sync()


class KafkaStore:
    """The state of one run in Kafka topics named ``<prefix>.<owner>``."""

    def __init__(self, servers: str, prefix: str, transactional_id: str | None = None,
                 timeout: float = 30.0) -> None:  # fmt: skip
        self.servers, self.prefix, self.timeout = servers, prefix, timeout
        self.transactional_id = transactional_id
        self.topics: dict[str, TopicState] = {}
        self.created: set[str] = set()  # topics known to exist
        self.logs: dict[str, KafkaLog] = {}
        self.failures: list[str] = []
        self.in_transaction = False
        self._producer: Any = None
        self._admin: Any = None

    def where(self) -> str:
        return f"Kafka topics {self.prefix}.* on {self.servers}"

    def topic_state(self, name: str) -> TopicState:
        """The reader of name's topic (created if new)."""
        topic = owner_topic(self.prefix, name)
        if topic not in self.topics:
            self._create(topic)
            self.topics[topic] = TopicState(self.servers, topic, self.timeout)
        return self.topics[topic]

    def get(self, name: str) -> Any | None:
        state = self.topic_state(name)
        state.read_new()
        value = state.docs.get(name)
        return None if value is None else json.loads(value)

    def put(self, name: str, value: Any) -> None:
        self.produce_state(name, name, json.dumps(value, sort_keys=True).encode())

    def log(self, name: str) -> KafkaLog:
        if name not in self.logs:
            self.logs[name] = KafkaLog(self, name)
        return self.logs[name]

    def produce_state(self, name: str, key: str, value: bytes | None) -> None:
        """Produce one record of name's topic."""
        self._create(owner_topic(self.prefix, name))
        self.produce(owner_topic(self.prefix, name), key.encode(), value)

    def produce(self, topic: str, key: bytes, value: bytes | None) -> None:
        """Produce a record to any topic (in the transaction, if the store has one)."""
        producer = self.producer()
        if self.transactional_id and not self.in_transaction:
            producer.begin_transaction()
            self.in_transaction = True
        while True:
            try:
                producer.produce(topic, value, key, on_delivery=self._delivered)
                return
            except BufferError:  # the local queue is full: let it drain
                producer.poll(0.1)

    def sync(self) -> None:
        if self._producer is None:
            return
        if self.in_transaction:
            self.in_transaction = False
            self._call(lambda: self._producer.commit_transaction(self.timeout), "commit")
        elif self._producer.flush(self.timeout) > 0:
            raise StateUnavailable(
                f"{self.where()}: records not acknowledged within {self.timeout:.0f}s; "
                "fix: start the brokers (make kafka-up), or check logstorm.state.kafka.servers"
            )
        if self.failures:
            failures, self.failures = self.failures, []
            raise StateUnavailable(f"{self.where()}: not written: {failures[0]}")

    def producer(self) -> Any:
        """The store's producer (transactional if the store has a transactional id)."""
        if self._producer is None:
            from confluent_kafka import Producer

            config = {
                "bootstrap.servers": self.servers,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "compression.type": "lz4",
                "message.max.bytes": MAX_RECORD_BYTES,
                "log_level": 0,
            }
            if self.transactional_id:
                config["transactional.id"] = self.transactional_id
            self._producer = Producer(config)
            if self.transactional_id:  # fences a predecessor, aborts what it left open
                self._call(lambda: self._producer.init_transactions(self.timeout), "start")
        return self._producer

    def _call(self, call: Callable[[], Any], what: str) -> None:
        try:
            call()
        except Exception as err:  # KafkaException: the transaction failed
            raise StateUnavailable(
                f"{self.where()}: could not {what} transaction {self.transactional_id} ({err}); "
                "fix: start the brokers (make kafka-up) with transactions enabled"
            ) from None

    def _delivered(self, err: Any, msg: Any) -> None:
        if err is not None:
            self.failures.append(f"{msg.topic()}: {err}")

    def _create(self, topic: str) -> None:
        """Create a state topic unless it exists."""
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import AdminClient, NewTopic

        if topic in self.created:
            return
        self.created.add(topic)
        if self._admin is None:
            self._admin = AdminClient({"bootstrap.servers": self.servers, "log_level": 0})
        try:
            brokers = len(self._admin.list_topics(timeout=self.timeout).brokers)
        except KafkaException as err:
            raise StateUnavailable(
                f"{self.where()}: the brokers do not answer ({err}); fix: start them "
                "(make kafka-up), or check logstorm.state.kafka.servers"
            ) from None
        replicas = min(3, brokers)
        config = {**TOPIC_CONFIG, "min.insync.replicas": str(2 if replicas == 3 else 1)}
        future = self._admin.create_topics([NewTopic(topic, 1, replicas, config=config)])[topic]
        try:
            future.result(timeout=self.timeout)
        except KafkaException as err:
            if "TOPIC_ALREADY_EXISTS" not in str(err) and "already exists" not in str(err):
                raise StateUnavailable(f"{self.where()}: cannot create {topic}: {err}") from None
