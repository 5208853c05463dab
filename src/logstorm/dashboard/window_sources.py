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

from logstorm.jsonl_follow import JsonLinesFollower
from logstorm.metrics import BY_NAME, METRICS


class WindowSource(Protocol):
    """The windows added since the last read, and when the newest was written."""

    def read(self) -> tuple[list[Any], float | None]: ...

    def where(self) -> str: ...


class FileWindows:
    """The window sink's file (a record that is not whole JSON raises ValueError), read
    from where the history the page needs begins (:func:`history_offset`): a file of
    days of windows opens as fast as one of minutes."""

    def __init__(self, path: str | os.PathLike[str], history_secs: int = 900) -> None:
        self.path = Path(path)
        self.follower = JsonLinesFollower(self.path)
        self.follower.start_at(history_offset(self.path, history_secs))

    def read(self) -> tuple[list[Any], float | None]:
        try:
            written_at = self.path.stat().st_mtime
        except FileNotFoundError:
            return [], None
        return self.follower.read(), written_at

    def where(self) -> str:
        return str(self.path)


def history_offset(path: Path, status_secs: int, block: int = 1 << 20) -> int:
    """Where to start reading path for its last run's history (:mod:`.history`): the
    start of a line before which the file holds no window the history keeps, found by
    reading blocks backwards from the end until a URL window and a status window older
    than ``status_secs`` before the newest status window were seen; 0 for a small file.

    >>> import tempfile, pathlib, json
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "windows.jsonl"
    >>> rows = [{"metric": m, "window_end": t}
    ...         for t in range(0, 100, 5) for m in ("url", "status", "host")]
    >>> _ = path.write_text("".join(json.dumps(r) + "\\n" for r in rows))
    >>> at = history_offset(path, status_secs=20, block=64)
    >>> json.loads(path.read_bytes()[at:].split(b"\\n")[0])
    {'metric': 'status', 'window_end': 75}
    """
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    with open(path, "rb") as fh:
        end, tail = size, b""
        newest: dict[str, float] = {}  # metric -> its newest window's end
        wanted = {m.name for m in METRICS}  # metrics whose history is not all seen yet
        while end > 0:
            start = max(0, end - block)
            fh.seek(start)
            lines = (fh.read(end - start) + tail).split(b"\n")
            tail = lines.pop(0) if start > 0 else b""  # maybe a line's second half
            position = start + len(tail) + 1 if start > 0 else 0
            offsets = []
            for line in lines:
                offsets.append(position)
                position += len(line) + 1
            for line, offset in zip(reversed(lines), reversed(offsets), strict=True):
                try:
                    window = json.loads(line)
                except ValueError:
                    continue  # blank, or cut by a crash
                if not isinstance(window, dict):
                    continue
                metric, end_time = BY_NAME.get(str(window.get("metric"))), window.get("window_end")
                if (
                    metric is None
                    or metric.name not in wanted
                    or not isinstance(end_time, int | float)
                ):
                    continue
                newest_end = newest.setdefault(metric.name, end_time)
                if metric.view != "status" or end_time <= newest_end - status_secs:
                    wanted.discard(metric.name)
                    if not wanted:
                        return offset
            end = start
    return 0


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
                value = msg.value()
                if msg.error() is not None or value is None:
                    continue  # end of a partition, or a fetch error librdkafka retries
                records.append(json.loads(value))
                written_at = msg.timestamp()[1] / 1000
        return records, written_at

    def where(self) -> str:
        return f"topic {self.topic} on {self.servers}"
