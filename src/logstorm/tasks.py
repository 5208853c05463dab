"""Facts about a component's tasks, from the context Storm hands every component."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def task_index(context: Mapping[str, Any]) -> int:
    """0-based index of this task among its component's tasks (Storm's getThisTaskIndex)."""
    return task_ids(context, context["componentid"]).index(int(context["taskid"]))


def task_count(context: Mapping[str, Any], component: str) -> int:
    """How many tasks a component of the topology runs."""
    return sum(1 for comp in context["task->component"].values() if comp == component)


def task_ids(context: Mapping[str, Any], component: str) -> list[int]:
    """The task ids of a component, in order (a task's index is its place here)."""
    return sorted(
        int(task) for task, comp in context["task->component"].items() if comp == component
    )
