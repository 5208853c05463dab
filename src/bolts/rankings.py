"""RankingsBolt: merges the window tasks' reports into the exact global top N."""

from __future__ import annotations

import time
from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.output.rankings import WatermarkMerger, WindowMerger, WindowReport
from logstorm.tasks import task_count
from logstorm.windows.journal import run_state_dir
from logstorm.windows.resend import write_received

WRITE_RECEIVED_EVERY_SECS = 1.0


class RankingsBolt(Bolt):
    """Global (one task): merges the window tasks' reports of a window into one and
    emits it as a dict, once complete: in processing time when every task reported
    it, in event time when every task's watermark passed its end. In event time with
    ``logstorm.state.path`` it records, about once a second, the watermark it has from
    each window task, so they know what they need not send again after a crash.
    """

    outputs = ["window"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        self.context = context
        options = opt.read_logs_options(storm_conf)
        self.by_report = WindowMerger({}, options[opt.TOP])
        self.by_watermark = WatermarkMerger(self.by_report.expected, options[opt.TOP])
        self.run_dir = None
        if options[opt.STATE_PATH] and options[opt.TIME] == "event":
            self.run_dir = run_state_dir(options[opt.STATE_PATH], storm_conf)
        self.next_write = 0.0

    def process(self, tup: Tuple) -> None:
        metric, watermark, reports = tup.values
        if metric not in self.by_report.expected:  # how many tasks report it
            self.by_report.expected[metric] = task_count(self.context, tup.component)
        reports = [WindowReport(*r) for r in reports]
        if watermark is None:
            windows = [w for r in reports for w in self.by_report.add(tup.task, r)]
        else:
            windows = self.by_watermark.add(tup.task, metric, watermark, reports)
        for window in windows:
            self.emit([window])
        if self.run_dir is not None and time.monotonic() >= self.next_write:
            # what each window task may forget (see logstorm.windows.resend)
            write_received(self.run_dir, self.by_watermark.watermarks)
            self.next_write = time.monotonic() + WRITE_RECEIVED_EVERY_SECS
