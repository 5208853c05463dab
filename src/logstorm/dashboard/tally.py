"""The errors tally as the page shows it: lines left out as malformed, and as late.

The errors sink keeps ``errors.counts.json`` beside its errors file,
``{"late": {metric: n}, "malformed": {reason: n}, "not_written": n}``, rewritten atomically (see
:class:`logstorm.output.sinks.ErrorTally`). No file yet means nothing was left out.

>>> import json, tempfile, pathlib
>>> errors = pathlib.Path(tempfile.mkdtemp()) / "errors.jsonl"
>>> read_tally(errors)
{'late': {}, 'malformed': {}, 'late_total': 0, 'malformed_total': 0, 'not_written': 0}
>>> _ = tally_path(errors).write_text(json.dumps(
...     {"late": {"url": 2, "status": 2}, "malformed": {"unterminated user-agent field": 1}}))
>>> read_tally(errors)["malformed_total"], read_tally(errors)["late"]["url"]
(1, 2)
"""

from __future__ import annotations

import json
import os
from typing import Any

from logstorm.output.sinks import tally_path

__all__ = ["read_tally", "tally_path"]


def read_tally(errors_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The tally of an errors file, with totals; empty if there is none (yet)."""
    try:
        counts = json.loads(tally_path(errors_path).read_text())
    except (FileNotFoundError, ValueError):  # none yet; ValueError: not the sink's file
        counts = {}
    late = _counts(counts.get("late")) if isinstance(counts, dict) else {}
    malformed = _counts(counts.get("malformed")) if isinstance(counts, dict) else {}
    not_written = counts.get("not_written") if isinstance(counts, dict) else 0
    return {
        "late": late,
        "malformed": malformed,
        "late_total": sum(late.values()),
        "malformed_total": sum(malformed.values()),
        "not_written": not_written if isinstance(not_written, int) else 0,
    }


def _counts(value: Any) -> dict[str, int]:
    if not isinstance(value, dict):
        return {}
    return {str(k): n for k, n in value.items() if isinstance(n, int)}
