"""Bytewax peer of the logs topology's event-time replay (checked by bench/peer_check.py).

    <bytewax venv python> bench/bytewax_peer.py --input LOGFILE --windows OUT.jsonl

The job as a Python user would write it on Bytewax 0.21 (venv: ``tools/bench-venv
bytewax``), run by ``cli_main``, what ``python -m bytewax.run`` calls: one process, one
worker. A ``FileSource`` reads LOGFILE; ``filter_map`` parses each line with logstorm's
own parser and drops malformed ones. Per metric (URLs: 300 s windows sliding by 1 s,
statuses: 300 s by 5 s, both aligned to the epoch) ``key_on`` and ``fold_window`` with a
``SlidingWindower`` and an ``EventClock`` (watermark: newest time seen - 30 s) count
the window's keys in a Counter; when the window closes, ``map_value`` ranks its top-10
(ties by key) and a ``FileSink`` writes it as a JSON line. The lines the windows drop as
late are counted (``count_final``) and printed at the end: ``{"late": N}``.

Bytewax keeps a clock, so a watermark, per key: counting with one key per URL
(``count_window``) would give every URL its own lateness and leave a window's counts
spread over keys that close at different times. So each metric has a single key and
the per-URL counts live in the window's state. The clock is event time only
(``now_getter`` fixed, no wake-ups at wall-clock times): by default Bytewax also moves
the watermark on by the wall time since the newest item, which a replay must not do.
An item is late if its time is before the watermark, even if all its windows are still
open (a status line 1-4 s behind it: the reference counts those); at EOF the watermark
jumps to the end of time, so every open window is emitted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from bytewax import operators as op
from bytewax.connectors.files import FileSink, FileSource
from bytewax.dataflow import Dataflow
from bytewax.operators import windowing as win
from bytewax.run import cli_main
from bytewax.testing import TestingSink

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from logstorm.parsing.accesslog import MalformedLine, parse_line  # noqa: E402

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WINDOW, LATENESS, TOP_N = 300, 30, 10  # seconds, seconds, keys
SLIDES = {"url": 1, "status": 5}  # metric -> slide in seconds
Value = tuple[int, str]  # (epoch seconds, key): an item of a metric's stream


class Event(NamedTuple):
    """A parsed line: its time and its key for each metric (no URL: None)."""

    time: int
    url: str | None
    status: str


def parse(line: str) -> Event | None:
    """The line's event, or None if it is malformed (then it has no time either)."""
    try:
        record = parse_line(line)
    except MalformedLine:
        return None
    return Event(record.time, record.path, "-" if record.status is None else str(record.status))


def value(metric: str, event: Event) -> Value | None:
    """The event as an item of metric's stream, or None if it has no key for it."""
    key = getattr(event, metric)
    return None if key is None else (event.time, key)


def count(counts: Counter, item: Value) -> Counter:
    """fold_window's folder: one more of the item's key in the window."""
    counts[item[1]] += 1
    return counts


def top_json(metric: str, slide: int, window: tuple[int, Counter]) -> str:
    """The closed window (id, counts) as a JSON line, with its top-N by count, then key."""
    window_id, counts = window
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    end = window_id * slide + WINDOW  # window i is [EPOCH + i * slide, + WINDOW)
    return json.dumps({"metric": metric, "window_end": end, "top": [list(kv) for kv in top]})


def build_flow(log: Path, out: Path, late: list[tuple[str, int]]) -> Dataflow:
    """The dataflow: windows into out, the late-line count appended to late at EOF."""
    flow = Dataflow("logstorm_top10")
    events = op.filter_map("parse", op.input("read", flow, FileSource(log)), parse)
    clock = win.EventClock(
        ts_getter=lambda item: EPOCH + timedelta(seconds=item[0]),
        wait_for_system_duration=timedelta(seconds=LATENESS),
        now_getter=lambda: EPOCH,
        to_system_utc=lambda _: None,
    )
    rows, late_lines = [], []
    for metric, slide in SLIDES.items():
        values = op.filter_map(f"{metric}-value", events, lambda e, m=metric: value(m, e))
        windower = win.SlidingWindower(
            length=timedelta(seconds=WINDOW), offset=timedelta(seconds=slide), align_to=EPOCH
        )
        keyed = op.key_on(f"{metric}-key", values, lambda _, m=metric: m)
        windows = win.fold_window(
            f"{metric}-count",
            keyed,
            clock,
            windower,
            builder=Counter,
            folder=count,
            merger=Counter.__add__,
            ordered=False,
        )
        rows.append(
            op.map_value(
                f"{metric}-top", windows.down, lambda w, m=metric, s=slide: top_json(m, s, w)
            )
        )
        # a late line comes once per window it misses, as (window id, (time, key)):
        # keep it in its last one
        late_lines.append(
            op.filter_value(f"{metric}-late", windows.late, lambda w, s=slide: w[0] == w[1][0] // s)
        )
    op.output("write", op.merge("windows", *rows), FileSink(out))
    late_count = op.count_final("late", op.merge("late-lines", *late_lines), lambda _: "late")
    op.output("late-out", late_count, TestingSink(late))
    return flow


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--windows", type=Path, required=True)
    args = ap.parse_args()
    late: list[tuple[str, int]] = []
    cli_main(build_flow(args.input, args.windows, late))
    print(json.dumps({"late": sum(n for _, n in late)}))


if __name__ == "__main__":
    main()
