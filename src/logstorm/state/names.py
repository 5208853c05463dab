"""The names of what a run keeps in its state store, in one place.

A name is ``<owner>.<what>``: the owner is the part before the first dot (a window
task, the rankings, the sink), and with the Kafka backend each owner's state is one
topic (:func:`logstorm.state.kafka_store.owner_topic`), written only by its owner.

>>> task = task_owner("url_window", 3)
>>> window_journal(task), sent_reports(task), owner(sent_reports(task))
('url_window-3.jsonl', 'url_window-3.sent.json', 'url_window-3')
"""

from __future__ import annotations

RANKINGS_OUTBOX = "rankings.outbox.jsonl"  # the rankings' windows, numbered, until out
RANKINGS_RELEASED = "released.json"  # the rankings' own record of what it sent last
SINK_PROGRESS = "window_sink.json"  # metric -> the next seq, as the sink last made durable


def task_owner(component: str, task: int) -> str:
    """The owner name of one component task: ``<component>-<task>``."""
    return f"{component}-{task}"


def window_journal(owner: str) -> str:
    """A window task's journal of its counts."""
    return f"{owner}.jsonl"


def sent_reports(owner: str) -> str:
    """A window task's reports sent and not yet released."""
    return f"{owner}.sent.json"


def owner(name: str) -> str:
    """The owner of a state name."""
    return name.split(".", 1)[0]
