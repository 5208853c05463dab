"""Top-N rankings, and the exact merge of per-task window reports into a global one.

Window bolts are fed by a fields grouping, so each key lives in exactly one task:
a key in the global top N is in its own task's top N, and the union of the tasks'
top-N lists, re-ranked, is the exact global top N. Totals and distinct counts add up.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass
class _Pending:
    tasks: set[int] = field(default_factory=set)
    reports: list[WindowReport] = field(default_factory=list)


class WindowMerger:
    """Collects the reports of every task for a window, then yields the global window.

    ``expected`` maps each metric to how many tasks report it. A window is complete
    when all of them reported; if a later window of the same metric completes first
    (a task died or lagged), the older ones are released as partial windows. A report
    for a window already released (a restarted task reporting a slide again) is dropped.
    """

    def __init__(self, expected: dict[str, int], top_n: int) -> None:
        self.expected = expected
        self.top_n = top_n
        self.pending: dict[tuple[str, int], _Pending] = {}
        self.released: dict[str, int] = {}  # metric -> window_end of the last release

    def add(self, task: int, report: WindowReport) -> list[dict[str, Any]]:
        """Record one report; return the windows it completes, oldest first."""
        if report.window_end <= self.released.get(report.metric, -1):
            return []
        key = (report.metric, report.window_end)
        entry = self.pending.setdefault(key, _Pending())
        entry.tasks.add(task)
        entry.reports.append(report)
        if len(entry.tasks) < self.expected[report.metric]:
            return []
        ready = sorted(k for k in self.pending if k[0] == report.metric and k[1] <= key[1])
        self.released[report.metric] = key[1]
        return [self._merge(self.pending.pop(k)) for k in ready]

    def _merge(self, entry: _Pending) -> dict[str, Any]:
        first = entry.reports[0]
        merged_top = rank((kv for r in entry.reports for kv in r.top), self.top_n)
        window = {
            "metric": first.metric,
            "time": "processing",
            "window_end": first.window_end,
            "window_secs": max(r.window_secs for r in entry.reports),
            "slide_secs": first.slide_secs,
            "total": sum(r.total for r in entry.reports),
            "distinct": sum(r.distinct for r in entry.reports),
            "top": [list(kv) for kv in merged_top],
        }
        missing = self.expected[first.metric] - len(entry.tasks)
        if missing:
            window["partial"] = f"{missing} of {self.expected[first.metric]} tasks did not report"
        return window
