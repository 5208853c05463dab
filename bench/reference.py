"""The reference: the job in one plain Python process, as fast as I can write it.

    .venv/bin/python bench/reference.py [--lines 1000000]

The same job as the topology (each metric of :mod:`logstorm.metrics`: URL counts over
300 s sliding every 1 s, status and client-host counts over 300 s sliding every 5 s, each
window's top-10, by event time with 30 s allowed lateness) with nothing but Python: no
Storm, no pipes, no per-line objects. Blocks of about 4 MB are counted by the core's
one-pass chunk parser (one pattern over the text, each distinct timestamp converted
once, keys counted per slide by C loops: :func:`logstorm.parsing.combiner.count_chunk`);
a window moves by whole slides, adding
the slide that enters and subtracting the one that leaves, and ranks its counts with
``heapq``. Its windows equal the brute-force reference's (``tests/event_reference.py``;
``tests/integration/test_benchmarks_smoke.py`` checks). Lateness is decided per
block (a line is late if its windows closed before its block began), the same as
per line for the in-order generated traffic the benchmarks use.

The benchmarks report the topology's CPU per line against this one's: the cost of
Storm, of several processes and of the guarantees, over Python's own for the job.

>>> lines = [f'h - - [17/May/2015:10:05:0{s} +0000] "GET /{p} HTTP/1.1" 200 5'
...          for s, p in [(1, "a"), (2, "b"), (2, "a")]]
>>> [(w["metric"], w["window_end"] % 100, w["top"]) for w in windows(["\\n".join(lines)])][:3]
[('url', 2, [['/a', 1]]), ('url', 3, [['/a', 2], ['/b', 1]]), ('url', 4, [['/a', 2], ['/b', 1]])]
"""

from __future__ import annotations

import argparse
import heapq
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from logstorm.metrics import METRICS
from logstorm.parsing.combiner import count_chunk
from logstorm.traffic import TrafficGenerator

SHAPES = {m.name: (m.window_secs, m.slide_secs) for m in METRICS}  # (window, slide) seconds
LATENESS = 30
TOP = 10
LOG_RATE = 1000.0  # lines per second of log time, as bench/replay.py's file
BLOCK_LINES = 20_000  # about 4 MB of text per block


class SlidingTop:
    """One metric's windows: slide counts in, each closed window's top-N out.

    >>> urls = SlidingTop("url", window=3, slide=1)
    >>> urls.add({(10, "/a"): 2, (11, "/b"): 1})
    >>> [(w["window_end"], w["top"]) for w in urls.close(12)]
    [(11, [['/a', 2]]), (12, [['/a', 2], ['/b', 1]])]
    >>> [(w["window_end"], w["top"]) for w in urls.close(None)]
    [(13, [['/a', 2], ['/b', 1]]), (14, [['/b', 1]])]
    """

    def __init__(self, metric: str, window: int, slide: int, top: int = TOP) -> None:
        self.metric, self.slide, self.top = metric, slide, top
        self.span = window // slide  # slides per window
        self.waiting: dict[int, Counter[str]] = defaultdict(Counter)  # slide -> key counts
        self.entered: dict[int, Counter[str]] = {}  # the slides of the current window
        self.current: Counter[str] = Counter()  # their sum
        self.next = 0  # index of the next slide to enter the window
        self.late = 0

    def add(self, counts: dict[tuple[int, str], int]) -> None:
        """Add a block's counts by (slide index, key); those of closed slides are late."""
        for (index, key), n in counts.items():
            if index < self.next:
                self.late += n
            else:
                self.waiting[index][key] += n

    def close(self, watermark: int | None) -> Iterator[dict[str, Any]]:
        """The windows ending at or before watermark (every one if None), in order."""
        while self.waiting or self.current:
            if not self.current:  # nothing in the window: jump to the next counted slide
                self.entered.clear()
                self.next = max(self.next, min(self.waiting))
            end = (self.next + 1) * self.slide
            if watermark is not None and end > watermark:
                return
            entering = self.entered[self.next] = self.waiting.pop(self.next, Counter())
            self.current.update(entering)
            leaving = self.entered.pop(self.next - self.span, None)
            if leaving:
                self.current.subtract(leaving)
                for key in leaving:
                    if not self.current[key]:
                        del self.current[key]
            self.next += 1
            if self.current:
                yield {"metric": self.metric, "window_end": end, "top": self.ranked()}

    def ranked(self) -> list[list[Any]]:
        """The current window's top-N, by count then key."""
        best = heapq.nsmallest(self.top, self.current.items(), key=lambda kv: (-kv[1], kv[0]))
        return [list(kv) for kv in best]


def windows(blocks: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Every window of the lines in blocks (texts of whole lines, no final newline)."""
    metrics = [SlidingTop(metric, *shape) for metric, shape in SHAPES.items()]
    slides = {metric: slide for metric, (_, slide) in SHAPES.items()}
    newest = None
    for block in blocks:
        counted = count_chunk("-", block, [0, "bytes", []], [], slides=slides)
        for top in metrics:
            top.add(counted.counts[top.metric])
        seconds = [index for index, _ in counted.counts["url"]]  # 1 s slides: timestamps
        newest = max(seconds, default=newest) if newest is None else max(newest, *seconds)
        if newest is not None:
            for top in metrics:
                yield from top.close(newest - LATENESS)
    for top in metrics:
        yield from top.close(None)


def blocks(lines: Iterable[str], size: int = BLOCK_LINES) -> Iterator[str]:
    """Lines joined into texts of size lines each, as a file read in blocks gives them."""
    block: list[str] = []
    for line in lines:
        block.append(line)
        if len(block) == size:
            yield "\n".join(block)
            block = []
    if block:
        yield "\n".join(block)


def generated(n: int, rate: float = 100.0) -> list[str]:
    """n lines of the benchmarks' traffic (seed 0), rate lines per second of log time."""
    return list(TrafficGenerator(seed=0).lines(n, rate=rate))


def reference_figures(lines: list[str] | None = None) -> dict[str, float]:
    """The reference over lines (default: 300,000 of the replay's): lines/s and
    CPU-seconds per million lines."""
    lines = generated(300_000, LOG_RATE) if lines is None else lines
    texts = list(blocks(lines))
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in windows(texts):
        pass
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"rate": len(lines) / wall, "cpu_per_million": cpu * 1e6 / len(lines)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=1_000_000)
    args = ap.parse_args()
    figures = reference_figures(generated(args.lines, LOG_RATE))
    print(f"reference: {figures['rate']:,.0f} lines/s, "
          f"{figures['cpu_per_million']:.2f} CPU-s per million lines")  # fmt: skip


if __name__ == "__main__":
    main()
