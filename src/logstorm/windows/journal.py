"""A window task's journal: its count increments on disk, so a restarted task resumes
its windows instead of starting empty.

The window bolt saves the increments about once a second and acknowledges the
tuples they came from only afterwards. A crash therefore loses only unacknowledged
tuples, which the spout sends again, and every acknowledged line stays counted.
In processing time that is at-least-once (a replayed chunk may be counted twice by
the tasks that had already saved it); in event time the journal also holds the ids
of the counted chunks, and a replay is dropped (exactly-once counts).

The journal is JSON lines, one entry per save, each what the counter's
``journal_entry()`` returns; every ``compact_every`` saves it is rewritten atomically
as the single entry ``snapshot_entry()``. ``restore(entries)`` rebuilds the counter.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Protocol

from logstorm.atomic import write_text_atomic


class Journaled(Protocol):
    """A counter that the journal can save and restore."""

    def journal_entry(self) -> dict[str, Any]: ...
    def snapshot_entry(self) -> dict[str, Any]: ...
    def restore(self, entries: list[dict[str, Any]]) -> None: ...


class WindowJournal:
    """The journal file of one window task."""

    def __init__(self, path: str | os.PathLike[str], compact_every: int = 300) -> None:
        self.path = Path(path)
        self.compact_every = compact_every
        self.saves = 0

    def restore(self, counter: Journaled) -> bool:
        """Load the journal into counter; False if there was none."""
        if not self.path.exists():
            return False
        entries = []
        for line in self.path.read_text().splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                break  # a torn last line from a crash mid-write: what precedes it holds
        if not entries:
            return False
        counter.restore(entries)
        return True

    def save(self, counter: Journaled) -> None:
        """Append what counter counted since the last save, durably."""
        entry = counter.journal_entry()
        self.saves += 1
        if self.saves % self.compact_every == 0:
            write_text_atomic(self.path, json.dumps(counter.snapshot_entry()) + "\n")
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
