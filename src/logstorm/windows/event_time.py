"""Sliding-window counts by event time, closed by watermarks (one window task's part).

A window ending at ``end`` (a multiple of the slide) holds the events with
``end - window_secs <= t < end``. Counts arrive per (slide, key), where slide k covers
``[k*slide_secs, (k+1)*slide_secs)``; a window is the sum of its ``window/slide``
slides. When the watermark reaches ``end`` every event of the window has been
counted (see :mod:`logstorm.sources.watermark`), so :meth:`EventWindowCounter.advance`
reports it, once, if it holds at least one event. Walking the window ends in order,
the totals gain the slide that enters and lose the slide that leaves, and runs of
empty windows are skipped in one step: a replay of a month-long log costs time in
proportion to its events, not to its length in seconds.

Chunks are counted at most once: each bundle names its chunk, and a chunk already
counted (a replay after a failure elsewhere) is dropped. A chunk can be replayed
only until the broadcast watermark passes its own stamp, so the ids of older chunks
are forgotten as the watermark advances.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from logstorm.watermarks import NO_WATERMARK
from logstorm.windows.processing_time import check_shape
from logstorm.windows.report import WindowReport, rank


class EventWindowCounter:
    """Counts of keys by event time, reported per window as the watermark passes it."""

    def __init__(self, metric: str, window_secs: int, slide_secs: int, top_n: int) -> None:
        check_shape(metric, window_secs, slide_secs)
        self.metric = metric
        self.window_secs = window_secs
        self.slide_secs = slide_secs
        self.top_n = top_n
        self.span = window_secs // slide_secs  # slides per window
        self.slides: dict[int, Counter[Any]] = {}  # slide index -> counts not yet left behind
        self.end: int | None = None  # windows ending at or before end*slide_secs are done
        self.totals: Counter[Any] = Counter()  # the window ending at end*slide_secs
        self.watermark = NO_WATERMARK  # the last watermark advanced to
        self.chunks: dict[str, int] = {}  # counted chunk -> its stamped watermark
        self.unsaved: dict[int, Counter[Any]] = {}  # increments not yet journaled
        self.unsaved_chunks: dict[str, int] = {}

    def add_chunk(self, chunk_id: str, stamped: int, items: Iterable[Sequence[Any]]) -> bool:
        """Count a chunk's (slide, key, count) items; False (nothing counted) if the
        chunk was counted before."""
        if chunk_id in self.chunks:
            return False
        self.chunks[chunk_id] = self.unsaved_chunks[chunk_id] = stamped
        gone = -math.inf if self.end is None else self.end - self.span  # slides before: done
        closed = -math.inf if self.end is None else self.end  # and before this: in totals
        for slide, key, count in items:
            if slide < gone:
                continue  # in no window still to come (cannot happen while stamps hold)
            counts, unsaved = self.slides.get(slide), self.unsaved.get(slide)
            if counts is None:  # (a Counter per item made by setdefault cost most)
                counts = self.slides[slide] = Counter()
            if unsaved is None:
                unsaved = self.unsaved[slide] = Counter()
            counts[key] = counts.get(key, 0) + count
            unsaved[key] = unsaved.get(key, 0) + count
            if slide < closed:
                self.totals[key] += count  # only a watermark promise broken upstream
        return True

    def advance(self, watermark: int) -> list[WindowReport]:
        """Report, in order, every non-empty window ending at or before watermark."""
        if watermark <= self.watermark:
            return []
        self.watermark = watermark
        reports = []
        while True:
            if not self.totals:  # skip a run of empty windows, up to the watermark only:
                ahead = [s for s in self.slides if self.end is None or s >= self.end]
                if not ahead:  # slides past it may still be filled
                    break
                target = min(min(ahead), watermark // self.slide_secs)
                self.end = target if self.end is None else max(self.end, target)
            assert self.end is not None  # set above, or by the step that filled totals
            if (self.end + 1) * self.slide_secs > watermark:
                break
            self._step()
            if self.totals:
                reports.append(self._report())
        self.chunks = {c: w for c, w in self.chunks.items() if w >= watermark}
        return reports

    def _step(self) -> None:
        assert self.end is not None  # advance() sets it before stepping
        entering = self.slides.get(self.end)
        if entering:
            self.totals.update(entering)
        leaving = self.slides.pop(self.end - self.span, None)
        if leaving:
            self.totals.subtract(leaving)
            for key in leaving:  # only a leaving key can drop to 0 (counts are positive)
                if self.totals[key] <= 0:
                    del self.totals[key]
        self.end += 1

    def _report(self) -> WindowReport:
        assert self.end is not None  # reported after a step
        return WindowReport(
            metric=self.metric,
            window_end=self.end * self.slide_secs,
            window_secs=self.window_secs,
            slide_secs=self.slide_secs,
            total=self.totals.total(),
            distinct=len(self.totals),
            top=rank(self.totals.items(), self.top_n),
        )

    # -- journal ---------------------------------------------------------------------
    def journal_entry(self) -> dict[str, Any]:
        """What changed since the last entry, for :mod:`logstorm.protocol.journal`."""
        entry = self._entry(self.unsaved, self.unsaved_chunks)
        self.unsaved, self.unsaved_chunks = {}, {}
        return entry

    def snapshot_entry(self) -> dict[str, Any]:
        """The whole state as one entry (the journal compacts to it)."""
        return self._entry(self.slides, self.chunks)

    def _entry(self, slides: dict[int, Counter[Any]], chunks: dict[str, int]) -> dict[str, Any]:
        return {
            "watermark": self.watermark,
            "end": self.end,
            "slides": [[s, list(c.items())] for s, c in slides.items()],
            "chunks": chunks,
        }

    def restore(self, entries: Iterable[dict[str, Any]]) -> None:
        """Resume from journal entries, oldest first."""
        self.__init__(self.metric, self.window_secs, self.slide_secs, self.top_n)  # type: ignore[misc]  # afresh
        for entry in entries:
            self.watermark, self.end = entry["watermark"], entry["end"]
            for slide, items in entry["slides"]:
                self.slides.setdefault(slide, Counter()).update(dict(items))
            self.chunks.update(entry["chunks"])
        if self.end is not None:
            for slide in [s for s in self.slides if s < self.end - self.span]:
                del self.slides[slide]  # left the window before the last entry
            for slide in range(self.end - self.span, self.end):
                self.totals.update(self.slides.get(slide, {}))
        self.chunks = {c: w for c, w in self.chunks.items() if w >= self.watermark}
