"""RankingsBolt: merges the window tasks' reports into the exact global top N."""

from __future__ import annotations

from typing import Any

from streamparse import Bolt, Stream, Tuple

from logstorm import logs_options as opt
from logstorm.metrics import BY_NAME
from logstorm.output.rankings import WatermarkMerger, WindowMerger, WindowReport
from logstorm.protocol.releaser import Releaser
from logstorm.protocol.run_state import open_state
from logstorm.tasks import task_count


class RankingsBolt(Bolt):
    """Global (one task): merges the window tasks' reports of a window into one and
    emits it as ``[window, seq]``, once complete: in processing time when every task
    reported it, in event time (and in processing time with a state store) when every
    task's watermark passed its end.

    With a state store (:mod:`logstorm.state`) its part in :mod:`logstorm.protocol` is
    a :class:`~logstorm.protocol.releaser.Releaser`: each window is numbered and kept
    in the outbox before it is emitted; about once a second the rankings tells the
    window tasks on its ``released`` stream what is out (they forget it, or send the
    rest again when it asks), and it sends the sink again what the sink's ``progress``
    stream says it lacks. A restarted rankings thus loses no window and releases none
    twice. Without a state store ``seq`` is None.
    """

    outputs = [
        Stream(fields=["window", "seq"]),
        Stream(fields=["epoch", "released"], name="released"),
    ]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        self.context = context
        options = opt.read_logs_options(storm_conf)
        self.by_report = WindowMerger({}, options[opt.TOP])
        self.by_watermark = WatermarkMerger(
            self.by_report.expected, options[opt.TOP], time=options[opt.TIME]
        )
        state = open_state(options, storm_conf, context)
        self.releaser = None if state is None else Releaser(state, self.by_watermark, BY_NAME)

    def process(self, tup: Tuple) -> None:
        if tup.stream == "progress":  # the window sink's
            if self.releaser is not None:
                self._emit(self.releaser.hear_sink(*tup.values))
        else:
            self._merge(tup)
        if self.releaser is not None and self.releaser.sync_due():
            self.emit(self.releaser.sync(), stream="released")

    def _merge(self, tup: Tuple) -> None:
        metric, since, watermark, reports = tup.values
        if metric not in self.by_report.expected:  # how many tasks report it
            self.by_report.expected[metric] = task_count(self.context, tup.component)
        reports = [WindowReport(*r) for r in reports]
        if watermark is None:
            windows = [w for r in reports for w in self.by_report.add(tup.task, r)]
        else:
            windows = self.by_watermark.add(tup.task, metric, since, watermark, reports)
        if self.releaser is None:
            self._emit([(window, None) for window in windows])
        else:
            self._emit(self.releaser.release(windows))

    def _emit(self, numbered: list[tuple[dict[str, Any], int | None]]) -> None:
        for window, seq in numbered:
            self.emit([window, seq])
