"""The rankings' part in the protocol: number each window, keep it in the outbox,
tell the window tasks what is out, and send the sink again what it did not get.

Messages (all unanchored tuples; :mod:`logstorm.protocol` has the whole picture):

- in, from each window task: ``[metric, since, watermark, reports]``, merged by the
  :class:`~logstorm.output.rankings.WatermarkMerger` the releaser was given;
- out, to the window sink: ``[window, seq]``, each window after it is in the outbox;
- out, to every window task (``released`` stream), about once a second after the
  outbox and the record are durable: ``[epoch, {metric: watermark}]``;
- in, from the window sink (``progress`` stream): ``[received, durable]``, each
  ``{metric: next seq}``. A sink whose ``received`` did not move since its last
  report while windows are out beyond it lost some (or was restarted): those are
  sent again.

>>> import tempfile
>>> from logstorm.output.rankings import WatermarkMerger
>>> from logstorm.windows.report import WindowReport
>>> from logstorm.state.dir_store import DirStore
>>> store = DirStore(tempfile.mkdtemp())
>>> rankings = Releaser(store, WatermarkMerger({"url": 1}, top_n=3), ["url"])
>>> report = WindowReport("url", 10, 10, 1, 4, 1, [("/a", 4)])
>>> [(w["window_end"], seq) for w, seq in rankings.release(
...     rankings.merger.add(7, "url", None, 10, [report]))]
[(10, 0)]
>>> rankings.sync()                     # to every window task: epoch, what is out
ReleasedTuple(epoch=1, released={'url': 10})
>>> rankings.hear_sink({"url": 0}, {}), rankings.hear_sink({"url": 0}, {})  # stuck at 0
([], [({'metric': 'url', 'time': 'event', 'window_end': 10, 'window_secs': 10, \
'slide_secs': 1, 'total': 4, 'distinct': 1, 'top': [['/a', 4]]}, 0)])
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from logstorm.output.rankings import WatermarkMerger
from logstorm.protocol.outbox import Outbox, next_seqs, numbered, resumed_released
from logstorm.protocol.sent_reports import Released, read_released, write_released
from logstorm.state.store import StateStore
from logstorm.streams import ReleasedTuple

SYNC_EVERY_SECS = 1.0


class Releaser:
    """What the rankings does with a state store; it takes over its predecessor's
    outbox and record (the merger's ``released``, the numbers, a raised epoch)."""

    def __init__(self, store: StateStore, merger: WatermarkMerger, metrics: Iterable[str]) -> None:
        self.store, self.merger = store, merger
        self.outbox = Outbox(store)
        record = read_released(store)
        entries = self.outbox.entries
        merger.released.update(resumed_released(record.metrics, entries, metrics))
        outbox_seqs = next_seqs(entries)
        self.next_seq = {m: max(record.seq.get(m, 0), outbox_seqs.get(m, 0)) for m in metrics}
        self.epoch = record.epoch + 1  # every window task sends what is not out again
        self.asked: set[tuple[str, int]] = set()
        self.sink_received: dict[str, int] | None = None  # the sink's last report
        self.sink_durable: dict[str, int] = {}
        self.next_sync = 0.0

    def release(self, windows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
        """Number windows and append them to the outbox; return ``(window, seq)`` to emit."""
        entries = []
        for window in windows:
            metric = window["metric"]
            entries.append(numbered(self.next_seq[metric], window))
            self.next_seq[metric] += 1
        if entries:
            self.outbox.append(entries)  # before they leave: the sink may die with them
        return [(e["window"], e["seq"]) for e in entries]

    def sync_due(self) -> bool:
        """Whether to sync now: a second passed, or a task's report went missing."""
        return bool(self.merger.gaps - self.asked) or time.monotonic() >= self.next_sync

    def sync(self) -> ReleasedTuple:
        """Make the outbox durable, then the record; return the ``released`` tuple."""
        self.outbox.sync(self.sink_durable)
        if self.merger.gaps:  # ask (again, until the tasks' resends arrive)
            self.epoch += 1
        self.asked = set(self.merger.gaps)
        record = Released(self.epoch, dict(self.merger.released), dict(self.next_seq))
        write_released(self.store, record)
        self.store.sync()
        self.next_sync = time.monotonic() + SYNC_EVERY_SECS
        return record.message()

    def hear_sink(
        self, received: dict[str, int], durable: dict[str, int]
    ) -> list[tuple[dict[str, Any], int]]:
        """The sink's progress; return the ``(window, seq)`` to send it again."""
        before, self.sink_received = self.sink_received, received
        self.sink_durable = durable
        again = []
        for metric, next_seq in self.next_seq.items():
            got = received.get(metric, 0)
            if before is not None and got < next_seq and got <= before.get(metric, 0):
                again += [(e["window"], e["seq"]) for e in self.outbox.since(metric, got)]
        return again
