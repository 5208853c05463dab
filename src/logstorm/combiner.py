"""Parsing a chunk of log lines into per-key counts (a combiner) and error records.

The parse bolt emits one tuple per distinct URL and status of a chunk, with its
count, instead of one per line: partial aggregation before the fields grouping,
as a MapReduce combiner does. Lines that do not parse become error records that
keep their source file, offset and raw text, so nothing is lost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .accesslog import MalformedLine, parse_line


def status_key(status: int | None) -> str:
    """Status as the windows key it: "200", or "-" when the log had none."""
    return "-" if status is None else str(status)


@dataclass
class ChunkCounts:
    """What one chunk of lines adds to the windows, and what it could not parse."""

    urls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)


def count_chunk(path: str, offsets: list[int], lines: list[str], cut: list[int]) -> ChunkCounts:
    """Parse every line; count URLs and statuses; turn bad and cut lines into errors."""
    counts = ChunkCounts()
    cut_lines = set(cut)
    for i, line in enumerate(lines):
        if i in cut_lines:
            reason = "line too long: cut at the configured maximum"
            counts.errors.append(_error(reason, path, offsets[i], line))
            continue
        try:
            record = parse_line(line)
        except MalformedLine as err:
            counts.errors.append(_error(err.reason, path, offsets[i], line))
            continue
        counts.statuses[status_key(record.status)] += 1
        if record.path is not None:
            counts.urls[record.path] += 1
    return counts


def _error(reason: str, path: str, offset: int, line: str) -> dict[str, Any]:
    return {"reason": reason, "path": path, "offset": offset, "line": line}
