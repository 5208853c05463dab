"""Where results go: JSON-lines files, a readable table for the console, and the
running tally of what could not be counted."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

from logstorm.jsonl_file import JsonLinesFile, rotated_paths
from logstorm.metrics import METRICS
from logstorm.parsing.combiner import LATE

WINDOW_FIELDS = (
    "metric", "time", "window_end", "window_secs", "slide_secs", "total", "distinct", "top",
    "partial",
)  # fmt: skip


def window_record(window: dict[str, Any]) -> dict[str, Any]:
    """A window with its fields in the documented order (a dict that crossed Storm as a
    Java map comes back in any order), so equal windows are equal JSON lines."""
    return {name: window[name] for name in WINDOW_FIELDS if name in window}


class WindowFile:
    """The window sink's JSON lines: each window of a metric once, by ``window_end``.

    A metric's windows come in window order (with a state store, put back in order by
    :mod:`logstorm.protocol.sink_order`), some again after a crash; a window at or
    before the newest of its metric in the file (for this time mode) is already there
    and is skipped. So
    replays and restarts write every window exactly once, also across topology runs
    over the same file: delete the file (or choose another) to analyse a log again.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "windows.jsonl"
    >>> out = WindowFile(path, "event")
    >>> [out.write({"metric": "url", "time": "event", "window_end": e}) for e in (10, 11)]
    [True, True]
    >>> WindowFile(path, "event").write({"metric": "url", "time": "event", "window_end": 11})
    False
    """

    def __init__(
        self, path: str | os.PathLike[str], time: str, max_bytes: int | None = None, keep: int = 1
    ) -> None:
        self.file = JsonLinesFile(path, max_bytes, keep)  # a line a crash cut is written again
        self.time = time
        self.newest: dict[str, int] = {}
        for rotated in rotated_paths(Path(path), keep):  # newest first
            for metric, end in newest_windows(rotated, time).items():
                self.newest.setdefault(metric, end)

    def write(self, window: dict[str, Any]) -> bool:
        """Append window unless the file (or a rotated copy) has it; return whether it
        was written."""
        if window["window_end"] <= self.newest.get(window["metric"], -1):
            return False
        self.file.write(window)
        self.newest[window["metric"]] = window["window_end"]
        return True


class WindowTopic:
    """The windows topic written in the Kafka state's transactions (the window sink's,
    :class:`logstorm.state.kafka_store.KafkaStore` with a transactional id): the store's
    ``sync`` commits the windows produced since with the sink's progress
    (:mod:`logstorm.protocol.sink_order`), so the topic's committed records hold each
    window once: what a crash left uncommitted is aborted and written again.

    >>> class Store:  # a stand-in for the transactional KafkaStore
    ...     def __init__(self): self.sent = []
    ...     def produce(self, topic, key, value): self.sent.append((topic, key))
    >>> topic = WindowTopic(Store(), "windows")
    >>> topic.write({"metric": "url", "window_end": 11})
    >>> topic.store.sent
    [('windows', b'url')]
    """

    def __init__(self, store: Any, topic: str) -> None:
        self.store, self.topic = store, topic

    def write(self, window: dict[str, Any]) -> None:
        """Produce window in the store's open transaction."""
        self.store.produce(self.topic, window["metric"].encode(), window_json(window))


def window_json(window: dict[str, Any]) -> bytes:
    """A window as the UTF-8 JSON of a topic record."""
    return json.dumps(window, ensure_ascii=False).encode()


def newest_windows(path: str | os.PathLike[str], time: str, block: int = 65536) -> dict[str, int]:
    """Metric -> window_end of the last window of that time mode in a JSON-lines file,
    read from the end back until every metric of the analyzer was found."""
    newest: dict[str, int] = {}
    if not os.path.exists(path):
        return newest
    with open(path, "rb") as fh:
        end = fh.seek(0, os.SEEK_END)
        tail = b""
        while end > 0 and len(newest) < len(METRICS):
            start = max(0, end - block)
            fh.seek(start)
            data = fh.read(end - start) + tail
            lines = data.split(b"\n")
            tail = lines.pop(0) if start > 0 else b""  # may be a line's second half
            for line in reversed(lines):
                record = _window_or_none(line)
                if record is not None and record.get("time") == time:
                    newest.setdefault(record["metric"], record["window_end"])
            end = start
    return newest


def _window_or_none(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except ValueError:  # blank, or not written by this sink
        return None
    return record if isinstance(record, dict) and "window_end" in record else None


def window_table(window: dict[str, Any]) -> str:
    """A window as a small sorted table, like the course's ``pprint()`` of a DStream."""
    end = time.strftime("%H:%M:%S", time.gmtime(window["window_end"]))
    head = (
        f"{window['metric']} window ending {end}Z "
        f"(last {window['window_secs']}s, every {window['slide_secs']}s): "
        f"{window['total']} requests, {window['distinct']} distinct"
    )
    if "partial" in window:
        head += f" [partial: {window['partial']}]"
    if not window["top"]:
        return head
    width = max(len(str(count)) for _, count in window["top"])
    rows = [f"  {count:>{width}}  {key}" for key, count in window["top"]]
    return "\n".join([head, *rows])


class ErrorTally:
    """How many lines were left out, and why: malformed (by reason) and late (by metric),
    and how many of them the errors file does not show (its sample budget was spent:
    :mod:`logstorm.output.error_samples`).

    It is the answer to "how much did the windows miss?", kept next to the errors file
    as ``{"late": {metric: n}, "malformed": {reason: n}, "not_written": n}``.

    >>> tally = ErrorTally()
    >>> tally.add("late", "url", 3); tally.add("bad quote", None, 2); tally.not_written += 4
    >>> tally.as_dict()
    {'late': {'url': 3}, 'malformed': {'bad quote': 2}, 'not_written': 4}
    """

    def __init__(self) -> None:
        self.late: Counter[str] = Counter()
        self.malformed: Counter[str] = Counter()
        self.not_written = 0

    @classmethod
    def resumed(cls, path: str | os.PathLike[str]) -> ErrorTally:
        """The tally a sink wrote to path before it stopped (an empty one if none, or if
        it is not a tally): a restarted sink goes on from it."""
        tally = cls()
        try:
            saved = json.loads(Path(path).read_text())
        except (FileNotFoundError, ValueError):
            return tally
        if isinstance(saved, dict):
            tally.late.update(_whole_counts(saved.get("late")))
            tally.malformed.update(_whole_counts(saved.get("malformed")))
            not_written = saved.get("not_written")
            tally.not_written = not_written if isinstance(not_written, int) else 0
        return tally

    def add(self, reason: str, metric: str | None, n: int) -> None:
        """Count n lines left out for reason (late ones: for metric)."""
        if reason == LATE:
            self.late[str(metric)] += n
        else:
            self.malformed[reason] += n

    def as_dict(self) -> dict[str, Any]:
        """The tally as JSON-ready counts, keys sorted."""
        return {
            "late": dict(sorted(self.late.items())),
            "malformed": dict(sorted(self.malformed.items())),
            "not_written": self.not_written,
        }


def _whole_counts(value: Any) -> dict[str, int]:
    """The whole-number counts of a saved tally's dict (nothing if it is not one)."""
    if not isinstance(value, dict):
        return {}
    return {str(key): n for key, n in value.items() if isinstance(n, int)}


def tally_path(errors_path: str | os.PathLike[str]) -> Path:
    """Where the tally of an errors file is kept: ``errors.jsonl`` -> ``errors.counts.json``."""
    path = Path(errors_path)
    return path.with_name(path.name.removesuffix(".jsonl") + ".counts.json")
