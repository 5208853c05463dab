"""A window task's part in the protocol: journal the counts, keep what was sent until
it is out, send it again when the rankings asks.

- out, to the rankings: ``[metric, since, watermark, reports]`` as windows close
  (:meth:`ReportSender.send`), and a heartbeat ``[metric, last, watermark, []]`` at
  each save, so a lost last message is noticed by its successor's ``since``;
- in, from the rankings (``released`` stream): ``[epoch, {metric: watermark}]``
  (:meth:`ReportSender.hear_released`): what is out may be forgotten, and a new
  epoch (a restarted rankings, or one that found a report missing) asks for the rest.

The bolt acknowledges its input tuples only after :meth:`ReportSender.save`: the
sent reports, then the journal, durable in the task's state (:mod:`logstorm.state`).

>>> import tempfile
>>> from logstorm.state.dir_store import DirStore
>>> from logstorm.windows.event_time import EventWindowCounter
>>> counter = EventWindowCounter("url", 10, 1, 3)
>>> task = ReportSender(DirStore(tempfile.mkdtemp()), "url_window-7", "url", counter)
>>> counter.add_chunk("c1", 0, [(1000, "/a", 2)])  # counted (not a replay)
True
>>> task.send(1001, counter.advance(1001)).values()[:3]
['url', None, 1001]
>>> task.save(counter)                     # heartbeat: last reports at 1001, watermark 1001
ReportsTuple(metric='url', since=1001, watermark=1001, reports=[])
>>> len(task.hear_released(1, {})), len(task.hear_released(1, {}))   # a new epoch: again
(1, 0)
"""

from __future__ import annotations

from dataclasses import astuple, replace
from typing import Any

from logstorm.protocol.journal import Journaled, WindowJournal
from logstorm.protocol.sent_reports import SentReports
from logstorm.state.names import sent_reports, window_journal
from logstorm.streams import ReportsTuple
from logstorm.watermarks import NO_WATERMARK


def report_message(metric: str, since: int | None, watermark: int | None,
                   reports: list[Any]) -> ReportsTuple:  # fmt: skip
    """A window task's tuple to the rankings, each WindowReport as a tuple (without a
    state store ``since`` is None)."""
    return ReportsTuple(metric, since, watermark, [astuple(r) for r in reports])


class ReportSender:
    """One window task's journal and sent reports in its state store, under ``name``
    (``<component>-<task>``); ``resumed`` says whether the counter was restored."""

    def __init__(self, store: Any, name: str, metric: str, counter: Journaled) -> None:
        self.store, self.metric = store, metric
        self.journal = WindowJournal(store.log(window_journal(name)))
        self.sent = SentReports(store, sent_reports(name))
        self.resumed = self.journal.restore(counter)
        self.epoch: int | None = None  # the rankings' epoch last heard (None: not yet)
        self.released_upto = NO_WATERMARK

    def send(self, watermark: int, reports: list[Any]) -> ReportsTuple:
        """The message for reports (WindowReports) closed at watermark; kept until out."""
        message = report_message(self.metric, None, watermark, reports)
        # since: chained to the last
        return replace(message, since=self.sent.add(watermark, message.reports))

    def hear_released(self, epoch: int, released: dict[str, int]) -> list[ReportsTuple]:
        """The rankings' record; return the messages to send again, oldest first."""
        self.released_upto = released.get(self.metric, NO_WATERMARK)
        if epoch == self.epoch:
            return []
        self.epoch = epoch
        return [ReportsTuple(self.metric, *entry)
                for entry in self.sent.unreleased(self.released_upto)]  # fmt: skip

    def save(self, counter: Any) -> ReportsTuple | None:
        """Forget what is out, journal the counts, make both durable (then the bolt may
        ack); return the heartbeat to send (None before any watermark)."""
        self.sent.save(self.released_upto)  # before the journal says windows closed
        self.journal.save(counter)
        self.store.sync()
        if counter.watermark == NO_WATERMARK:
            return None
        return ReportsTuple(self.metric, self.sent.last, counter.watermark, [])
