"""The rankings' outbox: every window it releases, numbered, kept before it is emitted
and until the window sink has it durably.

The rankings keeps no counts, only windows on their way out, and a tuple from it to
the window sink is not tracked by Storm (it is not a spout's). So each window gets the
next number of its metric (``seq``: 0, 1, 2, ... per metric, the order the sink writes
in) and goes into the outbox (one append, which a ``kill -9`` cannot undo in a folder,
and which Kafka has once the store syncs) before it is emitted. The outbox is made
durable before the rankings tells the window tasks that they may forget the reports
behind it (:mod:`logstorm.protocol.sent_reports`). What the sink did not get (its
progress stops short of what was sent: :mod:`logstorm.protocol.sink_order`) is sent
again from here; once the outbox holds ``compact_after`` windows it is rewritten
without those the sink reports durable.

The outbox is a log of the rankings' own state (:mod:`logstorm.state`); nobody else
reads it.

>>> import tempfile
>>> from logstorm.state.dir_store import DirStore
>>> store = DirStore(tempfile.mkdtemp())
>>> box = Outbox(store, compact_after=2)
>>> box.append([numbered(0, {"metric": "url", "window_end": 10}),
...             numbered(1, {"metric": "url", "window_end": 11})])
>>> box.sync(durable={"url": 1})          # the sink has window 0 of url for good
>>> [entry["seq"] for entry in Outbox(store).entries]
[1]
>>> newest_ends(box.entries), next_seqs(box.entries)
({'url': 11}, {'url': 2})
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from logstorm.state.names import RANKINGS_OUTBOX
from logstorm.state.store import StateStore
from logstorm.watermarks import NO_WATERMARK

COMPACT_AFTER = 10_000  # windows: about 2.5 h of live output, a few MiB


def numbered(seq: int, window: dict[str, Any]) -> dict[str, Any]:
    """An outbox entry: a window and its number among its metric's windows."""
    return {"seq": seq, "window": window}


class Outbox:
    """The released windows, numbered; ``sync`` makes them durable and compacts."""

    def __init__(self, store: StateStore, compact_after: int = COMPACT_AFTER) -> None:
        self.store = store
        self.log = store.log(RANKINGS_OUTBOX)
        self.compact_after = compact_after
        self.entries: list[dict[str, Any]] = self.log.records()  # oldest first

    def append(self, entries: list[dict[str, Any]]) -> None:
        """Add numbered windows, in one write."""
        self.log.append(entries)
        self.entries.extend(entries)

    def since(self, metric: str, seq: int) -> list[dict[str, Any]]:
        """The entries of metric numbered seq and after, oldest first."""
        return [e for e in self.entries if e["window"]["metric"] == metric and e["seq"] >= seq]

    def sync(self, durable: dict[str, int]) -> None:
        """Make what was appended durable; past ``compact_after`` windows, drop those
        below ``durable`` (metric -> the first number the sink has not made durable)."""
        self.store.sync()
        if len(self.entries) < self.compact_after:
            return
        kept = [e for e in self.entries if e["seq"] >= durable.get(e["window"]["metric"], 0)]
        self.log.rewrite(kept)
        self.entries = kept


def newest_ends(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Metric -> the newest window_end among the entries' windows."""
    ends: dict[str, int] = {}
    for entry in entries:
        window = entry["window"]
        ends[window["metric"]] = max(ends.get(window["metric"], NO_WATERMARK),
                                     window["window_end"])  # fmt: skip
    return ends


def next_seqs(entries: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Metric -> the number after the highest among the entries."""
    seqs: dict[str, int] = {}
    for entry in entries:
        metric = entry["window"]["metric"]
        seqs[metric] = max(seqs.get(metric, 0), entry["seq"] + 1)
    return seqs


def resumed_released(record: dict[str, int], entries: list[dict[str, Any]],
                     metrics: Iterable[str]) -> dict[str, int]:  # fmt: skip
    """Per metric, the watermark up to which a restarted rankings has released every
    window: the later of its record and the newest window in its outbox (appended
    before the record caught up), so nothing is released twice.

    >>> resumed_released({"url": 10, "status": 5},
    ...                  [numbered(7, {"metric": "url", "window_end": 12})], ["url", "status"])
    {'url': 12, 'status': 5}
    """
    ends = newest_ends(entries)
    return {m: max(record.get(m, NO_WATERMARK), ends.get(m, NO_WATERMARK)) for m in metrics}
