"""Which window task counts a key: the parse bolt's own fields grouping.

The parse bolt sums a chunk's lines per key (a combiner) and sends each window task
one tuple holding all of that task's keys (a "part"), instead of one tuple per key
through Storm's fields grouping on the key: the same key always reaches the same
task, at a fraction of the tuples. The hash is CRC-32 of the key's text, stable across
processes and runs (Python's ``hash`` of a string is salted per process).
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Iterable
from typing import Any


def task_of(key: Hashable, tasks: int) -> int:
    """Index (0-based) of the task, out of tasks, that counts key."""
    return zlib.crc32(str(key).encode("utf-8", "surrogatepass")) % tasks


def partition(
    items: Iterable[tuple[Any, ...]], tasks: int, key_at: int = 0
) -> dict[int, list[list[Any]]]:
    """Group items (tuples whose element key_at is the key) by the task that counts them;
    tasks without items are left out."""
    out: dict[int, list[list[Any]]] = {}
    for item in items:
        out.setdefault(task_of(item[key_at], tasks), []).append(list(item))
    return out
