"""RankingsBolt: merges the window tasks' reports into the exact global top N."""

from __future__ import annotations

import time
from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.output.outbox import Outbox, newest_ends, resumed_released, sink_progress
from logstorm.output.rankings import WatermarkMerger, WindowMerger, WindowReport
from logstorm.run_state import open_state
from logstorm.tasks import task_count
from logstorm.windows.resend import released, write_released

SYNC_EVERY_SECS = 1.0


class RankingsBolt(Bolt):
    """Global (one task): merges the window tasks' reports of a window into one and
    emits it as a dict, once complete: in processing time when every task reported
    it, in event time (and in processing time with a state folder) when every task's
    watermark passed its end.

    With a state store (:mod:`logstorm.state`) each window goes into the outbox before
    it is emitted (:mod:`logstorm.output.outbox`), and about once a second the outbox
    is made durable and the rankings records up to which watermark every window is out
    (``released.json``), so the window tasks forget the reports behind it and send the
    rest again when it asks: after its own restart, and when it finds a task's report
    missing (:mod:`logstorm.windows.resend`). A restarted rankings thus loses no window and
    releases none twice.
    """

    outputs = ["window"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        self.context = context
        options = opt.read_logs_options(storm_conf)
        self.by_report = WindowMerger({}, options[opt.TOP])
        self.by_watermark = WatermarkMerger(
            self.by_report.expected, options[opt.TOP], time=options[opt.TIME]
        )
        self.outbox: Outbox | None = None
        self.next_sync = 0.0
        self.asked: set[tuple[str, int]] = set()
        self.state = open_state(options, storm_conf, context)
        if self.state is not None:
            self.outbox = Outbox(self.state)
            record = released(self.state)
            outbox = self.outbox.windows()
            self.by_report.released.update(newest_ends(outbox))
            self.by_watermark.released.update(resumed_released(record.metrics, outbox, opt.WINDOWS))
            self.epoch = record.epoch + 1  # every window task sends what is not out again
            self._sync()

    def process(self, tup: Tuple) -> None:
        metric, since, watermark, reports = tup.values
        if metric not in self.by_report.expected:  # how many tasks report it
            self.by_report.expected[metric] = task_count(self.context, tup.component)
        reports = [WindowReport(*r) for r in reports]
        if watermark is None:
            windows = [w for r in reports for w in self.by_report.add(tup.task, r)]
        else:
            windows = self.by_watermark.add(tup.task, metric, since, watermark, reports)
        if windows and self.outbox is not None:
            self.outbox.append(windows)  # before they leave: the sink may die with them
        for window in windows:
            self.emit([window])
        if self.outbox is None:
            return
        if self.by_watermark.gaps - self.asked:  # a report was lost on its way here
            self.next_sync = 0.0
        if time.monotonic() >= self.next_sync:
            self._sync()

    def _sync(self) -> None:
        self.outbox.sync(sink_progress(self.state))
        if self.by_watermark.gaps:  # ask (again, until the tasks' resends arrive)
            self.epoch += 1
        self.asked = set(self.by_watermark.gaps)
        write_released(self.state, self.epoch, self.by_watermark.released)
        self.state.sync()
        self.next_sync = time.monotonic() + SYNC_EVERY_SECS
