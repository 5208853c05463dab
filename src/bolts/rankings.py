"""RankingsBolt: merges the window tasks' reports into the exact global top N."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streamparse import Bolt, Stream, Tuple

from logstorm import logs_options as opt
from logstorm.metrics import BY_NAME
from logstorm.output.rankings import WatermarkMerger, WindowMerger
from logstorm.protocol.releaser import Releaser
from logstorm.protocol.run_state import open_state
from logstorm.streams import ProgressTuple, ReleasedTuple, ReportsTuple, WindowTuple, send
from logstorm.tasks import task_count
from logstorm.windows.report import WindowReport


class RankingsBolt(Bolt):
    """Global (one task): merges the window tasks' reports of a window into one and
    emits it (:class:`~logstorm.streams.WindowTuple`) once complete: in processing time
    when every task reported it, in event time (and in processing time with a state
    store) when every task's watermark passed its end.

    With a state store (:mod:`logstorm.state`) its part in :mod:`logstorm.protocol` is
    a :class:`~logstorm.protocol.releaser.Releaser`: each window is numbered and kept
    in the outbox before it is emitted; about once a second the rankings tells the
    window tasks on its ``released`` stream what is out (they forget it, or send the
    rest again when it asks), and it sends the sink again what the sink's ``progress``
    stream says it lacks. A restarted rankings thus loses no window and releases none
    twice. Without a state store ``seq`` is None.
    """

    outputs = [
        Stream(fields=WindowTuple.fields()),
        Stream(fields=ReleasedTuple.fields(), name=ReleasedTuple.stream),
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
        if tup.stream == ProgressTuple.stream:  # the window sink's
            if self.releaser is not None:
                progress = ProgressTuple(*tup.values)
                self._emit(self.releaser.hear_sink(progress.received, progress.durable))
        else:
            self._merge(ReportsTuple(*tup.values), tup)
        if self.releaser is not None and self.releaser.sync_due():
            send(self, self.releaser.sync())

    def _merge(self, message: ReportsTuple, tup: Tuple) -> None:
        metric = message.metric
        if metric not in self.by_report.expected:  # how many tasks report it
            self.by_report.expected[metric] = task_count(self.context, tup.component)
        reports = [WindowReport(*r) for r in message.reports]
        if message.watermark is None:
            windows = [w for r in reports for w in self.by_report.add(tup.task, r)]
        else:
            windows = self.by_watermark.add(tup.task, metric, message.since, message.watermark,
                                            reports)  # fmt: skip
        if self.releaser is None:
            self._emit([(window, None) for window in windows])
        else:
            self._emit(self.releaser.release(windows))

    def _emit(self, numbered: Sequence[tuple[dict[str, Any], int | None]]) -> None:
        for window, seq in numbered:
            send(self, WindowTuple(window, seq))
