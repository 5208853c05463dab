"""Where the dashboard reads a run's windows: the sink's file, or the windows topic.

On one host the window sink's JSON-lines file is beside the dashboard; on a cluster it
sits on whichever host Storm chose, and the windows of record are those of
``logstorm.output.kafka.topic``, written in transactions. Each source hands out the
windows added since the last ``read`` and when they were written.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "windows.jsonl"
>>> source = FileWindows(path)
>>> source.read()
([], None)
>>> _ = path.write_text('{"metric": "url", "window_end": 10}\\n')
>>> records, written_at = source.read()
>>> records, written_at > 0
([{'metric': 'url', 'window_end': 10}], True)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

from logstorm.output.follow import JsonLinesFollower


class WindowSource(Protocol):
    """The windows added since the last read, and when the newest was written."""

    def read(self) -> tuple[list[Any], float | None]: ...

    def where(self) -> str: ...


class FileWindows:
    """The window sink's file (a record that is not whole JSON raises ValueError)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.follower = JsonLinesFollower(self.path)

    def read(self) -> tuple[list[Any], float | None]:
        try:
            written_at = self.path.stat().st_mtime
        except FileNotFoundError:
            return [], None
        return self.follower.read(), written_at

    def where(self) -> str:
        return str(self.path)


class TopicWindows:
    """The windows topic's committed records (``isolation.level=read_committed``: what
    an aborted transaction wrote never shows), every partition from its start."""

    def __init__(self, servers: str, topic: str) -> None:
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

        from logstorm.kafka_topic import topic_partitions

        self.servers, self.topic = servers, topic
        self.consumer = Consumer({
            "bootstrap.servers": servers,
            "group.id": "logstorm-dashboard",  # assigned, never committed
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "log_level": 0,
        })  # fmt: skip
        partitions = topic_partitions(self.consumer, servers, topic, "--kafka-servers ",
                                      "--windows-topic ")  # fmt: skip
        self.consumer.assign(
            [TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)]
        )

    def read(self) -> tuple[list[Any], float | None]:
        records, written_at = [], None
        while messages := self.consumer.consume(num_messages=10_000, timeout=0):
            for msg in messages:
                if msg.error() is not None:
                    continue  # end of a partition, or a fetch error librdkafka retries
                records.append(json.loads(msg.value()))
                written_at = msg.timestamp()[1] / 1000
        return records, written_at

    def where(self) -> str:
        return f"topic {self.topic} on {self.servers}"
