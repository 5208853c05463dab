"""A window task's journal: its count increments on disk, so a restarted task resumes
its windows instead of starting empty.

The window bolt saves the increments about once a second and acknowledges the
tuples they came from only afterwards. A crash therefore loses only unacknowledged
tuples, which the spout sends again: every acknowledged line stays counted
(at-least-once; a replayed chunk may be counted twice by the tasks that had already
saved it). The journal is JSON lines, each ``{"started", "closed_through", "slides":
{slide: {key: count}}}``; it is compacted (rewritten atomically as one line holding
the window's current slides) every ``compact_every`` saves.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from .atomic import write_text_atomic
from .window import SlidingWindowCounter


class WindowJournal:
    """The journal file of one window task."""

    def __init__(self, path: str | os.PathLike[str], compact_every: int = 300) -> None:
        self.path = Path(path)
        self.compact_every = compact_every
        self.saves = 0

    def restore(self, counter: SlidingWindowCounter) -> bool:
        """Load the journal into counter; False if there was none."""
        if not self.path.exists():
            return False
        slides: dict[int, Counter[Any]] = {}
        closed_through, started = None, counter.started
        for line in self.path.read_text().splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                break  # a torn last line from a crash mid-write: what precedes it holds
            closed_through, started = entry["closed_through"], entry["started"]
            for slide, counts in entry["slides"].items():
                slides.setdefault(int(slide), Counter()).update(counts)
        if closed_through is None:
            return False
        counter.restore(slides, closed_through, started)
        return True

    def save(self, counter: SlidingWindowCounter) -> None:
        """Append what counter counted since the last save, durably."""
        unsaved = counter.take_unsaved()
        self.saves += 1
        if self.saves % self.compact_every == 0:
            self._compact(counter)
            return
        entry = self._entry(counter, unsaved)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _compact(self, counter: SlidingWindowCounter) -> None:
        write_text_atomic(self.path, json.dumps(self._entry(counter, counter.slides())) + "\n")

    @staticmethod
    def _entry(counter: SlidingWindowCounter, slides: dict[int, Counter[Any]]) -> dict[str, Any]:
        return {
            "started": counter.started,
            "closed_through": counter.next_slide - 1,
            "slides": {str(slide): dict(counts) for slide, counts in slides.items()},
        }
