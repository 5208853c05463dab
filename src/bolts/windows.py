"""Window bolts: per-key counts over a sliding window, reported as slides end."""

from __future__ import annotations

import os
import time
from dataclasses import astuple
from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.window import SlidingWindowCounter
from logstorm.window_journal import WindowJournal

SAVE_EVERY_SECS = 1.0


class WindowBolt(Bolt):
    """Counts (key, count) tuples into a SlidingWindowCounter and emits one report per
    slide that ended: (metric, window_end, window_secs, slide_secs, total, distinct,
    top). A slide is closed by the first tuple arriving after its end, or by a tick
    when no data comes. Subclasses name the metric.

    With ``logstorm.state.path`` set, counts are journaled about once a second and
    tuples are acked only once journaled, so a restarted task resumes its windows and
    loses no acknowledged line. Without it, tuples are acked as soon as counted.
    """

    metric = ""
    auto_ack = False
    outputs = ["metric", "window_end", "window_secs", "slide_secs", "total", "distinct", "top"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        window_key, slide_key = opt.WINDOWS[self.metric]
        self.counter = SlidingWindowCounter(
            self.metric, options[window_key], options[slide_key], options[opt.TOP], time.time()
        )
        self.journal = None
        self.unacked: list[Tuple] = []
        self.next_save = 0.0
        if options[opt.STATE_PATH]:
            run_id = storm_conf.get("storm.id") or storm_conf.get("topology.name", "topology")
            name = f"{self.component_name}-{self.task_id}.jsonl"
            self.journal = WindowJournal(os.path.join(options[opt.STATE_PATH], run_id, name))
            if self.journal.restore(self.counter):
                self.logger.info("%s task %s resumed its windows", self.metric, self.task_id)

    def process(self, tup: Tuple) -> None:
        key, count = tup.values
        now = time.time()
        self.counter.add(key, count, now)
        self._report(now)
        if self.journal is None:
            self.ack(tup)
            return
        self.unacked.append(tup)
        if time.monotonic() >= self.next_save:
            self._save()

    def process_tick(self, tup: Tuple) -> None:
        self._report(time.time())
        if self.journal is not None:
            self._save()

    def _report(self, now: float) -> None:
        for report in self.counter.close_until(now):
            # Unanchored: a lost report must not replay (and double-count) the input.
            self.emit(list(astuple(report)), anchors=[])

    def _save(self) -> None:
        self.journal.save(self.counter)
        for tup in self.unacked:
            self.ack(tup)
        self.unacked.clear()
        self.next_save = time.monotonic() + SAVE_EVERY_SECS


class UrlWindowBolt(WindowBolt):
    """Requests per URL (default: last 300 s, every second)."""

    metric = "url"


class StatusWindowBolt(WindowBolt):
    """Requests per HTTP status (default: last 300 s, every 5 seconds)."""

    metric = "status"
