"""Event-time windows computed the obvious way: the reference logstorm is checked against.

No Storm, no incremental sums, no watermark broadcasts: read the lines in order,
decide lateness line by line from the largest timestamp seen before it, then for
every counted event add it to each window that holds it, and rank each window by
sorting. Slow, and plainly what the semantics say (docs/event-time.md).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

from logstorm.parsing.accesslog import MalformedLine, event_time, parse_line

SHAPES = {"url": (300, 1), "status": (300, 5), "host": (300, 5)}  # (window, slide) seconds


def key_of(metric: str, line: str) -> str | None:
    """What the line counts as for metric; None if it is malformed or has no URL."""
    try:
        record = parse_line(line)
    except MalformedLine:
        return None
    if metric == "url":
        return record.path
    if metric == "host":
        return record.host
    return "-" if record.status is None else str(record.status)


def reference_windows(
    lines: Iterable[str],
    lateness: int,
    shapes: Mapping[str, tuple[int, int]] = SHAPES,
    top_n: int = 10,
) -> tuple[list[dict], Counter]:
    """(every non-empty window, sorted by metric and end; late lines per metric)."""
    events = [(event_time(line), {m: key_of(m, line) for m in shapes}) for line in lines]
    return reference_from_events(events, lateness, shapes, top_n)


def reference_by_partition(
    partitions: Iterable[Iterable[str]],
    lateness: int,
    shapes: Mapping[str, tuple[int, int]] = SHAPES,
    top_n: int = 10,
) -> tuple[list[dict], Counter]:
    """The same for lines read from several partitions, each in its own order: a line
    is late by the largest timestamp before it in its own partition."""
    counted: dict[str, list[tuple[int, str]]] = {metric: [] for metric in shapes}
    late: Counter = Counter()
    for lines in partitions:
        events = [(event_time(line), {m: key_of(m, line) for m in shapes}) for line in lines]
        _count(events, lateness, shapes, counted, late)
    return _windows(counted, shapes, top_n), late


def reference_from_events(
    events: Iterable[tuple[int | None, Mapping[str, str | None]]],
    lateness: int,
    shapes: Mapping[str, tuple[int, int]] = SHAPES,
    top_n: int = 10,
) -> tuple[list[dict], Counter]:
    """The same from (timestamp or None, {metric: key or None}) per line, in read order."""
    counted: dict[str, list[tuple[int, str]]] = {metric: [] for metric in shapes}
    late: Counter = Counter()
    _count(events, lateness, shapes, counted, late)
    return _windows(counted, shapes, top_n), late


def _count(events, lateness, shapes, counted, late) -> None:
    """Sort one source's events (in read order) into counted and late, per metric."""
    newest = None
    for t, keys in events:
        if t is None:
            continue
        for metric, (_, slide) in shapes.items():
            key = keys.get(metric)
            if key is None:
                continue
            first_window_end = (t // slide + 1) * slide
            if newest is not None and first_window_end <= newest - lateness:
                late[metric] += 1
            else:
                counted[metric].append((t, key))
        newest = t if newest is None else max(newest, t)


def _windows(counted, shapes, top_n) -> list[dict]:
    """Every non-empty window of the counted events, ranked, by metric and end."""
    windows = []
    for metric, (window, slide) in sorted(shapes.items()):
        counts: dict[int, Counter] = defaultdict(Counter)
        for t, key in counted[metric]:
            first_window_end = (t // slide + 1) * slide
            for end in range(first_window_end, first_window_end + window, slide):
                counts[end][key] += 1
        for end in sorted(counts):
            ranked = sorted(counts[end].items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]
            windows.append(
                {
                    "metric": metric,
                    "time": "event",
                    "window_end": end,
                    "window_secs": window,
                    "slide_secs": slide,
                    "total": sum(counts[end].values()),
                    "distinct": len(counts[end]),
                    "top": [list(kv) for kv in ranked],
                }
            )
    return windows


def as_jsonl(windows: Iterable[dict]) -> list[str]:
    """Windows as the sink writes them, one JSON text each, sorted by metric and end."""
    rows = sorted(windows, key=lambda w: (w["metric"], w["window_end"]))
    return [json.dumps(w, ensure_ascii=False) for w in rows]
