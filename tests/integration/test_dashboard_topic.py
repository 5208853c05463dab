"""The dashboard on a cluster reads the windows topic, as a downstream consumer does:
committed records only, so a window a killed sink left in an open transaction never
shows."""

import json
import uuid

from kafka_broker import SERVERS, new_topic
from sparse_run import wait_for

from logstorm.dashboard.feed import WindowFeed
from logstorm.dashboard.window_sources import TopicWindows
from logstorm.state.kafka_store import KafkaStore


def window(end: int) -> bytes:
    return json.dumps({"metric": "status", "time": "event", "window_end": end,
                       "window_secs": 300, "slide_secs": 5, "total": end, "distinct": 1,
                       "top": [["200", end]]}).encode()  # fmt: skip


def test_the_dashboard_draws_the_committed_windows_of_the_topic(kafka, tmp_path):
    topic = new_topic(1)
    sink_id = f"test-sink-{uuid.uuid4().hex[:8]}"
    sink = KafkaStore(SERVERS, f"logstorm-state.{sink_id}", transactional_id=sink_id)
    for end in (5, 10):
        sink.produce(topic, b"status", window(end))
    sink.sync()  # committed
    sink.produce(topic, b"status", window(15))
    sink.producer().flush(30)  # sent, never committed: the sink dies here
    again = KafkaStore(SERVERS, f"logstorm-state.{sink_id}", transactional_id=sink_id)
    again.produce(topic, b"status", window(20))  # the restarted sink goes on
    again.sync()

    feed = WindowFeed(tmp_path / "windows.jsonl", source=TopicWindows(SERVERS, topic))
    drawn: list[int] = []

    def up_to_the_last() -> bool:
        drawn.extend(m["window"]["window_end"] for m in feed.poll_windows())
        return bool(drawn) and drawn[-1] == 20

    wait_for(up_to_the_last, 30, "the windows topic read to its last committed window")
    assert drawn == [5, 10, 20]  # 15 was in the transaction the restart aborted
    assert feed.history()["windows_path"] == f"topic {topic} on {SERVERS}"
