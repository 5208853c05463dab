"""The Kafka state backend against the project's real broker: what one process wrote,
a new process (a task restarted on another host) reads back; a transaction left open
by a killed writer is never seen."""

import uuid

import pytest
from kafka_broker import SERVERS, committed_records, new_topic

from logstorm.protocol.journal import WindowJournal
from logstorm.state.kafka_store import KafkaStore
from logstorm.windows.processing_time import SlidingWindowCounter

START = 5_000.5


@pytest.fixture
def prefix(kafka) -> str:
    return f"logstorm-state.test-{uuid.uuid4().hex[:8]}"


def test_documents_and_logs_written_by_one_process_are_read_back_by_a_new_one(prefix):
    writer = KafkaStore(SERVERS, prefix)
    writer.put("url_window-3.sent.json", {"last": 10, "sent": []})
    log = writer.log("url_window-3.jsonl")
    log.append([{"n": 1}, {"n": 2}])
    writer.put("url_window-3.sent.json", {"last": 12, "sent": []})  # the newest wins
    writer.sync()

    again = KafkaStore(SERVERS, prefix)
    assert again.get("url_window-3.sent.json") == {"last": 12, "sent": []}
    assert again.log("url_window-3.jsonl").records() == [{"n": 1}, {"n": 2}]
    assert again.get("rankings.outbox.jsonl") is None  # nothing of another owner

    again.log("url_window-3.jsonl").rewrite([{"n": 3}])
    again.log("url_window-3.jsonl").append([{"n": 4}])
    again.sync()
    third = KafkaStore(SERVERS, prefix).log("url_window-3.jsonl")
    assert third.records() == [{"n": 3}, {"n": 4}]


def test_a_transaction_a_killed_writer_left_open_is_never_seen(prefix):
    windows = new_topic(1)
    first = KafkaStore(SERVERS, prefix, transactional_id=f"{prefix}.sink")
    first.produce(windows, b"url", b'{"window_end": 1}')
    first.put("window_sink.json", {"url": 1})
    first.sync()  # committed
    first.produce(windows, b"url", b'{"window_end": 2}')
    first.put("window_sink.json", {"url": 2})
    first.producer().flush(30)  # on the broker, but never committed: the writer dies here

    second = KafkaStore(SERVERS, prefix, transactional_id=f"{prefix}.sink")
    second.producer()  # fences the first and aborts its transaction
    assert second.get("window_sink.json") == {"url": 1}
    assert committed_values(windows) == [b'{"window_end": 1}']


def committed_values(topic: str) -> list[bytes]:
    return [value for _, value in committed_records(topic)]


def test_a_window_task_restored_from_kafka_reports_what_it_would_have(prefix):
    store = KafkaStore(SERVERS, prefix)
    journal = WindowJournal(store.log("url_window-5.jsonl"), compact_every=3)
    steady = SlidingWindowCounter("url", 10, 1, 5, START)
    crashing = SlidingWindowCounter("url", 10, 1, 5, START)
    for i in range(7):  # two compactions and an append after them
        for c in (steady, crashing):
            c.add(f"/{i % 3}", 1, START + i * 0.5)
        journal.save(crashing)
    store.sync()
    restored = SlidingWindowCounter("url", 10, 1, 5, START + 4)
    assert WindowJournal(KafkaStore(SERVERS, prefix).log("url_window-5.jsonl")).restore(restored)
    assert restored.close_until(START + 20) == steady.close_until(START + 20)
