"""The rankings' outbox: every window it releases, on disk before it is emitted.

The rankings keeps no counts, only windows on their way out, and a tuple from it to
the window sink is not tracked by Storm (it is not a spout's). So a window goes into
the outbox (one ``write``, which a ``kill -9`` cannot undo) before it is emitted, and
the outbox is fsync'd before the rankings tells the window tasks that they may forget
the reports behind it (:mod:`logstorm.windows.resend`). A restarted window sink
writes what the outbox has beyond its file; a restarted rankings releases nothing the
outbox already has. Once the outbox holds ``compact_after`` windows it is rewritten
without those the sink has made durable.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "rankings.outbox.jsonl"
>>> box = Outbox(path, compact_after=2)
>>> box.append([{"metric": "url", "window_end": 10}, {"metric": "url", "window_end": 11}])
>>> box.sync(written={"url": 10})
>>> read_outbox(path)
[{'metric': 'url', 'window_end': 11}]
>>> newest_ends(read_outbox(path))
{'url': 11}
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from logstorm.atomic import write_json_atomic, write_text_atomic
from logstorm.jsonl_file import JsonLinesFile, jsonl
from logstorm.output.follow import complete_records
from logstorm.sources.watermark import NO_WATERMARK

COMPACT_AFTER = 10_000  # windows: about 2.5 h of live output, a few MiB
OUTBOX = "rankings.outbox.jsonl"  # in the run's state folder
SINK_PROGRESS = "window_sink.json"  # metric -> newest window_end the sink has on disk


class Outbox:
    """Appends released windows to path; ``sync`` makes them durable and compacts."""

    def __init__(self, path: str | os.PathLike[str], compact_after: int = COMPACT_AFTER) -> None:
        self.path = Path(path)
        self.compact_after = compact_after
        self.file = JsonLinesFile(self.path)  # a line a crash cut is no window
        self.count = len(read_outbox(self.path))

    def append(self, windows: list[dict[str, Any]]) -> None:
        """Add windows, in one write."""
        self.file.write_all(windows)
        self.count += len(windows)

    def sync(self, written: dict[str, int]) -> None:
        """Make what was appended durable; past ``compact_after`` windows, drop those at
        or before ``written`` (metric -> newest window_end the sink has on disk)."""
        self.file.sync()
        if self.count < self.compact_after:
            return
        kept = [w for w in read_outbox(self.path) if w["window_end"] > written.get(w["metric"], -1)]
        write_text_atomic(self.path, jsonl(kept))
        self.file.close()
        self.file = JsonLinesFile(self.path)
        self.count = len(kept)


def read_outbox(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The windows in an outbox, oldest first (a last line cut by a crash is not one)."""
    return complete_records(path)


def newest_ends(windows: list[dict[str, Any]]) -> dict[str, int]:
    """Metric -> the newest window_end among windows."""
    ends: dict[str, int] = {}
    for window in windows:
        ends[window["metric"]] = max(ends.get(window["metric"], window["window_end"]),
                                     window["window_end"])  # fmt: skip
    return ends


def resumed_released(record: dict[str, int], outbox: list[dict[str, Any]],
                     metrics: Iterable[str]) -> dict[str, int]:  # fmt: skip
    """Per metric, the watermark up to which a restarted rankings has released every
    window: the later of its record (``released.json``) and the newest window in its
    outbox (appended before the record caught up), so nothing is released twice.

    >>> resumed_released({"url": 10, "status": 5}, [{"metric": "url", "window_end": 12}],
    ...                  ["url", "status"])
    {'url': 12, 'status': 5}
    """
    ends = newest_ends(outbox)
    return {m: max(record.get(m, NO_WATERMARK), ends.get(m, NO_WATERMARK)) for m in metrics}


def write_sink_progress(run_dir: str | os.PathLike[str], newest: dict[str, int]) -> None:
    """The window sink's record of what its file has durably (for the outbox's compaction)."""
    write_json_atomic(Path(run_dir) / SINK_PROGRESS, newest)


def sink_progress(run_dir: str | os.PathLike[str]) -> dict[str, int]:
    """What the window sink last recorded ({} before its first record)."""
    try:
        return json.loads((Path(run_dir) / SINK_PROGRESS).read_text())
    except (FileNotFoundError, ValueError):
        return {}
