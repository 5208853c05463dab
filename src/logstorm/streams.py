"""The log analyzer's Storm streams, each declared once: its name and its fields.

Each stream's tuple is a NamedTuple here. The emitting component declares it with its
fields (``Stream(fields=CountsTuple._fields, name=...)``) and sends it with :func:`send`;
the receiving one reads it back by name (``CountsTuple(*tup.values)``), never by position.

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

from typing import Any, NamedTuple


class ChunkTuple(NamedTuple):
    """A chunk of log lines (:class:`logstorm.sources.chunks.Chunk`): its source, text,
    line offsets (``LineOffsets.as_list``), cut line indices, id and, in event time,
    the spout's stamp (``{"watermark": ..., "late": {metric: [line index, ...]}}``)."""

    path: str
    text: str
    at: list[Any]
    cut: list[int]
    chunk: str
    event: dict[str, Any] | None
    stream = None  # the default stream


class WatermarkTuple(NamedTuple):
    """A spout task's event-time watermark (epoch seconds)."""

    watermark: int
    stream = "watermarks"


class CountsTuple(NamedTuple):
    """One window task's part of a chunk's counts for a metric (its stream:
    :attr:`logstorm.metrics.Metric.stream`): [[key, n], ...], or by event time
    [[slide, key, n], ...]; ``chunk`` is the chunk id and the part (``<id>#<part>``)."""

    part: int
    chunk: str
    watermark: int | None
    counts: list[list[Any]]
    stream = None  # the metric's


class ErrorsTuple(NamedTuple):
    """A chunk's left-out lines: counts per (reason, metric) and a few samples
    (:func:`logstorm.output.error_samples.chunk_errors`)."""

    path: str
    counts: list[list[Any]]
    samples: list[list[Any]]
    stream = "errors"


class ReportsTuple(NamedTuple):
    """A window task's closed windows (``WindowReport`` tuples), with its watermark and,
    with a state store, the sequence number it chains on (``since``)."""

    metric: str
    since: int | None
    watermark: int | None
    reports: list[Any]
    stream = None  # the default stream


class WindowTuple(NamedTuple):
    """A complete window, ranked, and its number in the rankings' outbox (None
    without a state store)."""

    window: dict[str, Any]
    seq: int | None
    stream = None  # the default stream


class ReleasedTuple(NamedTuple):
    """What the rankings put out for good, per metric, in its current epoch."""

    epoch: int
    released: dict[str, Any]
    stream = "released"


class ProgressTuple(NamedTuple):
    """How far the window sink received and made durable, per metric."""

    received: dict[str, int]
    durable: dict[str, int]
    stream = "progress"


def send(component: Any, tup: NamedTuple, stream: str | None = None, **kwargs: Any) -> None:
    """Emit tup on its stream (or stream) as the list Storm takes (a NamedTuple would
    reach the JSON serializer as an object)."""
    component.emit(list(tup), stream=stream or tup.stream, **kwargs)
