"""The recent windows a browser is sent first when it connects.

A page that opens late should not wait N minutes to draw the status codes of the last
N minutes: the server keeps them. It keeps, for the time mode of the newest window, the
windows of the metrics drawn over time (view "status", :mod:`logstorm.metrics`) whose
ends lie less than ``status_secs`` before that metric's newest window's end (by the
windows' own clock, so an event-time replay of May 2015 keeps May 2015), and the
newest window of each metric drawn as a ranking (the page draws only that one).

The sink writes each window of a metric once, in window order, so a window at or before
the newest of its metric, or of another time mode, is another run's: the file was
deleted or replaced (an event-time replay analysed again starts again in May 2015).
The history then starts anew from it, and says so (``restarted``), so that the pages
start anew too.

>>> h = WindowHistory(status_secs=10)
>>> for end in (100, 105, 110, 115):
...     h.add({"metric": "status", "time": "processing", "window_end": end})
>>> [w["window_end"] for w in h.windows()], h.restarted
([110, 115], False)
>>> h.add({"metric": "status", "time": "processing", "window_end": 100})  # a new run
>>> [w["window_end"] for w in h.windows()], h.restarted
([100], True)
"""

from __future__ import annotations

from collections import deque
from typing import Any

from logstorm.metrics import BY_NAME, METRICS


class WindowHistory:
    """Per metric: its windows of the last ``status_secs`` (view "status") or its newest."""

    def __init__(self, status_secs: int = 900) -> None:
        self.status_secs = status_secs
        self.time: str | None = None  # the time mode of the windows kept
        self.kept: dict[str, deque[dict[str, Any]]] = {
            m.name: deque(maxlen=None if m.view == "status" else 1) for m in METRICS
        }
        self.restarted = False  # set when another run's windows started it anew

    def add(self, window: dict[str, Any]) -> None:
        """Keep window (not a window of the analyzer's metrics: ignored)."""
        metric, end = BY_NAME.get(str(window.get("metric"))), window.get("window_end")
        if metric is None or not isinstance(end, int | float):
            return
        kept = self.kept[metric.name]
        another_run = bool(kept) and end <= kept[-1]["window_end"]
        if window.get("time") != self.time or another_run:
            self.restarted = self.restarted or self.time is not None
            self.time = window.get("time")
            for windows in self.kept.values():
                windows.clear()
        kept.append(window)  # a ranking keeps its newest only (maxlen 1)
        while kept[0]["window_end"] <= end - self.status_secs:
            kept.popleft()

    def windows(self) -> list[dict[str, Any]]:
        """What a late browser is sent: the windows drawn over time, then the rankings."""
        order = sorted(METRICS, key=lambda m: m.view != "status")
        return [w for metric in order for w in self.kept[metric.name]]
