"""Which state a run's components open, so that a topology killed and submitted again
resumes the windows its predecessor had open instead of losing their lines.

The window journals, the reports sent, the rankings' outbox and the sink's progress
(the run's state store, :mod:`logstorm.state`) are only valid together with the input
checkpoint they were acknowledged against: the file spout's position file, or the
Kafka consumer group's committed offsets. So the checkpoint names its state: the
spout writes the *run* (the ``storm.id`` of the run that started the checkpoint) into
every save, and each component's state folder (with ``logstorm.state.backend=kafka``,
its topics' prefix) is named by the run its checkpoint names. A resubmitted topology
over the same input reads the same checkpoint, finds the same run and resumes its
state; a replay from scratch (the position file deleted, a new consumer group, offsets
reset) has no run in its checkpoint and starts a folder of its own, so it never
inherits counts of lines it will read again.

Every component finds the same folder without talking to the others: the spout writes
into the checkpoint only the run it read there, or, for a new checkpoint, the
``storm.id`` that every component of the run falls back to as well.

The folder's name also carries a digest of the layout the state depends on (the time
mode, the window shapes and the tasks of each component): a topology submitted again
with another parallelism or other windows starts afresh instead of restoring counts
split for other tasks. It also carries the
protocol's version (:data:`PROTOCOL_VERSION`), raised whenever the state's records
change shape: state an older logstorm wrote is left alone, and the run starts afresh.

>>> options = opt.read_logs_options({"logstorm.state.path": "/state", "logstorm.time": "event"})
>>> context = {"task->component": {"1": "logfiles", "2": "parse", "3": "url_window"}}
>>> run_state_dir(options, context, run="logs-1-1700000000")
PosixPath('/state/logs-1-1700000000.eb7ddebe')
>>> state_topics_prefix(options, context, run="logs-1-1700000000")
'logstorm-state.logs-1-1700000000.eb7ddebe'
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from logstorm import logs_options as opt
from logstorm.metrics import METRICS
from logstorm.state.store import StateStore

PROTOCOL_VERSION = 2  # 2: numbered windows and feedback streams (1: unnumbered outbox)


def open_state(options: Mapping[str, Any], storm_conf: Mapping[str, Any],
               context: Mapping[str, Any], *, run: str | None = None,
               transactional_id: str | None = None) -> StateStore | None:  # fmt: skip
    """The state store a stateful component of this run opens (None: the run keeps no
    state): the folder of :func:`run_state_dir`, or the Kafka topics of
    :func:`state_topics_prefix`. ``run`` defaults to :func:`resumed_run`; a
    ``transactional_id`` (Kafka only) is suffixed to the prefix, so it is the run's own."""
    if not opt.keeps_state(options):
        return None
    run = run or resumed_run(options, storm_conf)
    if options[opt.STATE_BACKEND] == "kafka":
        from logstorm.state.kafka_store import KafkaStore

        prefix = state_topics_prefix(options, context, run)
        transactional = f"{prefix}.{transactional_id}" if transactional_id else None
        return KafkaStore(options[opt.STATE_KAFKA_SERVERS], prefix, transactional)
    from logstorm.state.dir_store import DirStore

    return DirStore(run_state_dir(options, context, run))


def state_topics_prefix(options: Mapping[str, Any], context: Mapping[str, Any], run: str) -> str:
    """The prefix of the Kafka topics that hold run's state for this topology's layout."""
    return f"logstorm-state.{run}.{layout_digest(options, context)}"


def run_state_dir(options: Mapping[str, Any], context: Mapping[str, Any], run: str) -> Path:
    """The state folder of run (see :func:`checkpoint_run`) for this topology's layout."""
    return Path(options[opt.STATE_PATH]) / f"{run}.{layout_digest(options, context)}"


def resumed_run(options: Mapping[str, Any], storm_conf: Mapping[str, Any]) -> str:
    """The run whose state this process resumes: the one the input checkpoint names,
    else this topology run's own id (Storm's ``storm.id``)."""
    named = checkpoint_run(options)
    return named or str(storm_conf.get("storm.id") or storm_conf.get("topology.name", "topology"))


def checkpoint_run(options: Mapping[str, Any]) -> str | None:
    """The run the input checkpoint names, None when it names none (a new input, or a
    checkpoint older than runs): read from the position file, or from the offsets the
    Kafka consumer group committed."""
    if options[opt.INPUT_KIND] == "kafka":
        from logstorm.sources.kafka import committed_run

        return committed_run(
            options[opt.KAFKA_SERVERS], options[opt.KAFKA_TOPIC], options[opt.KAFKA_GROUP]
        )
    from logstorm.sources.offsets import PositionFile

    try:
        return PositionFile(opt.position_file(options)).run
    except ValueError:
        return None  # unreadable: the spout stops on it, with the fix


def layout_digest(options: Mapping[str, Any], context: Mapping[str, Any]) -> str:
    """A short digest of what the state's shape depends on: the protocol's version, the
    time mode, the windows and slides, and which tasks each component runs (Storm's own
    ``__`` tasks aside)."""
    tasks = sorted(
        (int(task), component)
        for task, component in context["task->component"].items()
        if not component.startswith("__")
    )
    windows = [opt.window_shape(options, metric) for metric in METRICS]
    shape = json.dumps([PROTOCOL_VERSION, options[opt.TIME], windows, tasks])
    return hashlib.sha256(shape.encode()).hexdigest()[:8]
