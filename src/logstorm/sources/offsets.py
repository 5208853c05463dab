"""Committed read positions of log files, advanced only by acknowledged tuples.

Each emitted chunk covers a byte range of one file. Acks arrive in any order;
the committed offset advances only over a contiguous prefix of acked ranges, so
a restart from it replays whatever was not acknowledged (at-least-once). Positions
are persisted atomically in a JSON position file, keyed by file identity (device
and inode, like Flume's TAILDIR), never by name: a renamed file keeps its position.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from logstorm.atomic import write_json_atomic


def file_id(stat: os.stat_result) -> str:
    """A file's identity across renames: device and inode."""
    return f"{stat.st_dev}:{stat.st_ino}"


class CommitTracker:
    """The committed offset of one file, from out-of-order acks of contiguous ranges."""

    def __init__(self, committed: int) -> None:
        self.committed = committed
        self.acked: dict[int, int] = {}  # start -> end of acked ranges past committed

    def ack(self, start: int, end: int) -> None:
        """Range [start, end) was fully processed downstream."""
        if start < self.committed:
            return  # a replayed range that an earlier ack already covered
        self.acked[start] = end
        while self.committed in self.acked:
            self.committed = self.acked.pop(self.committed)


class PositionFile:
    """The position file: ``{"files": {id: {"path", "offset", "done"}}, "max_time",
    "run"}``, written atomically. ``max_time`` is the largest timestamp of the committed
    lines (event time resumes its watermark from it; None in processing time); ``run``
    names the topology run whose window state goes with these positions
    (:mod:`logstorm.protocol.run_state`; None in a file that never said)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.entries: dict[str, dict[str, Any]] = {}
        self.max_time: int | None = None
        self.run: str | None = None
        if self.path.exists():
            try:
                saved = json.loads(self.path.read_text())
                entries = saved["files"]
                self.max_time = saved.get("max_time")
                self.run = saved.get("run")
                if not isinstance(entries, dict):
                    raise TypeError(f"'files' is a JSON {type(entries).__name__}, not an object")
                self.entries = entries
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(
                    f"position file {self.path} is unreadable ({err}); "
                    "fix: restore it, or delete it to read every file from the start"
                ) from err

    def offset(self, fid: str) -> int:
        """Committed offset of a file (0 if unknown)."""
        return int(self.entries.get(fid, {}).get("offset", 0))

    def is_done(self, fid: str) -> bool:
        """Whether a spooled file was read and committed completely."""
        return bool(self.entries.get(fid, {}).get("done"))

    def record(self, fid: str, path: str, offset: int, done: bool = False) -> None:
        """Set a file's committed offset (in memory until save)."""
        self.entries[fid] = {"path": path, "offset": offset, "done": done}

    def forget(self, fid: str) -> None:
        """Drop a file that no longer exists."""
        self.entries.pop(fid, None)

    def save(self) -> None:
        """Persist atomically (temp file + fsync + rename)."""
        write_json_atomic(
            self.path,
            {"version": 1, "files": self.entries, "max_time": self.max_time, "run": self.run},
        )
