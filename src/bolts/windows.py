"""Window bolts: per-key counts over a sliding window, reported on tick tuples."""

from __future__ import annotations

import time
from dataclasses import astuple
from typing import Any

from streamparse import Bolt, Tuple

from logstorm import logs_options as opt
from logstorm.window import SlidingWindowCounter


class WindowBolt(Bolt):
    """Counts (key, count) tuples into a SlidingWindowCounter and emits one report per
    slide that ended: (metric, window_end, window_secs, slide_secs, total, distinct,
    top). Slides are closed as soon as a tuple arrives after their end, and by the
    tick tuples when no data comes. A tuple is acked once counted. Subclasses name
    the metric.
    """

    metric = ""
    outputs = ["metric", "window_end", "window_secs", "slide_secs", "total", "distinct", "top"]

    def initialize(self, storm_conf: dict[str, Any], context: dict[str, Any]) -> None:
        options = opt.read_logs_options(storm_conf)
        window_key, slide_key = opt.WINDOWS[self.metric]
        self.counter = SlidingWindowCounter(
            self.metric, options[window_key], options[slide_key], options[opt.TOP], time.time()
        )

    def process(self, tup: Tuple) -> None:
        key, count = tup.values
        now = time.time()
        self.counter.add(key, count, now)
        self._report(now)

    def process_tick(self, tup: Tuple) -> None:
        self._report(time.time())

    def _report(self, now: float) -> None:
        for report in self.counter.close_until(now):
            # Unanchored: a lost report must not replay (and double-count) the input.
            self.emit(list(astuple(report)), anchors=[])


class UrlWindowBolt(WindowBolt):
    """Requests per URL (default: last 300 s, every second)."""

    metric = "url"


class StatusWindowBolt(WindowBolt):
    """Requests per HTTP status (default: last 300 s, every 5 seconds)."""

    metric = "status"
