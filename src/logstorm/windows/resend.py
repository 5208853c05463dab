"""What a window task sent and the rankings task may not have received: kept until
the rankings says it did, sent again by a restarted task.

In event time a window task sends (watermark, reports) as windows close, unanchored,
and journals that it closed them. If its worker dies with such a tuple still on its
way (in the pipe to Storm, a transfer queue, the network), the restarted task resumes
past those windows and would never send them again: the rankings, seeing the task's
next, higher watermark, would release them without its counts. So each task keeps what
it sent in a small file beside its journal (written before the journal), the rankings
task writes the watermark it received from every task (``received.json``, about once
a second), and a task drops what that covers. A restarted task first sends what is
left; the rankings drops a report at or below what it has from that task, so nothing
is merged twice. Like the journals, this needs ``logstorm.state.path`` on storage all
the workers share.

>>> import tempfile, pathlib
>>> run = pathlib.Path(tempfile.mkdtemp())
>>> sent = SentReports(run / "url_window-3.sent.json")
>>> sent.add(10, [["url", 10, 300, 1, 2, 1, [["/a", 2]]]]); sent.add(12, [])
>>> write_received(run, {"url": {3: 10}})
>>> sent.save(received(run, "url", 3))      # the rankings has up to 10 from task 3
>>> SentReports(run / "url_window-3.sent.json").unreceived(received(run, "url", 3))
[[12, []]]
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from logstorm.atomic import write_json_atomic
from logstorm.sources.watermark import NO_WATERMARK

RECEIVED = "received.json"


def write_received(run_dir: str | os.PathLike[str], watermarks: dict[str, dict[int, int]]) -> None:
    """The rankings task's record: metric -> window task -> watermark received."""
    write_json_atomic(Path(run_dir) / RECEIVED, watermarks)


def received(run_dir: str | os.PathLike[str], metric: str, task: int) -> int:
    """The watermark the rankings task last recorded from task (NO_WATERMARK: none)."""
    try:
        data = json.loads((Path(run_dir) / RECEIVED).read_text())
    except (FileNotFoundError, ValueError):
        return NO_WATERMARK
    return data.get(metric, {}).get(str(task), NO_WATERMARK)


class SentReports:
    """One window task's sent (watermark, reports), oldest first, until received."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        try:
            self.sent: list[list[Any]] = json.loads(self.path.read_text())
        except FileNotFoundError:
            self.sent = []
        self.changed = False

    def add(self, watermark: int, reports: list[Any]) -> None:
        """Something just sent."""
        self.sent.append([watermark, reports])
        self.changed = True

    def unreceived(self, received_watermark: int) -> list[list[Any]]:
        """What the rankings has not recorded yet, oldest first."""
        return [entry for entry in self.sent if entry[0] > received_watermark]

    def save(self, received_watermark: int) -> None:
        """Forget what the rankings recorded, and write the rest (before the journal)."""
        kept = self.unreceived(received_watermark)
        if kept != self.sent or self.changed:
            self.sent, self.changed = kept, False
            write_json_atomic(self.path, self.sent)
