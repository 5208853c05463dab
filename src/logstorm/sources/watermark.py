"""Event time at the source: which lines are late, and how far the windows may close.

The log-file spout reads lines in one order (files by name, lines in file order)
and stamps every chunk with what that order says, line by line, before anything
runs in parallel:

- the *watermark* before a line is the largest timestamp read so far minus the
  allowed lateness;
- a line is *late* for a metric when the first window holding it (the one ending
  at the end of its slide) ends at or before that watermark: that window may
  already be out, so the line is counted in none of the metric's windows.

With several spout tasks, or a Kafka spout task reading several partitions, each
source of lines keeps its own order and stamps (a clock per partition), and the
windows close at the lowest of their watermarks (:class:`~logstorm.watermarks.LowestWatermark`,
:class:`PartitionClocks`), as Flink merges the watermarks of parallel sources.

Because the stamps depend only on the lines and their order, never on timing, batch
size or parallelism, a replay gives the same late lines and the same windows. A
failed chunk is sent again with its first stamp.

The watermark the spout *broadcasts* is a promise that every line with a smaller
stamped watermark is counted: the stamped watermark of the oldest chunk not yet
acknowledged, or, when all are, the current one. A window ending at or before it
holds everything it will ever hold. Input that stops must not hold windows open:
:meth:`EventClock.finish` (spooled files all done) moves the watermark past every
window, and :meth:`EventClock.idle` (tailed files quiet) lets it advance with the
wall clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from logstorm.watermarks import END_OF_TIME, NO_WATERMARK


@dataclass(frozen=True, slots=True)
class Stamp:
    """What event time says about one chunk, fixed when the chunk is first read."""

    watermark: int  # the watermark before the chunk's first line
    late: dict[str, list[int]]  # metric -> indices of the lines too late for its windows
    max_time: int | None  # the largest timestamp read up to the chunk's end

    def values(self) -> dict[str, object]:
        """As it travels in the spout tuple."""
        return {"watermark": self.watermark, "late": self.late}


class EventClock:
    """The event-time stamps and the broadcast watermark of one spout task."""

    def __init__(
        self, allowed_lateness: int, slides: Mapping[str, int], max_time: int | None = None
    ) -> None:
        self.allowed_lateness = allowed_lateness
        self.slides = dict(slides)
        self.max_time = max_time  # the largest timestamp read so far
        self.floor = NO_WATERMARK  # raised by idle() and finish()
        self.stamps: dict[str, Stamp] = {}  # chunks not yet done, in read order
        self.finished: set[str] = set()  # done, but behind a chunk that is not
        self.done_max_time = max_time  # max_time at the end of the done prefix

    def knows(self, chunk_id: str) -> bool:
        """Whether the chunk was stamped and is not done yet (a resend, not a new read)."""
        return chunk_id in self.stamps

    @property
    def watermark(self) -> int:
        """The watermark before the next line to be read."""
        if self.max_time is None:
            return self.floor
        return max(self.max_time - self.allowed_lateness, self.floor)

    def stamp(self, chunk_id: str, times: Collection[int | None]) -> Stamp:
        """Stamp a newly read chunk whose lines have these timestamps (None: no valid
        timestamp); a chunk sent again keeps its first stamp. times with a ``distinct()``
        method (:class:`~logstorm.parsing.accesslog.LineTimes`) give their distinct valid
        timestamps without a pass over every line."""
        known = self.stamps.get(chunk_id)
        if known is not None:
            return known
        first = self.watermark
        late: dict[str, list[int]] = {}
        # The watermark only rises within a chunk, so when its oldest timestamp is at or
        # past the cutoffs of the watermark after its newest (nearly always) no line is
        # late: decided from the chunk's few distinct timestamps, not line by line.
        distinct = getattr(times, "distinct", None)  # LineTimes: no pass over the lines
        seen = distinct() if distinct else {t for t in set(times) if t is not None}
        if self.max_time is not None:
            seen.add(self.max_time)
        newest = max(seen, default=None)
        after = self.floor if newest is None else max(newest - self.allowed_lateness, self.floor)
        if min(seen, default=END_OF_TIME) >= max(
            self._cutoffs(after).values(), default=NO_WATERMARK
        ):
            self.max_time = newest
            stamp = self.stamps[chunk_id] = Stamp(first, late, newest)
            return stamp
        # A line is late for a metric when (t // slide + 1) * slide <= watermark, that is
        # when t < cutoff = watermark // slide * slide; the watermark moves only when the
        # largest timestamp does (rarely within a chunk), so the cutoffs are worked out
        # then, and a line at or past every cutoff (nearly all) costs two comparisons.
        cutoffs = self._cutoffs(first)
        highest = max(cutoffs.values(), default=NO_WATERMARK)
        newest = self.max_time
        for i, t in enumerate(times):
            if t is None:
                continue
            if t < highest:
                for metric, cutoff in cutoffs.items():
                    if t < cutoff:
                        late.setdefault(metric, []).append(i)
            if newest is None or t > newest:
                self.max_time = newest = t
                cutoffs = self._cutoffs(self.watermark)
                highest = max(cutoffs.values(), default=NO_WATERMARK)
        stamp = self.stamps[chunk_id] = Stamp(first, late, self.max_time)
        return stamp

    def _cutoffs(self, watermark: int) -> dict[str, int]:
        """Metric -> the timestamps below which a line is late at this watermark."""
        return {metric: watermark // slide * slide for metric, slide in self.slides.items()}

    def restore(self, chunk_id: str, stamp: Stamp) -> None:
        """Take a chunk's stamp from before a restart (:mod:`logstorm.sources.cuts`): it is
        sent again as it was first sent, and read time moves on past it."""
        self.stamps[chunk_id] = stamp
        if stamp.max_time is not None and (self.max_time is None or stamp.max_time > self.max_time):
            self.max_time = stamp.max_time

    def done(self, chunk_id: str) -> None:
        """The chunk is acknowledged: all its lines are counted."""
        if chunk_id in self.stamps:
            self.finished.add(chunk_id)
            self._advance()

    def broadcast(self, outstanding: Iterable[str] | None = None) -> int:
        """The watermark to send downstream: every line stamped below it is counted.

        outstanding, if given, names the chunks the reader still tracks; the stamp of
        any other chunk (dropped, e.g. by a truncation) stops holding the watermark back.
        """
        if outstanding is not None:
            keep = set(outstanding)
            self.finished.update(c for c in self.stamps if c not in keep)
            self._advance()
        if self.stamps:
            return next(iter(self.stamps.values())).watermark
        return self.watermark

    def _advance(self) -> None:
        # Drop the done chunks at the front of the read order; the rest hold it back.
        for chunk_id in list(self.stamps):
            if chunk_id not in self.finished:
                return
            self.finished.discard(chunk_id)
            self.done_max_time = self.stamps.pop(chunk_id).max_time

    def checkpoint_max_time(self, acked: Collection[str] = ()) -> int | None:
        """The largest timestamp at the end of the acknowledged prefix of the read order:
        the done chunks, then those in acked (acknowledged, their offsets being saved).

        A checkpoint of that prefix's offsets carries it, so a spout restarted there
        stamps the next lines exactly as this one did. A Kafka commit covers chunks
        that are not done yet (done waits for Kafka to confirm the commit): their
        max_time, not the done prefix's, goes with it.

        >>> clock = EventClock(10, {"url": 1})
        >>> for cid, t in (("a", 100), ("b", 200), ("c", 300)):
        ...     _ = clock.stamp(cid, [t])
        >>> clock.done("a"); clock.checkpoint_max_time(), clock.checkpoint_max_time({"b", "c"})
        (100, 300)
        >>> clock.checkpoint_max_time({"c"})  # b is not acknowledged: c's offsets wait
        100
        """
        max_time = self.done_max_time
        for chunk_id, stamp in self.stamps.items():
            if chunk_id not in self.finished and chunk_id not in acked:
                break
            max_time = stamp.max_time
        return max_time

    def idle(self, quiet_secs: float) -> None:
        """No new line for quiet_secs: let the watermark advance with the wall clock."""
        if self.max_time is not None:
            self.floor = max(self.floor, self.max_time - self.allowed_lateness + int(quiet_secs))

    def finish(self) -> None:
        """Input is over (every spooled file done): close every window from now on."""
        self.floor = END_OF_TIME


class PartitionClocks:
    """One :class:`EventClock` per source of lines (a Kafka partition), read in its own
    order: a line is late by its own partition's watermark, and the spout task's
    broadcast watermark is the lowest of its partitions' (a partition that has had no
    line yet does not hold it back; none has: :data:`NO_WATERMARK`). With no
    partition at all the task has nothing to wait for (:data:`END_OF_TIME`).

    ``max_times`` (source -> largest timestamp at its committed offset, or None)
    resumes the clocks where the sources resume; ``source_of`` names a chunk's source.

    >>> clocks = PartitionClocks(10, {"url": 1}, {"t/0": None, "t/1": None},
    ...                          source_of=lambda chunk_id: chunk_id[:3])
    >>> clocks.stamp("t/0/0-2", [100, 200]).late, clocks.stamp("t/1/0-1", [150]).late
    ({}, {})
    >>> clocks.done("t/0/0-2"); clocks.done("t/1/0-1"); clocks.broadcast()
    140
    >>> clocks.checkpoint_max_time()
    {'t/0': 200, 't/1': 150}
    >>> clocks.restore("t/1/1-3", Stamp(90, {}, 300))  # as sent before a restart
    >>> clocks.knows("t/1/1-3"), clocks.clocks["t/1"].max_time
    (True, 300)
    """

    def __init__(
        self,
        allowed_lateness: int,
        slides: Mapping[str, int],
        max_times: Mapping[str, int | None],
        source_of: Callable[[str], str],
    ) -> None:
        self.clocks = {
            source: EventClock(allowed_lateness, slides, max_time)
            for source, max_time in max_times.items()
        }
        self.source_of = source_of

    def _clock(self, chunk_id: str) -> EventClock:
        return self.clocks[self.source_of(chunk_id)]

    def knows(self, chunk_id: str) -> bool:
        return self._clock(chunk_id).knows(chunk_id)

    def restore(self, chunk_id: str, stamp: Stamp) -> None:
        """A chunk's stamp from before a restart, on its partition's clock."""
        self._clock(chunk_id).restore(chunk_id, stamp)

    def stamp(self, chunk_id: str, times: Collection[int | None]) -> Stamp:
        return self._clock(chunk_id).stamp(chunk_id, times)

    def done(self, chunk_id: str) -> None:
        self._clock(chunk_id).done(chunk_id)

    def broadcast(self, outstanding: Iterable[str] | None = None) -> int:
        if not self.clocks:
            return END_OF_TIME
        keep = None if outstanding is None else set(outstanding)
        marks = [
            clock.broadcast(keep)
            for clock in self.clocks.values()
            if clock.max_time is not None or clock.stamps or clock.floor == END_OF_TIME
        ]
        return min(marks, default=NO_WATERMARK)

    def idle(self, quiet_secs: float) -> None:
        for clock in self.clocks.values():
            clock.idle(quiet_secs)

    def finish(self) -> None:
        for clock in self.clocks.values():
            clock.finish()

    def checkpoint_max_time(self, acked: Collection[str] = ()) -> dict[str, int | None]:
        """Per source, the largest timestamp at the end of its acknowledged prefix
        (:meth:`EventClock.checkpoint_max_time`)."""
        return {source: clock.checkpoint_max_time(acked) for source, clock in self.clocks.items()}
