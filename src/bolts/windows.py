"""Window bolts: per-key counts over a sliding window, reported as windows close."""

from __future__ import annotations

import time
from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.metrics import BY_NAME, Metric, metric_of_component
from logstorm.protocol.run_state import open_state
from logstorm.protocol.window_task import ReportSender, report_message
from logstorm.state.names import task_owner
from logstorm.streams import CountsTuple, ReleasedTuple, ReportsTuple, WatermarkTuple, send
from logstorm.tasks import task_count
from logstorm.watermarks import LowestWatermark
from logstorm.windows.event_time import EventWindowCounter
from logstorm.windows.processing_time import SlidingWindowCounter
from logstorm.windows.report import WindowReport

SAVE_EVERY_SECS = 1  # with a state store: journal (and ack) about once a second


class WindowBolt(Bolt):
    """Counts the parse bolt's bundles of (key, count) into a sliding window and emits
    the reports of the windows that closed (:class:`~logstorm.streams.ReportsTuple`),
    each (metric, window_end, window_secs, slide_secs, total, distinct, top); ``since``
    chains them with a state store.

    In processing time a slide is closed by the first bundle arriving after its end,
    or by a tick when no data comes; the watermark sent is None, or, with a state
    store, the end of the newest closed slide (its reports are chained and kept until
    out, as in event time). In event time the spout's watermark closes windows (the
    lowest of the spout tasks' watermarks, once every task sent one), and every
    watermark is passed on to the rankings bolt, with or without reports, so it knows
    which windows this task has finished. The metric is the one whose window component
    (:attr:`logstorm.metrics.Metric.component`) the task belongs to; :meth:`spec` makes
    that component, with the metric's tasks and a tick every second.

    With a state store (``logstorm.state.path``, or ``logstorm.state.backend=kafka``:
    :mod:`logstorm.state`) the task's part in :mod:`logstorm.protocol` is a
    :class:`~logstorm.protocol.window_task.ReportSender`: counts are journaled about
    once a second and tuples are acked only once journaled, so a restarted task resumes
    its windows and loses no acknowledged line (in event time it also remembers which
    chunks it counted, and counts a replayed one once), and it sends again the reports
    whose windows the rankings has not put out when the rankings' ``released`` stream
    asks. Without it, tuples are acked as soon as counted.
    """

    auto_ack = False
    outputs = ReportsTuple.fields()

    @classmethod
    def spec(cls, metric: Metric, inputs: dict, par: Any = None) -> Any:
        """The window component of metric, which sets its own tick as storm-starter's
        RollingCountBolt does. Ticks close slides when no data arrives (with data, the
        first tuple after a slide's end closes it) and journal what came since the last
        save: they come every second whatever the slide, since the last tuples before a
        quiet spell wait for the next save to be acked (a tick every 5 s slide held the
        last chunks of a replay up to 5 s)."""
        tick = {"topology.tick.tuple.freq.secs": min(metric.slide_secs, SAVE_EVERY_SECS)}
        return super().spec(name=metric.component, inputs=inputs, par=par or metric.tasks,
                            config=tick)  # fmt: skip

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        self.metric = metric_of_component(self.component_name).name
        shape = (self.metric, *opt.window_shape(options, BY_NAME[self.metric]), options[opt.TOP])
        self.counter: EventWindowCounter | SlidingWindowCounter
        if options[opt.TIME] == "event":
            self.counter = EventWindowCounter(*shape)
        else:
            self.counter = SlidingWindowCounter(*shape, time.time())
        self.context = context
        self.spout_watermarks: LowestWatermark | None = None
        self.unacked: list[Tuple] = []
        self.next_save = 0.0
        self.sender: ReportSender | None = None
        state = open_state(options, storm_conf, context)
        if state is not None:
            name = task_owner(self.component_name, self.task_id)
            self.sender = ReportSender(state, name, self.metric, self.counter)
            if self.sender.resumed:
                self.logger.info("%s task %s resumed its windows", self.metric, self.task_id)

    def process(self, tup: Tuple) -> None:
        if tup.stream == ReleasedTuple.stream:  # from the rankings: what is out, maybe an ask
            self.ack(tup)
            if self.sender is not None:
                released = ReleasedTuple(*tup.values)
                self._send(self.sender.hear_released(released.epoch, released.released))
            return
        if tup.stream == WatermarkTuple.stream:
            self.ack(tup)
            if self.spout_watermarks is None:
                self.spout_watermarks = LowestWatermark(task_count(self.context, tup.component))
            spout = WatermarkTuple(*tup.values).watermark
            watermark = self.spout_watermarks.update(tup.task, spout)
            if watermark is not None and isinstance(self.counter, EventWindowCounter):
                self._report(watermark, self.counter.advance(watermark))
            return
        bundle = CountsTuple(*tup.values)
        if isinstance(self.counter, EventWindowCounter):  # a replayed chunk: dropped
            assert bundle.watermark is not None  # the spout stamps every chunk in event time
            self.counter.add_chunk(bundle.chunk, bundle.watermark, bundle.counts)
        else:
            now = time.time()
            for key, count in bundle.counts:
                self.counter.add(key, count, now)
            self._report_slides(self.counter, now)
        if self.sender is None:
            self.ack(tup)
            return
        self.unacked.append(tup)
        if time.monotonic() >= self.next_save:
            self._save()

    def process_tick(self, tup: Tuple) -> None:
        if isinstance(self.counter, SlidingWindowCounter):
            self._report_slides(self.counter, time.time())
        if self.sender is not None:
            self._save()

    def _report_slides(self, counter: SlidingWindowCounter, now: float) -> None:
        """Processing time: report the slides that ended by now."""
        reports = counter.close_until(now)
        if reports:
            self._report(counter.watermark if self.sender is not None else None, reports)

    def _report(self, watermark: int | None, reports: list[WindowReport]) -> None:
        if self.sender is not None:
            assert watermark is not None  # with a state store every report has one
            self._send(self.sender.send(watermark, reports))
        elif reports or watermark is not None:  # event time: every watermark goes on
            self._send([report_message(self.metric, None, watermark, reports)])

    def _send(self, messages: list[ReportsTuple]) -> None:
        # Unanchored: a lost report must not replay (and double-count) the input; with
        # a state store it is kept until the rankings has it (ReportSender).
        for message in messages:
            send(self, message, anchors=[])

    def _save(self) -> None:
        assert self.sender is not None  # only a task with a state store saves
        heartbeat = self.sender.save(self.counter)
        for tup in self.unacked:
            self.ack(tup)
        self.unacked.clear()
        if heartbeat is not None:
            self._send([heartbeat])
        self.next_save = time.monotonic() + SAVE_EVERY_SECS
