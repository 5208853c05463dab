"""What each spout task says about itself, for the console and the dashboard.

Every few seconds a spout task rewrites ``status/spout-<task>.json`` beside the
windows file (``logstorm.output.path``), atomically: its acked lines/s, complete
latency and failures over the last seconds (:meth:`logstorm.monitoring.ack_stats.AckStats.report`),
when it wrote, and in a spool-mode replay how far it is
(:class:`logstorm.monitoring.progress.ReplayProgress`). Readers take whatever files are
there; a status older than the run they watch is theirs to ignore (``at``).

>>> import tempfile, pathlib
>>> folder = status_dir(pathlib.Path(tempfile.mkdtemp()) / "windows.jsonl")
>>> write_status(folder, 3, {"lines_per_sec": 1000.0, "at": 1.0})
>>> read_statuses(folder)
[{'at': 1.0, 'lines_per_sec': 1000.0, 'task': 3}]
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from logstorm.atomic import write_json_atomic


def status_dir(output_path: str | os.PathLike[str]) -> Path:
    """The folder of the spout status files for a windows file."""
    return Path(output_path).parent / "status"


def write_status(folder: Path, task: int, status: dict[str, Any]) -> None:
    """Replace task's status file with status (and its task number)."""
    write_json_atomic(folder / f"spout-{task}.json", {**status, "task": task})


def read_statuses(folder: Path) -> list[dict[str, Any]]:
    """Every spout task's last status, by task number; none if the folder is missing."""
    found = []
    for path in sorted(folder.glob("spout-*.json")):
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):  # removed meanwhile, or not ours
            continue
    return sorted(found, key=lambda status: status.get("task", 0))
