"""Window bolts: per-key counts over a sliding window, reported as windows close."""

from __future__ import annotations

import time
from dataclasses import astuple
from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.output.rankings import WindowReport
from logstorm.run_state import open_state
from logstorm.sources.watermark import NO_WATERMARK, LowestWatermark
from logstorm.tasks import task_count
from logstorm.windows.event_time import EventWindowCounter
from logstorm.windows.journal import WindowJournal
from logstorm.windows.processing_time import SlidingWindowCounter
from logstorm.windows.resend import SentReports, released

SAVE_EVERY_SECS = 1.0


class WindowBolt(Bolt):
    """Counts the parse bolt's bundles of (key, count) into a sliding window and emits
    (metric, since, watermark, reports): the reports of the windows that closed, each
    (metric, window_end, window_secs, slide_secs, total, distinct, top); ``since``
    chains them with a state folder (:mod:`logstorm.windows.resend`).

    In processing time a slide is closed by the first bundle arriving after its end,
    or by a tick when no data comes; the watermark sent is None, or, with a state
    folder, the end of the newest closed slide (its reports are chained and kept until
    out, as in event time). In event time the spout's
    watermark closes windows (the lowest of the spout tasks' watermarks, once every
    task sent one), and every watermark is passed on to the rankings bolt,
    with or without reports, so it knows which windows this task has finished.
    Subclasses name the metric.

    With a state store (``logstorm.state.path``, or ``logstorm.state.backend=kafka``:
    :mod:`logstorm.state`), counts are journaled about once a second and
    tuples are acked only once journaled, so a restarted task resumes its windows and
    loses no acknowledged line (in event time it also remembers which chunks it
    counted, and counts a replayed one once), and it sends again the reports whose
    windows the rankings has not put out, when restarted or asked
    (:mod:`logstorm.windows.resend`). Without it, tuples are
    acked as soon as counted.
    """

    metric = ""
    auto_ack = False
    outputs = ["metric", "since", "watermark", "reports"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        window_key, slide_key = opt.WINDOWS[self.metric]
        shape = (self.metric, options[window_key], options[slide_key], options[opt.TOP])
        self.event_time = options[opt.TIME] == "event"
        if self.event_time:
            self.counter = EventWindowCounter(*shape)
        else:
            self.counter = SlidingWindowCounter(*shape, time.time())
        self.context = context
        self.spout_watermarks: LowestWatermark | None = None
        self.journal = None
        self.unacked: list[Tuple] = []
        self.next_save = 0.0
        self.sent: SentReports | None = None
        self.resend: list[list[Any]] = []
        self.epoch: int | None = None  # the rankings' epoch last seen (None: a new task)
        self.state = open_state(options, storm_conf, context)
        if self.state is not None:
            name = f"{self.component_name}-{self.task_id}"
            self.journal = WindowJournal(self.state.log(f"{name}.jsonl"))
            self.sent = SentReports(self.state, f"{name}.sent.json")
            self._resend_if_asked()
            if self.journal.restore(self.counter):
                self.logger.info("%s task %s resumed its windows", self.metric, self.task_id)

    def process(self, tup: Tuple) -> None:
        self._send_resend()
        if tup.stream == "watermarks":
            self.ack(tup)
            if self.spout_watermarks is None:
                self.spout_watermarks = LowestWatermark(task_count(self.context, tup.component))
            watermark = self.spout_watermarks.update(tup.task, tup.values[0])
            if watermark is not None:
                self._emit(watermark, self.counter.advance(watermark))
            return
        _, chunk, watermark, counts = tup.values
        if self.event_time:
            self.counter.add_chunk(chunk, watermark, counts)  # a replayed chunk: dropped
        else:
            now = time.time()
            for key, count in counts:
                self.counter.add(key, count, now)
            self._emit_slides(now)
        if self.journal is None:
            self.ack(tup)
            return
        self.unacked.append(tup)
        if time.monotonic() >= self.next_save:
            self._save()

    def process_tick(self, tup: Tuple) -> None:
        if not self.event_time:
            self._emit_slides(time.time())
        if self.journal is not None:
            self._save()

    def _emit_slides(self, now: float) -> None:
        """Processing time: report the slides that ended by now."""
        reports = self.counter.close_until(now)
        if reports:
            self._emit(self.counter.watermark if self.sent is not None else None, reports)

    def _emit(self, watermark: int | None, reports: list[WindowReport]) -> None:
        if reports or watermark is not None:
            # Unanchored: a lost report must not replay (and double-count) the input;
            # in event time it is kept until the rankings has it (SentReports).
            sent = [astuple(r) for r in reports]
            since = self.sent.add(watermark, sent) if self.sent is not None else None
            self.emit([self.metric, since, watermark, sent], anchors=[])

    def _resend_if_asked(self) -> None:
        # When the task starts and whenever the rankings raised its epoch: what is not
        # out may have been lost on its way, or with the rankings.
        record = released(self.state)
        if record.epoch != self.epoch:
            self.epoch = record.epoch
            self.resend = self.sent.unreleased(record.upto(self.metric))
        self.sent.save(record.upto(self.metric))  # before the journal says windows closed

    def _send_resend(self) -> None:
        while self.resend:  # first and in order
            since, watermark, reports = self.resend.pop(0)
            self.emit([self.metric, since, watermark, reports], anchors=[])

    def _save(self) -> None:
        if self.sent is not None:
            self._resend_if_asked()
        self.journal.save(self.counter)
        self.state.sync()  # the reports sent, then the journal: durable before the acks
        for tup in self.unacked:
            self.ack(tup)
        self.unacked.clear()
        if self.sent is not None:
            self._send_resend()
            # A heartbeat: if the last message with reports was lost, its successor is
            # what tells the rankings (by its since), even when no window closes.
            if self.counter.watermark != NO_WATERMARK:  # (processing time: always)
                self.emit([self.metric, self.sent.last, self.counter.watermark, []], anchors=[])
        self.next_save = time.monotonic() + SAVE_EVERY_SECS


class UrlWindowBolt(WindowBolt):
    """Requests per URL (default: last 300 s, every second)."""

    metric = "url"


class StatusWindowBolt(WindowBolt):
    """Requests per HTTP status (default: last 300 s, every 5 seconds)."""

    metric = "status"
