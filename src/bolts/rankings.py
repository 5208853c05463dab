"""RankingsBolt: merges the window tasks' reports into the exact global top N."""

from __future__ import annotations

from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.output.rankings import WatermarkMerger, WindowMerger, WindowReport
from logstorm.tasks import task_count


class RankingsBolt(Bolt):
    """Global (one task): merges the window tasks' reports of a window into one and
    emits it as a dict, once complete: in processing time when every task reported
    it, in event time when every task's watermark passed its end.
    """

    outputs = ["window"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        self.context = context
        top_n = opt.read_logs_options(storm_conf)[opt.TOP]
        self.by_report = WindowMerger({}, top_n)
        self.by_watermark = WatermarkMerger(self.by_report.expected, top_n)

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
