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
>>> task = ReportSender(DirStore(tempfile.mkdtemp()), "url_window-7", "url", counter,
...                     max_in_flight=1)
>>> counter.add_chunk("c1", 0, [(1000, "/a", 2)])  # counted (not a replay)
True
>>> [m.values()[:3] for m in task.send(1001, counter.advance(1001))]
[['url', None, 1001]]
>>> task.save(counter)                     # heartbeat: last reports at 1001, watermark 1001
ReportsTuple(metric='url', since=1001, watermark=1001, reports=[])
>>> len(task.hear_released(1, {})), len(task.hear_released(1, {}))   # a new epoch: again
(1, 0)

At most ``max_in_flight`` reports (here 1) beyond what the rankings said is out:

>>> counter.add_chunk("c2", 1001, [(1001, "/b", 1)])
True
>>> task.send(1002, counter.advance(1002))  # held: 1001's report is not out yet
[]
>>> task.save(counter).since               # the heartbeat claims only what went
1001
>>> [m.watermark for m in task.hear_released(1, {"url": 1001})]  # 1001 out: 1002 goes
[1002]
"""

from __future__ import annotations

from collections import deque
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


MAX_REPORTS_IN_FLIGHT = 4000  # per window task; a report is about 1.5 KB in a worker


class ReportSender:
    """One window task's journal and sent reports in its state store, under ``name``
    (``<component>-<task>``); ``resumed`` says whether the counter was restored.

    Reports are unanchored, so Storm's flow control (``topology.max.spout.pending``)
    does not bound them: a task sends at most ``max_in_flight`` reports beyond what the
    rankings said is out (always at least one message), and holds the rest, in order,
    until the rankings' next record. Without that bound, a rankings that was down for a
    while gets every task's backlog at once when it asks for it, more than a worker's
    heap holds (a worker out of memory, restarted, asking again: a loop). A task that
    holds reports tells its watermark only up to what it sent.
    """

    def __init__(self, store: Any, name: str, metric: str, counter: Journaled,
                 max_in_flight: int = MAX_REPORTS_IN_FLIGHT) -> None:  # fmt: skip
        self.store, self.metric = store, metric
        self.journal = WindowJournal(store.log(window_journal(name)))
        self.sent = SentReports(store, sent_reports(name))
        self.resumed = self.journal.restore(counter)
        self.epoch: int | None = None  # the rankings' epoch last heard (None: not yet)
        self.released_upto = NO_WATERMARK
        self.max_in_flight = max_in_flight
        self.sent_upto = NO_WATERMARK  # the watermark of the newest message let out
        self.in_flight: deque[tuple[int, int]] = deque()  # (watermark, reports) let out
        self.reports_in_flight = 0  # their sum

    def send(self, watermark: int, reports: list[Any]) -> list[ReportsTuple]:
        """The messages to send now, after reports (WindowReports) closed at watermark;
        each kept until out. A message without reports goes only if nothing is held."""
        message = report_message(self.metric, None, watermark, reports)
        since = self.sent.add(watermark, message.reports)  # since: chained to the last
        if message.reports:
            return self._due()
        return [] if self.holds() else [replace(message, since=since)]

    def hear_released(self, epoch: int, released: dict[str, int]) -> list[ReportsTuple]:
        """The rankings' record; return the messages to send (again), oldest first: on a
        new epoch everything not out, within the bound."""
        self.released_upto = released.get(self.metric, NO_WATERMARK)
        while self.in_flight and self.in_flight[0][0] <= self.released_upto:
            self.reports_in_flight -= self.in_flight.popleft()[1]
        if epoch != self.epoch:
            self.epoch = epoch
            self.sent_upto = self.released_upto
            self.in_flight.clear()
            self.reports_in_flight = 0
        return self._due()

    def holds(self) -> bool:
        """Whether reports wait for the rankings to take what is in flight."""
        return self.sent.newest() > self.sent_upto

    def _due(self) -> list[ReportsTuple]:
        """Let out the held messages, oldest first, while the bound allows."""
        due = []
        for since, watermark, reports in self.sent.after(self.sent_upto):
            in_flight = self.reports_in_flight
            if in_flight and in_flight + len(reports) > self.max_in_flight:
                break
            due.append(ReportsTuple(self.metric, since, watermark, reports))
            self.in_flight.append((watermark, len(reports)))
            self.reports_in_flight += len(reports)
            self.sent_upto = watermark
        return due

    def save(self, counter: Any) -> ReportsTuple | None:
        """Forget what is out, journal the counts, make both durable (then the bolt may
        ack); return the heartbeat to send (None before any watermark): the chain link
        and the watermark, or while reports are held the link before them."""
        self.sent.save(self.released_upto)  # before the journal says windows closed
        self.journal.save(counter)
        self.store.sync()
        if self.holds():
            link = self.sent.after(self.sent_upto)[0][0]
            return None if link is None else ReportsTuple(self.metric, link, link, [])
        if counter.watermark == NO_WATERMARK:
            return None
        return ReportsTuple(self.metric, self.sent.last, counter.watermark, [])
