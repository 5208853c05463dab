"""What a window task says of a window it closed: its counts' top N, total and distinct.

>>> rank([("/b", 2), ("/a", 2), ("/c", 5)], 2)
[('/c', 5), ('/a', 2)]
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def rank(counts: Iterable[tuple[Any, int]], n: int) -> list[tuple[Any, int]]:
    """The n largest (key, count) pairs: count descending, then key ascending."""
    return heapq.nsmallest(n, counts, key=lambda kv: (-kv[1], kv[0]))


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
