"""The log analyzer's Storm streams, each declared once: its name and its fields.

Each stream's tuple is a frozen dataclass here (a :class:`StormTuple`). The emitting
component declares it with its fields (``Stream(fields=CountsTuple.fields(), name=...)``)
and sends it with :func:`send`; the receiving one reads it back by name
(``CountsTuple(*tup.values)``), never by position.

    logfiles    --default----------> parse           ChunkTuple
    logfiles    --watermarks-------> window bolts    WatermarkTuple
    parse       --<metric>_counts--> window bolts    CountsTuple   (logstorm.metrics)
    parse       --errors-----------> error_sink      ErrorsTuple
    window bolt --default----------> rankings        ReportsTuple
    rankings    --default----------> window_sink     WindowTuple
    rankings    --released---------> window bolts    ReleasedTuple
    window_sink --progress---------> rankings        ProgressTuple

>>> class Bolt:  # what a streamparse component's emit is given
...     def emit(self, values, stream=None, **kwargs): print(values, stream)
>>> send(Bolt(), WatermarkTuple(1431857103))
[1431857103] watermarks
>>> CountsTuple(*[0, "a.log/0-100#0", None, [["/a", 2]]]).counts
[['/a', 2]]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


class StormTuple:
    """A stream's tuple: its stream's name (None: the default stream), its fields in
    Storm's order, and their values as the list Storm takes."""

    __slots__ = ()
    stream: ClassVar[str | None] = None

    @classmethod
    def fields(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]

    def values(self) -> list[Any]:
        return [getattr(self, name) for name in self.fields()]


@dataclass(frozen=True, slots=True)
class ChunkTuple(StormTuple):
    """A chunk of log lines (:class:`logstorm.sources.chunks.Chunk`): its source, text,
    line offsets (``LineOffsets.as_list``), cut line indices, id and, in event time,
    the spout's stamp (``{"watermark": ..., "late": {metric: [line index, ...]}}``)."""

    stream = None  # the default stream

    path: str
    text: str
    at: list[Any]
    cut: list[int]
    chunk: str
    event: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class WatermarkTuple(StormTuple):
    """A spout task's event-time watermark (epoch seconds)."""

    stream = "watermarks"

    watermark: int


@dataclass(frozen=True, slots=True)
class CountsTuple(StormTuple):
    """One window task's part of a chunk's counts for a metric (its stream:
    :attr:`logstorm.metrics.Metric.stream`): [[key, n], ...], or by event time
    [[slide, key, n], ...]; ``chunk`` is the chunk id and the part (``<id>#<part>``)."""

    stream = None  # the metric's

    part: int
    chunk: str
    watermark: int | None
    counts: list[list[Any]]


@dataclass(frozen=True, slots=True)
class ErrorsTuple(StormTuple):
    """A chunk's left-out lines: counts per (reason, metric) and a few samples
    (:func:`logstorm.output.error_samples.chunk_errors`)."""

    stream = "errors"

    path: str
    counts: list[list[Any]]
    samples: list[list[Any]]


@dataclass(frozen=True, slots=True)
class ReportsTuple(StormTuple):
    """A window task's closed windows (``WindowReport`` tuples), with its watermark and,
    with a state store, the sequence number it chains on (``since``)."""

    stream = None  # the default stream

    metric: str
    since: int | None
    watermark: int | None
    reports: list[Any]


@dataclass(frozen=True, slots=True)
class WindowTuple(StormTuple):
    """A complete window, ranked, and its number in the rankings' outbox (None
    without a state store)."""

    stream = None  # the default stream

    window: dict[str, Any]
    seq: int | None


@dataclass(frozen=True, slots=True)
class ReleasedTuple(StormTuple):
    """What the rankings put out for good, per metric, in its current epoch."""

    stream = "released"

    epoch: int
    released: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ProgressTuple(StormTuple):
    """How far the window sink received and made durable, per metric."""

    stream = "progress"

    received: dict[str, int]
    durable: dict[str, int]


def send(component: Any, tup: StormTuple, stream: str | None = None, **kwargs: Any) -> None:
    """Emit tup on its stream (or stream) as the list Storm takes."""
    component.emit(tup.values(), stream=stream or tup.stream, **kwargs)
