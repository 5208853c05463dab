"""KafkaSource's use of the consumer, and the spout's commits through it, against a
stand-in consumer (no broker here: the real broker is in
tests/integration/test_kafka_storm.py)."""

import json
from types import SimpleNamespace

import confluent_kafka
import pytest
from confluent_kafka import KafkaError, KafkaException, TopicPartition

from harness import SpoutHarness
from logstorm.kafka_topic import KafkaUnavailable
from logstorm.sources.kafka import KafkaSource, committed_run
from spouts.logfiles import LogFileSpout


class Message:
    def __init__(self, partition, offset, value):
        self._p, self._o, self._v = partition, offset, value

    def error(self):
        return None

    def partition(self):
        return self._p

    def offset(self):
        return self._o

    def value(self):
        return self._v


class StandInConsumer:
    """Answers like confluent_kafka.Consumer for a topic of `partitions` partitions."""

    def __init__(self, partitions=3, committed=None, reachable=True, topic="t", ends=None):
        self.partitions, self.committed_offsets = partitions, committed or {}
        self.ends = ends or {}  # partition -> (low, high) offsets
        self.reachable, self.topic = reachable, topic
        self.assigned, self.commits, self.queue = [], [], []

    def __call__(self, config):  # the factory: KafkaSource passes its configuration
        self.config = config
        return self

    def list_topics(self, topic, timeout):
        if not self.reachable:
            raise KafkaException("Local: Broker transport failure")
        topics = {}
        if topic == self.topic:
            topics[topic] = SimpleNamespace(
                error=None, partitions=dict.fromkeys(range(self.partitions))
            )
        return SimpleNamespace(topics=topics)

    def committed(self, partitions, timeout):
        none = -1001  # librdkafka's OFFSET_INVALID: the group has no offset there
        answers = []
        for tp in partitions:  # a committed offset may carry metadata: (offset, metadata)
            offset, metadata = self.committed_offsets.get(tp.partition, (none, None)), None
            if isinstance(offset, tuple):
                offset, metadata = offset
            answers.append(TopicPartition(tp.topic, tp.partition, offset, metadata=metadata or ""))
        return answers

    def get_watermark_offsets(self, tp, timeout=None, cached=False):
        none = -1001  # what librdkafka answers from its cache before any fetch
        return self.ends.get(tp.partition, (none, none) if cached else (0, 0))

    def assign(self, partitions):
        self.assigned = [tp.partition for tp in partitions]

    def consume(self, num, timeout):
        taken, self.queue = self.queue[:num], self.queue[num:]
        return taken

    def poll(self, timeout):  # like the real one: serves callbacks, and hands out a record
        return self.queue.pop(0) if self.queue else None

    def commit(self, offsets, asynchronous):
        self.commits.append(({tp.partition: tp.offset for tp in offsets}, asynchronous))
        self.metadata = {tp.partition: tp.metadata for tp in offsets}

    def close(self):
        pass


def source(consumer, task_index=0, task_count=1, mode="tail"):
    return KafkaSource("127.0.0.1:9092", "t", "g", "earliest", task_index, task_count,
                       batch_lines=2, max_line_bytes=100, mode=mode, run="logs-1-1",
                       consumer_factory=consumer)  # fmt: skip


def test_a_task_reads_its_partitions_from_the_groups_committed_offsets():
    consumer = StandInConsumer(partitions=5, committed={1: 40})
    kafka = source(consumer, task_index=1, task_count=2)
    assert consumer.assigned == [1, 3]
    assert consumer.config["enable.auto.commit"] is False
    assert consumer.config["group.id"] == "g"
    consumer.queue = [Message(1, 40, b"a"), Message(3, 0, b"b"), Message(1, 41, b"c")]
    first = kafka.next_chunk()
    assert first.msg_id == "t/1/40-42"
    second = kafka.next_chunk()
    assert second.msg_id == "t/3/0-1"
    kafka.ack(second.msg_id)
    kafka.save()
    assert consumer.commits == [({3: 1}, True)]  # partition 1 not acked: nothing to commit
    kafka.ack(first.msg_id)
    kafka.close()
    assert consumer.commits[-1] == ({1: 42}, False)  # closing waits for its commit


def test_a_failed_commit_is_sent_again():
    consumer = StandInConsumer(partitions=1)
    kafka = source(consumer)
    consumer.queue = [Message(0, 0, b"a")]
    chunk = kafka.next_chunk()
    kafka.ack(chunk.msg_id)
    kafka.save()
    kafka._on_commit(KafkaException("Broker: Coordinator not available"), [TopicPartition("t", 0)])
    assert "commit failed" in kafka.unreadable["127.0.0.1:9092"]
    kafka.save()
    assert [c for c, _ in consumer.commits] == [{0: 1}, {0: 1}]


def test_an_unreachable_broker_or_a_missing_topic_is_named_with_the_fix():
    with pytest.raises(
        KafkaUnavailable, match=r"cannot reach the Kafka broker at 127.0.0.1:9092.*make kafka-up"
    ):
        source(StandInConsumer(reachable=False))
    with pytest.raises(KafkaUnavailable, match=r"topic 't' does not exist.*tools/kafka topic t"):
        source(StandInConsumer(topic="other"))


def test_a_bounded_read_ends_at_the_end_offsets_it_found_at_start():
    consumer = StandInConsumer(partitions=2, committed={0: 5}, ends={0: (0, 7), 1: (3, 4)})
    kafka = source(consumer, mode="spool")  # partition 1 has no commit: from its low, 3
    consumer.queue = [Message(0, 5, b"a"), Message(1, 3, b"b"), Message(0, 6, b"c")]
    consumer.queue += [Message(0, 7, b"written after the start")]
    chunks = [kafka.next_chunk() for _ in range(3)]
    assert sorted(c.msg_id for c in chunks if c) == ["t/0/5-6", "t/0/6-7", "t/1/3-4"]
    assert not kafka.drained()  # read, not acknowledged
    for chunk in filter(None, chunks):
        kafka.ack(chunk.msg_id)
    assert kafka.drained() and kafka.next_chunk() is None


def test_lag_is_each_partitions_end_offset_minus_what_kafka_confirmed_committed():
    consumer = StandInConsumer(partitions=3, committed={0: 5}, ends={0: (0, 9), 1: (2, 6)})
    kafka = source(consumer)  # partition 1: nothing committed, from its first offset
    assert kafka.lag() == {"t/0": 4, "t/1": 4}  # partition 2: no fetch yet, not known
    consumer.queue = [Message(0, 5, b"a"), Message(0, 6, b"b")]
    chunk = kafka.next_chunk()
    kafka.ack(chunk.msg_id)
    kafka.save()
    assert kafka.lag()["t/0"] == 4  # sent, not confirmed
    kafka._on_commit(None, [TopicPartition("t", 0, 7)])
    assert kafka.lag()["t/0"] == 2


def test_event_time_checkpoints_travel_with_the_committed_offsets():
    consumer = StandInConsumer(partitions=2, committed={0: (4, '{"max_time": 1431000000}')})
    kafka = source(consumer)
    assert kafka.resumed_max_times == {"t/0": 1431000000, "t/1": None}
    consumer.queue = [Message(0, 4, b"a")]
    kafka.ack(kafka.next_chunk().msg_id)
    kafka.max_time = {"t/0": 1431000077, "t/1": None}  # what the spout's clocks say
    kafka.save()
    assert json.loads(consumer.metadata[0]) == {"run": "logs-1-1", "max_time": 1431000077}


def test_every_commit_names_the_run_whose_window_state_goes_with_it():
    consumer = StandInConsumer(partitions=1)
    kafka = source(consumer)
    consumer.queue = [Message(0, 0, b"a")]
    kafka.ack(kafka.next_chunk().msg_id)
    kafka.save()  # processing time: no clock, the run all the same
    assert json.loads(consumer.metadata[0]) == {"run": "logs-1-1"}


def test_the_run_a_group_names_is_read_from_its_committed_offsets():
    def group(committed):
        return committed_run("127.0.0.1:9092", "t", "g", StandInConsumer(3, committed))

    assert group({}) is None  # a new group: a new run
    assert group({0: (7, "")}) is None  # offsets committed by a version that named none
    runs = {0: (4, '{"run": "logs-2-2"}'), 1: (9, '{"run": "logs-1-1", "max_time": 1}'),
            2: (3, '{"run": "logs-1-1"}')}  # fmt: skip
    assert group(runs) == "logs-1-1"  # the one most partitions name


def test_a_record_handed_out_while_serving_callbacks_is_kept():
    consumer = StandInConsumer(partitions=1)
    kafka = source(consumer)
    consumer.queue = [Message(0, 0, b"a"), Message(0, 1, b"b")]
    kafka.scan()  # takes one record from the client: it must not be lost
    lines = []
    while (chunk := kafka.next_chunk()) is not None:
        lines += [line.text for line in chunk.lines]
    assert lines == ["a", "b"]


def test_during_an_outage_the_source_is_unreachable_until_the_broker_answers_again():
    consumer = StandInConsumer(partitions=1)
    kafka = source(consumer)
    assert kafka.reachable()
    kafka._on_error(KafkaError(KafkaError._ALL_BROKERS_DOWN))
    assert not kafka.reachable()  # the topic's silence says nothing about the log now
    consumer.get_watermark_offsets = lambda tp, timeout: (_ for _ in ()).throw(
        KafkaException("Local: Broker transport failure")
    )
    kafka.scan()
    assert not kafka.reachable()
    del consumer.get_watermark_offsets  # the broker answers again
    kafka.scan()
    assert kafka.reachable()


def test_a_chunk_counts_as_committed_only_once_kafka_confirmed_the_commit():
    consumer = StandInConsumer(partitions=1, committed={0: 2})
    kafka = source(consumer)
    consumer.queue = [Message(0, 2, b"a"), Message(0, 3, b"b")]
    chunk = kafka.next_chunk()
    assert chunk.msg_id == "t/0/2-4" and kafka.is_committed("t/0/0-2")  # the group had it
    kafka.ack(chunk.msg_id)
    kafka.save()  # sent, in the background
    assert not kafka.is_committed(chunk.msg_id)
    kafka._on_commit(None, [TopicPartition("t", 0, 4)])
    assert kafka.is_committed(chunk.msg_id)


def test_an_event_time_commit_carries_the_newest_timestamp_of_the_lines_it_covers(
    monkeypatch, tmp_path
):
    # A commit covers the acknowledged chunks before Kafka confirms it; a spout restarted
    # at its offset must stamp the next lines as this one did, so the commit's max_time
    # is that of its last chunk, not of the chunks whose commit Kafka already confirmed.
    consumer = StandInConsumer(partitions=1)
    monkeypatch.setattr(confluent_kafka, "Consumer", consumer)
    line = '1.2.3.4 - - [17/May/2015:10:05:{:02d} +0000] "GET / HTTP/1.1" 200 5'
    consumer.queue = [Message(0, i, line.format(s).encode()) for i, s in enumerate([3, 9, 5, 4])]
    spout = SpoutHarness(LogFileSpout, {
        "logstorm.input.kind": "kafka", "logstorm.input.kafka.topic": "t",
        "logstorm.input.kafka.servers": "127.0.0.1:9092", "logstorm.input.batch.lines": 2,
        "logstorm.time": "event", "logstorm.output.path": str(tmp_path / "windows.jsonl"),
        "logstorm.errors.path": str(tmp_path / "errors.jsonl"),
    }, name="logfiles")  # fmt: skip
    chunks = [t for _ in range(4) for t in spout.next_tuple() if t.get("id")]
    assert [c["id"] for c in chunks] == ["t/0/0-2", "t/0/2-4"]
    spout.ack(chunks[0]["id"])
    spout.component.deactivate()  # saves: the commit is sent, Kafka has not confirmed it
    assert consumer.commits[-1][0] == {0: 2}
    assert json.loads(consumer.metadata[0])["max_time"] == 1431857109  # 10:05:09
