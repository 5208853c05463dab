"""What ``sparse run -n logs`` shows at its terminal: one line once the topology is up,
saying where its log and outputs are, then each new window as a table (as the course's
``pprint()`` of a DStream), and a spool-mode replay's progress. Storm's own logging
stays in its log file.

It reads what the topology writes (the windows file and the spout status files, see
:mod:`logstorm.monitoring.status`), not Storm's log: the same records the dashboard shows.

>>> import tempfile, pathlib, time
>>> out = pathlib.Path(tempfile.mkdtemp())
>>> options = {"logstorm.output.path": str(out / "windows.jsonl"),
...            "logstorm.errors.path": str(out / "errors.jsonl")}
>>> console = LogsConsole(options, storm_log=out / "storm.log", started=time.time())
>>> console.lines()
[]
>>> from logstorm.monitoring.status import write_status
>>> write_status(status_dir(out / "windows.jsonl"), 0, {"at": time.time(), "progress": None})
>>> print(console.lines()[0])  # doctest: +ELLIPSIS
logs is up: windows in .../windows.jsonl, errors in .../errors.jsonl, Storm's log in .../storm.log
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from logstorm import logs_options as opt
from logstorm.jsonl_follow import JsonLinesFollower
from logstorm.monitoring.progress import progress_line
from logstorm.monitoring.status import read_statuses, status_dir
from logstorm.output.sinks import window_table


class LogsConsole:
    """The terminal's view of one run; :meth:`lines` hands out what is new to print."""

    def __init__(self, options: dict[str, Any], storm_log: str | os.PathLike[str],
                 started: float) -> None:  # fmt: skip
        self.output, self.errors = options[opt.OUTPUT_PATH], options[opt.ERRORS_PATH]
        self.storm_log = Path(storm_log)
        self.started = started  # statuses written before are an earlier run's
        self.windows = JsonLinesFollower(self.output)
        self.windows.read()  # an earlier run's windows are not news
        self.status = status_dir(self.output)
        self.up = False
        self.said: dict[int, tuple[int, bool]] = {}  # task -> bytes done, finished: as said

    def lines(self) -> list[str]:
        """What to print now: the start line (once), new windows, replay progress."""
        statuses = [s for s in read_statuses(self.status) if s.get("at", 0) >= self.started]
        out = []
        if statuses and not self.up:
            self.up = True
            out.append(f"logs is up: windows in {self.output}, errors in {self.errors}, "
                       f"Storm's log in {self.storm_log}")  # fmt: skip
        out += [window_table(window) for window in self.windows.read()]
        for status in statuses:
            progress = status.get("progress")
            if not progress or not progress["files_total"]:
                continue
            now = (progress["bytes_done"], progress["finished"])
            if self.said.get(status["task"]) != now:
                self.said[status["task"]] = now
                out.append(progress_line(progress))
        return out
