"""Top-N rankings, and the exact merge of per-task window reports into a global one.

Each key is counted by exactly one window task (see :mod:`logstorm.parsing.partition`), so
a key in the global top N is in its own task's top N, and the union of the tasks'
top-N lists, re-ranked, is the exact global top N. Totals and distinct counts add up.

In processing time a window is out when every task reported it (:class:`WindowMerger`);
in event time when every task's watermark passed its end (:class:`WatermarkMerger`),
since a task with no events in a window reports nothing for it. With a state folder,
processing time uses :class:`WatermarkMerger` too, each task's watermark being the end
of its newest closed slide: its chained reports are what lets a restarted rankings ask
for the reports lost on their way (:mod:`logstorm.protocol.sent_reports`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from logstorm.watermarks import NO_WATERMARK
from logstorm.windows.report import WindowReport, rank


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
        window = merge_reports(entry.reports, self.top_n, "processing")
        expected = self.expected[window["metric"]]
        if len(entry.tasks) < expected:
            window["partial"] = f"{expected - len(entry.tasks)} of {expected} tasks did not report"
        return window


class WatermarkMerger:
    """Event time: merges the tasks' reports of a window once every task's watermark
    reached the window's end, in window order.

    Each task sends ``(since, watermark, reports)`` (see :mod:`logstorm.protocol.sent_reports`):
    ``since`` is the watermark of its last message with reports. A message whose
    ``since`` is above what the merger has from that task follows a lost one: it is
    dropped and the pair goes into ``gaps`` until the task sends the rest again. Reports
    at or below what the merger has (a resend) are dropped, and so are windows at or
    before ``released``, which a new merger takes over from its predecessor's record.

    >>> merger = WatermarkMerger({"url": 2}, top_n=3)
    >>> report = WindowReport("url", 10, 10, 1, 4, 1, [("/a", 4)])
    >>> merger.add(0, "url", None, 10, [report])       # task 1 has not spoken yet
    []
    >>> merger.add(1, "url", 5, 12, [])                 # since 5: a message of task 1 was lost
    []
    >>> merger.gaps
    {('url', 1)}
    >>> [w["total"] for w in merger.add(1, "url", None, 12, [])]     # task 1 sent it again
    [4]
    """

    def __init__(
        self,
        expected: dict[str, int],
        top_n: int,
        released: dict[str, int] | None = None,
        time: str = "event",
    ) -> None:
        self.expected = expected
        self.top_n = top_n
        self.time = time  # what the merged windows say they are by
        self.released: dict[str, int] = dict(released or {})  # metric -> all windows out to
        self.watermarks: dict[str, dict[int, int]] = {}  # metric -> task -> watermark
        self.pending: dict[tuple[str, int], list[WindowReport]] = {}
        self.gaps: set[tuple[str, int]] = set()

    def add(
        self,
        task: int,
        metric: str,
        since: int | None,
        watermark: int,
        reports: Iterable[WindowReport],
    ) -> list[dict[str, Any]]:
        """Record one task's message; return the windows now complete."""
        tasks = self.watermarks.setdefault(metric, {})
        out = self.released.get(metric, NO_WATERMARK)
        seen = tasks.get(task, out)
        if since is not None and since > seen:
            self.gaps.add((metric, task))
            return []
        self.gaps.discard((metric, task))
        for report in reports:
            if report.window_end > max(seen, out):
                self.pending.setdefault((metric, report.window_end), []).append(report)
        tasks[task] = max(seen, watermark)
        if len(tasks) < self.expected[metric]:
            return []
        low = min(tasks.values())
        ready = sorted(k for k in self.pending if k[0] == metric and k[1] <= low)
        self.released[metric] = max(out, low)
        return [merge_reports(self.pending.pop(k), self.top_n, self.time) for k in ready]


def merge_reports(reports: list[WindowReport], top_n: int, time: str) -> dict[str, Any]:
    """The global window (a JSON-ready dict) from the reports of the tasks that had keys."""
    first = reports[0]
    return {
        "metric": first.metric,
        "time": time,
        "window_end": first.window_end,
        "window_secs": max(r.window_secs for r in reports),
        "slide_secs": first.slide_secs,
        "total": sum(r.total for r in reports),
        "distinct": sum(r.distinct for r in reports),
        "top": [list(kv) for kv in rank((kv for r in reports for kv in r.top), top_n)],
    }
