"""The errors tally as the page shows it: lines left out as malformed, and as late.

The errors sink keeps ``errors.counts.json`` beside its errors file,
``{"late": {metric: n}, "malformed": {reason: n}, "not_written": n}``, rewritten
atomically (see :class:`logstorm.output.sinks.ErrorTally`). No file yet means nothing was left out.

>>> import json, tempfile, pathlib
>>> errors = pathlib.Path(tempfile.mkdtemp()) / "errors.jsonl"
>>> read_tally(errors)
{'late': {}, 'malformed': {}, 'not_written': 0, 'late_total': 0, 'malformed_total': 0}
>>> _ = tally_path(errors).write_text(json.dumps(
...     {"late": {"url": 2, "status": 2}, "malformed": {"unterminated user-agent field": 1}}))
>>> read_tally(errors)["malformed_total"], read_tally(errors)["late"]["url"]
(1, 2)
"""

from __future__ import annotations

import os
from typing import Any

from logstorm.output.sinks import ErrorTally, tally_path

__all__ = ["read_tally", "tally_path"]


def read_tally(errors_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The tally of an errors file, with totals; empty if there is none (yet)."""
    counts = ErrorTally.resumed(tally_path(errors_path)).as_dict()
    return {
        **counts,
        "late_total": sum(counts["late"].values()),
        "malformed_total": sum(counts["malformed"].values()),
    }
