"""Sliding-window counts per key, advanced by elapsed time (Storm's answer to
Spark's ``reduceByKeyAndWindow(add, subtract, window, slide)``).

Time is cut into slides aligned on the epoch (slide k covers ``[k*slide, (k+1)*slide)``).
Counts go into the open slide of their arrival time. Closing a slide adds its counts
to running totals and subtracts the slide that leaves the window (the inverse
function), so closing costs O(keys in those two slides), never O(keys x slides).
Keys whose total drops to zero are removed, so memory follows the live keys.

Ticks arrive late or bunched under load: :meth:`SlidingWindowCounter.close_until`
closes every slide that really ended by ``now``, one report each, and reports the
actual window length while the window is still filling.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from typing import Any

from logstorm.windows.report import WindowReport, rank


def check_shape(metric: str, window_secs: int, slide_secs: int) -> None:
    """Raise ValueError unless the window is a positive whole number of slides."""
    if slide_secs <= 0 or window_secs <= 0 or window_secs % slide_secs:
        raise ValueError(
            f"{metric}: window ({window_secs}s) must be a positive multiple of the "
            f"slide ({slide_secs}s)"
        )


class SlidingWindowCounter:
    """Counts of keys over the last ``window_secs``, reported every ``slide_secs``."""

    def __init__(
        self, metric: str, window_secs: int, slide_secs: int, top_n: int, now: float
    ) -> None:
        check_shape(metric, window_secs, slide_secs)
        self.metric = metric
        self.window_secs = window_secs
        self.slide_secs = slide_secs
        self.top_n = top_n
        self.started = now
        self.next_slide = math.floor(now / slide_secs)  # the oldest slide not yet closed
        self.open: dict[int, Counter[Any]] = {}
        self.closed: deque[Counter[Any]] = deque()
        self.totals: dict[Any, int] = {}
        self.total = 0
        self.unsaved: dict[int, Counter[Any]] = {}  # increments not yet in a journal

    def add(self, key: Any, count: int, now: float) -> None:
        """Count key count times, at arrival time now."""
        slide = max(math.floor(now / self.slide_secs), self.next_slide)
        bucket = self.open.get(slide)
        if bucket is None:
            bucket = self.open[slide] = Counter()
        bucket[key] += count
        unsaved = self.unsaved.get(slide)
        if unsaved is None:
            unsaved = self.unsaved[slide] = Counter()
        unsaved[key] += count

    def journal_entry(self) -> dict[str, Any]:
        """The increments since the last entry, for :mod:`logstorm.protocol.journal`."""
        unsaved, self.unsaved = self.unsaved, {}
        return self._entry(unsaved)

    def snapshot_entry(self) -> dict[str, Any]:
        """Every slide still in the window, closed or open, as one entry."""
        first_closed = self.next_slide - len(self.closed)
        slides = {first_closed + i: counts for i, counts in enumerate(self.closed) if counts}
        slides.update((slide, counts) for slide, counts in self.open.items() if counts)
        return self._entry(slides)

    def _entry(self, slides: dict[int, Counter[Any]]) -> dict[str, Any]:
        return {
            "started": self.started,
            "closed_through": self.next_slide - 1,
            "slides": {str(slide): dict(counts) for slide, counts in slides.items()},
        }

    def restore(self, entries: list[dict[str, Any]]) -> None:
        """Resume from journal entries (oldest first): the slides up to the last entry's
        closed_through were reported and are closed again without reports; slides that
        ended while the task was down are reported by the next close_until.
        """
        closed_through, started = entries[-1]["closed_through"], entries[-1]["started"]
        oldest = closed_through + 1 - self.window_secs // self.slide_secs
        self.__init__(self.metric, self.window_secs, self.slide_secs, self.top_n, started)  # type: ignore[misc]  # afresh
        self.next_slide = oldest
        for entry in entries:
            for slide, counts in entry["slides"].items():
                if int(slide) >= oldest:
                    self.open.setdefault(int(slide), Counter()).update(counts)
        while self.next_slide <= closed_through:
            self._close(self.next_slide)
            self.next_slide += 1

    @property
    def watermark(self) -> int:
        """Every window ending at or before this was reported: the end of the newest
        closed slide."""
        return self.next_slide * self.slide_secs

    def close_until(self, now: float) -> list[WindowReport]:
        """Close every slide that ended by now; one report per closed slide, in order.

        After a long pause (a task resumed from its journal hours later) the slides of
        the pause hold nothing: once the window has emptied, the pause's empty windows
        are skipped up to the last window's worth before now.

        >>> counter = SlidingWindowCounter("url", 3, 1, 10, now=0.0)
        >>> counter.add("/a", 1, now=0.5)
        >>> [(r.window_end, r.total) for r in counter.close_until(3600.0)]
        [(1, 1), (2, 1), (3, 1), (4, 0), (3598, 0), (3599, 0), (3600, 0)]
        """
        reports = []
        window_slides = self.window_secs // self.slide_secs
        while (self.next_slide + 1) * self.slide_secs <= now:
            last = math.floor(now / self.slide_secs) - 1  # the newest slide that ended
            if self.total == 0 and not self.open and last - self.next_slide >= window_slides:
                self.next_slide = last - window_slides + 1  # every window between: empty
            reports.append(self._close(self.next_slide))
            self.next_slide += 1
        return reports

    def _close(self, slide: int) -> WindowReport:
        arriving = self.open.pop(slide, Counter())
        totals = self.totals
        for key, count in arriving.items():
            totals[key] = totals.get(key, 0) + count
        self.total += arriving.total()
        self.closed.append(arriving)
        if len(self.closed) > self.window_secs // self.slide_secs:
            leaving = self.closed.popleft()
            for key, count in leaving.items():
                left = totals[key] - count
                if left:
                    totals[key] = left
                else:
                    del totals[key]
            self.total -= leaving.total()
        end = (slide + 1) * self.slide_secs
        return WindowReport(
            metric=self.metric,
            window_end=end,
            window_secs=min(self.window_secs, math.ceil(end - self.started)),
            slide_secs=self.slide_secs,
            total=self.total,
            distinct=len(totals),
            top=rank(totals.items(), self.top_n),
        )
