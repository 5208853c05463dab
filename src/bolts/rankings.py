"""RankingsBolt: merges the window tasks' reports into the exact global top N."""

from __future__ import annotations

from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.rankings import WindowMerger, WindowReport
from logstorm.tasks import task_count


class RankingsBolt(Bolt):
    """Global (one task): waits for every window task's report of a slide, then emits
    the merged window as one dict.
    """

    outputs = ["window"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        self.context = context
        self.merger = WindowMerger({}, opt.read_logs_options(storm_conf)[opt.TOP])

    def process(self, tup: Tuple) -> None:
        report = WindowReport(*tup.values)
        if report.metric not in self.merger.expected:  # learnt from the first report
            self.merger.expected[report.metric] = task_count(self.context, tup.component)
        for window in self.merger.add(tup.task, report):
            self.emit([window])
