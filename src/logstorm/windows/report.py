"""What a window task says of a window it closed: its counts' top N, total and distinct.

>>> rank([("/b", 2), ("/a", 2), ("/c", 5)], 2)
[('/c', 5), ('/a', 2)]
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

_count = itemgetter(1)  # a (key, count) pair's count


def _order(kv: tuple[Any, int]) -> tuple[int, Any]:
    """A pair's place in a ranking: count descending, then key ascending."""
    return -kv[1], kv[0]


def rank(counts: Iterable[tuple[Any, int]], n: int) -> list[tuple[Any, int]]:
    """The n largest (key, count) pairs: count descending, then key ascending.

    A window's counts can hold thousands of keys, ranked at every slide: the n-th
    largest count is found among the bare counts first (compared in C, no key function
    per pair), and only the pairs at or above it are ordered.
    """
    pairs = counts if isinstance(counts, list) else list(counts)
    if len(pairs) > n > 0:
        least = heapq.nlargest(n, map(_count, pairs))[-1]
        pairs = [kv for kv in pairs if kv[1] >= least]
    return sorted(pairs, key=_order)[:n]


@dataclass(frozen=True, slots=True)
class WindowReport:
    """One task's counts for one window of one metric."""

    metric: str
    window_end: int
    window_secs: int
    slide_secs: int
    total: int
    distinct: int
    top: list[tuple[Any, int]]
