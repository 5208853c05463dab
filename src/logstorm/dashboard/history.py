"""The recent windows a browser is sent first when it connects.

A page that opens late should not wait N minutes to draw the status codes of the last
N minutes: the server keeps them. It keeps, for the time mode of the newest window, the
status windows whose ends lie less than ``status_secs`` before the newest status
window's end (by the windows' own clock, so an event-time replay of May 2015 keeps May
2015), and the newest URL window (the page draws only that one).

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

METRICS = ("url", "status")


class WindowHistory:
    """The status windows of the last ``status_secs`` and the newest URL window."""

    def __init__(self, status_secs: int = 900) -> None:
        self.status_secs = status_secs
        self.time: str | None = None  # the time mode of the windows kept
        self.status: deque[dict[str, Any]] = deque()  # by window_end, ascending
        self.url: dict[str, Any] | None = None
        self.restarted = False  # set when another run's windows started it anew

    def add(self, window: dict[str, Any]) -> None:
        """Keep window (not a window of the analyzer's metrics: ignored)."""
        metric, end = window.get("metric"), window.get("window_end")
        if metric not in METRICS or not isinstance(end, int | float):
            return
        newest = self.url if metric == "url" else (self.status[-1] if self.status else None)
        another_run = newest is not None and end <= newest["window_end"]
        if window.get("time") != self.time or another_run:
            self.restarted = self.restarted or self.time is not None
            self.time, self.url = window.get("time"), None
            self.status.clear()
        if metric == "url":
            self.url = window
            return
        self.status.append(window)
        while self.status[0]["window_end"] <= end - self.status_secs:
            self.status.popleft()

    def windows(self) -> list[dict[str, Any]]:
        """What a late browser is sent: the status windows kept, then the URL window."""
        return [*self.status, *([self.url] if self.url else [])]
