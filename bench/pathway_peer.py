"""Pathway peer of the logs topology's event-time replay.

    <pathway venv python> bench/pathway_peer.py --input LOGFILE --windows OUT.jsonl

The job as a Python user would write it on Pathway 0.33 today, with Pathway's own
operators: ``pw.io.plaintext.read`` of LOGFILE in static mode; logstorm's own parser
in a deterministic ``pw.udf`` (a malformed line, or one without a time, is dropped);
then per metric a ``windowby`` over the line's time (int epoch seconds) with
``pw.temporal.sliding(hop=1|5, duration=300)`` (the default origin 0 of integer times
aligns the windows to the epoch; a window is [start, end), ``end`` exclusive), the key
as ``instance`` and ``pw.temporal.common_behavior(cutoff=30)`` for the 30 s allowed
lateness, reduced to a count per key and window; then a ``groupby`` of the window end
whose ``pw.reducers.sorted_tuple`` of (-count, key) ranks the window, cut to its
top-10. ``pw.io.subscribe`` keeps each window's final row (Pathway's outputs are
updates) and ``pw.run`` runs it all, without monitoring, in one worker (Pathway's
default; ``PATHWAY_THREADS=2`` runs two).

Lateness is Pathway's, not the reference's: an operator's time advances only between
commits, and a static read is one commit, so the cutoff drops nothing and lines out
of order are all counted; in a stream, the cutoff drops a late line from the windows
already closed and keeps it in those still open, where the reference drops it whole.
Identical on files in order, as the replay's are.

Each window becomes one JSON line of OUT.jsonl, ``{"metric": "url"|"status",
"window_end": <epoch s>, "top": [[key, count], ...]}``, checked by
bench/peer_check.py; stdout gets ``{"late": null}``: Pathway does not count what its
cutoff drops.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import pathway as pw  # noqa: E402

from logstorm.parsing.accesslog import MalformedLine, parse_line  # noqa: E402

SLIDES = {"url": 1, "status": 5}  # metric -> slide in seconds; windows are 300 s
WINDOW = 300
LATENESS = 30
TOP_N = 10


@pw.udf(deterministic=True)
def parse(line: str) -> tuple[int, str | None, str] | None:
    """(time, URL or None, status or "-") of a line; None if it is malformed."""
    try:
        record = parse_line(line)
    except MalformedLine:
        return None
    status = "-" if record.status is None else str(record.status)
    return record.time, record.path, status


@pw.udf(deterministic=True)
def top(ranked: tuple) -> tuple:
    """The first TOP_N of a window's (-count, key) ranking, as (key, count) pairs."""
    return tuple((key, -negative) for negative, key in ranked[:TOP_N])


def top_windows(events: pw.Table, key: str, slide: int) -> pw.Table:
    """Each window's (window_end, top) of column key, in windows of WINDOW s every slide s."""
    counts = (
        events.filter(pw.this[key].is_not_none())
        .windowby(
            pw.this.time,
            window=pw.temporal.sliding(hop=slide, duration=WINDOW),
            behavior=pw.temporal.common_behavior(cutoff=LATENESS),
            instance=pw.this[key],
        )
        .reduce(
            window_end=pw.this._pw_window_end,
            key=pw.this._pw_instance,
            count=pw.reducers.count(),
        )
    )
    ranked = counts.groupby(pw.this.window_end).reduce(
        pw.this.window_end,
        ranked=pw.reducers.sorted_tuple(pw.make_tuple(-pw.this.count, pw.this.key)),
    )
    return ranked.select(pw.this.window_end, top=top(pw.this.ranked))


def run_job(input_file: Path) -> list[dict]:
    """The windows of input_file's lines, each {"metric", "window_end", "top"}."""
    lines = pw.io.plaintext.read(input_file, mode="static")
    parsed = lines.select(event=parse(pw.this.data)).filter(pw.this.event.is_not_none())
    events = parsed.select(
        time=pw.unwrap(pw.this.event[0]),
        url=pw.this.event[1],
        status=pw.this.event[2],
    )
    final: Counter = Counter()  # (metric, window_end, top) -> additions - deletions

    for metric, slide in SLIDES.items():

        def on_change(key, row: dict, time: int, is_addition: bool, metric=metric) -> None:
            final[metric, row["window_end"], row["top"]] += 1 if is_addition else -1

        pw.io.subscribe(top_windows(events, metric, slide), on_change=on_change)
    pw.run(monitoring_level=pw.MonitoringLevel.NONE)
    rows = sorted(k for k, n in final.items() if n > 0)
    return [{"metric": m, "window_end": end, "top": [list(kv) for kv in t]} for m, end, t in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, required=True)
    ap.add_argument("--windows", type=Path, required=True)
    args = ap.parse_args()
    windows = run_job(args.input)
    args.windows.write_text("".join(json.dumps(w, ensure_ascii=False) + "\n" for w in windows))
    print(json.dumps({"late": None}))


if __name__ == "__main__":
    main()
