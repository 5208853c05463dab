"""RankingsBolt: merges the window tasks' reports into the exact global top N."""

from __future__ import annotations

from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.rankings import WindowMerger, WindowReport


class RankingsBolt(Bolt):
    """Global (one task): waits for every window task's report of a slide, then emits
    the merged window as one dict.
    """

    outputs = ["window"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        self.task_component = context["task->component"]
        self.merger = WindowMerger({}, opt.read_logs_options(storm_conf)[opt.TOP])

    def process(self, tup: Tuple) -> None:
        report = WindowReport(*tup.values)
        if report.metric not in self.merger.expected:
            component = tup.component
            tasks = sum(1 for c in self.task_component.values() if c == component)
            self.merger.expected[report.metric] = tasks
        for window in self.merger.add(tup.task, report):
            self.emit([window])
