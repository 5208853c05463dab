"""What the dashboard pushes to the browser: the window sink's records as they are
appended, the errors tally, and the spouts' health, as messages.

The sink's JSON-lines file is followed with
:class:`logstorm.jsonl_follow.JsonLinesFollower`, which hands out whole records only
(a record the sink is still writing waits for the next poll) and reads a rotated or
truncated file again from its start; a file that does not exist yet reads as nothing.
Each new window becomes a ``window`` message stamped with when the file was last
written (``written_at``, its modification time) and when the feed read it
(``read_at``), so the page can say how long a window took from the sink to the screen.
A browser that connects gets :meth:`WindowFeed.history` first: the recent windows
(:mod:`.history`), the tally and the health, so it draws at once.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "windows.jsonl"
>>> feed = WindowFeed(out)
>>> feed.poll_windows()
[]
>>> _ = out.write_text('{"metric": "url", "time": "processing", "window_end": 60, '
...                    '"window_secs": 60, "total": 120, "distinct": 2, "top": [["/", 100]]}\\n')
>>> [(m["type"], m["window"]["top"]) for m in feed.poll_windows()]
[('window', [['/', 100]])]
>>> [w["window_end"] for w in feed.history()["windows"]]
[60]
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from logstorm.dashboard.history import WindowHistory
from logstorm.dashboard.spout_status import spout_health
from logstorm.dashboard.tally import read_tally
from logstorm.dashboard.window_sources import FileWindows, WindowSource
from logstorm.metrics import METRICS
from logstorm.monitoring.status import read_statuses
from logstorm.monitoring.status import status_dir as status_dir_of

Message = dict[str, Any]


class WindowFeed:
    """The sink's windows, the errors tally and the spouts' health of one run, as messages.

    The windows come from source: the windows file by default, or the windows topic
    (:mod:`logstorm.dashboard.window_sources`). errors_path defaults to ``errors.jsonl``
    beside the windows file, status_dir to ``status/`` there (where the spouts write
    their status files).
    """

    def __init__(
        self,
        windows_path: str | os.PathLike[str],
        errors_path: str | os.PathLike[str] | None = None,
        status_dir: str | os.PathLike[str] | None = None,
        history_secs: int = 900,
        clock: Callable[[], float] = time.time,
        source: WindowSource | None = None,
    ) -> None:
        self.windows_path = Path(windows_path)
        self.errors_path = Path(errors_path or self.windows_path.with_name("errors.jsonl"))
        self.status_dir = Path(status_dir or status_dir_of(self.windows_path))
        self.source = source or FileWindows(self.windows_path, history_secs)
        self.recent = WindowHistory(history_secs)
        self.clock = clock
        self.unreadable_reads = 0  # reads that held a whole line that was not JSON
        self.tally: dict[str, Any] = read_tally(self.errors_path)
        self.health: dict[str, Any] | None = spout_health(read_statuses(self.status_dir), clock())
        self.storm: dict[str, Any] | None = None
        self.windows_read: Counter[str] = Counter()  # per metric, for /metrics
        self.newest: dict[str, dict[str, Any]] = {}  # metric -> its newest window read

    def poll_windows(self) -> list[Message]:
        """A ``window`` message for each new window appended since the last poll that
        the page draws: of a burst (a fast replay writes thousands a second), the newest
        URL window and the status windows of the history, not every slide in between.
        When another run's windows came (see :mod:`.history`), one ``history`` message
        instead, for the pages to start anew."""
        try:
            records, written_at = self.source.read()
        except ValueError:  # a whole line that is no JSON: not the sink's; skipped
            self.unreadable_reads += 1
            return []
        if written_at is None:
            return []
        read_at = self.clock()
        windows = [{**r, "written_at": written_at, "read_at": read_at} for r in records
                   if isinstance(r, dict)]  # fmt: skip
        for w in windows:
            self.recent.add(w)
            metric = w.get("metric")
            if isinstance(metric, str):
                self.windows_read[metric] += 1
                self.newest[metric] = w
        if self.recent.restarted:  # another run's windows: the pages start anew too
            self.recent.restarted = False
            return [self.history()]
        drawn = {id(w) for w in self.recent.windows()}  # a burst: what the page still draws
        return [{"type": "window", "window": w} for w in windows if id(w) in drawn]

    def poll_side(self) -> list[Message]:
        """``tally`` and ``health`` messages for those that changed since the last poll."""
        messages: list[Message] = []
        tally = read_tally(self.errors_path)
        if tally != self.tally:
            self.tally = tally
            messages.append({"type": "tally", "tally": tally})
        health = spout_health(read_statuses(self.status_dir), self.clock())
        if health != self.health:
            self.health = health
            messages.append({"type": "health", "health": health})
        return messages

    def set_storm(self, storm: dict[str, Any] | None) -> list[Message]:
        """A ``storm`` message if the Storm UI's figures changed (see :mod:`.storm_ui`)."""
        if storm == self.storm:
            return []
        self.storm = storm
        return [{"type": "storm", "storm": storm}]

    def history(self) -> Message:
        """What a browser that connects is sent first: everything it needs to draw now."""
        return {
            "type": "history",
            "windows_path": self.source.where(),
            "status_dir": str(self.status_dir),
            "history_secs": self.recent.status_secs,
            "metrics": [{"name": m.name, "title": m.title, "view": m.view} for m in METRICS],
            "windows": self.recent.windows(),
            "tally": self.tally,
            "health": self.health,
            "storm": self.storm,
        }
