"""How far a spool-mode replay is: files and bytes done of the total, lines/s, and the
time left, for the console and the dashboard.

The estimate is the bytes left at the rate bytes were committed since the replay
started (this task's start: files done before it are done, not fast).

>>> progress = ReplayProgress(started=0.0)
>>> first = progress.report(files=(0, 2), bytes_=(0, 1000), lines=0, now=0.0, finished=False)
>>> report = progress.report(files=(1, 2), bytes_=(400, 1000), lines=4000, now=10.0,
...                          finished=False)
>>> report["lines_per_sec"], report["eta_secs"]
(400.0, 15.0)
>>> done = progress.report(files=(2, 2), bytes_=(1000, 1000), lines=10000, now=20.0,
...                        finished=True)
>>> progress.report(files=(2, 2), bytes_=(1000, 1000), lines=10000, now=99.0,
...                 finished=True)["lines_per_sec"]
500.0
"""

from __future__ import annotations

from typing import Any


class ReplayProgress:
    """Progress reports of one replay, from the totals the reader and spout keep."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.first_bytes: int | None = None  # done when the replay started
        self.final: dict[str, Any] | None = None  # the report that said it finished

    def report(self, *, files: tuple[int, int], bytes_: tuple[int, int], lines: int,
               now: float, finished: bool) -> dict[str, Any]:  # fmt: skip
        """files and bytes_ are (done, total); lines are those acked since the start.
        Once finished, the same final report (its rate and duration do not decay)."""
        if self.final is not None:
            return self.final
        bytes_done, bytes_total = bytes_
        if self.first_bytes is None:
            self.first_bytes = bytes_done
        secs = max(now - self.started, 1e-9)
        rate = (bytes_done - self.first_bytes) / secs  # bytes/s
        left = bytes_total - bytes_done
        eta = 0.0 if finished or left <= 0 else (left / rate if rate > 0 else None)
        report = {
            "mode": "spool", "files_done": files[0], "files_total": files[1],
            "bytes_done": bytes_done, "bytes_total": bytes_total, "lines": lines,
            "lines_per_sec": round(lines / secs, 1), "secs": round(secs, 1),
            "eta_secs": None if eta is None else round(eta, 1), "finished": finished,
        }  # fmt: skip
        if finished:
            self.final = report
        return report


def progress_line(progress: dict[str, Any]) -> str:
    """A report as the console shows it.

    >>> progress_line({"files_done": 1, "files_total": 2, "bytes_done": 1_500_000,
    ...                "bytes_total": 3_000_000, "lines": 10000, "lines_per_sec": 2000.0,
    ...                "secs": 5.0, "eta_secs": 5.0, "finished": False})
    'replay: 1 of 2 files, 1.5 of 3.0 MB (50%), 10,000 lines, 2,000 lines/s, about 5 s left'
    >>> progress_line({"files_done": 2, "files_total": 2, "bytes_done": 3_000_000,
    ...                "bytes_total": 3_000_000, "lines": 20000, "lines_per_sec": 2000.0,
    ...                "secs": 10.0, "eta_secs": 0.0, "finished": True})
    'replay finished: 2 files, 3.0 MB, 20,000 lines in 10 s (2,000 lines/s)'
    """
    mb = progress["bytes_done"] / 1e6
    if progress["finished"]:
        return (f"replay finished: {progress['files_total']} files, {mb:.1f} MB, "
                f"{progress['lines']:,} lines in {progress['secs']:.0f} s "
                f"({progress['lines_per_sec']:,.0f} lines/s)")  # fmt: skip
    total = progress["bytes_total"]
    share = 100 * progress["bytes_done"] / total if total else 100.0
    eta = progress["eta_secs"]
    left = "time left unknown" if eta is None else f"about {eta:,.0f} s left"
    return (f"replay: {progress['files_done']} of {progress['files_total']} files, "
            f"{mb:.1f} of {total / 1e6:.1f} MB ({share:.0f}%), {progress['lines']:,} lines, "
            f"{progress['lines_per_sec']:,.0f} lines/s, {left}")  # fmt: skip
