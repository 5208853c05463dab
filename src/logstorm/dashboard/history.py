"""The recent windows a browser is sent first when it connects.

A page that opens late should not wait N minutes to draw the status codes of the last
N minutes: the server keeps them. It keeps, for the time mode of the newest window, the
status windows whose ends lie less than ``status_secs`` before the newest status window's end
(by the windows' own clock, so an event-time replay of May 2015 keeps May 2015), and
the newest URL window (the page draws only that one). Windows of another time mode (a
file reused by a run with ``logstorm.time`` changed) start the history anew.

>>> h = WindowHistory(status_secs=10)
>>> for end in (100, 105, 110, 115):
...     h.add({"metric": "status", "time": "processing", "window_end": end})
True
True
True
True
>>> [w["window_end"] for w in h.windows()]
[110, 115]
>>> h.add({"metric": "status", "time": "processing", "window_end": 110})  # seen already
False
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

    def add(self, window: dict[str, Any]) -> bool:
        """Keep window if it is news; return whether it was (a page should draw it)."""
        metric, end = window.get("metric"), window.get("window_end")
        if metric not in METRICS or not isinstance(end, int | float):
            return False
        if window.get("time") != self.time:
            self.time, self.url = window.get("time"), None
            self.status.clear()
        if metric == "url":
            if self.url is not None and end <= self.url["window_end"]:
                return False
            self.url = window
            return True
        if self.status and end <= self.status[-1]["window_end"]:
            return False
        self.status.append(window)
        while self.status[0]["window_end"] <= end - self.status_secs:
            self.status.popleft()
        return True

    def windows(self) -> list[dict[str, Any]]:
        """What a late browser is sent: the status windows kept, then the URL window."""
        return [*self.status, *([self.url] if self.url else [])]
