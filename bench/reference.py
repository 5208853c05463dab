"""The one-process ceiling: parse + URL and status windows + top-10 per slide, in a loop.

    .venv/bin/python bench/reference.py [--lines 200000]

No Storm, no pipes: the same core code (parser, SlidingWindowCounter) run over
generated traffic in one Python process, with arrival time advancing 1 ms per line
so that every slide is closed and ranked as in the topology. It is the ceiling a
single core of Python reaches; bench/live_latency.py reports against it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from logstorm.parsing.accesslog import MalformedLine, parse_line  # noqa: E402
from logstorm.parsing.combiner import status_key  # noqa: E402
from logstorm.traffic import TrafficGenerator  # noqa: E402
from logstorm.windows.processing_time import SlidingWindowCounter  # noqa: E402


def reference_rate(lines: list[str]) -> float:
    """Lines per second through parse + both windows + rankings, one process."""
    now = 1_000_000.0
    urls = SlidingWindowCounter("url", 300, 1, 10, now)
    statuses = SlidingWindowCounter("status", 300, 5, 10, now)
    start = time.perf_counter()
    for line in lines:
        now += 0.001
        try:
            record = parse_line(line)
        except MalformedLine:
            continue
        statuses.add(status_key(record.status), 1, now)
        if record.path is not None:
            urls.add(record.path, 1, now)
        urls.close_until(now)
        statuses.close_until(now)
    return len(lines) / (time.perf_counter() - start)


def generated(n: int) -> list[str]:
    """n lines of the benchmark's traffic (seed 0)."""
    return list(TrafficGenerator(seed=0).lines(n))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=200_000)
    args = ap.parse_args()
    print(f"one-process ceiling: {reference_rate(generated(args.lines)):,.0f} lines/s")


if __name__ == "__main__":
    main()
