"""The pipeline's health as the spouts report it: acked lines/s, latency, replay progress.

Each spout task rewrites ``<folder of logstorm.output.path>/status/spout-<task>.json``
atomically every few seconds (:mod:`logstorm.monitoring.status`, which also reads them):
lines acked per second, tuples pending and failed, the complete latency's percentiles,
and in spool mode the replay's progress. The page wants one figure per question, so the
tasks are summed: lines/s add up, the worst p99 is the latency, and a replay is done
when every task's is. A file older than three of its
periods (and 15 s) belongs to a task that stopped: it counts no more towards lines/s, and its last
progress (a finished replay's totals) is still shown.

>>> import json, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> for task, rate, p99 in ((3, 1000.0, 40), (4, 500.0, 55)):
...     _ = (folder / f"spout-{task}.json").write_text(json.dumps({"task": task, "at": 100.0,
...         "secs": 5.0, "acked_lines": 5000, "lines_per_sec": rate, "failed": 0, "pending": 2,
...         "complete_latency_ms": {"p50": 12, "p99": p99}, "progress": None}))
>>> health = spout_health(read_statuses(folder), now=102.0)
>>> health["lines_per_sec"], health["p99_ms"], health["tasks"], health["progress"]
(1500.0, 55, 2, None)
"""

from __future__ import annotations

from typing import Any

from logstorm.monitoring.status import read_statuses

__all__ = ["read_statuses", "replay_progress", "spout_health"]

STALE_PERIODS = 3  # a status this many periods old is a stopped task's
STALE_SECS = 15.0  # and at least this old (a report can cover less than a period)


def spout_health(statuses: list[dict[str, Any]], now: float) -> dict[str, Any] | None:
    """One summary of the spout tasks' statuses at time now; None without any."""
    statuses = [s for s in statuses if isinstance(s, dict) and isinstance(s.get("at"), int | float)]
    if not statuses:
        return None
    live = [s for s in statuses if _reporting(s, now)]
    latencies = [s["complete_latency_ms"] for s in live if s.get("complete_latency_ms")]
    return {
        "tasks": len(statuses),
        "live_tasks": len(live),
        "at": max(s["at"] for s in statuses),
        "lines_per_sec": sum(_num(s, "lines_per_sec") for s in live),
        "acked_lines": sum(_num(s, "acked_lines") for s in live),
        "acked_tuples": sum(_num(s, "acked_tuples") for s in live),
        "failed": sum(_num(s, "failed") for s in live),
        "pending": sum(_num(s, "pending") for s in live),
        "p50_ms": max((_num(lat, "p50") for lat in latencies), default=None),
        "p99_ms": max((_num(lat, "p99") for lat in latencies), default=None),
        "progress": replay_progress(statuses),
    }


def replay_progress(statuses: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The tasks' replay progress summed (files, bytes, lines, lines/s); the time taken
    and left are the slowest task's (left: unknown if any task's is); finished when
    every task is."""
    parts = [s["progress"] for s in statuses if isinstance(s.get("progress"), dict)]
    if not parts:
        return None
    etas = [p.get("eta_secs") for p in parts]
    summed = ("files_done", "files_total", "bytes_done", "bytes_total", "lines", "lines_per_sec")
    return {
        "mode": parts[0].get("mode"),
        **{key: sum(_num(p, key) for p in parts) for key in summed},
        "secs": max(_num(p, "secs") for p in parts),
        "eta_secs": None if None in etas else max(etas),
        "finished": all(p.get("finished") for p in parts),
    }


def _reporting(status: dict[str, Any], now: float) -> bool:
    return now - status["at"] <= max(STALE_PERIODS * _num(status, "secs"), STALE_SECS)


def _num(d: dict[str, Any], key: str) -> float:
    value = d.get(key)
    return value if isinstance(value, int | float) else 0
