"""What a window task sent and the rankings may not have made durable: kept until the
rankings says its windows are out, sent again whenever the rankings asks.

A window task with a state store sends ``(since, watermark, reports)`` as windows
close, unanchored, and journals that it closed them (in processing time its watermark
is the end of its newest closed slide). Two crashes would lose such reports for
good: the task's worker dying with the tuple on its way (the restarted task resumes
past those windows), and the rankings dying with them received but their windows not
yet out (a new rankings starts empty). So each task keeps what it sent in its state
(written before the journal). About once a second, once its outbox is durable, the
rankings sends every window task its record on the ``released`` stream (and keeps it
in its own state): per metric, the watermark up to which every window is out, and an
``epoch`` it raises when it starts and when it finds reports missing. A task forgets
what is released, and sends the rest again when it sees a new epoch.

``since`` chains a task's reports: the watermark of the last message that carried
some. The rankings takes a message only if ``since`` is at or below what it has from
that task; a higher one means a message was lost (:class:`logstorm.output.rankings.
WatermarkMerger`), and it asks for the rest again.

>>> import tempfile
>>> from logstorm.state.dir_store import DirStore
>>> run = DirStore(tempfile.mkdtemp())
>>> sent = SentReports(run, "url_window-3.sent.json")
>>> sent.add(10, [["url", 10, 300, 1, 2, 1, [["/a", 2]]]]), sent.add(12, [])
(None, 10)
>>> sent.add(15, [["url", 15, 300, 1, 1, 1, [["/b", 1]]]])
10
>>> record = Released(epoch=1, metrics={"url": 10})  # every url window ending by 10 is out
>>> sent.save(record.upto("url"))
>>> [since for since, _, _ in SentReports(run, "url_window-3.sent.json").unreleased(10)]
[10]
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from logstorm.state.names import RANKINGS_RELEASED
from logstorm.state.store import StateStore
from logstorm.streams import ReleasedTuple
from logstorm.watermarks import NO_WATERMARK


@dataclass(frozen=True)
class Released:
    """The rankings' record: ``epoch`` and, per metric, the watermark up to which every
    window is out (in its outbox) and ``seq``, the number its next window gets."""

    epoch: int = 0
    metrics: dict[str, int] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)

    def upto(self, metric: str) -> int:
        """Every window of metric ending at or before this is out (NO_WATERMARK: none)."""
        return self.metrics.get(metric, NO_WATERMARK)

    def message(self) -> ReleasedTuple:
        """The ``released`` stream's tuple."""
        return ReleasedTuple(self.epoch, dict(self.metrics))


def write_released(store: StateStore, record: Released) -> None:
    """Keep the rankings' record (durable at the store's next sync)."""
    store.put(
        RANKINGS_RELEASED, {"epoch": record.epoch, "released": record.metrics, "seq": record.seq}
    )


def read_released(store: StateStore) -> Released:
    """The rankings' last record (epoch 0 and nothing released before its first)."""
    data = store.get(RANKINGS_RELEASED)
    if data is None:
        return Released()
    return Released(data["epoch"], data["released"], data.get("seq", {}))


class SentReports:
    """One window task's sent ``[since, watermark, reports]``, oldest first, until
    released, and the chain link ``last`` (the watermark of the newest message that
    carried reports)."""

    def __init__(self, store: StateStore, name: str) -> None:
        self.store, self.name = store, name
        data = store.get(name) or {"last": None, "sent": []}
        self.last: int | None = data["last"]
        self.sent: list[list[Any]] = data["sent"]
        self.changed = False

    def add(self, watermark: int, reports: list[Any]) -> int | None:
        """Something about to be sent; returns its ``since``."""
        since = self.last
        if reports:
            self.sent.append([since, watermark, reports])
            self.last, self.changed = watermark, True
        return since

    def unreleased(self, released_upto: int) -> list[list[Any]]:
        """What may not be out yet, oldest first: each ``[since, watermark, reports]``."""
        return self.after(released_upto)

    def newest(self) -> int:
        """The watermark of the newest entry kept (NO_WATERMARK: none)."""
        return self.sent[-1][1] if self.sent else NO_WATERMARK

    def after(self, watermark: int) -> list[list[Any]]:
        """The entries newer than watermark, oldest first (entries come in watermark
        order)."""
        return self.sent[bisect_right(self.sent, watermark, key=itemgetter(1)) :]

    def save(self, released_upto: int) -> None:
        """Forget what is out, and write the rest (before the journal)."""
        kept = self.unreleased(released_upto)
        if kept != self.sent or self.changed:
            self.sent, self.changed = kept, False
            self.store.put(self.name, {"last": self.last, "sent": self.sent})
