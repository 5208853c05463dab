"""The rankings' outbox: every window it releases, on disk before it is emitted.

The rankings keeps no counts, only windows on their way out, and a tuple from it to
the window sink is not tracked by Storm (it is not a spout's). So a window goes into
the outbox (one ``write``, which a ``kill -9`` cannot undo) before it is emitted, and
the outbox is made durable before the rankings tells the window tasks that they may forget
the reports behind it (:mod:`logstorm.windows.resend`). A restarted window sink
writes what the outbox has beyond its file; a restarted rankings releases nothing the
outbox already has. Once the outbox holds ``compact_after`` windows it is rewritten
without those the sink has made durable.

The outbox is a log of the run's state store (:mod:`logstorm.state`), which the
window sink reaches from any host.

>>> import tempfile
>>> from logstorm.state.dir_store import DirStore
>>> store = DirStore(tempfile.mkdtemp())
>>> box = Outbox(store, compact_after=2)
>>> box.append([{"metric": "url", "window_end": 10}, {"metric": "url", "window_end": 11}])
>>> box.sync(written={"url": 10})
>>> store.log(OUTBOX).records()
[{'metric': 'url', 'window_end': 11}]
>>> newest_ends(store.log(OUTBOX).records())
{'url': 11}
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from logstorm.sources.watermark import NO_WATERMARK
from logstorm.state.store import StateStore

COMPACT_AFTER = 10_000  # windows: about 2.5 h of live output, a few MiB
OUTBOX = "rankings.outbox.jsonl"  # in the run's state folder
SINK_PROGRESS = "window_sink.json"  # metric -> newest window_end the sink made durable


class Outbox:
    """Appends released windows to the run's outbox; ``sync`` makes them durable and
    compacts."""

    def __init__(self, store: StateStore, compact_after: int = COMPACT_AFTER) -> None:
        self.store = store
        self.log = store.log(OUTBOX)
        self.compact_after = compact_after
        self.count = len(self.log.records())

    def windows(self) -> list[dict[str, Any]]:
        """The windows in the outbox, oldest first."""
        return self.log.records()

    def append(self, windows: list[dict[str, Any]]) -> None:
        """Add windows, in one write."""
        self.log.append(windows)
        self.count += len(windows)

    def sync(self, written: dict[str, int]) -> None:
        """Make what was appended durable; past ``compact_after`` windows, drop those at
        or before ``written`` (metric -> newest window_end the sink has made durable)."""
        self.store.sync()
        if self.count < self.compact_after:
            return
        kept = [w for w in self.log.records() if w["window_end"] > written.get(w["metric"], -1)]
        self.log.rewrite(kept)
        self.count = len(kept)


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


def write_sink_progress(store: StateStore, newest: dict[str, int]) -> None:
    """The window sink's record of what it wrote durably (for the outbox's compaction)."""
    store.put(SINK_PROGRESS, newest)


def sink_progress(store: StateStore) -> dict[str, int]:
    """What the window sink last recorded ({} before its first record)."""
    return store.get(SINK_PROGRESS) or {}
